//===- cuda/NoLibraryKernels.cpp - CUDA library kernels without cuDNN -----===//
//
// Compiled instead of Kernels.cpp and Libraries.cpp when the CUDA toolkit is
// there but the headers of cuDNN or cuBLAS are not: CUDA modules still run,
// but a call of one of their library kernels fails the run with the reason.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "cuda/RunState.h"

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

int32_t unavailable(const char *entry) {
  // Outside a run, say so first, as the real kernels do.
  if (!runForCall(entry))
    return 1;
  recordError(KILN_UNAVAILABLE,
              std::string(entry) +
                  ": this Kiln runtime was built without cuDNN and cuBLAS "
                  "headers, so it has no library kernels for CUDA modules");
  return 1;
}

} // namespace

void kiln::internal::cuda::retainKernels(const kiln_abi_kernel *, int32_t) {}

void kiln::internal::cuda::releaseKernels(const kiln_abi_kernel *, int32_t) {}

int32_t kiln_cuda_conv2d(const int64_t *, void **, int64_t, const float *,
                         const float *, const float *, const float *, float *) {
  return unavailable("kiln_cuda_conv2d");
}

int32_t kiln_cuda_conv_transpose2d(const int64_t *, void **, int64_t,
                                   const float *, const float *, const float *,
                                   const float *, float *) {
  return unavailable("kiln_cuda_conv_transpose2d");
}

int32_t kiln_cuda_conv2d_backward_filter(const int64_t *, void **, int64_t,
                                         const float *, const float *,
                                         float *) {
  return unavailable("kiln_cuda_conv2d_backward_filter");
}

int32_t kiln_cuda_matmul(const int64_t *, void **, int64_t, const float *,
                         const float *, const float *, const float *, float *) {
  return unavailable("kiln_cuda_matmul");
}
