//===- CompileCache.h - Compiled shared libraries, cached by content ------===//
//
// kiln-run compiles a model once and keeps the shared library in a cache
// folder ($XDG_CACHE_HOME/kiln, or ~/.cache/kiln), so that running the same
// model again only loads it. An entry is named by a key that covers
// everything its contents depend on: the model's bytes and kind, the compile
// options, Kiln's version, LLVM's version and the host CPU (name and
// features).
//
// An entry `<key>.so` is the shared library followed by a 64-byte trailer
// (ELF loaders ignore bytes after the file's contents):
//
//   offset 0   "KILNCCH1"                 magic
//          8   uint64 little-endian       size of the library bytes
//         16   uint64 little-endian       xxh3-64 hash of the library bytes
//         24   32 bytes                   the key's BLAKE3 digest
//         56   8 zero bytes               reserved
//
// An entry whose trailer, size, hash or key does not match is reported as
// invalid and never loaded. Entries are written to a temporary and renamed
// into place, so readers see either a whole entry or none.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_COMPILECACHE_H
#define KILN_DRIVER_COMPILECACHE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace kiln::driver {

class CompileCache {
public:
  /// A cache in `directory`, which is created when the first entry is
  /// stored.
  explicit CompileCache(std::string directory);

  /// `$XDG_CACHE_HOME/kiln` when XDG_CACHE_HOME is set to an absolute path,
  /// else `$HOME/.cache/kiln`; an error when neither is available.
  static llvm::Expected<std::string> defaultDirectory();

  /// The key (64 hex digits) of compiling `modelBytes` (a model of kind
  /// `modelKind`, e.g. ".mlir") with options described by `optionsText`.
  static std::string computeKey(llvm::StringRef modelBytes,
                                llvm::StringRef modelKind,
                                llvm::StringRef optionsText);

  const std::string &getDirectory() const { return directory; }
  /// Where the entry of `key` lives.
  std::string entryPath(llvm::StringRef key) const;

  enum class EntryState { Missing, Valid, Invalid };
  /// Reads and verifies the entry of `key`. For an invalid entry `reason`
  /// (if given) says what was wrong.
  EntryState check(llvm::StringRef key, std::string *reason = nullptr) const;

  /// Builds the entry of `key`: `compile` writes a shared library to the
  /// path it is given; the trailer is appended and the entry renamed into
  /// place. Nothing is left behind when `compile` or a write fails.
  llvm::Error
  store(llvm::StringRef key,
        llvm::function_ref<llvm::Error(llvm::StringRef libraryPath)> compile);

  /// Removes the entry of `key`, if any.
  void remove(llvm::StringRef key) const;

private:
  std::string directory;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_COMPILECACHE_H
