//===- TensorTest.cpp - Tests of tensor creation, wrapping and sizes ------===//

#include "TestSupport.h"

#include <cstdint>
#include <cstring>

using namespace kiln::test;

namespace {

TEST(TensorTest, CreateIsZeroedAndAligned) {
  TensorPtr tensor = makeTensor(KILN_DTYPE_F32, {3, 5});
  ASSERT_NE(tensor, nullptr);
  EXPECT_EQ(kiln_tensor_dtype(tensor.get()), KILN_DTYPE_F32);
  ASSERT_EQ(kiln_tensor_rank(tensor.get()), 2u);
  EXPECT_EQ(kiln_tensor_shape(tensor.get())[0], 3);
  EXPECT_EQ(kiln_tensor_shape(tensor.get())[1], 5);
  EXPECT_EQ(kiln_tensor_element_count(tensor.get()), 15);
  EXPECT_EQ(kiln_tensor_byte_size(tensor.get()), 60u);
  EXPECT_EQ(kiln_tensor_owns_data(tensor.get()), 1);
  const auto *bytes =
      static_cast<const unsigned char *>(kiln_tensor_const_data(tensor.get()));
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % 64, 0u);
  for (size_t i = 0; i < 60; ++i)
    ASSERT_EQ(bytes[i], 0) << "byte " << i;
}

TEST(TensorTest, ManyTensorsAreAligned) {
  // Odd sizes, so that a malloc-based allocator would drift off alignment.
  for (int64_t size = 1; size < 40; size += 3) {
    TensorPtr tensor = makeTensor(KILN_DTYPE_U8, {size});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(kiln_tensor_data(tensor.get())) % 64,
              0u)
        << size;
  }
}

TEST(TensorTest, CreateCopiesTheShape) {
  int64_t shape[2] = {2, 2};
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_create(KILN_DTYPE_I32, 2, shape, &raw)));
  TensorPtr owned(raw);
  shape[0] = 7;
  EXPECT_EQ(kiln_tensor_shape(owned.get())[0], 2);
}

TEST(TensorTest, RankZeroHoldsOneElement) {
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_create(KILN_DTYPE_F64, 0, nullptr, &raw)));
  TensorPtr tensor(raw);
  EXPECT_EQ(kiln_tensor_rank(tensor.get()), 0u);
  EXPECT_EQ(kiln_tensor_element_count(tensor.get()), 1);
  EXPECT_EQ(kiln_tensor_byte_size(tensor.get()), 8u);
  EXPECT_EQ(*static_cast<double *>(kiln_tensor_data(tensor.get())), 0.0);
}

TEST(TensorTest, ZeroElementTensorsAreValid) {
  TensorPtr tensor = makeTensor(KILN_DTYPE_F32, {4, 0, 3});
  ASSERT_NE(tensor, nullptr);
  EXPECT_EQ(kiln_tensor_element_count(tensor.get()), 0);
  EXPECT_EQ(kiln_tensor_byte_size(tensor.get()), 0u);
  EXPECT_NE(kiln_tensor_data(tensor.get()), nullptr)
      << "owned storage is never NULL";

  int64_t shape[1] = {0};
  kiln_tensor *wrapped = nullptr;
  ASSERT_TRUE(succeeds(
      kiln_tensor_wrap(KILN_DTYPE_I64, 1, shape, nullptr, 0, &wrapped)));
  TensorPtr owned(wrapped);
  EXPECT_EQ(kiln_tensor_data(owned.get()), nullptr);
  EXPECT_EQ(kiln_tensor_element_count(owned.get()), 0);
}

TEST(TensorTest, WrapBorrowsTheBuffer) {
  float buffer[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, buffer,
                                        sizeof(buffer), &raw)));
  TensorPtr tensor(raw);
  EXPECT_EQ(kiln_tensor_data(tensor.get()), buffer);
  EXPECT_EQ(kiln_tensor_owns_data(tensor.get()), 0);
  EXPECT_EQ(kiln_tensor_byte_size(tensor.get()), sizeof(buffer));
  tensor.reset();
  EXPECT_EQ(buffer[5], 6) << "freeing a wrapping tensor leaves the buffer";
}

TEST(TensorTest, WrapRejectsAWrongByteSize) {
  float buffer[6] = {};
  int64_t shape[2] = {2, 3};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, buffer,
                                         sizeof(buffer) - 4, &tensor),
                        KILN_INVALID_ARGUMENT, {"20 bytes", "24 bytes"}));
  EXPECT_TRUE(failsWith(kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, buffer,
                                         sizeof(buffer) + 4, &tensor),
                        KILN_INVALID_ARGUMENT, {"28 bytes"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, WrapRejectsNullDataWithElements) {
  int64_t shape[1] = {2};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(
      failsWith(kiln_tensor_wrap(KILN_DTYPE_F32, 1, shape, nullptr, 8, &tensor),
                KILN_INVALID_ARGUMENT, {"NULL"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, RejectsNegativeDimensions) {
  int64_t shape[3] = {2, -3, 4};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_F32, 3, shape, &tensor),
                        KILN_INVALID_ARGUMENT, {"dimension 1", "-3"}));
  float buffer[1];
  EXPECT_TRUE(
      failsWith(kiln_tensor_wrap(KILN_DTYPE_F32, 3, shape, buffer, 0, &tensor),
                KILN_INVALID_ARGUMENT, {"dimension 1"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, RejectsElementCountOverflow) {
  int64_t shape[2] = {int64_t{1} << 40, int64_t{1} << 40};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_F32, 2, shape, &tensor),
                        KILN_OUT_OF_RANGE, {"overflows", "dimension 1"}));
  EXPECT_TRUE(
      failsWith(kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, shape, 16, &tensor),
                KILN_OUT_OF_RANGE, {"dimension 1"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, RejectsByteSizeOverflow) {
  // The element count (2^62) fits in int64_t; its size in bytes does not.
  int64_t shape[1] = {int64_t{1} << 62};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_F32, 1, shape, &tensor),
                        KILN_OUT_OF_RANGE, {"byte size", "f32"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, RejectsOverflowHiddenBehindAZeroDimension) {
  // No elements, but compiled code would compute strides of 2^80.
  int64_t shape[3] = {0, int64_t{1} << 40, int64_t{1} << 40};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_F32, 3, shape, &tensor),
                        KILN_OUT_OF_RANGE, {"dimension 2"}));
}

TEST(TensorTest, ReportsAnImpossibleAllocation) {
  // 2^60 bytes fits every size type but no machine's memory.
  int64_t shape[1] = {int64_t{1} << 60};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_U8, 1, shape, &tensor),
                        KILN_OUT_OF_MEMORY, {"cannot allocate"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, RejectsRankAboveTheMaximum) {
  int64_t shape[KILN_ABI_MAX_RANK + 1];
  for (int64_t &dim : shape)
    dim = 1;
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_tensor_create(KILN_DTYPE_F32, KILN_ABI_MAX_RANK + 1, shape, &tensor),
      KILN_INVALID_ARGUMENT, {"rank 17"}));
  ASSERT_TRUE(succeeds(
      kiln_tensor_create(KILN_DTYPE_F32, KILN_ABI_MAX_RANK, shape, &tensor)));
  kiln_tensor_free(tensor);
}

TEST(TensorTest, RejectsBadArguments) {
  kiln_tensor *tensor = nullptr;
  int64_t shape[1] = {1};
  EXPECT_TRUE(failsWith(
      kiln_tensor_create(static_cast<kiln_dtype>(42), 1, shape, &tensor),
      KILN_INVALID_ARGUMENT, {"dtype 42"}));
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_F32, 2, nullptr, &tensor),
                        KILN_INVALID_ARGUMENT, {"NULL shape"}));
  EXPECT_TRUE(failsWith(kiln_tensor_create(KILN_DTYPE_F32, 1, shape, nullptr),
                        KILN_INVALID_ARGUMENT, {"out"}));
  EXPECT_EQ(tensor, nullptr);
}

TEST(TensorTest, AccessorsTolerateNull) {
  kiln_tensor_free(nullptr);
  EXPECT_EQ(kiln_tensor_dtype(nullptr), KILN_DTYPE_INVALID);
  EXPECT_EQ(kiln_tensor_rank(nullptr), 0u);
  EXPECT_EQ(kiln_tensor_shape(nullptr), nullptr);
  EXPECT_EQ(kiln_tensor_element_count(nullptr), 0);
  EXPECT_EQ(kiln_tensor_byte_size(nullptr), 0u);
  EXPECT_EQ(kiln_tensor_data(nullptr), nullptr);
  EXPECT_EQ(kiln_tensor_const_data(nullptr), nullptr);
  EXPECT_EQ(kiln_tensor_owns_data(nullptr), 0);
}

} // namespace
