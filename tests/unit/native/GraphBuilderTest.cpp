//===- GraphBuilderTest.cpp - The GraphBuilder's structure and errors -----===//
//
// What a built module looks like (names, weights, inputs made of
// parameters, several functions in one module) and that every mistake is a
// BuildError naming the layer, never an abort.
//
//===----------------------------------------------------------------------===//

#include "NativeTestSupport.h"

#include <gmock/gmock.h>

#include <cmath>

using namespace kiln;
using namespace kiln::native;
using ::testing::HasSubstr;

namespace {

class GraphBuilderTest : public ::testing::Test {
protected:
  mlir::MLIRContext &context() { return compiler.getContext(); }

  /// The message of the BuildError that `build` throws ("" when it does not
  /// throw).
  template <typename Function> std::string errorOf(Function build) {
    try {
      build();
    } catch (const BuildError &error) {
      return error.what();
    }
    return "";
  }

  driver::Compiler compiler;
};

TEST_F(GraphBuilderTest, ModuleHasNamedInputsOutputsAndWeights) {
  GraphBuilder g(context());
  mlir::Value x = g.input("x", {4, 3});
  g.output("y", relu(g, linear(g, "fc", x, 2)));
  mlir::OwningOpRef<mlir::ModuleOp> module = g.finish();

  auto forward = module->lookupSymbol<mlir::func::FuncOp>("forward");
  ASSERT_TRUE(forward);
  EXPECT_EQ(forward.getArgAttrOfType<mlir::StringAttr>(0, "kiln.name"), "x");
  EXPECT_EQ(forward.getResultAttrOfType<mlir::StringAttr>(0, "kiln.name"), "y");
  EXPECT_EQ(test::weightValues(*module, "fc.weight").size(), 6u);
  EXPECT_EQ(test::weightValues(*module, "fc.bias").size(), 2u);
  ASSERT_EQ(g.parameters().size(), 2u);
  EXPECT_EQ(g.parameters()[0].name, "fc.weight");
  EXPECT_EQ(g.parameters()[0].shape, (llvm::SmallVector<int64_t>{2, 3}));
}

TEST_F(GraphBuilderTest, DefaultInitializationIsPyTorchsBoundAndSeeded) {
  auto build = [&](uint64_t seed) {
    GraphOptions options;
    options.seed = seed;
    GraphBuilder g(context(), options);
    g.output("y", linear(g, "fc", g.input("x", {1, 16}), 64));
    return g.finish();
  };
  auto first = build(7), again = build(7), other = build(8);
  std::vector<float> weights = test::weightValues(*first, "fc.weight");
  ASSERT_EQ(weights.size(), 64u * 16u);
  // U(-1/sqrt(16), 1/sqrt(16)): inside the bound, and spread over it.
  float low = 1, high = -1;
  for (float w : weights) {
    low = std::min(low, w);
    high = std::max(high, w);
  }
  EXPECT_GE(low, -0.25f);
  EXPECT_LT(high, 0.25f);
  EXPECT_LT(low, -0.2f);
  EXPECT_GT(high, 0.2f);
  EXPECT_EQ(weights, test::weightValues(*again, "fc.weight"));
  EXPECT_NE(weights, test::weightValues(*other, "fc.weight"));
  // The bias has a seed of its own.
  std::vector<float> bias = test::weightValues(*first, "fc.bias");
  EXPECT_NE(std::vector<float>(weights.begin(), weights.begin() + 64), bias);
}

TEST_F(GraphBuilderTest, InitializersMakeTheirValues) {
  EXPECT_EQ(Initializer::zeros().materialize(3), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(Initializer::ones().materialize(2), (std::vector<float>{1, 1}));
  EXPECT_EQ(Initializer::given({1, 2}).materialize(2),
            (std::vector<float>{1, 2}));
  std::vector<float> normal = Initializer::normal(2, 0.5, 1).materialize(20000);
  double sum = 0, squares = 0;
  for (float v : normal) {
    sum += v;
    squares += v * v;
  }
  double mean = sum / normal.size();
  EXPECT_NEAR(mean, 2.0, 0.02);
  EXPECT_NEAR(std::sqrt(squares / normal.size() - mean * mean), 0.5, 0.02);
  EXPECT_EQ(Initializer::normal(0, 1, 3).materialize(4),
            Initializer::normal(0, 1, 3).materialize(4));
}

TEST_F(GraphBuilderTest, ParametersAsInputsBecomeNamedArguments) {
  GraphOptions options;
  options.functionName = "judge";
  options.parametersAsInputs = {"d.*"};
  GraphBuilder g(context(), options);
  mlir::Value x = g.input("x", {2, 3});
  mlir::Value hidden = linear(g, "g.fc", x, 4);
  g.output("y", linear(g, "d.fc", hidden, 1));
  mlir::OwningOpRef<mlir::ModuleOp> module = g.finish();

  auto judge = module->lookupSymbol<mlir::func::FuncOp>("judge");
  ASSERT_TRUE(judge);
  ASSERT_EQ(judge.getNumArguments(), 3u);
  EXPECT_EQ(judge.getArgAttrOfType<mlir::StringAttr>(1, "kiln.name"),
            "d.fc.weight");
  EXPECT_EQ(judge.getArgAttrOfType<mlir::StringAttr>(2, "kiln.name"),
            "d.fc.bias");
  EXPECT_TRUE(test::weightValues(*module, "d.fc.weight").empty());
  EXPECT_EQ(test::weightValues(*module, "g.fc.weight").size(), 12u);
  EXPECT_TRUE(g.parameters()[2].isInput);
}

TEST_F(GraphBuilderTest, SeveralGraphsFillOneModule) {
  GraphBuilder first(context(), "first");
  first.output("y", tanh(first, first.input("x", {2})));
  mlir::OwningOpRef<mlir::ModuleOp> module = first.finish();
  GraphBuilder second(context(), "second");
  second.output("y", sigmoid(second, second.input("x", {2})));
  second.finishInto(*module);
  EXPECT_TRUE(module->lookupSymbol<mlir::func::FuncOp>("first"));
  EXPECT_TRUE(module->lookupSymbol<mlir::func::FuncOp>("second"));

  GraphBuilder clash(context(), "second");
  clash.output("y", clash.input("x", {2}));
  EXPECT_THAT(errorOf([&] { clash.finishInto(*module); }),
              HasSubstr("the module already has 'second'"));
}

TEST_F(GraphBuilderTest, BadShapesAreErrorsThatNameTheLayer) {
  GraphBuilder g(context());
  mlir::Value flat = g.input("flat", {4, 3});
  mlir::Value image = g.input("image", {1, 3, 4, 4});
  EXPECT_EQ(errorOf([&] { conv2d(g, "conv1", flat, 8, 3); }),
            "conv2d 'conv1': the input must be [N, C, H, W], not [4, 3]");
  EXPECT_EQ(errorOf([&] { conv2d(g, "conv2", image, 8, 5); }),
            "conv2d 'conv2': the window of 5 does not fit the input's "
            "height of 4 with padding 0");
  EXPECT_THAT(errorOf([&] { conv2d(g, "conv3", image, 8, 3, 1, 0, 2); }),
              HasSubstr("the input's channels (3) must be a multiple of "
                        "groups (2)"));
  EXPECT_THAT(
      errorOf([&] { convTranspose2d(g, "up", image, 2, 4, 2, 1, 2); }),
      HasSubstr("conv_transpose2d 'up': the output padding must be at least "
                "0 and less than the stride"));
  EXPECT_THAT(errorOf([&] { batchNorm2d(g, "bn", flat); }),
              HasSubstr("batch_norm2d 'bn': the input must be [N, C, H, W]"));
  EXPECT_THAT(errorOf([&] { lstm(g, "rnn", flat, 4); }),
              HasSubstr("lstm 'rnn': the input must be [T, N, features]"));
  EXPECT_THAT(errorOf([&] { softmax(g, flat, 2); }),
              HasSubstr("softmax: axis 2 is out of range"));
  EXPECT_EQ(errorOf([&] {
              reshape(g, flat, {5, 2});
            }),
            "reshape: cannot reshape [4, 3] (12 elements) to [5, 2]");
  EXPECT_THAT(errorOf([&] { flatten(g, flat, 5); }),
              HasSubstr("flatten: start dim 5 is out of range"));
  // An op's own type inference failing is an error too, not an abort.
  EXPECT_THAT(errorOf([&] { g.create<AddOp>(flat, image); }),
              HasSubstr("not broadcast-compatible"));
  EXPECT_THAT(errorOf([&] {
                g.input("bad", {2, 0});
              }),
              HasSubstr("input 'bad': every dim must be 1 or more"));
}

TEST_F(GraphBuilderTest, NamesMustBeUniqueAndValuesOurs) {
  GraphBuilder g(context());
  mlir::Value x = g.input("x", {2, 3});
  linear(g, "fc", x, 4);
  EXPECT_THAT(errorOf([&] { linear(g, "fc", x, 4); }),
              HasSubstr("linear 'fc': parameter 'fc.weight': the name is "
                        "taken"));
  EXPECT_THAT(errorOf([&] { g.input("x", {1}); }),
              HasSubstr("input 'x': the name is taken"));
  EXPECT_THAT(errorOf([&] { linear(g, "", x, 4); }),
              HasSubstr("linear: the layer needs a name"));
  EXPECT_THAT(errorOf([&] {
                g.parameter("w", {2}, Initializer::given({1, 2, 3}));
              }),
              HasSubstr("parameter 'w': the initializer gives 3 values for 2"));

  GraphBuilder other(context(), "other");
  mlir::Value foreign = other.input("z", {2, 3});
  EXPECT_THAT(errorOf([&] { relu(g, foreign); }),
              HasSubstr("relu: the input is a value of another graph"));
  g.output("y", x);
  EXPECT_THAT(errorOf([&] { g.output("y", x); }),
              HasSubstr("output 'y': the name is taken"));
}

TEST_F(GraphBuilderTest, FinishNeedsOutputsAndEndsTheGraph) {
  GraphBuilder g(context());
  g.input("x", {2});
  EXPECT_THAT(errorOf([&] { g.finish(); }),
              HasSubstr("the graph 'forward' has no outputs"));
  GraphBuilder done(context());
  done.output("y", done.input("x", {2}));
  done.finish();
  EXPECT_THAT(errorOf([&] { done.input("z", {2}); }),
              HasSubstr("the graph 'forward' is finished"));
}

} // namespace
