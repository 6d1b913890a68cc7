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
llvm::Error linkSharedLibrary(llvm::ArrayRef<char> object,
                              llvm::StringRef outputPath,
                              llvm::StringRef linker);

} // namespace kiln::driver

#endif // KILN_DRIVER_SHAREDLIBRARYLINKER_H
