//===- dynamicShapeNumericsTest.cpp - Run-time shape operands, run --------===//
//
// The ops of KilnDynamicShapeOps.td compiled once through the CPU pipeline
// with their shape-like operands (shapes, axes, starts to steps, pads,
// repeats, sizes, scales, start/limit/delta) as inputs of the function, then
// run with several values of those operands: each run's outputs take the
// sizes the values give (the function allocates them) and are compared with
// dynamicShapeReference.cpp (ONNX's definitions as plain loops). Data
// movement copies elements and is compared exactly; sums and interpolations
// carry the tolerances stated next to them.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "dynamicShapeReference.h"
#include "shapeReference.h"

#include "mlir/IR/Verifier.h"

#include <optional>
#include <stdexcept>

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

/// Copies must be exact.
constexpr Tolerance kExactTolerance{0, 0};
/// Sums of up to 20 float32 terms of magnitude < 1, accumulated in float32 in
/// another order than the reference's double sum: the error is at most about
/// 20 * 6e-8, so atol 2e-6 covers sums near zero; rtol stays 1e-5.
constexpr Tolerance kSumTolerance{1e-5, 2e-6};
/// Linear and cubic resizes sum 2 to 4 float32 products per resized dim with
/// weights rounded to float32, against a double reference (as in
/// shapeNumericsTest.cpp): atol 1e-6 for results near zero.
constexpr Tolerance kResizeTolerance{1e-5, 1e-6};
/// Range computes start + i * delta in float32 (one rounded product and one
/// rounded sum) against the double reference rounded once: two float32 ulps
/// of values below 8, under 2e-6.
constexpr Tolerance kRangeTolerance{1e-5, 2e-6};

/// One argument of the function: float data, or a list of integers (a shape,
/// axes, pads...) of 32 or 64 bits.
struct Operand {
  ref::Tensor floats;
  std::vector<int64_t> ints;
  std::vector<int64_t> intShape;
  unsigned bits = 0; ///< 32 or 64 for integers, 0 for floats

  static Operand data(ref::Tensor tensor) { return {std::move(tensor)}; }
  /// A 1-D integer list.
  static Operand list(std::vector<int64_t> values, unsigned bits = 64) {
    int64_t length = static_cast<int64_t>(values.size());
    return {{}, std::move(values), {length}, bits};
  }
  /// A rank-0 integer.
  static Operand scalar(int64_t value) { return {{}, {value}, {}, 64}; }
  /// A rank-0 float.
  static Operand scalar(float value) { return data(ref::Tensor({}, {value})); }
};

/// Builds the results of the function from its arguments.
using MultiBodyBuilder =
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

class DynamicShapeNumericsTest : public CompiledTest {
protected:
  /// Compiles `@main` with the argument types of `prototype`; a module that
  /// does not verify or compile throws, which fails the test with the error.
  rt::Module compile(const std::vector<Operand> &prototype,
                     MultiBodyBuilder body) {
    OwningOpRef<ModuleOp> module = build(prototype, body);
    if (failed(verify(*module)))
      throw std::runtime_error("the test function does not verify");
    auto loaded = compiler.compileToJit(*module);
    if (!loaded)
      throw std::runtime_error(llvm::toString(loaded.takeError()));
    return std::move(*loaded);
  }

  /// Runs `@main` of `module` on `operands` (of the prototype's types).
  std::vector<ref::Tensor> run(const rt::Module &module,
                               const std::vector<Operand> &operands) {
    std::vector<rt::Tensor> inputs;
    for (const Operand &operand : operands)
      inputs.push_back(toRuntimeOperand(operand));
    std::vector<const rt::Tensor *> pointers;
    for (const rt::Tensor &input : inputs)
      pointers.push_back(&input);
    std::vector<ref::Tensor> outputs;
    for (const rt::Tensor &output : module.function("main").run(pointers))
      outputs.push_back(fromRuntime(output));
    return outputs;
  }

  /// Runs a one-result function and compares with `expected`.
  void expectRun(const rt::Module &module, const std::vector<Operand> &operands,
                 const ref::Tensor &expected, Tolerance tolerance) {
    std::vector<ref::Tensor> outputs = run(module, operands);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_TRUE(allClose(outputs[0], expected, tolerance));
  }

private:
  OwningOpRef<ModuleOp> build(const std::vector<Operand> &prototype,
                              MultiBodyBuilder body) {
    context.loadDialect<KilnDialect, func::FuncDialect>();
    OpBuilder builder(&context);
    Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    SmallVector<Type> types;
    for (const Operand &operand : prototype)
      types.push_back(
          operand.bits
              ? RankedTensorType::get(operand.intShape,
                                      builder.getIntegerType(operand.bits))
              : RankedTensorType::get(operand.floats.shape,
                                      builder.getF32Type()));
    auto func = func::FuncOp::create(builder, loc, "main",
                                     builder.getFunctionType(types, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    SmallVector<Value> results = body(builder, loc, entry->getArguments());
    func::ReturnOp::create(builder, loc, results);
    func.setType(
        builder.getFunctionType(types, ValueRange(results).getTypes()));
    return module;
  }

  static rt::Tensor toRuntimeOperand(const Operand &operand) {
    if (!operand.bits)
      return toRuntime(operand.floats);
    if (operand.bits == 32) {
      rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I32, operand.intShape);
      std::copy(operand.ints.begin(), operand.ints.end(),
                tensor.data<int32_t>());
      return tensor;
    }
    rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I64, operand.intShape);
    std::copy(operand.ints.begin(), operand.ints.end(), tensor.data<int64_t>());
    return tensor;
  }
};

//===--- Reshapes -------------------------------------------------------===//

TEST_F(DynamicShapeNumericsTest, ReshapeFollowsOnnxZeroAndMinusOne) {
  ref::Tensor x = ref::random({2, 3, 4}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({0, 0, 0})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {DynamicReshapeOp::create(b, loc, args[0], args[1])};
      });
  // -1 inferred, 0 copying the input dim, plain sizes.
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{4, -1, 2}, {0, 12, 1}, {-1, 1, 1}, {0, 0, -1}})
    expectRun(module, {Operand::data(x), Operand::list(shape)},
              ref::onnxReshape(x, shape, false), kExactTolerance);
}

TEST_F(DynamicShapeNumericsTest, ReshapeWithAllowZeroTakesZeroLiterally) {
  // An empty input reshaped to a shape with a real 0; i32 shape entries.
  ref::Tensor x = ref::random({2, 0, 3}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({0, 0}, 32)},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {DynamicReshapeOp::create(b, loc, args[0], args[1],
                                         /*allow_zero=*/true)};
      });
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{0, 7}, {5, 0}, {-1, 4}})
    expectRun(module, {Operand::data(x), Operand::list(shape, 32)},
              ref::onnxReshape(x, shape, true), kExactTolerance);
}

TEST_F(DynamicShapeNumericsTest, UnsqueezeAndSqueezeTakeRunTimeAxes) {
  ref::Tensor x = ref::random({3, 4}, engine);
  rt::Module unsqueezing = compile(
      {Operand::data(x), Operand::list({0, 1})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {UnsqueezeOp::create(b, loc, args[0], args[1])};
      });
  for (std::vector<int64_t> axes :
       {std::vector<int64_t>{0, 3}, {-1, 1}, {2, 0}, {1, 2}})
    expectRun(unsqueezing, {Operand::data(x), Operand::list(axes)},
              ref::unsqueeze(x, axes), kExactTolerance);

  ref::Tensor y = ref::random({1, 3, 1, 4}, engine);
  rt::Module squeezing = compile(
      {Operand::data(y), Operand::list({0, 2})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {SqueezeOp::create(b, loc, args[0], args[1])};
      });
  for (std::vector<int64_t> axes : {std::vector<int64_t>{0, 2}, {-2, 0}})
    expectRun(squeezing, {Operand::data(y), Operand::list(axes)},
              ref::squeeze(y, axes), kExactTolerance);
}

//===--- Broadcasts and tiles --------------------------------------------===//

TEST_F(DynamicShapeNumericsTest, ExpandBroadcastsToARunTimeShape) {
  ref::Tensor x = ref::random({3, 1}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({1, 1, 1})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {DynamicBroadcastToOp::create(b, loc, args[0], args[1])};
      });
  // A new leading dim, the 1 stretched, the input's 3 kept by a 1, empty.
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{2, 1, 4}, {1, 3, 1}, {2, 3, 5}, {0, 1, 2}})
    expectRun(module, {Operand::data(x), Operand::list(shape)},
              ref::expand(x, shape), kExactTolerance);
}

TEST_F(DynamicShapeNumericsTest, TileRepeatsEveryDim) {
  ref::Tensor x = ref::random({2, 3}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({1, 1})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {TileOp::create(b, loc, args[0], args[1])};
      });
  for (std::vector<int64_t> repeats :
       {std::vector<int64_t>{1, 1}, {3, 2}, {0, 2}, {1, 4}})
    expectRun(module, {Operand::data(x), Operand::list(repeats)},
              ref::tile(x, repeats), kExactTolerance);
}

//===--- Slices and splits -----------------------------------------------===//

/// One slice: starts, ends, axes, steps.
struct SliceBounds {
  std::vector<int64_t> starts, ends, axes, steps;
};

TEST_F(DynamicShapeNumericsTest, SliceClampsAsOnnxSays) {
  ref::Tensor x = ref::random({5, 6}, engine);
  Operand pair = Operand::list({0, 0});
  rt::Module module = compile(
      {Operand::data(x), pair, pair, pair, pair},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {DynamicSliceOp::create(b, loc, args[0], args[1], args[2],
                                       args[3], args[4])};
      });
  std::vector<SliceBounds> cases = {
      {{1, 0}, {4, 6}, {0, 1}, {1, 2}},       // plain, with a step
      {{-1, 5}, {-100, 0}, {0, 1}, {-2, -1}}, // negative steps, clamped
      {{2, -3}, {1000, -1}, {-1, 0}, {1, 1}}, // negative axes, ends past
      {{4, 0}, {2, 6}, {1, 0}, {1, 3}},       // an empty dim
      {{-10, 7}, {10, 8}, {0, 1}, {4, 1}},    // starts out of bounds
  };
  for (const SliceBounds &c : cases)
    expectRun(module,
              {Operand::data(x), Operand::list(c.starts), Operand::list(c.ends),
               Operand::list(c.axes), Operand::list(c.steps)},
              ref::onnxSlice(x, c.starts, c.ends, c.axes, c.steps),
              kExactTolerance);
}

TEST_F(DynamicShapeNumericsTest, SliceWithConstantUnitStepsIsAView) {
  ref::Tensor x = ref::random({4, 7}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({0}), Operand::list({0}),
       Operand::list({0})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        auto type = RankedTensorType::get({1}, b.getI64Type());
        Value steps = ConstantOp::create(
            b, loc, DenseIntElementsAttr::get(type, ArrayRef<int64_t>{1}));
        return {DynamicSliceOp::create(b, loc, args[0], args[1], args[2],
                                       args[3], steps)};
      });
  std::vector<SliceBounds> cases = {
      {{2}, {-1}, {1}, {1}}, {{-3}, {100}, {0}, {1}}, {{3}, {1}, {-1}, {1}}};
  for (const SliceBounds &c : cases)
    expectRun(module,
              {Operand::data(x), Operand::list(c.starts), Operand::list(c.ends),
               Operand::list(c.axes)},
              ref::onnxSlice(x, c.starts, c.ends, c.axes, c.steps),
              kExactTolerance);
}

TEST_F(DynamicShapeNumericsTest, SplitIntoRunTimeSizes) {
  ref::Tensor x = ref::random({4, 6}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({0, 0, 0})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        auto part =
            RankedTensorType::get({4, ShapedType::kDynamic}, b.getF32Type());
        auto split = SplitOp::create(b, loc, TypeRange{part, part, part},
                                     args[0], args[1], /*axis=*/1);
        return SmallVector<Value>(split.getResults());
      });
  for (std::vector<int64_t> sizes :
       {std::vector<int64_t>{1, 2, 3}, {0, 6, 0}, {3, 3, 0}}) {
    std::vector<ref::Tensor> outputs =
        run(module, {Operand::data(x), Operand::list(sizes)});
    std::vector<ref::Tensor> expected = ref::split(x, sizes, 1);
    ASSERT_EQ(outputs.size(), expected.size());
    for (size_t i = 0; i < outputs.size(); ++i)
      EXPECT_TRUE(allClose(outputs[i], expected[i], kExactTolerance))
          << "part " << i;
  }
}

//===--- Pads ------------------------------------------------------------===//

TEST_F(DynamicShapeNumericsTest, PadWithRunTimeAmountsAndValue) {
  ref::Tensor x = ref::random({3, 4}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({0, 0, 0, 0}), Operand::scalar(0.0f)},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {DynamicPadOp::create(b, loc, args[0], args[1], args[2])};
      });
  // Negative amounts remove elements.
  for (std::vector<int64_t> pads :
       {std::vector<int64_t>{1, -1, 2, 0}, {0, 2, -3, -2}, {2, 0, 0, 3}})
    expectRun(module,
              {Operand::data(x), Operand::list(pads), Operand::scalar(2.5f)},
              ref::onnxPad(x, pads, "constant", 2.5f), kExactTolerance);
}

TEST_F(DynamicShapeNumericsTest, PadReflectsAndRepeatsEdges) {
  ref::Tensor x = ref::random({3, 4}, engine);
  for (std::string mode : {"reflect", "edge"}) {
    rt::Module module = compile(
        {Operand::data(x), Operand::list({0, 0, 0, 0})},
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          return {DynamicPadOp::create(b, loc, args[0], args[1], Value(),
                                       b.getStringAttr(mode))};
        });
    for (std::vector<int64_t> pads : {std::vector<int64_t>{2, 1, 0, 3},
                                      {0, -2, 1, 1},
                                      {1, 3, 2, 0},
                                      {-1, 1, 1, -1}})
      expectRun(module, {Operand::data(x), Operand::list(pads)},
                ref::onnxPad(x, pads, mode, 0), kExactTolerance);
  }
}

//===--- Generators ------------------------------------------------------===//

TEST_F(DynamicShapeNumericsTest, ConstantOfShapeFillsARunTimeShape) {
  rt::Module module = compile(
      {Operand::list({0, 0})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {ConstantOfShapeOp::create(b, loc, args[0],
                                          b.getF32FloatAttr(0.75f))};
      });
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{2, 3}, {0, 4}, {5, 1}}) {
    ref::Tensor expected(shape);
    std::fill(expected.data.begin(), expected.data.end(), 0.75f);
    expectRun(module, {Operand::list(shape)}, expected, kExactTolerance);
  }
}

TEST_F(DynamicShapeNumericsTest, RangeCountsCeilOfTheSpan) {
  rt::Module module = compile(
      {Operand::scalar(0.0f), Operand::scalar(0.0f), Operand::scalar(0.0f)},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {RangeOp::create(b, loc, args[0], args[1], args[2])};
      });
  struct Span {
    float start, limit, delta;
  };
  for (Span s : {Span{0, 5, 1}, Span{1, -2, -0.5f}, Span{3, 3, 1},
                 Span{0.25f, 7.5f, 0.7f}, Span{2, 1, 1}})
    expectRun(module,
              {Operand::scalar(s.start), Operand::scalar(s.limit),
               Operand::scalar(s.delta)},
              ref::range(s.start, s.limit, s.delta), kRangeTolerance);
}

/// 800 draws use 1600 words, so the state twists three times; the result is
/// f64 and read as such.
TEST_F(DynamicShapeNumericsTest, RandomUniformLikeDrawsAsNumPyDoes) {
  ref::Tensor like = ref::random({400, 2}, engine);
  for (uint32_t seed : {0u, 12345u, 4294967295u}) {
    rt::Module compiled = compile(
        {Operand::data(like)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          return {RandomUniformLikeOp::create(b, loc, args[0], seed)};
        });
    rt::Tensor input = toRuntime(like);
    std::vector<rt::Tensor> outputs = compiled.function("main").run({&input});
    ASSERT_EQ(outputs.size(), 1u);
    ASSERT_EQ(outputs[0].shape(), like.shape);
    std::vector<double> expected = ref::numpyRandomSample(seed, like.size());
    const double *actual = outputs[0].data<double>();
    // The same integer arithmetic and one exact division: bit for bit.
    for (int64_t i = 0; i < like.size(); ++i)
      ASSERT_EQ(actual[i], expected[i]) << "seed " << seed << ", draw " << i;
  }
}

/// With a run-time seed_offset the generator is seeded with
/// (seed + offset) mod 2^32 when the function runs: offset 0 gives the draws
/// of the seed alone, seed 3 with offset 4 those of seed 7, and each offset
/// (a training step) other numbers. 800 draws twist the state three times.
TEST_F(DynamicShapeNumericsTest, RandomUniformLikeSeedOffsetIsAddedToTheSeed) {
  ref::Tensor like = ref::random({400, 2}, engine);
  const int64_t count = like.size();
  rt::Tensor input = toRuntime(like);
  auto draws = [&](const rt::Module &module,
                   std::optional<int64_t> offset) -> std::vector<double> {
    std::vector<const rt::Tensor *> inputs = {&input};
    rt::Tensor offsetTensor =
        rt::Tensor::create(KILN_DTYPE_I64, std::vector<int64_t>{});
    if (offset) {
      *offsetTensor.data<int64_t>() = *offset;
      inputs.push_back(&offsetTensor);
    }
    std::vector<rt::Tensor> outputs = module.function("main").run(inputs);
    if (outputs.size() != 1 || outputs[0].shape() != like.shape)
      throw std::runtime_error("expected one output of the input's shape");
    const double *data = outputs[0].data<double>();
    return std::vector<double>(data, data + count);
  };
  auto withOffset = [&](uint32_t seed) {
    return compile(
        {Operand::data(like), Operand::scalar(int64_t(0))},
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          return {RandomUniformLikeOp::create(b, loc, args[0], args[1], seed)};
        });
  };
  auto seedOnly = [&](uint32_t seed) {
    return compile(
        {Operand::data(like)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          return {RandomUniformLikeOp::create(b, loc, args[0], seed)};
        });
  };
  rt::Module three = withOffset(3);

  // (a) Offset 0 is the seed alone, and NumPy's numbers:
  // np.random.RandomState(3).random_sample(4).
  std::vector<double> zero = draws(three, 0);
  EXPECT_EQ(zero, draws(seedOnly(3), std::nullopt));
  EXPECT_EQ(zero, ref::numpyRandomSample(3, count));
  const double numpySeed3[] = {0.5507979025745755, 0.7081478226181048,
                               0.2909047389129443, 0.510827605197663};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(zero[i], numpySeed3[i]) << "draw " << i;

  // (b) Seed 3 with offset 4 is seed 7:
  // np.random.RandomState(7).random_sample(4).
  std::vector<double> four = draws(three, 4);
  EXPECT_EQ(four, draws(seedOnly(7), std::nullopt));
  EXPECT_EQ(four, ref::numpyRandomSample(7, count));
  const double numpySeed7[] = {0.07630828937395717, 0.7799187922401146,
                               0.4384092314408935, 0.7234651778309412};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(four[i], numpySeed7[i]) << "draw " << i;

  // (c) Steps 1 and 2 draw different numbers (those of seeds 4 and 5), and
  // the same step always the same ones.
  std::vector<double> one = draws(three, 1), two = draws(three, 2);
  EXPECT_NE(one, two);
  EXPECT_EQ(one, ref::numpyRandomSample(4, count));
  EXPECT_EQ(two, ref::numpyRandomSample(5, count));
  EXPECT_EQ(one, draws(three, 1));

  // The sum is taken modulo 2^32, for negative and large offsets too.
  EXPECT_EQ(draws(three, -4), ref::numpyRandomSample(4294967295u, count));
  EXPECT_EQ(draws(three, (int64_t(1) << 32) + 2),
            ref::numpyRandomSample(5, count));
  EXPECT_EQ(draws(withOffset(4294967295u), 1),
            ref::numpyRandomSample(0, count));
}

//===--- Reductions along run-time axes ----------------------------------===//

TEST_F(DynamicShapeNumericsTest, ReduceSumOverRunTimeAxes) {
  ref::Tensor x = ref::random({3, 4, 5}, engine);
  rt::Module module = compile(
      {Operand::data(x), Operand::list({0, 0})},
      [](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        return {DynamicReduceSumOp::create(b, loc, args[0], args[1])};
      });
  for (std::vector<int64_t> axes :
       {std::vector<int64_t>{0, 2}, {-1, 1}, {1, 0}})
    expectRun(module, {Operand::data(x), Operand::list(axes)},
              ref::reduceSumKeepDims(x, axes), kSumTolerance);
}

TEST_F(DynamicShapeNumericsTest, CumSumAlongARunTimeAxis) {
  ref::Tensor x = ref::random({3, 5}, engine);
  for (bool exclusive : {false, true})
    for (bool reverse : {false, true}) {
      rt::Module module = compile(
          {Operand::data(x), Operand::scalar(int64_t(0))},
          [&](OpBuilder &b, Location loc,
              ValueRange args) -> SmallVector<Value> {
            return {DynamicCumSumOp::create(b, loc, args[0].getType(), args[0],
                                            args[1], exclusive, reverse)};
          });
      for (int64_t axis : {0, 1, -1})
        expectRun(module, {Operand::data(x), Operand::scalar(axis)},
                  ref::cumSum(x, axis, exclusive, reverse), kSumTolerance);
    }
}

//===--- Resize ----------------------------------------------------------===//

/// A resize with run-time scales or sizes.
struct RunTimeResize {
  std::string mode, transform;
  std::vector<double> scales; ///< empty: by sizes
  std::vector<int64_t> sizes;
};

TEST_F(DynamicShapeNumericsTest, ResizeWithRunTimeScalesOrSizes) {
  std::vector<int64_t> shape = {1, 2, 4, 5};
  ref::Tensor x = ref::random(shape, engine);
  std::vector<RunTimeResize> cases = {
      {"linear", "half_pixel", {1, 1, 2, 1.5}, {}},
      {"linear", "align_corners", {1, 1, 0.5, 0.8}, {}},
      {"cubic", "asymmetric", {1, 1, 1.5, 2}, {}},
      {"nearest", "half_pixel", {}, {1, 2, 7, 3}},
      {"nearest", "asymmetric", {}, {1, 2, 4, 9}},
      {"linear", "pytorch_half_pixel", {}, {1, 2, 1, 8}},
  };
  for (const RunTimeResize &c : cases) {
    bool byScales = !c.scales.empty();
    std::vector<int64_t> sizes = c.sizes;
    std::vector<double> scales = c.scales;
    ref::Tensor scaleData({4});
    if (byScales) {
      // The operand holds float32 scales: the reference gets those.
      for (size_t d = 0; d < 4; ++d) {
        scaleData.data[d] = static_cast<float>(scales[d]);
        scales[d] = scaleData.data[d];
        sizes.push_back(static_cast<int64_t>(std::floor(shape[d] * scales[d])));
      }
    } else {
      for (size_t d = 0; d < 4; ++d)
        scales.push_back(double(sizes[d]) / double(shape[d]));
    }
    ref::ResizeOptions options;
    options.mode = c.mode;
    options.transform = c.transform;
    Operand given = byScales ? Operand::data(scaleData) : Operand::list(sizes);
    rt::Module module = compile(
        {Operand::data(x), given},
        [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
          return {DynamicResizeOp::create(
              b, loc, args[0], byScales ? args[1] : Value(),
              byScales ? Value() : args[1], Value(), b.getStringAttr(c.mode),
              b.getStringAttr(c.transform),
              b.getStringAttr("round_prefer_floor"), b.getF64FloatAttr(-0.75),
              b.getBoolAttr(false), b.getF64FloatAttr(0.0))};
        });
    SCOPED_TRACE(c.mode + "/" + c.transform);
    expectRun(module, {Operand::data(x), given},
              ref::resize(x, sizes, scales, options),
              c.mode == "nearest" ? kExactTolerance : kResizeTolerance);
  }
}

} // namespace
