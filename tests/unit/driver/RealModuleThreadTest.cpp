//===- RealModuleThreadTest.cpp - Many threads on one compiled module -----===//
//
// The runtime promises that one loaded module may run from many threads at
// once. This checks it on real compiled code (a small CNN: conv, bias, relu,
// max pool, mean, dense, softmax), loaded from a shared library: 8 threads
// x 200 runs each, with their own sessions, half through runtime-allocated
// tensors (sessions of one thread) and half through caller buffers (outside
// a session: OpenMP's thread count), every output compared bit for bit with a
// run alone at the same thread count.
//
//===----------------------------------------------------------------------===//

#include "DriverTestSupport.h"

#include <cmath>
#include <cstring>
#include <thread>

using namespace kiln;
using namespace kiln::test;

namespace {

constexpr int kThreads = 8;
constexpr int kRunsPerThread = 200;

/// `count` deterministic values in about [-scale, scale], as an MLIR list.
std::string values(int count, float scale, int seed) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    float value = scale * std::sin(0.7f * static_cast<float>(i + seed));
    text += (i ? ", " : "") + std::to_string(value);
  }
  return text;
}

std::string cnnSource() {
  return R"mlir(
func.func @classify(%x: tensor<2x3x16x16xf32> {kiln.name = "image"})
    -> (tensor<2x10xf32> {kiln.name = "probs"},
        tensor<2x8x8x8xf32> {kiln.name = "features"}) {
  %w = kiln.constant dense<[)mlir" +
         values(8 * 3 * 3 * 3, 0.4f, 1) + R"mlir(]> : tensor<216xf32>
  %w4 = kiln.reshape %w {shape = array<i64: 8, 3, 3, 3>} : (tensor<216xf32>) -> tensor<8x3x3x3xf32>
  %b = kiln.constant dense<[)mlir" +
         values(8, 0.1f, 2) + R"mlir(]> : tensor<8xf32>
  %b4 = kiln.reshape %b {shape = array<i64: 1, 8, 1, 1>} : (tensor<8xf32>) -> tensor<1x8x1x1xf32>
  %0 = kiln.conv %x, %w4 {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x3x16x16xf32>, tensor<8x3x3x3xf32>) -> tensor<2x8x16x16xf32>
  %1 = kiln.add %0, %b4 : (tensor<2x8x16x16xf32>, tensor<1x8x1x1xf32>) -> tensor<2x8x16x16xf32>
  %2 = kiln.relu %1 : tensor<2x8x16x16xf32>
  %3 = kiln.max_pool %2 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<2x8x16x16xf32>) -> tensor<2x8x8x8xf32>
  %4 = kiln.reduce_mean %3 {axes = array<i64: 2, 3>} : (tensor<2x8x8x8xf32>) -> tensor<2x8xf32>
  %d = kiln.constant dense<[)mlir" +
         values(80, 0.5f, 3) + R"mlir(]> : tensor<80xf32>
  %d2 = kiln.reshape %d {shape = array<i64: 8, 10>} : (tensor<80xf32>) -> tensor<8x10xf32>
  %5 = kiln.matmul %4, %d2 : (tensor<2x8xf32>, tensor<8x10xf32>) -> tensor<2x10xf32>
  %6 = kiln.softmax %5 {axis = 1} : tensor<2x10xf32>
  return %6, %3 : tensor<2x10xf32>, tensor<2x8x8x8xf32>
}
)mlir";
}

/// The bytes of every output of one run.
using RunResult = std::vector<std::string>;

RunResult bytesOf(const std::vector<rt::Tensor> &outputs) {
  RunResult result;
  for (const rt::Tensor &output : outputs)
    result.emplace_back(
        static_cast<const char *>(kiln_tensor_const_data(output.get())),
        output.byteSize());
  return result;
}

TEST(RealModuleThreadTest, EightThreadsGetBitIdenticalResults) {
  TempDirectory dir;
  driver::Compiler compiler;
  auto module = parseOrFail(compiler, cnnSource());
  ASSERT_TRUE(module);
  std::string library = dir.pathIn("cnn.so");
  llvm::Error error = compiler.compileToFile(*module, library,
                                             driver::OutputKind::SharedLibrary);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  rt::Module loaded = rt::Module::load(library);
  rt::Function classify = loaded.function("classify");

  std::vector<float> image(2 * 3 * 16 * 16);
  for (size_t i = 0; i < image.size(); ++i)
    image[i] = std::cos(0.013f * static_cast<float>(i * i % 977));
  rt::Tensor input = rt::Tensor::wrap(KILN_DTYPE_F32, {2, 3, 16, 16},
                                      image.data(), image.size() * 4);
  RunResult reference = bytesOf(classify.run({&input}));
  ASSERT_EQ(reference.size(), 2u);
  ASSERT_EQ(reference[0].size(), 2 * 10 * sizeof(float));
  // The reference is a real result: probabilities that sum to 1, and
  // features that went through relu.
  const auto *probs = reinterpret_cast<const float *>(reference[0].data());
  for (int row = 0; row < 2; ++row) {
    float sum = 0;
    for (int i = 0; i < 10; ++i)
      sum += probs[row * 10 + i];
    EXPECT_NEAR(sum, 1.0f, 1e-5f);
  }
  const auto *features = reinterpret_cast<const float *>(reference[1].data());
  float largest = 0;
  for (size_t i = 0; i < reference[1].size() / 4; ++i) {
    EXPECT_GE(features[i], 0.0f);
    largest = std::max(largest, features[i]);
  }
  EXPECT_GT(largest, 0.0f);
  // The same, single-threaded, in a session of one thread.
  RunResult sessionReference =
      bytesOf(rt::Session(classify, rt::SessionOptions{1}).run({&input}));
  ASSERT_EQ(sessionReference.size(), 2u);

  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        rt::Session session(classify, rt::SessionOptions{1});
        std::vector<char> probs(reference[0].size(), 0),
            features(reference[1].size(), 0);
        for (int run = 0; run < kRunsPerThread && failures[t].empty(); ++run) {
          RunResult result;
          if (run % 2 == 0) {
            result = bytesOf(session.run({&input}));
          } else {
            std::memset(probs.data(), 0xff, probs.size());
            std::memset(features.data(), 0xff, features.size());
            classify.runBuffers({image.data()},
                                {probs.data(), features.data()});
            result = {std::string(probs.begin(), probs.end()),
                      std::string(features.begin(), features.end())};
          }
          // Results are the same for the same thread count, which a
          // session fixes (1) and runs outside one take from OpenMP: oneDNN
          // picks a Winograd kernel for this convolution by its thread count,
          // and its 1- and 2-thread kernels round differently.
          const RunResult &expected =
              run % 2 == 0 ? sessionReference : reference;
          if (result != expected)
            failures[t] = "run " + std::to_string(run) + " differs";
        }
      } catch (const std::exception &error) {
        failures[t] = error.what();
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], "") << "thread " << t;
}

} // namespace
