//===- OutputFiles.h - Several output files written as one unit -----------===//
//
// A compile may write a library, its header and its weights file. Each is
// written to a temporary next to its final path; commit() renames them into
// place, the main output last; anything not committed is removed, so a failed
// compile leaves nothing behind.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_OUTPUTFILES_H
#define KILN_DRIVER_OUTPUTFILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kiln::driver {

class OutputFiles {
public:
  OutputFiles() = default;
  OutputFiles(const OutputFiles &) = delete;
  OutputFiles &operator=(const OutputFiles &) = delete;
  /// Removes every temporary (and nothing else) unless commit() succeeded.
  ~OutputFiles();

  /// Creates an empty temporary for `finalPath` and returns its path, for
  /// writers that need a file name (such as the linker).
  llvm::Expected<std::string> add(llvm::StringRef finalPath);

  /// Writes an output whose contents `writer` produces.
  llvm::Error write(llvm::StringRef finalPath,
                    llvm::function_ref<void(llvm::raw_ostream &)> writer);
  /// Writes an output holding `bytes`.
  llvm::Error write(llvm::StringRef finalPath, llvm::ArrayRef<char> bytes);

  /// Renames every temporary onto its final path, in the reverse order of
  /// add() (so the first output added, the main one, appears last). When a
  /// rename fails, the outputs already renamed are removed again.
  llvm::Error commit();

private:
  struct Entry {
    std::string temporary;
    std::string final;
  };
  std::vector<Entry> entries;
  bool committed = false;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_OUTPUTFILES_H
