/*===- kiln/kernel_abi.h - Library kernels called by compiled modules -----===*
 *
 * Compiled modules call these functions of libkiln_runtime for the ops that
 * kernel selection gave to a library (`kiln_rt` ops, `--cpu-kernels=onednn`).
 * Programs do not call them: they are part of the contract between the code
 * Kiln generates and its runtime, like module_abi.h.
 *
 * Each call site has two module globals: a constant parameter vector (int64_t
 * values at the KILN_*_ indices below) and a writable state word, NULL when
 * the module is mapped. The runtime keeps its prepared kernel there (the
 * oneDNN primitive, weights already reordered to its layout): it prepares
 * every kernel listed in the module's kiln_abi_kernels table when the module
 * is loaded, and frees them when the last module object using them is freed.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_KERNEL_ABI_H
#define KILN_KERNEL_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define KILN_KERNEL_API __attribute__((visibility("default")))
#else
#define KILN_KERNEL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of library kernels (kiln_abi_kernel::kind). */
#define KILN_KERNEL_CONV2D 1
#define KILN_KERNEL_MATMUL 2
/* A transposed convolution (ONNX ConvTranspose); parameters as CONV2D's. A
   kind of its own, so that a runtime without it rejects the module instead of
   running a plain convolution. */
#define KILN_KERNEL_CONV_TRANSPOSE2D 3
/* The gradient of a convolution's filter (a training step's): parameters as
   CONV2D's for the forward convolution (HEIGHT and WIDTH the input's, OUT_H
   and OUT_W the output gradient's, FILTERS its channels; no bias, residual or
   activation), see kiln_kernel_conv2d_backward_filter. */
#define KILN_KERNEL_CONV2D_BACKWARD_FILTER 4

/** Activations applied last, after bias and residual (parameter ACTIVATION). */
#define KILN_ACTIVATION_NONE 0
#define KILN_ACTIVATION_RELU 1
#define KILN_ACTIVATION_LEAKY_RELU 2 /* slope ALPHA */
#define KILN_ACTIVATION_CLIP 3       /* to [ALPHA, BETA] */
#define KILN_ACTIVATION_SIGMOID 4
#define KILN_ACTIVATION_TANH 5

/** Bits of parameter FLAGS. */
#define KILN_KERNEL_HAS_BIAS 1
#define KILN_KERNEL_HAS_RESIDUAL 2
/* The weights operand is a constant of the module: the runtime may reorder it
   once and keep the copy. */
#define KILN_KERNEL_CONSTANT_WEIGHTS 4
/* Convolutions: input, residual and output hold their channels last (NHWC);
   the parameters still give C, H and W by name. */
#define KILN_KERNEL_NHWC 8
/* Convolutions and matrix products: `output` holds, on entry, the values to
   add in place of a residual (then absent), and the result is added to them:
   `output = act(product + bias + output)`. */
#define KILN_KERNEL_ACCUMULATE 16

/** Parameters of KILN_KERNEL_CONV2D (NCHW input and output, or NHWC with
    KILN_KERNEL_NHWC; FCHW filter) and of KILN_KERNEL_CONV_TRANSPOSE2D (the
    same layouts, with a [CHANNELS, FILTERS / GROUPS, KERNEL_H, KERNEL_W]
    filter, as ONNX's ConvTranspose). CHANNELS are the input's channels and
    FILTERS the output's either way; a transposed convolution's output padding
    is implied by OUT_H and OUT_W. KILN_KERNEL_CONV2D_BACKWARD_FILTER has the
    parameters of the convolution whose filter gradient it computes (its
    output gradient in the output's layout, the filter gradient FCHW).
    BATCH is -1 when it is known only at run time (then it is an argument). */
enum {
  KILN_CONV2D_BATCH,
  KILN_CONV2D_CHANNELS,
  KILN_CONV2D_HEIGHT,
  KILN_CONV2D_WIDTH,
  KILN_CONV2D_FILTERS,
  KILN_CONV2D_KERNEL_H,
  KILN_CONV2D_KERNEL_W,
  KILN_CONV2D_OUT_H,
  KILN_CONV2D_OUT_W,
  KILN_CONV2D_STRIDE_H,
  KILN_CONV2D_STRIDE_W,
  KILN_CONV2D_PAD_TOP,
  KILN_CONV2D_PAD_LEFT,
  KILN_CONV2D_PAD_BOTTOM,
  KILN_CONV2D_PAD_RIGHT,
  KILN_CONV2D_DILATION_H,
  KILN_CONV2D_DILATION_W,
  KILN_CONV2D_GROUPS,
  KILN_CONV2D_FLAGS,
  KILN_CONV2D_ACTIVATION,
  KILN_CONV2D_ALPHA_BITS, /* the float's bits, as uint32 */
  KILN_CONV2D_BETA_BITS,
  KILN_CONV2D_NUM_PARAMS
};

/** Parameters of KILN_KERNEL_MATMUL ([M, K] x [K, N], row-major). ROWS is -1
    when M is known only at run time. */
enum {
  KILN_MATMUL_ROWS,
  KILN_MATMUL_INNER,
  KILN_MATMUL_COLUMNS,
  KILN_MATMUL_FLAGS,
  KILN_MATMUL_ACTIVATION,
  KILN_MATMUL_ALPHA_BITS,
  KILN_MATMUL_BETA_BITS,
  /* 0 for one product; B > 0 for B independent products ([B, M, K] x
     [B, K, N] -> [B, M, N], M static), as attention's batched products. */
  KILN_MATMUL_BATCH,
  KILN_MATMUL_NUM_PARAMS
};

/** One call site, for the module info's kernel table. */
typedef struct kiln_abi_kernel {
  int32_t kind;          /* KILN_KERNEL_* */
  int32_t num_params;    /* entries in `params` */
  const int64_t *params; /* the parameter vector of the call site */
  void **state;          /* the call site's state word */
} kiln_abi_kernel;

/**
 * Runs a convolution: `output = act(conv(input, filter) + bias + residual)`.
 * `batch` is the run-time batch (used when BATCH is -1); `bias` and `residual`
 * are NULL unless FLAGS says they are there (with KILN_KERNEL_ACCUMULATE the
 * residual is `output` itself). Returns 0, or a non-zero code when
 * the kernel could not be prepared or run (the generated code then fails the
 * call with a message naming the op).
 */
KILN_KERNEL_API int32_t kiln_kernel_conv2d(const int64_t *params, void **state,
                                           int64_t batch, const float *input,
                                           const float *filter,
                                           const float *bias,
                                           const float *residual,
                                           float *output);

/**
 * Runs a transposed convolution: `output = act(conv_transpose(input, filter) +
 * bias + residual)`, with the arguments of kiln_kernel_conv2d.
 */
KILN_KERNEL_API int32_t kiln_kernel_conv_transpose2d(
    const int64_t *params, void **state, int64_t batch, const float *input,
    const float *filter, const float *bias, const float *residual,
    float *output);

/**
 * Computes the gradient of a convolution's filter: `filter_gradient` (plain
 * [FILTERS, CHANNELS / GROUPS, KERNEL_H, KERNEL_W]) = d(sum(conv(input, W) *
 * output_gradient)) / dW, from the convolution's `input` and the gradient of
 * its output, `output_gradient` (both NHWC with KILN_KERNEL_NHWC, else NCHW).
 * `batch` is the run-time batch (used when BATCH is -1). Returns 0, or a
 * non-zero code as kiln_kernel_conv2d.
 */
KILN_KERNEL_API int32_t kiln_kernel_conv2d_backward_filter(
    const int64_t *params, void **state, int64_t batch, const float *input,
    const float *output_gradient, float *filter_gradient);

/** Runs a matrix product: `output = act(lhs x rhs + bias + residual)`. */
KILN_KERNEL_API int32_t kiln_kernel_matmul(const int64_t *params, void **state,
                                           int64_t rows, const float *lhs,
                                           const float *rhs, const float *bias,
                                           const float *residual,
                                           float *output);

/**
 * The heap of generated code: compiled modules allocate and free their
 * intermediate tensors with these (MLIR's generic allocation functions)
 * instead of malloc and free. Blocks freed on a thread are kept for that
 * thread's next allocation of the same size (up to 4 GiB per thread), so
 * that repeated runs of a model reuse their memory instead of faulting in
 * fresh pages. `alignment` is a power of two; NULL when out of memory.
 */
KILN_KERNEL_API void *_mlir_memref_to_llvm_alloc(size_t size);
KILN_KERNEL_API void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                         size_t size);
KILN_KERNEL_API void _mlir_memref_to_llvm_free(void *pointer);

/*===--- Parallel loops: MLIR's async runtime ABI -------------------------===*
 *
 * Loops that the compiler lowers with MLIR's async passes (async-parallel-for
 * with async-dispatch=true and num-workers=-1, async-to-async-runtime,
 * async-runtime-ref-counting(-opt), convert-async-to-llvm) call the
 * mlirAsyncRuntime* functions that MLIR declares in
 * mlir/ExecutionEngine/AsyncRuntime.h. libkiln_runtime exports all of them,
 * with the same names and C signatures (including the upstream spelling
 * mlirAsyncRuntimGetNumWorkerThreads), so modules need neither MLIR's
 * libmlir_async_runtime nor any other library; they are not redeclared here.
 *
 * - The parallelism of a run is its session's num_threads (1 outside
 *   sessions): mlirAsyncRuntimGetNumWorkerThreads() returns it, and with 1
 *   every task runs inline on the calling thread, exactly like sequential
 *   code.
 * - Otherwise Execute queues tasks (FIFO) and the thread that awaits runs
 *   them on an OpenMP parallel region of the run's parallelism: the threads
 *   oneDNN's kernels run on, so that the two never compete for cores.
 * - Tokens and values start with two references (the creator's and the one
 *   emplacing them drops), groups with one, as in MLIR's implementation.
 *   NULL objects count as ready and in error; no call crashes on NULL.
 *
 *===----------------------------------------------------------------------===*/

/*===--- CUDA modules -----------------------------------------------------===*
 *
 * A module whose info table says KILN_TARGET_CUDA keeps every tensor in CUDA
 * device memory and calls the functions below, whose names and signatures are
 * those MLIR's `gpu-to-llvm` lowering emits (MLIR's CudaRuntimeWrappers.cpp).
 * libkiln_runtime implements them on the CUDA driver, which it loads with
 * dlopen (it never links libcuda): see docs/cuda.md.
 *
 * The driver-facing calls work inside a run of a CUDA function (the runtime
 * makes one for kiln_function_run() and kiln_session_run()): they use that
 * run's stream, and the first one that fails records its reason in the run,
 * which then fails with that message; the calls after it do nothing. Outside
 * a run they record their error on the calling thread instead
 * (kiln_cuda_take_thread_error() in runtime.h) and return harmlessly. No call
 * crashes on a NULL or unknown handle.
 *
 *===----------------------------------------------------------------------===*/

/**
 * Records the GPU code `data` (a cubin, fatbin or PTX image of `gpuBlobSize`
 * bytes) and returns a handle to it. Called from a module's global
 * constructor, possibly on a machine without a GPU: it does not touch the
 * driver. The image is loaded on the first mgpuModuleGetFunction() that needs
 * it. `data` must stay valid until mgpuModuleUnload(). NULL when out of memory.
 */
KILN_KERNEL_API void *mgpuModuleLoad(void *data, size_t gpuBlobSize);

/**
 * Like mgpuModuleLoad() for NUL-terminated PTX text, JIT-compiled by the
 * driver at optimization level `optLevel` (0 to 4) when it is first needed.
 */
KILN_KERNEL_API void *mgpuModuleLoadJIT(void *data, int optLevel);

/**
 * Unloads the image behind `module` (if it was loaded and the driver is still
 * up) and frees the handle; NULL is ignored. Called from a module's global
 * destructor.
 */
KILN_KERNEL_API void mgpuModuleUnload(void *module);

/**
 * The kernel `name` of `module`, an opaque handle for mgpuLaunchKernel()
 * (not a CUfunction), loading the image into the driver on first use;
 * remembered per (module, name) until mgpuModuleUnload(). NULL, with an error
 * recorded, when the image cannot be loaded or has no such kernel.
 */
KILN_KERNEL_API void *mgpuModuleGetFunction(void *module, const char *name);

/**
 * Launches `function` on `stream` with a grid of gridX x gridY x gridZ blocks
 * of blockX x blockY x blockZ threads and `smem` bytes of dynamic shared
 * memory; `params` holds `paramsCount` pointers to the kernel's arguments.
 */
KILN_KERNEL_API void mgpuLaunchKernel(void *function, intptr_t gridX,
                                      intptr_t gridY, intptr_t gridZ,
                                      intptr_t blockX, intptr_t blockY,
                                      intptr_t blockZ, int32_t smem,
                                      void *stream, void **params,
                                      void **extra, size_t paramsCount);

/**
 * The current run's stream (the session's, or the thread's outside a
 * session), so that all the work of a run is ordered on one stream. Outside a
 * run: NULL, with an error recorded. A NULL stream passed to the calls below
 * means the run's stream too.
 */
KILN_KERNEL_API void *mgpuStreamCreate(void);
/** Does nothing: the streams mgpuStreamCreate() returns belong to the
    runtime (sessions and threads), which destroys them. */
KILN_KERNEL_API void mgpuStreamDestroy(void *stream);
/** Waits until the work queued on `stream` is done. */
KILN_KERNEL_API void mgpuStreamSynchronize(void *stream);
/** Makes later work on `stream` wait for `event`. */
KILN_KERNEL_API void mgpuStreamWaitEvent(void *stream, void *event);

/** A new event (without timing), or NULL with an error recorded. */
KILN_KERNEL_API void *mgpuEventCreate(void);
/** Destroys `event`; NULL is ignored. */
KILN_KERNEL_API void mgpuEventDestroy(void *event);
/** Waits until `event` has happened. */
KILN_KERNEL_API void mgpuEventSynchronize(void *event);
/** Records `event` on `stream`. */
KILN_KERNEL_API void mgpuEventRecord(void *event, void *stream);

/**
 * Allocates `sizeBytes` of device memory, ordered on `stream` (managed memory
 * that the host can read too when `isHostShared`). Inside a run, a block that
 * the module does not free with mgpuMemFree() is freed when the run ends (the
 * run copies outputs with a run-time size to the host first). 0 bytes gives
 * NULL without an error, as MLIR's wrappers do; a failure gives NULL with an
 * error recorded ("out of device memory allocating N bytes").
 */
KILN_KERNEL_API void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                                   bool isHostShared);
/** Frees a block of mgpuMemAlloc(), ordered on `stream`; NULL is ignored. */
KILN_KERNEL_API void mgpuMemFree(void *ptr, void *stream);
/** Copies `sizeBytes` bytes from `src` to `dst` (device or host addresses),
    ordered on `stream`. */
KILN_KERNEL_API void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                void *stream);
/** Sets `count` 32-bit words at `dst` to `value`, ordered on `stream`. */
KILN_KERNEL_API void mgpuMemset32(void *dst, unsigned int value, size_t count,
                                  void *stream);
/** Sets `count` 16-bit words at `dst` to `value`, ordered on `stream`. */
KILN_KERNEL_API void mgpuMemset16(void *dst, unsigned short value,
                                  size_t count, void *stream);

/**
 * Returns the device address of a copy of the `bytes` bytes at `host` (a
 * constant global of the module), made on the first call and remembered in
 * `*slot` (a writable pointer-sized global of the module, NULL when mapped),
 * so that later calls and runs reuse it (0 bytes get a 1-byte block, so that
 * success is never NULL). The copy is freed when the last
 * module object loaded from the same library (or executable) is freed, and
 * `*slot` is reset then. NULL, with an error recorded (for the current run,
 * else for the thread), when it cannot be made. Thread-safe; works outside a
 * run too when a CUDA device is usable.
 */
KILN_KERNEL_API void *kiln_cuda_constant(void **slot, const void *host,
                                         uint64_t bytes);

/*===--- Library kernels of CUDA modules ----------------------------------===*
 *
 * The kernels above for modules compiled for CUDA, on cuDNN 9 (convolutions)
 * and cuBLAS (matrix products), which libkiln_runtime loads with dlopen on
 * first use (see docs/cuda.md, "Library kernels"). They take the parameter
 * vectors of the CPU kernels and compute the same thing, with these
 * differences:
 *
 *  - every tensor pointer is a DEVICE address; tensors are NCHW (FLAGS never
 *    has KILN_KERNEL_NHWC), filters FCHW ([C, F / GROUPS, KH, KW] for a
 *    transposed convolution), matrices row-major;
 *  - they are called inside a run of a CUDA function and queue their work on
 *    the run's stream (outside a run they fail, recording why for the
 *    thread, as the mgpu* calls do);
 *  - activations: NONE, RELU, SIGMOID, TANH, and CLIP with ALPHA 0 (BETA may
 *    be FLT_MAX); others fail;
 *  - products are computed in fp32 without TF32.
 *
 * The state word is not prepared at load time: the first call creates the
 * call site's state (cuDNN descriptors and algorithm per batch size),
 * thread-safely; it is freed, and the word reset, with the last module object
 * using it. Each returns 0, or non-zero after recording the reason in the
 * run ("cuDNN: cudnnConvolutionForward failed: CUDNN_STATUS_... (conv 3x3,
 * 64->64 channels, batch 32)"), which then fails with it.
 *
 *===----------------------------------------------------------------------===*/

/** kiln_kernel_conv2d() on device memory:
    `output = act(conv(input, filter) + bias + residual)`. */
KILN_KERNEL_API int32_t kiln_cuda_conv2d(const int64_t *params, void **state,
                                         int64_t batch, const float *input,
                                         const float *filter,
                                         const float *bias,
                                         const float *residual,
                                         float *output);

/** kiln_kernel_conv_transpose2d() on device memory (cuDNN's backward data
    pass of the convolution it inverts). */
KILN_KERNEL_API int32_t kiln_cuda_conv_transpose2d(
    const int64_t *params, void **state, int64_t batch, const float *input,
    const float *filter, const float *bias, const float *residual,
    float *output);

/** kiln_kernel_conv2d_backward_filter() on device memory: writes the whole
    [FILTERS, CHANNELS / GROUPS, KERNEL_H, KERNEL_W] gradient. */
KILN_KERNEL_API int32_t kiln_cuda_conv2d_backward_filter(
    const int64_t *params, void **state, int64_t batch, const float *input,
    const float *output_gradient, float *filter_gradient);

/** kiln_kernel_matmul() on device memory: `output = act(lhs x rhs + bias +
    residual)`, the bias one value per column; a batch of products
    (KILN_MATMUL_BATCH > 0) is one strided batched product. */
KILN_KERNEL_API int32_t kiln_cuda_matmul(const int64_t *params, void **state,
                                         int64_t rows, const float *lhs,
                                         const float *rhs, const float *bias,
                                         const float *residual,
                                         float *output);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_KERNEL_ABI_H */
