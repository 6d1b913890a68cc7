//===- KilnRtDialect.h - The kiln_rt dialect ------------------------------===//
//
// Declares the `kiln_rt` dialect (calls into the runtime's library kernels)
// and its ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNRT_IR_KILNRTDIALECT_H
#define KILN_DIALECT_KILNRT_IR_KILNRTDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h.inc"

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnRt/IR/KilnRtOps.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln::rt {

/// The activations a kiln_rt op can apply (its `activation` attribute).
bool isKnownActivation(llvm::StringRef name);

/// Whether kiln_rt op `op` adds its result into the values of `init` (its
/// `accumulate` attribute) rather than overwriting them.
bool accumulatesIntoInit(mlir::Operation *op);

/// Lets one-shot-bufferize bufferize kiln_rt ops (destination-passing style:
/// the result is written into the buffer of `init`).
void registerBufferizableOpInterfaceExternalModels(
    mlir::DialectRegistry &registry);

} // namespace kiln::rt

#endif // KILN_DIALECT_KILNRT_IR_KILNRTDIALECT_H
