//===- cuda/Libraries.h - cuDNN and cuBLAS, loaded with dlopen ------------===//
//
// The library kernels of CUDA modules (kiln_cuda_* in kernel_abi.h) run on
// cuDNN 9 and cuBLAS. Like the driver, neither is linked: libkiln_runtime
// must load on machines without them, and a GPU machine may have them only
// inside PyTorch's Python wheels (nvidia/cudnn/lib, nvidia/cublas/lib). Each
// library is opened on first use, once per process, and never closed; only
// the entry points below are resolved. Only the toolkit's headers are used.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CUDA_LIBRARIES_H
#define KILN_RUNTIME_SRC_CUDA_LIBRARIES_H

#include <cublas_v2.h>
#include <cudnn.h>

#include <string>
#include <vector>

namespace kiln::internal::cuda {

/// The cuDNN entry points the kernels use: X(field, symbol).
#define KILN_CUDNN_FUNCTIONS(X)                                                \
  X(getVersion, cudnnGetVersion)                                               \
  X(getErrorString, cudnnGetErrorString)                                       \
  X(create, cudnnCreate)                                                       \
  X(destroy, cudnnDestroy)                                                     \
  X(setStream, cudnnSetStream)                                                 \
  X(createTensorDescriptor, cudnnCreateTensorDescriptor)                       \
  X(setTensor4dDescriptor, cudnnSetTensor4dDescriptor)                         \
  X(setTensor4dDescriptorEx, cudnnSetTensor4dDescriptorEx)                     \
  X(destroyTensorDescriptor, cudnnDestroyTensorDescriptor)                     \
  X(createFilterDescriptor, cudnnCreateFilterDescriptor)                       \
  X(setFilter4dDescriptor, cudnnSetFilter4dDescriptor)                         \
  X(destroyFilterDescriptor, cudnnDestroyFilterDescriptor)                     \
  X(createConvolutionDescriptor, cudnnCreateConvolutionDescriptor)             \
  X(setConvolution2dDescriptor, cudnnSetConvolution2dDescriptor)               \
  X(setConvolutionGroupCount, cudnnSetConvolutionGroupCount)                   \
  X(setConvolutionMathType, cudnnSetConvolutionMathType)                       \
  X(destroyConvolutionDescriptor, cudnnDestroyConvolutionDescriptor)           \
  X(getConvolutionForwardAlgorithm, cudnnGetConvolutionForwardAlgorithm_v7)    \
  X(getConvolutionBackwardDataAlgorithm,                                       \
    cudnnGetConvolutionBackwardDataAlgorithm_v7)                               \
  X(getConvolutionBackwardFilterAlgorithm,                                     \
    cudnnGetConvolutionBackwardFilterAlgorithm_v7)                             \
  X(getConvolutionForwardWorkspaceSize,                                        \
    cudnnGetConvolutionForwardWorkspaceSize)                                   \
  X(getConvolutionBackwardDataWorkspaceSize,                                   \
    cudnnGetConvolutionBackwardDataWorkspaceSize)                              \
  X(getConvolutionBackwardFilterWorkspaceSize,                                 \
    cudnnGetConvolutionBackwardFilterWorkspaceSize)                            \
  X(convolutionForward, cudnnConvolutionForward)                               \
  X(convolutionBackwardData, cudnnConvolutionBackwardData)                     \
  X(convolutionBackwardFilter, cudnnConvolutionBackwardFilter)                 \
  X(addTensor, cudnnAddTensor)                                                 \
  X(transformTensor, cudnnTransformTensor)                                     \
  X(createActivationDescriptor, cudnnCreateActivationDescriptor)               \
  X(setActivationDescriptor, cudnnSetActivationDescriptor)                     \
  X(destroyActivationDescriptor, cudnnDestroyActivationDescriptor)             \
  X(activationForward, cudnnActivationForward)

/// The cuBLAS entry points the kernels use: X(field, symbol). The symbols
/// are the ones cublas_v2.h maps the API to.
#define KILN_CUBLAS_FUNCTIONS(X)                                               \
  X(create, cublasCreate_v2)                                                   \
  X(destroy, cublasDestroy_v2)                                                 \
  X(setStream, cublasSetStream_v2)                                             \
  X(setMathMode, cublasSetMathMode)                                            \
  X(sgemm, cublasSgemm_v2)                                                     \
  X(sgemmStridedBatched, cublasSgemmStridedBatched)

/// cuDNN as loaded: its entry points and where it came from.
struct Cudnn {
#define KILN_CUDA_LIBRARY_FIELD(field, symbol)                                 \
  decltype(&::symbol) field = nullptr;
  KILN_CUDNN_FUNCTIONS(KILN_CUDA_LIBRARY_FIELD)
  std::string path;
};

/// cuBLAS as loaded.
struct Cublas {
  KILN_CUBLAS_FUNCTIONS(KILN_CUDA_LIBRARY_FIELD)
#undef KILN_CUDA_LIBRARY_FIELD
  std::string path;
};

/// Where a library is looked for: each of `names` (best first) in each of
/// `firstDirectories`, then by the dynamic loader's own search (when
/// `useLoaderPath`: LD_LIBRARY_PATH, the ld.so cache, libraries already
/// loaded), then in each of `lastDirectories`.
struct LibrarySearch {
  std::vector<std::string> names;
  std::vector<std::string> firstDirectories;
  bool useLoaderPath = true;
  std::vector<std::string> lastDirectories;
};

/// The search of the process: the entries of $KILN_CUDA_LIBRARY_PATH (a
/// colon list) first, then the loader's, then the lib folders of the Python
/// packages that PyTorch's wheels install (site-packages/nvidia/`package`/lib,
/// `package` "cudnn" or "cublas") and the CUDA toolkit's lib64.
LibrarySearch cudnnSearch();
LibrarySearch cublasSearch();

/// Opens cuDNN as `search` says and resolves its entry points; false with
/// the reason when no candidate opens ("cuDNN not found (tried ...): install
/// cuDNN 9 or set KILN_CUDA_LIBRARY_PATH"), or when the one that opens lacks
/// an entry point or is not cuDNN 9. Exposed for the tests; the kernels use
/// cudnn().
bool loadCudnn(const LibrarySearch &search, Cudnn &out, std::string &reason);
/// The same for cuBLAS.
bool loadCublas(const LibrarySearch &search, Cublas &out, std::string &reason);

/// The process's cuDNN and cuBLAS, loaded on the first call (thread-safe) and
/// kept until exit; NULL with `reason` set when unavailable.
const Cudnn *cudnn(std::string &reason);
const Cublas *cublas(std::string &reason);

} // namespace kiln::internal::cuda

#endif // KILN_RUNTIME_SRC_CUDA_LIBRARIES_H
