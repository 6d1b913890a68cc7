//===- cuda/RunState.cpp - The CUDA run of the current thread -------------===//
//
// The thread-local current run, error recording, and device allocation (one
// allocation scheme for the whole process, so that every block is freed the
// way it was allocated).
//
//===----------------------------------------------------------------------===//

#include "cuda/RunState.h"

#include <atomic>
#include <mutex>

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

thread_local CudaRun *activeRun = nullptr;

/// An error recorded outside any run on this thread.
struct ThreadError {
  kiln_status_code code = KILN_OK;
  std::string message;
};
thread_local ThreadError threadError;

/// Managed blocks (mgpuMemAlloc with isHostShared), which cuMemFreeAsync
/// does not take: they are freed with cuMemFree. Rare, so a locked set.
/// `managedCount` lets every other free skip the lock.
std::mutex managedMutex;
std::atomic<size_t> managedCount{0};
std::unordered_set<CUdeviceptr> *managedBlocks() {
  // Never destroyed, like the driver state: frees may come during exit.
  static auto *blocks = new std::unordered_set<CUdeviceptr>;
  return blocks;
}

} // namespace

CudaRun *kiln::internal::cuda::currentRun() { return activeRun; }

ActiveCudaRun::ActiveCudaRun(CudaRun &run) : previous(activeRun) {
  activeRun = &run;
}

ActiveCudaRun::~ActiveCudaRun() { activeRun = previous; }

void kiln::internal::cuda::recordError(kiln_status_code code,
                                       const std::string &message) {
  try {
    if (CudaRun *run = activeRun) {
      if (run->errorCode == KILN_OK) {
        run->errorCode = code;
        run->error = message;
      }
    } else if (threadError.code == KILN_OK) {
      threadError.code = code;
      threadError.message = message;
    }
  } catch (...) {
    // Out of memory for the message: keep the code, the status says the rest.
    if (activeRun && activeRun->errorCode == KILN_OK)
      activeRun->errorCode = KILN_OUT_OF_MEMORY;
    else if (!activeRun && threadError.code == KILN_OK)
      threadError.code = KILN_OUT_OF_MEMORY;
  }
}

bool kiln::internal::cuda::recordFailure(CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return false;
  recordError(result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_OUT_OF_MEMORY
                                                 : KILN_INTERNAL,
              std::string(what) + " failed: " + describeResult(result));
  return true;
}

CudaRun *kiln::internal::cuda::runForCall(const char *caller) {
  CudaRun *run = activeRun;
  if (run && run->errorCode == KILN_OK)
    return run;
  // A run that failed already has its error; later calls are skipped.
  if (!run)
    recordError(KILN_INVALID_ARGUMENT,
                std::string(caller) +
                    " was called outside a run of a CUDA function; it only "
                    "works while kiln_function_run() or kiln_session_run() "
                    "runs one");
  return nullptr;
}

kiln_status *kiln::internal::cuda::takeThreadError() {
  if (threadError.code == KILN_OK)
    return nullptr;
  kiln_status *status = threadError.message.empty()
                            ? outOfMemoryStatus()
                            : makeStatus(threadError.code, threadError.message);
  threadError = ThreadError();
  return status;
}

CUdeviceptr kiln::internal::cuda::allocateDevice(const Driver &driver,
                                                 size_t bytes, CUstream stream,
                                                 CUmemoryPool pool,
                                                 bool managed,
                                                 CUresult &result) {
  CUdeviceptr block = 0;
  if (managed) {
    result = driver.memAllocManaged(&block, bytes, CU_MEM_ATTACH_GLOBAL);
    if (result != CUDA_SUCCESS)
      return 0;
    try {
      std::lock_guard<std::mutex> lock(managedMutex);
      managedBlocks()->insert(block);
      ++managedCount;
    } catch (...) {
      driver.memFree(block);
      result = CUDA_ERROR_OUT_OF_MEMORY;
      return 0;
    }
  } else if (pool) {
    result = driver.memAllocFromPoolAsync(&block, bytes, pool, stream);
  } else if (driver.streamOrderedAllocation) {
    result = driver.memAllocAsync(&block, bytes, stream);
  } else {
    result = driver.memAlloc(&block, bytes);
  }
  return result == CUDA_SUCCESS ? block : 0;
}

std::string kiln::internal::cuda::describeAllocationFailure(uint64_t bytes,
                                                            CUresult result) {
  if (result == CUDA_ERROR_OUT_OF_MEMORY)
    return "out of device memory allocating " + std::to_string(bytes) +
           " bytes (" + describeResult(result) + ")";
  return "allocating " + std::to_string(bytes) +
         " bytes of device memory failed: " + describeResult(result);
}

void kiln::internal::cuda::freeDevice(const Driver &driver, CUdeviceptr block,
                                      CUstream stream) {
  if (!block)
    return;
  if (managedCount.load(std::memory_order_acquire) > 0) {
    std::lock_guard<std::mutex> lock(managedMutex);
    if (managedBlocks()->erase(block)) {
      --managedCount;
      // cuMemFree waits for work using the block, so this is still safe.
      driver.memFree(block);
      return;
    }
  }
  if (driver.streamOrderedAllocation)
    driver.memFreeAsync(block, stream);
  else
    driver.memFree(block);
}
