//===- NNGradients.cpp - Gradient rules of kiln NN ops --------------------===//
//
// Matrix products, convolutions, pooling and softmax, written with kiln ops:
//
// * matmul: dA = dC B^T, dB = A^T dC, summed back over broadcast batch dims.
// * conv: the input's gradient is a conv_transpose of dY with the same filter
//   and attributes (output_padding restores the input's exact size); the
//   filter's is a correlation of X with dY, itself a kiln.conv with N and C
//   swapped (stride and dilation trade places). Groups are kept: the input's
//   channels of one group form the batch of that correlation, and its groups
//   pair them with the filters of the same group.
// * conv_transpose: the same two formulas with the roles of input and result
//   swapped (its input's gradient is a kiln.conv).
// * max_pool: each window's gradient goes to its arg-max
//   (kiln.max_pool_with_indices), added up with a scatter so that
//   overlapping windows accumulate.
// * avg_pool: the gradient divided by each window's divisor (computed here,
//   as the lowering does) and spread over the window by a transposed
//   convolution with a filter of ones.
// * softmax: dX = y * (g - sum(g * y)) along the axis.
//
//===----------------------------------------------------------------------===//

#include "GradientRules.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <numeric>

using namespace mlir;

namespace kiln::autodiff {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The identity permutation of `rank` dims with dims `a` and `b` swapped.
SmallVector<int64_t> swapDims(int64_t rank, int64_t a, int64_t b) {
  SmallVector<int64_t> permutation(rank);
  std::iota(permutation.begin(), permutation.end(), 0);
  std::swap(permutation[a], permutation[b]);
  return permutation;
}

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

/// The leading `sizes` of each spatial dim (dims 2...) of `value`, or
/// `value` itself when they are all it has.
Value sliceSpatial(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> sizes) {
  RankedTensorType type = typeOf(value);
  if (type.getShape().drop_front(2) == sizes)
    return value;
  SmallVector<int64_t> offsets(type.getRank(), 0), steps(type.getRank(), 1);
  SmallVector<int64_t> allSizes = {-1, -1};
  for (int64_t d = 0; d < 2; ++d)
    if (!type.isDynamicDim(d))
      allSizes[d] = type.getDimSize(d);
  llvm::append_range(allSizes, sizes);
  return SliceOp::create(b, loc, value, offsets, allSizes, steps);
}

/// Whether dims 1... of `type` (all but the batch) are static.
bool staticBeyondBatch(RankedTensorType type) {
  return llvm::none_of(type.getShape().drop_front(), ShapedType::isDynamic);
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
/// convolution of `input` ([N, C, D...]) whose result has gradient `outGrad`
/// ([N, F, O...]):
///
///   dW[f, c, k...] = sum_{n, o...} outGrad[n, f, o...]
///                    * input[n, g(f) * C/G + c, o * stride + k * dilation
///                                               - pad_begin ...]
///
/// This is a kiln.conv of input^T ([C/G, G * N, D...]: channel g * N + n of
/// batch c is input[n, g * C/G + c]) with outGrad^T ([F, N, O...]) in G
/// groups, with stride and dilation swapped, giving [C/G, F, K'...] (K' >= K;
/// the extra positions, which the forward op never reached, are sliced off),
/// then transposed to [F, C/G, K...].
FailureOr<Value> convFilterGradient(OpBuilder &b, Location loc, Value input,
                                    Value outGrad, RankedTensorType filterType,
                                    const ConvWindow &window) {
  RankedTensorType inputType = typeOf(input), gradType = typeOf(outGrad);
  int64_t rank = inputType.getRank(), spatialRank = rank - 2;
  int64_t groups = window.groups;
  ArrayRef<int64_t> kernel = filterType.getShape().drop_front(2);
  int64_t groupChannels = filterType.getDimSize(1);

  Value inputT;
  if (groups == 1) {
    inputT = TransposeOp::create(b, loc, input, swapDims(rank, 0, 1));
  } else {
    // [N, C, D...] -> [N, G, C/G, D...] -> [C/G, G, N, D...]
    //   -> [C/G, G * N, D...]
    SmallVector<int64_t> split = {inputType.getDimSize(0), groups,
                                  groupChannels};
    llvm::append_range(split, inputType.getShape().drop_front(2));
    Value grouped =
        reshapeTo(b, loc, input,
                  RankedTensorType::get(split, inputType.getElementType()));
    SmallVector<int64_t> permutation = {2, 1, 0};
    for (int64_t d = 3; d < rank + 1; ++d)
      permutation.push_back(d);
    Value moved = TransposeOp::create(b, loc, grouped, permutation);
    SmallVector<int64_t> merged = {groupChannels, -1};
    llvm::append_range(merged, inputType.getShape().drop_front(2));
    inputT = ReshapeOp::create(b, loc, moved, merged);
  }
  Value gradT = TransposeOp::create(b, loc, outGrad, swapDims(rank, 0, 1));

  // End pads that make the result exactly K wide where possible: the forward
  // op's last window ends r positions before the padded input does.
  SmallVector<int64_t> padding(window.padding);
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t inSize = inputType.getDimSize(2 + i);
    int64_t outSize = gradType.getDimSize(2 + i);
    int64_t unused = inSize + window.padding[i] +
                     window.padding[spatialRank + i] -
                     window.dilations[i] * (kernel[i] - 1) - 1 -
                     window.strides[i] * (outSize - 1);
    padding[spatialRank + i] =
        std::max<int64_t>(0, window.padding[spatialRank + i] - unused);
  }
  Value correlation =
      ConvOp::create(b, loc, inputT, gradT, /*strides=*/window.dilations,
                     padding, /*dilations=*/window.strides, groups);
  Value sliced = sliceSpatial(b, loc, correlation, kernel);
  Value gradient = TransposeOp::create(b, loc, sliced, swapDims(rank, 0, 1));
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
    // to its input with this filter: its filter gradient correlates dY (that
    // convolution's input) with X (its result's gradient).
    auto filterGradient =
        convFilterGradient(b, loc, g, input, filterType, window);
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
/// `inputType` that `indices` (flat row-major indices into it, the shape of
/// `gradient`) names.
Value scatterToArgMax(OpBuilder &b, Location loc, Value gradient, Value indices,
                      Value input) {
  Value zeros = ReshapeOp::create(b, loc, zerosLike(b, loc, input),
                                  ArrayRef<int64_t>{-1});
  Value flatIndices = ReshapeOp::create(b, loc, indices, ArrayRef<int64_t>{-1});
  Value flatGradient =
      ReshapeOp::create(b, loc, gradient, ArrayRef<int64_t>{-1});
  Value scattered = ScatterElementsOp::create(b, loc, zeros, flatIndices,
                                              flatGradient, 0, "add");
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

} // namespace

void attachNNGradients(MLIRContext *context) {
  MatMulOp::attachInterface<MatMulGradient>(*context);
  ConvOp::attachInterface<ConvGradient>(*context);
  ConvTransposeOp::attachInterface<ConvTransposeGradient>(*context);
  MaxPoolOp::attachInterface<MaxPoolGradient>(*context);
  MaxPoolWithIndicesOp::attachInterface<MaxPoolWithIndicesGradient>(*context);
  AvgPoolOp::attachInterface<AvgPoolGradient>(*context);
  SoftmaxOp::attachInterface<SoftmaxGradient>(*context);
}

} // namespace kiln::autodiff
