//===- LayerUtils.h - Helpers shared by the native layers -----------------===//

#ifndef KILN_FRONTENDS_NATIVE_LIB_LAYERUTILS_H
#define KILN_FRONTENDS_NATIVE_LIB_LAYERUTILS_H

#include "kiln/Frontends/Native/Layers.h"

#include <string>

namespace kiln::native::detail {

/// "[2, 3, 4]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// PyTorch's default for weights and biases of linear, convolution and
/// recurrent layers: uniform in +-1/sqrt(fanIn) (kaiming_uniform_ with
/// a = sqrt(5) comes to the same bound), seeded by the parameter's name.
mlir::Value defaultParameter(GraphBuilder &graph, const std::string &name,
                             llvm::ArrayRef<int64_t> shape, int64_t fanIn);

/// `value` with `shape` (same element count).
mlir::Value reshapeTo(GraphBuilder &graph, mlir::Value value,
                      llvm::ArrayRef<int64_t> shape);

/// `value` with its dims permuted (result dim i is input dim permutation[i]).
mlir::Value transpose(GraphBuilder &graph, mlir::Value value,
                      llvm::ArrayRef<int64_t> permutation);

/// A per-channel vector [C] laid along dim 1 of a rank-`rank` tensor:
/// [1, C, 1, ...].
mlir::Value alongChannels(GraphBuilder &graph, mlir::Value vector,
                          int64_t rank);

/// Fails unless a layer with parameters has a name to put them under.
void checkName(GraphBuilder &graph, llvm::StringRef name);

/// Fails unless `value` is 1 or more; `what` names it.
void checkPositive(GraphBuilder &graph, int64_t value, llvm::StringRef what);

} // namespace kiln::native::detail

#endif // KILN_FRONTENDS_NATIVE_LIB_LAYERUTILS_H
