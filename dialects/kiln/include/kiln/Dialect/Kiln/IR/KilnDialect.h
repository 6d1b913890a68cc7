//===- KilnDialect.h - The kiln dialect -----------------------------------===//
//
// Declares the `kiln` dialect, Kiln's graph IR. Ops are in KilnOps.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_H
#define KILN_DIALECT_KILN_IR_KILNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnTypes.h.inc"

namespace kiln {

/// On a `kiln.constant`: the name of the model weight (an ONNX initializer, a
/// GraphBuilder parameter) it holds. Training turns such constants into
/// parameters and writes them back under this name.
inline constexpr llvm::StringLiteral kInitializerAttrName = "kiln.initializer";

/// On a `kiln.constant` that has kiln.initializer: the weight is a statistic
/// (BatchNormalization's running mean or variance), never trained by
/// gradients; a training-mode graph may update it (kiln.updates).
inline constexpr llvm::StringLiteral kStatisticAttrName = "kiln.statistic";

/// On a function result: the name of the initializer (a BatchNormalization
/// running statistic) whose next value this result is. A train step feeds the
/// statistic in and writes the result back, as PyTorch updates its buffers.
inline constexpr llvm::StringLiteral kUpdatesAttrName = "kiln.updates";

/// On a function argument: a rank-0 i64 that seeds the Dropout masks of a
/// training-mode graph; a train step feeds it the step number, so every step
/// draws new, reproducible masks.
inline constexpr llvm::StringLiteral kDropoutSeedAttrName = "kiln.dropout_seed";

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
