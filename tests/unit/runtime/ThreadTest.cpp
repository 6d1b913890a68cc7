//===- ThreadTest.cpp - Concurrent runs of one function -------------------===//
//
// runtime.h promises that kiln_function_run() may be called on one function
// from many threads at once, each with its own outputs. Every thread here must
// get results bit-identical to a single-threaded run.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <cstring>
#include <thread>

using namespace kiln::test;

namespace {

constexpr int kThreads = 8;
constexpr int kRunsPerThread = 200;

TEST(ThreadTest, ConcurrentRunsGiveIdenticalResults) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *polynomial = findFunction(module.get(), "polynomial");
  ASSERT_NE(polynomial, nullptr);

  std::vector<float> values;
  for (int64_t i = 0; i < kPolynomialLength; ++i)
    values.push_back(static_cast<float>(i - 128) * 0.37f);
  TensorPtr x = makeF32({kPolynomialLength}, values);
  const kiln_tensor *inputs[] = {x.get()};

  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(polynomial, inputs, 1, &raw, 1)));
  TensorPtr reference(raw);
  const size_t bytes = kiln_tensor_byte_size(reference.get());
  ASSERT_EQ(bytes, kPolynomialLength * sizeof(float));
  EXPECT_EQ(f32Values(reference.get())[3], polynomialReference(values[3]));

  // Each thread records its first failure; gtest assertions are not used
  // off the main thread.
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the runs let the runtime allocate, half reuse one output.
      TensorPtr reused = makeTensor(KILN_DTYPE_F32, {kPolynomialLength});
      for (int run = 0; run < kRunsPerThread && failures[t].empty(); ++run) {
        kiln_tensor *output = run % 2 ? reused.get() : nullptr;
        if (output)
          std::memset(kiln_tensor_data(output), 0xff, bytes);
        StatusPtr status(kiln_function_run(polynomial, inputs, 1, &output, 1));
        if (status) {
          failures[t] = kiln_status_message(status.get());
          break;
        }
        if (std::memcmp(kiln_tensor_const_data(output),
                        kiln_tensor_const_data(reference.get()), bytes) != 0)
          failures[t] = "run " + std::to_string(run) + " differs";
        if (output != reused.get())
          kiln_tensor_free(output);
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], "") << "thread " << t;
}

} // namespace
