//===- cuda/RunState.h - The CUDA run of the current thread ---------------===//
//
// The mgpu* calls of a compiled module carry no context of their own: they
// find the run they belong to (its stream, its first error, the device blocks
// it allocated) in a thread-local that Run.cpp sets around the entry call.
// Errors outside any run go to a per-thread slot instead, so that no call
// ever has to crash or abort.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CUDA_RUNSTATE_H
#define KILN_RUNTIME_SRC_CUDA_RUNSTATE_H

#include "cuda/Driver.h"
#include "internal.h"

#include <string>
#include <unordered_set>

namespace kiln::internal::cuda {

/// One run of a CUDA function on this thread.
struct CudaRun {
  const Driver *driver = nullptr;
  CUstream stream = nullptr;
  /// The session's memory pool, which every block of the run comes from;
  /// NULL outside a session (or without pools): the device's default pool.
  CUmemoryPool pool = nullptr;
  /// The first error recorded during the run (KILN_OK: none).
  kiln_status_code errorCode = KILN_OK;
  std::string error;
  /// Blocks the module allocated with mgpuMemAlloc() and has not freed: its
  /// outputs with a run-time size, and anything an early exit left behind.
  std::unordered_set<CUdeviceptr> blocks;
};

/// The run of this thread, or NULL outside a run.
CudaRun *currentRun();

/// Makes `run` the current run of this thread for its lifetime. Runs do not
/// nest, but the previous one is restored anyway.
class ActiveCudaRun {
public:
  explicit ActiveCudaRun(CudaRun &run);
  ~ActiveCudaRun();
  ActiveCudaRun(const ActiveCudaRun &) = delete;
  ActiveCudaRun &operator=(const ActiveCudaRun &) = delete;

private:
  CudaRun *previous;
};

/// Records `message` as the current run's error (or, outside a run, the
/// thread's), unless an earlier error is already there. Never throws.
void recordError(kiln_status_code code, const std::string &message);

/// Records "<what> failed: <result>" when `result` is an error; returns
/// whether it was one.
bool recordFailure(CUresult result, const char *what);

/// The current run when driver calls may proceed: there is one and it has
/// not failed. Otherwise records why (when nothing was recorded yet) in the
/// name of `caller` and returns NULL.
CudaRun *runForCall(const char *caller);

/// Takes the thread's error recorded outside runs (NULL when none).
kiln_status *takeThreadError();

/// Allocates `bytes` (> 0) of device memory ordered on `stream`, from `pool`
/// when it is not NULL (managed memory when `managed`); 0 on failure, with
/// `result` set.
CUdeviceptr allocateDevice(const Driver &driver, size_t bytes, CUstream stream,
                           CUmemoryPool pool, bool managed, CUresult &result);

/// Why allocating `bytes` of device memory failed with `result`: "out of
/// device memory allocating N bytes (CUDA_ERROR_OUT_OF_MEMORY ...)", or the
/// driver's error.
std::string describeAllocationFailure(uint64_t bytes, CUresult result);

/// The status code of a failed allocation.
inline kiln_status_code allocationFailureCode(CUresult result) {
  return result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_OUT_OF_MEMORY
                                            : KILN_INTERNAL;
}

/// Frees a block of allocateDevice(), ordered on `stream`; 0 is ignored.
void freeDevice(const Driver &driver, CUdeviceptr block, CUstream stream);

} // namespace kiln::internal::cuda

#endif // KILN_RUNTIME_SRC_CUDA_RUNSTATE_H
