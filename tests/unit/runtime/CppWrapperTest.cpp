//===- CppWrapperTest.cpp - Tests of the kiln::rt C++ layer ---------------===//

#include "kiln/runtime.hpp"

#include "TestModules.h"

#include <algorithm>
#include <optional>
#include <type_traits>

using namespace kiln::test;
namespace rt = kiln::rt;

namespace {

static_assert(!std::is_copy_constructible_v<rt::Tensor>);
static_assert(std::is_nothrow_move_constructible_v<rt::Tensor>);

rt::Tensor f32Tensor(const std::vector<int64_t> &shape,
                     const std::vector<float> &values) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_F32, shape);
  std::copy(values.begin(), values.end(), tensor.data<float>());
  return tensor;
}

std::vector<float> values(const rt::Tensor &tensor) {
  const float *data = tensor.data<float>();
  return std::vector<float>(data, data + tensor.elementCount());
}

TEST(CppWrapperTest, LoadsAndRunsAModule) {
  rt::Module module = rt::Module::load(KILN_TEST_FAKE_MODULE);
  EXPECT_EQ(module.producer(), "kiln-test fake module");
  std::vector<rt::Function> functions = module.functions();
  ASSERT_EQ(functions.size(), 2u);
  EXPECT_EQ(functions[0].name(), "add");
  EXPECT_EQ(functions[1].name(), "negate");

  rt::Function add = module.function("add");
  std::vector<rt::ValueInfo> inputs = add.inputs();
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[1].name, "b");
  EXPECT_EQ(inputs[1].dtype, KILN_DTYPE_F32);
  EXPECT_EQ(inputs[1].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(add.outputs().at(0).name, "sum");

  rt::Tensor a = f32Tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  rt::Tensor b = f32Tensor({2, 3}, {6, 5, 4, 3, 2, 1});
  std::vector<rt::Tensor> outputs = add.run({&a, &b});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(outputs[0].byteSize(), 24u);
  EXPECT_EQ(values(outputs[0]), std::vector<float>(6, 7.0f));
}

TEST(CppWrapperTest, RunsIntoProvidedOutputs) {
  rt::Module module = rt::Module::fromAbi(&inMemoryModule(), nullptr, nullptr);
  rt::Function split = module.function("split");
  rt::Tensor x = f32Tensor({4}, {1, 2, 3, 4});
  std::vector<rt::Tensor> outputs;
  outputs.push_back(rt::Tensor::create(KILN_DTYPE_F32, {2}));
  outputs.emplace_back(); // Left for the runtime to allocate.
  kiln_tensor *provided = outputs[0].get();
  split.run({&x}, outputs);
  EXPECT_EQ(outputs[0].get(), provided);
  EXPECT_EQ(values(outputs[0]), (std::vector<float>{1, 2}));
  ASSERT_TRUE(outputs[1]);
  EXPECT_EQ(values(outputs[1]), (std::vector<float>{3, 4}));
}

TEST(CppWrapperTest, ErrorsCarryTheStatusCode) {
  rt::Module module = rt::Module::load(KILN_TEST_FAKE_MODULE);
  try {
    module.function("mul");
    FAIL() << "expected an Error";
  } catch (const rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_NOT_FOUND);
    EXPECT_NE(std::string(error.what()).find("'negate'"), std::string::npos);
  }

  rt::Tensor wrongDtype = rt::Tensor::create(KILN_DTYPE_I32, {2, 3});
  rt::Tensor b = rt::Tensor::create(KILN_DTYPE_F32, {2, 3});
  try {
    module.function("add").run({&wrongDtype, &b});
    FAIL() << "expected an Error";
  } catch (const rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_INVALID_ARGUMENT);
    EXPECT_NE(std::string(error.what()).find("has dtype i32, expected f32"),
              std::string::npos);
  }

  try {
    rt::Module::load("/nonexistent/kiln/module.so");
    FAIL() << "expected an Error";
  } catch (const rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_NOT_FOUND);
  }
}

TEST(CppWrapperTest, FunctionKeepsItsModuleAlive) {
  ReleaseCounter counter;
  std::optional<rt::Function> add;
  {
    rt::Module module = rt::Module::fromAbi(&inMemoryModule(), &counter,
                                            ReleaseCounter::release);
    add = module.function("add");
  }
  EXPECT_EQ(counter.count, 0) << "the Function still holds the module";
  rt::Tensor a = f32Tensor({2, 3}, {1, 1, 1, 1, 1, 1});
  EXPECT_EQ(values(add->run({&a, &a}).at(0)), std::vector<float>(6, 2.0f));
  add.reset();
  EXPECT_EQ(counter.count, 1);
}

TEST(CppWrapperTest, FromAbiReleasesOnFailure) {
  EditableTable table;
  table.module.abi_version = 99;
  ReleaseCounter counter;
  EXPECT_THROW(
      rt::Module::fromAbi(&table.module, &counter, ReleaseCounter::release),
      rt::Error);
  EXPECT_EQ(counter.count, 1);
}

TEST(CppWrapperTest, TensorOwnershipAndAccessors) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I64, {3});
  EXPECT_TRUE(tensor.ownsData());
  EXPECT_EQ(tensor.rank(), 1u);
  EXPECT_EQ(tensor.dtype(), KILN_DTYPE_I64);
  tensor.data<int64_t>()[2] = 9;

  rt::Tensor moved = std::move(tensor);
  EXPECT_FALSE(tensor); // NOLINT(bugprone-use-after-move): checking the state.
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved.data<int64_t>()[2], 9);
  EXPECT_THROW(moved.data<int32_t>(), rt::Error) << "element size mismatch";

  kiln_tensor *raw = moved.release();
  EXPECT_FALSE(moved);
  kiln_tensor_free(raw);

  int16_t buffer[4] = {1, 2, 3, 4};
  rt::Tensor wrapped =
      rt::Tensor::wrap(KILN_DTYPE_I16, {2, 2}, buffer, sizeof(buffer));
  EXPECT_FALSE(wrapped.ownsData());
  EXPECT_EQ(wrapped.data<int16_t>(), buffer);

  try {
    rt::Tensor::create(KILN_DTYPE_F32, {-1});
    FAIL() << "expected an Error";
  } catch (const rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_INVALID_ARGUMENT);
  }
  EXPECT_THROW(rt::Tensor::wrap(KILN_DTYPE_I16, {2, 2}, buffer, 6), rt::Error);
}

TEST(CppWrapperTest, SessionsRunAndKeepTheModuleAlive) {
  ReleaseCounter counter;
  rt::Session session;
  EXPECT_FALSE(session);
  {
    kiln_abi_module_info info{KILN_MODULE_INFO_MAGIC, KILN_MODULE_INFO_VERSION,
                              128, nullptr};
    rt::Module module = rt::Module::fromTables(
        &inMemoryModule(), &info, &counter, ReleaseCounter::release);
    EXPECT_EQ(module.arenaSize(), 128u);
    EXPECT_FALSE(module.hasExternalWeights());
    session = rt::Session(module.function("add"), rt::SessionOptions{4});
  }
  EXPECT_EQ(counter.count, 0) << "the Session still holds the module";
  EXPECT_EQ(session.threads(), 4);
  EXPECT_EQ(session.arenaSize(), 128u);
  rt::Tensor a = f32Tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  std::vector<rt::Tensor> outputs = session.run({&a, &a});
  EXPECT_EQ(values(outputs.at(0)), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(outputs[0].checksum(),
            kiln_checksum(kiln_tensor_const_data(outputs[0].get()), 24));
  rt::Session moved = std::move(session);
  EXPECT_FALSE(session); // NOLINT(bugprone-use-after-move): checking the state.
  moved = rt::Session();
  EXPECT_EQ(counter.count, 1);
}

TEST(CppWrapperTest, BadSessionOptionsThrow) {
  rt::Module module = rt::Module::fromAbi(&inMemoryModule(), nullptr, nullptr);
  try {
    rt::Session session(module.function("add"), rt::SessionOptions{-3});
    FAIL() << "expected an Error";
  } catch (const rt::Error &error) {
    EXPECT_EQ(error.code(), KILN_INVALID_ARGUMENT);
  }
}

TEST(CppWrapperTest, RunsOnBuffers) {
  rt::Module module = rt::Module::fromAbi(&inMemoryModule(), nullptr, nullptr);
  float a[6] = {1, 2, 3, 4, 5, 6}, sum[6] = {};
  module.function("add").runBuffers({a, a}, {sum});
  EXPECT_EQ(sum[5], 12.0f);
  EXPECT_THROW(module.function("add").runBuffers({a}, {sum}), rt::Error);
}

} // namespace
