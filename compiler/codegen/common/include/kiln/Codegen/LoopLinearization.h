//===- LoopLinearization.h - One linear index over a parallel loop --------===//
//
// The CPU pipeline (kiln-linearize-parallel-loops) and the CUDA one
// (kiln-map-loops-to-gpu) both run an scf.parallel's iterations from one
// linear index; these are the pieces they share.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LOOPLINEARIZATION_H
#define KILN_CODEGEN_LOOPLINEARIZATION_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace kiln {

/// The trip counts, ceil((upper - lower) / step), of the first `dims`
/// dimensions of `loop`, folded where they are constant.
llvm::SmallVector<mlir::Value> getTripCounts(mlir::OpBuilder &builder,
                                             mlir::Location loc,
                                             mlir::scf::ParallelOp loop,
                                             unsigned dims);

/// The product of `counts` (1 when empty), folded where constant.
mlir::Value getProduct(mlir::OpBuilder &builder, mlir::Location loc,
                       llvm::ArrayRef<mlir::Value> counts);

/// Maps the induction variables of the first counts.size() dimensions of
/// `loop` to the iteration that `linear` numbers in row-major order over
/// `counts` (the last of them varies fastest).
void mapDelinearized(mlir::OpBuilder &builder, mlir::Location loc,
                     mlir::Value linear, llvm::ArrayRef<mlir::Value> counts,
                     mlir::scf::ParallelOp loop, mlir::IRMapping &mapping);

} // namespace kiln

#endif // KILN_CODEGEN_LOOPLINEARIZATION_H
