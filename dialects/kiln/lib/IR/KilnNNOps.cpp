//===- KilnNNOps.cpp - Matmul, convolution, pooling and softmax ===//
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
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.conv2d";
  auto inputType = rankedType(adaptor.getInput());
  auto filterType = rankedType(adaptor.getFilter());
  if (!inputType || !filterType || inputType.getRank() != 4 ||
      filterType.getRank() != 4)
    return emitOptionalError(
        loc, name, " expects a rank-4 NCHW input and a rank-4 FCHW filter");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    padding = adaptor.getPadding(),
                    dilations = adaptor.getDilations();
  if (failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, name, "dilations", dilations, 2, 1)))
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
  for (int i = 0; i < 2; ++i) {
    auto size =
        computeWindowedOutputSize(in[2 + i], filter[2 + i], strides[i],
                                  dilations[i], padding[i], padding[2 + i],
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
KILN_COMPATIBLE_RETURN_TYPES(Conv2DOp)

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult inferPool2D(std::optional<Location> loc, StringRef name,
                                 Value input, ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> padding,
                                 ArrayRef<int64_t> dilations, bool ceilMode,
                                 SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(input);
  if (!inputType || inputType.getRank() != 4)
    return emitOptionalError(loc, name, " expects a rank-4 NCHW input");
  if (failed(checkArray(loc, name, "kernel_size", kernel, 2, 1)) ||
      failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, name, "dilations", dilations, 2, 1)))
    return failure();
  ArrayRef<int64_t> in = inputType.getShape();
  SmallVector<int64_t> shape = {in[0], in[1]};
  for (int i = 0; i < 2; ++i) {
    int64_t window;
    if (llvm::MulOverflow(dilations[i], kernel[i] - 1, window) ||
        llvm::AddOverflow(window, int64_t(1), window))
      return emitOptionalError(loc, name, " window ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    // A window lying entirely in the padding would have nothing to reduce.
    if (padding[i] >= window || padding[2 + i] >= window)
      return emitOptionalError(loc, name, " padding ", shapeToString(padding),
                               " must be smaller than the window (", window,
                               ") in spatial dimension ", i);
    auto size = computeWindowedOutputSize(in[2 + i], kernel[i], strides[i],
                                          dilations[i], padding[i],
                                          padding[2 + i], ceilMode);
    if (failed(size))
      return emitOptionalError(loc, name, " window ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool2D(loc, "kiln.max_pool2d", adaptor.getInput(),
                     adaptor.getKernelSize(), adaptor.getStrides(),
                     adaptor.getPadding(), adaptor.getDilations(),
                     adaptor.getCeilMode(), inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(MaxPool2DOp)

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t, 2> noDilation = {1, 1};
  return inferPool2D(loc, "kiln.avg_pool2d", adaptor.getInput(),
                     adaptor.getKernelSize(), adaptor.getStrides(),
                     adaptor.getPadding(), noDilation, adaptor.getCeilMode(),
                     inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(AvgPool2DOp)

//===----------------------------------------------------------------------===//
// Conv2DTransposeOp
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
Conv2DTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.conv2d_transpose";
  auto inputType = rankedType(adaptor.getInput());
  auto filterType = rankedType(adaptor.getFilter());
  if (!inputType || !filterType || inputType.getRank() != 4 ||
      filterType.getRank() != 4)
    return emitOptionalError(
        loc, name, " expects a rank-4 NCHW input and a rank-4 CFHW filter");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    padding = adaptor.getPadding(),
                    dilations = adaptor.getDilations(),
                    outputPadding = adaptor.getOutputPadding();
  if (failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, name, "dilations", dilations, 2, 1)) ||
      failed(checkArray(loc, name, "output_padding", outputPadding, 2, 0)))
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
  for (int i = 0; i < 2; ++i) {
    auto size = computeTransposedOutputSize(
        in[2 + i], filter[2 + i], strides[i], dilations[i], padding[i],
        padding[2 + i], outputPadding[i]);
    if (failed(size) || (!ShapedType::isDynamic(*size) && *size < 1))
      return emitOptionalError(loc, name, " padding ", shapeToString(padding),
                               " leaves no output of input ", shapeToString(in),
                               " and filter ", shapeToString(filter),
                               " in spatial dimension ", i);
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(Conv2DTransposeOp)
