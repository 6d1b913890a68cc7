//===- SharedLibraryLinker.h - Object code to a shared library ------------===//

#ifndef KILN_DRIVER_SHAREDLIBRARYLINKER_H
#define KILN_DRIVER_SHAREDLIBRARYLINKER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace kiln::driver {

/// Links `object` into the shared library `outputPath` with the system's C
/// compiler driver (`linker`, or $KILN_LINKER, or `cc`). Temporaries live next
/// to the output and are removed; the output appears only if linking succeeded.
/// With `needsRuntime` (the code calls library kernels, kernel_abi.h) the
/// library also links the libkiln_runtime this compiler runs with.
llvm::Error linkSharedLibrary(llvm::ArrayRef<char> object,
                              llvm::StringRef outputPath,
                              llvm::StringRef linker, bool needsRuntime);

} // namespace kiln::driver

#endif // KILN_DRIVER_SHAREDLIBRARYLINKER_H
