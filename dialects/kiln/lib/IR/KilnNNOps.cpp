//===- KilnNNOps.cpp - Matmul, N-D convolution, pooling and softmax -------===//
//
// Type inference and verification of one family of kiln ops; the rules
// shared by all families are in KilnOpsCommon.h.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

//===----------------------------------------------------------------------===//
// SoftmaxOp (unary ops infer their type through SameOperandsAndResultType)
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank
                                << " (must be in [0, rank))";
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhsType = rankedType(adaptor.getLhs()),
       rhsType = rankedType(adaptor.getRhs());
  if (!lhsType || !rhsType)
    return emitOptionalError(loc,
                             "kiln.matmul operands must be ranked tensors");
  if (lhsType.getRank() < 2 || rhsType.getRank() < 2)
    return emitOptionalError(
        loc, "kiln.matmul operands must have rank 2 or more, got ",
        lhsType.getRank(), " and ", rhsType.getRank());
  ArrayRef<int64_t> lhs = lhsType.getShape(), rhs = rhsType.getShape();
  int64_t lhsK = lhs.back(), rhsK = rhs[rhs.size() - 2];
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return emitOptionalError(loc, "kiln.matmul contraction sizes differ: lhs ",
                             shapeToString(lhs), " has K = ", lhsK, ", rhs ",
                             shapeToString(rhs), " has K = ", rhsK);
  auto batch = broadcastShapes(lhs.drop_back(2), rhs.drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "kiln.matmul batch dimensions of ",
                             shapeToString(lhs), " and ", shapeToString(rhs),
                             " are not broadcast-compatible");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(lhs[lhs.size() - 2]);
  shape.push_back(rhs.back());
  inferred.push_back(RankedTensorType::get(shape, lhsType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(MatMulOp)

//===----------------------------------------------------------------------===//
// Window attributes (convolution and pooling)
//===----------------------------------------------------------------------===//

SmallVector<int64_t> kiln::fillWindowAttribute(ArrayRef<int64_t> values,
                                               int64_t count, int64_t fill) {
  if (!values.empty())
    return SmallVector<int64_t>(values);
  return SmallVector<int64_t>(std::max<int64_t>(count, 0), fill);
}

namespace {
/// The window attributes of a convolution or pooling op, one entry per spatial
/// dim (padding: begins, then ends), with defaults filled in.
struct Window {
  SmallVector<int64_t> strides, padding, dilations;
};
} // namespace

/// Checks one window attribute (empty, or `count` entries of at least
/// `minimum`) and fills in its default.
static FailureOr<SmallVector<int64_t>>
readWindowArray(std::optional<Location> loc, StringRef name, StringRef attrName,
                ArrayRef<int64_t> values, int64_t count, int64_t minimum,
                int64_t fill) {
  if (!values.empty() &&
      failed(checkArray(loc, name, attrName, values, count, minimum)))
    return failure();
  return fillWindowAttribute(values, count, fill);
}

/// Checks strides, padding and dilations for `spatialRank` dims.
static FailureOr<Window> readWindow(std::optional<Location> loc, StringRef name,
                                    int64_t spatialRank,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> padding,
                                    ArrayRef<int64_t> dilations) {
  auto s = readWindowArray(loc, name, "strides", strides, spatialRank, 1, 1);
  if (failed(s))
    return failure();
  auto p =
      readWindowArray(loc, name, "padding", padding, 2 * spatialRank, 0, 0);
  if (failed(p))
    return failure();
  auto d =
      readWindowArray(loc, name, "dilations", dilations, spatialRank, 1, 1);
  if (failed(d))
    return failure();
  return Window{*s, *p, *d};
}

/// The input of a convolution or pooling op: a ranked tensor with N, C and at
/// least one spatial dim.
static RankedTensorType windowInputType(Value input) {
  auto type = rankedType(input);
  return type && type.getRank() >= 3 ? type : RankedTensorType();
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.conv";
  auto inputType = windowInputType(adaptor.getInput());
  auto filterType = rankedType(adaptor.getFilter());
  if (!inputType || !filterType || filterType.getRank() != inputType.getRank())
    return emitOptionalError(
        loc, name,
        " expects an [N, C, spatial...] input with at least one spatial "
        "dimension and a [F, C / groups, kernel...] filter of the same rank");
  int64_t spatialRank = inputType.getRank() - 2;
  auto window = readWindow(loc, name, spatialRank, adaptor.getStrides(),
                           adaptor.getPadding(), adaptor.getDilations());
  if (failed(window))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return emitOptionalError(loc, name, " groups must be at least 1, got ",
                             groups);

  ArrayRef<int64_t> in = inputType.getShape(), filter = filterType.getShape();
  if (!ShapedType::isDynamic(in[1]) && !ShapedType::isDynamic(filter[1])) {
    int64_t expectedChannels;
    if (llvm::MulOverflow(filter[1], groups, expectedChannels))
      return emitOptionalError(loc, name, " input has ", in[1],
                               " channels but the filter expects ", filter[1],
                               " x ", groups, " groups, which overflows int64");
    if (in[1] != expectedChannels)
      return emitOptionalError(loc, name, " input has ", in[1],
                               " channels but the filter expects ", filter[1],
                               " x ", groups, " groups = ", expectedChannels);
  }
  if (!ShapedType::isDynamic(filter[0]) && filter[0] % groups != 0)
    return emitOptionalError(loc, name, " ", filter[0],
                             " filters cannot be split into ", groups,
                             " groups");

  SmallVector<int64_t> shape = {in[0], filter[0]};
  for (int64_t i = 0; i < spatialRank; ++i) {
    auto size = computeWindowedOutputSize(
        in[2 + i], filter[2 + i], window->strides[i], window->dilations[i],
        window->padding[i], window->padding[spatialRank + i],
        /*ceilMode=*/false);
    if (failed(size))
      return emitOptionalError(loc, name, " filter ", shapeToString(filter),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ConvOp)

//===----------------------------------------------------------------------===//
// ConvFilterGradientOp
//===----------------------------------------------------------------------===//

LogicalResult ConvFilterGradientOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.conv_filter_gradient";
  auto inputType = windowInputType(adaptor.getInput());
  auto gradType = rankedType(adaptor.getOutputGradient());
  if (!inputType || !gradType || gradType.getRank() != inputType.getRank())
    return emitOptionalError(
        loc, name,
        " expects an [N, C, spatial...] input with at least one spatial "
        "dimension and an [N, F, spatial...] output gradient of the same rank");
  int64_t spatialRank = inputType.getRank() - 2;
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  if (failed(checkArray(loc, name, "kernel", kernel, spatialRank, 1)))
    return failure();
  auto window = readWindow(loc, name, spatialRank, adaptor.getStrides(),
                           adaptor.getPadding(), adaptor.getDilations());
  if (failed(window))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return emitOptionalError(loc, name, " groups must be at least 1, got ",
                             groups);

  ArrayRef<int64_t> in = inputType.getShape(), grad = gradType.getShape();
  if (!ShapedType::isDynamic(in[0]) && !ShapedType::isDynamic(grad[0]) &&
      in[0] != grad[0])
    return emitOptionalError(loc, name, " input has batch ", in[0],
                             " but the output gradient has batch ", grad[0]);
  if (!ShapedType::isDynamic(in[1]) && in[1] % groups != 0)
    return emitOptionalError(loc, name, " input has ", in[1],
                             " channels, which cannot be split into ", groups,
                             " groups");
  if (!ShapedType::isDynamic(grad[1]) && grad[1] % groups != 0)
    return emitOptionalError(loc, name, " output gradient has ", grad[1],
                             " channels (filters), which cannot be split into ",
                             groups, " groups");
  for (int64_t i = 0; i < spatialRank; ++i) {
    auto size = computeWindowedOutputSize(
        in[2 + i], kernel[i], window->strides[i], window->dilations[i],
        window->padding[i], window->padding[spatialRank + i],
        /*ceilMode=*/false);
    if (failed(size))
      return emitOptionalError(loc, name, " kernel ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    if (!ShapedType::isDynamic(*size) && !ShapedType::isDynamic(grad[2 + i]) &&
        *size != grad[2 + i])
      return emitOptionalError(
          loc, name, " output gradient ", shapeToString(grad), " has ",
          grad[2 + i], " positions in spatial dimension ", i,
          " but the convolution of input ", shapeToString(in), " has ", *size);
  }

  SmallVector<int64_t> shape = {
      grad[1], ShapedType::isDynamic(in[1]) ? kDynamic : in[1] / groups};
  llvm::append_range(shape, kernel);
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ConvFilterGradientOp)

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult kiln::detail::inferPoolShape(
    std::optional<Location> loc, StringRef name, Value input,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations, bool ceilMode,
    SmallVectorImpl<int64_t> &shape) {
  auto inputType = windowInputType(input);
  if (!inputType)
    return emitOptionalError(loc, name,
                             " expects an [N, C, spatial...] input with at "
                             "least one spatial dimension");
  int64_t spatialRank = inputType.getRank() - 2;
  if (failed(checkArray(loc, name, "kernel_size", kernel, spatialRank, 1)))
    return failure();
  auto window = readWindow(loc, name, spatialRank, strides, padding, dilations);
  if (failed(window))
    return failure();
  ArrayRef<int64_t> in = inputType.getShape();
  shape.assign({in[0], in[1]});
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t extent, padBegin = window->padding[i],
                    padEnd = window->padding[spatialRank + i];
    if (llvm::MulOverflow(window->dilations[i], kernel[i] - 1, extent) ||
        llvm::AddOverflow(extent, int64_t(1), extent))
      return emitOptionalError(loc, name, " window ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    // A window lying entirely in the padding would have nothing to reduce.
    if (padBegin >= extent || padEnd >= extent)
      return emitOptionalError(loc, name, " padding ",
                               shapeToString(window->padding),
                               " must be smaller than the window (", extent,
                               ") in spatial dimension ", i);
    auto size = computeWindowedOutputSize(
        in[2 + i], kernel[i], window->strides[i], window->dilations[i],
        padBegin, padEnd, ceilMode);
    if (failed(size))
      return emitOptionalError(loc, name, " window ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    shape.push_back(*size);
  }
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  if (failed(inferPoolShape(loc, "kiln.max_pool", adaptor.getInput(),
                            adaptor.getKernelSize(), adaptor.getStrides(),
                            adaptor.getPadding(), adaptor.getDilations(),
                            adaptor.getCeilMode(), shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(
      shape, getElementTypeOrSelf(adaptor.getInput().getType())));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(MaxPoolOp)

/// A max_pool_with_indices of the same input and window, in the same block,
/// also computes this pooling's maxima: the pooling takes them from it (moved
/// up to the pooling if it came later, as a gradient's does).
LogicalResult MaxPoolOp::canonicalize(MaxPoolOp op, PatternRewriter &rewriter) {
  for (Operation *user : op.getInput().getUsers()) {
    auto withIndices = dyn_cast<MaxPoolWithIndicesOp>(user);
    if (!withIndices || withIndices->getBlock() != op->getBlock() ||
        withIndices.getColumnMajor() ||
        withIndices.getValues().getType() != op.getType() ||
        withIndices.getKernelSize() != op.getKernelSize() ||
        withIndices.getStrides() != op.getStrides() ||
        withIndices.getPadding() != op.getPadding() ||
        withIndices.getDilations() != op.getDilations() ||
        withIndices.getCeilMode() != op.getCeilMode())
      continue;
    if (op->isBeforeInBlock(withIndices))
      rewriter.moveOpBefore(withIndices, op);
    rewriter.replaceOp(op, withIndices.getValues());
    return success();
  }
  return failure();
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  if (failed(inferPoolShape(loc, "kiln.avg_pool", adaptor.getInput(),
                            adaptor.getKernelSize(), adaptor.getStrides(),
                            adaptor.getPadding(), /*dilations=*/{},
                            adaptor.getCeilMode(), shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(
      shape, getElementTypeOrSelf(adaptor.getInput().getType())));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(AvgPoolOp)

//===----------------------------------------------------------------------===//
// ConvTransposeOp
//===----------------------------------------------------------------------===//

/// (input - 1) * stride - padBegin - padEnd + dilation * (kernel - 1) +
/// outputPadding + 1 with checked arithmetic; kDynamic for a dynamic input or
/// kernel, failure on overflow.
static FailureOr<int64_t>
computeTransposedOutputSize(int64_t input, int64_t kernel, int64_t stride,
                            int64_t dilation, int64_t padBegin, int64_t padEnd,
                            int64_t outputPadding) {
  if (ShapedType::isDynamic(input) || ShapedType::isDynamic(kernel))
    return kDynamic;
  int64_t spread, window, size;
  if (llvm::MulOverflow(input - 1, stride, spread) ||
      llvm::MulOverflow(kernel - 1, dilation, window) ||
      llvm::AddOverflow(spread, window, size) ||
      llvm::AddOverflow(size, outputPadding, size) ||
      llvm::AddOverflow(size, int64_t(1), size) ||
      llvm::SubOverflow(size, padBegin, size) ||
      llvm::SubOverflow(size, padEnd, size))
    return failure();
  return size;
}

LogicalResult
ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.conv_transpose";
  auto inputType = windowInputType(adaptor.getInput());
  auto filterType = rankedType(adaptor.getFilter());
  if (!inputType || !filterType || filterType.getRank() != inputType.getRank())
    return emitOptionalError(
        loc, name,
        " expects an [N, C, spatial...] input with at least one spatial "
        "dimension and a [C, F / groups, kernel...] filter of the same rank");
  int64_t spatialRank = inputType.getRank() - 2;
  auto window = readWindow(loc, name, spatialRank, adaptor.getStrides(),
                           adaptor.getPadding(), adaptor.getDilations());
  if (failed(window))
    return failure();
  auto outputPadding =
      readWindowArray(loc, name, "output_padding", adaptor.getOutputPadding(),
                      spatialRank, 0, 0);
  if (failed(outputPadding))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return emitOptionalError(loc, name, " groups must be at least 1, got ",
                             groups);

  ArrayRef<int64_t> in = inputType.getShape(), filter = filterType.getShape();
  if (!ShapedType::isDynamic(in[1]) && !ShapedType::isDynamic(filter[0]) &&
      in[1] != filter[0])
    return emitOptionalError(loc, name, " input has ", in[1],
                             " channels but the filter is for ", filter[0]);
  if (!ShapedType::isDynamic(filter[0]) && filter[0] % groups != 0)
    return emitOptionalError(loc, name, " ", filter[0],
                             " channels cannot be split into ", groups,
                             " groups");
  int64_t features = kDynamic;
  if (!ShapedType::isDynamic(filter[1]) &&
      llvm::MulOverflow(filter[1], groups, features))
    return emitOptionalError(loc, name, " ", filter[1], " filters x ", groups,
                             " groups overflows int64");

  SmallVector<int64_t> shape = {in[0], features};
  for (int64_t i = 0; i < spatialRank; ++i) {
    auto size = computeTransposedOutputSize(
        in[2 + i], filter[2 + i], window->strides[i], window->dilations[i],
        window->padding[i], window->padding[spatialRank + i],
        (*outputPadding)[i]);
    if (failed(size) || (!ShapedType::isDynamic(*size) && *size < 1))
      return emitOptionalError(
          loc, name, " padding ", shapeToString(window->padding),
          " leaves no output of input ", shapeToString(in), " and filter ",
          shapeToString(filter), " in spatial dimension ", i);
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ConvTransposeOp)
