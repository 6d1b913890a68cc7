//===- shapeNumericsTest.cpp - Data movement ops, compiled and run --------===//
//
// Slices, pads, broadcasts, gathers, scatters and resizes compiled through the
// CPU pipeline and run through the runtime, against shapeReference.cpp. Index
// operands are run-time int32/int64 inputs, so the generated index handling
// (negative indices, clamping, skipped updates, duplicate order) is what runs.
// Data movement copies elements exactly: those tests compare with tolerance
// zero. Resize interpolates in float32 against a double reference; see
// kResizeTolerance.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "shapeReference.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

/// Copies must be exact.
constexpr Tolerance kExactTolerance{0, 0};
/// Linear and cubic resizes sum 2 to 4 float32 products per resized dimension
/// (at most 16 terms for bicubic) with weights rounded to float32, against a
/// double reference: errors are a few float32 ulps of the operands' magnitude
/// (<= 1 here), so atol 1e-6 covers results near zero; rtol stays 1e-5.
constexpr Tolerance kResizeTolerance{1e-5, 1e-6};

/// One function argument: float data or integer indices.
struct Argument {
  ref::Tensor floats;
  ref::IndexTensor indices;
  unsigned indexBits = 0; ///< 32 or 64 for indices, 0 for floats

  static Argument of(ref::Tensor tensor) { return {std::move(tensor), {}, 0}; }
  static Argument of(ref::IndexTensor tensor, unsigned bits = 64) {
    return {{}, std::move(tensor), bits};
  }
};

class ShapeNumericsTest : public CompiledTest {
protected:
  /// Builds `@main` over `arguments`, compiles it, runs it and compares its
  /// one output with `expected`.
  void expectResult(const std::vector<Argument> &arguments, BodyBuilder body,
                    const ref::Tensor &expected, Tolerance tolerance) {
    OwningOpRef<ModuleOp> module = build(arguments, body);
    ASSERT_TRUE(succeeded(verify(*module)));
    auto loaded = compiler.compileToJit(*module);
    ASSERT_TRUE(static_cast<bool>(loaded))
        << llvm::toString(loaded.takeError());
    std::vector<rt::Tensor> inputs;
    for (const Argument &argument : arguments)
      inputs.push_back(toRuntimeArgument(argument));
    std::vector<const rt::Tensor *> pointers;
    for (const rt::Tensor &input : inputs)
      pointers.push_back(&input);
    std::vector<rt::Tensor> outputs = loaded->function("main").run(pointers);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_TRUE(allClose(fromRuntime(outputs[0]), expected, tolerance));
  }

  /// A random index tensor with values in [low, high).
  ref::IndexTensor randomIndices(std::vector<int64_t> shape, int64_t low,
                                 int64_t high) {
    std::uniform_int_distribution<int64_t> distribution(low, high - 1);
    ref::IndexTensor tensor{shape, {}};
    int64_t count = 1;
    for (int64_t dim : shape)
      count *= dim;
    for (int64_t i = 0; i < count; ++i)
      tensor.data.push_back(distribution(engine));
    return tensor;
  }

private:
  OwningOpRef<ModuleOp> build(const std::vector<Argument> &arguments,
                              BodyBuilder body) {
    context.loadDialect<KilnDialect, func::FuncDialect>();
    OpBuilder builder(&context);
    Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    SmallVector<Type> types;
    for (const Argument &argument : arguments)
      types.push_back(argument.indexBits
                          ? RankedTensorType::get(
                                argument.indices.shape,
                                builder.getIntegerType(argument.indexBits))
                          : RankedTensorType::get(argument.floats.shape,
                                                  builder.getF32Type()));
    auto func = func::FuncOp::create(builder, loc, "main",
                                     builder.getFunctionType(types, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    Value result = body(builder, loc, entry->getArguments());
    func::ReturnOp::create(builder, loc, result);
    func.setType(builder.getFunctionType(types, {result.getType()}));
    return module;
  }

  static rt::Tensor toRuntimeArgument(const Argument &argument) {
    if (!argument.indexBits)
      return toRuntime(argument.floats);
    const ref::IndexTensor &indices = argument.indices;
    if (argument.indexBits == 32) {
      rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I32, indices.shape);
      std::copy(indices.data.begin(), indices.data.end(),
                tensor.data<int32_t>());
      return tensor;
    }
    rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I64, indices.shape);
    std::copy(indices.data.begin(), indices.data.end(), tensor.data<int64_t>());
    return tensor;
  }
};

//===--- Slice, pad, broadcast_to -----------------------------------------===//

TEST_F(ShapeNumericsTest, SlicePositiveStepsIsAView) {
  ref::Tensor x = ref::random({5, 6, 4}, engine);
  std::vector<int64_t> offsets = {1, 0, 3}, sizes = {2, 3, 1},
                       steps = {2, 2, 1};
  expectResult(
      {Argument::of(x)},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return SliceOp::create(b, loc, args[0], offsets, sizes, steps);
      },
      ref::slice(x, offsets, sizes, steps), kExactTolerance);
}

TEST_F(ShapeNumericsTest, SliceNegativeStepsReverse) {
  ref::Tensor x = ref::random({5, 6, 4}, engine);
  std::vector<int64_t> offsets = {4, 5, 0}, sizes = {3, 6, 4},
                       steps = {-2, -1, 1};
  expectResult(
      {Argument::of(x)},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return SliceOp::create(b, loc, args[0], offsets, sizes, steps);
      },
      ref::slice(x, offsets, sizes, steps), kExactTolerance);
}

TEST_F(ShapeNumericsTest, PadConstantReflectEdge) {
  ref::Tensor x = ref::random({2, 3, 4}, engine);
  // Every side by a different amount; reflect pads stay below the dims.
  std::vector<int64_t> low = {1, 0, 3}, high = {0, 2, 2};
  for (auto [name, mode] : {std::pair{"constant", ref::PadMode::Constant},
                            std::pair{"reflect", ref::PadMode::Reflect},
                            std::pair{"edge", ref::PadMode::Edge}}) {
    float value = mode == ref::PadMode::Constant ? 0.75f : 0.0f;
    expectResult(
        {Argument::of(x)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          TypedAttr attr = mode == ref::PadMode::Constant
                               ? b.getF32FloatAttr(value)
                               : TypedAttr();
          return PadOp::create(b, loc, args[0], low, high, name, attr);
        },
        ref::pad(x, low, high, mode, value), kExactTolerance);
  }
}

TEST_F(ShapeNumericsTest, BroadcastToStretchesAndPrepends) {
  ref::Tensor x = ref::random({3, 1, 4}, engine);
  std::vector<int64_t> shape = {2, 3, 5, 4};
  expectResult(
      {Argument::of(x)},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return BroadcastToOp::create(b, loc, args[0], shape);
      },
      ref::broadcastTo(x, shape), kExactTolerance);
}

//===--- Gathers ----------------------------------------------------------===//

TEST_F(ShapeNumericsTest, GatherWrapsNegativeAndClampsOutOfRange) {
  ref::Tensor data = ref::random({4, 5, 3}, engine);
  // [-5, 0) counts from the end; -9..-6 and 5..8 are out of range and clamp.
  ref::IndexTensor indices = randomIndices({2, 6}, -9, 9);
  indices.data[0] = -1;
  indices.data[1] = 7;
  expectResult(
      {Argument::of(data), Argument::of(indices)},
      [](OpBuilder &b, Location loc, ValueRange args) -> Value {
        int64_t axis = 1;
        return GatherOp::create(b, loc, args[0], args[1], axis);
      },
      ref::gather(data, indices, 1), kExactTolerance);
}

TEST_F(ShapeNumericsTest, GatherScalarInt32Index) {
  ref::Tensor data = ref::random({4, 3}, engine);
  ref::IndexTensor index{{}, {-2}};
  expectResult(
      {Argument::of(data), Argument::of(index, 32)},
      [](OpBuilder &b, Location loc, ValueRange args) -> Value {
        int64_t axis = 0;
        return GatherOp::create(b, loc, args[0], args[1], axis);
      },
      ref::gather(data, index, 0), kExactTolerance);
}

TEST_F(ShapeNumericsTest, GatherElementsAlongEachAxis) {
  ref::Tensor data = ref::random({3, 4}, engine);
  for (int64_t axis : {0, 1}) {
    ref::IndexTensor indices = randomIndices({2, 5}, -6, 6);
    if (axis == 0)
      indices.shape = {5, 2}; // larger than data along the axis only
    expectResult(
        {Argument::of(data), Argument::of(indices, 32)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return GatherElementsOp::create(b, loc, args[0], args[1], axis);
        },
        ref::gatherElements(data, indices, axis), kExactTolerance);
  }
}

TEST_F(ShapeNumericsTest, GatherNDSlicesAndBatches) {
  ref::Tensor data = ref::random({2, 3, 4}, engine);
  // Tuples of 2 into dims 0 and 1: each picks a row of 4.
  ref::IndexTensor tuples = randomIndices({3, 2}, -2, 3);
  expectResult(
      {Argument::of(data), Argument::of(tuples)},
      [](OpBuilder &b, Location loc, ValueRange args) -> Value {
        int64_t batchDims = 0;
        return GatherNDOp::create(b, loc, args[0], args[1], batchDims);
      },
      ref::gatherND(data, tuples, 0), kExactTolerance);
  // One batch dim: tuples of 1 into dim 1 of each batch entry.
  ref::IndexTensor batched = randomIndices({2, 5, 1}, -3, 3);
  expectResult(
      {Argument::of(data), Argument::of(batched)},
      [](OpBuilder &b, Location loc, ValueRange args) -> Value {
        int64_t batchDims = 1;
        return GatherNDOp::create(b, loc, args[0], args[1], batchDims);
      },
      ref::gatherND(data, batched, 1), kExactTolerance);
}

//===--- Scatters ---------------------------------------------------------===//

TEST_F(ShapeNumericsTest, ScatterElementsDuplicatesApplyInOrder) {
  ref::Tensor data = ref::random({3, 4}, engine);
  ref::Tensor updates = ref::random({2, 4}, engine, 0.5f, 1.5f);
  // Columns of row 0 and 1 collide; -1 is the last row; 3 and -4 are skipped.
  ref::IndexTensor indices{{2, 4}, {0, 2, -1, 3, 0, 2, 1, -4}};
  for (auto [name, reduction] :
       {std::pair{"none", ref::ScatterReduction::None},
        std::pair{"add", ref::ScatterReduction::Add},
        std::pair{"mul", ref::ScatterReduction::Mul}}) {
    expectResult(
        {Argument::of(data), Argument::of(indices), Argument::of(updates)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          int64_t axis = 0;
          return ScatterElementsOp::create(b, loc, args[0], args[1], args[2],
                                           axis, name);
        },
        ref::scatterElements(data, indices, updates, 0, reduction),
        // One add or multiply per update, in the same order as the
        // reference, in float32 both: exact.
        kExactTolerance);
  }
}

TEST_F(ShapeNumericsTest, ScatterElementsInnerAxisInt32) {
  ref::Tensor data = ref::random({3, 5}, engine);
  ref::Tensor updates = ref::random({3, 2}, engine);
  ref::IndexTensor indices = randomIndices({3, 2}, -5, 5);
  expectResult(
      {Argument::of(data), Argument::of(indices, 32), Argument::of(updates)},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        int64_t axis = 1;
        return ScatterElementsOp::create(b, loc, args[0], args[1], args[2],
                                         axis, "add");
      },
      ref::scatterElements(data, indices, updates, 1,
                           ref::ScatterReduction::Add),
      kExactTolerance);
}

TEST_F(ShapeNumericsTest, ScatterNDSlicesWithDuplicates) {
  ref::Tensor data = ref::random({4, 3, 2}, engine);
  // Tuples of 1 address slices of 3x2: rows 1 and -3 are the same, 4 is
  // skipped.
  ref::IndexTensor indices{{4, 1}, {1, -3, 4, 0}};
  ref::Tensor updates = ref::random({4, 3, 2}, engine, 0.5f, 1.5f);
  for (auto [name, reduction] :
       {std::pair{"none", ref::ScatterReduction::None},
        std::pair{"add", ref::ScatterReduction::Add},
        std::pair{"mul", ref::ScatterReduction::Mul}}) {
    expectResult(
        {Argument::of(data), Argument::of(indices), Argument::of(updates)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return ScatterNDOp::create(b, loc, args[0], args[1], args[2], name);
        },
        ref::scatterND(data, indices, updates, reduction), kExactTolerance);
  }
}

TEST_F(ShapeNumericsTest, ScatterNDElementTuples) {
  ref::Tensor data = ref::random({3, 4}, engine);
  ref::IndexTensor indices = randomIndices({2, 3, 2}, -3, 3);
  ref::Tensor updates = ref::random({2, 3}, engine);
  expectResult(
      {Argument::of(data), Argument::of(indices), Argument::of(updates)},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return ScatterNDOp::create(b, loc, args[0], args[1], args[2], "none");
      },
      ref::scatterND(data, indices, updates, ref::ScatterReduction::None),
      kExactTolerance);
}

//===--- Resize -----------------------------------------------------------===//

struct ResizeCase {
  std::vector<int64_t> inputShape, sizes;
  std::vector<double> scales;
  ref::ResizeOptions options;
};

void PrintTo(const ResizeCase &c, std::ostream *os) {
  *os << c.options.mode << "/" << c.options.transform << "/"
      << c.options.nearestMode;
}

class ResizeNumericsTest : public ShapeNumericsTest,
                           public ::testing::WithParamInterface<ResizeCase> {};

TEST_P(ResizeNumericsTest, MatchesTheOnnxReference) {
  const ResizeCase &c = GetParam();
  ref::Tensor x = ref::random(c.inputShape, engine);
  const ref::ResizeOptions &o = c.options;
  ref::Tensor expected = ref::resize(x, c.sizes, c.scales, o);
  expectResult(
      {Argument::of(x)},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return ResizeOp::create(
            b, loc, args[0], b.getDenseI64ArrayAttr(c.sizes),
            b.getDenseF64ArrayAttr(c.scales), b.getStringAttr(o.mode),
            b.getStringAttr(o.transform), b.getStringAttr(o.nearestMode),
            b.getF64FloatAttr(o.cubicA), b.getBoolAttr(o.excludeOutside),
            b.getF64FloatAttr(o.extrapolation),
            o.roi.empty() ? DenseF64ArrayAttr()
                          : b.getDenseF64ArrayAttr(o.roi));
      },
      expected, o.mode == "nearest" ? kExactTolerance : kResizeTolerance);
}

ref::ResizeOptions options(std::string mode, std::string transform,
                           std::string nearest = "round_prefer_floor") {
  ref::ResizeOptions o;
  o.mode = std::move(mode);
  o.transform = std::move(transform);
  o.nearestMode = std::move(nearest);
  return o;
}

ref::ResizeOptions withCubic(ref::ResizeOptions o, double a, bool exclude) {
  o.cubicA = a;
  o.excludeOutside = exclude;
  return o;
}

ref::ResizeOptions withRoi(ref::ResizeOptions o, std::vector<double> roi,
                           double extrapolation) {
  o.roi = std::move(roi);
  o.extrapolation = extrapolation;
  return o;
}

// NCHW upsampling and downsampling by scales and by sizes (non-integer
// ratios), every nearest rounding, every coordinate transformation, cubic with
// exclude_outside, tf_crop_and_resize with extrapolation, and a 3-D trilinear
// resize of every dim.
INSTANTIATE_TEST_SUITE_P(
    Modes, ResizeNumericsTest,
    ::testing::Values(
        ResizeCase{{1, 2, 3, 4},
                   {1, 2, 7, 9},
                   {1, 1, 7.0 / 3, 9.0 / 4},
                   options("nearest", "half_pixel", "round_prefer_floor")},
        ResizeCase{{1, 2, 3, 4},
                   {1, 2, 7, 9},
                   {1, 1, 7.0 / 3, 9.0 / 4},
                   options("nearest", "asymmetric", "round_prefer_ceil")},
        ResizeCase{{1, 2, 5, 6},
                   {1, 2, 3, 3},
                   {1, 1, 0.6, 0.6},
                   options("nearest", "align_corners", "floor")},
        ResizeCase{{1, 2, 5, 6},
                   {1, 2, 3, 3},
                   {1, 1, 0.6, 0.6},
                   options("nearest", "tf_half_pixel_for_nn", "ceil")},
        ResizeCase{{1, 1, 4, 4},
                   {1, 1, 8, 8},
                   {1, 1, 2, 2},
                   options("linear", "half_pixel")},
        ResizeCase{{1, 2, 5, 6},
                   {1, 2, 3, 4},
                   {1, 1, 0.6, 4.0 / 6},
                   options("linear", "pytorch_half_pixel")},
        ResizeCase{{2, 3, 4},
                   {2, 1, 7},
                   {1, 1.0 / 3, 1.75},
                   options("linear", "pytorch_half_pixel")},
        ResizeCase{{1, 1, 3, 4},
                   {1, 1, 5, 7},
                   {1, 1, 5.0 / 3, 7.0 / 4},
                   options("linear", "align_corners")},
        ResizeCase{{1, 1, 4, 4},
                   {1, 1, 8, 8},
                   {1, 1, 2, 2},
                   options("cubic", "asymmetric")},
        ResizeCase{{1, 1, 4, 5},
                   {1, 1, 6, 3},
                   {1, 1, 1.5, 0.6},
                   withCubic(options("cubic", "half_pixel"), -0.5, true)},
        ResizeCase{{1, 1, 4, 4},
                   {1, 1, 3, 3},
                   {1, 1, 0.8, 0.8},
                   withRoi(options("linear", "tf_crop_and_resize"),
                           {0, 0, 0.4, 0.6, 1, 1, 0.6, 1.3}, 10.0)},
        ResizeCase{{1, 1, 4, 4},
                   {1, 1, 3, 3},
                   {1, 1, 0.8, 0.8},
                   withRoi(options("nearest", "tf_crop_and_resize"),
                           {0, 0, -0.2, 0.4, 1, 1, 0.8, 0.9}, -3.0)},
        ResizeCase{{3, 4, 2},
                   {5, 2, 3},
                   {5.0 / 3, 0.5, 1.5},
                   options("linear", "half_pixel")}));

} // namespace
