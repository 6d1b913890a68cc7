//===- cuda/GpuCalls.cpp - MLIR's mgpu* calls on the CUDA driver ----------===//
//
// The functions that code lowered by MLIR's `gpu-to-llvm` calls (the same
// names and signatures as MLIR's CudaRuntimeWrappers.cpp), implemented for
// Kiln's runs: every call that touches the device uses the current run's
// stream and records its failure in the run instead of aborting, and after
// the first failure the calls of that run do nothing.
//
//===----------------------------------------------------------------------===//

#include "cuda/RunState.h"
#include "kiln/kernel_abi.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

/// Bytes of the JIT's error log kept for messages.
constexpr size_t kLogBytes = 4096;

/// What mgpuModuleGetFunction() returns: the kernel and its name, for
/// messages about its launch.
struct Kernel {
  CUfunction function = nullptr;
  std::string name;
};

/// What mgpuModuleLoad() returns: the image, loaded into the driver on first
/// use. The module's global constructor runs at dlopen, before any driver
/// exists (or on a machine without one), so loading waits for a run.
struct GpuModule {
  const void *image = nullptr;
  /// A NUL-terminated copy when the image is PTX text without its NUL.
  std::string text;
  bool jit = false;
  int optLevel = 0;

  std::mutex mutex;
  bool tried = false;
  CUmodule module = nullptr;
  /// Why the image failed to load (empty: loaded or not tried).
  std::string loadError;
  std::unordered_map<std::string, std::unique_ptr<Kernel>> kernels;
};

/// True when `image` starts like a binary the driver reads (an ELF cubin or
/// a fatbin) rather than PTX text.
bool isBinaryImage(const void *image, size_t size) {
  const auto *bytes = static_cast<const unsigned char *>(image);
  const unsigned char elf[4] = {0x7f, 'E', 'L', 'F'};
  const unsigned char fatbin[4] = {0x50, 0xed, 0x55, 0xba};
  return size >= 4 && (std::memcmp(bytes, elf, 4) == 0 ||
                       std::memcmp(bytes, fatbin, 4) == 0);
}

/// The run's stream for a call that passed `stream` (NULL: the default
/// stream, which would not be ordered with the run's work).
CUstream streamOf(const CudaRun &run, void *stream) {
  return stream ? static_cast<CUstream>(stream) : run.stream;
}

/// Loads the image into the current context; called with the mutex held.
void loadImage(const Driver &driver, GpuModule &module) {
  module.tried = true;
  char log[kLogBytes] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log) - 1)),
                    reinterpret_cast<void *>(uintptr_t(module.optLevel))};
  unsigned count = module.jit ? 3 : 2;
  const void *image = module.text.empty() ? module.image : module.text.data();
  CUresult result =
      driver.moduleLoadDataEx(&module.module, image, count, options, values);
  if (result == CUDA_SUCCESS)
    return;
  module.module = nullptr;
  module.loadError =
      "cannot load the module's GPU code: " + describeResult(result);
  if (log[0])
    module.loadError += std::string(": ") + log;
}

/// The kernel `name` of `module`, loading the image first if needed; NULL
/// (with an error recorded) when there is none.
Kernel *findKernel(const CudaRun &run, GpuModule &module, const char *name) {
  std::lock_guard<std::mutex> lock(module.mutex);
  if (!module.tried)
    loadImage(*run.driver, module);
  if (!module.module) {
    recordError(KILN_INTERNAL, module.loadError);
    return nullptr;
  }
  auto found = module.kernels.find(name);
  if (found != module.kernels.end())
    return found->second.get();
  auto kernel = std::make_unique<Kernel>();
  kernel->name = name;
  if (CUresult result = run.driver->moduleGetFunction(&kernel->function,
                                                      module.module, name)) {
    recordError(KILN_INTERNAL, "the module's GPU code has no kernel '" +
                                   std::string(name) +
                                   "': " + describeResult(result));
    return nullptr;
  }
  return module.kernels.emplace(name, std::move(kernel)).first->second.get();
}

/// Checks one launch dimension: 1 to UINT_MAX.
bool validDimension(intptr_t value) {
  return value >= 1 && static_cast<uintmax_t>(value) <= UINT_MAX;
}

} // namespace

void *mgpuModuleLoad(void *data, size_t gpuBlobSize) try {
  auto module = std::make_unique<GpuModule>();
  module->image = data;
  // PTX handed over as a sized blob needs its NUL for the driver.
  if (data && gpuBlobSize > 0 && !isBinaryImage(data, gpuBlobSize) &&
      static_cast<const char *>(data)[gpuBlobSize - 1] != '\0')
    module->text.assign(static_cast<const char *>(data), gpuBlobSize);
  return module.release();
} catch (...) {
  return nullptr;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) try {
  auto module = std::make_unique<GpuModule>();
  module->image = data;
  module->jit = true;
  module->optLevel = optLevel < 0 ? 0 : optLevel > 4 ? 4 : optLevel;
  return module.release();
} catch (...) {
  return nullptr;
}

void mgpuModuleUnload(void *handle) {
  std::unique_ptr<GpuModule> module(static_cast<GpuModule *>(handle));
  if (!module || !module->module)
    return;
  // Loaded, so the driver is up: unload from its context (the result is
  // ignored: at process exit the driver may already be shutting down).
  if (const Driver *driver = kiln::internal::cuda::driver()) {
    ContextScope context(*driver);
    driver->moduleUnload(module->module);
  }
}

void *mgpuModuleGetFunction(void *handle, const char *name) try {
  CudaRun *run = runForCall("mgpuModuleGetFunction");
  if (!run)
    return nullptr;
  if (!handle || !name) {
    recordError(KILN_INTERNAL, "mgpuModuleGetFunction: the GPU module or the "
                               "kernel name is NULL (a module whose GPU code "
                               "could not be recorded when it was loaded)");
    return nullptr;
  }
  return findKernel(*run, *static_cast<GpuModule *>(handle), name);
} catch (...) {
  recordError(KILN_OUT_OF_MEMORY, "out of memory looking up a CUDA kernel");
  return nullptr;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t) try {
  CudaRun *run = runForCall("mgpuLaunchKernel");
  if (!run)
    return;
  auto *kernel = static_cast<Kernel *>(function);
  if (!kernel) {
    recordError(KILN_INTERNAL, "mgpuLaunchKernel: no kernel to launch (its "
                               "lookup failed)");
    return;
  }
  if (!validDimension(gridX) || !validDimension(gridY) ||
      !validDimension(gridZ) || !validDimension(blockX) ||
      !validDimension(blockY) || !validDimension(blockZ) || smem < 0) {
    recordError(KILN_INTERNAL,
                "CUDA kernel '" + kernel->name + "' launch with grid " +
                    std::to_string(gridX) + "x" + std::to_string(gridY) + "x" +
                    std::to_string(gridZ) + ", blocks " +
                    std::to_string(blockX) + "x" + std::to_string(blockY) +
                    "x" + std::to_string(blockZ) + " and " +
                    std::to_string(smem) +
                    " bytes of shared memory is "
                    "invalid");
    return;
  }
  CUresult result = run->driver->launchKernel(
      kernel->function, unsigned(gridX), unsigned(gridY), unsigned(gridZ),
      unsigned(blockX), unsigned(blockY), unsigned(blockZ), unsigned(smem),
      streamOf(*run, stream), params, extra);
  if (result != CUDA_SUCCESS)
    recordFailure(result,
                  ("CUDA kernel '" + kernel->name + "' launch").c_str());
} catch (...) {
  recordError(KILN_OUT_OF_MEMORY, "out of memory launching a CUDA kernel");
}

void *mgpuStreamCreate(void) {
  CudaRun *run = runForCall("mgpuStreamCreate");
  return run ? run->stream : nullptr;
}

void mgpuStreamDestroy(void *) {
  // mgpuStreamCreate() only hands out the run's stream, which belongs to the
  // session or thread: there is nothing to destroy.
}

/// Whether KILN_CUDA_SYNCHRONIZE=1 asks for every synchronization of a run's
/// stream to happen (so that a failing kernel is reported by the next sync
/// after it rather than at the end of the run).
bool synchronizeEveryTime() {
  static const bool enabled = [] {
    const char *value = std::getenv("KILN_CUDA_SYNCHRONIZE");
    return value && std::strcmp(value, "1") == 0;
  }();
  return enabled;
}

void mgpuStreamSynchronize(void *stream) {
  CudaRun *run = runForCall("mgpuStreamSynchronize");
  if (!run)
    return;
  // gpu-async-region synchronizes before every host call (a cuDNN or cuBLAS
  // kernel, a check of a status code). Kiln's host code never reads device
  // memory, the library kernels run on the run's stream too, and the run
  // synchronizes once before copying outputs back: waiting here would only
  // stall the host between kernels.
  CUstream target = streamOf(*run, stream);
  if (target == run->stream && !synchronizeEveryTime())
    return;
  recordFailure(run->driver->streamSynchronize(target),
                "CUDA stream synchronization");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  CudaRun *run = runForCall("mgpuStreamWaitEvent");
  if (!run)
    return;
  if (!event) {
    recordError(KILN_INTERNAL, "mgpuStreamWaitEvent: the event is NULL");
    return;
  }
  recordFailure(run->driver->streamWaitEvent(streamOf(*run, stream),
                                             static_cast<CUevent>(event), 0),
                "waiting for a CUDA event");
}

void *mgpuEventCreate(void) {
  CudaRun *run = runForCall("mgpuEventCreate");
  if (!run)
    return nullptr;
  CUevent event = nullptr;
  if (recordFailure(run->driver->eventCreate(&event, CU_EVENT_DISABLE_TIMING),
                    "creating a CUDA event"))
    return nullptr;
  return event;
}

void mgpuEventDestroy(void *event) {
  // Also after a failure in the run, so that events do not leak. An event
  // exists only if the driver was loaded.
  if (!event)
    return;
  if (const Driver *driver = kiln::internal::cuda::driver())
    driver->eventDestroy(static_cast<CUevent>(event));
}

void mgpuEventSynchronize(void *event) {
  CudaRun *run = runForCall("mgpuEventSynchronize");
  if (!run)
    return;
  if (!event) {
    recordError(KILN_INTERNAL, "mgpuEventSynchronize: the event is NULL");
    return;
  }
  recordFailure(run->driver->eventSynchronize(static_cast<CUevent>(event)),
                "waiting for a CUDA event");
}

void mgpuEventRecord(void *event, void *stream) {
  CudaRun *run = runForCall("mgpuEventRecord");
  if (!run)
    return;
  if (!event) {
    recordError(KILN_INTERNAL, "mgpuEventRecord: the event is NULL");
    return;
  }
  recordFailure(run->driver->eventRecord(static_cast<CUevent>(event),
                                         streamOf(*run, stream)),
                "recording a CUDA event");
}

void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) try {
  // As MLIR's wrappers: nothing to allocate is NULL, which is not an error.
  if (sizeBytes == 0)
    return nullptr;
  CudaRun *run = runForCall("mgpuMemAlloc");
  if (!run)
    return nullptr;
  CUresult result = CUDA_ERROR_OUT_OF_MEMORY;
  CUdeviceptr block =
      sizeBytes > SIZE_MAX
          ? 0
          : allocateDevice(*run->driver, static_cast<size_t>(sizeBytes),
                           streamOf(*run, stream), run->pool, isHostShared,
                           result);
  if (!block) {
    recordError(allocationFailureCode(result),
                describeAllocationFailure(sizeBytes, result));
    return nullptr;
  }
  try {
    run->blocks.insert(block);
  } catch (...) {
    freeDevice(*run->driver, block, streamOf(*run, stream));
    throw;
  }
  return reinterpret_cast<void *>(block);
} catch (...) {
  recordError(KILN_OUT_OF_MEMORY, "out of memory allocating device memory");
  return nullptr;
}

void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  // Also after a failure in the run: the block is the run's either way.
  CudaRun *run = currentRun();
  auto block = reinterpret_cast<CUdeviceptr>(ptr);
  if (!run || run->blocks.erase(block) == 0) {
    recordError(KILN_INTERNAL, "mgpuMemFree: " +
                                   std::string(run ? "the block was not "
                                                     "allocated in this run"
                                                   : "called outside a run") +
                                   "; it is not freed");
    return;
  }
  freeDevice(*run->driver, block, streamOf(*run, stream));
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  CudaRun *run = runForCall("mgpuMemcpy");
  if (!run || sizeBytes == 0)
    return;
  if (!dst || !src) {
    recordError(KILN_INTERNAL, "mgpuMemcpy: copying " +
                                   std::to_string(sizeBytes) +
                                   " bytes from or to NULL");
    return;
  }
  CUresult result = run->driver->memcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                             reinterpret_cast<CUdeviceptr>(src),
                                             sizeBytes, streamOf(*run, stream));
  if (result != CUDA_SUCCESS)
    recordFailure(result, ("copying " + std::to_string(sizeBytes) +
                           " bytes of device memory")
                              .c_str());
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  CudaRun *run = runForCall("mgpuMemset32");
  if (!run || count == 0)
    return;
  if (!dst) {
    recordError(KILN_INTERNAL, "mgpuMemset32: the destination is NULL");
    return;
  }
  recordFailure(run->driver->memsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                            value, count,
                                            streamOf(*run, stream)),
                "setting device memory");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  CudaRun *run = runForCall("mgpuMemset16");
  if (!run || count == 0)
    return;
  if (!dst) {
    recordError(KILN_INTERNAL, "mgpuMemset16: the destination is NULL");
    return;
  }
  recordFailure(run->driver->memsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                            value, count,
                                            streamOf(*run, stream)),
                "setting device memory");
}
