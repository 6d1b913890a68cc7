//===- FunctionRunTest.cpp - Tests of kiln_function_run -------------------===//
//
// Runs the hand-written functions of TestModules.h: results, descriptor
// layout (checked by the entry points), and every argument check that must
// happen before compiled code runs.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

using namespace kiln::test;

namespace {

class FunctionRunTest : public ::testing::Test {
protected:
  void SetUp() override {
    module = loadInMemoryModule();
    ASSERT_NE(module, nullptr);
    add = findFunction(module.get(), "add");
    a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
    b = makeF32({2, 3}, {10, 20, 30, 40, 50, 60});
  }

  /// Runs "add" on `inputs` with one output slot.
  kiln_status *runAdd(std::vector<const kiln_tensor *> inputs,
                      kiln_tensor **output) {
    return kiln_function_run(add, inputs.data(), inputs.size(), output, 1);
  }

  ModulePtr module;
  const kiln_function *add = nullptr;
  TensorPtr a, b;
};

const std::vector<float> kExpectedSum = {11, 22, 33, 44, 55, 66};

TEST_F(FunctionRunTest, AllocatesOutputs) {
  kiln_tensor *sum = nullptr;
  ASSERT_TRUE(succeeds(runAdd({a.get(), b.get()}, &sum)));
  TensorPtr owned(sum);
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(kiln_tensor_owns_data(sum), 1);
  EXPECT_EQ(kiln_tensor_dtype(sum), KILN_DTYPE_F32);
  ASSERT_EQ(kiln_tensor_rank(sum), 2u);
  EXPECT_EQ(kiln_tensor_shape(sum)[0], 2);
  EXPECT_EQ(kiln_tensor_shape(sum)[1], 3);
  EXPECT_EQ(f32Values(sum), kExpectedSum);
}

TEST_F(FunctionRunTest, WritesIntoCallerProvidedOutputs) {
  TensorPtr sum = makeTensor(KILN_DTYPE_F32, {2, 3});
  kiln_tensor *slot = sum.get();
  ASSERT_TRUE(succeeds(runAdd({a.get(), b.get()}, &slot)));
  EXPECT_EQ(slot, sum.get()) << "a provided output stays in its slot";
  EXPECT_EQ(f32Values(sum.get()), kExpectedSum);
}

TEST_F(FunctionRunTest, RunsOnWrappedBuffers) {
  float x[6] = {1, 1, 1, 1, 1, 1}, y[6] = {0, 1, 2, 3, 4, 5}, z[6] = {};
  int64_t shape[2] = {2, 3};
  kiln_tensor *raw[3] = {};
  ASSERT_TRUE(succeeds(
      kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, x, sizeof(x), &raw[0])));
  TensorPtr xTensor(raw[0]);
  ASSERT_TRUE(succeeds(
      kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, y, sizeof(y), &raw[1])));
  TensorPtr yTensor(raw[1]);
  ASSERT_TRUE(succeeds(
      kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, z, sizeof(z), &raw[2])));
  TensorPtr zTensor(raw[2]);
  ASSERT_TRUE(succeeds(runAdd({xTensor.get(), yTensor.get()}, &raw[2])));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(z[i], 1.0f + i);
}

TEST_F(FunctionRunTest, InputsMayAliasEachOther) {
  kiln_tensor *sum = nullptr;
  ASSERT_TRUE(succeeds(runAdd({a.get(), a.get()}, &sum)));
  TensorPtr owned(sum);
  EXPECT_EQ(f32Values(sum), (std::vector<float>{2, 4, 6, 8, 10, 12}));
}

TEST_F(FunctionRunTest, RejectsAWrongInputCount) {
  kiln_tensor *sum = nullptr;
  EXPECT_TRUE(failsWith(runAdd({a.get()}, &sum), KILN_INVALID_ARGUMENT,
                        {"function 'add' expects 2 inputs, got 1"}));
  EXPECT_TRUE(failsWith(runAdd({a.get(), b.get(), b.get()}, &sum),
                        KILN_INVALID_ARGUMENT, {"expects 2 inputs, got 3"}));
  EXPECT_EQ(sum, nullptr);
}

TEST_F(FunctionRunTest, RejectsAWrongOutputCount) {
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *outputs[2] = {};
  EXPECT_TRUE(failsWith(kiln_function_run(add, inputs, 2, outputs, 2),
                        KILN_INVALID_ARGUMENT,
                        {"function 'add' expects 1 output, got 2"}));
  EXPECT_TRUE(failsWith(kiln_function_run(add, inputs, 2, outputs, 0),
                        KILN_INVALID_ARGUMENT, {"expects 1 output, got 0"}));
  EXPECT_EQ(outputs[0], nullptr);
  EXPECT_EQ(outputs[1], nullptr);
}

TEST_F(FunctionRunTest, RejectsNullArguments) {
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *sum = nullptr;
  EXPECT_TRUE(failsWith(kiln_function_run(nullptr, inputs, 2, &sum, 1),
                        KILN_INVALID_ARGUMENT, {"function"}));
  EXPECT_TRUE(failsWith(kiln_function_run(add, nullptr, 2, &sum, 1),
                        KILN_INVALID_ARGUMENT, {"NULL array"}));
  EXPECT_TRUE(failsWith(kiln_function_run(add, inputs, 2, nullptr, 1),
                        KILN_INVALID_ARGUMENT, {"NULL array"}));
  EXPECT_TRUE(failsWith(runAdd({a.get(), nullptr}, &sum), KILN_INVALID_ARGUMENT,
                        {"input 1 ('b') of 'add' is NULL"}));
  EXPECT_EQ(sum, nullptr);
}

TEST_F(FunctionRunTest, RejectsAWrongDtype) {
  TensorPtr integers = makeTensor(KILN_DTYPE_I32, {2, 3});
  kiln_tensor *sum = nullptr;
  EXPECT_TRUE(
      failsWith(runAdd({integers.get(), b.get()}, &sum), KILN_INVALID_ARGUMENT,
                {"input 0 ('a') of 'add' has dtype i32, expected f32"}));
  EXPECT_EQ(sum, nullptr);
}

TEST_F(FunctionRunTest, RejectsAWrongRank) {
  TensorPtr flat = makeTensor(KILN_DTYPE_F32, {6});
  kiln_tensor *sum = nullptr;
  EXPECT_TRUE(failsWith(runAdd({a.get(), flat.get()}, &sum),
                        KILN_INVALID_ARGUMENT,
                        {"input 1 ('b') of 'add' has rank 1, expected 2"}));
}

TEST_F(FunctionRunTest, RejectsAWrongDimension) {
  TensorPtr wide = makeTensor(KILN_DTYPE_F32, {2, 4});
  kiln_tensor *sum = nullptr;
  EXPECT_TRUE(
      failsWith(runAdd({wide.get(), b.get()}, &sum), KILN_INVALID_ARGUMENT,
                {"input 0 ('a') of 'add'", "dimension 1 is 4, expected 3"}));
  EXPECT_EQ(sum, nullptr);
}

TEST_F(FunctionRunTest, ChecksCallerProvidedOutputs) {
  TensorPtr transposed = makeTensor(KILN_DTYPE_F32, {3, 2});
  kiln_tensor *slot = transposed.get();
  EXPECT_TRUE(
      failsWith(runAdd({a.get(), b.get()}, &slot), KILN_INVALID_ARGUMENT,
                {"output 0 ('sum') of 'add'", "dimension 0 is 3, expected 2"}));
  TensorPtr doubles = makeTensor(KILN_DTYPE_F64, {2, 3});
  slot = doubles.get();
  EXPECT_TRUE(failsWith(runAdd({a.get(), b.get()}, &slot),
                        KILN_INVALID_ARGUMENT,
                        {"output 0 ('sum') of 'add' has dtype f64"}));
  EXPECT_EQ(slot, doubles.get());
}

TEST_F(FunctionRunTest, RejectsAnOutputThatIsAnInput) {
  kiln_tensor *slot = a.get();
  EXPECT_TRUE(failsWith(runAdd({a.get(), b.get()}, &slot),
                        KILN_INVALID_ARGUMENT,
                        {"output 0 ('sum') of 'add' overlaps input 0 ('a')"}));
  EXPECT_EQ(f32Values(a.get()), (std::vector<float>{1, 2, 3, 4, 5, 6}))
      << "nothing ran";
}

TEST_F(FunctionRunTest, RejectsPartialOverlapButNotAdjacency) {
  float buffer[13] = {};
  int64_t shape[2] = {2, 3};
  auto wrapAt = [&](int offset) {
    kiln_tensor *tensor = nullptr;
    EXPECT_TRUE(
        succeeds(kiln_tensor_wrap(KILN_DTYPE_F32, 2, shape, buffer + offset,
                                  6 * sizeof(float), &tensor)));
    return TensorPtr(tensor);
  };
  TensorPtr input = wrapAt(0);
  TensorPtr sharesLastElement = wrapAt(5);
  TensorPtr adjacent = wrapAt(6);
  TensorPtr sharesFirstElement = wrapAt(7);

  kiln_tensor *slot = sharesLastElement.get();
  EXPECT_TRUE(failsWith(runAdd({input.get(), b.get()}, &slot),
                        KILN_INVALID_ARGUMENT, {"overlaps input 0"}));
  slot = sharesFirstElement.get();
  EXPECT_TRUE(failsWith(runAdd({b.get(), adjacent.get()}, &slot),
                        KILN_INVALID_ARGUMENT, {"overlaps input 1 ('b')"}));
  slot = adjacent.get();
  EXPECT_TRUE(succeeds(runAdd({input.get(), b.get()}, &slot)));
}

TEST_F(FunctionRunTest, RejectsOutputsThatOverlapEachOther) {
  const kiln_function *split = findFunction(module.get(), "split");
  TensorPtr x = makeF32({4}, {1, 2, 3, 4});
  TensorPtr half = makeTensor(KILN_DTYPE_F32, {2});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *outputs[] = {half.get(), half.get()};
  EXPECT_TRUE(failsWith(
      kiln_function_run(split, inputs, 1, outputs, 2), KILN_INVALID_ARGUMENT,
      {"output 1 ('high') of 'split' overlaps output 0 ('low')"}));
}

TEST_F(FunctionRunTest, MixesProvidedAndAllocatedOutputs) {
  const kiln_function *split = findFunction(module.get(), "split");
  TensorPtr x = makeF32({4}, {1, 2, 3, 4});
  TensorPtr low = makeTensor(KILN_DTYPE_F32, {2});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *outputs[] = {low.get(), nullptr};
  ASSERT_TRUE(succeeds(kiln_function_run(split, inputs, 1, outputs, 2)));
  TensorPtr high(outputs[1]);
  EXPECT_EQ(outputs[0], low.get());
  EXPECT_EQ(f32Values(low.get()), (std::vector<float>{1, 2}));
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(f32Values(high.get()), (std::vector<float>{3, 4}));
}

TEST_F(FunctionRunTest, EntryFailureIsInternalAndFreesOutputs) {
  const kiln_function *fail = findFunction(module.get(), "fail");
  TensorPtr x = makeF32({2}, {1, 2});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *output = nullptr;
  EXPECT_TRUE(failsWith(kiln_function_run(fail, inputs, 1, &output, 1),
                        KILN_INTERNAL, {"'fail'", "returned 7"}));
  EXPECT_EQ(output, nullptr) << "a slot that was NULL stays NULL";

  TensorPtr provided = makeTensor(KILN_DTYPE_F32, {2});
  output = provided.get();
  EXPECT_TRUE(
      failsWith(kiln_function_run(fail, inputs, 1, &output, 1), KILN_INTERNAL));
  EXPECT_EQ(output, provided.get());
}

TEST_F(FunctionRunTest, EntryExceptionIsInternal) {
  const kiln_function *throws = findFunction(module.get(), "throws");
  TensorPtr x = makeF32({2}, {1, 2});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *output = nullptr;
  EXPECT_TRUE(failsWith(kiln_function_run(throws, inputs, 1, &output, 1),
                        KILN_INTERNAL, {"exception"}));
  EXPECT_EQ(output, nullptr);
}

TEST_F(FunctionRunTest, ValidationComesBeforeTheEntryPoint) {
  // "fail" would report INTERNAL if it ran; a bad argument must win.
  const kiln_function *fail = findFunction(module.get(), "fail");
  TensorPtr x = makeF32({3}, {1, 2, 3});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *output = nullptr;
  EXPECT_TRUE(failsWith(kiln_function_run(fail, inputs, 1, &output, 1),
                        KILN_INVALID_ARGUMENT, {"dimension 0 is 3"}));
}

TEST_F(FunctionRunTest, DynamicDimensionsAcceptAnySize) {
  const kiln_function *rowSums = findFunction(module.get(), "row_sums");
  for (int64_t rows : {1, 4, 0}) {
    std::vector<float> values;
    for (int64_t i = 0; i < rows * 3; ++i)
      values.push_back(static_cast<float>(i));
    TensorPtr x = makeF32({rows, 3}, values);
    const kiln_tensor *inputs[] = {x.get()};
    kiln_tensor *outputs[] = {nullptr};
    ASSERT_TRUE(succeeds(kiln_function_run(rowSums, inputs, 1, outputs, 1)))
        << rows << " rows";
    TensorPtr sums(outputs[0]);
    ASSERT_EQ(kiln_tensor_rank(sums.get()), 1u);
    EXPECT_EQ(kiln_tensor_shape(sums.get())[0], rows);
    EXPECT_TRUE(kiln_tensor_owns_data(sums.get()));
    std::vector<float> expected;
    for (int64_t row = 0; row < rows; ++row)
      expected.push_back(static_cast<float>(9 * row + 3));
    EXPECT_EQ(f32Values(sums.get()), expected);
  }
}

TEST_F(FunctionRunTest, DynamicInputsStillCheckStaticDimensions) {
  const kiln_function *rowSums = findFunction(module.get(), "row_sums");
  TensorPtr x = makeTensor(KILN_DTYPE_F32, {4, 5});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *outputs[] = {nullptr};
  EXPECT_TRUE(failsWith(
      kiln_function_run(rowSums, inputs, 1, outputs, 1), KILN_INVALID_ARGUMENT,
      {"input 0 ('x') of 'row_sums'", "dimension 1 is 5, expected 3"}));
}

TEST_F(FunctionRunTest, DynamicOutputsAreAllocatedByTheFunction) {
  const kiln_function *rowSums = findFunction(module.get(), "row_sums");
  TensorPtr x = makeTensor(KILN_DTYPE_F32, {4, 3});
  TensorPtr sums = makeTensor(KILN_DTYPE_F32, {4});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *outputs[] = {sums.get()};
  EXPECT_TRUE(failsWith(
      kiln_function_run(rowSums, inputs, 1, outputs, 1), KILN_INVALID_ARGUMENT,
      {"output 0 ('sums')", "the function allocates it, so its slot must be "
                            "NULL"}));
  EXPECT_EQ(outputs[0], sums.get());
}

TEST_F(FunctionRunTest, DimsOfOneSymbolMustAgree) {
  const kiln_function *symbolAdd = findFunction(module.get(), "symbol_add");
  TensorPtr a = makeF32({3, 2}, {1, 2, 3, 4, 5, 6});
  TensorPtr b = makeF32({3, 2}, {10, 20, 30, 40, 50, 60});
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *outputs[] = {nullptr};
  ASSERT_TRUE(succeeds(kiln_function_run(symbolAdd, inputs, 2, outputs, 1)));
  TensorPtr y(outputs[0]);
  EXPECT_EQ(f32Values(y.get()), (std::vector<float>{11, 22, 33, 44, 55, 66}));

  TensorPtr shortB = makeF32({2, 2}, {1, 2, 3, 4});
  const kiln_tensor *mismatched[] = {a.get(), shortB.get()};
  kiln_tensor *none[] = {nullptr};
  EXPECT_TRUE(
      failsWith(kiln_function_run(symbolAdd, mismatched, 2, none, 1),
                KILN_INVALID_ARGUMENT,
                {"input 1 ('b') of 'symbol_add' dimension 0 is 2",
                 "must equal dimension 0 of input 0 ('a')", "which is 3"}));
  EXPECT_EQ(none[0], nullptr);
}

TEST_F(FunctionRunTest, FailedRunTimeCheckReportsItsMessage) {
  const kiln_function *symbolAdd = findFunction(module.get(), "symbol_add");
  TensorPtr a = makeF32({1, 2}, {-1, 2});
  TensorPtr b = makeF32({1, 2}, {1, 2});
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *outputs[] = {nullptr};
  EXPECT_TRUE(
      failsWith(kiln_function_run(symbolAdd, inputs, 2, outputs, 1),
                KILN_INVALID_ARGUMENT,
                {"function 'symbol_add': a[0, 0] must not be negative"}));
  EXPECT_EQ(outputs[0], nullptr);
}

TEST_F(FunctionRunTest, RankZero) {
  const kiln_function *scalarDouble =
      findFunction(module.get(), "scalar_double");
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_create(KILN_DTYPE_F64, 0, nullptr, &raw)));
  TensorPtr x(raw);
  *static_cast<double *>(kiln_tensor_data(x.get())) = 21.5;
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *y = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(scalarDouble, inputs, 1, &y, 1)));
  TensorPtr owned(y);
  EXPECT_EQ(kiln_tensor_rank(y), 0u);
  EXPECT_EQ(*static_cast<const double *>(kiln_tensor_const_data(y)), 43.0);
}

TEST_F(FunctionRunTest, RankSixteen) {
  const kiln_function *highRank = findFunction(module.get(), "high_rank");
  std::vector<int64_t> shape(16, 1);
  shape[15] = 2;
  TensorPtr x = makeTensor(KILN_DTYPE_I8, shape);
  auto *data = static_cast<int8_t *>(kiln_tensor_data(x.get()));
  data[0] = 5;
  data[1] = -9;
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *y = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(highRank, inputs, 1, &y, 1)));
  TensorPtr owned(y);
  const auto *result = static_cast<const int8_t *>(kiln_tensor_const_data(y));
  EXPECT_EQ(result[0], 6);
  EXPECT_EQ(result[1], -8);
}

TEST_F(FunctionRunTest, ManyInputsUseHeapDescriptors) {
  const kiln_function *wideSum = findFunction(module.get(), "wide_sum");
  std::vector<TensorPtr> tensors;
  std::vector<const kiln_tensor *> inputs;
  for (int i = 0; i < kWideSumInputs; ++i) {
    float value = static_cast<float>(i);
    tensors.push_back(makeF32({4}, {value, 1, -value, 0.5f}));
    inputs.push_back(tensors.back().get());
  }
  kiln_tensor *sum = nullptr;
  ASSERT_TRUE(succeeds(
      kiln_function_run(wideSum, inputs.data(), inputs.size(), &sum, 1)));
  TensorPtr owned(sum);
  EXPECT_EQ(f32Values(sum), (std::vector<float>{4950, 100, -4950, 50}));
}

} // namespace
