//===- DeviceTensorTest.cpp - Device tensors and copies without a GPU -----===//
//
// What any machine can check of the device tensor API: the argument checks,
// KILN_UNAVAILABLE (saying "no CUDA device") where there is none, with
// nothing left behind, and the copies that stay on the host. Device tensors
// themselves are exercised by CudaGpuTest.cpp. The valgrind run of the CUDA
// tests includes these.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"
#include "kiln/runtime.hpp"

#include <cstring>
#include <string>
#include <vector>

using namespace kiln::test;

namespace {

/// Whether a CUDA device is usable in this process.
bool haveCudaDevice() {
  int32_t count = 0;
  StatusPtr status(kiln_cuda_device_count(&count));
  return !status;
}

#define SKIP_WITH_CUDA_DEVICE()                                                \
  do {                                                                         \
    if (haveCudaDevice())                                                      \
      GTEST_SKIP() << "a CUDA device is usable here; this test needs none";    \
  } while (false)

/// A string tensor holding `values`, owned.
TensorPtr makeStrings(const std::vector<std::string> &values) {
  TensorPtr tensor =
      makeTensor(KILN_DTYPE_STRING, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_TRUE(succeeds(kiln_tensor_set_string(
        tensor.get(), static_cast<int64_t>(i), values[i].c_str())));
  return tensor;
}

TEST(DeviceTensorTest, CreateOnDeviceWithoutDeviceIsUnavailable) {
  SKIP_WITH_CUDA_DEVICE();
  const int64_t shape[2] = {2, 3};
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_tensor_create_on_device(KILN_DTYPE_F32, 2, shape, &tensor),
      KILN_UNAVAILABLE, {"kiln_tensor_create_on_device", "no CUDA device"}));
  EXPECT_EQ(tensor, nullptr) << "out-parameters are written only on success";
  try {
    kiln::rt::Tensor::createOnDevice(KILN_DTYPE_F32, {2, 3});
    FAIL() << "createOnDevice() did not throw";
  } catch (const kiln::rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_UNAVAILABLE);
    EXPECT_NE(std::string(error.what()).find("no CUDA device"),
              std::string::npos)
        << error.what();
  }
}

TEST(DeviceTensorTest, CopyToDeviceWithoutDeviceIsUnavailable) {
  SKIP_WITH_CUDA_DEVICE();
  TensorPtr host = makeF32({4}, {1, 2, 3, 4});
  kiln_tensor *copy = nullptr;
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_device(host.get(), &copy),
                        KILN_UNAVAILABLE,
                        {"kiln_tensor_copy_to_device", "no CUDA device"}));
  EXPECT_EQ(copy, nullptr);
  // An empty tensor still needs a device.
  TensorPtr empty = makeTensor(KILN_DTYPE_I64, {0, 5});
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_device(empty.get(), &copy),
                        KILN_UNAVAILABLE, {"no CUDA device"}));
  EXPECT_EQ(copy, nullptr);
  kiln::rt::Tensor wrapped = kiln::rt::Tensor::create(KILN_DTYPE_F32, {3});
  try {
    wrapped.toDevice();
    FAIL() << "toDevice() did not throw";
  } catch (const kiln::rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_UNAVAILABLE);
  }
}

TEST(DeviceTensorTest, NullArgumentsAreInvalid) {
  const int64_t shape[1] = {4};
  TensorPtr host = makeF32({4}, {1, 2, 3, 4});
  kiln_tensor *out = nullptr;
  EXPECT_TRUE(
      failsWith(kiln_tensor_create_on_device(KILN_DTYPE_F32, 1, shape, nullptr),
                KILN_INVALID_ARGUMENT, {"`out` is NULL"}));
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_device(nullptr, &out),
                        KILN_INVALID_ARGUMENT, {"NULL"}));
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_device(host.get(), nullptr),
                        KILN_INVALID_ARGUMENT, {"NULL"}));
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_host(nullptr, &out),
                        KILN_INVALID_ARGUMENT, {"NULL"}));
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_host(host.get(), nullptr),
                        KILN_INVALID_ARGUMENT, {"NULL"}));
  EXPECT_TRUE(failsWith(kiln_tensor_copy(nullptr, host.get()),
                        KILN_INVALID_ARGUMENT, {"kiln_tensor_copy", "NULL"}));
  EXPECT_TRUE(failsWith(kiln_tensor_copy(host.get(), nullptr),
                        KILN_INVALID_ARGUMENT, {"kiln_tensor_copy", "NULL"}));
  EXPECT_EQ(out, nullptr);
}

TEST(DeviceTensorTest, BadShapesAndStringsAreInvalidEverywhere) {
  kiln_tensor *out = nullptr;
  const int64_t negative[2] = {2, -1};
  EXPECT_TRUE(
      failsWith(kiln_tensor_create_on_device(KILN_DTYPE_F32, 2, negative, &out),
                KILN_INVALID_ARGUMENT, {"non-negative"}));
  const int64_t one[1] = {1};
  EXPECT_TRUE(failsWith(
      kiln_tensor_create_on_device(static_cast<kiln_dtype>(999), 1, one, &out),
      KILN_INVALID_ARGUMENT, {"dtype"}));
  EXPECT_TRUE(failsWith(kiln_tensor_create_on_device(
                            KILN_DTYPE_F32, KILN_ABI_MAX_RANK + 1, one, &out),
                        KILN_INVALID_ARGUMENT, {"rank"}));
  const int64_t huge[2] = {INT64_MAX / 2, 4};
  EXPECT_TRUE(
      failsWith(kiln_tensor_create_on_device(KILN_DTYPE_F32, 2, huge, &out),
                KILN_OUT_OF_RANGE));
  EXPECT_TRUE(failsWith(
      kiln_tensor_create_on_device(KILN_DTYPE_STRING, 1, one, &out),
      KILN_INVALID_ARGUMENT, {"string tensors cannot be in device memory"}));
  TensorPtr strings = makeStrings({"a", "b"});
  EXPECT_TRUE(failsWith(kiln_tensor_copy_to_device(strings.get(), &out),
                        KILN_INVALID_ARGUMENT,
                        {"kiln_tensor_copy_to_device", "string tensors"}));
  EXPECT_EQ(out, nullptr);
}

TEST(DeviceTensorTest, HostTensorsAreNotOnDevice) {
  EXPECT_EQ(kiln_tensor_is_on_device(nullptr), 0);
  TensorPtr created = makeTensor(KILN_DTYPE_I32, {3});
  EXPECT_EQ(kiln_tensor_is_on_device(created.get()), 0);
  float values[2] = {1, 2};
  const int64_t shape[1] = {2};
  kiln_tensor *wrapped = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_F32, 1, shape, values,
                                        sizeof(values), &wrapped)));
  TensorPtr owned(wrapped);
  EXPECT_EQ(kiln_tensor_is_on_device(wrapped), 0);
  EXPECT_FALSE(kiln::rt::Tensor::create(KILN_DTYPE_F32, {1}).onDevice());
}

TEST(DeviceTensorTest, CopyToHostOfHostTensorCopies) {
  TensorPtr source = makeF32({2, 2}, {1, 2, 3, 4});
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_copy_to_host(source.get(), &raw)));
  TensorPtr copy(raw);
  EXPECT_EQ(kiln_tensor_is_on_device(copy.get()), 0);
  EXPECT_EQ(kiln_tensor_owns_data(copy.get()), 1);
  EXPECT_NE(kiln_tensor_const_data(copy.get()),
            kiln_tensor_const_data(source.get()));
  EXPECT_EQ(kiln_tensor_rank(copy.get()), 2u);
  EXPECT_EQ(f32Values(copy.get()), f32Values(source.get()));
  EXPECT_EQ(kiln_tensor_checksum(copy.get()),
            kiln_tensor_checksum(source.get()));

  // Strings are copied, not shared.
  TensorPtr strings = makeStrings({"alpha", "", "gamma"});
  ASSERT_TRUE(succeeds(kiln_tensor_copy_to_host(strings.get(), &raw)));
  TensorPtr stringCopy(raw);
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(strings.get(), 0, "changed")));
  EXPECT_STREQ(kiln_tensor_string(stringCopy.get(), 0), "alpha");
  EXPECT_STREQ(kiln_tensor_string(stringCopy.get(), 1), "");
  EXPECT_STREQ(kiln_tensor_string(stringCopy.get(), 2), "gamma");

  // Empty tensors too.
  TensorPtr empty = makeTensor(KILN_DTYPE_F64, {0});
  ASSERT_TRUE(succeeds(kiln_tensor_copy_to_host(empty.get(), &raw)));
  TensorPtr emptyCopy(raw);
  EXPECT_EQ(kiln_tensor_element_count(emptyCopy.get()), 0);

  kiln::rt::Tensor cpp = kiln::rt::Tensor::create(KILN_DTYPE_I64, {2});
  cpp.data<int64_t>()[1] = 42;
  kiln::rt::Tensor cppCopy = cpp.toHost();
  EXPECT_FALSE(cppCopy.onDevice());
  EXPECT_EQ(cppCopy.data<int64_t>()[1], 42);
}

TEST(DeviceTensorTest, CopyBetweenHostTensors) {
  TensorPtr source = makeF32({3}, {1, 2, 3});
  TensorPtr destination = makeTensor(KILN_DTYPE_F32, {3});
  ASSERT_TRUE(succeeds(kiln_tensor_copy(source.get(), destination.get())));
  EXPECT_EQ(f32Values(destination.get()), (std::vector<float>{1, 2, 3}));
  // Onto itself: nothing to do.
  ASSERT_TRUE(succeeds(kiln_tensor_copy(source.get(), source.get())));
  EXPECT_EQ(f32Values(source.get()), (std::vector<float>{1, 2, 3}));

  TensorPtr otherShape = makeTensor(KILN_DTYPE_F32, {1, 3});
  EXPECT_TRUE(failsWith(kiln_tensor_copy(source.get(), otherShape.get()),
                        KILN_INVALID_ARGUMENT,
                        {"f32 [3]", "f32 [1, 3]", "must match"}));
  TensorPtr otherDtype = makeTensor(KILN_DTYPE_I32, {3});
  EXPECT_TRUE(failsWith(kiln_tensor_copy(source.get(), otherDtype.get()),
                        KILN_INVALID_ARGUMENT, {"i32", "must match"}));

  // Overlapping wrapped tensors are copied as memmove copies.
  float buffer[4] = {1, 2, 3, 4};
  const int64_t shape[1] = {3};
  kiln_tensor *low = nullptr, *high = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_F32, 1, shape, buffer,
                                        3 * sizeof(float), &low)));
  TensorPtr lowOwner(low);
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_F32, 1, shape, buffer + 1,
                                        3 * sizeof(float), &high)));
  TensorPtr highOwner(high);
  ASSERT_TRUE(succeeds(kiln_tensor_copy(low, high)));
  EXPECT_EQ(std::vector<float>(buffer, buffer + 4),
            (std::vector<float>{1, 1, 2, 3}));

  kiln::rt::Tensor a = kiln::rt::Tensor::create(KILN_DTYPE_I8, {2});
  kiln::rt::Tensor b = kiln::rt::Tensor::create(KILN_DTYPE_I8, {2});
  a.data<int8_t>()[0] = 5;
  b.copyFrom(a);
  EXPECT_EQ(b.data<int8_t>()[0], 5);
}

TEST(DeviceTensorTest, StringCopiesNeedAnOwningDestination) {
  TensorPtr source = makeStrings({"one", "two"});
  TensorPtr destination = makeStrings({"x", "y"});
  ASSERT_TRUE(succeeds(kiln_tensor_copy(source.get(), destination.get())));
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(source.get(), 1, "three")));
  EXPECT_STREQ(kiln_tensor_string(destination.get(), 0), "one");
  EXPECT_STREQ(kiln_tensor_string(destination.get(), 1), "two");

  const char *borrowed[2] = {"p", "q"};
  const int64_t shape[1] = {2};
  kiln_tensor *wrapped = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, shape, borrowed,
                                        sizeof(borrowed), &wrapped)));
  TensorPtr wrappedOwner(wrapped);
  EXPECT_TRUE(failsWith(kiln_tensor_copy(source.get(), wrapped),
                        KILN_INVALID_ARGUMENT, {"borrows its storage"}));
  EXPECT_STREQ(borrowed[0], "p");
  // A wrapped source is fine.
  ASSERT_TRUE(succeeds(kiln_tensor_copy(wrapped, destination.get())));
  EXPECT_STREQ(kiln_tensor_string(destination.get(), 1), "q");
}

} // namespace
