//===- OpNumericsTest.cpp - Every kiln op, compiled and run, vs plain loops
//===//
//
// One test per op and per attribute combination that changes the generated
// loops (broadcasting, padding, strides, dilation, groups, ceil mode,
// keep_dims, ...). Inputs are seeded random; expected values come from
// ReferenceOps.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

class OpNumericsTest : public CompiledTest {};

//===--- Elementwise
//--------------------------------------------------------===//

TEST_F(OpNumericsTest, AddBroadcastsTrailingAndUnitDims) {
  ref::Tensor a = ref::random({3, 1, 5}, engine),
              b = ref::random({4, 1}, engine);
  expectMatches(
      {a, b},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return AddOp::create(builder, loc, args[0], args[1]);
      },
      ref::binary(a, b, [](double x, double y) { return x + y; }),
      kElementwiseTolerance);
}

TEST_F(OpNumericsTest, SubMulDivChain) {
  ref::Tensor a = ref::random({2, 3, 4}, engine), b = ref::random({4}, engine),
              c = ref::random({2, 1, 4}, engine, 0.5f, 2.0f);
  ref::Tensor expected = ref::binary(
      ref::binary(ref::binary(a, b, [](double x, double y) { return x - y; }),
                  b, [](double x, double y) { return x * y; }),
      c, [](double x, double y) { return x / y; });
  expectMatches(
      {a, b, c},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value sub = SubOp::create(builder, loc, args[0], args[1]);
        Value mul = MulOp::create(builder, loc, sub, args[1]);
        return DivOp::create(builder, loc, mul, args[2]);
      },
      expected, kElementwiseTolerance);
}

TEST_F(OpNumericsTest, UnaryActivations) {
  ref::Tensor x = ref::random({4, 16}, engine, -4.0f, 4.0f);
  ref::Tensor expected = ref::unary(x, [](double v) {
    double relu = std::max(v, 0.0);
    double sigmoid = 1.0 / (1.0 + std::exp(-relu));
    return std::log(std::exp(std::tanh(sigmoid)));
  });
  expectMatches(
      {x},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value v = ReluOp::create(builder, loc, args[0]);
        v = SigmoidOp::create(builder, loc, v);
        v = TanhOp::create(builder, loc, v);
        v = ExpOp::create(builder, loc, v);
        return LogOp::create(builder, loc, v);
      },
      expected, kElementwiseTolerance);
}

TEST_F(OpNumericsTest, SigmoidSaturatesWithoutNaN) {
  ref::Tensor x({6}, {-200.0f, -90.0f, -1.0f, 0.0f, 90.0f, 200.0f});
  expectMatches(
      {x},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return SigmoidOp::create(builder, loc, args[0]);
      },
      ref::unary(x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }),
      kElementwiseTolerance);
}

TEST_F(OpNumericsTest, ConstantOperand) {
  ref::Tensor x = ref::random({2, 3}, engine), bias = ref::random({3}, engine);
  expectMatches(
      {x},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return AddOp::create(builder, loc, args[0],
                             buildConstant(builder, loc, bias));
      },
      ref::binary(x, bias, [](double a, double b) { return a + b; }),
      kElementwiseTolerance);
}

//===--- MatMul
//-------------------------------------------------------------===//

TEST_F(OpNumericsTest, MatMul2D) {
  ref::Tensor a = ref::random({7, 33}, engine),
              b = ref::random({33, 5}, engine);
  expectMatches(
      {a, b},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return MatMulOp::create(builder, loc, args[0], args[1]);
      },
      ref::matmul(a, b), kContractionTolerance);
}

TEST_F(OpNumericsTest, MatMulBatchedWithBroadcast) {
  ref::Tensor a = ref::random({2, 1, 4, 6}, engine),
              b = ref::random({3, 6, 5}, engine);
  expectMatches(
      {a, b},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return MatMulOp::create(builder, loc, args[0], args[1]);
      },
      ref::matmul(a, b), kContractionTolerance);
}

//===--- Conv2D
//-------------------------------------------------------------===//

struct ConvCase {
  std::vector<int64_t> input, filter;
  ref::Window window;
  int64_t groups;
};

class Conv2DNumericsTest : public CompiledTest,
                           public ::testing::WithParamInterface<ConvCase> {};

TEST_P(Conv2DNumericsTest, MatchesReference) {
  const ConvCase &c = GetParam();
  ref::Tensor x = ref::random(c.input, engine),
              w = ref::random(c.filter, engine);
  expectMatches(
      {x, w},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return ConvOp::create(builder, loc, args[0], args[1], c.window.strides,
                              c.window.padding, c.window.dilations, c.groups);
      },
      ref::conv2d(x, w, c.window, c.groups), kContractionTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2DNumericsTest,
    ::testing::Values(
        // plain 3x3
        ConvCase{{1, 3, 8, 8}, {4, 3, 3, 3}, {}, 1},
        // batch 2, asymmetric padding, stride 2
        ConvCase{{2, 3, 9, 7}, {5, 3, 3, 3}, {{2, 2}, {1, 0, 2, 1}, {1, 1}}, 1},
        // dilation, rectangular kernel
        ConvCase{
            {1, 2, 10, 10}, {3, 2, 3, 2}, {{1, 1}, {2, 1, 2, 1}, {2, 3}}, 1},
        // grouped
        ConvCase{{1, 4, 6, 6}, {6, 2, 3, 3}, {{1, 1}, {1, 1, 1, 1}, {1, 1}}, 2},
        // depthwise, stride 2
        ConvCase{{2, 4, 7, 7}, {4, 1, 3, 3}, {{2, 2}, {1, 1, 1, 1}, {1, 1}}, 4},
        // 1x1
        ConvCase{{1, 8, 5, 5}, {3, 8, 1, 1}, {}, 1}));

//===--- Residual additions absorbed by a kernel
//----------------------------===//
//
// A kernel adds a residual into the buffer it writes (kiln_rt's
// `accumulate`): in place where nothing reads the residual later, into a
// copy otherwise. Each case below takes one of those paths.

ref::Tensor plus(const ref::Tensor &a, const ref::Tensor &b) {
  return ref::binary(a, b, [](double x, double y) { return x + y; });
}

ref::Tensor relu(const ref::Tensor &a) {
  return ref::unary(a, [](double v) { return std::max(v, 0.0); });
}

const ref::Window kSame3x3{{1, 1}, {1, 1, 1, 1}, {1, 1}};

class ResidualNumericsTest : public CompiledTest {};

// A function argument cannot be written: the kernel adds into a copy.
TEST_F(ResidualNumericsTest, ConvResidualFromAnArgument) {
  ref::Tensor x = ref::random({2, 3, 6, 6}, engine),
              w = ref::random({4, 3, 3, 3}, engine),
              b = ref::random({1, 4, 1, 1}, engine),
              r = ref::random({2, 4, 6, 6}, engine);
  expectMatches(
      {x, w, b, r},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value y = ConvOp::create(builder, loc, args[0], args[1], {1, 1},
                                 {1, 1, 1, 1}, {1, 1}, 1);
        y = AddOp::create(builder, loc, y, args[2]);
        return ReluOp::create(builder, loc,
                              AddOp::create(builder, loc, args[3], y));
      },
      relu(plus(plus(ref::conv2d(x, w, kSame3x3, 1), b), r)),
      kContractionTolerance);
}

// The residual is the convolution's own input: it must not be overwritten
// while the kernel reads it.
TEST_F(ResidualNumericsTest, ConvResidualIsItsInput) {
  ref::Tensor x = ref::random({1, 4, 5, 5}, engine),
              w = ref::random({4, 4, 3, 3}, engine);
  expectMatches(
      {x, w},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value a = ReluOp::create(builder, loc, args[0]);
        Value y = ConvOp::create(builder, loc, a, args[1], {1, 1}, {1, 1, 1, 1},
                                 {1, 1}, 1);
        return AddOp::create(builder, loc, y, a);
      },
      plus(ref::conv2d(relu(x), w, kSame3x3, 1), relu(x)),
      kContractionTolerance);
}

// A shortcut computed by a kernel and read by nothing after the addition
// (ResNet's downsampling branch): the second kernel adds into its buffer.
// Then the same shortcut read once more after the addition: it keeps its
// values.
TEST_F(ResidualNumericsTest, ConvShortcutInPlaceAndReadAfter) {
  ref::Tensor x = ref::random({1, 3, 6, 6}, engine),
              w1 = ref::random({4, 3, 1, 1}, engine),
              w2 = ref::random({4, 3, 3, 3}, engine);
  ref::Tensor shortcut = ref::conv2d(x, w1, {}, 1);
  ref::Tensor sum = plus(ref::conv2d(x, w2, kSame3x3, 1), shortcut);
  for (bool readAfter : {false, true}) {
    SCOPED_TRACE(readAfter ? "shortcut read after" : "shortcut dead after");
    expectMatches(
        {x, w1, w2},
        [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
          Value s = ConvOp::create(builder, loc, args[0], args[1], {1, 1},
                                   {0, 0, 0, 0}, {1, 1}, 1);
          Value y = ConvOp::create(builder, loc, args[0], args[2], {1, 1},
                                   {1, 1, 1, 1}, {1, 1}, 1);
          y = AddOp::create(builder, loc, y, s);
          return readAfter ? Value(MulOp::create(builder, loc, y, s)) : y;
        },
        readAfter ? ref::binary(sum, shortcut,
                                [](double a, double b) { return a * b; })
                  : sum,
        kContractionTolerance);
  }
}

// A Linear layer with bias and a residual (a transformer's output
// projection).
TEST_F(ResidualNumericsTest, MatMulBiasResidual) {
  ref::Tensor a = ref::random({2, 5, 16}, engine),
              b = ref::random({16, 8}, engine), c = ref::random({8}, engine),
              r = ref::random({2, 5, 8}, engine);
  expectMatches(
      {a, b, c, r},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value y = MatMulOp::create(builder, loc, args[0], args[1]);
        y = AddOp::create(builder, loc, y, args[2]);
        return AddOp::create(builder, loc, y, args[3]);
      },
      plus(plus(ref::matmul(a, b), c), r), kContractionTolerance);
}

//===--- Pooling
//------------------------------------------------------------===//

struct PoolCase {
  std::vector<int64_t> input, kernel;
  ref::Window window;
  bool ceilMode;
  bool countIncludePad;
};

class PoolNumericsTest : public CompiledTest,
                         public ::testing::WithParamInterface<PoolCase> {};

TEST_P(PoolNumericsTest, MaxMatchesReference) {
  const PoolCase &c = GetParam();
  ref::Tensor x = ref::random(c.input, engine);
  expectMatches(
      {x},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return MaxPoolOp::create(builder, loc, args[0], c.kernel,
                                 c.window.strides, c.window.padding, c.ceilMode,
                                 c.window.dilations);
      },
      ref::maxPool2d(x, c.kernel, c.window, c.ceilMode), kElementwiseTolerance);
}

TEST_P(PoolNumericsTest, AverageMatchesReference) {
  PoolCase c = GetParam();
  c.window.dilations = {1, 1}; // average pooling has no dilation
  ref::Tensor x = ref::random(c.input, engine);
  expectMatches(
      {x},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return AvgPoolOp::create(builder, loc, args[0], c.kernel,
                                 c.window.strides, c.window.padding, c.ceilMode,
                                 c.countIncludePad);
      },
      ref::avgPool2d(x, c.kernel, c.window, c.ceilMode, c.countIncludePad),
      kElementwiseTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Windows, PoolNumericsTest,
    ::testing::Values(
        PoolCase{
            {1, 2, 8, 8}, {2, 2}, {{2, 2}, {0, 0, 0, 0}, {1, 1}}, false, false},
        PoolCase{
            {2, 3, 7, 7}, {3, 3}, {{2, 2}, {1, 1, 1, 1}, {1, 1}}, false, false},
        PoolCase{
            {2, 3, 7, 7}, {3, 3}, {{2, 2}, {1, 1, 1, 1}, {1, 1}}, false, true},
        PoolCase{
            {1, 2, 5, 6}, {2, 3}, {{2, 2}, {0, 1, 0, 1}, {1, 1}}, true, false},
        PoolCase{
            {1, 2, 6, 6}, {3, 3}, {{2, 2}, {1, 1, 1, 1}, {1, 1}}, true, true},
        PoolCase{{1, 1, 9, 9},
                 {2, 2},
                 {{1, 1}, {0, 0, 0, 0}, {2, 2}},
                 false,
                 false}));

//===--- Shape ops
//----------------------------------------------------------===//

TEST_F(OpNumericsTest, ReshapeTransposeConcat) {
  ref::Tensor a = ref::random({2, 3, 4}, engine),
              b = ref::random({4, 2, 2}, engine);
  // reshape a to [4, 6] -> transpose to [6, 4] -> reshape b to [4, 4] ->
  // transpose to [4, 4] -> concat along dim 0 with a's [6, 4].
  ref::Tensor left = ref::transpose(ref::reshape(a, {4, 6}), {1, 0});
  ref::Tensor right = ref::transpose(ref::reshape(b, {4, 4}), {1, 0});
  ref::Tensor expected = ref::concat({left, right, left}, 0);
  expectMatches(
      {a, b},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value l =
            ReshapeOp::create(builder, loc, args[0], ArrayRef<int64_t>{4, -1});
        l = TransposeOp::create(builder, loc, l, ArrayRef<int64_t>{1, 0});
        Value r =
            ReshapeOp::create(builder, loc, args[1], ArrayRef<int64_t>{-1, 4});
        r = TransposeOp::create(builder, loc, r, ArrayRef<int64_t>{1, 0});
        return ConcatOp::create(builder, loc, ValueRange{l, r, l}, 0);
      },
      expected, kElementwiseTolerance);
}

TEST_F(OpNumericsTest, Transpose4DAndConcatInnerAxis) {
  ref::Tensor a = ref::random({2, 3, 4, 5}, engine),
              b = ref::random({2, 4, 2, 5}, engine);
  ref::Tensor expected = ref::concat(
      {ref::transpose(a, {0, 2, 3, 1}), ref::transpose(b, {0, 1, 3, 2})}, 3);
  expectMatches(
      {a, b},
      [](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        Value l = TransposeOp::create(builder, loc, args[0],
                                      ArrayRef<int64_t>{0, 2, 3, 1});
        Value r = TransposeOp::create(builder, loc, args[1],
                                      ArrayRef<int64_t>{0, 1, 3, 2});
        return ConcatOp::create(builder, loc, ValueRange{l, r}, 3);
      },
      expected, kElementwiseTolerance);
}

//===--- Reductions and softmax
//---------------------------------------------===//

struct ReduceCase {
  std::vector<int64_t> shape, axes;
  bool keepDims;
};

class ReduceNumericsTest : public CompiledTest,
                           public ::testing::WithParamInterface<ReduceCase> {};

TEST_P(ReduceNumericsTest, SumMeanMax) {
  const ReduceCase &c = GetParam();
  ref::Tensor x = ref::random(c.shape, engine);
  expectMatches(
      {x},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return ReduceSumOp::create(builder, loc, args[0], c.axes, c.keepDims);
      },
      ref::reduce(x, c.axes, c.keepDims, ref::Reduction::Sum),
      kContractionTolerance);
  expectMatches(
      {x},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return ReduceMeanOp::create(builder, loc, args[0], c.axes, c.keepDims);
      },
      ref::reduce(x, c.axes, c.keepDims, ref::Reduction::Mean),
      kContractionTolerance);
  expectMatches(
      {x},
      [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
        return ReduceMaxOp::create(builder, loc, args[0], c.axes, c.keepDims);
      },
      ref::reduce(x, c.axes, c.keepDims, ref::Reduction::Max),
      kElementwiseTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Axes, ReduceNumericsTest,
    ::testing::Values(ReduceCase{{4, 7}, {1}, false},
                      ReduceCase{{2, 3, 4}, {0, 2}, true},
                      ReduceCase{{2, 3, 4}, {0, 1, 2}, false},
                      ReduceCase{{1, 8, 3, 3}, {2, 3}, true}));

TEST_F(OpNumericsTest, SoftmaxOnEachAxis) {
  ref::Tensor x = ref::random({3, 4, 5}, engine, -10.0f, 10.0f);
  for (int64_t axis = 0; axis < 3; ++axis)
    expectMatches(
        {x},
        [&](OpBuilder &builder, Location loc, ValueRange args) -> Value {
          return SoftmaxOp::create(builder, loc, args[0], axis);
        },
        ref::softmax(x, axis), kElementwiseTolerance);
}

} // namespace
