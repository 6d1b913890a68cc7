//===- checksum.cpp - FNV-1a checksums of bytes and tensors ---------------===//
//
// One hash serves two purposes: the checksum that Kiln's tools print for every
// output (so that a C program can compute the same number), and the integrity
// check of a separate weights file. FNV-1a is simple enough to write down in
// the documentation in full.
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include <cstring>

uint64_t kiln::internal::fnv1a64(const void *data, size_t size, uint64_t hash) {
  constexpr uint64_t kPrime = 0x100000001b3ull;
  const auto *bytes = static_cast<const unsigned char *>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= kPrime;
  }
  return hash;
}

uint64_t kiln_checksum(const void *data, size_t size) {
  if (!data)
    size = 0;
  return kiln::internal::fnv1a64(data, size);
}

uint64_t kiln_tensor_checksum(const kiln_tensor *tensor) {
  if (!tensor)
    return kiln_checksum(nullptr, 0);
  if (tensor->onDevice) {
    // Device memory is not readable here: hash a host copy. When the copy
    // fails, the checksum of no bytes (as documented).
    kiln_tensor *copy = nullptr;
    if (kiln_status *status = kiln_tensor_copy_to_host(tensor, &copy)) {
      kiln_status_free(status);
      return kiln_checksum(nullptr, 0);
    }
    uint64_t hash = kiln_tensor_checksum(copy);
    kiln_tensor_free(copy);
    return hash;
  }
  if (tensor->dtype == KILN_DTYPE_STRING) {
    // The strings' bytes, each with its NUL, so that the checksum does not
    // depend on where the strings happen to be.
    auto *strings = static_cast<const char *const *>(tensor->data);
    uint64_t hash = kiln::internal::fnv1a64(nullptr, 0);
    for (int64_t i = 0; i < tensor->elementCount; ++i) {
      const char *string = strings[i] ? strings[i] : "";
      hash = kiln::internal::fnv1a64(string, std::strlen(string) + 1, hash);
    }
    return hash;
  }
  return kiln_checksum(tensor->data, tensor->byteSize);
}
