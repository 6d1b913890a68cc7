//===- AllocatorTest.cpp - The heap of generated code ---------------------===//

#include "kiln/kernel_abi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace {

bool alignedTo(const void *pointer, size_t alignment) {
  return reinterpret_cast<uintptr_t>(pointer) % alignment == 0;
}

TEST(AllocatorTest, BlocksAreAlignedAndWritable) {
  for (size_t alignment : {0, 16, 64, 128, 4096}) {
    void *block = alignment == 0
                      ? _mlir_memref_to_llvm_alloc(1000)
                      : _mlir_memref_to_llvm_aligned_alloc(alignment, 1000);
    ASSERT_NE(block, nullptr) << "alignment " << alignment;
    EXPECT_TRUE(alignedTo(block, alignment < 64 ? 64 : alignment));
    std::memset(block, 0xab, 1000);
    _mlir_memref_to_llvm_free(block);
  }
}

TEST(AllocatorTest, FreedBlockIsReusedForTheSameSizeOnTheSameThread) {
  void *first = _mlir_memref_to_llvm_aligned_alloc(64, 1 << 20);
  ASSERT_NE(first, nullptr);
  _mlir_memref_to_llvm_free(first);
  void *second = _mlir_memref_to_llvm_aligned_alloc(64, 1 << 20);
  EXPECT_EQ(second, first);
  // A different size does not get that block.
  void *other = _mlir_memref_to_llvm_aligned_alloc(64, 3 << 20);
  EXPECT_NE(other, second);
  _mlir_memref_to_llvm_free(second);
  _mlir_memref_to_llvm_free(other);
}

TEST(AllocatorTest, ImpossibleRequestsReturnNull) {
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX - 8), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(96, 64), nullptr); // not 2^k
  _mlir_memref_to_llvm_free(nullptr);                              // no-op
}

TEST(AllocatorTest, BlocksMayBeFreedOnAnotherThread) {
  void *block = _mlir_memref_to_llvm_alloc(1 << 16);
  ASSERT_NE(block, nullptr);
  std::thread([block] { _mlir_memref_to_llvm_free(block); }).join();
  // The other thread kept it (and freed it when it exited); this thread
  // allocates afresh.
  void *again = _mlir_memref_to_llvm_alloc(1 << 16);
  ASSERT_NE(again, nullptr);
  _mlir_memref_to_llvm_free(again);
}

} // namespace
