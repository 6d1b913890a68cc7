//===- ChannelConstant.h - Constants that vary only along channels -------===//
//
// Shared by the graph passes that move a per-channel addition (a bias, a
// folded BatchNorm's shift) from one op onto the pieces it is split into.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_LIB_CHANNELCONSTANT_H
#define KILN_TRANSFORMS_LIB_CHANNELCONSTANT_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Value.h"

namespace kiln {

/// Whether `value` is a constant that varies only along dim 1 of a result of
/// `type` (a bias): adding it commutes with splitting that result along any
/// other dim, or into partial sums.
inline bool isChannelConstant(mlir::Value value, mlir::RankedTensorType type) {
  auto constantType = llvm::dyn_cast<mlir::RankedTensorType>(value.getType());
  if (!constantType || !mlir::matchPattern(value, mlir::m_Constant()) ||
      constantType.getRank() > type.getRank())
    return false;
  int64_t leading = type.getRank() - constantType.getRank();
  for (auto [index, size] : llvm::enumerate(constantType.getShape()))
    if (size != 1 && leading + static_cast<int64_t>(index) != 1)
      return false;
  return true;
}

} // namespace kiln

#endif // KILN_TRANSFORMS_LIB_CHANNELCONSTANT_H
