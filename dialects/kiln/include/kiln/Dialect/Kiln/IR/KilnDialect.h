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

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
