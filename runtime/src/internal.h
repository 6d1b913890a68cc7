//===- internal.h - Private types shared by the runtime's sources ---------===//
//
// The definitions behind the opaque handles of kiln/runtime.h, plus the few
// helpers (status construction, size arithmetic) that several sources need.
// Nothing here is exported from libkiln_runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_INTERNAL_H
#define KILN_RUNTIME_SRC_INTERNAL_H

#include "kiln/module_abi.h"
#include "kiln/runtime.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// Memref descriptors are built as arrays of 64-bit words, with pointers stored
// in word-sized slots; that layout only matches MLIR's on 64-bit targets.
static_assert(sizeof(void *) == sizeof(int64_t),
              "the Kiln runtime assumes 64-bit pointers");

/// An error: a code and a message. Always heap-allocated by makeStatus(),
/// except for the shared out-of-memory status (see outOfMemoryStatus()).
struct kiln_status {
  kiln_status_code code;
  std::string message;
};

/// A dense row-major tensor. The shape lives inline so that creating a tensor
/// costs one allocation for the object and one for the data.
struct kiln_tensor {
  kiln_dtype dtype;
  size_t rank;
  int64_t shape[KILN_ABI_MAX_RANK];
  int64_t elementCount;
  size_t byteSize;
  void *data;
  bool ownsData;
  /// What kiln_tensor_free() releases with free() when ownsData: `data` for
  /// tensors the runtime allocated, the module's allocation for outputs a
  /// compiled function allocated (whose data may start after it).
  void *allocation;
  /// Whether `allocation` came from the runtime's heap (freeModuleBuffer())
  /// rather than malloc.
  bool allocationOnKilnHeap = false;
  /// Whether `data` is CUDA device memory (kiln_tensor_create_on_device()):
  /// it is then owned, never read on the host, and freed with the driver.
  bool onDevice = false;
};

/// One input or output of a function, copied from a validated ABI table.
/// `name` and `dims` point into the table, which outlives the module.
struct ValueSignature {
  const char *name;
  kiln_dtype dtype;
  size_t rank;
  const int64_t *dims;
  /// True when every dimension is fixed, i.e. the runtime can allocate it.
  /// An output that is not static is allocated by the compiled function.
  bool isStatic;
  /// For a static signature whose size computeTensorSize() accepts: its byte
  /// size; otherwise SIZE_MAX.
  size_t byteSize;
};

/// One function of a module. Immutable once the module is built, which is
/// what makes concurrent kiln_function_run() calls safe.
struct kiln_function {
  const char *name;
  kiln_abi_entry_fn entry;
  std::vector<ValueSignature> inputs;
  std::vector<ValueSignature> outputs;
  /// The number of 64-bit words all memref descriptors of one call take.
  size_t descriptorWords;
  /// One more than the largest symbol id in the inputs' dims (0 if none).
  size_t numSymbols = 0;
  /// Messages of the function's run-time checks; entry result k is errors[k-1].
  const char *const *errors = nullptr;
  size_t numErrors = 0;
  /// The module's arena size, which each session of this function allocates.
  size_t arenaSize = 0;
  /// Whether the compiled code allocates from the runtime's heap
  /// (allocator.cpp: modules with an info table of version 2 or later) rather
  /// than with malloc, which decides how outputs it allocates are freed.
  bool usesKilnHeap = false;
  /// KILN_TARGET_CUDA when the entry keeps its tensors in device memory:
  /// runs then go through cuda::runEntry().
  uint32_t target = KILN_TARGET_CPU;
};

/// A loaded module. Owns either a dlopen handle or an (owner, release) pair
/// that keeps the ABI table alive.
struct kiln_module {
  const char *producer;
  std::vector<kiln_function> functions;
  std::unordered_map<std::string_view, size_t> functionIndex;
  void *libraryHandle = nullptr;
  void *owner = nullptr;
  void (*release)(void *owner) = nullptr;
  /// From the module's info table (0 without one).
  size_t arenaSize = 0;
  /// The largest arena the compiler planned for a function (info version 4;
  /// 0 without one).
  size_t plannedArenaSize = 0;
  /// True when the weights were read from a separate file.
  bool externalWeights = false;
  /// The library kernels the module calls, prepared while it is loaded.
  const kiln_abi_kernel *kernels = nullptr;
  int32_t numKernels = 0;
  /// From the info table (version 3): KILN_TARGET_* and the GPU architecture
  /// (NULL for the CPU), which points into the table.
  uint32_t target = KILN_TARGET_CPU;
  const char *targetArch = nullptr;
  /// A CUDA module counts as a user of the device copies of the constants of
  /// the object its tables live in (cuda::retainConstants()).
  bool holdsConstants = false;
  const void *constantsKey = nullptr;
};

/// What a session keeps for the runs of a CUDA function, created by its
/// first run and released by kiln_session_free() (cuda::releaseSession()).
struct CudaSessionState {
  /// The CUstream all of the session's runs are ordered on.
  void *stream = nullptr;
  /// The session's CUmemoryPool, from which its runs allocate every device
  /// block; NULL where the driver or device has no memory pools (runs then
  /// allocate as runs outside sessions do).
  void *pool = nullptr;
  /// Whether creating the pool was tried (it is tried once).
  bool poolTried = false;
};

/// A function plus per-session settings and state. Used by one thread at a
/// time; `running` turns a concurrent second use into an error.
struct kiln_session {
  const kiln_function *function;
  int32_t numThreads;
  size_t arenaSize;
  void *arena;
  std::atomic<bool> running{false};
  /// The CUDA stream and memory pool of a CUDA function's runs.
  CudaSessionState cuda;
};

namespace kiln::internal {

/// Upper bounds the runtime accepts in an ABI table; anything larger is taken
/// to be a corrupt table rather than a real module.
constexpr int32_t kMaxFunctions = 1 << 20;
constexpr int32_t kMaxValuesPerFunction = 1 << 16;

/// Returns true when `dtype` is one of the kiln_dtype enumerators.
bool isValidDtype(int64_t dtype);

/// The status returned when even an error message cannot be allocated. It is
/// a shared immutable object; kiln_status_free() knows not to delete it.
kiln_status *outOfMemoryStatus() noexcept;

/// Creates a status with `code` and `message`. Never throws: if allocation
/// fails it returns outOfMemoryStatus().
kiln_status *makeStatus(kiln_status_code code, std::string_view message);

/// Creates a status whose message is the concatenation of `parts`, each
/// written with operator<<. Never throws.
template <typename... Parts>
kiln_status *makeError(kiln_status_code code, const Parts &...parts) {
  try {
    std::ostringstream message;
    (message << ... << parts);
    return makeStatus(code, message.str());
  } catch (...) {
    return outOfMemoryStatus();
  }
}

/// Formats `rank` dimensions as "[2, 3]", writing -1 (dynamic) as "?".
std::string formatDims(const int64_t *dims, size_t rank);

/// Checks a tensor shape and computes its element count and byte size with
/// overflow checks. Returns NULL on success.
kiln_status *computeTensorSize(kiln_dtype dtype, size_t rank,
                               const int64_t *shape, int64_t &elementCount,
                               size_t &byteSize);

/// The symbol of a dynamic dim (`dim` < 0).
inline size_t symbolOf(int64_t dim) { return static_cast<size_t>(-(dim + 1)); }

/// Frees a buffer that compiled code allocated from the runtime's heap
/// (allocator.cpp).
void freeModuleBuffer(void *pointer);

/// What the memref descriptor of an output that a compiled function allocated
/// describes, once checked: dense row-major data of `byteSize` bytes at
/// `data`, in the block at `allocated`.
struct ModuleBufferView {
  void *allocated = nullptr;
  void *data = nullptr;
  const int64_t *sizes = nullptr;
  int64_t elementCount = 0;
  size_t byteSize = 0;
};

/// Checks the descriptor `words` (allocated, aligned, offset, sizes, strides)
/// of an output a compiled function allocated: sizes of a representable
/// tensor, dense row-major strides, and data unless it is empty. Sets
/// `view.allocated` even on failure, so that the caller can free the block.
kiln_status *viewModuleBuffer(kiln_dtype dtype, size_t rank,
                              const int64_t *words, ModuleBufferView &view);

/// Wraps a buffer a compiled function allocated for an output, described by
/// its memref descriptor `words` (allocated, aligned, offset, sizes, strides),
/// as a tensor that owns it. Fails when the descriptor is not dense row-major
/// data of a representable size; the buffer is then freed.
kiln_status *adoptModuleBuffer(kiln_dtype dtype, size_t rank,
                               const int64_t *words, bool onKilnHeap,
                               kiln_tensor **out);

/// The empty string that owned string tensors hold in elements without a
/// string of their own (kiln_tensor_create() fills them with it). It is never
/// freed; every other element of an owned string tensor is a malloc'd copy.
extern const char kEmptyString[1];

/// Frees the strings an owned string tensor holds and points every element at
/// kEmptyString. Does nothing for other tensors.
void releaseStrings(kiln_tensor &tensor);

/// Replaces every element of `strings` (`count` entries, NULL read as "") by
/// a malloc'd copy, all or nothing: on failure every element is kEmptyString
/// and no copy is left behind.
kiln_status *copyStrings(const char **strings, int64_t count);

/// Checks that every element of a string buffer is a string (not NULL);
/// `what` names the value in the message.
kiln_status *checkStringElements(const char *const *strings, int64_t count,
                                 const std::string &what);

/// The strings compiled code created during one run and the first error a
/// string helper recorded. While an ActiveStringRun exists, the helpers of
/// kiln/string_abi.h on its thread allocate into it.
struct StringRun {
  std::vector<char *> strings;
  kiln_status_code errorCode = KILN_OK;
  std::string error;
};

/// Makes `run` the current run of this thread for its lifetime, then frees
/// every string created in it. Runs do not nest, but the previous run is
/// restored anyway so that a misuse cannot leave a dangling pointer behind.
class ActiveStringRun {
public:
  ActiveStringRun();
  ~ActiveStringRun();
  ActiveStringRun(const ActiveStringRun &) = delete;
  ActiveStringRun &operator=(const ActiveStringRun &) = delete;

  /// The first error a helper recorded, as a status of the function named
  /// `function`; NULL when there was none.
  kiln_status *takeError(const char *function);

private:
  StringRun run;
  StringRun *previous;
};

/// Writes the memref descriptor of dense row-major data of `rank` dimensions
/// `shape` at `words` and returns the first word after it.
int64_t *writeDescriptor(int64_t *words, const void *data, size_t rank,
                         const int64_t *shape);

/// Calls the entry point of `function` and turns a non-zero result (a failed
/// run-time check) into a status.
kiln_status *invokeEntry(const kiln_function &function, void **descriptors);

/// kiln_function_run() for a run in `session` (NULL: none).
kiln_status *runFunction(const kiln_function *function, kiln_session *session,
                         const kiln_tensor *const *inputs, size_t numInputs,
                         kiln_tensor **outputs, size_t numOutputs);

/// Validates every field of an ABI table before the runtime trusts it.
/// `origin` names the table's source in messages (e.g. the library path).
kiln_status *validateModuleTable(const kiln_abi_module *abi,
                                 std::string_view origin);

/// Builds a module from a table that validateModuleTable() accepted. The
/// caller sets the ownership fields afterwards.
kiln_module *buildModule(const kiln_abi_module &abi);

/// Validates an optional module info table (NULL is valid: no info). Does not
/// look at the weights file; see loadWeights().
kiln_status *validateModuleInfo(const kiln_abi_module_info *info,
                                std::string_view origin);

/// Reads the weights file that `weights` names from `directory`, checks its
/// size and hash, and fills the module's globals (once per mapped library).
kiln_status *loadWeights(const kiln_abi_weights &weights,
                         const std::string &directory, std::string_view origin);

/// The 64-bit FNV-1a hash of `size` bytes, continuing from `hash`.
uint64_t fnv1a64(const void *data, size_t size,
                 uint64_t hash = 0xcbf29ce484222325ull);

} // namespace kiln::internal

#endif // KILN_RUNTIME_SRC_INTERNAL_H
