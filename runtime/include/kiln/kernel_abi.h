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
 * are NULL unless FLAGS says they are there. Returns 0, or a non-zero code when
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_KERNEL_ABI_H */
