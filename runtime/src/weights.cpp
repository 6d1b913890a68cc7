//===- weights.cpp - Module info tables and separate weights files --------===//
//
// A module compiled with `--weights=file` keeps its constant tensors in a file
// next to the library. Its globals start zeroed; loading the module reads the
// file, checks its size and hash against what the compiler recorded, and
// copies each segment into place. Nothing in the file is trusted before both
// checks pass, and every segment is bounds-checked against the file.
//
//===----------------------------------------------------------------------===//

#include "internal.h"
#include "onednn/kernels.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln::internal;

namespace {

/// Arena sizes above this are taken to be a corrupt table.
constexpr uint64_t kMaxArenaSize = uint64_t(1) << 48;
/// Segment counts above this are taken to be a corrupt table.
constexpr int32_t kMaxSegments = 1 << 24;

kiln_status *validateWeights(const kiln_abi_weights &weights,
                             std::string_view origin) {
  if (weights.magic != KILN_WEIGHTS_MAGIC ||
      weights.version != KILN_WEIGHTS_VERSION)
    return makeError(KILN_INVALID_MODULE, origin,
                     "the weights table has magic ", weights.magic,
                     " and version ", weights.version, " (expected ",
                     KILN_WEIGHTS_MAGIC, " and ", KILN_WEIGHTS_VERSION, ")");
  const char *name = weights.file_name;
  // The file must be next to the module: a plain name, never a path.
  if (!name || !*name || std::strchr(name, '/') ||
      std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
    return makeError(KILN_INVALID_MODULE, origin, "the weights file name '",
                     name ? name : "(null)", "' is not a plain file name");
  if (weights.num_segments < 0 || weights.num_segments > kMaxSegments ||
      (weights.num_segments > 0 && !weights.segments) || !weights.state)
    return makeError(KILN_INVALID_MODULE, origin, "the weights table has ",
                     weights.num_segments, " segments, a segment table ",
                     weights.segments ? "" : "(NULL) ", "and a state word ",
                     weights.state ? "" : "(NULL) ", "that do not fit");
  for (int32_t i = 0; i < weights.num_segments; ++i) {
    const kiln_abi_weight_segment &segment = weights.segments[i];
    uint64_t end;
    if (__builtin_add_overflow(segment.offset, segment.size, &end) ||
        end > weights.byte_size || (segment.size > 0 && !segment.destination))
      return makeError(KILN_INVALID_MODULE, origin, "weights segment ", i,
                       " (offset ", segment.offset, ", ", segment.size,
                       " bytes) lies outside the ", weights.byte_size,
                       "-byte weights file or has no destination");
  }
  return nullptr;
}

/// A read-only mapping of a whole file, unmapped and closed on destruction.
class MappedFile {
public:
  ~MappedFile() {
    if (data && size > 0)
      ::munmap(data, size);
    if (fd >= 0)
      ::close(fd);
  }

  kiln_status *open(const std::string &path, uint64_t expectedSize) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return makeError(errno == ENOENT ? KILN_NOT_FOUND : KILN_IO_ERROR,
                       "cannot open the weights file '", path,
                       "': ", std::strerror(errno));
    struct stat info;
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
      return makeError(KILN_IO_ERROR, "the weights file '", path,
                       "' is not a readable regular file");
    if (static_cast<uint64_t>(info.st_size) != expectedSize)
      return makeError(KILN_INVALID_MODULE, "the weights file '", path,
                       "' has ", info.st_size,
                       " bytes, but the module expects ", expectedSize,
                       ": it belongs to another build of the model");
    size = static_cast<size_t>(expectedSize);
    if (size == 0)
      return nullptr;
    data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      data = nullptr;
      return makeError(KILN_IO_ERROR, "cannot map the weights file '", path,
                       "': ", std::strerror(errno));
    }
    return nullptr;
  }

  const unsigned char *bytes() const {
    return static_cast<const unsigned char *>(data);
  }

private:
  int fd = -1;
  void *data = nullptr;
  size_t size = 0;
};

kiln_status *fillWeights(const kiln_abi_weights &weights,
                         const std::string &path) {
  MappedFile file;
  if (kiln_status *status = file.open(path, weights.byte_size))
    return status;
  uint64_t hash = fnv1a64(file.bytes(), weights.byte_size);
  if (hash != weights.fnv1a64)
    return makeError(KILN_INVALID_MODULE, "the weights file '", path,
                     "' is corrupt: its FNV-1a hash is ", hash,
                     ", the module expects ", weights.fnv1a64);
  for (int32_t i = 0; i < weights.num_segments; ++i) {
    const kiln_abi_weight_segment &segment = weights.segments[i];
    if (segment.size > 0)
      std::memcpy(segment.destination, file.bytes() + segment.offset,
                  segment.size);
  }
  return nullptr;
}

} // namespace

kiln_status *
kiln::internal::validateModuleInfo(const kiln_abi_module_info *info,
                                   std::string_view origin) {
  if (!info)
    return nullptr;
  if (info->magic != KILN_MODULE_INFO_MAGIC)
    return makeError(KILN_INVALID_MODULE, origin,
                     "the module info table has a bad magic number ",
                     info->magic);
  // Version 1 tables end before the kernel table; they are read as having no
  // kernels. Version 2 tables end before the target: they are CPU modules.
  if (info->version < 1 || info->version > KILN_MODULE_INFO_VERSION)
    return makeError(KILN_INVALID_MODULE, origin, "module info version ",
                     info->version, " is not supported (this runtime reads 1 "
                     "to ", KILN_MODULE_INFO_VERSION, "); recompile the module");
  if (info->arena_size > kMaxArenaSize)
    return makeError(KILN_INVALID_MODULE, origin, "the module asks for an ",
                     info->arena_size, "-byte arena");
  if (info->version >= 3 && info->target != KILN_TARGET_CPU &&
      info->target != KILN_TARGET_CUDA)
    return makeError(KILN_INVALID_MODULE, origin, "the module info names target ",
                     info->target, ", which this runtime does not know");
  if (info->version >= 2)
    if (kiln_status *status =
            validateKernels(info->kernels, info->num_kernels, origin))
      return status;
  return info->weights ? validateWeights(*info->weights, origin) : nullptr;
}

kiln_status *kiln::internal::loadWeights(const kiln_abi_weights &weights,
                                         const std::string &directory,
                                         std::string_view origin) {
  // A library loaded twice in one process shares its globals: fill them once.
  // The state word lives in the module, so the runtime keeps no global state.
  uint32_t *state = weights.state;
  for (;;) {
    uint32_t expected = KILN_WEIGHTS_EMPTY;
    if (__atomic_compare_exchange_n(state, &expected, KILN_WEIGHTS_FILLING,
                                    false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
      break;
    if (expected == KILN_WEIGHTS_FILLED)
      return nullptr;
    if (expected != KILN_WEIGHTS_FILLING)
      return makeError(KILN_INVALID_MODULE, origin,
                       "the weights state word holds ", expected);
    ::sched_yield(); // Another thread is filling them; wait for its result.
  }
  std::string path = directory + "/" + weights.file_name;
  kiln_status *status = fillWeights(weights, path);
  __atomic_store_n(state, status ? KILN_WEIGHTS_EMPTY : KILN_WEIGHTS_FILLED,
                   __ATOMIC_RELEASE);
  if (status && !origin.empty()) {
    kiln_status *located = makeError(kiln_status_get_code(status), origin,
                                     kiln_status_message(status));
    kiln_status_free(status);
    return located;
  }
  return status;
}
