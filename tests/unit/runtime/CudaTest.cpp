//===- CudaTest.cpp - The CUDA backend where no CUDA device may be --------===//
//
// What every machine can check: the reason kiln_cuda_device_count() gives,
// that CUDA modules fail to load cleanly without a device, that the mgpu*
// calls never crash outside a run, and the target accessors. Tests whose
// expectation holds only without a device skip where one is usable; the GPU
// itself is exercised by CudaGpuTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"
#include "kiln/kernel_abi.h"
#include "kiln/runtime.hpp"
#include "vector_add_ptx.h"

#include <cstdlib>
#include <dlfcn.h>
#include <string>

using namespace kiln::test;

namespace {

/// Whether CUDA modules can run in this process.
bool haveCudaDevice() {
  int32_t count = 0;
  StatusPtr status(kiln_cuda_device_count(&count));
  return !status;
}

/// Whether the NVIDIA driver library can be opened here at all.
bool haveDriverLibrary() {
  void *library = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library)
    ::dlclose(library);
  return library != nullptr;
}

/// A version 3 module info table for `target`.
kiln_abi_module_info infoFor(uint32_t target, const char *arch) {
  kiln_abi_module_info info{};
  info.magic = KILN_MODULE_INFO_MAGIC;
  info.version = KILN_MODULE_INFO_VERSION;
  info.target = target;
  info.target_arch = arch;
  return info;
}

/// The thread's CUDA error recorded outside runs, taken (and so cleared).
StatusPtr takeThreadError() { return StatusPtr(kiln_cuda_take_thread_error()); }

#define SKIP_WITH_CUDA_DEVICE()                                                \
  do {                                                                         \
    if (haveCudaDevice())                                                      \
      GTEST_SKIP() << "a CUDA device is usable here; this test needs none";    \
  } while (false)

TEST(CudaTest, DeviceCountSaysWhyThereIsNone) {
  SKIP_WITH_CUDA_DEVICE();
  int32_t count = -1;
  kiln_status *status = kiln_cuda_device_count(&count);
  if (!KILN_TEST_HAVE_CUDA)
    EXPECT_TRUE(
        failsWith(status, KILN_UNAVAILABLE,
                  {"this Kiln runtime was built without CUDA support"}));
  else if (!haveDriverLibrary() && !std::getenv("KILN_CUDA_DRIVER"))
    EXPECT_TRUE(
        failsWith(status, KILN_UNAVAILABLE,
                  {"libcuda.so.1 not found (no NVIDIA driver is installed)"}));
  else
    EXPECT_TRUE(failsWith(status, KILN_UNAVAILABLE));
  EXPECT_EQ(count, -1) << "out-parameters are written only on success";
  EXPECT_TRUE(failsWith(kiln_cuda_device_count(nullptr), KILN_INVALID_ARGUMENT,
                        {"NULL"}));
}

TEST(CudaTest, CppWrapperThrowsTheReason) {
  SKIP_WITH_CUDA_DEVICE();
  try {
    kiln::rt::cudaDeviceCount();
    FAIL() << "cudaDeviceCount() did not throw";
  } catch (const kiln::rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_UNAVAILABLE);
    EXPECT_NE(std::string(error.what()), "");
  }
}

TEST(CudaTest, CudaModuleWithoutDeviceFailsToLoad) {
  SKIP_WITH_CUDA_DEVICE();
  kiln_abi_module_info info = infoFor(KILN_TARGET_CUDA, "sm_90");
  ReleaseCounter counter;
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_module_from_tables(&inMemoryModule(), &info, &counter,
                              ReleaseCounter::release, &module),
      KILN_UNAVAILABLE,
      {"module table: ", "compiled for CUDA (sm_90)", "no CUDA device"}));
  EXPECT_EQ(module, nullptr);
  EXPECT_EQ(counter.count, 1) << "the owner is released on failure";
}

TEST(CudaTest, CudaLibraryWithoutDeviceFailsToLoadAndIsClosed) {
  SKIP_WITH_CUDA_DEVICE();
  // Its constructor records its PTX (without touching the driver) and its
  // destructor frees the handle when the failed load closes the library;
  // the valgrind run of these tests checks that nothing leaks.
  for (int attempt = 0; attempt < 2; ++attempt) {
    kiln_module *module = nullptr;
    EXPECT_TRUE(failsWith(kiln_module_load(KILN_TEST_CUDA_MODULE, &module),
                          KILN_UNAVAILABLE,
                          {KILN_TEST_CUDA_MODULE, "compiled for CUDA (sm_80)",
                           "no CUDA device"}));
    EXPECT_EQ(module, nullptr);
  }
  void *stillOpen =
      ::dlopen(KILN_TEST_CUDA_MODULE, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  EXPECT_EQ(stillOpen, nullptr) << "the failed load left the library open";
  if (stillOpen)
    ::dlclose(stillOpen);
}

TEST(CudaTest, CudaModuleWithStringValuesIsInvalid) {
  static const int64_t dims[1] = {2};
  static const kiln_abi_value inputs[1] = {{"s", KILN_DTYPE_STRING, 1, dims}};
  static const kiln_abi_value outputs[1] = {{"y", KILN_DTYPE_F32, 1, dims}};
  static const kiln_abi_function functions[1] = {
      {"strings", [](void **) { return int32_t(0); }, 1, 1, inputs, outputs, 0,
       nullptr}};
  static const kiln_abi_module table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                        functions, "kiln-test strings"};
  kiln_abi_module_info info = infoFor(KILN_TARGET_CUDA, "sm_90");
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_module_from_tables(&table, &info, nullptr, nullptr, &module),
      KILN_INVALID_MODULE, {"'strings'", "string input 's'"}));
}

TEST(CudaTest, UnknownTargetIsInvalid) {
  kiln_abi_module_info info = infoFor(7, nullptr);
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_from_tables(&inMemoryModule(), &info,
                                                nullptr, nullptr, &module),
                        KILN_INVALID_MODULE, {"target 7"}));
}

TEST(CudaTest, CpuModulesSayCpu) {
  ModulePtr plain = loadInMemoryModule();
  EXPECT_EQ(kiln_module_target(plain.get()), KILN_TARGET_CPU);
  EXPECT_EQ(kiln_module_target_arch(plain.get()), nullptr);

  // A version 3 table that says CPU, and a version 2 table (no target).
  for (uint32_t version : {3u, 2u}) {
    kiln_abi_module_info info = infoFor(KILN_TARGET_CPU, nullptr);
    info.version = version;
    kiln_module *raw = nullptr;
    ASSERT_TRUE(succeeds(kiln_module_from_tables(&inMemoryModule(), &info,
                                                 nullptr, nullptr, &raw)));
    ModulePtr module(raw);
    EXPECT_EQ(kiln_module_target(module.get()), KILN_TARGET_CPU);
    EXPECT_EQ(kiln_module_target_arch(module.get()), nullptr);
  }
  EXPECT_EQ(kiln_module_target(nullptr), KILN_TARGET_CPU);
  EXPECT_EQ(kiln_module_target_arch(nullptr), nullptr);

  kiln::rt::Module wrapped =
      kiln::rt::Module::fromAbi(&inMemoryModule(), nullptr, nullptr);
  EXPECT_EQ(wrapped.target(), KILN_TARGET_CPU);
  EXPECT_EQ(wrapped.targetArch(), "");
}

TEST(CudaTest, GpuModuleHandlesNeedNoDriver) {
  // As a module's global constructor and destructor use them, on any machine.
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kVectorAddPtx), 2);
  ASSERT_NE(module, nullptr);
  void *blob = mgpuModuleLoad(const_cast<char *>(kVectorAddPtx),
                              sizeof(kVectorAddPtx) - 1);
  ASSERT_NE(blob, nullptr);
  EXPECT_EQ(takeThreadError(), nullptr);
  mgpuModuleUnload(blob);
  mgpuModuleUnload(module);
  mgpuModuleUnload(nullptr);
  EXPECT_EQ(takeThreadError(), nullptr);
}

TEST(CudaTest, GpuCallsOutsideRunsRecordAnErrorAndReturn) {
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kVectorAddPtx), 2);
  EXPECT_EQ(mgpuModuleGetFunction(module, "vector_add"), nullptr);
  StatusPtr error = takeThreadError();
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(kiln_status_message(error.get())), "");
  EXPECT_EQ(takeThreadError(), nullptr) << "taking the error clears it";

  float value = 1;
  void *params[1] = {&value};
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr, 1);
  EXPECT_NE(takeThreadError(), nullptr);
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_NE(takeThreadError(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  EXPECT_NE(takeThreadError(), nullptr);
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  EXPECT_NE(takeThreadError(), nullptr);

  // Each of these records an error (outside a run) and returns harmlessly,
  // whatever pointers it is given.
  mgpuMemcpy(&value, &value, sizeof(value), nullptr);
  mgpuMemset32(&value, 0, 1, nullptr);
  mgpuMemset16(&value, 0, 1, nullptr);
  mgpuStreamSynchronize(nullptr);
  mgpuStreamWaitEvent(nullptr, nullptr);
  mgpuEventSynchronize(nullptr);
  mgpuEventRecord(nullptr, nullptr);
  mgpuMemFree(&value, nullptr);
  EXPECT_NE(takeThreadError(), nullptr);

  // Nothing to do is no error.
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  mgpuMemFree(nullptr, nullptr);
  mgpuStreamDestroy(nullptr);
  mgpuEventDestroy(nullptr);
  EXPECT_EQ(takeThreadError(), nullptr);
  mgpuModuleUnload(module);
}

TEST(CudaTest, ConstantsWithoutDeviceRecordWhy) {
  SKIP_WITH_CUDA_DEVICE();
  static const float values[4] = {1, 2, 3, 4};
  static void *slot = nullptr;
  EXPECT_EQ(kiln_cuda_constant(&slot, values, sizeof(values)), nullptr);
  EXPECT_EQ(slot, nullptr);
  EXPECT_TRUE(failsWith(kiln_cuda_take_thread_error(), KILN_UNAVAILABLE,
                        {"no CUDA device"}));
  EXPECT_EQ(kiln_cuda_constant(nullptr, values, sizeof(values)), nullptr);
  EXPECT_NE(takeThreadError(), nullptr);
}

TEST(CudaTest, LibraryKernelsOutsideRunsRecordAnErrorAndReturn) {
  // No device memory is touched: outside a run, each kernel records why it
  // cannot run and returns non-zero, with its state word left alone.
  int64_t convParams[KILN_CONV2D_NUM_PARAMS] = {};
  int64_t matmulParams[KILN_MATMUL_NUM_PARAMS] = {};
  void *state = nullptr;
  float value = 1;
  const char *fragment =
      KILN_TEST_HAVE_CUDA ? "outside a run" : "without CUDA support";
  auto expectError = [&](int32_t code, const char *entry) {
    EXPECT_NE(code, 0) << entry;
    StatusPtr error = takeThreadError();
    ASSERT_NE(error, nullptr) << entry;
    std::string message = kiln_status_message(error.get());
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    if (KILN_TEST_HAVE_CUDA)
      EXPECT_NE(message.find(entry), std::string::npos) << message;
  };
  expectError(kiln_cuda_conv2d(convParams, &state, 1, &value, &value, nullptr,
                               nullptr, &value),
              "kiln_cuda_conv2d");
  expectError(kiln_cuda_conv_transpose2d(convParams, &state, 1, &value, &value,
                                         nullptr, nullptr, &value),
              "kiln_cuda_conv_transpose2d");
  expectError(kiln_cuda_conv2d_backward_filter(convParams, &state, 1, &value,
                                               &value, &value),
              "kiln_cuda_conv2d_backward_filter");
  expectError(kiln_cuda_matmul(matmulParams, &state, 1, &value, &value, nullptr,
                               nullptr, &value),
              "kiln_cuda_matmul");
  // NULL everything: still no crash.
  expectError(kiln_cuda_conv2d(nullptr, nullptr, -1, nullptr, nullptr, nullptr,
                               nullptr, nullptr),
              "kiln_cuda_conv2d");
  EXPECT_EQ(state, nullptr);
  EXPECT_EQ(value, 1);
}

} // namespace
