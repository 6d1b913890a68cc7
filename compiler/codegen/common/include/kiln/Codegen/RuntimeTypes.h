//===- RuntimeTypes.h - MLIR element types as runtime dtypes --------------===//
//
// The compiler describes every entry point to the runtime with kiln_dtype
// values from kiln/module_abi.h; this maps MLIR element types onto them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_RUNTIMETYPES_H
#define KILN_CODEGEN_RUNTIMETYPES_H

#include "kiln/module_abi.h"

#include "mlir/IR/Types.h"

#include <optional>

namespace kiln {

/// The runtime dtype of `elementType`, or nothing when the runtime has no such
/// dtype.
std::optional<kiln_dtype> getRuntimeDtype(mlir::Type elementType);

} // namespace kiln

#endif // KILN_CODEGEN_RUNTIMETYPES_H
