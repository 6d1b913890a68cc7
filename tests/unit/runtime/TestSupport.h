//===- TestSupport.h - Helpers shared by the runtime unit tests -----------===//
//
// Owning handles for C API objects, a status assertion, and the memref
// descriptor layouts that test entry points read.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_UNIT_RUNTIME_TESTSUPPORT_H
#define KILN_TESTS_UNIT_RUNTIME_TESTSUPPORT_H

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <stdlib.h>

namespace kiln::test {

struct StatusDeleter {
  void operator()(kiln_status *status) const { kiln_status_free(status); }
};
struct TensorDeleter {
  void operator()(kiln_tensor *tensor) const { kiln_tensor_free(tensor); }
};
struct ModuleDeleter {
  void operator()(kiln_module *module) const { kiln_module_free(module); }
};

/// Owning handles, so that a failing assertion does not leak.
using StatusPtr = std::unique_ptr<kiln_status, StatusDeleter>;
using TensorPtr = std::unique_ptr<kiln_tensor, TensorDeleter>;
using ModulePtr = std::unique_ptr<kiln_module, ModuleDeleter>;

/// A fresh directory under the test temp folder, removed afterwards.
class TempDir {
public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "kiln_runtime_XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()))
      path = buffer.data();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty())
      std::filesystem::remove_all(path, ignored);
  }

  /// Writes `text` to `name` inside the directory; returns its path.
  std::string write(const std::string &name, const std::string &text) const {
    std::string file = path + "/" + name;
    std::ofstream(file) << text;
    return file;
  }

  std::string path;
};

/// Checks that `status` failed with `code` and that its message contains
/// every string in `fragments`. Takes ownership of `status`.
inline ::testing::AssertionResult
failsWith(kiln_status *rawStatus, kiln_status_code code,
          const std::vector<std::string> &fragments = {}) {
  StatusPtr status(rawStatus);
  if (!status)
    return ::testing::AssertionFailure()
           << "expected " << kiln_status_code_name(code) << ", got success";
  std::string message = kiln_status_message(status.get());
  if (kiln_status_get_code(status.get()) != code)
    return ::testing::AssertionFailure()
           << "expected " << kiln_status_code_name(code) << ", got "
           << kiln_status_code_name(kiln_status_get_code(status.get())) << ": "
           << message;
  for (const std::string &fragment : fragments)
    if (message.find(fragment) == std::string::npos)
      return ::testing::AssertionFailure()
             << "message \"" << message << "\" lacks \"" << fragment << "\"";
  return ::testing::AssertionSuccess() << message;
}

/// Checks that `status` is success (NULL), printing its message otherwise.
inline ::testing::AssertionResult succeeds(kiln_status *rawStatus) {
  StatusPtr status(rawStatus);
  if (!status)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << kiln_status_code_name(kiln_status_get_code(status.get())) << ": "
         << kiln_status_message(status.get());
}

/// Creates an owned tensor, failing the test if creation fails.
inline TensorPtr makeTensor(kiln_dtype dtype, std::vector<int64_t> shape) {
  kiln_tensor *tensor = nullptr;
  EXPECT_TRUE(
      succeeds(kiln_tensor_create(dtype, shape.size(), shape.data(), &tensor)));
  return TensorPtr(tensor);
}

/// Creates an f32 tensor holding `values` in row-major order.
inline TensorPtr makeF32(std::vector<int64_t> shape,
                         const std::vector<float> &values) {
  TensorPtr tensor = makeTensor(KILN_DTYPE_F32, shape);
  EXPECT_EQ(static_cast<size_t>(kiln_tensor_element_count(tensor.get())),
            values.size());
  auto *data = static_cast<float *>(kiln_tensor_data(tensor.get()));
  for (size_t i = 0; i < values.size(); ++i)
    data[i] = values[i];
  return tensor;
}

/// The elements of an f32 tensor.
inline std::vector<float> f32Values(const kiln_tensor *tensor) {
  const auto *data = static_cast<const float *>(kiln_tensor_const_data(tensor));
  return std::vector<float>(data, data + kiln_tensor_element_count(tensor));
}

/// The module info of an in-memory CPU module whose kernel table is
/// `kernels` (`count` call sites), for kiln_module_from_tables.
inline kiln_abi_module_info cpuKernelModuleInfo(kiln_abi_kernel *kernels,
                                                int32_t count) {
  kiln_abi_module_info info{};
  info.magic = KILN_MODULE_INFO_MAGIC;
  info.version = KILN_MODULE_INFO_VERSION;
  info.target = KILN_TARGET_CPU;
  info.num_kernels = count;
  info.kernels = kernels;
  return info;
}

/// Runs function `name` of `module` on one f32 input of `shape` holding
/// `values`; the values of its one output, empty (and the test failed) when
/// the run fails.
inline std::vector<float> runF32(const kiln_module *module, const char *name,
                                 std::vector<int64_t> shape,
                                 const std::vector<float> &values) {
  const kiln_function *function = nullptr;
  EXPECT_TRUE(succeeds(kiln_module_find_function(module, name, &function)));
  if (!function)
    return {};
  TensorPtr in = makeF32(std::move(shape), values);
  const kiln_tensor *inputs[1] = {in.get()};
  kiln_tensor *out = nullptr;
  bool ok = succeeds(kiln_function_run(function, inputs, 1, &out, 1)) && out;
  TensorPtr owned(out);
  EXPECT_TRUE(ok);
  return ok ? f32Values(owned.get()) : std::vector<float>();
}

/// Counts kiln_module_from_abi release callbacks. Pass the object as `owner`
/// and `ReleaseCounter::release` as `release`.
struct ReleaseCounter {
  std::atomic<int> count{0};
  static void release(void *owner) {
    ++static_cast<ReleaseCounter *>(owner)->count;
  }
};

/// MLIR's strided memref descriptor for rank `Rank` (see module_abi.h).
template <typename T, int Rank> struct MemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

/// The rank-0 descriptor has no size or stride arrays.
template <typename T> struct MemRef0 {
  T *allocated;
  T *aligned;
  int64_t offset;
};

/// Reads descriptor `index` of an entry point's argument array.
template <typename Descriptor>
Descriptor &descriptorAt(void **descriptors, int index) {
  return *static_cast<Descriptor *>(descriptors[index]);
}

/// `count` reproducible values in [low, high), from a linear congruential
/// sequence seeded by `seed`.
inline std::vector<float> randomValues(size_t count, uint32_t seed, float low,
                                       float high) {
  std::vector<float> values(count);
  uint32_t state = seed * 2654435761u + 1;
  for (float &value : values) {
    state = state * 1664525u + 1013904223u;
    value = low + (high - low) * (static_cast<float>(state >> 8) /
                                  static_cast<float>(1 << 24));
  }
  return values;
}

} // namespace kiln::test

#endif // KILN_TESTS_UNIT_RUNTIME_TESTSUPPORT_H
