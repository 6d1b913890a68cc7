//===- allocator.cpp - The heap of generated code -------------------------===//
//
// Compiled modules allocate their intermediate tensors through these three
// functions (finalize-memref-to-llvm's generic allocation functions) instead
// of malloc and free. A model allocates the same sizes on every run, and
// glibc hands large blocks back to the kernel when they are freed, so that
// every run paid for fresh pages (a quarter of ResNet-18's time). Freed blocks
// are kept instead, per thread and by size, for the next run on that thread,
// up to kMaxCachedBytes per thread; a thread's cache is freed when it exits.
//
// Each block starts with a header of at least 64 bytes that keeps the user
// pointer aligned and ends, right before that pointer, with the block's size
// and a magic word. Modules compiled before this allocator (module info
// version 1) used malloc; the runtime frees their outputs with free().
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include "kiln/kernel_abi.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace kiln::internal {
namespace {

constexpr uint64_t kMagic = 0x4b494c4e48454150ull; // "KILNHEAP"
constexpr size_t kMinAlignment = 64;
// The cache never holds more than a run's own peak of freed blocks; the cap
// only matters for the largest runs. A ResNet-18 training step at batch 8 and
// 224x224 frees more than 1 GiB per step: with a 1 GiB cap it faulted in
// fresh pages every step (595 against 560 ms with 4 GiB, one thread).
constexpr size_t kMaxCachedBytes = size_t(4) << 30;

struct Trailer {
  uint64_t blockSize;  // bytes from the block's start to its end
  uint64_t headerSize; // bytes before the user pointer
  uint64_t magic;
};

Trailer *trailerOf(void *pointer) {
  return reinterpret_cast<Trailer *>(static_cast<char *>(pointer) -
                                     sizeof(Trailer));
}

/// Freed blocks of one thread, by (size, header size).
class BlockCache {
public:
  ~BlockCache() {
    for (auto &[key, blocks] : free)
      for (void *block : blocks)
        std::free(block);
  }

  void *take(uint64_t blockSize, uint64_t headerSize) {
    auto found = free.find(key(blockSize, headerSize));
    if (found == free.end() || found->second.empty())
      return nullptr;
    void *block = found->second.back();
    found->second.pop_back();
    cachedBytes -= blockSize;
    return block;
  }

  /// Keeps `block` unless the cache is full; returns whether it did.
  bool keep(void *block, uint64_t blockSize, uint64_t headerSize) {
    if (cachedBytes + blockSize > kMaxCachedBytes)
      return false;
    free[key(blockSize, headerSize)].push_back(block);
    cachedBytes += blockSize;
    return true;
  }

private:
  static uint64_t key(uint64_t blockSize, uint64_t headerSize) {
    return blockSize ^ (headerSize << 56);
  }
  std::unordered_map<uint64_t, std::vector<void *>> free;
  size_t cachedBytes = 0;
};

BlockCache &threadCache() {
  thread_local BlockCache cache;
  return cache;
}

void *allocate(size_t alignment, size_t size) {
  size_t headerSize = alignment > kMinAlignment ? alignment : kMinAlignment;
  if (headerSize & (headerSize - 1))
    return nullptr; // not a power of two
  // Sizes rounded up to the alignment, so that a block serves every request
  // of its size class; checked against overflow.
  if (size > SIZE_MAX - 2 * headerSize)
    return nullptr;
  size_t blockSize = headerSize + (size + headerSize - 1) / headerSize * headerSize;
  void *block = threadCache().take(blockSize, headerSize);
  if (!block)
    block = std::aligned_alloc(headerSize, blockSize);
  if (!block)
    return nullptr;
  void *pointer = static_cast<char *>(block) + headerSize;
  *trailerOf(pointer) = Trailer{blockSize, headerSize, kMagic};
  return pointer;
}

} // namespace

void freeModuleBuffer(void *pointer) {
  if (!pointer)
    return;
  Trailer *trailer = trailerOf(pointer);
  uint64_t magic;
  std::memcpy(&magic, &trailer->magic, sizeof(magic));
  if (magic != kMagic) {
    // Not a block of this heap: a module that declares info version 2 but
    // allocated with malloc (hand-written test modules do).
    std::free(pointer);
    return;
  }
  Trailer copy = *trailer;
  trailer->magic = 0; // a second free of the same block is not taken for ours
  void *block = static_cast<char *>(pointer) - copy.headerSize;
  if (!threadCache().keep(block, copy.blockSize, copy.headerSize))
    std::free(block);
}

} // namespace kiln::internal

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  return kiln::internal::allocate(0, size);
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                    size_t size) {
  return kiln::internal::allocate(alignment, size);
}

extern "C" void _mlir_memref_to_llvm_free(void *pointer) {
  kiln::internal::freeModuleBuffer(pointer);
}
