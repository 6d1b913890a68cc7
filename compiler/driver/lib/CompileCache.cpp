//===- CompileCache.cpp - Compiled shared libraries, cached by content ----===//

#include "kiln/Driver/CompileCache.h"

#include "kiln/Driver/OutputFiles.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/module_abi.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/BLAKE3.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>

namespace kiln::driver {

namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'C', 'C', 'H', '1'};
constexpr size_t kTrailerSize = 64;
constexpr size_t kDigestSize = 32;

using Digest = std::array<uint8_t, kDigestSize>;

/// The digest a key's hex digits spell; nothing for a malformed key.
std::optional<Digest> parseKey(llvm::StringRef key) {
  std::string bytes;
  if (key.size() != 2 * kDigestSize || !llvm::tryGetFromHex(key, bytes))
    return std::nullopt;
  Digest digest;
  std::memcpy(digest.data(), bytes.data(), kDigestSize);
  return digest;
}

/// The trailer of a library of `payload` bytes for `digest`.
std::string makeTrailer(llvm::StringRef payload, const Digest &digest) {
  std::string trailer(kTrailerSize, '\0');
  std::memcpy(&trailer[0], kMagic, sizeof(kMagic));
  llvm::support::endian::write64le(&trailer[8], payload.size());
  llvm::support::endian::write64le(&trailer[16], llvm::xxh3_64bits(payload));
  std::memcpy(&trailer[24], digest.data(), kDigestSize);
  return trailer;
}

/// Why `entry` is not a valid entry for `digest`, or "" when it is.
std::string verifyEntry(llvm::StringRef entry, const Digest &digest) {
  if (entry.size() < kTrailerSize)
    return "it is truncated (" + std::to_string(entry.size()) + " bytes)";
  llvm::StringRef payload = entry.drop_back(kTrailerSize);
  llvm::StringRef trailer = entry.take_back(kTrailerSize);
  if (std::memcmp(trailer.data(), kMagic, sizeof(kMagic)) != 0)
    return "it has no valid trailer (truncated or overwritten)";
  uint64_t size = llvm::support::endian::read64le(trailer.data() + 8);
  if (size != payload.size())
    return "its size does not match its trailer";
  if (std::memcmp(trailer.data() + 24, digest.data(), kDigestSize) != 0)
    return "it belongs to another key";
  if (llvm::support::endian::read64le(trailer.data() + 16) !=
      llvm::xxh3_64bits(payload))
    return "its contents do not match their hash (corrupt)";
  return "";
}

} // namespace

CompileCache::CompileCache(std::string directory)
    : directory(std::move(directory)) {}

llvm::Expected<std::string> CompileCache::defaultDirectory() {
  llvm::SmallString<256> path;
  std::optional<std::string> xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
  std::optional<std::string> home = llvm::sys::Process::GetEnv("HOME");
  // The XDG base directory specification ignores relative paths.
  if (xdg && llvm::sys::path::is_absolute(*xdg)) {
    path = *xdg;
  } else if (home && !home->empty()) {
    path = *home;
    llvm::sys::path::append(path, ".cache");
  } else {
    return llvm::createStringError(
        "no cache folder: neither XDG_CACHE_HOME nor HOME is set");
  }
  llvm::sys::path::append(path, "kiln");
  return path.str().str();
}

/// Which build of the compiler this is: the size and modification time of the
/// file holding this code (the tool, or a library linking the driver). The
/// version string alone would let a rebuilt compiler of the same version load
/// libraries an older build compiled differently.
static std::string compilerBuildIdentity() {
  Dl_info info;
  struct stat file;
  if (!dladdr(reinterpret_cast<void *>(&compilerBuildIdentity), &info) ||
      !info.dli_fname || ::stat(info.dli_fname, &file) != 0)
    return "unknown";
  return std::to_string(file.st_size) + "@" +
         std::to_string(file.st_mtim.tv_sec) + "." +
         std::to_string(file.st_mtim.tv_nsec);
}

std::string CompileCache::computeKey(llvm::StringRef modelBytes,
                                     llvm::StringRef modelKind,
                                     llvm::StringRef optionsText) {
  llvm::BLAKE3 hasher;
  auto field = [&](llvm::StringRef name, llvm::StringRef value) {
    // Length-prefixed, so that no two different field lists hash alike.
    hasher.update(name);
    hasher.update(std::to_string(value.size()) + ":");
    hasher.update(value);
  };
  field("format", "kiln-cache-1");
  field("producer", getProducerString());
  field("build", compilerBuildIdentity());
  field("abi", std::to_string(KILN_ABI_VERSION));
  field("llvm", LLVM_VERSION_STRING);
  field("cpu", llvm::sys::getHostCPUName());
  std::string features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  field("features", features);
  field("options", optionsText);
  field("kind", modelKind);
  field("model", modelBytes);
  auto digest = hasher.final();
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest.data(), digest.size()),
                     /*LowerCase=*/true);
}

std::string CompileCache::entryPath(llvm::StringRef key) const {
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, key + ".so");
  return path.str().str();
}

CompileCache::EntryState CompileCache::check(llvm::StringRef key,
                                             std::string *reason) const {
  std::optional<Digest> digest = parseKey(key);
  std::string path = entryPath(key);
  if (!digest || !llvm::sys::fs::exists(path))
    return EntryState::Missing;
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  std::string problem =
      buffer ? verifyEntry((*buffer)->getBuffer(), *digest)
             : "it cannot be read: " + buffer.getError().message();
  if (problem.empty())
    return EntryState::Valid;
  if (reason)
    *reason = problem;
  return EntryState::Invalid;
}

llvm::Error CompileCache::store(
    llvm::StringRef key,
    llvm::function_ref<llvm::Error(llvm::StringRef libraryPath)> compile) {
  std::optional<Digest> digest = parseKey(key);
  if (!digest)
    return llvm::createStringError("malformed cache key '" + key + "'");
  if (std::error_code error = llvm::sys::fs::create_directories(directory))
    return llvm::createStringError(error, "cannot create the cache folder '" +
                                              directory +
                                              "': " + error.message());
  OutputFiles outputs;
  std::string path = entryPath(key);
  auto temporary = outputs.add(path);
  if (!temporary)
    return temporary.takeError();
  if (llvm::Error error = compile(*temporary))
    return error;
  auto library = llvm::MemoryBuffer::getFile(*temporary, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
  if (!library)
    return llvm::createStringError(library.getError(),
                                   "cannot read the compiled library: " +
                                       library.getError().message());
  std::string trailer = makeTrailer((*library)->getBuffer(), *digest);
  library->reset();
  std::error_code error;
  llvm::raw_fd_ostream stream(*temporary, error, llvm::sys::fs::OF_Append);
  if (!error) {
    stream << trailer;
    stream.close();
    error = stream.error();
  }
  if (error)
    return llvm::createStringError(error, "cannot write the cache entry '" +
                                              path + "': " + error.message());
  return outputs.commit();
}

void CompileCache::remove(llvm::StringRef key) const {
  llvm::sys::fs::remove(entryPath(key));
}

} // namespace kiln::driver
