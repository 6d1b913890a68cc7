//===- WeightsTest.cpp - Modules whose weights live in a separate file ----===//
//
// weights_module.c exports a weights table naming "weights_module.weights".
// Each test copies the library into a fresh folder, writes (or breaks) the
// weights file next to it, and loads it: the globals are filled only from a
// file of the right size and hash, and a failed load can be retried.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <cstring>
#include <thread>

using namespace kiln::test;

namespace {

constexpr uint64_t kWeightsHash = 0x1e2945c7a11fc5edull;

/// The 64 bytes the module expects: the floats 1.0, 1.5, ..., 8.5.
std::string weightBytes() {
  std::string bytes(64, '\0');
  for (int i = 0; i < 16; ++i) {
    float value = 1.0f + 0.5f * static_cast<float>(i);
    std::memcpy(&bytes[4 * i], &value, sizeof(value));
  }
  return bytes;
}

/// A folder holding a copy of the weights module (and, if given, a weights
/// file with `weights` as its contents).
struct ModuleFolder {
  TempDir dir;
  std::string library;

  explicit ModuleFolder(const std::string *weights) {
    library = dir.path + "/weights_module.so";
    std::filesystem::copy_file(KILN_TEST_WEIGHTS_MODULE, library);
    if (weights)
      dir.write("weights_module.weights", *weights);
  }
};

std::vector<float> readWeights(kiln_module *module) {
  const kiln_function *function = nullptr;
  EXPECT_TRUE(
      succeeds(kiln_module_find_function(module, "read_weights", &function)));
  kiln_tensor *output = nullptr;
  EXPECT_TRUE(succeeds(kiln_function_run(function, nullptr, 0, &output, 1)));
  TensorPtr owned(output);
  return output ? f32Values(output) : std::vector<float>();
}

std::vector<float> expectedWeights() {
  std::vector<float> values;
  for (int i = 0; i < 16; ++i)
    values.push_back(1.0f + 0.5f * static_cast<float>(i));
  return values;
}

TEST(WeightsTest, TheRecordedHashIsTheFilesChecksum) {
  std::string bytes = weightBytes();
  EXPECT_EQ(kiln_checksum(bytes.data(), bytes.size()), kWeightsHash);
}

TEST(WeightsTest, LoadFillsTheGlobalsFromTheFile) {
  std::string bytes = weightBytes();
  ModuleFolder folder(&bytes);
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_load(folder.library.c_str(), &raw)));
  ModulePtr module(raw);
  EXPECT_EQ(kiln_module_has_external_weights(module.get()), 1);
  EXPECT_EQ(readWeights(module.get()), expectedWeights());
}

TEST(WeightsTest, MissingFileIsNotFound) {
  ModuleFolder folder(nullptr);
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(folder.library.c_str(), &module),
                        KILN_NOT_FOUND,
                        {"weights_module.weights", "No such file"}));
  EXPECT_EQ(module, nullptr);
}

TEST(WeightsTest, TruncatedFileIsRejected) {
  std::string bytes = weightBytes().substr(0, 60);
  ModuleFolder folder(&bytes);
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(folder.library.c_str(), &module),
                        KILN_INVALID_MODULE,
                        {"has 60 bytes, but the module expects 64"}));
}

TEST(WeightsTest, CorruptFileIsRejectedAndCanBeRepaired) {
  std::string bytes = weightBytes();
  bytes[17] ^= 0x40;
  ModuleFolder folder(&bytes);
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(folder.library.c_str(), &module),
                        KILN_INVALID_MODULE, {"is corrupt"}));
  // A failed load leaves the module unfilled, so a fixed file loads.
  folder.dir.write("weights_module.weights", weightBytes());
  ASSERT_TRUE(succeeds(kiln_module_load(folder.library.c_str(), &module)));
  ModulePtr owned(module);
  EXPECT_EQ(readWeights(module), expectedWeights());
}

TEST(WeightsTest, LoadingFromManyThreadsFillsOnce) {
  std::string bytes = weightBytes();
  ModuleFolder folder(&bytes);
  constexpr int kThreads = 8;
  std::vector<kiln_module *> modules(kThreads, nullptr);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      StatusPtr status(kiln_module_load(folder.library.c_str(), &modules[t]));
      errors[t] = status ? kiln_status_message(status.get()) : "";
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    ModulePtr module(modules[t]);
    if (module)
      EXPECT_EQ(readWeights(module.get()), expectedWeights());
  }
}

} // namespace
