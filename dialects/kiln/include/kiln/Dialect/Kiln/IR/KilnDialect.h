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

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
