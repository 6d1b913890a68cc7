//===- LowerShapeOps.cpp - kiln reshape, transpose and concat to tensor ---===//
//
// Reshapes of static shapes become a `tensor.collapse_shape` to 1-D followed by
// a `tensor.expand_shape`: both are views after bufferization, so a reshape
// costs no copy. Dynamic reshapes use `tensor.reshape` with a computed shape.
// Transposes become `linalg.transpose`; concatenation inserts each input into
// an empty result with `tensor.insert_slice`.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

/// One group holding every dim of a rank-`rank` tensor (none for rank 0).
static SmallVector<ReassociationIndices> collapseAllDims(int64_t rank) {
  if (rank == 0)
    return {};
  ReassociationIndices all;
  for (int64_t d = 0; d < rank; ++d)
    all.push_back(d);
  return {all};
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    if (inputType.hasStaticShape() && type.hasStaticShape()) {
      Value flat = input;
      if (inputType.getRank() != 1) {
        auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                              inputType.getElementType());
        if (inputType.getRank() == 0)
          flat = tensor::ExpandShapeOp::create(rewriter, loc, flatType, input,
                                               collapseAllDims(0));
        else
          flat = tensor::CollapseShapeOp::create(
              rewriter, loc, flatType, input,
              collapseAllDims(inputType.getRank()));
      }
      if (type.getRank() == 1) {
        rewriter.replaceOp(op, flat);
      } else if (type.getRank() == 0) {
        rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
            op, type, flat, collapseAllDims(0));
      } else {
        rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
            op, type, flat, collapseAllDims(type.getRank()));
      }
      return success();
    }
    rewriter.replaceOp(op, buildDynamicReshape(rewriter, loc, input, op));
    return success();
  }

  /// tensor.reshape with a shape computed at run time; the -1 entry is the
  /// element count divided by the product of the others.
  static Value buildDynamicReshape(OpBuilder &b, Location loc, Value input,
                                   ReshapeOp op) {
    auto inputType = cast<RankedTensorType>(input.getType());
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = 0; d < inputType.getRank(); ++d) {
      Value size = tensor::DimOp::create(b, loc, input, d);
      count = arith::MulIOp::create(b, loc, count, size);
    }
    ArrayRef<int64_t> target = op.getShape();
    int64_t known = 1;
    for (int64_t dim : target)
      if (dim != -1)
        known *= dim;
    SmallVector<Value> dims;
    for (int64_t dim : target) {
      Value size =
          dim == -1 ? arith::DivUIOp::create(
                          b, loc, count,
                          arith::ConstantIndexOp::create(b, loc, known))
                          .getResult()
                    : arith::ConstantIndexOp::create(b, loc, dim).getResult();
      dims.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), size));
    }
    Value shape = tensor::FromElementsOp::create(b, loc, dims);
    return tensor::ReshapeOp::create(b, loc, op.getType(), input, shape);
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> sizes;
    for (int64_t source : op.getPermutation())
      sizes.push_back(tensor::getMixedSize(rewriter, loc, input, source));
    Value init = createEmptyTensor(rewriter, loc, type, sizes);
    auto transpose = linalg::TransposeOp::create(rewriter, loc, input, init,
                                                 op.getPermutation());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis(), rank = type.getRank();
    ValueRange inputs = adaptor.getInputs();

    // Result sizes: the first input's, except along the axis, where sizes add
    // up.
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, inputs[0]);
    SmallVector<OpFoldResult> offsets;
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value input : inputs) {
      offsets.push_back(offset);
      OpFoldResult size = tensor::getMixedSize(rewriter, loc, input, axis);
      offset = addOpFoldResults(rewriter, loc, offset, size);
    }
    sizes[axis] = offset;
    for (int64_t d = 0; d < rank; ++d)
      if (!type.isDynamicDim(d))
        sizes[d] = rewriter.getIndexAttr(type.getDimSize(d));

    Value result = createEmptyTensor(rewriter, loc, type, sizes);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    for (auto [input, axisOffset] : llvm::zip(inputs, offsets)) {
      SmallVector<OpFoldResult> inputOffsets(rank, rewriter.getIndexAttr(0));
      inputOffsets[axis] = axisOffset;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, inputOffsets,
          tensor::getMixedSizes(rewriter, loc, input), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  static OpFoldResult addOpFoldResults(OpBuilder &b, Location loc,
                                       OpFoldResult lhs, OpFoldResult rhs) {
    std::optional<int64_t> l = getConstantIntValue(lhs),
                           r = getConstantIntValue(rhs);
    if (l && r)
      return b.getIndexAttr(*l + *r);
    return arith::AddIOp::create(b, loc,
                                 getValueOrCreateConstantIndexOp(b, loc, lhs),
                                 getValueOrCreateConstantIndexOp(b, loc, rhs))
        .getResult();
  }
};

} // namespace

void populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering>(
      patterns.getContext());
}

} // namespace kiln
