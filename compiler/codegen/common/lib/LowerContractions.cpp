//===- LowerContractions.cpp - kiln matmul and convolutions to linalg -----===//
//
// 2-D matmuls become `linalg.matmul`; batched ones (with broadcast batch dims)
// a `linalg.generic` contraction. Convolutions pad their input with
// `tensor.pad` and become `linalg.conv_2d_nchw_fchw`, or
// `linalg.conv_2d_ngchw_gfchw` on reshaped operands when grouped. All
// accumulate into a zero-filled init tensor.
//
// A transposed convolution becomes a regular one: the input is spread out
// (`tensor.insert_slice` with the strides into zeros, with a full window of
// zeros on each side and the output padding at the end), its padding is cut
// off again (`tensor.extract_slice`, a view after bufferization), and it is
// convolved with stride 1 and the same dilation with the filter transposed
// ([C, F, KH, KW] -> [F, C, KH, KW], per group) and flipped spatially (one
// `linalg.generic` that reads the filter through a reversing map). This keeps
// the hot loop in linalg's convolution ops, at the cost of multiplying the
// inserted zeros.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

/// The sizes of a matmul result: broadcast batch dims, then M from lhs, N from
/// rhs.
static SmallVector<OpFoldResult> getMatMulResultSizes(OpBuilder &b,
                                                      Location loc,
                                                      RankedTensorType type,
                                                      Value lhs, Value rhs) {
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes;
  // Batch dims: from whichever operand has them dynamic.
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  for (int64_t d = 0; d < rank - 2; ++d) {
    if (!type.isDynamicDim(d)) {
      sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
      continue;
    }
    int64_t lhsDim = d - (rank - lhsType.getRank());
    int64_t rhsDim = d - (rank - rhsType.getRank());
    if (lhsDim >= 0 && lhsType.isDynamicDim(lhsDim))
      sizes.push_back(tensor::DimOp::create(b, loc, lhs, lhsDim).getResult());
    else
      sizes.push_back(tensor::DimOp::create(b, loc, rhs, rhsDim).getResult());
  }
  sizes.push_back(tensor::getMixedSize(b, loc, lhs, lhsType.getRank() - 2));
  sizes.push_back(tensor::getMixedSize(b, loc, rhs, rhsType.getRank() - 1));
  return sizes;
}

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> sizes =
        getMatMulResultSizes(rewriter, loc, type, lhs, rhs);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    // Sizes known only at run time must agree: the contracted k, and batch
    // dims (which broadcast only when known to be 1).
    emitSizeCheck(
        rewriter, loc,
        tensor::getMixedSize(rewriter, loc, lhs, lhsType.getRank() - 1),
        tensor::getMixedSize(rewriter, loc, rhs, rhsType.getRank() - 2),
        describeForCheck(op) +
            ": the columns of the left operand and the rows of the right "
            "operand differ at run time");
    emitBroadcastChecks(rewriter, op, sizes, {lhs, rhs}, 0, type.getRank() - 2);
    Value init = createFilledTensor(
        rewriter, loc, type, sizes,
        getNeutralElement(type.getElementType(), ReductionKind::Sum));

    if (lhsType.getRank() == 2 && rhsType.getRank() == 2) {
      rewriter.replaceOp(
          op, linalg::MatmulOp::create(rewriter, loc, TypeRange{type},
                                       ValueRange{lhs, rhs}, ValueRange{init})
                  .getResult(0));
      return success();
    }

    // Loops: batch dims..., m, n, k.
    MLIRContext *context = rewriter.getContext();
    unsigned batchRank = type.getRank() - 2;
    unsigned numLoops = batchRank + 3;
    AffineExpr m = getAffineDimExpr(batchRank, context);
    AffineExpr n = getAffineDimExpr(batchRank + 1, context);
    AffineExpr k = getAffineDimExpr(batchRank + 2, context);
    ArrayRef<int64_t> resultBatch = type.getShape().drop_back(2);
    auto operandMap = [&](RankedTensorType operandType, AffineExpr row,
                          AffineExpr column) {
      AffineMap batch = getBroadcastMap(
          context, operandType.getShape().drop_back(2), resultBatch, numLoops);
      SmallVector<AffineExpr> exprs(batch.getResults());
      exprs.push_back(row);
      exprs.push_back(column);
      return AffineMap::get(numLoops, 0, exprs, context);
    };
    SmallVector<AffineExpr> resultExprs;
    for (unsigned d = 0; d < batchRank; ++d)
      resultExprs.push_back(getAffineDimExpr(d, context));
    resultExprs.push_back(m);
    resultExprs.push_back(n);
    SmallVector<AffineMap> maps = {
        operandMap(lhsType, m, k), operandMap(rhsType, k, n),
        AffineMap::get(numLoops, 0, resultExprs, context)};
    SmallVector<utils::IteratorType> iterators(numLoops - 1,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init},
        maps, iterators, [](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value product =
              createArith(b, nestedLoc, ArithKind::Mul, args[0], args[1]);
          Value sum =
              createArith(b, nestedLoc, ArithKind::Add, args[2], product);
          linalg::YieldOp::create(b, nestedLoc, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    ArrayRef<int64_t> padding = op.getPadding();
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), padding.take_front(2),
                   padding.drop_front(2),
                   getNeutralElement(elementType, ReductionKind::Sum));
    Value filter = adaptor.getFilter();
    DenseIntElementsAttr strides = getI64Vector(rewriter, op.getStrides());
    DenseIntElementsAttr dilations = getI64Vector(rewriter, op.getDilations());

    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, adaptor.getInput(), 0),
        tensor::getMixedSize(rewriter, loc, filter, 0)};
    for (int64_t d = 2; d < 4; ++d) {
      if (type.isDynamicDim(d))
        return rewriter.notifyMatchFailure(
            op, "dynamic spatial output sizes are not supported yet");
      sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
    }
    TypedAttr zero = getNeutralElement(elementType, ReductionKind::Sum);

    int64_t groups = op.getGroups();
    if (groups == 1) {
      Value init = createFilledTensor(rewriter, loc, type, sizes, zero);
      auto conv = linalg::Conv2DNchwFchwOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{input, filter},
          ValueRange{init}, strides, dilations);
      rewriter.replaceOp(op, conv.getResult(0));
      return success();
    }

    // Grouped: [N, G*C, H, W] -> [N, G, C, H, W] and [G*F, C, KH, KW] -> [G, F,
    // C, KH, KW].
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    // The batch may be known only at run time; channels and filters are not.
    auto staticBeyondBatch = [](RankedTensorType t) {
      return llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
    };
    if (!staticBeyondBatch(inputType) || !filterType.hasStaticShape() ||
        !staticBeyondBatch(type))
      return rewriter.notifyMatchFailure(
          op, "grouped convolution needs static channel and spatial sizes");
    ArrayRef<int64_t> in = inputType.getShape(), f = filterType.getShape();
    OpFoldResult batch = tensor::getMixedSize(rewriter, loc, input, 0);
    auto groupedInputType = RankedTensorType::get(
        {in[0], groups, in[1] / groups, in[2], in[3]}, elementType);
    auto groupedFilterType = RankedTensorType::get(
        {groups, f[0] / groups, f[1], f[2], f[3]}, elementType);
    auto groupedResultType = RankedTensorType::get(
        {type.getDimSize(0), groups, type.getDimSize(1) / groups,
         type.getDimSize(2), type.getDimSize(3)},
        elementType);
    SmallVector<ReassociationIndices> splitChannels = {{0}, {1, 2}, {3}, {4}};
    SmallVector<ReassociationIndices> splitFilters = {{0, 1}, {2}, {3}, {4}};
    SmallVector<OpFoldResult> groupedInputSizes = getAsIndexOpFoldResult(
        rewriter.getContext(), groupedInputType.getShape());
    groupedInputSizes[0] = batch;
    Value groupedInput =
        tensor::ExpandShapeOp::create(rewriter, loc, groupedInputType, input,
                                      splitChannels, groupedInputSizes);
    Value groupedFilter = tensor::ExpandShapeOp::create(
        rewriter, loc, groupedFilterType, filter, splitFilters);
    SmallVector<OpFoldResult> groupedResultSizes = getAsIndexOpFoldResult(
        rewriter.getContext(), groupedResultType.getShape());
    groupedResultSizes[0] = batch;
    Value init = createFilledTensor(rewriter, loc, groupedResultType,
                                    groupedResultSizes, zero);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedResultType},
        ValueRange{groupedInput, groupedFilter}, ValueRange{init}, strides,
        dilations);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, conv.getResult(0), splitChannels);
    return success();
  }
};

/// Spreads the spatial dims of `input` ([N, C, H, W]) to the input of the
/// stride-1 convolution that computes its transposed convolution: element (h,
/// w) moves to (eh + h * sh, ew + w * sw) in a zero tensor with a full dilated
/// window (eh = dh * (KH - 1)) of zeros on each side plus the output padding at
/// the end, and then the padding rows and columns are cut off.
static Value spreadForTransposedConv(OpBuilder &b, Location loc, Value input,
                                     Conv2DTransposeOp op,
                                     ArrayRef<int64_t> kernel,
                                     ArrayRef<int64_t> outputShape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                    padding = op.getPadding(),
                    outputPadding = op.getOutputPadding();
  SmallVector<OpFoldResult> spreadSizes = {
      tensor::getMixedSize(b, loc, input, 0),
      tensor::getMixedSize(b, loc, input, 1)};
  SmallVector<OpFoldResult> insertOffsets(2, b.getIndexAttr(0)),
      insertStrides(2, b.getIndexAttr(1)), cropOffsets(2, b.getIndexAttr(0)),
      cropSizes = spreadSizes;
  SmallVector<int64_t> spreadShape(inputType.getShape().take_front(2)),
      cropShape = spreadShape;
  for (int i = 0; i < 2; ++i) {
    int64_t window = dilations[i] * (kernel[i] - 1);
    int64_t size = (inputType.getDimSize(2 + i) - 1) * strides[i] + 1 +
                   2 * window + outputPadding[i];
    spreadShape.push_back(size);
    spreadSizes.push_back(b.getIndexAttr(size));
    insertOffsets.push_back(b.getIndexAttr(window));
    insertStrides.push_back(b.getIndexAttr(strides[i]));
    // The stride-1 convolution's input is the output plus one window.
    cropShape.push_back(outputShape[2 + i] + window);
    cropSizes.push_back(b.getIndexAttr(outputShape[2 + i] + window));
    cropOffsets.push_back(b.getIndexAttr(padding[i]));
  }
  Type elementType = inputType.getElementType();
  Value zeros = createFilledTensor(
      b, loc, RankedTensorType::get(spreadShape, elementType), spreadSizes,
      getNeutralElement(elementType, ReductionKind::Sum));
  Value spread = tensor::InsertSliceOp::create(
      b, loc, input, zeros, insertOffsets, tensor::getMixedSizes(b, loc, input),
      insertStrides);
  if (llvm::equal(cropShape, spreadShape))
    return spread;
  SmallVector<OpFoldResult> unitStrides(4, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(cropShape, elementType), spread,
      cropOffsets, cropSizes, unitStrides);
}

/// The filter of the equivalent regular convolution: `filter` ([G * C, F, KH,
/// KW]) transposed per group and flipped spatially, as [G, F, C, KH, KW]
/// (`filter'[g, f, c, kh, kw] = filter[g * C + c, f, KH-1-kh, KW-1-kw]`), or as
/// [F, C, KH, KW] when there is one group.
static Value flipFilter(OpBuilder &b, Location loc, Value filter,
                        int64_t groups) {
  auto filterType = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> shape = filterType.getShape();
  int64_t channels = shape[0] / groups, kh = shape[2], kw = shape[3];
  MLIRContext *context = b.getContext();
  bool grouped = groups != 1;
  unsigned numLoops = grouped ? 5 : 4;
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, context); };
  // Loops: [g,] f, c, kh, kw.
  unsigned offset = grouped ? 1 : 0;
  AffineExpr channel = dim(offset + 1);
  if (grouped)
    channel = dim(0) * channels + channel;
  AffineMap read =
      AffineMap::get(numLoops, 0,
                     {channel, dim(offset), kh - 1 - dim(offset + 2),
                      kw - 1 - dim(offset + 3)},
                     context);
  SmallVector<int64_t> flippedShape = {shape[1], channels, kh, kw};
  if (grouped)
    flippedShape.insert(flippedShape.begin(), groups);
  auto flippedType =
      RankedTensorType::get(flippedShape, filterType.getElementType());
  Value init = tensor::EmptyOp::create(b, loc, flippedShape,
                                       filterType.getElementType());
  SmallVector<AffineMap> maps = {
      read, AffineMap::getMultiDimIdentityMap(numLoops, context)};
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{flippedType}, ValueRange{filter},
             ValueRange{init}, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

struct Conv2DTransposeLowering : OpConversionPattern<Conv2DTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), filter = adaptor.getFilter();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    int64_t groups = op.getGroups();
    // The spread and the flip need the spatial sizes and the filter; groups
    // also reshape the channels.
    if (!filterType.hasStaticShape() || inputType.isDynamicDim(2) ||
        inputType.isDynamicDim(3) ||
        (groups != 1 && !inputType.hasStaticShape()))
      return rewriter.notifyMatchFailure(
          op, "transposed convolution needs a static filter and static "
              "spatial input sizes (and static shapes when grouped)");
    ArrayRef<int64_t> kernel = filterType.getShape().drop_front(2);
    Value spread = spreadForTransposedConv(rewriter, loc, input, op, kernel,
                                           type.getShape());
    Value flipped = flipFilter(rewriter, loc, filter, groups);
    DenseIntElementsAttr unitStrides = getI64Vector(rewriter, {1, 1});
    DenseIntElementsAttr dilations = getI64Vector(rewriter, op.getDilations());
    Type elementType = type.getElementType();
    TypedAttr zero = getNeutralElement(elementType, ReductionKind::Sum);

    if (groups == 1) {
      SmallVector<OpFoldResult> sizes = {
          tensor::getMixedSize(rewriter, loc, input, 0),
          rewriter.getIndexAttr(type.getDimSize(1)),
          rewriter.getIndexAttr(type.getDimSize(2)),
          rewriter.getIndexAttr(type.getDimSize(3))};
      Value init = createFilledTensor(rewriter, loc, type, sizes, zero);
      auto conv = linalg::Conv2DNchwFchwOp::create(
          rewriter, loc, TypeRange{type}, ValueRange{spread, flipped},
          ValueRange{init}, unitStrides, dilations);
      rewriter.replaceOp(op, conv.getResult(0));
      return success();
    }

    // Grouped: [N, G*C, H, W] -> [N, G, C, H, W]; the result [N, G, F, HO, WO]
    // collapses to [N, G*F, HO, WO].
    auto spreadType = cast<RankedTensorType>(spread.getType());
    ArrayRef<int64_t> in = spreadType.getShape();
    auto groupedInputType = RankedTensorType::get(
        {in[0], groups, in[1] / groups, in[2], in[3]}, elementType);
    auto groupedResultType = RankedTensorType::get(
        {type.getDimSize(0), groups, type.getDimSize(1) / groups,
         type.getDimSize(2), type.getDimSize(3)},
        elementType);
    SmallVector<ReassociationIndices> splitChannels = {{0}, {1, 2}, {3}, {4}};
    OpFoldResult batch = tensor::getMixedSize(rewriter, loc, spread, 0);
    SmallVector<OpFoldResult> groupedInputSizes = getAsIndexOpFoldResult(
        rewriter.getContext(), groupedInputType.getShape());
    groupedInputSizes[0] = batch;
    Value groupedInput =
        tensor::ExpandShapeOp::create(rewriter, loc, groupedInputType, spread,
                                      splitChannels, groupedInputSizes);
    SmallVector<OpFoldResult> groupedResultSizes = getAsIndexOpFoldResult(
        rewriter.getContext(), groupedResultType.getShape());
    groupedResultSizes[0] = batch;
    Value init = createFilledTensor(rewriter, loc, groupedResultType,
                                    groupedResultSizes, zero);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedResultType},
        ValueRange{groupedInput, flipped}, ValueRange{init}, unitStrides,
        dilations);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, conv.getResult(0), splitChannels);
    return success();
  }
};

} // namespace

void populateContractionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, Conv2DLowering, Conv2DTransposeLowering>(
      patterns.getContext());
}

} // namespace kiln
