/*===- weights_module.c - A module whose weights live in a separate file ---===*
 *
 * Stands in for `kiln-compile --weights=file` output in the loading tests. It
 * exports the module table and an info table whose weights table names
 * "weights_module.weights": 64 bytes holding the floats 1.0, 1.5, ..., 8.5
 * (little-endian), split over two zero-initialized globals. One function,
 *   read_weights() -> w: f32[16]
 * returns what the globals hold, so a test sees whether they were filled.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/module_abi.h"

#include <string.h>

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} VectorF32;

/* Filled by the runtime from the weights file. */
static float firstHalf[8];
static float secondHalf[8];
static uint32_t weightsState;

static int32_t readWeightsEntry(void **descriptors) {
  const VectorF32 *w = (const VectorF32 *)descriptors[0];
  memcpy(w->aligned, firstHalf, sizeof firstHalf);
  memcpy(w->aligned + 8, secondHalf, sizeof secondHalf);
  return 0;
}

static const int64_t kSixteen[1] = {16};
static const kiln_abi_value kOutputs[1] = {{"w", KILN_DTYPE_F32, 1, kSixteen}};
static const kiln_abi_function kFunctions[1] = {
    {"read_weights", readWeightsEntry, 0, 1, 0, kOutputs}};

static const kiln_abi_weight_segment kSegments[2] = {
    {0, sizeof firstHalf, firstHalf}, {32, sizeof secondHalf, secondHalf}};

static const kiln_abi_weights kWeights = {
    KILN_WEIGHTS_MAGIC, KILN_WEIGHTS_VERSION, "weights_module.weights", 64,
    /* FNV-1a 64 of the 64 bytes; WeightsTest checks it with kiln_checksum. */
    0x1e2945c7a11fc5edull, 2, kSegments, &weightsState};

__attribute__((visibility("default")))
const kiln_abi_module kiln_module_abi_v1 = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                            kFunctions,
                                            "kiln-test weights module"};

__attribute__((visibility("default")))
const kiln_abi_module_info kiln_module_info_v1 = {
    KILN_MODULE_INFO_MAGIC, KILN_MODULE_INFO_VERSION, 0, &kWeights};
