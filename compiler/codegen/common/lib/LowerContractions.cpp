//===- LowerContractions.cpp - kiln matmul and convolutions to linalg -----===//
//
// 2-D matmuls become `linalg.matmul`; batched ones (with broadcast batch dims)
// a `linalg.generic` contraction. N-D convolutions pad their input with
// `tensor.pad` and become linalg's named NCW, NCHW or NCDHW convolution, or
// `linalg.conv_2d_ngchw_gfchw` on reshaped operands when grouped in 2-D.
// Grouped 1-D and 3-D convolutions (and any beyond 3-D), which linalg has no
// named op for, are the same grouped contraction written as a
// `linalg.generic`. All accumulate into a zero-filled init tensor.
//
// A transposed convolution becomes a regular one: the input is spread out
// (`tensor.insert_slice` with the strides into zeros, with a full window of
// zeros on each side and the output padding at the end), its padding is cut
// off again (`tensor.extract_slice`, a view after bufferization), and it is
// convolved with stride 1 and the same dilation with the filter transposed
// ([C, F, K...] -> [F, C, K...], per group) and flipped spatially (one
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

/// A named linalg convolution of `input` and `filter` into `init`.
template <typename ConvOpTy>
static Value createNamedConv(OpBuilder &b, Location loc, RankedTensorType type,
                             Value input, Value filter, Value init,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations) {
  return ConvOpTy::create(b, loc, TypeRange{type}, ValueRange{input, filter},
                          ValueRange{init}, getI64Vector(b, strides),
                          getI64Vector(b, dilations))
      .getResult(0);
}

/// A grouped convolution of any spatial rank k as a `linalg.generic` on the
/// grouped forms of its operands: input [N, G, C, D...], filter [G, F, C,
/// K...] and init [N, G, F, O...], with loops (n, g, f, o_1..o_k, c,
/// w_1..w_k) reading input[n, g, c, o_i * stride_i + w_i * dilation_i]. It is
/// `linalg.conv_2d_ngchw_gfchw` generalized to any k, for the ranks and
/// groupings linalg has no named op for.
static Value createGroupedConvGeneric(OpBuilder &b, Location loc, Value input,
                                      Value filter, Value init,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  int64_t k = strides.size();
  unsigned numLoops = 3 + k + 1 + k;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  AffineExpr n = dim(0), g = dim(1), f = dim(2), c = dim(3 + k);
  SmallVector<AffineExpr> inputExprs = {n, g, c}, filterExprs = {g, f, c},
                          outputExprs = {n, g, f};
  for (int64_t i = 0; i < k; ++i) {
    AffineExpr output = dim(3 + i), window = dim(4 + k + i);
    inputExprs.push_back(output * strides[i] + window * dilations[i]);
    filterExprs.push_back(window);
    outputExprs.push_back(output);
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, context),
      AffineMap::get(numLoops, 0, filterExprs, context),
      AffineMap::get(numLoops, 0, outputExprs, context)};
  SmallVector<utils::IteratorType> iterators(3 + k,
                                             utils::IteratorType::parallel);
  iterators.append(1 + k, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input, filter},
             ValueRange{init}, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value product =
                   arith::MulFOp::create(nested, nestedLoc, args[0], args[1]);
               Value sum =
                   arith::AddFOp::create(nested, nestedLoc, args[2], product);
               linalg::YieldOp::create(nested, nestedLoc, sum);
             })
      .getResult(0);
}

/// `type` with its channel dim (1) split into [groups, channels / groups]
/// (`channelDim` 0 splits the leading dim instead).
static RankedTensorType splitChannels(RankedTensorType type, int64_t groups,
                                      int64_t channelDim) {
  SmallVector<int64_t> shape(type.getShape());
  shape[channelDim] /= groups;
  shape.insert(shape.begin() + channelDim, groups);
  return RankedTensorType::get(shape, type.getElementType());
}

/// The reassociation that merges dims `dim` and `dim + 1` of a tensor of
/// rank `expandedRank`.
static SmallVector<ReassociationIndices> mergeDims(int64_t expandedRank,
                                                   int64_t dim) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < expandedRank; ++d) {
    if (d == dim + 1)
      continue;
    if (d == dim)
      groups.push_back({d, d + 1});
    else
      groups.push_back({d});
  }
  return groups;
}

/// The convolution of an already padded `input` ([N, C, spatial...]) with
/// `filter` ([F, C / groups, kernel...]) as `type`: linalg's named NCW, NCHW or
/// NCDHW convolution when there is one group, its grouped NCHW convolution for
/// 2-D groups, and a generic grouped convolution otherwise.
static FailureOr<Value> buildConvolution(ConversionPatternRewriter &rewriter,
                                         Operation *op, Value input,
                                         Value filter, RankedTensorType type,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations,
                                         int64_t groups) {
  Location loc = op->getLoc();
  int64_t spatialRank = type.getRank() - 2;
  TypedAttr zero = getNeutralElement(type.getElementType(), ReductionKind::Sum);
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(rewriter, loc, input, 0),
      tensor::getMixedSize(rewriter, loc, filter, 0)};
  for (int64_t d = 2; d < type.getRank(); ++d) {
    if (type.isDynamicDim(d))
      return rewriter.notifyMatchFailure(
          op, "dynamic spatial output sizes are not supported yet");
    sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
  }

  if (groups == 1 && spatialRank <= 3) {
    Value init = createFilledTensor(rewriter, loc, type, sizes, zero);
    switch (spatialRank) {
    case 1:
      return createNamedConv<linalg::Conv1DNcwFcwOp>(
          rewriter, loc, type, input, filter, init, strides, dilations);
    case 2:
      return createNamedConv<linalg::Conv2DNchwFchwOp>(
          rewriter, loc, type, input, filter, init, strides, dilations);
    default:
      return createNamedConv<linalg::Conv3DNcdhwFcdhwOp>(
          rewriter, loc, type, input, filter, init, strides, dilations);
    }
  }

  // Grouped (or beyond 3-D): [N, G*C, D...] -> [N, G, C, D...] and [G*F, C,
  // K...] -> [G, F, C, K...]; the result [N, G, F, O...] merges back.
  auto inputType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  // The batch may be known only at run time; channels and spatial sizes not.
  auto staticBeyondBatch = [](RankedTensorType t) {
    return llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
  };
  if (!staticBeyondBatch(inputType) || !filterType.hasStaticShape() ||
      !staticBeyondBatch(type))
    return rewriter.notifyMatchFailure(
        op, "grouped convolution needs static channel and spatial sizes");
  int64_t groupedRank = type.getRank() + 1;
  auto groupedInputType = splitChannels(inputType, groups, 1);
  auto groupedFilterType = splitChannels(filterType, groups, 0);
  auto groupedResultType = splitChannels(type, groups, 1);
  OpFoldResult batch = tensor::getMixedSize(rewriter, loc, input, 0);
  auto sizesWithBatch = [&](RankedTensorType t) {
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(rewriter.getContext(), t.getShape());
    sizes[0] = batch;
    return sizes;
  };
  Value groupedInput = tensor::ExpandShapeOp::create(
      rewriter, loc, groupedInputType, input, mergeDims(groupedRank, 1),
      sizesWithBatch(groupedInputType));
  Value groupedFilter = tensor::ExpandShapeOp::create(
      rewriter, loc, groupedFilterType, filter, mergeDims(groupedRank, 0));
  Value init = createFilledTensor(rewriter, loc, groupedResultType,
                                  sizesWithBatch(groupedResultType), zero);
  Value grouped =
      spatialRank == 2
          ? createNamedConv<linalg::Conv2DNgchwGfchwOp>(
                rewriter, loc, groupedResultType, groupedInput, groupedFilter,
                init, strides, dilations)
          : createGroupedConvGeneric(rewriter, loc, groupedInput, groupedFilter,
                                     init, strides, dilations);
  return tensor::CollapseShapeOp::create(rewriter, loc, type, grouped,
                                         mergeDims(groupedRank, 1))
      .getResult();
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t spatialRank = op.getSpatialRank();
    SmallVector<int64_t> padding = op.getSpatialPadding();
    Value input = padSpatial(
        rewriter, op.getLoc(), adaptor.getInput(),
        ArrayRef(padding).take_front(spatialRank),
        ArrayRef(padding).drop_front(spatialRank),
        getNeutralElement(type.getElementType(), ReductionKind::Sum));
    auto result = buildConvolution(rewriter, op, input, adaptor.getFilter(),
                                   type, op.getSpatialStrides(),
                                   op.getSpatialDilations(), op.getGroups());
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Spreads the spatial dims of `input` ([N, C, D...]) to the input of the
/// stride-1 convolution that computes its transposed convolution: element i
/// of spatial dim d moves to e_d + i * s_d in a zero tensor with a full
/// dilated window (e_d = dilation_d * (K_d - 1)) of zeros on each side plus the
/// output padding at the end, and then the padding is cut off.
static Value spreadForTransposedConv(OpBuilder &b, Location loc, Value input,
                                     ConvTransposeOp op,
                                     ArrayRef<int64_t> kernel,
                                     ArrayRef<int64_t> outputShape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t spatialRank = op.getSpatialRank();
  SmallVector<int64_t> strides = op.getSpatialStrides(),
                       dilations = op.getSpatialDilations(),
                       padding = op.getSpatialPadding(),
                       outputPadding = op.getSpatialOutputPadding();
  SmallVector<OpFoldResult> spreadSizes = {
      tensor::getMixedSize(b, loc, input, 0),
      tensor::getMixedSize(b, loc, input, 1)};
  SmallVector<OpFoldResult> insertOffsets(2, b.getIndexAttr(0)),
      insertStrides(2, b.getIndexAttr(1)), cropOffsets(2, b.getIndexAttr(0)),
      cropSizes = spreadSizes;
  SmallVector<int64_t> spreadShape(inputType.getShape().take_front(2)),
      cropShape = spreadShape;
  for (int64_t i = 0; i < spatialRank; ++i) {
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
  SmallVector<OpFoldResult> unitStrides(inputType.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(cropShape, elementType), spread,
      cropOffsets, cropSizes, unitStrides);
}

/// The filter of the equivalent regular convolution: `filter` ([G * C, F,
/// K...]) transposed per group and flipped spatially, in `kiln.conv`'s layout
/// [G * F, C, K...]: `filter'[g * F + f, c, k...] = filter[g * C + c, f,
/// K-1-k...]`. One `linalg.generic` over loops (g, f, c, k...) writes the
/// grouped view [G, F, C, K...], which then merges its first two dims.
static Value flipFilter(OpBuilder &b, Location loc, Value filter,
                        int64_t groups) {
  auto filterType = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> shape = filterType.getShape();
  Type elementType = filterType.getElementType();
  int64_t channels = shape[0] / groups, features = shape[1];
  int64_t spatialRank = filterType.getRank() - 2;
  MLIRContext *context = b.getContext();
  unsigned numLoops = 3 + spatialRank;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> readExprs = {dim(0) * channels + dim(2), dim(1)};
  SmallVector<int64_t> groupedShape = {groups, features, channels};
  for (int64_t i = 0; i < spatialRank; ++i) {
    readExprs.push_back(shape[2 + i] - 1 - dim(3 + i));
    groupedShape.push_back(shape[2 + i]);
  }
  auto groupedType = RankedTensorType::get(groupedShape, elementType);
  Value init = tensor::EmptyOp::create(b, loc, groupedShape, elementType);
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, readExprs, context),
      AffineMap::getMultiDimIdentityMap(numLoops, context)};
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  Value grouped =
      linalg::GenericOp::create(
          b, loc, TypeRange{groupedType}, ValueRange{filter}, ValueRange{init},
          maps, iterators,
          [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
            linalg::YieldOp::create(nested, nestedLoc, args[0]);
          })
          .getResult(0);
  SmallVector<int64_t> flippedShape(groupedShape.begin() + 1,
                                    groupedShape.end());
  flippedShape[0] = groups * features;
  return tensor::CollapseShapeOp::create(
             b, loc, RankedTensorType::get(flippedShape, elementType), grouped,
             mergeDims(groupedShape.size(), 0))
      .getResult();
}

struct ConvTransposeLowering : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), filter = adaptor.getFilter();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    int64_t groups = op.getGroups();
    // The spread and the flip need the spatial sizes and the filter; groups
    // also reshape the channels.
    bool staticSpatial = llvm::none_of(inputType.getShape().drop_front(2),
                                       ShapedType::isDynamic);
    if (!filterType.hasStaticShape() || !staticSpatial ||
        (groups != 1 && !inputType.hasStaticShape()))
      return rewriter.notifyMatchFailure(
          op, "transposed convolution needs a static filter and static "
              "spatial input sizes (and static shapes when grouped)");
    ArrayRef<int64_t> kernel = filterType.getShape().drop_front(2);
    Value spread = spreadForTransposedConv(rewriter, loc, input, op, kernel,
                                           type.getShape());
    Value flipped = flipFilter(rewriter, loc, filter, groups);
    SmallVector<int64_t> unitStrides(op.getSpatialRank(), 1);
    auto result =
        buildConvolution(rewriter, op, spread, flipped, type, unitStrides,
                         op.getSpatialDilations(), groups);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void populateContractionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, ConvLowering, ConvTransposeLowering>(
      patterns.getContext());
}

} // namespace kiln
