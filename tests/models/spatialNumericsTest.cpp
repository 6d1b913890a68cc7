//===- spatialNumericsTest.cpp - The spatial family, compiled and run -----===//
//
// N-D conv, conv_filter_gradient, conv_transpose and pooling (1-D, 3-D,
// grouped, beyond linalg's named ops), max_pool_with_indices, grid_sample,
// roi_align, dft and det, each compiled (JIT) and run through the runtime
// against the plain loops of spatialReference.h, for every attribute that
// changes the generated code. Indices must match exactly.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "spatialReference.h"

#include "mlir/IR/Verifier.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

/// A pooled maximum or a nearest-neighbour sample is one of the inputs:
/// exact.
constexpr Tolerance kExact{0.0, 0.0};
/// Bilinear and bicubic sampling combine 4 or 16 taps of |x| <= 1 with
/// weights that sum to 1 (bicubic's are up to ~1.2 in magnitude), with
/// float32 coordinates: each rounding adds ~6e-8 of the largest term, so
/// 1e-6 absolute covers the sums; rtol 1e-5 as everywhere.
constexpr Tolerance kSamplingTolerance{1e-5, 1e-6};
/// A DFT sums L <= 16 products of |x| <= 1 with twiddles of magnitude 1 in
/// float32 (the reference computes in double): the error grows like L * 6e-8
/// per term of magnitude <= 1, about 1e-6; results near zero need an atol.
constexpr Tolerance kTransformTolerance{1e-5, 1e-5};
/// LU with partial pivoting on M <= 4 matrices of entries in [-1, 1]: the
/// backward error is about M * 2^-24 times the pivot growth (at most 2^(M-1)),
/// ~2e-6 of the entries, which shows in determinants of magnitude ~1 as an
/// absolute error of a few 1e-6.
constexpr Tolerance kDeterminantTolerance{1e-5, 1e-5};

/// An argument of a compiled test function: its MLIR element type and its
/// runtime tensor.
struct Argument {
  Type elementType;
  rt::Tensor tensor;
};

Argument floatArgument(MLIRContext &context, const ref::Tensor &tensor) {
  return {Float32Type::get(&context), toRuntime(tensor)};
}

Argument int64Argument(MLIRContext &context, std::vector<int64_t> shape,
                       const std::vector<int64_t> &values) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I64, shape);
  for (size_t i = 0; i < values.size(); ++i)
    tensor.data<int64_t>()[i] = values[i];
  return {IntegerType::get(&context, 64), std::move(tensor)};
}

std::vector<int64_t> int64Values(const rt::Tensor &tensor) {
  const int64_t *data = tensor.data<int64_t>();
  return std::vector<int64_t>(data, data + tensor.elementCount());
}

/// Builds the results of the test function from its arguments.
using ResultsBuilder = llvm::function_ref<SmallVector<Value>(
    OpBuilder &, Location, ValueRange arguments)>;

class SpatialNumericsTest : public CompiledTest {
protected:
  /// Compiles `@main(arguments) -> build(...)` and runs it on the arguments.
  std::vector<rt::Tensor> compileAndRun(const std::vector<Argument> &arguments,
                                        ResultsBuilder build) {
    context.loadDialect<KilnDialect, func::FuncDialect>();
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

//===--- conv -------------------------------------------------------------===//

struct ConvCase {
  std::vector<int64_t> input, filter;
  ref::WindowND window;
  int64_t groups;
};

void PrintTo(const ConvCase &c, std::ostream *os) {
  *os << "input " << ::testing::PrintToString(c.input) << " filter "
      << ::testing::PrintToString(c.filter) << " groups " << c.groups;
}

class ConvNDTest : public SpatialNumericsTest,
                   public ::testing::WithParamInterface<ConvCase> {};

TEST_P(ConvNDTest, MatchesReference) {
  const ConvCase &c = GetParam();
  ref::Tensor x = ref::random(c.input, engine),
              w = ref::random(c.filter, engine);
  expectMatches(
      {x, w},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return ConvOp::create(b, loc, args[0], args[1], c.window.strides,
                              c.window.padding, c.window.dilations, c.groups);
      },
      ref::convND(x, w, c.window, c.groups), kContractionTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvNDTest,
    ::testing::Values(
        // 1-D: plain, then strided, padded and dilated (linalg.conv_1d_ncw_fcw)
        ConvCase{{2, 3, 10}, {4, 3, 3}, {}, 1},
        ConvCase{{1, 2, 11}, {3, 2, 3}, {{2}, {2, 1}, {2}, {}}, 1},
        // 1-D grouped (a generic)
        ConvCase{{1, 4, 9}, {6, 2, 2}, {{1}, {1, 0}, {1}, {}}, 2},
        // 3-D (linalg.conv_3d_ncdhw_fcdhw), asymmetric padding and strides
        ConvCase{{1, 2, 5, 6, 4},
                 {3, 2, 3, 2, 3},
                 {{1, 2, 1}, {1, 0, 1, 0, 1, 0}, {}, {}},
                 1},
        // 3-D dilated, batch 2
        ConvCase{{2, 2, 6, 6, 6}, {2, 2, 2, 2, 2}, {{}, {}, {2, 1, 2}, {}}, 1},
        // 3-D grouped and depthwise (generics)
        ConvCase{{1, 4, 4, 5, 4}, {4, 2, 2, 3, 2}, {{2, 1, 1}, {}, {}, {}}, 2},
        ConvCase{{1, 3, 4, 4, 4},
                 {3, 1, 3, 3, 3},
                 {{}, {1, 1, 1, 1, 1, 1}, {}, {}},
                 3},
        // 4 spatial dims: no named op at all
        ConvCase{{1, 2, 3, 4, 3, 4}, {2, 2, 2, 2, 2, 2}, {}, 1}));

/// Code written against the 2-D names (Conv2DOp, MaxPool2DOp, ...) still
/// builds the N-D ops.
TEST_F(SpatialNumericsTest, TwoDimensionalNamesBuildTheNDOps) {
  static_assert(std::is_same_v<Conv2DOp, ConvOp> &&
                std::is_same_v<Conv2DTransposeOp, ConvTransposeOp> &&
                std::is_same_v<MaxPool2DOp, MaxPoolOp> &&
                std::is_same_v<AvgPool2DOp, AvgPoolOp>);
  ref::Tensor x = ref::random({1, 2, 6, 6}, engine),
              w = ref::random({3, 2, 3, 3}, engine);
  ref::WindowND window{{1, 1}, {1, 1, 1, 1}, {1, 1}, {}};
  expectMatches(
      {x, w},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return Conv2DOp::create(b, loc, args[0], args[1], window.strides,
                                window.padding, window.dilations, 1);
      },
      ref::convND(x, w, window, 1), kContractionTolerance);
}

//===--- conv_transpose ---------------------------------------------------===//

class ConvTransposeNDTest : public SpatialNumericsTest,
                            public ::testing::WithParamInterface<ConvCase> {};

TEST_P(ConvTransposeNDTest, MatchesReference) {
  const ConvCase &c = GetParam();
  ref::Tensor x = ref::random(c.input, engine),
              w = ref::random(c.filter, engine);
  expectMatches(
      {x, w},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return ConvTransposeOp::create(
            b, loc, args[0], args[1], c.window.strides, c.window.padding,
            c.window.dilations, c.window.outputPadding, c.groups);
      },
      ref::convTransposeND(x, w, c.window, c.groups), kContractionTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvTransposeNDTest,
    ::testing::Values(
        // ONNX's test_convtranspose_3d geometry
        ConvCase{{1, 1, 3, 4, 5}, {1, 2, 3, 3, 3}, {}, 1},
        // 3-D strided, padded, dilated, output padding
        ConvCase{{1, 2, 3, 3, 2},
                 {2, 2, 2, 3, 2},
                 {{2, 1, 2}, {1, 0, 0, 0, 1, 0}, {1, 2, 1}, {1, 0, 0}},
                 1},
        // 3-D grouped
        ConvCase{{1, 4, 2, 3, 2}, {4, 1, 2, 2, 2}, {{1, 2, 1}, {}, {}, {}}, 2},
        // 1-D strided with output padding
        ConvCase{{2, 3, 5}, {3, 2, 3}, {{3}, {1, 1}, {}, {2}}, 1},
        // 1-D grouped
        ConvCase{{1, 4, 4}, {4, 3, 2}, {{2}, {}, {}, {}}, 2}));

/// 2-D f32 transposed convolutions with the epilogues a oneDNN kernel absorbs
/// (kiln-select-kernels turns them into kiln_rt.conv2d {transposed}). ctest
/// runs them on the kernel and, in e2e_tests.codegen_kernels, on the
/// generated loops, both against the reference.
struct ConvTransposeKernelCase {
  std::vector<int64_t> input, filter;
  ref::WindowND window;
  int64_t groups;
  bool bias, residual;
  std::string activation; // none, relu or tanh
  /// A module constant (reordered once by the runtime) or an argument (as
  /// the filters of a training step's input gradients: reordered per call).
  bool constantFilter;
};

void PrintTo(const ConvTransposeKernelCase &c, std::ostream *os) {
  *os << "input " << ::testing::PrintToString(c.input) << " filter "
      << ::testing::PrintToString(c.filter) << " groups " << c.groups
      << (c.bias ? " bias" : "") << (c.residual ? " residual" : "") << " "
      << c.activation << (c.constantFilter ? " constant filter" : "");
}

class ConvTranspose2DKernelTest
    : public SpatialNumericsTest,
      public ::testing::WithParamInterface<ConvTransposeKernelCase> {};

TEST_P(ConvTranspose2DKernelTest, MatchesReference) {
  const ConvTransposeKernelCase &c = GetParam();
  ref::Tensor x = ref::random(c.input, engine),
              w = ref::random(c.filter, engine);
  ref::Tensor expected = ref::convTransposeND(x, w, c.window, c.groups);
  int64_t features = expected.shape[1];
  ref::Tensor bias = ref::random({1, features, 1, 1}, engine);
  ref::Tensor residual = ref::random(expected.shape, engine);
  auto add = [](double a, double b) { return a + b; };
  if (c.bias)
    expected = ref::binary(expected, bias, add);
  if (c.residual)
    expected = ref::binary(expected, residual, add);
  if (c.activation == "relu")
    expected = ref::unary(expected, [](double v) { return std::max(v, 0.0); });
  else if (c.activation == "tanh")
    expected = ref::unary(expected, [](double v) { return std::tanh(v); });

  // Arguments: the input, the filter unless it is a constant, the residual.
  std::vector<ref::Tensor> inputs = {x};
  if (!c.constantFilter)
    inputs.push_back(w);
  if (c.residual)
    inputs.push_back(residual);
  expectMatches(
      inputs,
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value filter = c.constantFilter ? buildConstant(b, loc, w) : args[1];
        Value y = ConvTransposeOp::create(
            b, loc, args[0], filter, c.window.strides, c.window.padding,
            c.window.dilations, c.window.outputPadding, c.groups);
        if (c.bias)
          y = AddOp::create(b, loc, y, buildConstant(b, loc, bias));
        if (c.residual)
          y = AddOp::create(b, loc, y, args.back());
        if (c.activation == "relu")
          y = ReluOp::create(b, loc, y);
        else if (c.activation == "tanh")
          y = TanhOp::create(b, loc, y);
        return y;
      },
      expected, kContractionTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Epilogues, ConvTranspose2DKernelTest,
    ::testing::Values(
        // stride 2, padding 1, output padding 1, 2 groups, bias + relu
        ConvTransposeKernelCase{{1, 4, 5, 5},
                                {4, 3, 3, 3},
                                {{2, 2}, {1, 1, 1, 1}, {}, {1, 1}},
                                2,
                                true,
                                false,
                                "relu",
                                true},
        // the same at batch 3, non-square, bias + tanh, filter an argument
        ConvTransposeKernelCase{{3, 4, 5, 6},
                                {4, 3, 3, 3},
                                {{2, 2}, {1, 1, 1, 1}, {}, {1, 1}},
                                2,
                                true,
                                false,
                                "tanh",
                                false},
        // DCGAN's upsampling layers: 4x4 kernel, stride 2, padding 1
        ConvTransposeKernelCase{{3, 6, 4, 4},
                                {6, 4, 4, 4},
                                {{2, 2}, {1, 1, 1, 1}, {}, {}},
                                1,
                                true,
                                false,
                                "relu",
                                true},
        // output padding beyond the end padding: oneDNN's end padding is -1
        ConvTransposeKernelCase{{1, 4, 5, 5},
                                {4, 2, 3, 3},
                                {{2, 2}, {}, {}, {1, 1}},
                                1,
                                false,
                                false,
                                "tanh",
                                true},
        // asymmetric strides, padding, dilation and output padding, 2
        // groups, a residual addition
        ConvTransposeKernelCase{{2, 4, 4, 4},
                                {4, 2, 3, 3},
                                {{1, 2}, {1, 0, 2, 1}, {2, 1}, {0, 1}},
                                2,
                                false,
                                true,
                                "relu",
                                false},
        // depthwise (a group per channel), no epilogue
        ConvTransposeKernelCase{{3, 4, 5, 5},
                                {4, 1, 3, 3},
                                {{2, 2}, {1, 1, 1, 1}, {}, {1, 1}},
                                4,
                                false,
                                false,
                                "none",
                                true},
        // The cases kiln-decompose-conv-transpose splits into a convolution
        // per output phase. No padding: every phase's convolution pads both
        // ends.
        ConvTransposeKernelCase{{1, 4, 5, 5},
                                {4, 3, 4, 4},
                                {{2, 2}, {}, {}, {}},
                                1,
                                true,
                                false,
                                "relu",
                                true},
        // strides 2 and 1: two phases along H, one along W; a residual
        // addition (not per channel) after the interleaving
        ConvTransposeKernelCase{{2, 4, 4, 6},
                                {4, 3, 4, 3},
                                {{2, 1}, {1, 1, 1, 1}, {}, {}},
                                1,
                                false,
                                true,
                                "tanh",
                                true},
        // DCGAN's first layer: stride 1 from a 1x1 image, one phase
        ConvTransposeKernelCase{{2, 3, 1, 1},
                                {3, 5, 4, 4},
                                {{}, {}, {}, {}},
                                1,
                                true,
                                false,
                                "relu",
                                true}));

//===--- conv_filter_gradient ---------------------------------------------===//

/// Filter gradients of convolutions (kiln.conv_filter_gradient, which a
/// training step's conv rules build). 2-D f32 ones run on oneDNN's
/// backward-weights kernel (kiln_rt.conv2d_backward_filter); ctest runs them
/// again in e2e_tests.codegen_kernels on the generated loops that
/// kiln-expand-filter-gradients makes, where the 1-D and 3-D ones always run.
struct ConvFilterGradientCase {
  std::vector<int64_t> input, kernel;
  int64_t filters;
  ref::WindowND window;
  int64_t groups;
};

void PrintTo(const ConvFilterGradientCase &c, std::ostream *os) {
  *os << "input " << ::testing::PrintToString(c.input) << " kernel "
      << ::testing::PrintToString(c.kernel) << " filters " << c.filters
      << " groups " << c.groups;
}

/// Each element sums batch x output positions (up to 8 x 8 x 8 = 512)
/// products of values in [-1, 1]: float32 accumulation in another order
/// than the reference's double sum is off by up to about terms * 6e-8 (3e-5
/// for 512) of the largest term, within atol 1e-4.
constexpr Tolerance kFilterGradientTolerance{1e-5, 1e-4};

class ConvFilterGradientTest
    : public SpatialNumericsTest,
      public ::testing::WithParamInterface<ConvFilterGradientCase> {};

TEST_P(ConvFilterGradientTest, MatchesReference) {
  const ConvFilterGradientCase &c = GetParam();
  size_t spatialRank = c.kernel.size();
  auto entry = [](const std::vector<int64_t> &values, size_t i, int64_t fill) {
    return values.empty() ? fill : values[i];
  };
  // The output gradient has the forward convolution's output shape.
  std::vector<int64_t> outShape = {c.input[0], c.filters};
  for (size_t i = 0; i < spatialRank; ++i) {
    int64_t padded = c.input[2 + i] + entry(c.window.padding, i, 0) +
                     entry(c.window.padding, spatialRank + i, 0);
    int64_t extent = entry(c.window.dilations, i, 1) * (c.kernel[i] - 1) + 1;
    outShape.push_back((padded - extent) / entry(c.window.strides, i, 1) + 1);
  }
  ref::Tensor x = ref::random(c.input, engine),
              dy = ref::random(outShape, engine);
  expectMatches(
      {x, dy},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return ConvFilterGradientOp::create(b, loc, args[0], args[1], c.kernel,
                                            c.window.strides, c.window.padding,
                                            c.window.dilations, c.groups);
      },
      ref::convFilterGradientND(x, dy, c.kernel, c.window, c.groups),
      kFilterGradientTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvFilterGradientTest,
    ::testing::Values(
        // batch 1, stride 1, padding 1 (a 3x3 "same" convolution)
        ConvFilterGradientCase{
            {1, 3, 8, 8}, {3, 3}, 4, {{}, {1, 1, 1, 1}, {}, {}}, 1},
        // batch 8, stride 2, padding 1 (ResNet's downsampling 3x3)
        ConvFilterGradientCase{
            {8, 4, 9, 9}, {3, 3}, 6, {{2, 2}, {1, 1, 1, 1}, {}, {}}, 1},
        // dilation 2
        ConvFilterGradientCase{
            {2, 4, 10, 10}, {3, 3}, 4, {{}, {2, 2, 2, 2}, {2, 2}, {}}, 1},
        // 2 groups, stride 2, asymmetric padding
        ConvFilterGradientCase{
            {2, 4, 8, 8}, {3, 3}, 6, {{2, 2}, {1, 0, 1, 1}, {}, {}}, 2},
        // depthwise (a group per channel)
        ConvFilterGradientCase{
            {2, 4, 6, 6}, {3, 3}, 4, {{}, {1, 1, 1, 1}, {}, {}}, 4},
        // 1x1, stride 2, batch 8 (ResNet's shortcut)
        ConvFilterGradientCase{
            {8, 16, 7, 7}, {1, 1}, 8, {{2, 2}, {}, {}, {}}, 1},
        // 7x7, stride 2, padding 3, batch 8 (ResNet's stem)
        ConvFilterGradientCase{
            {8, 3, 14, 14}, {7, 7}, 8, {{2, 2}, {3, 3, 3, 3}, {}, {}}, 1},
        // non-square, different strides and dilations per dim, 2 groups
        ConvFilterGradientCase{
            {3, 2, 7, 9}, {2, 3}, 4, {{1, 2}, {0, 1, 1, 0}, {2, 1}, {}}, 2},
        // stride 3 leaves the last input position unused
        ConvFilterGradientCase{
            {2, 3, 9, 9}, {2, 2}, 2, {{3, 3}, {}, {}, {}}, 1},
        // 1-D grouped, strided and dilated; 3-D padded (generated loops only)
        ConvFilterGradientCase{{2, 4, 10}, {3}, 6, {{2}, {}, {2}, {}}, 2},
        ConvFilterGradientCase{{1, 2, 5, 4, 4},
                               {2, 2, 2},
                               3,
                               {{}, {1, 0, 0, 0, 1, 0}, {}, {}},
                               1}));

//===--- pooling ----------------------------------------------------------===//

struct PoolCase {
  std::vector<int64_t> input, kernel;
  ref::WindowND window;
  bool ceilMode;
};

void PrintTo(const PoolCase &c, std::ostream *os) {
  *os << "input " << ::testing::PrintToString(c.input) << " kernel "
      << ::testing::PrintToString(c.kernel) << (c.ceilMode ? " ceil" : "");
}

class PoolNDTest : public SpatialNumericsTest,
                   public ::testing::WithParamInterface<PoolCase> {};

TEST_P(PoolNDTest, Max) {
  const PoolCase &c = GetParam();
  ref::Tensor x = ref::random(c.input, engine);
  expectMatches(
      {x},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return MaxPoolOp::create(b, loc, args[0], c.kernel, c.window.strides,
                                 c.window.padding, c.ceilMode,
                                 c.window.dilations);
      },
      ref::maxPoolND(x, c.kernel, c.window, c.ceilMode, false).values, kExact);
}

TEST_P(PoolNDTest, Average) {
  PoolCase c = GetParam();
  c.window.dilations = {}; // average pooling has no dilation
  ref::Tensor x = ref::random(c.input, engine);
  for (bool countIncludePad : {false, true})
    expectMatches(
        {x},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return AvgPoolOp::create(b, loc, args[0], c.kernel, c.window.strides,
                                   c.window.padding, c.ceilMode,
                                   countIncludePad);
        },
        ref::avgPoolND(x, c.kernel, c.window, c.ceilMode, countIncludePad),
        kElementwiseTolerance);
}

TEST_P(PoolNDTest, MaxWithIndices) {
  const PoolCase &c = GetParam();
  // Small integers make equal maxima frequent: the first one must win.
  ref::Tensor x = ref::random(c.input, engine, -3, 3);
  for (float &value : x.data)
    value = std::floor(value);
  for (bool columnMajor : {false, true}) {
    ref::MaxPoolResult expected =
        ref::maxPoolND(x, c.kernel, c.window, c.ceilMode, columnMajor);
    std::vector<Argument> arguments;
    arguments.push_back(floatArgument(context, x));
    auto outputs = compileAndRun(
        arguments, [&](OpBuilder &b, Location loc, ValueRange args) {
          auto pool = MaxPoolWithIndicesOp::create(
              b, loc, args[0], c.kernel, c.window.strides, c.window.padding,
              c.ceilMode, c.window.dilations, columnMajor);
          return SmallVector<Value>{pool.getValues(), pool.getIndices()};
        });
    ASSERT_EQ(outputs.size(), 2u);
    EXPECT_TRUE(allClose(fromRuntime(outputs[0]), expected.values, kExact));
    EXPECT_EQ(int64Values(outputs[1]), expected.indices)
        << (columnMajor ? "column-major" : "row-major");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Windows, PoolNDTest,
    ::testing::Values(
        // 1-D (linalg.pooling_ncw_*), padded and strided, then ceil mode
        PoolCase{{2, 3, 9}, {3}, {{2}, {1, 1}, {}, {}}, false},
        PoolCase{{1, 2, 8}, {3}, {{2}, {}, {2}, {}}, true},
        // 2-D with padding and dilation
        PoolCase{
            {1, 2, 7, 6}, {3, 2}, {{2, 1}, {1, 0, 1, 1}, {1, 2}, {}}, false},
        // 3-D (generics): plain, then padded, strided and in ceil mode
        PoolCase{{1, 2, 4, 4, 4}, {2, 2, 2}, {{2, 2, 2}, {}, {}, {}}, false},
        PoolCase{{2, 1, 5, 6, 5},
                 {3, 2, 3},
                 {{2, 2, 2}, {1, 0, 1, 1, 1, 0}, {1, 1, 2}, {}},
                 true}));

//===--- grid_sample ------------------------------------------------------===//

struct GridSampleCase {
  std::string mode, paddingMode;
  bool alignCorners;
};

void PrintTo(const GridSampleCase &c, std::ostream *os) {
  *os << c.mode << " " << c.paddingMode
      << (c.alignCorners ? " align_corners" : "");
}

class GridSampleTest : public SpatialNumericsTest,
                       public ::testing::WithParamInterface<GridSampleCase> {};

TEST_P(GridSampleTest, MatchesReference) {
  const GridSampleCase &c = GetParam();
  ref::Tensor x = ref::random({2, 3, 5, 4}, engine);
  // Beyond [-1, 1], so that every padding mode has positions to handle.
  ref::Tensor grid = ref::random({2, 4, 6, 2}, engine, -1.6f, 1.6f);
  expectMatches(
      {x, grid},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return GridSampleOp::create(b, loc, args[0], args[1], c.mode,
                                    c.paddingMode, c.alignCorners);
      },
      ref::gridSample(x, grid, c.mode, c.paddingMode, c.alignCorners),
      c.mode == "nearest" ? kExact : kSamplingTolerance);
}

std::vector<GridSampleCase> allGridSampleCases() {
  std::vector<GridSampleCase> cases;
  for (const char *mode : {"bilinear", "nearest", "bicubic"})
    for (const char *padding : {"zeros", "border", "reflection"})
      for (bool align : {false, true})
        cases.push_back({mode, padding, align});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Modes, GridSampleTest,
                         ::testing::ValuesIn(allGridSampleCases()));

//===--- roi_align --------------------------------------------------------===//

class RoiAlignTest
    : public SpatialNumericsTest,
      public ::testing::WithParamInterface<ref::RoiAlignAttributes> {};

TEST_P(RoiAlignTest, MatchesReference) {
  const ref::RoiAlignAttributes &a = GetParam();
  ref::Tensor x = ref::random({2, 3, 8, 9}, engine);
  // Boxes inside, partly outside, degenerate (x2 < x1) and tiny, in the
  // coordinates that spatial_scale maps onto the input.
  ref::Tensor rois({5, 4}, {0.0f,  0.0f,  7.0f,  6.0f,  //
                            2.5f,  1.0f,  16.0f, 15.0f, //
                            -3.0f, -2.0f, 4.0f,  3.5f,  //
                            6.0f,  5.0f,  3.0f,  2.0f,  //
                            4.2f,  4.4f,  4.3f,  4.5f});
  for (float &value : rois.data)
    value = static_cast<float>(value / a.spatialScale * 0.9);
  std::vector<int64_t> batches = {0, 1, 1, 0, 1};
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  arguments.push_back(floatArgument(context, rois));
  arguments.push_back(int64Argument(context, {5}, batches));
  auto outputs = compileAndRun(arguments, [&](OpBuilder &b, Location loc,
                                              ValueRange args) {
    return SmallVector<Value>{RoiAlignOp::create(
        b, loc, args[0], args[1], args[2], a.mode, a.outputHeight,
        a.outputWidth, a.samplingRatio, APFloat(a.spatialScale), a.halfPixel)};
  });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(allClose(fromRuntime(outputs[0]),
                       ref::roiAlign(x, rois, batches, a), kSamplingTolerance));
}

INSTANTIATE_TEST_SUITE_P(
    Attributes, RoiAlignTest,
    ::testing::Values(ref::RoiAlignAttributes{"avg", 3, 2, 2, 1.0, true},
                      ref::RoiAlignAttributes{"avg", 2, 3, 0, 0.5, false},
                      ref::RoiAlignAttributes{"max", 3, 3, 2, 1.0, false},
                      ref::RoiAlignAttributes{"max", 2, 2, 0, 2.0, true}));

//===--- dft --------------------------------------------------------------===//

struct DFTCase {
  std::vector<int64_t> shape;
  int64_t axis;
  bool inverse, onesided;
};

void PrintTo(const DFTCase &c, std::ostream *os) {
  *os << "shape " << ::testing::PrintToString(c.shape) << " axis " << c.axis
      << (c.inverse ? " inverse" : "") << (c.onesided ? " onesided" : "");
}

class DFTTest : public SpatialNumericsTest,
                public ::testing::WithParamInterface<DFTCase> {};

TEST_P(DFTTest, MatchesReference) {
  const DFTCase &c = GetParam();
  ref::Tensor x = ref::random(c.shape, engine);
  expectMatches(
      {x},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return DFTOp::create(b, loc, args[0], c.axis, c.inverse, c.onesided);
      },
      ref::dft(x, c.axis, c.inverse, c.onesided), kTransformTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Signals, DFTTest,
    ::testing::Values(DFTCase{{2, 8, 1}, 1, false, false},
                      DFTCase{{3, 7, 2}, 1, false, false},
                      DFTCase{{5, 3, 2}, 0, true, false},
                      DFTCase{{2, 9, 4, 1}, 1, false, true},
                      DFTCase{{2, 4, 16, 1}, 2, true, true},
                      DFTCase{{1, 1, 1}, 1, false, false}));

/// A round trip: the inverse DFT of the DFT is the signal.
TEST_F(SpatialNumericsTest, InverseDFTUndoesDFT) {
  ref::Tensor x = ref::random({3, 12, 2}, engine);
  expectMatches(
      {x},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value spectrum = DFTOp::create(b, loc, args[0], 1, false, false);
        return DFTOp::create(b, loc, spectrum, 1, true, false);
      },
      x, kTransformTolerance);
}

//===--- det --------------------------------------------------------------===//

class DetTest : public SpatialNumericsTest,
                public ::testing::WithParamInterface<std::vector<int64_t>> {};

TEST_P(DetTest, MatchesReference) {
  ref::Tensor x = ref::random(GetParam(), engine);
  expectMatches(
      {x},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return DetOp::create(b, loc, args[0]);
      },
      ref::det(x), kDeterminantTolerance);
}

INSTANTIATE_TEST_SUITE_P(Shapes, DetTest,
                         ::testing::Values(std::vector<int64_t>{2, 2},
                                           std::vector<int64_t>{3, 3, 3},
                                           std::vector<int64_t>{2, 3, 4, 4},
                                           std::vector<int64_t>{1, 1},
                                           std::vector<int64_t>{4, 0, 0}));

/// Pivoting: a zero on the diagonal needs a row swap (and flips the sign), a
/// zero column makes the determinant exactly 0, and permutation matrices
/// have determinant +-1 exactly.
TEST_F(SpatialNumericsTest, DetPivotsAndSingularMatrices) {
  ref::Tensor x({4, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 9,   // zero pivot first
                            1, 0, 2, 3, 0, 5, 6, 0, 9,   // zero column
                            0, 1, 0, 0, 0, 1, 1, 0, 0,   // cyclic permutation
                            0, 1, 0, 1, 0, 0, 0, 0, 1}); // one swap
  expectMatches(
      {x},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        return DetOp::create(b, loc, args[0]);
      },
      ref::det(x), kExact);
}

} // namespace
