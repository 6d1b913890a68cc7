//===- LowerContractions.cpp - kiln matmul and conv2d to linalg -----------===//
//
// 2-D matmuls become `linalg.matmul`; batched ones (with broadcast batch dims)
// a `linalg.generic` contraction. Convolutions pad their input with
// `tensor.pad` and become `linalg.conv_2d_nchw_fchw`, or
// `linalg.conv_2d_ngchw_gfchw` on reshaped operands when grouped. All
// accumulate into a zero-filled init tensor.
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
    Value init = createFilledTensor(
        rewriter, loc, type,
        getMatMulResultSizes(rewriter, loc, type, lhs, rhs),
        getNeutralElement(type.getElementType(), ReductionKind::Sum));

    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
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
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !type.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "grouped convolution needs static shapes for now");
    ArrayRef<int64_t> in = inputType.getShape(), f = filterType.getShape();
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
    Value groupedInput = tensor::ExpandShapeOp::create(
        rewriter, loc, groupedInputType, input, splitChannels);
    Value groupedFilter = tensor::ExpandShapeOp::create(
        rewriter, loc, groupedFilterType, filter, splitFilters);
    Value init =
        createFilledTensor(rewriter, loc, groupedResultType,
                           getAsIndexOpFoldResult(rewriter.getContext(),
                                                  groupedResultType.getShape()),
                           zero);
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedResultType},
        ValueRange{groupedInput, groupedFilter}, ValueRange{init}, strides,
        dilations);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, conv.getResult(0), splitChannels);
    return success();
  }
};

} // namespace

void populateContractionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, Conv2DLowering>(patterns.getContext());
}

} // namespace kiln
