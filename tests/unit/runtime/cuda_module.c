/*===- cuda_module.c - A shared library that looks like a CUDA module -----===*
 *
 * Stands in for a module compiled for CUDA (KILN_TARGET_CUDA, sm_80) the way
 * MLIR's gpu-to-llvm lowering builds one: its global constructor records the
 * embedded PTX with mgpuModuleLoadJIT(), its destructor unloads it, and its
 * entries receive device memory and launch kernels through the runtime's
 * mgpu* functions. It exports
 *   vector_add(a: f32[1000], b: f32[1000]) -> sum: f32[1000]
 *   missing_kernel(x: f32[4]) -> y: f32[4]   asks for a kernel that is not
 *                                            in its GPU code
 * Without a CUDA device it cannot be loaded; with one, the GPU tests run it.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/module_abi.h"
#include "vector_add_ptx.h"

#include <stddef.h>

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} VectorF32;

/* The handle of the embedded GPU code, made when the library is loaded. */
static void *gpuModule;

__attribute__((constructor)) static void loadGpuCode(void) {
  gpuModule = mgpuModuleLoadJIT((void *)kVectorAddPtx, 2);
}

__attribute__((destructor)) static void unloadGpuCode(void) {
  mgpuModuleUnload(gpuModule);
}

/* Launches vector_add(a, b, out, n) on the run's stream. */
static void launchVectorAdd(void *kernel, float *a, float *b, float *out,
                            int64_t n) {
  void *stream = mgpuStreamCreate();
  void *params[4] = {&a, &b, &out, &n};
  mgpuLaunchKernel(kernel, (n + 255) / 256, 1, 1, 256, 1, 1, 0, stream, params,
                   NULL, 4);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

static int32_t vectorAddEntry(void **descriptors) {
  const VectorF32 *a = (const VectorF32 *)descriptors[0];
  const VectorF32 *b = (const VectorF32 *)descriptors[1];
  const VectorF32 *sum = (const VectorF32 *)descriptors[2];
  launchVectorAdd(mgpuModuleGetFunction(gpuModule, "vector_add"),
                  a->aligned + a->offset, b->aligned + b->offset,
                  sum->aligned + sum->offset, sum->sizes[0]);
  return 0;
}

static int32_t missingKernelEntry(void **descriptors) {
  const VectorF32 *x = (const VectorF32 *)descriptors[0];
  const VectorF32 *y = (const VectorF32 *)descriptors[1];
  /* NULL, with the error recorded; the launch then does nothing. */
  launchVectorAdd(mgpuModuleGetFunction(gpuModule, "no_such_kernel"),
                  x->aligned, x->aligned, y->aligned, y->sizes[0]);
  return 0;
}

static const int64_t kLongDims[1] = {1000};
static const int64_t kShortDims[1] = {4};

static const kiln_abi_value kAddInputs[2] = {
    {"a", KILN_DTYPE_F32, 1, kLongDims}, {"b", KILN_DTYPE_F32, 1, kLongDims}};
static const kiln_abi_value kAddOutputs[1] = {
    {"sum", KILN_DTYPE_F32, 1, kLongDims}};
static const kiln_abi_value kMissingInputs[1] = {
    {"x", KILN_DTYPE_F32, 1, kShortDims}};
static const kiln_abi_value kMissingOutputs[1] = {
    {"y", KILN_DTYPE_F32, 1, kShortDims}};

static const kiln_abi_function kFunctions[2] = {
    {"vector_add", vectorAddEntry, 2, 1, kAddInputs, kAddOutputs, 0, NULL},
    {"missing_kernel", missingKernelEntry, 1, 1, kMissingInputs,
     kMissingOutputs, 0, NULL}};

__attribute__((visibility("default")))
const kiln_abi_module kiln_module_abi_v1 = {
    KILN_ABI_MAGIC, KILN_ABI_VERSION, 2, kFunctions, "kiln-test cuda module"};

__attribute__((visibility("default")))
const kiln_abi_module_info kiln_module_info_v1 = {KILN_MODULE_INFO_MAGIC,
                                                  KILN_MODULE_INFO_VERSION,
                                                  0,
                                                  NULL,
                                                  0,
                                                  NULL,
                                                  KILN_TARGET_CUDA,
                                                  "sm_80"};
