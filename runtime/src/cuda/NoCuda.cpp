//===- cuda/NoCuda.cpp - The CUDA backend of a runtime built without it ---===//
//
// Compiled instead of the other sources of this folder when CMake finds no
// CUDA toolkit (whose headers the backend needs). The runtime then exports
// the same functions, but no CUDA module loads and every CUDA call records
// that this runtime has no CUDA support.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "kiln/kernel_abi.h"

#include <string>

using namespace kiln::internal;

namespace {

constexpr const char *kNoCuda =
    "this Kiln runtime was built without CUDA support";

/// The first call recorded on this thread since the error was last taken.
thread_local bool failed = false;

void recordNoCuda() { failed = true; }

} // namespace

const std::string &kiln::internal::cuda::unavailableReason() {
  static const std::string reason = kNoCuda;
  return reason;
}

kiln_status *kiln::internal::cuda::checkModuleTarget(const char *arch,
                                                     std::string_view origin) {
  return makeError(KILN_UNAVAILABLE, origin,
                   "the module was compiled for CUDA (",
                   arch && *arch ? arch : "no architecture recorded",
                   ") but there is no CUDA device here: ", kNoCuda);
}

kiln_status *kiln::internal::cuda::runEntry(const kiln_function &function,
                                            CudaSessionState *,
                                            const RunBuffer *,
                                            const RunBuffer *, kiln_tensor **) {
  return makeError(KILN_UNAVAILABLE, "function '", function.name,
                   "' was compiled for CUDA, but there is no CUDA device "
                   "here: ",
                   kNoCuda);
}

void kiln::internal::cuda::releaseSession(CudaSessionState &) {}

size_t kiln::internal::cuda::sessionReservedMemory(const CudaSessionState &) {
  return 0;
}

kiln_status *kiln::internal::cuda::allocateTensorMemory(size_t,
                                                        const char *caller,
                                                        void **) {
  return makeError(KILN_UNAVAILABLE, caller,
                   ": there is no CUDA device here: ", kNoCuda);
}

// No device tensor can exist, so there is nothing to free or copy.
void kiln::internal::cuda::freeTensorMemory(void *) {}

kiln_status *kiln::internal::cuda::copyMemory(void *, bool, const void *, bool,
                                              size_t, const char *caller) {
  return makeError(KILN_UNAVAILABLE, caller,
                   ": there is no CUDA device here: ", kNoCuda);
}

const void *kiln::internal::cuda::constantsKey(const void *) { return nullptr; }

void kiln::internal::cuda::retainConstants(const void *) {}

void kiln::internal::cuda::releaseConstants(const void *) {}

void kiln::internal::cuda::retainKernels(const kiln_abi_kernel *, int32_t) {}

void kiln::internal::cuda::releaseKernels(const kiln_abi_kernel *, int32_t) {}

kiln_status *kiln_cuda_device_count(int32_t *count) {
  if (!count)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_cuda_device_count: `count` is NULL");
  return makeStatus(KILN_UNAVAILABLE, kNoCuda);
}

kiln_status *kiln_cuda_take_thread_error(void) {
  if (!failed)
    return nullptr;
  failed = false;
  return makeError(KILN_UNAVAILABLE, "there is no CUDA device here: ", kNoCuda);
}

// The GPU calls: handles are still made and freed, so that a module's global
// constructor and destructor work; everything else records the error.
void *mgpuModuleLoad(void *data, size_t) { return data ? data : &failed; }
void *mgpuModuleLoadJIT(void *data, int) { return data ? data : &failed; }
void mgpuModuleUnload(void *) {}
void *mgpuModuleGetFunction(void *, const char *) {
  recordNoCuda();
  return nullptr;
}
void mgpuLaunchKernel(void *, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t,
                      intptr_t, int32_t, void *, void **, void **, size_t) {
  recordNoCuda();
}
void *mgpuStreamCreate(void) {
  recordNoCuda();
  return nullptr;
}
void mgpuStreamDestroy(void *) {}
void mgpuStreamSynchronize(void *) { recordNoCuda(); }
void mgpuStreamWaitEvent(void *, void *) { recordNoCuda(); }
void *mgpuEventCreate(void) {
  recordNoCuda();
  return nullptr;
}
void mgpuEventDestroy(void *) {}
void mgpuEventSynchronize(void *) { recordNoCuda(); }
void mgpuEventRecord(void *, void *) { recordNoCuda(); }
void *mgpuMemAlloc(uint64_t sizeBytes, void *, bool) {
  if (sizeBytes > 0)
    recordNoCuda();
  return nullptr;
}
void mgpuMemFree(void *ptr, void *) {
  if (ptr)
    recordNoCuda();
}
void mgpuMemcpy(void *, void *, size_t, void *) { recordNoCuda(); }
void mgpuMemset32(void *, unsigned int, size_t, void *) { recordNoCuda(); }
void mgpuMemset16(void *, unsigned short, size_t, void *) { recordNoCuda(); }
void *kiln_cuda_constant(void **, const void *, uint64_t) {
  recordNoCuda();
  return nullptr;
}

// The library kernels: nothing to run them on.
int32_t kiln_cuda_conv2d(const int64_t *, void **, int64_t, const float *,
                         const float *, const float *, const float *, float *) {
  recordNoCuda();
  return 1;
}
int32_t kiln_cuda_conv_transpose2d(const int64_t *, void **, int64_t,
                                   const float *, const float *, const float *,
                                   const float *, float *) {
  recordNoCuda();
  return 1;
}
int32_t kiln_cuda_conv2d_backward_filter(const int64_t *, void **, int64_t,
                                         const float *, const float *,
                                         float *) {
  recordNoCuda();
  return 1;
}
int32_t kiln_cuda_matmul(const int64_t *, void **, int64_t, const float *,
                         const float *, const float *, const float *, float *) {
  recordNoCuda();
  return 1;
}
