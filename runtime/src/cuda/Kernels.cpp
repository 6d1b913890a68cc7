//===- cuda/Kernels.cpp - Library kernels of CUDA modules -----------------===//
//
// kiln_cuda_conv2d, kiln_cuda_conv_transpose2d,
// kiln_cuda_conv2d_backward_filter and kiln_cuda_matmul: the kernels of
// kernel_abi.h for modules compiled for CUDA, on cuDNN's legacy convolution
// API and cuBLAS, queued on the current run's stream.
//
// A call site's state (KernelState, in the module's state word) is created on
// the first call and holds one Plan per batch size: the cuDNN descriptors and
// the algorithm the heuristics chose, built under the state's lock and read
// without it afterwards. cuDNN and cuBLAS handles are per thread (a run is
// one thread on one stream, and a handle must not be used on two streams at
// once). Workspaces are allocated on the run's stream for each call and
// freed, stream-ordered, right after it.
//
// Epilogues: a residual is copied into the output first (a kernel that
// accumulates, KILN_KERNEL_ACCUMULATE, finds it there) and the product added
// to it (beta = 1); the bias is added with cudnnAddTensor and the
// activation applied in place with cudnnActivationForward. Everything is
// fp32 without TF32 (CUDNN_FMA_MATH, CUBLAS_DEFAULT_MATH), to match the CPU
// kernels.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "cuda/Libraries.h"
#include "cuda/RunState.h"
#include "kiln/kernel_abi.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

/// The largest workspace an algorithm may ask for; larger ones are skipped
/// for the next algorithm the heuristics suggest.
constexpr size_t kMaxWorkspaceBytes = size_t(1) << 30;

/// A failed kernel call: what guarded() records.
struct KernelFailure {
  kiln_status_code code;
  std::string message;
};

[[noreturn]] void fail(kiln_status_code code, std::string message) {
  throw KernelFailure{code, std::move(message)};
}

float floatFromBits(int64_t bits) {
  uint32_t word = static_cast<uint32_t>(bits);
  float value;
  std::memcpy(&value, &word, sizeof value);
  return value;
}

/// `value` as the int cuDNN and cuBLAS take; fails when it does not fit.
int toInt(int64_t value, const std::string &what) {
  if (value < 0 || value > INT_MAX)
    fail(KILN_INVALID_ARGUMENT,
         what + ": a size of " + std::to_string(value) +
             " is out of the range of cuDNN and cuBLAS (0 to 2^31 - 1)");
  return static_cast<int>(value);
}

/// The product of `sizes` (each >= 0); fails when it is 2^31 or more, which
/// cuDNN's tensor descriptors cannot describe.
int64_t elementCount(std::initializer_list<int64_t> sizes,
                     const std::string &what) {
  int64_t count = 1;
  for (int64_t size : sizes) {
    if (size != 0 && count > INT_MAX / size)
      fail(KILN_INVALID_ARGUMENT,
           what + ": a tensor of 2^31 elements or more, which cuDNN cannot "
                  "describe");
    count *= size;
  }
  return count;
}

CUdeviceptr address(const void *pointer) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(pointer));
}

//===----------------------------------------------------------------------===//
// Library calls and handles
//===----------------------------------------------------------------------===//

const Cudnn &cudnnLibrary() {
  std::string reason;
  const Cudnn *library = cudnn(reason);
  if (!library)
    fail(KILN_UNAVAILABLE, reason);
  return *library;
}

const Cublas &cublasLibrary() {
  std::string reason;
  const Cublas *library = cublas(reason);
  if (!library)
    fail(KILN_UNAVAILABLE, reason);
  return *library;
}

/// Fails with "cuDNN: <function> failed: <status> (<what>)" unless `status`
/// is success.
void checkCudnn(cudnnStatus_t status, const char *function,
                const std::string &what) {
  if (status == CUDNN_STATUS_SUCCESS)
    return;
  const char *text = cudnnLibrary().getErrorString(status);
  fail(status == CUDNN_STATUS_ALLOC_FAILED ? KILN_OUT_OF_MEMORY : KILN_INTERNAL,
       std::string("cuDNN: ") + function + " failed: " +
           (text ? text : "status " + std::to_string(int(status))) + " (" +
           what + ")");
}

const char *cublasStatusName(cublasStatus_t status) {
  switch (status) {
#define KILN_CUBLAS_STATUS(name)                                               \
  case name:                                                                   \
    return #name;
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_NOT_INITIALIZED)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_ALLOC_FAILED)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_INVALID_VALUE)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_ARCH_MISMATCH)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_MAPPING_ERROR)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_EXECUTION_FAILED)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_INTERNAL_ERROR)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_NOT_SUPPORTED)
    KILN_CUBLAS_STATUS(CUBLAS_STATUS_LICENSE_ERROR)
#undef KILN_CUBLAS_STATUS
  default:
    return nullptr;
  }
}

void checkCublas(cublasStatus_t status, const char *function,
                 const std::string &what) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return;
  const char *name = cublasStatusName(status);
  fail(status == CUBLAS_STATUS_ALLOC_FAILED ? KILN_OUT_OF_MEMORY
                                            : KILN_INTERNAL,
       std::string("cuBLAS: ") + function + " failed: " +
           (name ? name : "status " + std::to_string(int(status))) + " (" +
           what + ")");
}

void checkDriver(CUresult result, const char *function,
                 const std::string &what) {
  if (result != CUDA_SUCCESS)
    fail(result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_OUT_OF_MEMORY
                                            : KILN_INTERNAL,
         std::string(function) + " failed: " + describeResult(result) + " (" +
             what + ")");
}

/// The cuDNN and cuBLAS handles of this thread, created on first use in the
/// driver's context and destroyed when the thread exits. Per thread, not
/// shared: a handle's internal buffers must not serve two streams at once,
/// and a thread runs one run (one stream) at a time.
struct ThreadHandles {
  cudnnHandle_t dnn = nullptr;
  cublasHandle_t blas = nullptr;

  ~ThreadHandles() {
    const Driver *current = dnn || blas ? driver() : nullptr;
    if (!current)
      return;
    ContextScope context(*current);
    std::string reason;
    if (dnn)
      if (const Cudnn *library = cudnn(reason))
        library->destroy(dnn);
    if (blas)
      if (const Cublas *library = cublas(reason))
        library->destroy(blas);
  }
};
thread_local ThreadHandles threadHandles;

/// This thread's cuDNN handle, set to the run's stream.
cudnnHandle_t cudnnHandle(const CudaRun &run, const std::string &what) {
  const Cudnn &dnn = cudnnLibrary();
  if (!threadHandles.dnn)
    checkCudnn(dnn.create(&threadHandles.dnn), "cudnnCreate", what);
  checkCudnn(dnn.setStream(threadHandles.dnn, run.stream), "cudnnSetStream",
             what);
  return threadHandles.dnn;
}

/// This thread's cuBLAS handle, set to the run's stream, without TF32.
cublasHandle_t cublasHandle(const CudaRun &run, const std::string &what) {
  const Cublas &blas = cublasLibrary();
  if (!threadHandles.blas) {
    cublasHandle_t handle = nullptr;
    checkCublas(blas.create(&handle), "cublasCreate", what);
    threadHandles.blas = handle;
    // The default math of cuBLAS computes fp32 products in fp32 (TF32 only
    // with CUBLAS_TF32_TENSOR_OP_MATH): set it anyway, whatever the
    // library's default may become.
    checkCublas(blas.setMathMode(handle, CUBLAS_DEFAULT_MATH),
                "cublasSetMathMode", what);
  }
  checkCublas(blas.setStream(threadHandles.blas, run.stream), "cublasSetStream",
              what);
  return threadHandles.blas;
}

/// A block of device memory for one call, allocated on the run's stream and
/// freed on it (stream-ordered, so after the work queued with it) when the
/// call returns.
class DeviceBlock {
public:
  DeviceBlock(const CudaRun &run, size_t bytes, const std::string &what)
      : run(run) {
    if (bytes == 0)
      return;
    CUresult result = CUDA_SUCCESS;
    block =
        allocateDevice(*run.driver, bytes, run.stream, run.pool, false, result);
    if (!block)
      fail(result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_OUT_OF_MEMORY
                                              : KILN_INTERNAL,
           "out of device memory allocating " + std::to_string(bytes) +
               " bytes of workspace (" + what + "): " + describeResult(result));
  }
  ~DeviceBlock() { freeDevice(*run.driver, block, run.stream); }
  DeviceBlock(const DeviceBlock &) = delete;
  DeviceBlock &operator=(const DeviceBlock &) = delete;

  float *at(size_t byteOffset) const {
    return block ? reinterpret_cast<float *>(
                       static_cast<uintptr_t>(block + byteOffset))
                 : nullptr;
  }

private:
  const CudaRun &run;
  CUdeviceptr block = 0;
};

//===----------------------------------------------------------------------===//
// Descriptors
//===----------------------------------------------------------------------===//

/// The cuDNN descriptors of a plan: created through it, destroyed with it.
class Descriptors {
public:
  explicit Descriptors(std::string what) : what(std::move(what)) {}
  ~Descriptors() {
    const Cudnn &dnn = *library;
    for (cudnnTensorDescriptor_t desc : tensors)
      dnn.destroyTensorDescriptor(desc);
    for (cudnnFilterDescriptor_t desc : filters)
      dnn.destroyFilterDescriptor(desc);
    for (cudnnConvolutionDescriptor_t desc : convolutions)
      dnn.destroyConvolutionDescriptor(desc);
    for (cudnnActivationDescriptor_t desc : activations)
      dnn.destroyActivationDescriptor(desc);
  }
  Descriptors(const Descriptors &) = delete;
  Descriptors &operator=(const Descriptors &) = delete;

  /// A dense NCHW tensor.
  cudnnTensorDescriptor_t tensor(int64_t n, int64_t c, int64_t h, int64_t w) {
    elementCount({n, c, h, w}, what);
    cudnnTensorDescriptor_t desc = newTensor();
    checkCudnn(library->setTensor4dDescriptor(desc, CUDNN_TENSOR_NCHW,
                                              CUDNN_DATA_FLOAT, int(n), int(c),
                                              int(h), int(w)),
               "cudnnSetTensor4dDescriptor", what);
    return desc;
  }

  /// An [n, c, h, w] window of an NCHW tensor of `fullH` x `fullW` images.
  cudnnTensorDescriptor_t window(int64_t n, int64_t c, int64_t h, int64_t w,
                                 int64_t fullH, int64_t fullW) {
    elementCount({n, c, fullH, fullW}, what);
    cudnnTensorDescriptor_t desc = newTensor();
    checkCudnn(library->setTensor4dDescriptorEx(
                   desc, CUDNN_DATA_FLOAT, int(n), int(c), int(h), int(w),
                   int(c * fullH * fullW), int(fullH * fullW), int(fullW), 1),
               "cudnnSetTensor4dDescriptorEx", what);
    return desc;
  }

  /// A [k, c, h, w] filter.
  cudnnFilterDescriptor_t filter(int64_t k, int64_t c, int64_t h, int64_t w) {
    elementCount({k, c, h, w}, what);
    library->createFilterDescriptor(&filters.emplace_back());
    cudnnFilterDescriptor_t desc = filters.back();
    if (!desc) {
      filters.pop_back();
      fail(KILN_OUT_OF_MEMORY,
           "cuDNN: cannot create a filter descriptor (" + what + ")");
    }
    checkCudnn(library->setFilter4dDescriptor(desc, CUDNN_DATA_FLOAT,
                                              CUDNN_TENSOR_NCHW, int(k), int(c),
                                              int(h), int(w)),
               "cudnnSetFilter4dDescriptor", what);
    return desc;
  }

  /// A cross-correlation (what ONNX and Kiln call convolution) in fp32 with
  /// FMA math only: no TF32 tensor cores, to match the CPU kernels.
  cudnnConvolutionDescriptor_t convolution(int64_t padH, int64_t padW,
                                           int64_t strideH, int64_t strideW,
                                           int64_t dilationH, int64_t dilationW,
                                           int64_t groups) {
    library->createConvolutionDescriptor(&convolutions.emplace_back());
    cudnnConvolutionDescriptor_t desc = convolutions.back();
    if (!desc) {
      convolutions.pop_back();
      fail(KILN_OUT_OF_MEMORY,
           "cuDNN: cannot create a convolution descriptor (" + what + ")");
    }
    checkCudnn(library->setConvolution2dDescriptor(
                   desc, toInt(padH, what), toInt(padW, what),
                   toInt(strideH, what), toInt(strideW, what),
                   toInt(dilationH, what), toInt(dilationW, what),
                   CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
               "cudnnSetConvolution2dDescriptor", what);
    checkCudnn(library->setConvolutionGroupCount(desc, toInt(groups, what)),
               "cudnnSetConvolutionGroupCount", what);
    checkCudnn(library->setConvolutionMathType(desc, CUDNN_FMA_MATH),
               "cudnnSetConvolutionMathType", what);
    return desc;
  }

  /// The activation `activation` (KILN_ACTIVATION_*, with its ALPHA and
  /// BETA), or NULL for none; fails for those cuDNN cannot apply.
  cudnnActivationDescriptor_t activation(int64_t activation, float alpha,
                                         float beta) {
    cudnnActivationMode_t mode;
    double coefficient = 0;
    switch (activation) {
    case KILN_ACTIVATION_NONE:
      return nullptr;
    case KILN_ACTIVATION_RELU:
      mode = CUDNN_ACTIVATION_RELU;
      break;
    case KILN_ACTIVATION_SIGMOID:
      mode = CUDNN_ACTIVATION_SIGMOID;
      break;
    case KILN_ACTIVATION_TANH:
      mode = CUDNN_ACTIVATION_TANH;
      break;
    case KILN_ACTIVATION_CLIP:
      // cuDNN clips only from 0 (CLIPPED_RELU); a clip without a finite
      // ceiling is a ReLU.
      if (alpha != 0 || std::isnan(beta) || beta < 0)
        fail(KILN_INVALID_ARGUMENT,
             "the CUDA kernels apply a clip only to [0, ceiling], not to [" +
                 std::to_string(alpha) + ", " + std::to_string(beta) + "] (" +
                 what + ")");
      mode = beta >= FLT_MAX ? CUDNN_ACTIVATION_RELU
                             : CUDNN_ACTIVATION_CLIPPED_RELU;
      coefficient = beta;
      break;
    case KILN_ACTIVATION_LEAKY_RELU:
      fail(KILN_INVALID_ARGUMENT,
           "the CUDA kernels cannot apply a leaky ReLU (" + what + ")");
    default:
      fail(KILN_INVALID_ARGUMENT, "unknown activation " +
                                      std::to_string(activation) + " (" + what +
                                      ")");
    }
    library->createActivationDescriptor(&activations.emplace_back());
    cudnnActivationDescriptor_t desc = activations.back();
    if (!desc) {
      activations.pop_back();
      fail(KILN_OUT_OF_MEMORY,
           "cuDNN: cannot create an activation descriptor (" + what + ")");
    }
    // NaN stays NaN, as in the CPU kernels and ONNX.
    checkCudnn(library->setActivationDescriptor(desc, mode, CUDNN_PROPAGATE_NAN,
                                                coefficient),
               "cudnnSetActivationDescriptor", what);
    return desc;
  }

  const std::string what;

private:
  cudnnTensorDescriptor_t newTensor() {
    library->createTensorDescriptor(&tensors.emplace_back());
    if (!tensors.back()) {
      tensors.pop_back();
      fail(KILN_OUT_OF_MEMORY,
           "cuDNN: cannot create a tensor descriptor (" + what + ")");
    }
    return tensors.back();
  }

  const Cudnn *library = &cudnnLibrary();
  std::vector<cudnnTensorDescriptor_t> tensors;
  std::vector<cudnnFilterDescriptor_t> filters;
  std::vector<cudnnConvolutionDescriptor_t> convolutions;
  std::vector<cudnnActivationDescriptor_t> activations;
};

/// The first algorithm cuDNN's heuristics rank best that works without
/// tensor-core math and whose workspace fits; `find` fills a perf array,
/// `size` gives an algorithm's exact workspace.
template <typename Perf, typename Find, typename Size>
std::pair<int, size_t> pickAlgorithm(int count, const char *findName, Find find,
                                     Size size, const std::string &what) {
  std::vector<Perf> perfs(static_cast<size_t>(count));
  int returned = 0;
  checkCudnn(find(count, &returned, perfs.data()), findName, what);
  for (int i = 0; i < returned && i < count; ++i) {
    const Perf &perf = perfs[i];
    if (perf.status != CUDNN_STATUS_SUCCESS ||
        perf.mathType == CUDNN_TENSOR_OP_MATH ||
        perf.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
      continue;
    size_t bytes = 0;
    if (size(perf.algo, &bytes) != CUDNN_STATUS_SUCCESS ||
        bytes > kMaxWorkspaceBytes)
      continue;
    return {static_cast<int>(perf.algo), bytes};
  }
  fail(KILN_UNAVAILABLE,
       std::string("cuDNN: ") + findName +
           " suggested no fp32 algorithm with a workspace of at most 1 GiB (" +
           what + ")");
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// A convolution's parameters for one batch, checked.
struct ConvShape {
  int64_t n, c, h, w, f, kh, kw, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw, groups,
      flags, activation;
  float alpha, beta;
  std::string what;

  int64_t extentH() const { return dh * (kh - 1) + 1; }
  int64_t extentW() const { return dw * (kw - 1) + 1; }
  size_t inputBytes() const { return size_t(n * c * h * w) * sizeof(float); }
  size_t outputBytes() const { return size_t(n * f * oh * ow) * sizeof(float); }
  int64_t filterElements() const { return f * (c / groups) * kh * kw; }
};

/// "conv 3x3, 64->64 channels, batch 32": what error messages say a kernel
/// is.
std::string describeConv(int32_t kind, const int64_t *p, int64_t n) {
  const char *name = kind == KILN_KERNEL_CONV_TRANSPOSE2D ? "transposed conv"
                     : kind == KILN_KERNEL_CONV2D_BACKWARD_FILTER
                         ? "conv filter gradient"
                         : "conv";
  std::string text = std::string(name) + " " +
                     std::to_string(p[KILN_CONV2D_KERNEL_H]) + "x" +
                     std::to_string(p[KILN_CONV2D_KERNEL_W]) + ", " +
                     std::to_string(p[KILN_CONV2D_CHANNELS]) + "->" +
                     std::to_string(p[KILN_CONV2D_FILTERS]) + " channels";
  if (p[KILN_CONV2D_GROUPS] != 1)
    text += ", " + std::to_string(p[KILN_CONV2D_GROUPS]) + " groups";
  return text + ", batch " + std::to_string(n);
}

/// Reads and checks the parameters of a convolution call for batch `n`.
ConvShape readConv(int32_t kind, const int64_t *p, int64_t n) {
  ConvShape s;
  s.what = describeConv(kind, p, n);
  s.n = n;
  s.c = p[KILN_CONV2D_CHANNELS];
  s.h = p[KILN_CONV2D_HEIGHT];
  s.w = p[KILN_CONV2D_WIDTH];
  s.f = p[KILN_CONV2D_FILTERS];
  s.kh = p[KILN_CONV2D_KERNEL_H];
  s.kw = p[KILN_CONV2D_KERNEL_W];
  s.oh = p[KILN_CONV2D_OUT_H];
  s.ow = p[KILN_CONV2D_OUT_W];
  s.sh = p[KILN_CONV2D_STRIDE_H];
  s.sw = p[KILN_CONV2D_STRIDE_W];
  s.pt = p[KILN_CONV2D_PAD_TOP];
  s.pl = p[KILN_CONV2D_PAD_LEFT];
  s.pb = p[KILN_CONV2D_PAD_BOTTOM];
  s.pr = p[KILN_CONV2D_PAD_RIGHT];
  s.dh = p[KILN_CONV2D_DILATION_H];
  s.dw = p[KILN_CONV2D_DILATION_W];
  s.groups = p[KILN_CONV2D_GROUPS];
  s.flags = p[KILN_CONV2D_FLAGS];
  s.activation = p[KILN_CONV2D_ACTIVATION];
  s.alpha = floatFromBits(p[KILN_CONV2D_ALPHA_BITS]);
  s.beta = floatFromBits(p[KILN_CONV2D_BETA_BITS]);

  auto invalid = [&](const std::string &problem) {
    fail(KILN_INVALID_ARGUMENT, problem + " (" + s.what + ")");
  };
  if (n < 0)
    invalid("negative batch " + std::to_string(n));
  for (int64_t size : {s.c, s.h, s.w, s.f, s.kh, s.kw, s.oh, s.ow, s.sh, s.sw,
                       s.dh, s.dw, s.groups})
    if (size <= 0 || size > INT_MAX)
      invalid("sizes, strides, dilations and groups must be in 1 to 2^31 - 1");
  for (int64_t pad : {s.pt, s.pl, s.pb, s.pr})
    if (pad < 0 || pad > INT_MAX)
      invalid("paddings must be in 0 to 2^31 - 1");
  if (s.c % s.groups != 0 || s.f % s.groups != 0)
    invalid(std::to_string(s.groups) + " groups do not divide " +
            std::to_string(s.c) + " input and " + std::to_string(s.f) +
            " output channels");
  if (s.flags & KILN_KERNEL_NHWC)
    invalid("the CUDA kernels take NCHW tensors, not NHWC");
  // Sizes of about 2^31 elements are refused here already, so that the
  // products below cannot overflow.
  elementCount({n, s.c, s.h, s.w}, s.what);
  elementCount({n, s.f, s.oh, s.ow}, s.what);
  elementCount({s.f, s.c / s.groups, s.kh, s.kw}, s.what);
  elementCount({s.kh, s.dh}, s.what);
  elementCount({s.kw, s.dw}, s.what);

  if (kind == KILN_KERNEL_CONV_TRANSPOSE2D) {
    // Any output size is one the transposed convolution defines: rows past
    // the full result (output padding) are zero, rows short of it cropped.
    // The top and left padding must leave some of it.
    if (s.pt >= (s.h - 1) * s.sh + s.extentH() ||
        s.pl >= (s.w - 1) * s.sw + s.extentW())
      invalid("the padding crops the whole output");
    return s;
  }
  if (s.h + s.pt + s.pb < s.extentH() || s.w + s.pl + s.pr < s.extentW() ||
      s.oh != (s.h + s.pt + s.pb - s.extentH()) / s.sh + 1 ||
      s.ow != (s.w + s.pl + s.pr - s.extentW()) / s.sw + 1)
    invalid("an output of " + std::to_string(s.oh) + "x" +
            std::to_string(s.ow) + " is not what the " + std::to_string(s.h) +
            "x" + std::to_string(s.w) +
            " input, kernel, strides, paddings and dilations give");
  return s;
}

/// Whether cuDNN, which pads both ends by the same amount, computes a
/// convolution of `size` with padding `begin` (its own) to `out` outputs:
/// then the end padding the caller asked for does not matter.
bool symmetricPaddingGives(int64_t size, int64_t begin, int64_t extent,
                           int64_t stride, int64_t out) {
  return size + 2 * begin >= extent &&
         (size + 2 * begin - extent) / stride + 1 == out;
}

//===----------------------------------------------------------------------===//
// Plans and states
//===----------------------------------------------------------------------===//

/// Everything prepared for one call site and batch size. Fields a kind does
/// not use stay empty.
struct Plan {
  explicit Plan(const std::string &what) : descriptors(what) {}

  Descriptors descriptors;
  // The convolution: its input (`x`, the padded copy's when `padded`), its
  // output (`y`), filter, and the algorithm.
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t convolution = nullptr;
  int algorithm = 0;
  size_t workspaceBytes = 0;

  // Asymmetric padding cuDNN cannot express: the input is copied, zero
  // padded, into the workspace (`staging`, after the algorithm's) from
  // `dense` into `interior`, its window at `stagingOffset` elements. A
  // transposed convolution instead computes into a larger staging buffer and
  // adds its `interior` window to `outputWindow` of the output.
  bool padded = false;
  size_t stagingBytes = 0;
  int64_t stagingOffset = 0;
  cudnnTensorDescriptor_t dense = nullptr, interior = nullptr,
                          outputWindow = nullptr;
  // Whether the window covers all of the output (else the output is zeroed
  // first).
  bool windowCoversOutput = true;

  // The epilogue, on `out` (the output as cuDNN sees it).
  cudnnTensorDescriptor_t out = nullptr, bias = nullptr;
  cudnnActivationDescriptor_t activation = nullptr;
};

/// The state of one call site: its parameters and a plan per batch size.
class KernelState {
public:
  KernelState(int32_t kind, const int64_t *params, int32_t count)
      : kind(kind), params(params, params + count) {}

  /// The plan for `batch`, made by `make` on first use.
  template <typename Make> const Plan &planFor(int64_t batch, Make make) {
    std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<Plan> &slot = plans[batch];
    if (!slot)
      slot = make();
    return *slot;
  }

  const int32_t kind;
  const std::vector<int64_t> params;

private:
  std::mutex mutex;
  std::map<int64_t, std::unique_ptr<Plan>> plans;
};

/// Guards creating states, and the counts of the module objects that use
/// each state word (retainKernels).
std::mutex &registryMutex() {
  static auto *mutex = new std::mutex;
  return *mutex;
}
std::unordered_map<void **, int> &registry() {
  static auto *users = new std::unordered_map<void **, int>;
  return *users;
}

KernelState *loadState(void **slot) {
  return static_cast<KernelState *>(__atomic_load_n(slot, __ATOMIC_ACQUIRE));
}

/// The state in `slot`, created on the first call of the call site and
/// published for the other threads.
KernelState &stateFor(void **slot, int32_t kind, const int64_t *params,
                      int32_t count, const char *entry) {
  if (!slot || !params)
    fail(KILN_INVALID_ARGUMENT,
         std::string(entry) + ": NULL parameter vector or state word");
  KernelState *state = loadState(slot);
  if (!state) {
    std::lock_guard<std::mutex> lock(registryMutex());
    state = loadState(slot);
    if (!state) {
      state = new KernelState(kind, params, count);
      __atomic_store_n(slot, state, __ATOMIC_RELEASE);
    }
  }
  if (state->kind != kind)
    fail(KILN_INVALID_ARGUMENT,
         std::string(entry) +
             ": the state word belongs to another kind of "
             "kernel (" +
             std::to_string(state->kind) + ")");
  return *state;
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// Adds the bias descriptor and activation of the epilogue, on `plan.out`.
void describeEpilogue(Plan &plan, const ConvShape &s) {
  plan.out = plan.y;
  if (s.flags & KILN_KERNEL_HAS_BIAS)
    plan.bias = plan.descriptors.tensor(1, s.f, 1, 1);
  plan.activation = plan.descriptors.activation(s.activation, s.alpha, s.beta);
}

/// The descriptors a forward convolution and its filter gradient share:
/// input, output, filter and convolution, with cuDNN's own (symmetric)
/// padding when it gives the output asked for, else an explicitly padded
/// copy of the input.
std::unique_ptr<Plan> describeConvolution(const ConvShape &s) {
  auto plan = std::make_unique<Plan>(s.what);
  Descriptors &d = plan->descriptors;
  plan->padded = !symmetricPaddingGives(s.h, s.pt, s.extentH(), s.sh, s.oh) ||
                 !symmetricPaddingGives(s.w, s.pl, s.extentW(), s.sw, s.ow);
  if (plan->padded) {
    int64_t hp = s.h + s.pt + s.pb, wp = s.w + s.pl + s.pr;
    plan->x = d.tensor(s.n, s.c, hp, wp);
    plan->dense = d.tensor(s.n, s.c, s.h, s.w);
    plan->interior = d.window(s.n, s.c, s.h, s.w, hp, wp);
    plan->stagingOffset = s.pt * wp + s.pl;
    plan->stagingBytes = size_t(s.n * s.c * hp * wp) * sizeof(float);
  } else {
    plan->x = d.tensor(s.n, s.c, s.h, s.w);
  }
  plan->y = d.tensor(s.n, s.f, s.oh, s.ow);
  plan->filter = d.filter(s.f, s.c / s.groups, s.kh, s.kw);
  plan->convolution =
      d.convolution(plan->padded ? 0 : s.pt, plan->padded ? 0 : s.pl, s.sh,
                    s.sw, s.dh, s.dw, s.groups);
  return plan;
}

/// A forward convolution's plan: cuDNN's own padding when it gives the
/// output asked for, else an explicitly padded copy of the input.
std::unique_ptr<Plan> planForward(const ConvShape &s, cudnnHandle_t handle) {
  std::unique_ptr<Plan> plan = describeConvolution(s);
  const Cudnn &dnn = cudnnLibrary();
  std::tie(plan->algorithm, plan->workspaceBytes) =
      pickAlgorithm<cudnnConvolutionFwdAlgoPerf_t>(
          CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
          "cudnnGetConvolutionForwardAlgorithm_v7",
          [&](int count, int *returned, cudnnConvolutionFwdAlgoPerf_t *perf) {
            return dnn.getConvolutionForwardAlgorithm(
                handle, plan->x, plan->filter, plan->convolution, plan->y,
                count, returned, perf);
          },
          [&](cudnnConvolutionFwdAlgo_t algo, size_t *bytes) {
            return dnn.getConvolutionForwardWorkspaceSize(
                handle, plan->x, plan->filter, plan->convolution, plan->y, algo,
                bytes);
          },
          s.what);
  describeEpilogue(*plan, s);
  return plan;
}

/// A transposed convolution's plan: the backward data pass of the forward
/// convolution it inverts, from its output (`x`, F channels) to its input
/// (`y`, C channels), whose filter [C, F / groups, KH, KW] is the transposed
/// convolution's. When cuDNN's symmetric padding does not give the output
/// asked for, it computes the uncropped result into a staging buffer, of
/// which the window the paddings leave is added to the output.
std::unique_ptr<Plan> planTransposed(const ConvShape &s, cudnnHandle_t handle) {
  auto plan = std::make_unique<Plan>(s.what);
  Descriptors &d = plan->descriptors;
  plan->padded = !symmetricPaddingGives(s.oh, s.pt, s.extentH(), s.sh, s.h) ||
                 !symmetricPaddingGives(s.ow, s.pl, s.extentW(), s.sw, s.w);
  plan->y = d.tensor(s.n, s.f, s.oh, s.ow); // the output, for the epilogue
  if (plan->padded) {
    // The full result: the rows and columns all input pixels reach.
    int64_t hp = (s.h - 1) * s.sh + s.extentH();
    int64_t wp = (s.w - 1) * s.sw + s.extentW();
    int64_t rows = std::min(s.oh, hp - s.pt),
            columns = std::min(s.ow, wp - s.pl);
    plan->x = d.tensor(s.n, s.f, hp, wp);
    plan->interior = d.window(s.n, s.f, rows, columns, hp, wp);
    plan->outputWindow = d.window(s.n, s.f, rows, columns, s.oh, s.ow);
    plan->windowCoversOutput = rows == s.oh && columns == s.ow;
    plan->stagingOffset = s.pt * wp + s.pl;
    plan->stagingBytes =
        size_t(elementCount({s.n, s.f, hp, wp}, s.what)) * sizeof(float);
  } else {
    plan->x = plan->y;
  }
  plan->dense = d.tensor(s.n, s.c, s.h, s.w); // the input: dy
  plan->filter = d.filter(s.c, s.f / s.groups, s.kh, s.kw);
  plan->convolution =
      d.convolution(plan->padded ? 0 : s.pt, plan->padded ? 0 : s.pl, s.sh,
                    s.sw, s.dh, s.dw, s.groups);
  const Cudnn &dnn = cudnnLibrary();
  std::tie(plan->algorithm, plan->workspaceBytes) =
      pickAlgorithm<cudnnConvolutionBwdDataAlgoPerf_t>(
          CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
          "cudnnGetConvolutionBackwardDataAlgorithm_v7",
          [&](int count, int *returned,
              cudnnConvolutionBwdDataAlgoPerf_t *perf) {
            return dnn.getConvolutionBackwardDataAlgorithm(
                handle, plan->filter, plan->dense, plan->convolution, plan->x,
                count, returned, perf);
          },
          [&](cudnnConvolutionBwdDataAlgo_t algo, size_t *bytes) {
            return dnn.getConvolutionBackwardDataWorkspaceSize(
                handle, plan->filter, plan->dense, plan->convolution, plan->x,
                algo, bytes);
          },
          s.what);
  describeEpilogue(*plan, s);
  return plan;
}

/// A filter gradient's plan: cuDNN's backward filter pass, with a padded
/// copy of the input as planForward() when the padding needs one.
std::unique_ptr<Plan> planBackwardFilter(const ConvShape &s,
                                         cudnnHandle_t handle) {
  std::unique_ptr<Plan> plan = describeConvolution(s);
  const Cudnn &dnn = cudnnLibrary();
  std::tie(plan->algorithm, plan->workspaceBytes) =
      pickAlgorithm<cudnnConvolutionBwdFilterAlgoPerf_t>(
          CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
          "cudnnGetConvolutionBackwardFilterAlgorithm_v7",
          [&](int count, int *returned,
              cudnnConvolutionBwdFilterAlgoPerf_t *perf) {
            return dnn.getConvolutionBackwardFilterAlgorithm(
                handle, plan->x, plan->y, plan->convolution, plan->filter,
                count, returned, perf);
          },
          [&](cudnnConvolutionBwdFilterAlgo_t algo, size_t *bytes) {
            return dnn.getConvolutionBackwardFilterWorkspaceSize(
                handle, plan->x, plan->y, plan->convolution, plan->filter, algo,
                bytes);
          },
          s.what);
  return plan;
}

/// The workspace of a call: the algorithm's, then the staging buffer
/// (256-byte aligned, as cuDNN wants its tensors).
size_t stagingStart(const Plan &plan) {
  return (plan.workspaceBytes + 255) / 256 * 256;
}

/// Copies `input` into the zero-padded staging buffer of `plan`.
void stageInput(cudnnHandle_t handle, const CudaRun &run, const Plan &plan,
                const float *input, float *staging) {
  checkDriver(run.driver->memsetD32Async(address(staging), 0,
                                         plan.stagingBytes / sizeof(float),
                                         run.stream),
              "cuMemsetD32Async", plan.descriptors.what);
  const float one = 1, zero = 0;
  checkCudnn(cudnnLibrary().transformTensor(handle, &one, plan.dense, input,
                                            &zero, plan.interior,
                                            staging + plan.stagingOffset),
             "cudnnTransformTensor", plan.descriptors.what);
}

/// What a kernel adds to its product: `residual` with
/// KILN_KERNEL_HAS_RESIDUAL, the output's own values with
/// KILN_KERNEL_ACCUMULATE (which takes no residual), else nothing (NULL).
const float *addedToOutput(int64_t flags, const float *residual,
                           const float *output, const std::string &what) {
  bool hasResidual = flags & KILN_KERNEL_HAS_RESIDUAL;
  if (!(flags & KILN_KERNEL_ACCUMULATE))
    return hasResidual ? residual : nullptr;
  if (hasResidual)
    fail(KILN_INVALID_ARGUMENT, what + ": a kernel takes a residual or "
                                       "accumulates into its output, not both");
  return output;
}

/// Starts the output from the residual (the product is then added with
/// beta = 1); returns that beta.
float startFromResidual(const CudaRun &run, const float *residual,
                        float *output, size_t bytes, const std::string &what) {
  if (!residual)
    return 0;
  if (residual != output)
    checkDriver(run.driver->memcpyAsync(address(output), address(residual),
                                        bytes, run.stream),
                "cuMemcpyAsync", what);
  return 1;
}

/// Adds the bias and applies the activation of `plan` to `output`.
void applyEpilogue(cudnnHandle_t handle, const Plan &plan, const float *bias,
                   float *output) {
  const Cudnn &dnn = cudnnLibrary();
  const float one = 1, zero = 0;
  if (plan.bias)
    checkCudnn(
        dnn.addTensor(handle, &one, plan.bias, bias, &one, plan.out, output),
        "cudnnAddTensor", plan.descriptors.what);
  if (plan.activation)
    checkCudnn(dnn.activationForward(handle, plan.activation, &one, plan.out,
                                     output, &zero, plan.out, output),
               "cudnnActivationForward", plan.descriptors.what);
}

/// The batch of a call: the compiled one, else the run-time argument.
int64_t callBatch(const KernelState &state, int64_t batch) {
  int64_t fixed = state.params[KILN_CONV2D_BATCH];
  return fixed >= 0 ? fixed : batch;
}

/// Fails unless every required pointer is there.
void requirePointers(std::initializer_list<const void *> pointers,
                     const char *entry, const std::string &what) {
  for (const void *pointer : pointers)
    if (!pointer)
      fail(KILN_INVALID_ARGUMENT, std::string(entry) +
                                      ": a tensor the kernel needs is NULL (" +
                                      what + ")");
}

int32_t runConvolution(int32_t kind, const char *entry, const int64_t *params,
                       void **slot, int64_t batch, const float *input,
                       const float *filter, const float *bias,
                       const float *residual, float *output) {
  CudaRun *run = runForCall(entry);
  if (!run)
    return 1;
  KernelState &state =
      stateFor(slot, kind, params, KILN_CONV2D_NUM_PARAMS, entry);
  ConvShape s = readConv(kind, state.params.data(), callBatch(state, batch));
  bool hasBias = s.flags & KILN_KERNEL_HAS_BIAS;
  bool hasResidual =
      s.flags & (KILN_KERNEL_HAS_RESIDUAL | KILN_KERNEL_ACCUMULATE);
  residual = addedToOutput(s.flags, residual, output, s.what);
  if (s.n == 0)
    return 0; // An empty output.
  requirePointers({input, filter, output, hasBias ? bias : input,
                   hasResidual ? residual : input},
                  entry, s.what);
  cudnnHandle_t handle = cudnnHandle(*run, s.what);
  bool transposed = kind == KILN_KERNEL_CONV_TRANSPOSE2D;
  const Plan &plan = state.planFor(s.n, [&] {
    return transposed ? planTransposed(s, handle) : planForward(s, handle);
  });

  float beta = startFromResidual(*run, hasResidual ? residual : nullptr, output,
                                 s.outputBytes(), s.what);
  DeviceBlock workspace(*run, stagingStart(plan) + plan.stagingBytes, s.what);
  float *staging = plan.padded ? workspace.at(stagingStart(plan)) : nullptr;
  const Cudnn &dnn = cudnnLibrary();
  const float one = 1, zero = 0;
  if (!transposed) {
    const float *x = input;
    if (plan.padded) {
      stageInput(handle, *run, plan, input, staging);
      x = staging;
    }
    checkCudnn(dnn.convolutionForward(
                   handle, &one, plan.x, x, plan.filter, filter,
                   plan.convolution, cudnnConvolutionFwdAlgo_t(plan.algorithm),
                   workspace.at(0), plan.workspaceBytes, &beta, plan.y, output),
               "cudnnConvolutionForward", s.what);
  } else if (!plan.padded) {
    checkCudnn(dnn.convolutionBackwardData(
                   handle, &one, plan.filter, filter, plan.dense, input,
                   plan.convolution,
                   cudnnConvolutionBwdDataAlgo_t(plan.algorithm),
                   workspace.at(0), plan.workspaceBytes, &beta, plan.x, output),
               "cudnnConvolutionBackwardData", s.what);
  } else {
    checkCudnn(
        dnn.convolutionBackwardData(
            handle, &one, plan.filter, filter, plan.dense, input,
            plan.convolution, cudnnConvolutionBwdDataAlgo_t(plan.algorithm),
            workspace.at(0), plan.workspaceBytes, &zero, plan.x, staging),
        "cudnnConvolutionBackwardData", s.what);
    // Rows and columns past the full result are zero (plus the residual).
    if (!plan.windowCoversOutput && beta == 0) {
      checkDriver(run->driver->memsetD32Async(address(output), 0,
                                              s.outputBytes() / sizeof(float),
                                              run->stream),
                  "cuMemsetD32Async", s.what);
      beta = 1;
    }
    checkCudnn(dnn.transformTensor(handle, &one, plan.interior,
                                   staging + plan.stagingOffset, &beta,
                                   plan.outputWindow, output),
               "cudnnTransformTensor", s.what);
  }
  applyEpilogue(handle, plan, bias, output);
  return 0;
}

int32_t runBackwardFilter(const int64_t *params, void **slot, int64_t batch,
                          const float *input, const float *outputGradient,
                          float *filterGradient) {
  const char *entry = "kiln_cuda_conv2d_backward_filter";
  CudaRun *run = runForCall(entry);
  if (!run)
    return 1;
  KernelState &state = stateFor(slot, KILN_KERNEL_CONV2D_BACKWARD_FILTER,
                                params, KILN_CONV2D_NUM_PARAMS, entry);
  ConvShape s = readConv(KILN_KERNEL_CONV2D_BACKWARD_FILTER,
                         state.params.data(), callBatch(state, batch));
  requirePointers({filterGradient}, entry, s.what);
  if (s.n == 0) {
    // Nothing to sum over: a zero gradient.
    checkDriver(run->driver->memsetD32Async(address(filterGradient), 0,
                                            size_t(s.filterElements()),
                                            run->stream),
                "cuMemsetD32Async", s.what);
    return 0;
  }
  requirePointers({input, outputGradient}, entry, s.what);
  cudnnHandle_t handle = cudnnHandle(*run, s.what);
  const Plan &plan =
      state.planFor(s.n, [&] { return planBackwardFilter(s, handle); });
  DeviceBlock workspace(*run, stagingStart(plan) + plan.stagingBytes, s.what);
  const float *x = input;
  if (plan.padded) {
    float *staging = workspace.at(stagingStart(plan));
    stageInput(handle, *run, plan, input, staging);
    x = staging;
  }
  const float one = 1, zero = 0;
  checkCudnn(
      cudnnLibrary().convolutionBackwardFilter(
          handle, &one, plan.x, x, plan.y, outputGradient, plan.convolution,
          cudnnConvolutionBwdFilterAlgo_t(plan.algorithm), workspace.at(0),
          plan.workspaceBytes, &zero, plan.filter, filterGradient),
      "cudnnConvolutionBackwardFilter", s.what);
  return 0;
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// A matrix product's parameters for one call, checked.
struct MatMulShape {
  int64_t m, k, n, batch, flags, activation;
  float alpha, beta;
  std::string what;

  /// The products computed: 1, or the batch.
  int64_t products() const { return batch > 0 ? batch : 1; }
};

MatMulShape readMatMul(const int64_t *p, int64_t rows) {
  MatMulShape s;
  s.m = p[KILN_MATMUL_ROWS] >= 0 ? p[KILN_MATMUL_ROWS] : rows;
  s.k = p[KILN_MATMUL_INNER];
  s.n = p[KILN_MATMUL_COLUMNS];
  s.batch = p[KILN_MATMUL_BATCH];
  s.flags = p[KILN_MATMUL_FLAGS];
  s.activation = p[KILN_MATMUL_ACTIVATION];
  s.alpha = floatFromBits(p[KILN_MATMUL_ALPHA_BITS]);
  s.beta = floatFromBits(p[KILN_MATMUL_BETA_BITS]);
  s.what = "matmul " + std::to_string(s.m) + "x" + std::to_string(s.k) + " x " +
           std::to_string(s.k) + "x" + std::to_string(s.n);
  if (s.batch > 0)
    s.what = "batched " + s.what + ", batch " + std::to_string(s.batch);
  auto invalid = [&](const std::string &problem) {
    fail(KILN_INVALID_ARGUMENT, problem + " (" + s.what + ")");
  };
  if (s.m < 0)
    invalid("negative row count " + std::to_string(s.m));
  if (s.k <= 0 || s.n <= 0 || s.k > INT_MAX || s.n > INT_MAX || s.m > INT_MAX)
    invalid("sizes must be in 1 to 2^31 - 1");
  if (s.batch < 0 || s.batch > INT_MAX)
    invalid("batch " + std::to_string(s.batch) + " out of range");
  // Each operand's elements must be countable in 64 bits (and cuDNN's
  // epilogue descriptors in 31).
  for (int64_t inner : {s.k, s.n})
    if (s.m != 0 && s.products() > INT64_MAX / s.m / inner / 4)
      invalid("operands too large");
  if (s.products() > INT64_MAX / s.k / s.n / 4)
    invalid("operands too large");
  return s;
}

std::unique_ptr<Plan> planEpilogue(const MatMulShape &s) {
  auto plan = std::make_unique<Plan>(s.what);
  Descriptors &d = plan->descriptors;
  // The output as rows of N columns; the bias, one row to add to each.
  plan->out = d.tensor(s.products() * s.m, s.n, 1, 1);
  if (s.flags & KILN_KERNEL_HAS_BIAS)
    plan->bias = d.tensor(1, s.n, 1, 1);
  plan->activation = d.activation(s.activation, s.alpha, s.beta);
  return plan;
}

int32_t runMatMul(const int64_t *params, void **slot, int64_t rows,
                  const float *lhs, const float *rhs, const float *bias,
                  const float *residual, float *output) {
  const char *entry = "kiln_cuda_matmul";
  CudaRun *run = runForCall(entry);
  if (!run)
    return 1;
  KernelState &state =
      stateFor(slot, KILN_KERNEL_MATMUL, params, KILN_MATMUL_NUM_PARAMS, entry);
  MatMulShape s = readMatMul(state.params.data(), rows);
  bool hasBias = s.flags & KILN_KERNEL_HAS_BIAS;
  bool hasResidual =
      s.flags & (KILN_KERNEL_HAS_RESIDUAL | KILN_KERNEL_ACCUMULATE);
  residual = addedToOutput(s.flags, residual, output, s.what);
  if (s.m == 0)
    return 0; // An empty output.
  requirePointers(
      {lhs, rhs, output, hasBias ? bias : lhs, hasResidual ? residual : lhs},
      entry, s.what);
  bool epilogue = hasBias || s.activation != KILN_ACTIVATION_NONE;
  // Plans hold only the epilogue's descriptors; check the activation before
  // any work is queued.
  const Plan *plan = nullptr;
  cudnnHandle_t dnnHandle = nullptr;
  if (epilogue) {
    dnnHandle = cudnnHandle(*run, s.what);
    plan = &state.planFor(s.m, [&] { return planEpilogue(s); });
  }
  cublasHandle_t handle = cublasHandle(*run, s.what);
  size_t outputBytes = size_t(s.products() * s.m * s.n) * sizeof(float);
  float beta = startFromResidual(*run, hasResidual ? residual : nullptr, output,
                                 outputBytes, s.what);

  // cuBLAS is column-major: a row-major [M, N] product is the column-major
  // [N, M] product rhs^T x lhs^T, which reads both operands as they are.
  const Cublas &blas = cublasLibrary();
  const float one = 1;
  int m = int(s.m), n = int(s.n), k = int(s.k);
  if (s.batch > 0)
    checkCublas(blas.sgemmStridedBatched(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m,
                                         k, &one, rhs, n, s.k * s.n, lhs, k,
                                         s.m * s.k, &beta, output, n, s.m * s.n,
                                         int(s.batch)),
                "cublasSgemmStridedBatched", s.what);
  else
    checkCublas(blas.sgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, rhs,
                           n, lhs, k, &beta, output, n),
                "cublasSgemm", s.what);
  if (epilogue)
    applyEpilogue(dnnHandle, *plan, bias, output);
  return 0;
}

/// Runs `body`, recording its failure for the run (or the thread) and
/// returning 1 instead of letting an exception reach compiled code.
template <typename Body> int32_t guarded(const char *entry, Body body) {
  try {
    return body();
  } catch (const KernelFailure &failure) {
    recordError(failure.code, failure.message);
  } catch (const std::bad_alloc &) {
    recordError(KILN_OUT_OF_MEMORY, std::string(entry) + ": out of memory");
  } catch (const std::exception &error) {
    recordError(KILN_INTERNAL, std::string(entry) + ": " + error.what());
  } catch (...) {
    recordError(KILN_INTERNAL, std::string(entry) + ": unknown failure");
  }
  return 1;
}

} // namespace

void kiln::internal::cuda::retainKernels(const kiln_abi_kernel *kernels,
                                         int32_t count) {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (int32_t i = 0; i < count; ++i)
    ++registry()[kernels[i].state];
}

void kiln::internal::cuda::releaseKernels(const kiln_abi_kernel *kernels,
                                          int32_t count) {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (int32_t i = 0; i < count; ++i) {
    auto found = registry().find(kernels[i].state);
    if (found == registry().end() || --found->second > 0)
      continue;
    registry().erase(found);
    auto *state = static_cast<KernelState *>(
        __atomic_exchange_n(kernels[i].state, nullptr, __ATOMIC_ACQ_REL));
    delete state;
  }
}

extern "C" int32_t kiln_cuda_conv2d(const int64_t *params, void **state,
                                    int64_t batch, const float *input,
                                    const float *filter, const float *bias,
                                    const float *residual, float *output) {
  return guarded("kiln_cuda_conv2d", [&] {
    return runConvolution(KILN_KERNEL_CONV2D, "kiln_cuda_conv2d", params, state,
                          batch, input, filter, bias, residual, output);
  });
}

extern "C" int32_t
kiln_cuda_conv_transpose2d(const int64_t *params, void **state, int64_t batch,
                           const float *input, const float *filter,
                           const float *bias, const float *residual,
                           float *output) {
  return guarded("kiln_cuda_conv_transpose2d", [&] {
    return runConvolution(KILN_KERNEL_CONV_TRANSPOSE2D,
                          "kiln_cuda_conv_transpose2d", params, state, batch,
                          input, filter, bias, residual, output);
  });
}

extern "C" int32_t kiln_cuda_conv2d_backward_filter(
    const int64_t *params, void **state, int64_t batch, const float *input,
    const float *output_gradient, float *filter_gradient) {
  return guarded("kiln_cuda_conv2d_backward_filter", [&] {
    return runBackwardFilter(params, state, batch, input, output_gradient,
                             filter_gradient);
  });
}

extern "C" int32_t kiln_cuda_matmul(const int64_t *params, void **state,
                                    int64_t rows, const float *lhs,
                                    const float *rhs, const float *bias,
                                    const float *residual, float *output) {
  return guarded("kiln_cuda_matmul", [&] {
    return runMatMul(params, state, rows, lhs, rhs, bias, residual, output);
  });
}
