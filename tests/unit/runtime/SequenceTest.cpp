//===- SequenceTest.cpp - Elements of sequences held in values and index --===//

#include "TestSupport.h"

#include "kiln/runtime.hpp"

#include <cstdint>
#include <vector>

using namespace kiln::test;

namespace {

constexpr int64_t kColumns = KILN_SEQUENCE_INDEX_COLUMNS;

/// An index tensor with one row per entry of `rows` ({offset, rank, dims...},
/// padded with zeros).
TensorPtr makeIndex(const std::vector<std::vector<int64_t>> &rows) {
  TensorPtr index =
      makeTensor(KILN_DTYPE_I64, {static_cast<int64_t>(rows.size()), kColumns});
  auto *data = static_cast<int64_t *>(kiln_tensor_data(index.get()));
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c = 0; c < rows[r].size(); ++c)
      data[r * kColumns + c] = rows[r][c];
  return index;
}

TEST(SequenceTest, ReadsElementsOfDifferentRanks) {
  // A scalar 7, then [1, 2, 3] as a 1x3 matrix.
  TensorPtr values = makeF32({4}, {7, 1, 2, 3});
  TensorPtr index = makeIndex({{0, 0}, {1, 2, 1, 3}});
  int64_t length = -1;
  ASSERT_TRUE(succeeds(kiln_sequence_length(index.get(), &length)));
  EXPECT_EQ(length, 2);

  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_sequence_element(values.get(), index.get(), 0, &raw)));
  TensorPtr scalar(raw);
  EXPECT_EQ(kiln_tensor_rank(scalar.get()), 0u);
  EXPECT_EQ(f32Values(scalar.get()), std::vector<float>{7});

  ASSERT_TRUE(
      succeeds(kiln_sequence_element(values.get(), index.get(), 1, &raw)));
  TensorPtr matrix(raw);
  ASSERT_EQ(kiln_tensor_rank(matrix.get()), 2u);
  EXPECT_EQ(kiln_tensor_shape(matrix.get())[0], 1);
  EXPECT_EQ(kiln_tensor_shape(matrix.get())[1], 3);
  EXPECT_EQ(f32Values(matrix.get()), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(kiln_tensor_owns_data(matrix.get()), 1);
}

TEST(SequenceTest, EmptySequenceAndEmptyElements) {
  TensorPtr values = makeTensor(KILN_DTYPE_F32, {0});
  TensorPtr none = makeTensor(KILN_DTYPE_I64, {0, kColumns});
  int64_t length = -1;
  ASSERT_TRUE(succeeds(kiln_sequence_length(none.get(), &length)));
  EXPECT_EQ(length, 0);
  // An element with a zero dim has no values but a shape.
  TensorPtr index = makeIndex({{0, 2, 0, 4}});
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_sequence_element(values.get(), index.get(), 0, &raw)));
  TensorPtr empty(raw);
  EXPECT_EQ(kiln_tensor_element_count(empty.get()), 0);
  EXPECT_EQ(kiln_tensor_shape(empty.get())[1], 4);
}

TEST(SequenceTest, RejectsMalformedIndexRows) {
  TensorPtr values = makeF32({3}, {1, 2, 3});
  kiln_tensor *raw = nullptr;
  // Data past the end of values, at a negative offset, or with a bad rank or
  // a negative dim: errors, never reads outside `values`.
  for (const std::vector<int64_t> &row :
       std::vector<std::vector<int64_t>>{{1, 1, 3},
                                         {-1, 1, 1},
                                         {4, 0},
                                         {0, 17},
                                         {0, -1},
                                         {0, 1, -2},
                                         {0, 2, INT64_MAX, 2}}) {
    TensorPtr index = makeIndex({row});
    kiln_status *status =
        kiln_sequence_element(values.get(), index.get(), 0, &raw);
    EXPECT_NE(status, nullptr) << "row starting " << row[0] << ", " << row[1];
    kiln_status_free(status);
  }
  TensorPtr index = makeIndex({{0, 1, 3}});
  EXPECT_TRUE(
      failsWith(kiln_sequence_element(values.get(), index.get(), 1, &raw),
                KILN_OUT_OF_RANGE, {"position 1", "1 elements"}));
  EXPECT_TRUE(
      failsWith(kiln_sequence_element(values.get(), index.get(), -1, &raw),
                KILN_OUT_OF_RANGE));
}

TEST(SequenceTest, RejectsTensorsThatAreNotASequence) {
  TensorPtr values = makeF32({3}, {1, 2, 3});
  TensorPtr wrongWidth = makeTensor(KILN_DTYPE_I64, {1, 3});
  TensorPtr wrongType = makeTensor(KILN_DTYPE_I32, {1, kColumns});
  int64_t length = 0;
  kiln_tensor *raw = nullptr;
  EXPECT_TRUE(failsWith(kiln_sequence_length(wrongWidth.get(), &length),
                        KILN_INVALID_ARGUMENT, {"[n, 18]"}));
  EXPECT_TRUE(
      failsWith(kiln_sequence_element(values.get(), wrongType.get(), 0, &raw),
                KILN_INVALID_ARGUMENT));
  TensorPtr index = makeIndex({{0, 1, 3}});
  EXPECT_TRUE(
      failsWith(kiln_sequence_element(index.get(), index.get(), 0, &raw),
                KILN_INVALID_ARGUMENT, {"rank-1"}));
  EXPECT_TRUE(
      failsWith(kiln_sequence_length(nullptr, &length), KILN_INVALID_ARGUMENT));
  EXPECT_TRUE(
      failsWith(kiln_sequence_element(values.get(), index.get(), 0, nullptr),
                KILN_INVALID_ARGUMENT));
}

TEST(SequenceTest, CppWrapperReturnsEveryElement) {
  kiln::rt::Tensor values = kiln::rt::Tensor::create(KILN_DTYPE_I64, {3});
  values.data<int64_t>()[0] = 5;
  values.data<int64_t>()[1] = 6;
  values.data<int64_t>()[2] = 7;
  kiln::rt::Tensor index =
      kiln::rt::Tensor::create(KILN_DTYPE_I64, {2, kColumns});
  int64_t *rows = index.data<int64_t>();
  rows[0] = 0, rows[1] = 1, rows[2] = 1;                              // [5]
  rows[kColumns] = 1, rows[kColumns + 1] = 1, rows[kColumns + 2] = 2; // [6, 7]
  std::vector<kiln::rt::Tensor> elements =
      kiln::rt::sequenceElements(values, index);
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0].shape(), std::vector<int64_t>{1});
  EXPECT_EQ(elements[1].shape(), std::vector<int64_t>{2});
  EXPECT_EQ(elements[1].data<int64_t>()[1], 7);
  rows[kColumns] = 2; // now [7, past the end]
  EXPECT_THROW(kiln::rt::sequenceElements(values, index), kiln::rt::Error);
}

} // namespace
