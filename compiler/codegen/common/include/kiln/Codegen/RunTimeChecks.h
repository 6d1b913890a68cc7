//===- RunTimeChecks.h - Checks that generated code makes at run time -*- C++ -*-===//
//
// Generated code that relies on something only known at run time (sizes from
// input values, a library kernel's success) checks it with a `cf.assert`,
// which the CPU back end turns into an error return of the call carrying the
// assert's message. These helpers build such checks and name the op they
// come from, for every lowering pass.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_RUNTIMECHECKS_H
#define KILN_CODEGEN_RUNTIMECHECKS_H

#include "mlir/IR/Builders.h"

#include <string>

namespace kiln {

/// Names `op` for the message of a run-time check: its kind and where it came
/// from ("kiln.add (node 3 'sum' (Add))" for ONNX nodes, or file:line:col).
std::string describeForCheck(mlir::Operation *op);

/// Emits a run-time check that `condition` holds (a `cf.assert`, which the CPU
/// back end turns into an error return of the call with `message`).
void emitRunTimeCheck(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value condition, const llvm::Twine &message);

} // namespace kiln

#endif // KILN_CODEGEN_RUNTIMECHECKS_H
