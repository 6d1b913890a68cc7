//===- Backward.h - The reverse sweep shared by the autodiff builders -----===//

#ifndef KILN_AUTODIFF_BACKWARD_H
#define KILN_AUTODIFF_BACKWARD_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace kiln::autodiff {

/// Emits, at the builder's insertion point, the reverse sweep over `ops` (in
/// program order, already emitted): each (value, seed) of `seeds` starts a
/// gradient, and the gradient of each value of `wrt` is returned (zeros where
/// none arrives). Only ops computed from `wrt` are differentiated. Emits an
/// error at an op without a usable gradient rule and fails.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
emitBackward(mlir::OpBuilder &builder, llvm::ArrayRef<mlir::Operation *> ops,
             llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> seeds,
             llvm::ArrayRef<mlir::Value> wrt);

} // namespace kiln::autodiff

#endif // KILN_AUTODIFF_BACKWARD_H
