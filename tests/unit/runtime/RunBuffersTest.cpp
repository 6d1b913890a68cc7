//===- RunBuffersTest.cpp - Running on plain buffers, and checksums -------===//
//
// kiln_function_run_buffers() is what generated model headers call: plain
// pointers for static signatures, checked for count, NULL, dynamic shapes and
// overlap before compiled code runs.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <cstring>

using namespace kiln::test;

namespace {

TEST(RunBuffersTest, RunsOnPlainBuffers) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *add = findFunction(module.get(), "add");
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {6, 5, 4, 3, 2, 1}, sum[6] = {};
  const void *inputs[] = {a, b};
  void *outputs[] = {sum};
  ASSERT_TRUE(succeeds(kiln_function_run_buffers(add, inputs, 2, outputs, 1)));
  for (float value : sum)
    EXPECT_EQ(value, 7.0f);
}

TEST(RunBuffersTest, RunsFunctionsWithSeveralOutputsAndScalars) {
  ModulePtr module = loadInMemoryModule();
  float x[4] = {1, 2, 3, 4}, low[2] = {}, high[2] = {};
  const void *splitInputs[] = {x};
  void *splitOutputs[] = {low, high};
  ASSERT_TRUE(succeeds(kiln_function_run_buffers(
      findFunction(module.get(), "split"), splitInputs, 1, splitOutputs, 2)));
  EXPECT_EQ(low[1], 2.0f);
  EXPECT_EQ(high[0], 3.0f);

  double scalar = 2.5, doubled = 0;
  const void *scalarInputs[] = {&scalar};
  void *scalarOutputs[] = {&doubled};
  ASSERT_TRUE(succeeds(
      kiln_function_run_buffers(findFunction(module.get(), "scalar_double"),
                                scalarInputs, 1, scalarOutputs, 1)));
  EXPECT_EQ(doubled, 5.0);
}

TEST(RunBuffersTest, RejectsBadCalls) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *add = findFunction(module.get(), "add");
  float a[6] = {}, b[6] = {}, sum[6] = {};
  const void *inputs[] = {a, b};
  void *outputs[] = {sum};
  EXPECT_TRUE(failsWith(kiln_function_run_buffers(add, inputs, 1, outputs, 1),
                        KILN_INVALID_ARGUMENT, {"expects 2 inputs, got 1"}));
  const void *withNull[] = {a, nullptr};
  EXPECT_TRUE(failsWith(kiln_function_run_buffers(add, withNull, 2, outputs, 1),
                        KILN_INVALID_ARGUMENT,
                        {"input 1 ('b')", "NULL buffer"}));
  void *overlapping[] = {a};
  EXPECT_TRUE(
      failsWith(kiln_function_run_buffers(add, inputs, 2, overlapping, 1),
                KILN_INVALID_ARGUMENT, {"overlaps input 0 ('a')"}));
  EXPECT_TRUE(
      failsWith(kiln_function_run_buffers(nullptr, inputs, 2, outputs, 1),
                KILN_INVALID_ARGUMENT));

  float rows[6] = {}, sums[2] = {};
  const void *rowInputs[] = {rows};
  void *rowOutputs[] = {sums};
  EXPECT_TRUE(failsWith(
      kiln_function_run_buffers(findFunction(module.get(), "row_sums"),
                                rowInputs, 1, rowOutputs, 1),
      KILN_INVALID_ARGUMENT, {"dynamic shape [?, 3]", "kiln_function_run()"}));

  float x[4] = {}, low[2] = {};
  const void *splitInputs[] = {x};
  void *sameTwice[] = {low, low};
  EXPECT_TRUE(
      failsWith(kiln_function_run_buffers(findFunction(module.get(), "split"),
                                          splitInputs, 1, sameTwice, 2),
                KILN_INVALID_ARGUMENT, {"overlaps output 0 ('low')"}));
}

TEST(RunBuffersTest, CompiledFailureIsInternal) {
  ModulePtr module = loadInMemoryModule();
  float x[2] = {}, y[2] = {};
  const void *inputs[] = {x};
  void *outputs[] = {y};
  EXPECT_TRUE(
      failsWith(kiln_function_run_buffers(findFunction(module.get(), "fail"),
                                          inputs, 1, outputs, 1),
                KILN_INTERNAL, {"returned 7"}));
}

TEST(ChecksumTest, IsFnv1a64) {
  // Published FNV-1a 64-bit test vectors.
  EXPECT_EQ(kiln_checksum(nullptr, 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(kiln_checksum("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(kiln_checksum("foobar", 6), 0x85944171f73967e8ull);
}

TEST(ChecksumTest, TensorChecksumCoversItsBytes) {
  TensorPtr tensor = makeF32({2}, {1.0f, -2.0f});
  float values[2] = {1.0f, -2.0f};
  EXPECT_EQ(kiln_tensor_checksum(tensor.get()),
            kiln_checksum(values, sizeof(values)));
  static_cast<float *>(kiln_tensor_data(tensor.get()))[1] = -2.5f;
  EXPECT_NE(kiln_tensor_checksum(tensor.get()),
            kiln_checksum(values, sizeof(values)));
  EXPECT_EQ(kiln_tensor_checksum(nullptr), kiln_checksum(nullptr, 0));
}

} // namespace
