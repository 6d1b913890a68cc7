//===- Registration.h - Everything Kiln's compiler registers --------------===//
//
// One place that lists the dialects, interfaces, translations and passes the
// compiler uses, so that kiln-opt, the driver and tests see the same set.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_REGISTRATION_H
#define KILN_DRIVER_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace kiln {

/// Adds the kiln dialect, the upstream dialects Kiln lowers through, their
/// external interface models (bufferization, convert-to-llvm) and the LLVM IR
/// translations.
void registerKilnDialects(mlir::DialectRegistry &registry);

/// Registers Kiln's passes and pipelines and the upstream passes that textual
/// pipelines name. Safe to call more than once.
void registerKilnPasses();

} // namespace kiln

#endif // KILN_DRIVER_REGISTRATION_H
