//===- LowerReductions.cpp - kiln reductions and softmax to linalg --------===//
//
// Reductions become `linalg.reduce` into a tensor filled with the neutral
// element (0 for sums, -inf or the lowest integer for max); a mean divides the
// sum by the number of reduced elements; `keep_dims` re-inserts unit dims with
// `tensor.expand_shape`. Softmax becomes `linalg.softmax`, which
// `kiln-decompose-aggregates` later expands.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

/// Reduces `input` over `axes` with `kind`; the result drops the reduced dims.
static Value buildReduce(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> axes, ReductionKind kind) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < inputType.getRank(); ++d) {
    if (llvm::is_contained(axes, d))
      continue;
    shape.push_back(inputType.getDimSize(d));
    sizes.push_back(tensor::getMixedSize(b, loc, input, d));
  }
  auto reducedType = RankedTensorType::get(shape, inputType.getElementType());
  Value init =
      createFilledTensor(b, loc, reducedType, sizes,
                         getNeutralElement(inputType.getElementType(), kind));
  ArithKind combine =
      kind == ReductionKind::Sum ? ArithKind::Add : ArithKind::Max;
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{init}, axes,
      [combine](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value combined =
            createArith(nested, nestedLoc, combine, args[0], args[1]);
        linalg::YieldOp::create(nested, nestedLoc, combined);
      });
  return reduce.getResult(0);
}

/// Divides every element of `sum` by the number of elements reduced along
/// `axes`.
static Value divideByCount(OpBuilder &b, Location loc, Value sum, Value input,
                           ArrayRef<int64_t> axes) {
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t axis : axes) {
    Value size = tensor::DimOp::create(b, loc, input, axis);
    count = arith::MulIOp::create(b, loc, count, size);
  }
  auto type = cast<RankedTensorType>(sum.getType());
  Type elementType = type.getElementType();
  Value countInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  Value divisor = arith::UIToFPOp::create(b, loc, elementType, countInt);
  unsigned rank = type.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps(2,
                              AffineMap::getMultiDimIdentityMap(rank, context));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{sum}, ValueRange{sum}, maps,
      iterators,
      [divisor](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value quotient =
            arith::DivFOp::create(nested, nestedLoc, args[0], divisor);
        linalg::YieldOp::create(nested, nestedLoc, quotient);
      });
  return generic.getResult(0);
}

/// Groups the dims of the keep-dims result so that each reduced (unit) dim
/// joins the kept dim before it, or the first kept dim when it leads.
static SmallVector<ReassociationIndices>
keepDimsReassociation(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      if (groups.empty())
        leading.push_back(d);
      else
        groups.back().push_back(d);
      continue;
    }
    ReassociationIndices group = leading;
    leading.clear();
    group.push_back(d);
    groups.push_back(group);
  }
  return groups; // empty when every dim is reduced: expand from rank 0
}

template <typename ReduceKilnOp, ReductionKind kind, bool isMean>
struct ReduceLowering : OpConversionPattern<ReduceKilnOp> {
  using OpConversionPattern<ReduceKilnOp>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceKilnOp op, typename ReduceKilnOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> axes = op.getAxes();
    Value result = buildReduce(rewriter, loc, input, axes, kind);
    if (isMean)
      result = divideByCount(rewriter, loc, result, input, axes);
    if (op.getKeepDims()) {
      auto type = cast<RankedTensorType>(op.getType());
      if (!type.hasStaticShape())
        return rewriter.notifyMatchFailure(
            op, "keep_dims with dynamic shapes is not supported yet");
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, type, result,
          keepDimsReassociation(type.getRank(), axes));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = createEmptyTensor(rewriter, loc, type,
                                   tensor::getMixedSizes(rewriter, loc, input));
    auto softmax = linalg::SoftmaxOp::create(rewriter, loc, TypeRange{type},
                                             input, init, op.getAxis());
    rewriter.replaceOp(op, softmax.getResult());
    return success();
  }
};

} // namespace

void populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReductionKind::Sum, false>,
               ReduceLowering<ReduceMeanOp, ReductionKind::Sum, true>,
               ReduceLowering<ReduceMaxOp, ReductionKind::Max, false>,
               SoftmaxLowering>(patterns.getContext());
}

} // namespace kiln
