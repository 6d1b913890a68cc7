//===- NativeTestSupport.h - Helpers shared by the GraphBuilder tests -----===//

#ifndef KILN_TESTS_UNIT_NATIVE_NATIVETESTSUPPORT_H
#define KILN_TESTS_UNIT_NATIVE_NATIVETESTSUPPORT_H

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Driver/Compiler.h"
#include "kiln/Frontends/Native/GraphBuilder.h"
#include "kiln/Frontends/Native/Layers.h"
#include "kiln/runtime.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kiln::test {

/// The values of the parameter constant named `name` in `module` (empty
/// when there is none).
inline std::vector<float> weightValues(mlir::ModuleOp module,
                                       llvm::StringRef name) {
  std::vector<float> values;
  module.walk([&](ConstantOp constant) {
    auto attribute =
        constant->getAttrOfType<mlir::StringAttr>(kInitializerAttrName);
    if (!attribute || attribute.getValue() != name)
      return;
    auto elements = llvm::cast<mlir::DenseElementsAttr>(constant.getValue());
    for (float value : elements.getValues<float>())
      values.push_back(value);
  });
  return values;
}

/// An f32 tensor of `shape` holding `values`.
inline rt::Tensor tensorOf(const std::vector<int64_t> &shape,
                           const std::vector<float> &values) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_F32, shape);
  EXPECT_EQ(tensor.elementCount(), static_cast<int64_t>(values.size()));
  std::copy(values.begin(), values.end(), tensor.data<float>());
  return tensor;
}

inline std::vector<float> valuesOf(const rt::Tensor &tensor) {
  const float *data = tensor.data<float>();
  return std::vector<float>(data, data + tensor.elementCount());
}

/// `count` numbers in [-1, 1) from a simple fixed sequence (the inputs of
/// the tests; any values would do).
inline std::vector<float> testValues(int64_t count, unsigned salt = 0) {
  std::vector<float> values(count);
  uint32_t state = 12345u + salt * 7919u;
  for (float &value : values) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<float>(state >> 8) / float(1 << 24) * 2.0f - 1.0f;
  }
  return values;
}

/// Compiles `module` in process; fails the test (and returns nothing) when it
/// does not compile.
inline std::optional<rt::Module> compile(driver::Compiler &compiler,
                                         mlir::ModuleOp module) {
  auto loaded = compiler.compileToJit(module);
  if (!loaded) {
    ADD_FAILURE() << "compile: " << llvm::toString(loaded.takeError());
    return std::nullopt;
  }
  return std::move(*loaded);
}

/// Every element of `actual` within `tolerance` (absolute plus relative) of
/// `expected`.
inline ::testing::AssertionResult near(const std::vector<float> &actual,
                                       const std::vector<float> &expected,
                                       double tolerance = 1e-4) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << actual.size() << " values, expected " << expected.size();
  for (size_t i = 0; i < actual.size(); ++i)
    if (std::abs(actual[i] - expected[i]) >
        tolerance * (1 + std::abs(expected[i])))
      return ::testing::AssertionFailure()
             << "element " << i << ": " << actual[i] << ", expected "
             << expected[i];
  return ::testing::AssertionSuccess();
}

} // namespace kiln::test

#endif // KILN_TESTS_UNIT_NATIVE_NATIVETESTSUPPORT_H
