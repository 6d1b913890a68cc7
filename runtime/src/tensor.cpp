//===- tensor.cpp - Tensor creation, wrapping and accessors ---------------===//
//
// Implements the tensor half of kiln/runtime.h. Every size is computed with
// checked arithmetic: a shape read from a malformed file must produce an
// error, not a short allocation.
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include <cstdlib>
#include <cstring>
#include <new>

using namespace kiln::internal;

namespace {

/// Owned storage is aligned for the widest vector loads compiled code uses.
constexpr size_t kStorageAlignment = 64;

/// Allocates a tensor object (without data) for a shape that
/// computeTensorSize() accepted.
kiln_tensor *newTensor(kiln_dtype dtype, size_t rank, const int64_t *shape,
                       int64_t elementCount, size_t byteSize) {
  auto *tensor = new (std::nothrow) kiln_tensor{};
  if (!tensor)
    return nullptr;
  tensor->dtype = dtype;
  tensor->rank = rank;
  for (size_t i = 0; i < rank; ++i)
    tensor->shape[i] = shape[i];
  tensor->elementCount = elementCount;
  tensor->byteSize = byteSize;
  return tensor;
}

/// Allocates zeroed, aligned storage of at least `byteSize` bytes. Empty
/// tensors still get a (minimal) block so that owned data is never NULL.
void *allocateStorage(size_t byteSize) {
  // computeTensorSize() keeps byteSize below INT64_MAX, so rounding up to the
  // alignment cannot wrap around.
  size_t rounded = (byteSize + kStorageAlignment - 1) / kStorageAlignment *
                   kStorageAlignment;
  if (rounded == 0)
    rounded = kStorageAlignment;
  void *data = std::aligned_alloc(kStorageAlignment, rounded);
  if (data)
    std::memset(data, 0, rounded);
  return data;
}

} // namespace

kiln_status *kiln::internal::computeTensorSize(kiln_dtype dtype, size_t rank,
                                               const int64_t *shape,
                                               int64_t &elementCount,
                                               size_t &byteSize) {
  size_t elementSize = kiln_dtype_size(dtype);
  if (elementSize == 0)
    return makeError(KILN_INVALID_ARGUMENT, "invalid tensor dtype ",
                     static_cast<int>(dtype));
  if (rank > KILN_ABI_MAX_RANK)
    return makeError(KILN_INVALID_ARGUMENT, "tensor rank ", rank,
                     " exceeds the maximum rank ", KILN_ABI_MAX_RANK);
  if (rank > 0 && !shape)
    return makeError(KILN_INVALID_ARGUMENT, "tensor of rank ", rank,
                     " has a NULL shape");
  for (size_t i = 0; i < rank; ++i)
    if (shape[i] < 0)
      return makeError(KILN_INVALID_ARGUMENT, "tensor dimension ", i, " is ",
                       shape[i], "; dimensions must be non-negative");

  // Every partial product must fit, even when a later dimension is zero:
  // compiled code computes strides from the same dimensions.
  int64_t count = 1;
  for (size_t i = 0; i < rank; ++i)
    if (__builtin_mul_overflow(count, shape[i] == 0 ? 1 : shape[i], &count))
      return makeError(KILN_OUT_OF_RANGE, "tensor of shape ",
                       formatDims(shape, rank),
                       " is too large: its element count overflows at "
                       "dimension ",
                       i, " (size ", shape[i], ")");
  for (size_t i = 0; i < rank; ++i)
    if (shape[i] == 0)
      count = 0;

  int64_t bytes;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(elementSize), &bytes))
    return makeError(KILN_OUT_OF_RANGE, "tensor of shape ",
                     formatDims(shape, rank), " and dtype ",
                     kiln_dtype_name(dtype),
                     " is too large: its byte size overflows");
  elementCount = count;
  byteSize = static_cast<size_t>(bytes);
  return nullptr;
}

kiln_status *kiln_tensor_create(kiln_dtype dtype, size_t rank,
                                const int64_t *shape, kiln_tensor **out) {
  if (!out)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_tensor_create: `out` is NULL");
  int64_t elementCount;
  size_t byteSize;
  if (kiln_status *status =
          computeTensorSize(dtype, rank, shape, elementCount, byteSize))
    return status;

  kiln_tensor *tensor = newTensor(dtype, rank, shape, elementCount, byteSize);
  void *data = tensor ? allocateStorage(byteSize) : nullptr;
  if (!data) {
    delete tensor;
    return makeError(KILN_OUT_OF_MEMORY, "cannot allocate ", byteSize,
                     " bytes for a tensor of shape ", formatDims(shape, rank));
  }
  tensor->data = data;
  tensor->ownsData = true;
  tensor->allocation = data;
  // Elements of owned string tensors are never NULL: they start as "".
  if (dtype == KILN_DTYPE_STRING) {
    auto **strings = static_cast<const char **>(data);
    for (int64_t i = 0; i < elementCount; ++i)
      strings[i] = kEmptyString;
  }
  *out = tensor;
  return nullptr;
}

kiln_status *kiln_tensor_wrap(kiln_dtype dtype, size_t rank,
                              const int64_t *shape, void *data,
                              size_t byte_size, kiln_tensor **out) {
  if (!out)
    return makeStatus(KILN_INVALID_ARGUMENT, "kiln_tensor_wrap: `out` is NULL");
  int64_t elementCount;
  size_t byteSize;
  if (kiln_status *status =
          computeTensorSize(dtype, rank, shape, elementCount, byteSize))
    return status;
  if (byte_size != byteSize)
    return makeError(KILN_INVALID_ARGUMENT, "buffer of ", byte_size,
                     " bytes does not match the ", byteSize,
                     " bytes of a tensor of dtype ", kiln_dtype_name(dtype),
                     " and shape ", formatDims(shape, rank));
  if (!data && byteSize != 0)
    return makeError(KILN_INVALID_ARGUMENT,
                     "cannot wrap a NULL buffer as a tensor of shape ",
                     formatDims(shape, rank));

  kiln_tensor *tensor = newTensor(dtype, rank, shape, elementCount, byteSize);
  if (!tensor)
    return outOfMemoryStatus();
  tensor->data = data;
  tensor->ownsData = false;
  tensor->allocation = nullptr;
  *out = tensor;
  return nullptr;
}

kiln_status *kiln::internal::viewModuleBuffer(kiln_dtype dtype, size_t rank,
                                              const int64_t *words,
                                              ModuleBufferView &view) {
  std::memcpy(&view.allocated, &words[0], sizeof(view.allocated));
  void *aligned;
  std::memcpy(&aligned, &words[1], sizeof(aligned));
  int64_t offset = words[2];
  const int64_t *sizes = words + 3, *strides = sizes + rank;
  view.sizes = sizes;
  auto reject = [&](const char *what) {
    return makeError(KILN_INTERNAL, "a compiled function returned an output ",
                     what, " (shape ", formatDims(sizes, rank), ")");
  };
  for (size_t i = 0; i < rank; ++i)
    if (sizes[i] < 0)
      return reject("with a negative size");
  if (kiln_status *status = computeTensorSize(dtype, rank, sizes,
                                              view.elementCount, view.byteSize))
    return status;
  // Dense row-major: each stride is the product of the sizes after it (dims
  // of size 1 may carry any stride).
  int64_t expected = 1;
  for (size_t i = rank; i-- > 0;) {
    if (sizes[i] != 1 && strides[i] != expected && view.elementCount != 0)
      return reject("that is not dense row-major data");
    expected *= sizes[i];
  }
  if (offset < 0 || (view.elementCount != 0 && !aligned))
    return reject("without valid data");
  // Address arithmetic only: the data may be in device memory.
  view.data = reinterpret_cast<void *>(reinterpret_cast<uintptr_t>(aligned) +
                                       static_cast<uintptr_t>(offset) *
                                           kiln_dtype_size(dtype));
  return nullptr;
}

kiln_status *kiln::internal::adoptModuleBuffer(kiln_dtype dtype, size_t rank,
                                               const int64_t *words,
                                               bool onKilnHeap,
                                               kiln_tensor **out) {
  ModuleBufferView view;
  kiln_status *status = viewModuleBuffer(dtype, rank, words, view);
  kiln_tensor *tensor = status ? nullptr
                               : newTensor(dtype, rank, view.sizes,
                                           view.elementCount, view.byteSize);
  if (!tensor) {
    // Buffers go back where the module took them from.
    if (onKilnHeap)
      freeModuleBuffer(view.allocated);
    else
      std::free(view.allocated);
    return status ? status : outOfMemoryStatus();
  }
  tensor->data = view.data;
  tensor->ownsData = true;
  tensor->allocation = view.allocated;
  tensor->allocationOnKilnHeap = onKilnHeap;
  *out = tensor;
  return nullptr;
}

void kiln_tensor_free(kiln_tensor *tensor) {
  if (!tensor)
    return;
  releaseStrings(*tensor);
  if (tensor->ownsData && tensor->allocationOnKilnHeap)
    freeModuleBuffer(tensor->allocation);
  else if (tensor->ownsData)
    std::free(tensor->allocation);
  delete tensor;
}

kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor) {
  return tensor ? tensor->dtype : KILN_DTYPE_INVALID;
}

size_t kiln_tensor_rank(const kiln_tensor *tensor) {
  return tensor ? tensor->rank : 0;
}

const int64_t *kiln_tensor_shape(const kiln_tensor *tensor) {
  return tensor ? tensor->shape : nullptr;
}

int64_t kiln_tensor_element_count(const kiln_tensor *tensor) {
  return tensor ? tensor->elementCount : 0;
}

size_t kiln_tensor_byte_size(const kiln_tensor *tensor) {
  return tensor ? tensor->byteSize : 0;
}

void *kiln_tensor_data(kiln_tensor *tensor) {
  return tensor ? tensor->data : nullptr;
}

const void *kiln_tensor_const_data(const kiln_tensor *tensor) {
  return tensor ? tensor->data : nullptr;
}

int kiln_tensor_owns_data(const kiln_tensor *tensor) {
  return tensor && tensor->ownsData ? 1 : 0;
}
