//===- tensor.cpp - Tensor creation, wrapping and accessors ---------------===//
//
// Implements the tensor half of kiln/runtime.h, including tensors in CUDA
// device memory and copies between host and device. Every size is computed
// with checked arithmetic: a shape read from a malformed file must produce an
// error, not a short allocation.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

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

/// Creates a tensor of a checked shape in uninitialized device memory;
/// failures start with `caller`.
kiln_status *newDeviceTensor(kiln_dtype dtype, size_t rank,
                             const int64_t *shape, int64_t elementCount,
                             size_t byteSize, const char *caller,
                             kiln_tensor **out) {
  if (dtype == KILN_DTYPE_STRING)
    return makeError(KILN_INVALID_ARGUMENT, caller,
                     ": string tensors cannot be in device memory (their "
                     "elements are host pointers)");
  kiln_tensor *tensor = newTensor(dtype, rank, shape, elementCount, byteSize);
  if (!tensor)
    return outOfMemoryStatus();
  void *data = nullptr;
  if (kiln_status *status =
          kiln::internal::cuda::allocateTensorMemory(byteSize, caller, &data)) {
    delete tensor;
    return status;
  }
  tensor->data = data;
  tensor->ownsData = true;
  tensor->allocation = data;
  tensor->onDevice = true;
  *out = tensor;
  return nullptr;
}

/// Replaces the strings of the owned string tensor `destination` by copies
/// of those of `source` (same element count), all or nothing.
kiln_status *copyStringElements(const kiln_tensor &source,
                                kiln_tensor &destination, const char *caller) {
  if (!destination.ownsData)
    return makeError(KILN_INVALID_ARGUMENT, caller,
                     ": the destination is a string tensor that borrows its "
                     "storage; copies of strings need a tensor that owns "
                     "them (kiln_tensor_create())");
  auto *strings = static_cast<const char *const *>(source.data);
  std::vector<const char *> copies(strings, strings + source.elementCount);
  if (kiln_status *status = copyStrings(copies.data(), source.elementCount))
    return status;
  releaseStrings(destination);
  std::memcpy(destination.data, copies.data(),
              copies.size() * sizeof(const char *));
  return nullptr;
}

/// Copies the data of `source` into `destination`, which has its dtype and
/// shape, wherever each of them is.
kiln_status *copyData(const kiln_tensor &source, kiln_tensor &destination,
                      const char *caller) {
  if (&source == &destination || source.byteSize == 0)
    return nullptr;
  if (source.onDevice || destination.onDevice)
    return kiln::internal::cuda::copyMemory(
        destination.data, destination.onDevice, source.data, source.onDevice,
        source.byteSize, caller);
  if (source.dtype == KILN_DTYPE_STRING)
    return copyStringElements(source, destination, caller);
  // Wrapped host tensors may overlap.
  std::memmove(destination.data, source.data, source.byteSize);
  return nullptr;
}

/// Checks that `source` and `destination` have one dtype and shape.
kiln_status *checkSameLayout(const kiln_tensor &source,
                             const kiln_tensor &destination,
                             const char *caller) {
  bool same =
      source.dtype == destination.dtype && source.rank == destination.rank &&
      std::equal(source.shape, source.shape + source.rank, destination.shape);
  if (same)
    return nullptr;
  return makeError(
      KILN_INVALID_ARGUMENT, caller, ": the source is ",
      kiln_dtype_name(source.dtype), " ", formatDims(source.shape, source.rank),
      " but the destination is ", kiln_dtype_name(destination.dtype), " ",
      formatDims(destination.shape, destination.rank),
      "; their dtypes and shapes must match");
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

kiln_status *kiln_tensor_create_on_device(kiln_dtype dtype, size_t rank,
                                          const int64_t *shape,
                                          kiln_tensor **out) {
  const char *caller = "kiln_tensor_create_on_device";
  if (!out)
    return makeError(KILN_INVALID_ARGUMENT, caller, ": `out` is NULL");
  int64_t elementCount;
  size_t byteSize;
  if (kiln_status *status =
          computeTensorSize(dtype, rank, shape, elementCount, byteSize))
    return status;
  return newDeviceTensor(dtype, rank, shape, elementCount, byteSize, caller,
                         out);
}

kiln_status *kiln_tensor_copy_to_device(const kiln_tensor *host,
                                        kiln_tensor **out) {
  const char *caller = "kiln_tensor_copy_to_device";
  if (!host || !out)
    return makeError(KILN_INVALID_ARGUMENT, caller,
                     ": `host` and `out` must not be NULL");
  kiln_tensor *copy = nullptr;
  if (kiln_status *status =
          newDeviceTensor(host->dtype, host->rank, host->shape,
                          host->elementCount, host->byteSize, caller, &copy))
    return status;
  if (kiln_status *status = copyData(*host, *copy, caller)) {
    kiln_tensor_free(copy);
    return status;
  }
  *out = copy;
  return nullptr;
}

kiln_status *kiln_tensor_copy_to_host(const kiln_tensor *device,
                                      kiln_tensor **out) {
  const char *caller = "kiln_tensor_copy_to_host";
  if (!device || !out)
    return makeError(KILN_INVALID_ARGUMENT, caller,
                     ": `device` and `out` must not be NULL");
  kiln_tensor *copy = nullptr;
  if (kiln_status *status =
          kiln_tensor_create(device->dtype, device->rank, device->shape, &copy))
    return status;
  if (kiln_status *status = copyData(*device, *copy, caller)) {
    kiln_tensor_free(copy);
    return status;
  }
  *out = copy;
  return nullptr;
}

kiln_status *kiln_tensor_copy(const kiln_tensor *source,
                              kiln_tensor *destination) {
  const char *caller = "kiln_tensor_copy";
  if (!source || !destination)
    return makeError(KILN_INVALID_ARGUMENT, caller,
                     ": `source` and `destination` must not be NULL");
  if (kiln_status *status = checkSameLayout(*source, *destination, caller))
    return status;
  return copyData(*source, *destination, caller);
}

int kiln_tensor_is_on_device(const kiln_tensor *tensor) {
  return tensor && tensor->onDevice ? 1 : 0;
}

void kiln_tensor_free(kiln_tensor *tensor) {
  if (!tensor)
    return;
  releaseStrings(*tensor);
  if (tensor->ownsData && tensor->onDevice)
    kiln::internal::cuda::freeTensorMemory(tensor->allocation);
  else if (tensor->ownsData && tensor->allocationOnKilnHeap)
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
