//===- KilnReductionOps.cpp - Reductions ===//
//
// Type inference and verification of one family of kiln ops; the rules
// shared by all families are in KilnOpsCommon.h.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(std::optional<Location> loc, StringRef name,
                                 Value input, ArrayRef<int64_t> axes,
                                 bool keepDims,
                                 SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(input);
  if (!inputType)
    return emitOptionalError(loc, name, " input must be a ranked tensor");
  if (axes.empty())
    return emitOptionalError(loc, name, " axes must not be empty");
  int64_t rank = inputType.getRank();
  for (auto [index, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return emitOptionalError(loc, name, " axis ", axis,
                               " is out of range for rank ", rank,
                               " (must be in [0, rank))");
    if (index > 0 && axes[index - 1] >= axis)
      return emitOptionalError(loc, name, " axes ", shapeToString(axes),
                               " must be strictly increasing");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(inputType.getDimSize(d));
    else if (keepDims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

#define KILN_REDUCE_OP(OpClass, Name)                                          \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduce(loc, Name, adaptor.getInput(), adaptor.getAxes(),       \
                       adaptor.getKeepDims(), inferred);                       \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_REDUCE_OP(ReduceSumOp, "kiln.reduce_sum")
KILN_REDUCE_OP(ReduceMeanOp, "kiln.reduce_mean")
KILN_REDUCE_OP(ReduceMaxOp, "kiln.reduce_max")
