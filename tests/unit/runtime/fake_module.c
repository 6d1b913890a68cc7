/*===- fake_module.c - A shared library that looks like a compiled module --===*
 *
 * Stands in for the compiler's output in the loading tests: it exports a
 * valid kiln_module_abi_v1 table with two functions,
 *   add(a: f32[2,3], b: f32[2,3]) -> sum: f32[2,3]
 *   negate(x: i32[4]) -> y: i32[4]
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/module_abi.h"

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} MatrixF32;

typedef struct {
  int32_t *allocated;
  int32_t *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} VectorI32;

static int32_t addEntry(void **descriptors) {
  const MatrixF32 *a = (const MatrixF32 *)descriptors[0];
  const MatrixF32 *b = (const MatrixF32 *)descriptors[1];
  const MatrixF32 *sum = (const MatrixF32 *)descriptors[2];
  if (sum->sizes[0] != 2 || sum->sizes[1] != 3 || sum->strides[0] != 3 ||
      sum->strides[1] != 1)
    return 1;
  for (int i = 0; i < 6; ++i)
    sum->aligned[i] = a->aligned[i] + b->aligned[i];
  return 0;
}

static int32_t negateEntry(void **descriptors) {
  const VectorI32 *x = (const VectorI32 *)descriptors[0];
  const VectorI32 *y = (const VectorI32 *)descriptors[1];
  for (int64_t i = 0; i < x->sizes[0]; ++i)
    y->aligned[i] = -x->aligned[i];
  return 0;
}

static const int64_t kMatrixDims[2] = {2, 3};
static const int64_t kVectorDims[1] = {4};

static const kiln_abi_value kAddInputs[2] = {
    {"a", KILN_DTYPE_F32, 2, kMatrixDims},
    {"b", KILN_DTYPE_F32, 2, kMatrixDims}};
static const kiln_abi_value kAddOutputs[1] = {
    {"sum", KILN_DTYPE_F32, 2, kMatrixDims}};
static const kiln_abi_value kNegateInputs[1] = {
    {"x", KILN_DTYPE_I32, 1, kVectorDims}};
static const kiln_abi_value kNegateOutputs[1] = {
    {"y", KILN_DTYPE_I32, 1, kVectorDims}};

static const kiln_abi_function kFunctions[2] = {
    {"add", addEntry, 2, 1, kAddInputs, kAddOutputs},
    {"negate", negateEntry, 1, 1, kNegateInputs, kNegateOutputs}};

__attribute__((visibility("default")))
const kiln_abi_module kiln_module_abi_v1 = {
    KILN_ABI_MAGIC, KILN_ABI_VERSION, 2, kFunctions, "kiln-test fake module"};
