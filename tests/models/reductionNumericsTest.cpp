//===- reductionNumericsTest.cpp - The reduction family, compiled and run -===//
//
// reduce_min, reduce_prod, arg_max/arg_min, cumsum, top_k and
// conv2d_transpose, each compiled (JIT) and run through the runtime against the
// plain loops of reductionReference.h, for every attribute that changes the
// generated loops, for float and integer element types, with ties and NaN
// where the op defines who wins. Integer results (and indices) must match
// exactly.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "reductionReference.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

/// Exact: a minimum picks one of its inputs.
constexpr Tolerance kExact{1e-5, 0.0};
/// A product of up to 24 factors in [0.5, 1.5] is rounded once per factor:
/// relative error <= 24 * 2^-24 ~ 1.4e-6, inside rtol; no value is near 0, so
/// no atol is needed.
constexpr Tolerance kProductTolerance{1e-5, 0.0};

/// An argument of a compiled test function: its MLIR element type and its
/// runtime tensor.
struct Argument {
  Type elementType;
  rt::Tensor tensor;
};

Argument floatArgument(MLIRContext &context, const ref::Tensor &tensor) {
  return {Float32Type::get(&context), toRuntime(tensor)};
}

/// An i32 or i64 argument holding `tensor`'s values.
Argument intArgument(MLIRContext &context, const ref::IntTensor &tensor,
                     unsigned width) {
  rt::Tensor result = rt::Tensor::create(
      width == 32 ? KILN_DTYPE_I32 : KILN_DTYPE_I64, tensor.shape);
  for (int64_t i = 0; i < tensor.size(); ++i) {
    if (width == 32)
      result.data<int32_t>()[i] = static_cast<int32_t>(tensor.data[i]);
    else
      result.data<int64_t>()[i] = tensor.data[i];
  }
  return {IntegerType::get(&context, width), std::move(result)};
}

/// An i32 or i64 runtime tensor as a reference tensor.
ref::IntTensor fromRuntimeInt(const rt::Tensor &tensor) {
  std::vector<int64_t> data(tensor.elementCount());
  for (int64_t i = 0; i < tensor.elementCount(); ++i)
    data[i] = tensor.dtype() == KILN_DTYPE_I32 ? tensor.data<int32_t>()[i]
                                               : tensor.data<int64_t>()[i];
  return ref::IntTensor(tensor.shape(), data);
}

/// Shapes and every integer equal.
::testing::AssertionResult intsEqual(const ref::IntTensor &actual,
                                     const ref::IntTensor &expected) {
  if (actual.shape != expected.shape)
    return ::testing::AssertionFailure() << "shapes differ";
  for (int64_t i = 0; i < actual.size(); ++i)
    if (actual.data[i] != expected.data[i])
      return ::testing::AssertionFailure()
             << "element " << i << " is " << actual.data[i] << ", expected "
             << expected.data[i];
  return ::testing::AssertionSuccess();
}

/// Builds the results of the test function from its arguments.
using ResultsBuilder = llvm::function_ref<SmallVector<Value>(
    OpBuilder &, Location, ValueRange arguments)>;

class ReductionNumericsTest : public CompiledTest {
protected:
  /// Compiles `@main(arguments) -> build(...)` and runs it on the arguments.
  std::vector<rt::Tensor> compileAndRun(const std::vector<Argument> &arguments,
                                        ResultsBuilder build) {
    context
        .loadDialect<KilnDialect, func::FuncDialect, tensor::TensorDialect>();
    OpBuilder builder(&context);
    Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    SmallVector<Type> types;
    for (const Argument &argument : arguments)
      types.push_back(
          RankedTensorType::get(argument.tensor.shape(), argument.elementType));
    auto func = func::FuncOp::create(builder, loc, "main",
                                     builder.getFunctionType(types, {}));
    builder.setInsertionPointToStart(func.addEntryBlock());
    SmallVector<Value> results =
        build(builder, loc, func.getBody().getArguments());
    func::ReturnOp::create(builder, loc, results);
    func.setType(
        builder.getFunctionType(types, ValueRange(results).getTypes()));
    EXPECT_TRUE(succeeded(verify(*module)));
    auto loaded = compiler.compileToJit(*module);
    if (!loaded) {
      ADD_FAILURE() << llvm::toString(loaded.takeError());
      return {};
    }
    std::vector<const rt::Tensor *> inputs;
    for (const Argument &argument : arguments)
      inputs.push_back(&argument.tensor);
    return loaded->function("main").run(inputs);
  }
};

//===--- reduce_min, reduce_prod ------------------------------------------===//

struct ReduceCase {
  std::vector<int64_t> shape, axes;
  bool keepDims;
};

void PrintTo(const ReduceCase &c, std::ostream *os) {
  *os << "shape " << ::testing::PrintToString(c.shape) << " axes "
      << ::testing::PrintToString(c.axes) << (c.keepDims ? " keep_dims" : "");
}

class ReduceMinProdTest : public ReductionNumericsTest,
                          public ::testing::WithParamInterface<ReduceCase> {};

TEST_P(ReduceMinProdTest, Float) {
  const ReduceCase &c = GetParam();
  ref::Tensor x = ref::random(c.shape, engine, 0.5f, 1.5f);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            ReduceMinOp::create(b, loc, args[0], c.axes, c.keepDims),
            ReduceProdOp::create(b, loc, args[0], c.axes, c.keepDims)};
      });
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]),
                       ref::reduceMin(x, c.axes, c.keepDims), kExact));
  EXPECT_TRUE(allClose(fromRuntime(outputs[1]),
                       ref::reduceProd(x, c.axes, c.keepDims),
                       kProductTolerance));
}

TEST_P(ReduceMinProdTest, Int32) {
  const ReduceCase &c = GetParam();
  // |x| <= 2 over at most 24 factors stays far inside i32 (2^24).
  ref::IntTensor x = ref::randomInts(c.shape, engine, -2, 2);
  std::vector<Argument> arguments;
  arguments.push_back(intArgument(context, x, 32));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            ReduceMinOp::create(b, loc, args[0], c.axes, c.keepDims),
            ReduceProdOp::create(b, loc, args[0], c.axes, c.keepDims)};
      });
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[0]),
                        ref::reduceMin(x, c.axes, c.keepDims)));
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[1]),
                        ref::reduceProd(x, c.axes, c.keepDims)));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ReduceMinProdTest,
                         ::testing::Values(ReduceCase{{2, 3, 4}, {1}, false},
                                           ReduceCase{{2, 3, 4}, {0, 2}, true},
                                           ReduceCase{
                                               {2, 3, 4}, {0, 1, 2}, false},
                                           ReduceCase{{5, 7}, {0}, true}));

TEST_F(ReductionNumericsTest, ReduceMinPropagatesNaN) {
  ref::Tensor x({2, 3}, {1.0f, NAN, -2.0f, 4.0f, 5.0f, -6.0f});
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            ReduceMinOp::create(b, loc, args[0], ArrayRef<int64_t>{1}, false)};
      });
  ASSERT_EQ(outputs.size(), 1u);
  ref::Tensor result = fromRuntime(outputs[0]);
  EXPECT_TRUE(std::isnan(result.data[0]));
  EXPECT_EQ(result.data[1], -6.0f);
}

/// keep_dims with a dynamic kept dim: the sizes come from the input at run
/// time (the entry point itself must stay static, so casts hide the dim).
TEST_F(ReductionNumericsTest, ReduceProdKeepDimsWithDynamicDim) {
  ref::Tensor x = ref::random({4, 3}, engine, 0.5f, 1.5f);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(arguments, [&](OpBuilder &b, Location loc,
                                              ValueRange args) {
    Type f32 = b.getF32Type();
    Value dynamic = tensor::CastOp::create(
        b, loc, RankedTensorType::get({ShapedType::kDynamic, 3}, f32), args[0]);
    Value product =
        ReduceProdOp::create(b, loc, dynamic, ArrayRef<int64_t>{1}, true);
    return SmallVector<Value>{tensor::CastOp::create(
        b, loc, RankedTensorType::get({4, 1}, f32), product)};
  });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]), ref::reduceProd(x, {1}, true),
                       kProductTolerance));
}

//===--- arg_max, arg_min -------------------------------------------------===//

struct ArgCase {
  std::vector<int64_t> shape;
  int64_t axis;
  bool keepDims, selectLastIndex;
};

void PrintTo(const ArgCase &c, std::ostream *os) {
  *os << "shape " << ::testing::PrintToString(c.shape) << " axis " << c.axis
      << (c.keepDims ? " keep_dims" : "")
      << (c.selectLastIndex ? " select_last_index" : "");
}

class ArgReduceTest : public ReductionNumericsTest,
                      public ::testing::WithParamInterface<ArgCase> {};

/// Values from {0, 1, 2}: most slices have tied extremes, so the tie rule is
/// what the indices test.
TEST_P(ArgReduceTest, FloatWithTies) {
  const ArgCase &c = GetParam();
  ref::Tensor x = ref::randomSmallIntegers(c.shape, engine, 0, 2);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(arguments, [&](OpBuilder &b, Location loc,
                                              ValueRange args) {
    return SmallVector<Value>{ArgMaxOp::create(b, loc, args[0], c.axis,
                                               c.keepDims, c.selectLastIndex),
                              ArgMinOp::create(b, loc, args[0], c.axis,
                                               c.keepDims, c.selectLastIndex)};
  });
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_TRUE(intsEqual(
      fromRuntimeInt(outputs[0]),
      ref::argReduce(x, c.axis, c.keepDims, true, c.selectLastIndex)));
  EXPECT_TRUE(intsEqual(
      fromRuntimeInt(outputs[1]),
      ref::argReduce(x, c.axis, c.keepDims, false, c.selectLastIndex)));
}

TEST_P(ArgReduceTest, Int32) {
  const ArgCase &c = GetParam();
  ref::IntTensor x = ref::randomInts(c.shape, engine, -3, 3);
  std::vector<Argument> arguments;
  arguments.push_back(intArgument(context, x, 32));
  auto outputs = compileAndRun(arguments, [&](OpBuilder &b, Location loc,
                                              ValueRange args) {
    return SmallVector<Value>{ArgMaxOp::create(b, loc, args[0], c.axis,
                                               c.keepDims, c.selectLastIndex),
                              ArgMinOp::create(b, loc, args[0], c.axis,
                                               c.keepDims, c.selectLastIndex)};
  });
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_TRUE(intsEqual(
      fromRuntimeInt(outputs[0]),
      ref::argReduce(x, c.axis, c.keepDims, true, c.selectLastIndex)));
  EXPECT_TRUE(intsEqual(
      fromRuntimeInt(outputs[1]),
      ref::argReduce(x, c.axis, c.keepDims, false, c.selectLastIndex)));
}

INSTANTIATE_TEST_SUITE_P(Axes, ArgReduceTest,
                         ::testing::Values(ArgCase{{3, 4, 5}, 0, false, false},
                                           ArgCase{{3, 4, 5}, 1, true, false},
                                           ArgCase{{3, 4, 5}, 2, false, true},
                                           ArgCase{{6, 7}, 0, true, true},
                                           ArgCase{{9}, 0, false, false}));

/// NumPy's rule: the first NaN wins for both, -inf and +inf are ordinary.
TEST_F(ReductionNumericsTest, ArgReduceNaNAndInfinities) {
  float inf = INFINITY;
  ref::Tensor x({3, 4}, {1.0f, NAN, 3.0f, NAN,   // NaN at 1 (or 3)
                         -inf, -inf, -inf, -inf, // all tied
                         inf, -inf, 2.0f, inf}); // +inf at 0 (or 3)
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            ArgMaxOp::create(b, loc, args[0], 1, false, false),
            ArgMinOp::create(b, loc, args[0], 1, false, false),
            ArgMaxOp::create(b, loc, args[0], 1, false, true)};
      });
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_TRUE(
      intsEqual(fromRuntimeInt(outputs[0]), ref::IntTensor({3}, {1, 0, 0})));
  EXPECT_TRUE(
      intsEqual(fromRuntimeInt(outputs[1]), ref::IntTensor({3}, {1, 0, 1})));
  EXPECT_TRUE(
      intsEqual(fromRuntimeInt(outputs[2]), ref::IntTensor({3}, {3, 3, 3})));
  // The same through the reference, so that it is checked too.
  EXPECT_TRUE(intsEqual(ref::argReduce(x, 1, false, true, false),
                        ref::IntTensor({3}, {1, 0, 0})));
}

//===--- cumsum -----------------------------------------------------------===//

struct CumSumCase {
  int64_t axis;
  bool exclusive, reverse;
};

void PrintTo(const CumSumCase &c, std::ostream *os) {
  *os << "axis " << c.axis << (c.exclusive ? " exclusive" : "")
      << (c.reverse ? " reverse" : "");
}

class CumSumTest : public ReductionNumericsTest,
                   public ::testing::WithParamInterface<CumSumCase> {};

TEST_P(CumSumTest, Float) {
  const CumSumCase &c = GetParam();
  ref::Tensor x = ref::random({3, 4, 5}, engine);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            CumSumOp::create(b, loc, args[0], c.axis, c.exclusive, c.reverse)};
      });
  ASSERT_EQ(outputs.size(), 1u);
  // Running float sums of <= 5 terms against the reference's double sums:
  // the contraction tolerance's argument applies.
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]),
                       ref::cumulativeSum(x, c.axis, c.exclusive, c.reverse),
                       kContractionTolerance));
}

TEST_P(CumSumTest, Int64) {
  const CumSumCase &c = GetParam();
  ref::IntTensor x = ref::randomInts({3, 4, 5}, engine, -100, 100);
  std::vector<Argument> arguments;
  arguments.push_back(intArgument(context, x, 64));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            CumSumOp::create(b, loc, args[0], c.axis, c.exclusive, c.reverse)};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[0]),
                        ref::cumulativeSum(x, c.axis, c.exclusive, c.reverse)));
}

INSTANTIATE_TEST_SUITE_P(Modes, CumSumTest,
                         ::testing::Values(CumSumCase{0, false, false},
                                           CumSumCase{1, true, false},
                                           CumSumCase{2, false, true},
                                           CumSumCase{0, true, true},
                                           CumSumCase{2, true, true}));

//===--- top_k ------------------------------------------------------------===//

struct TopKCase {
  std::vector<int64_t> shape;
  int64_t k, axis;
  bool largest;
};

void PrintTo(const TopKCase &c, std::ostream *os) {
  *os << "shape " << ::testing::PrintToString(c.shape) << " k " << c.k
      << " axis " << c.axis << (c.largest ? " largest" : " smallest");
}

class TopKTest : public ReductionNumericsTest,
                 public ::testing::WithParamInterface<TopKCase> {};

/// With ties (values from {0, ..., 3}), the indices test ONNX's "lower index
/// first".
TEST_P(TopKTest, FloatWithTies) {
  const TopKCase &c = GetParam();
  ref::Tensor x = ref::randomSmallIntegers(c.shape, engine, 0, 3);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        auto op = TopKOp::create(b, loc, args[0], c.k, c.axis, c.largest);
        return SmallVector<Value>(op->getResults());
      });
  ASSERT_EQ(outputs.size(), 2u);
  ref::TopKResult expected = ref::topK(x, c.k, c.axis, c.largest);
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]), expected.values, kExact));
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[1]), expected.indices));
}

TEST_P(TopKTest, FloatDistinct) {
  const TopKCase &c = GetParam();
  ref::Tensor x = ref::random(c.shape, engine);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        auto op = TopKOp::create(b, loc, args[0], c.k, c.axis, c.largest);
        return SmallVector<Value>(op->getResults());
      });
  ASSERT_EQ(outputs.size(), 2u);
  ref::TopKResult expected = ref::topK(x, c.k, c.axis, c.largest);
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]), expected.values, kExact));
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[1]), expected.indices));
}

TEST_P(TopKTest, Int32) {
  const TopKCase &c = GetParam();
  ref::IntTensor x = ref::randomInts(c.shape, engine, -4, 4);
  std::vector<Argument> arguments;
  arguments.push_back(intArgument(context, x, 32));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        auto op = TopKOp::create(b, loc, args[0], c.k, c.axis, c.largest);
        return SmallVector<Value>(op->getResults());
      });
  ASSERT_EQ(outputs.size(), 2u);
  ref::IntTopKResult expected = ref::topK(x, c.k, c.axis, c.largest);
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[0]), expected.values));
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[1]), expected.indices));
}

INSTANTIATE_TEST_SUITE_P(Shapes, TopKTest,
                         ::testing::Values(TopKCase{{3, 8}, 3, 1, true},
                                           TopKCase{{3, 8}, 8, 1, false},
                                           TopKCase{{6, 2, 3}, 4, 0, true},
                                           TopKCase{{2, 5, 3}, 1, 1, false},
                                           TopKCase{{7}, 7, 0, true}));

/// NaN is greater than every number: first among the largest, last among the
/// smallest; equal infinities keep their index order.
TEST_F(ReductionNumericsTest, TopKNaNAndInfinities) {
  float inf = INFINITY;
  ref::Tensor x({6}, {inf, NAN, -1.0f, inf, -inf, NAN});
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        auto largest = TopKOp::create(b, loc, args[0], 6, 0, true);
        auto smallest = TopKOp::create(b, loc, args[0], 6, 0, false);
        return SmallVector<Value>{largest.getIndices(), smallest.getIndices()};
      });
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[0]),
                        ref::IntTensor({6}, {1, 5, 0, 3, 2, 4})));
  EXPECT_TRUE(intsEqual(fromRuntimeInt(outputs[1]),
                        ref::IntTensor({6}, {4, 2, 0, 3, 1, 5})));
  EXPECT_TRUE(intsEqual(ref::topK(x, 6, 0, true).indices,
                        ref::IntTensor({6}, {1, 5, 0, 3, 2, 4})));
}

//===--- conv2d_transpose -------------------------------------------------===//

struct ConvTransposeCase {
  std::vector<int64_t> inputShape, filterShape;
  ref::TransposedWindow window;
  int64_t groups;
};

void PrintTo(const ConvTransposeCase &c, std::ostream *os) {
  *os << "input " << ::testing::PrintToString(c.inputShape) << " filter "
      << ::testing::PrintToString(c.filterShape) << " strides "
      << ::testing::PrintToString(c.window.strides) << " padding "
      << ::testing::PrintToString(c.window.padding) << " dilations "
      << ::testing::PrintToString(c.window.dilations) << " output_padding "
      << ::testing::PrintToString(c.window.outputPadding) << " groups "
      << c.groups;
}

class ConvTransposeTest
    : public ReductionNumericsTest,
      public ::testing::WithParamInterface<ConvTransposeCase> {};

TEST_P(ConvTransposeTest, MatchesScatterReference) {
  const ConvTransposeCase &c = GetParam();
  ref::Tensor x = ref::random(c.inputShape, engine);
  ref::Tensor w = ref::random(c.filterShape, engine);
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  arguments.push_back(floatArgument(context, w));
  auto outputs = compileAndRun(
      arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{ConvTransposeOp::create(
            b, loc, args[0], args[1], c.window.strides, c.window.padding,
            c.window.dilations, c.window.outputPadding, c.groups)};
      });
  ASSERT_EQ(outputs.size(), 1u);
  // Each output sums at most C / groups * KH * KW <= 27 products of values in
  // [-1, 1]: the contraction tolerance's argument applies.
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]),
                       ref::conv2dTranspose(x, w, c.window, c.groups),
                       kContractionTolerance));
}

INSTANTIATE_TEST_SUITE_P(
    Windows, ConvTransposeTest,
    ::testing::Values(
        // Plain, stride 1: a "full" convolution.
        ConvTransposeCase{{1, 2, 4, 4}, {2, 3, 3, 3}, {}, 1},
        // Strides, uneven padding and output padding, batch 2.
        ConvTransposeCase{{2, 3, 3, 4},
                          {3, 2, 3, 2},
                          {{2, 3}, {1, 0, 2, 1}, {1, 1}, {1, 2}},
                          1},
        // Dilation, and padding larger than the dilated window.
        ConvTransposeCase{{1, 2, 5, 5},
                          {2, 2, 2, 3},
                          {{1, 2}, {3, 1, 2, 2}, {2, 1}, {0, 1}},
                          1},
        // Groups (2 groups of 2 channels, 3 features each).
        ConvTransposeCase{{1, 4, 3, 3},
                          {4, 3, 3, 3},
                          {{2, 2}, {1, 1, 1, 1}, {1, 1}, {1, 0}},
                          2},
        // Depthwise with dilation.
        ConvTransposeCase{{1, 3, 4, 3},
                          {3, 1, 2, 2},
                          {{3, 1}, {0, 0, 0, 0}, {1, 2}, {2, 0}},
                          3}));

} // namespace
