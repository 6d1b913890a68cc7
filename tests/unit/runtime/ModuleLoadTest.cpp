//===- ModuleLoadTest.cpp - Tests of loading modules from shared libraries ===//
//
// Loads the small C libraries built beside this test (fake_module.c and
// friends), plus files that are not libraries at all.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln::test;

namespace {

ModulePtr load(const std::string &path) {
  kiln_module *module = nullptr;
  EXPECT_TRUE(succeeds(kiln_module_load(path.c_str(), &module)));
  return ModulePtr(module);
}

TEST(ModuleLoadTest, LoadsAndRunsAFakeModule) {
  ModulePtr module = load(KILN_TEST_FAKE_MODULE);
  ASSERT_NE(module, nullptr);
  EXPECT_STREQ(kiln_module_producer(module.get()), "kiln-test fake module");
  ASSERT_EQ(kiln_module_function_count(module.get()), 2u);

  const kiln_function *add = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_find_function(module.get(), "add", &add)));
  TensorPtr a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  TensorPtr b = makeF32({2, 3}, {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *sum = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(add, inputs, 2, &sum, 1)));
  TensorPtr owned(sum);
  EXPECT_EQ(f32Values(sum),
            (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f}));

  const kiln_function *negate = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_module_find_function(module.get(), "negate", &negate)));
  TensorPtr x = makeTensor(KILN_DTYPE_I32, {4});
  auto *xData = static_cast<int32_t *>(kiln_tensor_data(x.get()));
  for (int i = 0; i < 4; ++i)
    xData[i] = i * 10;
  const kiln_tensor *negateInputs[] = {x.get()};
  kiln_tensor *y = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(negate, negateInputs, 1, &y, 1)));
  TensorPtr ownedY(y);
  const auto *yData = static_cast<const int32_t *>(kiln_tensor_const_data(y));
  EXPECT_EQ(yData[3], -30);
}

TEST(ModuleLoadTest, FindFunctionListsNames) {
  ModulePtr module = load(KILN_TEST_FAKE_MODULE);
  const kiln_function *function = nullptr;
  EXPECT_TRUE(
      failsWith(kiln_module_find_function(module.get(), "mul", &function),
                KILN_NOT_FOUND, {"'mul'", "'add'", "'negate'"}));
}

TEST(ModuleLoadTest, TwoLoadsOfOneLibraryAreIndependent) {
  ModulePtr first = load(KILN_TEST_FAKE_MODULE);
  ModulePtr second = load(KILN_TEST_FAKE_MODULE);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  first.reset();
  // The library must stay mapped for the second module.
  const kiln_function *negate = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_module_find_function(second.get(), "negate", &negate)));
  TensorPtr x = makeTensor(KILN_DTYPE_I32, {4});
  static_cast<int32_t *>(kiln_tensor_data(x.get()))[0] = 7;
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *y = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(negate, inputs, 1, &y, 1)));
  TensorPtr owned(y);
  EXPECT_EQ(static_cast<const int32_t *>(kiln_tensor_const_data(y))[0], -7);
}

TEST(ModuleLoadTest, MissingFileIsNotFound) {
  TempDir dir;
  std::string path = dir.path + "/missing.so";
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(path.c_str(), &module), KILN_NOT_FOUND,
                        {path, "does not exist"}));
  EXPECT_EQ(module, nullptr);
}

TEST(ModuleLoadTest, TextFileIsNotAModule) {
  TempDir dir;
  std::string path = dir.write("not_a_library.so", "just some text\n");
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(path.c_str(), &module),
                        KILN_INVALID_MODULE, {"cannot load module", path}));
  EXPECT_EQ(module, nullptr);
}

TEST(ModuleLoadTest, DirectoryIsAnIoError) {
  TempDir dir;
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(dir.path.c_str(), &module),
                        KILN_IO_ERROR, {"directory"}));
}

TEST(ModuleLoadTest, UnreadableFileIsAnIoError) {
  if (::geteuid() == 0)
    GTEST_SKIP() << "root can read any file";
  TempDir dir;
  std::string path = dir.write("secret.so", "x");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(path.c_str(), &module), KILN_IO_ERROR,
                        {path}));
}

TEST(ModuleLoadTest, LibraryWithoutTheSymbolIsNotAModule) {
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_module_load(KILN_TEST_NO_SYMBOL_MODULE, &module),
      KILN_INVALID_MODULE,
      {"is not a Kiln module: it does not export kiln_module_abi_v1"}));
  EXPECT_EQ(module, nullptr);
}

TEST(ModuleLoadTest, BadMagicIsRejected) {
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_load(KILN_TEST_BAD_MAGIC_MODULE, &module),
                        KILN_INVALID_MODULE,
                        {KILN_TEST_BAD_MAGIC_MODULE, "magic", "0xdeadbeef"}));
  EXPECT_EQ(module, nullptr);
}

TEST(ModuleLoadTest, NameWithoutSlashIsAFileNotALibrarySearch) {
  // dlopen would search the library path for "fake.so"; kiln_module_load
  // must read the file in the current directory instead.
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  std::ifstream source(KILN_TEST_FAKE_MODULE, std::ios::binary);
  std::ofstream(dir.path + "/kiln_relative_fake.so", std::ios::binary)
      << source.rdbuf();
  char previous[4096];
  ASSERT_NE(::getcwd(previous, sizeof(previous)), nullptr);
  ASSERT_EQ(::chdir(dir.path.c_str()), 0);
  kiln_module *module = nullptr;
  kiln_status *status = kiln_module_load("kiln_relative_fake.so", &module);
  ASSERT_EQ(::chdir(previous), 0);
  ASSERT_TRUE(succeeds(status));
  ModulePtr owned(module);
  EXPECT_EQ(kiln_module_function_count(module), 2u);
}

TEST(ModuleLoadTest, RejectsNullArguments) {
  kiln_module *module = nullptr;
  EXPECT_TRUE(
      failsWith(kiln_module_load(nullptr, &module), KILN_INVALID_ARGUMENT));
  EXPECT_TRUE(failsWith(kiln_module_load(KILN_TEST_FAKE_MODULE, nullptr),
                        KILN_INVALID_ARGUMENT));
}

} // namespace
