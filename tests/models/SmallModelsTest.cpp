//===- SmallModelsTest.cpp - An MLP and a CNN, end to end, JIT and AOT ----===//
//
// Whole models written in the kiln dialect (weights as constants), compiled
// both in process and ahead of time into a shared library that the runtime
// loads, with every output compared to the same model evaluated with the
// reference loops.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

ref::Tensor add(const ref::Tensor &a, const ref::Tensor &b) {
  return ref::binary(a, b, [](double x, double y) { return x + y; });
}
ref::Tensor relu(const ref::Tensor &x) {
  return ref::unary(x, [](double v) { return v > 0 ? v : 0.0; });
}

/// A model: its input shape, how to build it in kiln, and its reference output.
struct Model {
  std::vector<int64_t> inputShape;
  std::function<Value(OpBuilder &, Location, Value)> build;
  std::function<ref::Tensor(const ref::Tensor &)> evaluate;
};

/// 64 -> 32 (relu) -> 10 (softmax), batch 8.
Model makeMlp(std::mt19937 &engine) {
  auto w1 = ref::random({64, 32}, engine, -0.3f, 0.3f),
       b1 = ref::random({32}, engine);
  auto w2 = ref::random({32, 10}, engine, -0.3f, 0.3f),
       b2 = ref::random({10}, engine);
  Model model;
  model.inputShape = {8, 64};
  model.build = [=](OpBuilder &b, Location loc, Value x) -> Value {
    Value h = MatMulOp::create(b, loc, x, buildConstant(b, loc, w1));
    h = AddOp::create(b, loc, h, buildConstant(b, loc, b1));
    h = ReluOp::create(b, loc, h);
    Value logits = MatMulOp::create(b, loc, h, buildConstant(b, loc, w2));
    logits = AddOp::create(b, loc, logits, buildConstant(b, loc, b2));
    return SoftmaxOp::create(b, loc, logits, 1);
  };
  model.evaluate = [=](const ref::Tensor &x) {
    ref::Tensor h = relu(add(ref::matmul(x, w1), b1));
    return ref::softmax(add(ref::matmul(h, w2), b2), 1);
  };
  return model;
}

/// conv 3x3 (3->8) + bias, relu, max pool 2x2, grouped strided conv (8->16, 2
/// groups)
/// + bias, relu, average pool 2x2, flatten, dense 64->10, softmax. Batch 2,
/// 16x16.
Model makeCnn(std::mt19937 &engine) {
  auto conv1 = ref::random({8, 3, 3, 3}, engine, -0.4f, 0.4f);
  auto bias1 = ref::random({1, 8, 1, 1}, engine, -0.1f, 0.1f);
  auto conv2 = ref::random({16, 4, 3, 3}, engine, -0.3f, 0.3f);
  auto bias2 = ref::random({1, 16, 1, 1}, engine, -0.1f, 0.1f);
  auto dense = ref::random({64, 10}, engine, -0.3f, 0.3f);
  auto denseBias = ref::random({10}, engine, -0.1f, 0.1f);
  ref::Window same{{1, 1}, {1, 1, 1, 1}, {1, 1}};
  ref::Window down{{2, 2}, {1, 1, 1, 1}, {1, 1}};
  ref::Window pool{{2, 2}, {0, 0, 0, 0}, {1, 1}};

  Model model;
  model.inputShape = {2, 3, 16, 16};
  model.build = [=](OpBuilder &b, Location loc, Value x) -> Value {
    Value y = ConvOp::create(b, loc, x, buildConstant(b, loc, conv1),
                             same.strides, same.padding, same.dilations, 1);
    y = ReluOp::create(b, loc,
                       AddOp::create(b, loc, y, buildConstant(b, loc, bias1)));
    y = MaxPoolOp::create(b, loc, y, ArrayRef<int64_t>{2, 2}, pool.strides,
                          pool.padding, false, pool.dilations);
    y = ConvOp::create(b, loc, y, buildConstant(b, loc, conv2), down.strides,
                       down.padding, down.dilations, 2);
    y = ReluOp::create(b, loc,
                       AddOp::create(b, loc, y, buildConstant(b, loc, bias2)));
    y = AvgPoolOp::create(b, loc, y, ArrayRef<int64_t>{2, 2}, pool.strides,
                          pool.padding, false, false);
    y = ReshapeOp::create(b, loc, y, ArrayRef<int64_t>{2, -1});
    y = MatMulOp::create(b, loc, y, buildConstant(b, loc, dense));
    y = AddOp::create(b, loc, y, buildConstant(b, loc, denseBias));
    return SoftmaxOp::create(b, loc, y, 1);
  };
  model.evaluate = [=](const ref::Tensor &x) {
    ref::Tensor y = relu(add(ref::conv2d(x, conv1, same, 1), bias1));
    y = ref::maxPool2d(y, {2, 2}, pool, false);
    y = relu(add(ref::conv2d(y, conv2, down, 2), bias2));
    y = ref::avgPool2d(y, {2, 2}, pool, false, false);
    y = ref::reshape(y, {2, 64});
    return ref::softmax(add(ref::matmul(y, dense), denseBias), 1);
  };
  return model;
}

class SmallModelsTest : public CompiledTest,
                        public ::testing::WithParamInterface<std::string> {
protected:
  Model makeModel() {
    return GetParam() == "mlp" ? makeMlp(engine) : makeCnn(engine);
  }

  OwningOpRef<ModuleOp> buildModule(const Model &model) {
    return buildFunction(context, {model.inputShape},
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return model.build(b, loc, args[0]);
                         });
  }
};

TEST_P(SmallModelsTest, JitMatchesReference) {
  Model model = makeModel();
  OwningOpRef<ModuleOp> module = buildModule(model);
  auto loaded = compiler.compileToJit(*module, kiln::testing::testCompileOptions());
  ASSERT_TRUE(static_cast<bool>(loaded)) << llvm::toString(loaded.takeError());
  for (int batch = 0; batch < 3; ++batch) {
    ref::Tensor x = ref::random(model.inputShape, engine);
    auto outputs = run(loaded->function("main"), {x});
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_TRUE(allClose(outputs[0], model.evaluate(x), kContractionTolerance))
        << "input batch " << batch;
  }
}

TEST_P(SmallModelsTest, SharedLibraryMatchesReference) {
  Model model = makeModel();
  OwningOpRef<ModuleOp> module = buildModule(model);
  llvm::SmallString<128> directory;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-models", directory));
  llvm::SmallString<128> library(directory);
  llvm::sys::path::append(library, GetParam() + ".so");
  llvm::Error error = compiler.compileToFile(*module, library,
                                             driver::OutputKind::SharedLibrary);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));

  rt::Module loaded = rt::Module::load(library.str().str());
  EXPECT_EQ(loaded.producer(), driver::getProducerString());
  rt::Function function = loaded.function("main");
  ASSERT_EQ(function.inputs().size(), 1u);
  EXPECT_EQ(function.inputs()[0].dims, model.inputShape);
  ref::Tensor x = ref::random(model.inputShape, engine);
  auto outputs = run(function, {x});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(allClose(outputs[0], model.evaluate(x), kContractionTolerance));
  llvm::sys::fs::remove_directories(directory);
}

INSTANTIATE_TEST_SUITE_P(Models, SmallModelsTest,
                         ::testing::Values("mlp", "cnn"),
                         [](const auto &info) { return info.param; });

} // namespace
