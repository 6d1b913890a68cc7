//===- NNGradients.cpp - Gradient rules of kiln NN ops --------------------===//
//
// Matrix products, convolutions, pooling, softmax and resizing, written with
// kiln ops:
//
// * matmul: dA = dC B^T, dB = A^T dC, summed back over broadcast batch dims.
// * conv: the input's gradient is a conv_transpose of dY with the same filter
//   and attributes (output_padding restores the input's exact size); the
//   filter's is a kiln.conv_filter_gradient of X and dY with the same
//   attributes, which kernel selection runs on oneDNN's backward-weights
//   kernel and kiln-expand-filter-gradients otherwise rewrites into a
//   correlation (a kiln.conv with N and C swapped).
// * conv_transpose: the same two formulas with the roles of input and result
//   swapped (its input's gradient is a kiln.conv, its filter's the filter
//   gradient of the convolution from its result to its input).
// * max_pool: each window's gradient goes to its arg-max
//   (kiln.max_pool_with_indices), added up with a scatter so that
//   overlapping windows accumulate.
// * avg_pool: the gradient divided by each window's divisor (computed here,
//   as the lowering does) and spread over the window by a transposed
//   convolution with a filter of ones.
// * softmax: dX = y * (g - sum(g * y)) along the axis.
// * resize: a linear map per resized dim (its matrix computed here from the
//   taps the lowering uses), so the gradient multiplies by each transpose.
// * dft: its adjoint, L times the inverse DFT of the (zero-padded) gradient.
// * det: g times the cofactor matrix (determinants of all minors at once).
//
//===----------------------------------------------------------------------===//

#include "GradientRules.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnBuilders.h"
#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

using namespace mlir;

namespace kiln::autodiff {
namespace {

/// `type`'s shape as a kiln.reshape target (-1 for its one dynamic dim).
SmallVector<int64_t> reshapeTarget(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t &size : shape)
    if (ShapedType::isDynamic(size))
      size = -1;
  return shape;
}

/// `value` reshaped to `type` (a no-op when it already has it).
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                RankedTensorType type) {
  if (value.getType() == type)
    return value;
  return ReshapeOp::create(b, loc, value, reshapeTarget(type));
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatMulGradient
    : GradientOpInterface::ExternalModel<MatMulGradient, MatMulOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto matmul = cast<MatMulOp>(op);
    Location loc = op->getLoc();
    Value g = resultGradients.front();
    Value lhs = matmul.getLhs(), rhs = matmul.getRhs();
    auto transposed = [&](Value value) -> Value {
      int64_t rank = typeOf(value).getRank();
      return TransposeOp::create(b, loc, value,
                                 swapDims(rank, rank - 2, rank - 1));
    };
    Value lhsGradient = MatMulOp::create(b, loc, g, transposed(rhs));
    Value rhsGradient = MatMulOp::create(b, loc, transposed(lhs), g);
    operandGradients.push_back(sumToShape(b, loc, lhsGradient, typeOf(lhs)));
    operandGradients.push_back(sumToShape(b, loc, rhsGradient, typeOf(rhs)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// The window attributes of a convolution, filled in.
struct ConvWindow {
  SmallVector<int64_t> strides, padding, dilations;
  int64_t groups;
};

/// The gradient of the filter (of type `filterType`, [F, C / G, K...]) of a
/// convolution of `input` ([N, C, D...]) with `window` whose result has
/// gradient `outGrad` ([N, F, O...], O the convolution's output size): a
/// kiln.conv_filter_gradient.
FailureOr<Value> convFilterGradient(OpBuilder &b, Location loc, Value input,
                                    Value outGrad, RankedTensorType filterType,
                                    const ConvWindow &window) {
  Value gradient = ConvFilterGradientOp::create(
      b, loc, input, outGrad, filterType.getShape().drop_front(2),
      window.strides, window.padding, window.dilations, window.groups);
  if (gradient.getType() != filterType)
    return failure();
  return gradient;
}

/// Checks what the convolution rules need: a static filter, and static
/// channel and spatial sizes of the input and the result (the batch may be
/// dynamic).
LogicalResult checkConvShapes(Operation *op, Value input, Value filter,
                              Value result) {
  for (Value value : {input, filter, result})
    if (!staticBeyondBatch(typeOf(value)) ||
        (value == filter && !typeOf(filter).hasStaticShape()))
      return op->emitError() << "the gradient of '" << op->getName()
                             << "' needs a static filter and static channel "
                                "and spatial sizes, got "
                             << value.getType();
  return success();
}

struct ConvGradient : GradientOpInterface::ExternalModel<ConvGradient, ConvOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto conv = cast<ConvOp>(op);
    Location loc = op->getLoc();
    Value g = resultGradients.front();
    Value input = conv.getInput(), filter = conv.getFilter();
    if (failed(checkConvShapes(op, input, filter, conv.getResult())))
      return failure();
    RankedTensorType inputType = typeOf(input), filterType = typeOf(filter);
    int64_t spatialRank = conv.getSpatialRank();
    ConvWindow window{conv.getSpatialStrides(), conv.getSpatialPadding(),
                      conv.getSpatialDilations(),
                      static_cast<int64_t>(conv.getGroups())};

    // dX: the transposed convolution of dY with the same filter. Its natural
    // size is the span of the forward op's windows; the output padding adds
    // the r input positions after the last window.
    SmallVector<int64_t> outputPadding;
    for (int64_t i = 0; i < spatialRank; ++i) {
      int64_t span = inputType.getDimSize(2 + i) + window.padding[i] +
                     window.padding[spatialRank + i] -
                     window.dilations[i] * (filterType.getDimSize(2 + i) - 1) -
                     1;
      outputPadding.push_back(span % window.strides[i]);
    }
    Value inputGradient = ConvTransposeOp::create(
        b, loc, g, filter, window.strides, window.padding, window.dilations,
        outputPadding, window.groups);
    if (inputGradient.getType() != inputType)
      return op->emitError() << "internal error: the input gradient of "
                                "'kiln.conv' has type "
                             << inputGradient.getType();

    auto filterGradient =
        convFilterGradient(b, loc, input, g, filterType, window);
    if (failed(filterGradient))
      return op->emitError() << "internal error: the filter gradient of "
                                "'kiln.conv' has the wrong shape";
    operandGradients.push_back(inputGradient);
    operandGradients.push_back(*filterGradient);
    return success();
  }
};

struct ConvTransposeGradient
    : GradientOpInterface::ExternalModel<ConvTransposeGradient,
                                         ConvTransposeOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto convT = cast<ConvTransposeOp>(op);
    Location loc = op->getLoc();
    Value g = resultGradients.front();
    Value input = convT.getInput(), filter = convT.getFilter();
    if (failed(checkConvShapes(op, input, filter, convT.getResult())))
      return failure();
    RankedTensorType inputType = typeOf(input), filterType = typeOf(filter);
    ConvWindow window{convT.getSpatialStrides(), convT.getSpatialPadding(),
                      convT.getSpatialDilations(),
                      static_cast<int64_t>(convT.getGroups())};

    // dX: the convolution of dY with the same filter ([C, F / G, K...] is a
    // conv filter from F to C channels). An output padding of a stride or
    // more makes it longer than X: the surplus is cut.
    Value inputGradient =
        ConvOp::create(b, loc, g, filter, window.strides, window.padding,
                       window.dilations, window.groups);
    inputGradient =
        sliceSpatial(b, loc, inputGradient, inputType.getShape().drop_front(2));
    // The forward op is the input gradient of a convolution from its result
    // to its input with this filter: its filter gradient is that
    // convolution's, with dY as the input and X as the output gradient. X must
    // be that convolution's whole output, which an output padding of q
    // strides or more makes q positions longer than X. Those positions lie
    // past the forward op's last window and get no gradient: taking q strides
    // off the end padding drops them where the padding allows (the windows
    // before stay the same), and zeros appended to X stand for the rest.
    int64_t spatialRank = convT.getSpatialRank();
    SmallVector<int64_t> outputPadding = convT.getSpatialOutputPadding();
    ConvWindow filterWindow = window;
    SmallVector<int64_t> zerosAfter(inputType.getRank(), 0);
    for (int64_t i = 0; i < spatialRank; ++i) {
      int64_t extra = outputPadding[i] / window.strides[i];
      int64_t &padEnd = filterWindow.padding[spatialRank + i];
      int64_t dropped = std::min(extra, padEnd / window.strides[i]);
      padEnd -= dropped * window.strides[i];
      zerosAfter[2 + i] = extra - dropped;
    }
    Value outGrad = input;
    if (llvm::any_of(zerosAfter, [](int64_t size) { return size != 0; }))
      outGrad = PadOp::create(b, loc, input,
                              SmallVector<int64_t>(inputType.getRank(), 0),
                              zerosAfter, "constant", TypedAttr());
    auto filterGradient =
        convFilterGradient(b, loc, g, outGrad, filterType, filterWindow);
    if (failed(filterGradient))
      return op->emitError() << "internal error: the filter gradient of "
                                "'kiln.conv_transpose' has the wrong shape";
    operandGradients.push_back(inputGradient);
    operandGradients.push_back(*filterGradient);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Adds each element of `gradient` to the element of a zero tensor of
/// `input`'s (static) type that `indices` (flat row-major indices into it,
/// the shape of `gradient`) names. A window's maximum lies in the window's own
/// (n, c) plane, so the scatter runs per plane, on indices counted from the
/// plane's start (the flat index modulo the plane's size): the planes are
/// independent, and the lowering scatters them
/// in parallel (one sequential scatter over a whole batch was 1.8 s of a 1.6 s
/// ResNet-18 training step on a GPU, in a one-thread kernel).
Value scatterToArgMax(OpBuilder &b, Location loc, Value gradient, Value indices,
                      Value input) {
  ArrayRef<int64_t> shape = typeOf(input).getShape();
  int64_t planes = shape[0] * shape[1];
  int64_t planeSize = 1;
  for (int64_t size : shape.drop_front(2))
    planeSize *= size;
  Value planeIndices = ModOp::create(
      b, loc, ReshapeOp::create(b, loc, indices, ArrayRef<int64_t>{planes, -1}),
      i64Vector(b, loc, {planeSize}));
  Value zeros = ReshapeOp::create(b, loc, zerosLike(b, loc, input),
                                  ArrayRef<int64_t>{planes, planeSize});
  Value planeGradient =
      ReshapeOp::create(b, loc, gradient, ArrayRef<int64_t>{planes, -1});
  Value scattered = ScatterElementsOp::create(b, loc, zeros, planeIndices,
                                              planeGradient, 1, "add");
  return reshapeTo(b, loc, scattered, typeOf(input));
}

struct MaxPoolGradient
    : GradientOpInterface::ExternalModel<MaxPoolGradient, MaxPoolOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto pool = cast<MaxPoolOp>(op);
    Location loc = op->getLoc();
    Value input = pool.getInput();
    if (!typeOf(input).hasStaticShape())
      return op->emitError() << "the gradient of 'kiln.max_pool' needs a "
                                "static input shape, got "
                             << input.getType();
    auto withIndices = MaxPoolWithIndicesOp::create(
        b, loc, input, pool.getKernelSize(), pool.getStrides(),
        pool.getPadding(), pool.getCeilMode(), pool.getDilations(),
        /*column_major=*/false);
    operandGradients.push_back(scatterToArgMax(
        b, loc, resultGradients.front(), withIndices.getIndices(), input));
    return success();
  }
};

struct MaxPoolWithIndicesGradient
    : GradientOpInterface::ExternalModel<MaxPoolWithIndicesGradient,
                                         MaxPoolWithIndicesOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto pool = cast<MaxPoolWithIndicesOp>(op);
    Location loc = op->getLoc();
    Value input = pool.getInput();
    if (!typeOf(input).hasStaticShape())
      return op->emitError() << "the gradient of 'kiln.max_pool_with_indices' "
                                "needs a static input shape, got "
                             << input.getType();
    // Only the values carry a gradient; the scatter needs row-major indices.
    Value indices = pool.getIndices();
    if (pool.getColumnMajor())
      indices = MaxPoolWithIndicesOp::create(
                    b, loc, input, pool.getKernelSize(), pool.getStrides(),
                    pool.getPadding(), pool.getCeilMode(), pool.getDilations(),
                    /*column_major=*/false)
                    .getIndices();
    operandGradients.push_back(
        scatterToArgMax(b, loc, resultGradients.front(), indices, input));
    return success();
  }
};

/// How many positions of each window count along one spatial dim, as
/// kiln-lower-to-linalg divides (LowerPooling.cpp): in padded coordinates the
/// input is [padBegin, padBegin + input) and the declared padding extends it
/// to [0, padBegin + input + padEnd); ceil mode's extra positions never count.
SmallVector<int64_t> countWindowPositions(int64_t input, int64_t output,
                                          int64_t kernel, int64_t stride,
                                          int64_t padBegin, int64_t padEnd,
                                          bool countPadding) {
  int64_t first = countPadding ? 0 : padBegin;
  int64_t last = countPadding ? padBegin + input + padEnd : padBegin + input;
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < output; ++o) {
    int64_t begin = std::max(o * stride, first);
    int64_t end = std::min(o * stride + kernel, last);
    counts.push_back(std::max<int64_t>(0, end - begin));
  }
  return counts;
}

struct AvgPoolGradient
    : GradientOpInterface::ExternalModel<AvgPoolGradient, AvgPoolOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto pool = cast<AvgPoolOp>(op);
    Location loc = op->getLoc();
    Value input = pool.getInput();
    RankedTensorType inputType = typeOf(input);
    RankedTensorType resultType = typeOf(pool.getResult());
    if (!staticBeyondBatch(inputType))
      return op->emitError() << "the gradient of 'kiln.avg_pool' needs static "
                                "channel and spatial sizes, got "
                             << input.getType();
    Type elementType = inputType.getElementType();
    int64_t spatialRank = pool.getSpatialRank();
    ArrayRef<int64_t> kernel = pool.getKernelSize();
    SmallVector<int64_t> strides = pool.getSpatialStrides();
    SmallVector<int64_t> padding = pool.getSpatialPadding();
    ArrayRef<int64_t> inShape = inputType.getShape().drop_front(2);
    ArrayRef<int64_t> outShape = resultType.getShape().drop_front(2);

    // g / divisor, with the divisors of the output's spatial shape.
    SmallVector<int64_t> divisors = {1};
    for (int64_t i = 0; i < spatialRank; ++i) {
      SmallVector<int64_t> counts = countWindowPositions(
          inShape[i], outShape[i], kernel[i], strides[i], padding[i],
          padding[spatialRank + i], pool.getCountIncludePad());
      SmallVector<int64_t> next;
      for (int64_t outer : divisors)
        for (int64_t count : counts)
          next.push_back(outer * count);
      divisors = std::move(next);
    }
    SmallVector<Attribute> divisorValues;
    for (int64_t divisor : divisors)
      divisorValues.push_back(
          b.getFloatAttr(elementType, static_cast<double>(divisor)));
    auto divisorType = RankedTensorType::get(outShape, elementType);
    Value divisorTensor = ConstantOp::create(
        b, loc, DenseElementsAttr::get(divisorType, divisorValues));
    Value scaled =
        DivOp::create(b, loc, resultGradients.front(), divisorTensor);

    // Spread every window's share over the window: a transposed convolution
    // of [N * C, 1, O...] with a [1, 1, K...] filter of ones. Its end padding
    // (or output padding) makes the result exactly the input's size.
    SmallVector<int64_t> planes = {-1, 1};
    if (!inputType.isDynamicDim(0))
      planes[0] = inputType.getDimSize(0) * inputType.getDimSize(1);
    llvm::append_range(planes, outShape);
    Value planar = ReshapeOp::create(b, loc, scaled, planes);
    SmallVector<int64_t> filterShape = {1, 1};
    llvm::append_range(filterShape, kernel);
    Value ones = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(filterShape, elementType),
                               b.getFloatAttr(elementType, 1.0)));
    SmallVector<int64_t> transposedPadding(padding.begin(),
                                           padding.begin() + spatialRank);
    SmallVector<int64_t> endPadding, outputPadding;
    for (int64_t i = 0; i < spatialRank; ++i) {
      int64_t excess =
          (outShape[i] - 1) * strides[i] + kernel[i] - padding[i] - inShape[i];
      endPadding.push_back(std::max<int64_t>(0, excess));
      outputPadding.push_back(std::max<int64_t>(0, -excess));
    }
    llvm::append_range(transposedPadding, endPadding);
    Value spread = ConvTransposeOp::create(
        b, loc, planar, ones, strides, transposedPadding,
        /*dilations=*/ArrayRef<int64_t>{}, outputPadding, /*groups=*/1);
    operandGradients.push_back(reshapeTo(b, loc, spread, inputType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

struct SoftmaxGradient
    : GradientOpInterface::ExternalModel<SoftmaxGradient, SoftmaxOp> {
  // dX = y * (g - sum(g * y, axis)).
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto softmax = cast<SoftmaxOp>(op);
    Location loc = op->getLoc();
    Value y = softmax.getResult(), g = resultGradients.front();
    Value weighted = MulOp::create(b, loc, g, y);
    Value sum = ReduceSumOp::create(
        b, loc, weighted,
        ArrayRef<int64_t>{static_cast<int64_t>(softmax.getAxis())},
        /*keep_dims=*/true);
    operandGradients.push_back(
        MulOp::create(b, loc, y, SubOp::create(b, loc, g, sum)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

/// The ONNX input coordinate of output position `x` of dim `d`, or nullopt
/// where tf_crop_and_resize puts it outside the input (and the result holds
/// extrapolation_value). As kiln-lower-to-linalg computes it
/// (LowerResize.cpp).
std::optional<double> resizeSourceCoordinate(ResizeOp op, int64_t d, int64_t x,
                                             int64_t inputSize) {
  StringRef mode = op.getCoordinateTransformationMode();
  double scale = op.getScales()[d];
  double n = static_cast<double>(inputSize);
  double length = scale * n;
  double position = static_cast<double>(x);
  if (mode == "align_corners")
    return length == 1 ? 0.0 : position * (n - 1) / (length - 1);
  if (mode == "asymmetric")
    return position / scale;
  if (mode == "tf_half_pixel_for_nn")
    return (position + 0.5) / scale;
  if (mode == "pytorch_half_pixel" && length == 1)
    return -0.5;
  if (mode == "tf_crop_and_resize") {
    ArrayRef<double> roi = *op.getRoi();
    int64_t rank = op.getScales().size();
    double start = roi[d], end = roi[rank + d];
    double coordinate = length == 1
                            ? (end - start) * (n - 1) / 2
                            : position * (end - start) * (n - 1) / (length - 1);
    coordinate += start * (n - 1);
    if (coordinate < 0 || coordinate > n - 1)
      return std::nullopt;
    return coordinate;
  }
  return (position + 0.5) / scale - 0.5; // half_pixel, pytorch_half_pixel
}

/// The weights of the neighbours of a coordinate `ratio` (in (0, 1]) past its
/// left neighbour, as ONNX (and the lowering) define them.
SmallVector<double> resizeWeights(ResizeOp op, double ratio) {
  StringRef mode = op.getMode();
  if (mode == "linear")
    return {1 - ratio, ratio};
  if (mode == "cubic") {
    double a = op.getCubicCoeffA().convertToDouble();
    double r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  if (ratio == 1)
    return {0, 1};
  StringRef rounding = op.getNearestMode();
  bool right = rounding == "ceil" ||
               (rounding == "round_prefer_floor" && ratio > 0.5) ||
               (rounding == "round_prefer_ceil" && ratio >= 0.5);
  return {right ? 0.0 : 1.0, right ? 1.0 : 0.0};
}

/// Resizing dim `d` is a linear map from its `n` input positions to its
/// `outputSize` ones: this is its matrix, row-major [outputSize, n] (taps
/// clamped to the edge add up; positions outside the input have a row of
/// zeros, since extrapolation_value does not depend on the input).
SmallVector<double> resizeMatrix(ResizeOp op, int64_t d, int64_t n,
                                 int64_t outputSize) {
  SmallVector<double> matrix(outputSize * n, 0.0);
  bool nearest = op.getMode() == "nearest";
  for (int64_t o = 0; o < outputSize; ++o) {
    std::optional<double> coordinate = resizeSourceCoordinate(op, d, o, n);
    if (!coordinate)
      continue;
    double floor = std::floor(*coordinate);
    bool integral = floor == *coordinate;
    double ratio = integral ? 1.0 : *coordinate - floor;
    SmallVector<double> weights = resizeWeights(op, ratio);
    int64_t count = weights.size();
    int64_t first =
        static_cast<int64_t>(floor) - (integral ? 1 : 0) - (count / 2 - 1);
    if (op.getExcludeOutside()) {
      double sum = 0;
      for (int64_t k = 0; k < count; ++k) {
        if (first + k < 0 || first + k >= n)
          weights[k] = 0;
        sum += weights[k];
      }
      if (sum != 0)
        for (double &weight : weights)
          weight /= sum;
    }
    auto clamped = [&](int64_t index) {
      return std::clamp<int64_t>(index, 0, n - 1);
    };
    if (nearest) {
      matrix[o * n + clamped(first + (weights[1] == 1 ? 1 : 0))] = 1.0;
      continue;
    }
    for (int64_t k = 0; k < count; ++k)
      matrix[o * n + clamped(first + k)] += weights[k];
  }
  return matrix;
}

/// Whether `matrix` ([n, n]) is the identity.
bool isIdentityMatrix(ArrayRef<double> matrix, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (matrix[i * n + j] != (i == j ? 1.0 : 0.0))
        return false;
  return true;
}

struct ResizeGradient
    : GradientOpInterface::ExternalModel<ResizeGradient, ResizeOp> {
  // The resize applies one linear map per dim, so the gradient applies their
  // transposes: per resized dim, g moved to the last dim, flattened to
  // [rest, out], times the [out, in] matrix, and moved back.
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto resize = cast<ResizeOp>(op);
    Location loc = op->getLoc();
    RankedTensorType inputType = typeOf(resize.getInput());
    if (!inputType.hasStaticShape())
      return op->emitError() << "the gradient of 'kiln.resize' needs a static "
                                "input shape, got "
                             << inputType;
    Type elementType = inputType.getElementType();
    int64_t rank = inputType.getRank();
    ArrayRef<int64_t> sizes = resize.getSizes();
    Value g = resultGradients.front();
    for (int64_t d = 0; d < rank; ++d) {
      int64_t n = inputType.getDimSize(d), outputSize = sizes[d];
      SmallVector<double> matrix = resizeMatrix(resize, d, n, outputSize);
      if (n == outputSize && isIdentityMatrix(matrix, n))
        continue;
      SmallVector<Attribute> values;
      for (double value : matrix)
        values.push_back(b.getFloatAttr(elementType, value));
      Value weights = ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({outputSize, n}, elementType), values));
      // Dim d last, then [rest, out] x [out, in].
      SmallVector<int64_t> permutation;
      for (int64_t i = 0; i < rank; ++i)
        if (i != d)
          permutation.push_back(i);
      permutation.push_back(d);
      SmallVector<int64_t> inverse(rank);
      for (int64_t i = 0; i < rank; ++i)
        inverse[permutation[i]] = i;
      RankedTensorType gType = typeOf(g);
      Value moved = rank == 1 ? g : TransposeOp::create(b, loc, g, permutation);
      Value flat =
          ReshapeOp::create(b, loc, moved, ArrayRef<int64_t>{-1, outputSize});
      Value product = MatMulOp::create(b, loc, flat, weights);
      SmallVector<int64_t> movedShape;
      for (int64_t i : permutation)
        movedShape.push_back(i == d ? n : gType.getDimSize(i));
      Value unflat = ReshapeOp::create(b, loc, product, movedShape);
      g = rank == 1 ? unflat : TransposeOp::create(b, loc, unflat, inverse);
    }
    operandGradients.push_back(g);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dft
//===----------------------------------------------------------------------===//

struct DFTGradient : GradientOpInterface::ExternalModel<DFTGradient, DFTOp> {
  // The DFT is linear: y_k = sum_j x_j w^(jk), w = exp(-2 pi i / L) (times
  // 1 / L and with w conjugated when inverse). Its adjoint for the real inner
  // product of the components is the conjugate transpose, sum_k g_k w^(-jk):
  // L times the inverse DFT of g (or, for an inverse DFT, a forward DFT over
  // L). The frequencies a onesided DFT leaves out get zero gradient (g padded
  // with zeros to L), and a real input keeps the real component.
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto dft = cast<DFTOp>(op);
    Location loc = op->getLoc();
    RankedTensorType inputType = typeOf(dft.getInput());
    int64_t axis = dft.getAxis(), rank = inputType.getRank();
    int64_t length = inputType.getDimSize(axis);
    if (ShapedType::isDynamic(length))
      return op->emitError() << "the gradient of 'kiln.dft' needs a static "
                                "signal length, got "
                             << inputType;
    Value g = resultGradients.front();
    int64_t kept = typeOf(g).getDimSize(axis);
    if (kept != length) {
      SmallVector<int64_t> low(rank, 0), high(rank, 0);
      high[axis] = length - kept;
      g = PadOp::create(b, loc, g, b.getDenseI64ArrayAttr(low),
                        b.getDenseI64ArrayAttr(high),
                        b.getStringAttr("constant"), TypedAttr());
    }
    Value adjoint =
        DFTOp::create(b, loc, g, b.getI64IntegerAttr(axis),
                      b.getBoolAttr(!dft.getInverse()), b.getBoolAttr(false));
    Type elementType = inputType.getElementType();
    double scale = dft.getInverse() ? 1.0 / static_cast<double>(length)
                                    : static_cast<double>(length);
    adjoint = MulOp::create(b, loc, adjoint,
                            scalarConstant(b, loc, elementType, scale));
    if (inputType.getShape().back() == 1) {
      SmallVector<int64_t> offsets(rank, 0), sizes(inputType.getShape()),
          steps(rank, 1);
      for (int64_t &size : sizes)
        if (ShapedType::isDynamic(size))
          size = -1;
      adjoint = SliceOp::create(b, loc, adjoint, offsets, sizes, steps);
    }
    operandGradients.push_back(adjoint);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// det
//===----------------------------------------------------------------------===//

struct DetGradient : GradientOpInterface::ExternalModel<DetGradient, DetOp> {
  // d det(A) / dA is A's cofactor matrix, C[i, j] = (-1)^(i + j) det(A
  // without row i and column j), which needs no inverse and is right for
  // singular matrices too. All M^2 minors come from two gathers of A with
  // constant index tables ([M, M - 1]: the rows or columns other than i) and
  // one batched kiln.det.
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto det = cast<DetOp>(op);
    Location loc = op->getLoc();
    Value input = det.getInput();
    RankedTensorType inputType = typeOf(input);
    if (!inputType.hasStaticShape())
      return op->emitError() << "the gradient of 'kiln.det' needs a static "
                                "input shape, got "
                             << inputType;
    int64_t rank = inputType.getRank(), size = inputType.getDimSize(rank - 1);
    Type elementType = inputType.getElementType();
    SmallVector<int64_t> spread(typeOf(det.getResult()).getShape());
    spread.append({1, 1});
    Value g = ReshapeOp::create(b, loc, resultGradients.front(), spread);
    if (size <= 1) {
      // det of a 1 x 1 matrix is its element; of a 0 x 0 one, constant.
      operandGradients.push_back(size == 1 ? g : zerosLike(b, loc, input));
      return success();
    }
    SmallVector<int64_t> others;
    for (int64_t i = 0; i < size; ++i)
      for (int64_t k = 0; k < size; ++k)
        if (k != i)
          others.push_back(k);
    Value table = ConstantOp::create(
        b, loc,
        DenseIntElementsAttr::get(
            RankedTensorType::get({size, size - 1}, b.getI64Type()), others));
    // [..., M, M] -> [..., i, k, M] -> [..., i, k, j, l] -> [..., i, j, k, l]
    Value rows =
        GatherOp::create(b, loc, input, table, b.getI64IntegerAttr(rank - 2));
    Value minors =
        GatherOp::create(b, loc, rows, table, b.getI64IntegerAttr(rank));
    SmallVector<int64_t> permutation;
    for (int64_t d = 0; d < rank - 2; ++d)
      permutation.push_back(d);
    for (int64_t d : {0, 2, 1, 3})
      permutation.push_back(rank - 2 + d);
    minors = TransposeOp::create(b, loc, minors, permutation);
    Value minorDets = DetOp::create(b, loc, minors);
    SmallVector<Attribute> signs;
    for (int64_t i = 0; i < size; ++i)
      for (int64_t j = 0; j < size; ++j)
        signs.push_back(b.getFloatAttr(elementType, (i + j) % 2 ? -1.0 : 1.0));
    Value signTensor = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({size, size}, elementType),
                               signs));
    Value cofactors = MulOp::create(b, loc, minorDets, signTensor);
    operandGradients.push_back(MulOp::create(b, loc, g, cofactors));
    return success();
  }
};

} // namespace

void attachNNGradients(MLIRContext *context) {
  MatMulOp::attachInterface<MatMulGradient>(*context);
  ConvOp::attachInterface<ConvGradient>(*context);
  ConvTransposeOp::attachInterface<ConvTransposeGradient>(*context);
  MaxPoolOp::attachInterface<MaxPoolGradient>(*context);
  MaxPoolWithIndicesOp::attachInterface<MaxPoolWithIndicesGradient>(*context);
  AvgPoolOp::attachInterface<AvgPoolGradient>(*context);
  SoftmaxOp::attachInterface<SoftmaxGradient>(*context);
  ResizeOp::attachInterface<ResizeGradient>(*context);
  DFTOp::attachInterface<DFTGradient>(*context);
  DetOp::attachInterface<DetGradient>(*context);
}

} // namespace kiln::autodiff
