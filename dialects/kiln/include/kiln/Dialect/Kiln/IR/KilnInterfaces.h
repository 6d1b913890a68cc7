//===- KilnInterfaces.h - Interfaces of the kiln dialect ------------------===//
//
// Declares GradientOpInterface, which compiler/autodiff attaches to kiln ops as
// external models.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNINTERFACES_H
#define KILN_DIALECT_KILN_IR_KILNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeUtilities.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h.inc"

#endif // KILN_DIALECT_KILN_IR_KILNINTERFACES_H
