//===- KilnBuilders.h - Small kiln-op builders shared by passes -----------===//
//
// Helpers that more than one library builds kiln ops with (the autodiff
// rules and the codegen expansions of the ops they emit).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNBUILDERS_H
#define KILN_DIALECT_KILN_IR_KILNBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln {

/// The identity permutation of `rank` dims with dims `a` and `b` swapped (a
/// kiln.transpose's permutation).
llvm::SmallVector<int64_t> swapDims(int64_t rank, int64_t a, int64_t b);

/// Whether dims 1... of `type` (all but the batch) are static.
bool staticBeyondBatch(mlir::RankedTensorType type);

/// The leading `sizes` of each spatial dim (dims 2...) of `value` ([N, C,
/// D...], N possibly dynamic) as a kiln.slice, or `value` itself when they
/// are all it has.
mlir::Value sliceSpatial(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, llvm::ArrayRef<int64_t> sizes);

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_KILNBUILDERS_H
