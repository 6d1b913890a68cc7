//===- sequence.cpp - Elements of sequences held in values and index ------===//
//
// Implements kiln_sequence_length() and kiln_sequence_element() of
// kiln/runtime.h. The index comes from a compiled module, but a caller may pass
// any tensor: every entry is checked before it is used to read `values`.
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include <cstring>

using namespace kiln::internal;

namespace {

/// Checks that `index` has the layout of a sequence index.
kiln_status *checkIndex(const kiln_tensor *index, const char *function) {
  if (!index)
    return makeError(KILN_INVALID_ARGUMENT, function, ": `index` is NULL");
  if (index->onDevice)
    return makeError(KILN_INVALID_ARGUMENT, function,
                     ": the index is in CUDA device memory; copy it with "
                     "kiln_tensor_copy_to_host()");
  if (index->dtype != KILN_DTYPE_I64 || index->rank != 2 ||
      index->shape[1] != KILN_SEQUENCE_INDEX_COLUMNS)
    return makeError(KILN_INVALID_ARGUMENT, function,
                     ": a sequence index is an i64 tensor of shape [n, ",
                     KILN_SEQUENCE_INDEX_COLUMNS, "], not ",
                     kiln_dtype_name(index->dtype), " ",
                     formatDims(index->shape, index->rank));
  return nullptr;
}

} // namespace

kiln_status *kiln_sequence_length(const kiln_tensor *index, int64_t *out) {
  if (kiln_status *status = checkIndex(index, "kiln_sequence_length"))
    return status;
  if (!out)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_sequence_length: `out` is NULL");
  *out = index->shape[0];
  return nullptr;
}

kiln_status *kiln_sequence_element(const kiln_tensor *values,
                                   const kiln_tensor *index, int64_t position,
                                   kiln_tensor **out) {
  const char *function = "kiln_sequence_element";
  if (kiln_status *status = checkIndex(index, function))
    return status;
  if (!values || !out)
    return makeError(KILN_INVALID_ARGUMENT, function,
                     ": `values` or `out` is NULL");
  if (values->onDevice)
    return makeError(KILN_INVALID_ARGUMENT, function,
                     ": the values are in CUDA device memory; copy them with "
                     "kiln_tensor_copy_to_host()");
  if (values->rank != 1 || values->dtype == KILN_DTYPE_STRING)
    return makeError(KILN_INVALID_ARGUMENT, function,
                     ": sequence values are a rank-1 tensor of numbers, not ",
                     kiln_dtype_name(values->dtype), " ",
                     formatDims(values->shape, values->rank));
  if (position < 0 || position >= index->shape[0])
    return makeError(KILN_OUT_OF_RANGE, function, ": position ", position,
                     " is outside the sequence's ", index->shape[0],
                     " elements");
  const auto *row = static_cast<const int64_t *>(index->data) +
                    position * KILN_SEQUENCE_INDEX_COLUMNS;
  const int64_t offset = row[0], rank = row[1];
  if (rank < 0 || rank > KILN_ABI_MAX_RANK)
    return makeError(KILN_INVALID_ARGUMENT, function, ": element ", position,
                     " has rank ", rank);
  int64_t elementCount;
  size_t byteSize;
  if (kiln_status *status =
          computeTensorSize(values->dtype, static_cast<size_t>(rank), row + 2,
                            elementCount, byteSize))
    return status;
  const int64_t available = values->shape[0];
  if (offset < 0 || offset > available || elementCount > available - offset)
    return makeError(KILN_INVALID_ARGUMENT, function, ": element ", position,
                     " (", elementCount, " values at offset ", offset,
                     ") is outside the ", available, " sequence values");
  kiln_tensor *element = nullptr;
  if (kiln_status *status = kiln_tensor_create(
          values->dtype, static_cast<size_t>(rank), row + 2, &element))
    return status;
  if (byteSize > 0)
    std::memcpy(element->data,
                static_cast<const char *>(values->data) +
                    offset *
                        static_cast<int64_t>(kiln_dtype_size(values->dtype)),
                byteSize);
  *out = element;
  return nullptr;
}
