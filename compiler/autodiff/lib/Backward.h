//===- Backward.h - The reverse sweep shared by the autodiff builders -----===//

#ifndef KILN_AUTODIFF_BACKWARD_H
#define KILN_AUTODIFF_BACKWARD_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace kiln::autodiff {

/// Emits, at the builder's insertion point, the reverse sweep over `ops` (in
/// program order, already emitted): each (value, seed) of `seeds` starts a
/// gradient, and the gradient of each value of `wrt` is returned (zeros where
/// none arrives). Only ops computed from `wrt` are differentiated. Emits an
/// error at an op without a usable gradient rule and fails.
///
/// The scf.for loops of `ops` with a trip count known at compile time that
/// read a value computed from `wrt` are unrolled in place first (the loop
/// stays, emptied to zero iterations that return the unrolled results, since
/// callers may hold its results; canonicalization or foldEmptiedLoops removes
/// it).
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
emitBackward(mlir::OpBuilder &builder, llvm::ArrayRef<mlir::Operation *> ops,
             llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> seeds,
             llvm::ArrayRef<mlir::Value> wrt);

//===--- Control flow (ControlFlowGradients.cpp) --------------------------===//

/// Adds a gradient to what a value has received in the reverse sweep.
using Accumulate = llvm::function_ref<void(mlir::Value, mlir::Value)>;

/// Whether `op` reads a value of `active`: as an operand, or captured by one
/// of its regions from outside it.
bool readsActive(mlir::Operation *op,
                 const llvm::DenseSet<mlir::Value> &active);

/// Replaces each scf.for of `ops` that reads a value computed from `wrt` and
/// has a compile-time trip count by its iterations' ops, cloned before it in
/// order (nested loops too), so that the reverse sweep sees every iteration's
/// intermediates. The loop's results are replaced by the unrolled ones in the
/// IR and in `replaced` (loop result -> value). Fails with an error at a loop
/// too large to unroll.
mlir::LogicalResult
unrollActiveLoops(llvm::SmallVectorImpl<mlir::Operation *> &ops,
                  llvm::ArrayRef<mlir::Value> wrt,
                  llvm::DenseMap<mlir::Value, mlir::Value> &replaced);

/// Replaces the scf.for loops of zero iterations in `region` (those that
/// unrollActiveLoops emptied) by their initial values.
void foldEmptiedLoops(mlir::Region &region);

/// Whether propagateControlFlow differentiates `op`: ops with regions, and the
/// slices that ONNX Loop and Scan put around their bodies.
bool isControlFlowOp(mlir::Operation *op);

/// The reverse sweep through `op` (isControlFlowOp), whose results received
/// `resultGradients` (null where none): accumulates the gradients of the
/// values of `active` that it reads, or emits an error at `op` and fails
/// (loops of run-time trip counts, other ops with regions).
mlir::LogicalResult
propagateControlFlow(mlir::Operation *op, mlir::OpBuilder &builder,
                     llvm::ArrayRef<mlir::Value> resultGradients,
                     const llvm::DenseSet<mlir::Value> &active,
                     Accumulate accumulate);

} // namespace kiln::autodiff

#endif // KILN_AUTODIFF_BACKWARD_H
