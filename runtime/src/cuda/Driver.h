//===- cuda/Driver.h - The CUDA driver, loaded with dlopen ----------------===//
//
// libkiln_runtime never links libcuda: a machine without an NVIDIA driver must
// still load the runtime and run CPU modules. The driver is opened with dlopen
// on first use, once per process, and its entry points are resolved by the
// names cuda.h maps the API to (cuMemAlloc is cuMemAlloc_v2, ...), with the
// toolkit's PFN_ types. Only headers of the toolkit are used.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CUDA_DRIVER_H
#define KILN_RUNTIME_SRC_CUDA_DRIVER_H

#include <cuda.h>
#include <cudaTypedefs.h>

#include <string>

namespace kiln::internal::cuda {

/// The driver entry points the runtime uses: X(field, symbol, PFN type,
/// required). The symbols are the ones cuda.h's #defines select without
/// per-thread default streams. A missing optional one is left NULL.
#define KILN_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(init, "cuInit", PFN_cuInit_v2000, true)                                    \
  X(getErrorName, "cuGetErrorName", PFN_cuGetErrorName_v6000, false)           \
  X(getErrorString, "cuGetErrorString", PFN_cuGetErrorString_v6000, false)     \
  X(deviceGetCount, "cuDeviceGetCount", PFN_cuDeviceGetCount_v2000, true)      \
  X(deviceGet, "cuDeviceGet", PFN_cuDeviceGet_v2000, true)                     \
  X(deviceGetAttribute, "cuDeviceGetAttribute",                                \
    PFN_cuDeviceGetAttribute_v2000, true)                                      \
  X(deviceGetName, "cuDeviceGetName", PFN_cuDeviceGetName_v2000, true)         \
  X(primaryCtxRetain, "cuDevicePrimaryCtxRetain",                              \
    PFN_cuDevicePrimaryCtxRetain_v7000, true)                                  \
  X(ctxGetCurrent, "cuCtxGetCurrent", PFN_cuCtxGetCurrent_v4000, true)         \
  X(ctxSetCurrent, "cuCtxSetCurrent", PFN_cuCtxSetCurrent_v4000, true)         \
  X(moduleLoadDataEx, "cuModuleLoadDataEx", PFN_cuModuleLoadDataEx_v2010,      \
    true)                                                                      \
  X(moduleUnload, "cuModuleUnload", PFN_cuModuleUnload_v2000, true)            \
  X(moduleGetFunction, "cuModuleGetFunction", PFN_cuModuleGetFunction_v2000,   \
    true)                                                                      \
  X(launchKernel, "cuLaunchKernel", PFN_cuLaunchKernel_v4000, true)            \
  X(streamCreate, "cuStreamCreate", PFN_cuStreamCreate_v2000, true)            \
  X(streamDestroy, "cuStreamDestroy_v2", PFN_cuStreamDestroy_v4000, true)      \
  X(streamSynchronize, "cuStreamSynchronize", PFN_cuStreamSynchronize_v2000,   \
    true)                                                                      \
  X(streamWaitEvent, "cuStreamWaitEvent", PFN_cuStreamWaitEvent_v3020, true)   \
  X(eventCreate, "cuEventCreate", PFN_cuEventCreate_v2000, true)               \
  X(eventDestroy, "cuEventDestroy_v2", PFN_cuEventDestroy_v4000, true)         \
  X(eventSynchronize, "cuEventSynchronize", PFN_cuEventSynchronize_v2000,      \
    true)                                                                      \
  X(eventRecord, "cuEventRecord", PFN_cuEventRecord_v2000, true)               \
  X(memAlloc, "cuMemAlloc_v2", PFN_cuMemAlloc_v3020, true)                     \
  X(memFree, "cuMemFree_v2", PFN_cuMemFree_v3020, true)                        \
  X(memAllocManaged, "cuMemAllocManaged", PFN_cuMemAllocManaged_v6000, true)   \
  X(memAllocAsync, "cuMemAllocAsync", PFN_cuMemAllocAsync_v11020, false)       \
  X(memFreeAsync, "cuMemFreeAsync", PFN_cuMemFreeAsync_v11020, false)          \
  X(deviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool",                      \
    PFN_cuDeviceGetDefaultMemPool_v11020, false)                               \
  X(memPoolSetAttribute, "cuMemPoolSetAttribute",                              \
    PFN_cuMemPoolSetAttribute_v11020, false)                                   \
  X(memPoolGetAttribute, "cuMemPoolGetAttribute",                              \
    PFN_cuMemPoolGetAttribute_v11020, false)                                   \
  X(memPoolCreate, "cuMemPoolCreate", PFN_cuMemPoolCreate_v11020, false)       \
  X(memPoolDestroy, "cuMemPoolDestroy", PFN_cuMemPoolDestroy_v11020, false)    \
  X(memAllocFromPoolAsync, "cuMemAllocFromPoolAsync",                          \
    PFN_cuMemAllocFromPoolAsync_v11020, false)                                 \
  X(memcpyHtoD, "cuMemcpyHtoD_v2", PFN_cuMemcpyHtoD_v3020, true)               \
  X(memcpyDtoH, "cuMemcpyDtoH_v2", PFN_cuMemcpyDtoH_v3020, true)               \
  X(memcpyAsync, "cuMemcpyAsync", PFN_cuMemcpyAsync_v4000, true)               \
  X(memcpyHtoDAsync, "cuMemcpyHtoDAsync_v2", PFN_cuMemcpyHtoDAsync_v3020,      \
    true)                                                                      \
  X(memcpyDtoHAsync, "cuMemcpyDtoHAsync_v2", PFN_cuMemcpyDtoHAsync_v3020,      \
    true)                                                                      \
  X(memsetD32Async, "cuMemsetD32Async", PFN_cuMemsetD32Async_v3020, true)      \
  X(memsetD16Async, "cuMemsetD16Async", PFN_cuMemsetD16Async_v3020, true)

/// The driver of this process, with its device and primary context. Set up
/// once and never changed (or unloaded) afterwards.
struct Driver {
#define KILN_CUDA_DRIVER_FIELD(field, symbol, type, required)                  \
  type field = nullptr;
  KILN_CUDA_DRIVER_FUNCTIONS(KILN_CUDA_DRIVER_FIELD)
#undef KILN_CUDA_DRIVER_FIELD

  /// The number of devices, and the one the runtime uses (KILN_CUDA_DEVICE).
  int deviceCount = 0;
  int ordinal = 0;
  CUdevice device = 0;
  /// The device's primary context, retained for the life of the process.
  CUcontext context = nullptr;
  std::string deviceName;
  int computeMajor = 0;
  int computeMinor = 0;
  /// Whether blocks are allocated stream-ordered (cuMemAllocAsync), which
  /// needs a driver and device with memory pools.
  bool streamOrderedAllocation = false;
  /// Whether sessions get memory pools of their own (cuMemPoolCreate and
  /// cuMemAllocFromPoolAsync, on top of stream-ordered allocation).
  bool sessionPools = false;
};

/// The process's driver, loaded on the first call (thread-safe); NULL when no
/// device is usable, with the reason in unavailableReason().
const Driver *driver();

/// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)": the name of `result` and, when
/// the driver can say, its description.
std::string describeResult(CUresult result);

/// Makes the driver's context current on this thread for its lifetime and
/// restores the previous one afterwards, so that programs that use other
/// contexts themselves are not disturbed.
class ContextScope {
public:
  explicit ContextScope(const Driver &driver);
  ~ContextScope();
  ContextScope(const ContextScope &) = delete;
  ContextScope &operator=(const ContextScope &) = delete;

  /// CUDA_SUCCESS when the context is current.
  CUresult result() const { return status; }

private:
  const Driver &driver;
  CUcontext previous = nullptr;
  bool restore = false;
  CUresult status = CUDA_SUCCESS;
};

} // namespace kiln::internal::cuda

#endif // KILN_RUNTIME_SRC_CUDA_DRIVER_H
