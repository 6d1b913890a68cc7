//===- AsyncParallelForTest.cpp - MLIR-generated parallel loops on Kiln ---===//
//
// async_parallel_for.mlir, lowered by MLIR's async passes as CMakeLists.txt
// does it, calls libkiln_runtime's mlirAsyncRuntime* functions: the tokens,
// groups and coroutines of a real async-parallel-for loop with async
// dispatch, whose block count comes from mlirAsyncRuntimGetNumWorkerThreads.
// Run as a session's entry point, it must fill every element whatever the
// session's thread count.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <cstring>

using namespace kiln::test;

/// The C interface of @fill (`llvm.emit_c_interface`).
extern "C" void _mlir_ciface_fill(MemRef<float, 1> *out);

namespace {

constexpr int64_t kLength = 4096;

/// The entry point of a one-function module: calls the generated loop on the
/// output's descriptor, as a compiled module's entry calls its function.
int32_t fillEntry(void **descriptors) {
  _mlir_ciface_fill(&descriptorAt<MemRef<float, 1>>(descriptors, 0));
  return 0;
}

const int64_t kDims[] = {kLength};
const kiln_abi_value kOutput[] = {{"out", KILN_DTYPE_F32, 1, kDims}};
const kiln_abi_function kFunctions[] = {
    {"fill", fillEntry, 0, 1, nullptr, kOutput, 0, nullptr}};
const kiln_abi_module kTable = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                kFunctions, "async parallel for test"};

/// How many elements of `out` are not i * 2.
int64_t wrongElements(const kiln_tensor *out) {
  const auto *data = static_cast<const float *>(kiln_tensor_const_data(out));
  int64_t wrong = 0;
  for (int64_t i = 0; i < kLength; ++i)
    wrong += data[i] != static_cast<float>(i * 2);
  return wrong;
}

TEST(AsyncParallelForTest, GeneratedLoopFillsEveryElementOnSessionThreads) {
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_abi(&kTable, nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  const kiln_function *fill = findFunction(module.get(), "fill");
  ASSERT_NE(fill, nullptr);

  for (int32_t threads : {1, 2, 4}) {
    kiln_session_options options;
    kiln_session_options_init(&options);
    options.num_threads = threads;
    kiln_session *session = nullptr;
    ASSERT_TRUE(succeeds(kiln_session_create(fill, &options, &session)));
    // Many runs, so that the interleavings of the workers vary.
    for (int run = 0; run < 50; ++run) {
      TensorPtr out = makeTensor(KILN_DTYPE_F32, {kLength});
      std::memset(kiln_tensor_data(out.get()), 0xff, kLength * sizeof(float));
      kiln_tensor *outputs[] = {out.get()};
      ASSERT_TRUE(
          succeeds(kiln_session_run(session, nullptr, 0, outputs, 1)));
      ASSERT_EQ(wrongElements(out.get()), 0)
          << threads << " threads, run " << run;
    }
    kiln_session_free(session);
  }
}

TEST(AsyncParallelForTest, OutsideSessionsTheLoopRunsSequentially) {
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_abi(&kTable, nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  TensorPtr out = makeTensor(KILN_DTYPE_F32, {kLength});
  kiln_tensor *outputs[] = {out.get()};
  ASSERT_TRUE(succeeds(kiln_function_run(findFunction(module.get(), "fill"),
                                         nullptr, 0, outputs, 1)));
  EXPECT_EQ(wrongElements(out.get()), 0);
}

} // namespace
