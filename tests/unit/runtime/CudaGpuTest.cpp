//===- CudaGpuTest.cpp - CUDA modules on a real GPU (ctest label gpu) -----===//
//
// Runs CUDA modules end to end: the stand-in library cuda_module.c, and an
// in-memory module whose entries allocate their outputs, read a constant,
// copy, set and synchronize through the mgpu* calls, all around the
// hand-written PTX kernel vector_add.ptx; device tensors, their copies, runs
// on them, and sessions with memory pools of their own. Every test skips,
// printing why, where kiln_cuda_device_count() finds no usable device.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"
#include "kiln/kernel_abi.h"
#include "kiln/runtime.hpp"
#include "vector_add_ptx.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

using namespace kiln::test;

namespace {

/// The stand-in CUDA module library: where this build made it, unless
/// KILN_TEST_CUDA_MODULE_PATH names a copy (scripts/gpu-check.sh carries the
/// test to a GPU machine, where the build folder is elsewhere).
const char *cudaModulePath() {
  const char *path = std::getenv("KILN_TEST_CUDA_MODULE_PATH");
  return path && *path ? path : KILN_TEST_CUDA_MODULE;
}

/// The most elements "shift" accepts: the length of its constant.
constexpr int64_t kMaxShift = 256;
/// The length of the vectors of cuda_module.c's vector_add.
constexpr int64_t kLibraryLength = 1000;

/// The constant "shift" adds: steps[i] = i / 2.
struct Steps {
  float values[kMaxShift];
  Steps() {
    for (int64_t i = 0; i < kMaxShift; ++i)
      values[i] = static_cast<float>(i) / 2;
  }
};
const Steps kSteps;
/// The module slot of the constant's device copy.
void *stepsSlot = nullptr;

/// The in-memory module's GPU code, recorded as a module's constructor
/// would.
void *gpuModule = nullptr;

using Vector = MemRef<float, 1>;

/// Launches vector_add(a, b, out, n) on `stream`.
void launchVectorAdd(float *a, float *b, float *out, int64_t n, void *stream) {
  if (n == 0)
    return;
  void *kernel = mgpuModuleGetFunction(gpuModule, "vector_add");
  void *params[4] = {&a, &b, &out, &n};
  mgpuLaunchKernel(kernel, (n + 255) / 256, 1, 1, 256, 1, 1, 0, stream, params,
                   nullptr, 4);
}

/// shift(x: f32[?]) -> sum: f32[?], copy: f32[?]: sum = x + steps[:n], copy
/// = sum; both allocated by the entry. Fails its check 1 when n > kMaxShift.
int32_t shiftEntry(void **descriptors) {
  Vector &x = descriptorAt<Vector>(descriptors, 0);
  Vector &sum = descriptorAt<Vector>(descriptors, 1);
  Vector &copy = descriptorAt<Vector>(descriptors, 2);
  int64_t n = x.sizes[0];
  if (n > kMaxShift)
    return 1;
  auto *steps = static_cast<float *>(
      kiln_cuda_constant(&stepsSlot, kSteps.values, sizeof(kSteps.values)));
  void *stream = mgpuStreamCreate();
  size_t bytes = static_cast<size_t>(n) * sizeof(float);
  auto *sumData = static_cast<float *>(mgpuMemAlloc(bytes, stream, false));
  auto *copyData = static_cast<float *>(mgpuMemAlloc(bytes, stream, false));
  launchVectorAdd(x.aligned + x.offset, steps, sumData, n, stream);
  // An event between the kernel and the copy, as async tokens lower to.
  void *event = mgpuEventCreate();
  mgpuEventRecord(event, stream);
  mgpuStreamWaitEvent(stream, event);
  mgpuEventSynchronize(event);
  mgpuEventDestroy(event);
  mgpuMemcpy(copyData, sumData, bytes, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  sum = Vector{sumData, sumData, 0, {n}, {1}};
  copy = Vector{copyData, copyData, 0, {n}, {1}};
  return 0;
}

/// fill(x: f32[8]) -> y: f32[8] = 2.5, and halves: i16[8] = 7.
int32_t fillEntry(void **descriptors) {
  Vector &y = descriptorAt<Vector>(descriptors, 1);
  auto &halves = descriptorAt<MemRef<int16_t, 1>>(descriptors, 2);
  float value = 2.5f;
  unsigned int bits;
  std::memcpy(&bits, &value, sizeof(bits));
  mgpuMemset32(y.aligned, bits, 8, nullptr);
  mgpuMemset16(halves.aligned, 7, 8, nullptr);
  return 0;
}

/// leak(x: f32[4]) -> y: f32[4]: allocates a block it never frees, then
/// fails its check 1; the run must still free the block.
int32_t leakEntry(void **) {
  mgpuMemAlloc(1 << 20, nullptr, false);
  return 1;
}

const int64_t kDynamic[1] = {-1};
const int64_t kEight[1] = {8};
const int64_t kFour[1] = {4};
const kiln_abi_value kShiftInputs[1] = {{"x", KILN_DTYPE_F32, 1, kDynamic}};
const kiln_abi_value kShiftOutputs[2] = {{"sum", KILN_DTYPE_F32, 1, kDynamic},
                                         {"copy", KILN_DTYPE_F32, 1, kDynamic}};
const kiln_abi_value kFillInputs[1] = {{"x", KILN_DTYPE_F32, 1, kEight}};
const kiln_abi_value kFillOutputs[2] = {{"y", KILN_DTYPE_F32, 1, kEight},
                                        {"halves", KILN_DTYPE_I16, 1, kEight}};
const kiln_abi_value kLeakValues[1] = {{"x", KILN_DTYPE_F32, 1, kFour}};
const char *const kShiftErrors[1] = {"x has more elements than steps"};
const char *const kLeakErrors[1] = {"leak gave up"};
const kiln_abi_function kFunctions[3] = {
    {"shift", shiftEntry, 1, 2, kShiftInputs, kShiftOutputs, 1, kShiftErrors},
    {"fill", fillEntry, 1, 2, kFillInputs, kFillOutputs, 0, nullptr},
    {"leak", leakEntry, 1, 1, kLeakValues, kLeakValues, 1, kLeakErrors}};
const kiln_abi_module kTable = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 3, kFunctions,
                                "kiln-test in-memory cuda module"};

/// The entry of a CPU function that device tensors must never reach.
int32_t cpuEntry(void **) { return 1; }
const char *const kCpuErrors[1] = {"the CPU entry ran"};
const kiln_abi_function kCpuFunctions[1] = {
    {"cpu_copy", cpuEntry, 1, 1, kLeakValues, kLeakValues, 1, kCpuErrors}};
const kiln_abi_module kCpuTable = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1,
                                   kCpuFunctions, "kiln-test cpu module"};

kiln_abi_module_info cudaInfo() {
  kiln_abi_module_info info{};
  info.magic = KILN_MODULE_INFO_MAGIC;
  info.version = KILN_MODULE_INFO_VERSION;
  info.target = KILN_TARGET_CUDA;
  info.target_arch = "sm_80";
  return info;
}

class CudaGpuTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    gpuModule = mgpuModuleLoadJIT(const_cast<char *>(kVectorAddPtx), 2);
  }
  static void TearDownTestSuite() {
    mgpuModuleUnload(gpuModule);
    gpuModule = nullptr;
  }

  void SetUp() override {
    int32_t count = 0;
    StatusPtr status(kiln_cuda_device_count(&count));
    if (status)
      GTEST_SKIP() << "no GPU: " << kiln_status_message(status.get());
    ASSERT_GE(count, 1);
  }

  static ModulePtr loadInMemory() {
    kiln_abi_module_info info = cudaInfo();
    kiln_module *module = nullptr;
    EXPECT_TRUE(succeeds(
        kiln_module_from_tables(&kTable, &info, nullptr, nullptr, &module)));
    return ModulePtr(module);
  }

  static const kiln_function *find(const kiln_module *module,
                                   const char *name) {
    const kiln_function *function = nullptr;
    EXPECT_TRUE(succeeds(kiln_module_find_function(module, name, &function)));
    return function;
  }
};

std::vector<float> iota(int64_t n, float scale) {
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    values[i] = static_cast<float>(i) * scale;
  return values;
}

TEST_F(CudaGpuTest, LibraryModuleAddsVectors) {
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_load(cudaModulePath(), &raw)));
  ModulePtr module(raw);
  EXPECT_EQ(kiln_module_target(module.get()), KILN_TARGET_CUDA);
  EXPECT_STREQ(kiln_module_target_arch(module.get()), "sm_80");
  const kiln_function *add = find(module.get(), "vector_add");
  TensorPtr a = makeF32({kLibraryLength}, iota(kLibraryLength, 1));
  TensorPtr b = makeF32({kLibraryLength}, iota(kLibraryLength, 0.25f));
  const kiln_tensor *inputs[] = {a.get(), b.get()};
  kiln_tensor *sum = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(add, inputs, 2, &sum, 1)));
  TensorPtr owned(sum);
  std::vector<float> values = f32Values(sum);
  for (int64_t i = 0; i < kLibraryLength; ++i)
    ASSERT_EQ(values[i], static_cast<float>(i) * 1.25f) << "element " << i;

  // Plain buffers take the same path.
  std::vector<float> out(kLibraryLength, -1);
  const void *bufferInputs[] = {kiln_tensor_const_data(a.get()),
                                kiln_tensor_const_data(b.get())};
  void *bufferOutputs[] = {out.data()};
  ASSERT_TRUE(succeeds(
      kiln_function_run_buffers(add, bufferInputs, 2, bufferOutputs, 1)));
  EXPECT_EQ(out, values);
}

TEST_F(CudaGpuTest, MissingKernelFailsTheRun) {
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_load(cudaModulePath(), &raw)));
  ModulePtr module(raw);
  TensorPtr x = makeF32({4}, {1, 2, 3, 4});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *y = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_function_run(find(module.get(), "missing_kernel"), inputs, 1, &y, 1),
      KILN_INTERNAL, {"'missing_kernel'", "no kernel 'no_such_kernel'"}));
  EXPECT_EQ(y, nullptr);
}

TEST_F(CudaGpuTest, SessionsRunOnTheirStreamsConcurrently) {
  kiln::rt::Module module = kiln::rt::Module::load(cudaModulePath());
  EXPECT_EQ(module.target(), KILN_TARGET_CUDA);
  EXPECT_EQ(module.targetArch(), "sm_80");
  kiln::rt::Function add = module.function("vector_add");
  auto work = [&add](float scale, bool &ok) {
    kiln::rt::Session session(add);
    std::vector<float> a = iota(kLibraryLength, scale);
    std::vector<float> b = iota(kLibraryLength, 1);
    kiln::rt::Tensor ta = kiln::rt::Tensor::wrap(
        KILN_DTYPE_F32, {kLibraryLength}, a.data(), a.size() * sizeof(float));
    kiln::rt::Tensor tb = kiln::rt::Tensor::wrap(
        KILN_DTYPE_F32, {kLibraryLength}, b.data(), b.size() * sizeof(float));
    ok = true;
    for (int run = 0; run < 20 && ok; ++run) {
      std::vector<kiln::rt::Tensor> outputs = session.run({&ta, &tb});
      const float *sum = outputs[0].data<float>();
      for (int64_t i = 0; i < kLibraryLength; ++i)
        ok = ok && sum[i] == a[i] + b[i];
    }
  };
  bool first = false, second = false;
  std::thread other(work, 3.0f, std::ref(second));
  work(2.0f, first);
  other.join();
  EXPECT_TRUE(first);
  EXPECT_TRUE(second);
}

TEST_F(CudaGpuTest, EntriesAllocateOutputsAndReadConstants) {
  ModulePtr module = loadInMemory();
  ASSERT_NE(module, nullptr);
  const kiln_function *shift = find(module.get(), "shift");
  void *firstCopy = nullptr;
  for (int64_t n : {kMaxShift, int64_t(100), int64_t(0)}) {
    TensorPtr x = makeF32({n}, iota(n, 3));
    const kiln_tensor *inputs[] = {x.get()};
    kiln_tensor *outputs[2] = {nullptr, nullptr};
    ASSERT_TRUE(succeeds(kiln_function_run(shift, inputs, 1, outputs, 2)));
    TensorPtr sum(outputs[0]), copy(outputs[1]);
    ASSERT_EQ(kiln_tensor_element_count(sum.get()), n);
    std::vector<float> values = f32Values(sum.get());
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(values[i], static_cast<float>(i) * 3 + kSteps.values[i]);
    EXPECT_EQ(f32Values(copy.get()), values);
    // The constant is copied to the device once and kept across runs.
    ASSERT_NE(stepsSlot, nullptr);
    if (!firstCopy)
      firstCopy = stepsSlot;
    EXPECT_EQ(stepsSlot, firstCopy);
  }

  // A failed check, with device blocks the run still frees.
  TensorPtr tooLong = makeF32({kMaxShift + 1}, iota(kMaxShift + 1, 1));
  const kiln_tensor *inputs[] = {tooLong.get()};
  kiln_tensor *outputs[2] = {nullptr, nullptr};
  EXPECT_TRUE(failsWith(kiln_function_run(shift, inputs, 1, outputs, 2),
                        KILN_INVALID_ARGUMENT,
                        {"x has more elements than steps"}));
  EXPECT_EQ(outputs[0], nullptr);

  // Freeing the module frees the device copy and resets its slot.
  module.reset();
  EXPECT_EQ(stepsSlot, nullptr);
}

TEST_F(CudaGpuTest, MemsetsFillOutputs) {
  ModulePtr module = loadInMemory();
  ASSERT_NE(module, nullptr);
  TensorPtr x = makeF32({8}, iota(8, 1));
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *outputs[2] = {nullptr, nullptr};
  ASSERT_TRUE(succeeds(
      kiln_function_run(find(module.get(), "fill"), inputs, 1, outputs, 2)));
  TensorPtr y(outputs[0]), halves(outputs[1]);
  EXPECT_EQ(f32Values(y.get()), std::vector<float>(8, 2.5f));
  const auto *shorts =
      static_cast<const int16_t *>(kiln_tensor_const_data(halves.get()));
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(shorts[i], 7);
}

TEST_F(CudaGpuTest, FailedRunsFreeWhatTheModuleLeft) {
  ModulePtr module = loadInMemory();
  ASSERT_NE(module, nullptr);
  const kiln_function *leak = find(module.get(), "leak");
  TensorPtr x = makeF32({4}, {1, 2, 3, 4});
  const kiln_tensor *inputs[] = {x.get()};
  // 4096 runs of a 1 MiB leak would take 4 GiB if the blocks were kept.
  for (int run = 0; run < 4096; ++run) {
    kiln_tensor *y = nullptr;
    ASSERT_TRUE(failsWith(kiln_function_run(leak, inputs, 1, &y, 1),
                          KILN_INVALID_ARGUMENT, {"leak gave up"}))
        << "run " << run;
  }
}

/// A device copy of `host`, failing the test on error.
TensorPtr toDevice(const kiln_tensor *host) {
  kiln_tensor *device = nullptr;
  EXPECT_TRUE(succeeds(kiln_tensor_copy_to_device(host, &device)));
  return TensorPtr(device);
}

/// The values of a device f32 tensor, read through a host copy.
std::vector<float> deviceValues(const kiln_tensor *device) {
  kiln_tensor *host = nullptr;
  EXPECT_TRUE(succeeds(kiln_tensor_copy_to_host(device, &host)));
  TensorPtr owner(host);
  return host ? f32Values(host) : std::vector<float>();
}

TEST_F(CudaGpuTest, DeviceTensorsRoundTrip) {
  TensorPtr host = makeF32({kLibraryLength}, iota(kLibraryLength, 0.5f));
  TensorPtr device = toDevice(host.get());
  ASSERT_NE(device, nullptr);
  EXPECT_EQ(kiln_tensor_is_on_device(device.get()), 1);
  EXPECT_EQ(kiln_tensor_owns_data(device.get()), 1);
  EXPECT_EQ(kiln_tensor_byte_size(device.get()),
            kiln_tensor_byte_size(host.get()));
  EXPECT_NE(kiln_tensor_const_data(device.get()), nullptr);
  EXPECT_NE(kiln_tensor_const_data(device.get()),
            kiln_tensor_const_data(host.get()));
  // The checksum reads a host copy.
  EXPECT_EQ(kiln_tensor_checksum(device.get()),
            kiln_tensor_checksum(host.get()));
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_copy_to_host(device.get(), &raw)));
  TensorPtr back(raw);
  EXPECT_EQ(kiln_tensor_is_on_device(back.get()), 0);
  EXPECT_EQ(f32Values(back.get()), f32Values(host.get()));

  // Empty device tensors, and creation without a copy.
  const int64_t empty[2] = {0, 3};
  ASSERT_TRUE(
      succeeds(kiln_tensor_create_on_device(KILN_DTYPE_F32, 2, empty, &raw)));
  TensorPtr emptyDevice(raw);
  EXPECT_NE(kiln_tensor_const_data(emptyDevice.get()), nullptr);
  ASSERT_TRUE(succeeds(kiln_tensor_copy_to_host(emptyDevice.get(), &raw)));
  TensorPtr emptyHost(raw);
  EXPECT_EQ(kiln_tensor_element_count(emptyHost.get()), 0);

  // The C++ layer.
  kiln::rt::Tensor wrapped = kiln::rt::Tensor::create(KILN_DTYPE_I32, {3});
  wrapped.data<int32_t>()[2] = -7;
  kiln::rt::Tensor onDevice = wrapped.toDevice();
  EXPECT_TRUE(onDevice.onDevice());
  kiln::rt::Tensor again = onDevice.toHost();
  EXPECT_FALSE(again.onDevice());
  EXPECT_EQ(again.data<int32_t>()[2], -7);
  kiln::rt::Tensor created =
      kiln::rt::Tensor::createOnDevice(KILN_DTYPE_I32, {3});
  created.copyFrom(onDevice);
  EXPECT_EQ(created.toHost().data<int32_t>()[2], -7);
}

TEST_F(CudaGpuTest, CopiesGoEitherWay) {
  TensorPtr first = makeF32({4}, {1, 2, 3, 4});
  TensorPtr second = makeF32({4}, {5, 6, 7, 8});
  TensorPtr deviceA = toDevice(first.get());
  const int64_t shape[1] = {4};
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_tensor_create_on_device(KILN_DTYPE_F32, 1, shape, &raw)));
  TensorPtr deviceB(raw);

  // Device to device, into an existing tensor and into a new one.
  ASSERT_TRUE(succeeds(kiln_tensor_copy(deviceA.get(), deviceB.get())));
  EXPECT_EQ(deviceValues(deviceB.get()), f32Values(first.get()));
  TensorPtr deviceC = toDevice(deviceB.get());
  EXPECT_EQ(deviceValues(deviceC.get()), f32Values(first.get()));
  // Host to device over existing data, device to host into a host tensor.
  ASSERT_TRUE(succeeds(kiln_tensor_copy(second.get(), deviceB.get())));
  TensorPtr hostOut = makeTensor(KILN_DTYPE_F32, {4});
  ASSERT_TRUE(succeeds(kiln_tensor_copy(deviceB.get(), hostOut.get())));
  EXPECT_EQ(f32Values(hostOut.get()), f32Values(second.get()));
  // Untouched by the copies into B.
  EXPECT_EQ(deviceValues(deviceA.get()), f32Values(first.get()));
  EXPECT_EQ(deviceValues(deviceC.get()), f32Values(first.get()));

  TensorPtr wrongShape = makeTensor(KILN_DTYPE_F32, {2, 2});
  EXPECT_TRUE(failsWith(kiln_tensor_copy(deviceA.get(), wrongShape.get()),
                        KILN_INVALID_ARGUMENT, {"must match"}));
}

TEST_F(CudaGpuTest, RunsUseDeviceTensorsInPlace) {
  kiln::rt::Module module = kiln::rt::Module::load(cudaModulePath());
  kiln::rt::Function add = module.function("vector_add");
  TensorPtr a = makeF32({kLibraryLength}, iota(kLibraryLength, 1));
  TensorPtr b = makeF32({kLibraryLength}, iota(kLibraryLength, 0.25f));
  TensorPtr deviceA = toDevice(a.get()), deviceB = toDevice(b.get());
  const int64_t shape[1] = {kLibraryLength};
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_tensor_create_on_device(KILN_DTYPE_F32, 1, shape, &raw)));
  TensorPtr deviceSum(raw);
  std::vector<float> expected = iota(kLibraryLength, 1.25f);

  // Device inputs into a device output: nothing crosses to the host.
  const kiln_tensor *deviceInputs[] = {deviceA.get(), deviceB.get()};
  kiln_tensor *outputs[] = {deviceSum.get()};
  ASSERT_TRUE(
      succeeds(kiln_function_run(add.get(), deviceInputs, 2, outputs, 1)));
  EXPECT_EQ(outputs[0], deviceSum.get());
  EXPECT_EQ(kiln_tensor_is_on_device(deviceSum.get()), 1);
  EXPECT_EQ(deviceValues(deviceSum.get()), expected);

  // Mixed inputs; a NULL slot receives a new host tensor.
  const kiln_tensor *mixed[] = {a.get(), deviceB.get()};
  kiln_tensor *fresh = nullptr;
  ASSERT_TRUE(succeeds(kiln_function_run(add.get(), mixed, 2, &fresh, 1)));
  TensorPtr freshOwner(fresh);
  EXPECT_EQ(kiln_tensor_is_on_device(fresh), 0);
  EXPECT_EQ(f32Values(fresh), expected);

  // Host inputs into a device output, in a session.
  kiln_session *session = nullptr;
  ASSERT_TRUE(succeeds(kiln_session_create(add.get(), nullptr, &session)));
  std::unique_ptr<kiln_session, void (*)(kiln_session *)> sessionOwner(
      session, kiln_session_free);
  ASSERT_TRUE(succeeds(kiln_tensor_copy(b.get(), deviceSum.get())));
  const kiln_tensor *hostInputs[] = {a.get(), a.get()};
  ASSERT_TRUE(succeeds(kiln_session_run(session, hostInputs, 2, outputs, 1)));
  EXPECT_EQ(deviceValues(deviceSum.get()), iota(kLibraryLength, 2));
  // An output that is one of the inputs is refused, on the device too.
  kiln_tensor *aliased[] = {deviceA.get()};
  EXPECT_TRUE(failsWith(kiln_session_run(session, deviceInputs, 2, aliased, 1),
                        KILN_INVALID_ARGUMENT, {"overlaps input 0"}));
}

TEST_F(CudaGpuTest, EntriesAllocatingOutputsTakeDeviceInputs) {
  ModulePtr module = loadInMemory();
  ASSERT_NE(module, nullptr);
  const kiln_function *shift = find(module.get(), "shift");
  TensorPtr x = makeF32({100}, iota(100, 3));
  TensorPtr deviceX = toDevice(x.get());
  const kiln_tensor *inputs[] = {deviceX.get()};
  kiln_tensor *outputs[2] = {nullptr, nullptr};
  ASSERT_TRUE(succeeds(kiln_function_run(shift, inputs, 1, outputs, 2)));
  TensorPtr sum(outputs[0]), copy(outputs[1]);
  EXPECT_EQ(kiln_tensor_is_on_device(sum.get()), 0);
  std::vector<float> values = f32Values(sum.get());
  ASSERT_EQ(values.size(), 100u);
  for (int64_t i = 0; i < 100; ++i)
    ASSERT_EQ(values[i], static_cast<float>(i) * 3 + kSteps.values[i]);
  EXPECT_EQ(f32Values(copy.get()), values);
  module.reset();
}

TEST_F(CudaGpuTest, CpuFunctionsRefuseDeviceTensors) {
  kiln_module *raw = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_module_from_abi(&kCpuTable, nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  const kiln_function *copy = find(module.get(), "cpu_copy");
  TensorPtr host = makeF32({4}, {1, 2, 3, 4});
  TensorPtr device = toDevice(host.get());
  const kiln_tensor *deviceInputs[] = {device.get()};
  kiln_tensor *output = nullptr;
  EXPECT_TRUE(failsWith(kiln_function_run(copy, deviceInputs, 1, &output, 1),
                        KILN_INVALID_ARGUMENT,
                        {"input 0 ('x')", "in CUDA device memory",
                         "runs on the CPU", "kiln_tensor_copy_to_host()"}));
  EXPECT_EQ(output, nullptr);
  const kiln_tensor *hostInputs[] = {host.get()};
  kiln_tensor *deviceOutputs[] = {device.get()};
  EXPECT_TRUE(failsWith(
      kiln_function_run(copy, hostInputs, 1, deviceOutputs, 1),
      KILN_INVALID_ARGUMENT, {"output 0 ('x')", "in CUDA device memory"}));
  kiln_session *session = nullptr;
  ASSERT_TRUE(succeeds(kiln_session_create(copy, nullptr, &session)));
  EXPECT_TRUE(failsWith(kiln_session_run(session, deviceInputs, 1, &output, 1),
                        KILN_INVALID_ARGUMENT, {"in CUDA device memory"}));
  EXPECT_EQ(kiln_session_device_memory_reserved(session), 0u);
  kiln_session_free(session);

  // Nor do the sequence helpers read device memory.
  TensorPtr index =
      makeTensor(KILN_DTYPE_I64, {1, KILN_SEQUENCE_INDEX_COLUMNS});
  TensorPtr deviceIndex = toDevice(index.get());
  int64_t length = -1;
  EXPECT_TRUE(failsWith(kiln_sequence_length(deviceIndex.get(), &length),
                        KILN_INVALID_ARGUMENT, {"in CUDA device memory"}));
  EXPECT_EQ(length, -1);
}

/// What one thread of SessionsAllocateFromTheirOwnPools saw.
struct SessionReport {
  bool ok = false;
  size_t reservedBefore = 0;
  size_t reservedAfter = 0;
  std::string error;
};

/// Runs vector_add 20 times in a session of its own, on host tensors or
/// (`onDevice`) on a device input and a device output; b stays a host input,
/// staged in the session's pool.
void runInOwnSession(const kiln::rt::Function &add, float scale, bool onDevice,
                     SessionReport &report) try {
  kiln::rt::Session session(add);
  report.reservedBefore = session.deviceMemoryReserved();
  std::vector<float> a = iota(kLibraryLength, scale);
  std::vector<float> b = iota(kLibraryLength, 1);
  kiln::rt::Tensor ta = kiln::rt::Tensor::wrap(
      KILN_DTYPE_F32, {kLibraryLength}, a.data(), a.size() * sizeof(float));
  kiln::rt::Tensor tb = kiln::rt::Tensor::wrap(
      KILN_DTYPE_F32, {kLibraryLength}, b.data(), b.size() * sizeof(float));
  kiln::rt::Tensor da = ta.toDevice();
  bool ok = true;
  for (int run = 0; run < 20 && ok; ++run) {
    std::vector<kiln::rt::Tensor> outputs(1);
    if (onDevice) {
      outputs[0] =
          kiln::rt::Tensor::createOnDevice(KILN_DTYPE_F32, {kLibraryLength});
      session.run({&da, &tb}, outputs);
      ok = outputs[0].onDevice();
      outputs[0] = outputs[0].toHost();
    } else {
      session.run({&ta, &tb}, outputs);
    }
    const float *values = outputs[0].data<float>();
    for (int64_t i = 0; i < kLibraryLength; ++i)
      ok = ok && values[i] == a[i] + b[i];
  }
  report.reservedAfter = session.deviceMemoryReserved();
  report.ok = ok;
} catch (const kiln::rt::Error &error) {
  report.error = error.what();
}

TEST_F(CudaGpuTest, SessionsAllocateFromTheirOwnPools) {
  kiln::rt::Module module = kiln::rt::Module::load(cudaModulePath());
  kiln::rt::Function add = module.function("vector_add");
  SessionReport first, second;
  std::thread other(runInOwnSession, std::cref(add), 3.0f, true,
                    std::ref(second));
  runInOwnSession(add, 2.0f, false, first);
  other.join();
  for (const SessionReport *report : {&first, &second}) {
    EXPECT_TRUE(report->ok) << report->error;
    EXPECT_EQ(report->reservedBefore, 0u) << "no pool before the first run";
    // Devices of the architectures the tests target all have memory pools,
    // and a session's pool keeps what its runs staged.
    EXPECT_GT(report->reservedAfter, 0u);
  }
}

TEST_F(CudaGpuTest, CallsOutsideRunsStillRecordAnError) {
  EXPECT_EQ(mgpuMemAlloc(16, nullptr, false), nullptr);
  EXPECT_TRUE(failsWith(kiln_cuda_take_thread_error(), KILN_INVALID_ARGUMENT,
                        {"outside a run"}));
  EXPECT_GE(kiln::rt::cudaDeviceCount(), 1);
}

} // namespace
