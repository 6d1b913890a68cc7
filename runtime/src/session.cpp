//===- session.cpp - Sessions: a function with per-session settings -------===//
//
// A session is what a caller keeps per thread: the function it runs, its
// thread count and its arena. The thread count is the OpenMP thread count of
// the library kernels during its runs, and the parallelism of the generated
// loops that run through MLIR's async runtime ABI (async/AsyncRuntime.h;
// other generated code runs on the calling thread). Kiln's modules ask for no
// session arena (their runs allocate their planned arena from the runtime's
// heap), so the arena is recorded only.
// Runs of a CUDA function in a session share the session's CUDA stream and
// allocate their device memory from the session's own memory pool.
//
//===----------------------------------------------------------------------===//

#include "async/AsyncRuntime.h"
#include "cuda/Cuda.h"
#include "internal.h"
#include "onednn/kernels.h"

#include <cstddef>
#include <cstdlib>
#include <new>

using namespace kiln::internal;

namespace {

/// The most threads a session accepts.
constexpr int32_t kMaxThreads = 4096;
/// What num_threads = 0 means.
constexpr int32_t kDefaultThreads = 1;
/// Arenas are aligned like tensor storage.
constexpr size_t kArenaAlignment = 64;

/// The bytes of kiln_session_options a caller must have initialized for the
/// fields this runtime reads.
constexpr size_t kRequiredOptionsSize =
    offsetof(kiln_session_options, num_threads) + sizeof(int32_t);

kiln_status *checkOptions(const kiln_session_options &options) {
  if (options.struct_size < kRequiredOptionsSize)
    return makeError(KILN_INVALID_ARGUMENT,
                     "kiln_session_create: options.struct_size is ",
                     options.struct_size,
                     "; initialize the options with "
                     "kiln_session_options_init()");
  if (options.num_threads < 0 || options.num_threads > kMaxThreads)
    return makeError(KILN_INVALID_ARGUMENT,
                     "kiln_session_create: num_threads is ",
                     options.num_threads, ", outside [0, ", kMaxThreads,
                     "] (0 picks the default)");
  return nullptr;
}

/// Clears `running` when a run ends, however it ends.
class RunningGuard {
public:
  explicit RunningGuard(std::atomic<bool> &flag) : flag(flag) {}
  ~RunningGuard() { flag.store(false, std::memory_order_release); }

private:
  std::atomic<bool> &flag;
};

} // namespace

void kiln_session_options_init(kiln_session_options *options) {
  if (!options)
    return;
  options->struct_size = sizeof(kiln_session_options);
  options->num_threads = 0;
}

kiln_status *kiln_session_create(const kiln_function *function,
                                 const kiln_session_options *options,
                                 kiln_session **out) {
  if (!function || !out)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_session_create: `function` and `out` must not be "
                      "NULL");
  kiln_session_options defaults;
  kiln_session_options_init(&defaults);
  const kiln_session_options &settings = options ? *options : defaults;
  if (kiln_status *status = checkOptions(settings))
    return status;

  auto *session = new (std::nothrow) kiln_session;
  if (!session)
    return outOfMemoryStatus();
  session->function = function;
  session->numThreads =
      settings.num_threads == 0 ? kDefaultThreads : settings.num_threads;
  session->arenaSize = function->arenaSize;
  session->arena = nullptr;
  if (session->arenaSize > 0) {
    size_t rounded = (session->arenaSize + kArenaAlignment - 1) /
                     kArenaAlignment * kArenaAlignment;
    session->arena = std::aligned_alloc(kArenaAlignment, rounded);
    if (!session->arena) {
      delete session;
      return makeError(KILN_OUT_OF_MEMORY, "cannot allocate the ",
                       function->arenaSize, "-byte arena of function '",
                       function->name, "'");
    }
  }
  *out = session;
  return nullptr;
}

void kiln_session_free(kiln_session *session) {
  if (!session)
    return;
  std::free(session->arena);
  cuda::releaseSession(session->cuda);
  delete session;
}

const kiln_function *kiln_session_function(const kiln_session *session) {
  return session ? session->function : nullptr;
}

int32_t kiln_session_num_threads(const kiln_session *session) {
  return session ? session->numThreads : 0;
}

size_t kiln_session_arena_size(const kiln_session *session) {
  return session ? session->arenaSize : 0;
}

size_t kiln_session_device_memory_reserved(const kiln_session *session) {
  return session ? cuda::sessionReservedMemory(session->cuda) : 0;
}

kiln_status *kiln_session_run(kiln_session *session,
                              const kiln_tensor *const *inputs,
                              size_t num_inputs, kiln_tensor **outputs,
                              size_t num_outputs) {
  if (!session)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_session_run: `session` is NULL");
  if (session->running.exchange(true, std::memory_order_acquire))
    return makeError(KILN_INVALID_ARGUMENT,
                     "kiln_session_run: the session of '",
                     session->function->name,
                     "' is already running in another thread; a session is "
                     "used by one thread at a time (create one per thread)");
  RunningGuard guard(session->running);
  KernelThreadsGuard threads(session->numThreads);
  // Loops the compiler made parallel (MLIR's async runtime ABI) split their
  // work over the same number of threads.
  AsyncParallelismGuard parallelism(session->numThreads);
  // CUDA runs of the session share its stream.
  return runFunction(session->function, session, inputs, num_inputs, outputs,
                     num_outputs);
}
