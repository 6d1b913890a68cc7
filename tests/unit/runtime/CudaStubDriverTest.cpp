//===- CudaStubDriverTest.cpp - The CUDA backend given a stub driver ------===//
//
// Runs with KILN_CUDA_DRIVER naming the CUDA toolkit's stub libcuda.so (set
// below and by CMakeLists.txt): a library with every driver entry point whose
// cuInit always fails. The runtime must load it, name the failure, and refuse
// CUDA modules, on any machine, GPU or not.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <cstdlib>
#include <stdlib.h>
#include <string>

using namespace kiln::test;

namespace {

/// Names the stub before any test loads the driver, also when the binary is
/// run by hand (ctest sets the same variable).
const bool kDriverChosen =
    ::setenv("KILN_CUDA_DRIVER", KILN_TEST_STUB_DRIVER, /*overwrite=*/0) == 0;

TEST(CudaStubDriverTest, DeviceCountNamesTheStub) {
  ASSERT_TRUE(kDriverChosen);
  const char *driver = std::getenv("KILN_CUDA_DRIVER");
  ASSERT_NE(driver, nullptr);
  int32_t count = -1;
  EXPECT_TRUE(failsWith(kiln_cuda_device_count(&count), KILN_UNAVAILABLE,
                        {"cuInit failed: CUDA_ERROR_STUB_LIBRARY (the CUDA "
                         "toolkit's stub library, not a driver)",
                         std::string("KILN_CUDA_DRIVER=") + driver}));
  EXPECT_EQ(count, -1);
  // The driver is loaded once: the second answer is the same.
  EXPECT_TRUE(failsWith(kiln_cuda_device_count(&count), KILN_UNAVAILABLE,
                        {"CUDA_ERROR_STUB_LIBRARY"}));
}

TEST(CudaStubDriverTest, CudaModulesDoNotLoad) {
  static const int64_t dims[1] = {4};
  static const kiln_abi_value values[1] = {{"x", KILN_DTYPE_F32, 1, dims}};
  static const kiln_abi_function functions[1] = {
      {"f", [](void **) { return int32_t(0); }, 1, 1, values, values, 0,
       nullptr}};
  static const kiln_abi_module table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                        functions, "kiln-test stub"};
  kiln_abi_module_info info{};
  info.magic = KILN_MODULE_INFO_MAGIC;
  info.version = KILN_MODULE_INFO_VERSION;
  info.target = KILN_TARGET_CUDA;
  info.target_arch = "sm_90";
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_module_from_tables(&table, &info, nullptr, nullptr, &module),
      KILN_UNAVAILABLE, {"no CUDA device", "CUDA_ERROR_STUB_LIBRARY"}));
  EXPECT_EQ(module, nullptr);
}

TEST(CudaStubDriverTest, ConstantsAreNotMade) {
  static const float values[2] = {1, 2};
  static void *slot = nullptr;
  EXPECT_EQ(kiln_cuda_constant(&slot, values, sizeof(values)), nullptr);
  EXPECT_EQ(slot, nullptr);
  EXPECT_TRUE(failsWith(kiln_cuda_take_thread_error(), KILN_UNAVAILABLE,
                        {"CUDA_ERROR_STUB_LIBRARY"}));
}

} // namespace
