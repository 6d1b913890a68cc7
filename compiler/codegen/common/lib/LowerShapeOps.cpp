//===- LowerShapeOps.cpp - kiln shape and data movement ops to tensor -----===//
//
// Reshapes of static shapes become a `tensor.collapse_shape` to 1-D followed by
// a `tensor.expand_shape`: both are views after bufferization, so a reshape
// costs no copy. Dynamic reshapes use `tensor.reshape` with a computed shape.
// Transposes become `linalg.transpose`; concatenation inserts each input into
// an empty result with `tensor.insert_slice`. Slices with positive steps are
// `tensor.extract_slice` (a view); negative steps are a `linalg.generic` whose
// input map has negative coefficients. Constant padding is `tensor.pad`;
// reflect and edge padding are a `linalg.generic` that computes each source
// index and reads it with `tensor.extract`. `broadcast_to` is a
// `linalg.generic` with a broadcasting input map.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "ShapeLoweringHelpers.h"

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
    // The element count must fit the target shape, or the reshape would read
    // past the input (or leave elements out).
    Value knownValue = arith::ConstantIndexOp::create(b, loc, known);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    bool inferred = llvm::is_contained(target, -1);
    Value fits =
        inferred ? arith::CmpIOp::create(
                       b, loc, arith::CmpIPredicate::eq,
                       arith::RemUIOp::create(b, loc, count, knownValue), zero)
                       .getResult()
                 : arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         count, knownValue)
                       .getResult();
    emitRunTimeCheck(b, loc, fits,
                     describeForCheck(op) +
                         ": the input's element count does not fit the target "
                         "shape at run time");
    SmallVector<Value> dims;
    for (int64_t dim : target) {
      Value size =
          dim == -1
              ? arith::DivUIOp::create(b, loc, count, knownValue).getResult()
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
    for (auto [index, input] : llvm::enumerate(inputs))
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && index > 0)
          emitSizeCheck(rewriter, loc,
                        tensor::getMixedSize(rewriter, loc, input, d), sizes[d],
                        describeForCheck(op) + ": dimension " + Twine(d) +
                            " of input #" + Twine(index) +
                            " differs from input #0's at run time");

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

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> offsets = op.getOffsets(), sizes = op.getSizes();
    // An empty result reads nothing (and an affine map over an empty range
    // would be evaluated at -1 by linalg's verifier).
    if (type.hasStaticShape() && type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(),
                                                   type.getElementType());
      return success();
    }
    // The step of a dim with one element does not matter: make it 1.
    SmallVector<int64_t> steps(op.getSteps());
    for (auto [size, step] : llvm::zip(sizes, steps))
      if (size == 1)
        step = 1;
    if (llvm::all_of(steps, [](int64_t step) { return step > 0; })) {
      SmallVector<OpFoldResult> mixedSizes;
      for (auto [d, size] : llvm::enumerate(sizes))
        mixedSizes.push_back(size == -1
                                 ? tensor::getMixedSize(rewriter, loc, input, d)
                                 : rewriter.getIndexAttr(size));
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, input, getAsIndexOpFoldResult(getContext(), offsets),
          mixedSizes, getAsIndexOpFoldResult(getContext(), steps));
      return success();
    }
    // Element j of dim d reads input element offsets[d] + j * steps[d]: an
    // affine map with constant (possibly negative) coefficients. Dims taken
    // whole (size -1) have offset 0 and step 1.
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(rewriter.getAffineDimExpr(d) * steps[d] + offsets[d]);
    AffineMap inputMap = AffineMap::get(rank, 0, exprs, getContext());
    AffineMap outputMap = rewriter.getMultiDimIdentityMap(rank);
    // Only dims taken whole (size -1) keep the input's, possibly dynamic,
    // size.
    SmallVector<OpFoldResult> resultSizes =
        tensor::getMixedSizes(rewriter, loc, input);
    for (int64_t d = 0; d < rank; ++d)
      if (sizes[d] != -1)
        resultSizes[d] = rewriter.getIndexAttr(sizes[d]);
    Value init = createEmptyTensor(rewriter, loc, type, resultSizes);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, input, init,
        ArrayRef<AffineMap>{inputMap, outputMap},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location nested, ValueRange args) {
          linalg::YieldOp::create(b, nested, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getMode() == "constant") {
      TypedAttr value = op.getValueAttr();
      if (!value)
        value = cast<TypedAttr>(rewriter.getZeroAttr(type.getElementType()));
      Value padValue = createElementConstant(rewriter, loc, value);
      rewriter.replaceOpWithNewOp<tensor::PadOp>(
          op, type, input, getAsIndexOpFoldResult(getContext(), op.getLow()),
          getAsIndexOpFoldResult(getContext(), op.getHigh()), padValue);
      return success();
    }
    rewriter.replaceOp(op, buildIndexedPadding(rewriter, loc, input, op));
    return success();
  }

  /// Reflect or edge padding: a generic over the result that reads, for each
  /// position, the input element the mode maps it to. The source index is
  /// clamped into the input at the end, so that even a dynamic dim smaller
  /// than its reflect pad never reads outside the input.
  static Value buildIndexedPadding(OpBuilder &b, Location loc, Value input,
                                   PadOp op) {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    bool reflect = op.getMode() == "reflect";
    SmallVector<OpFoldResult> inputSizes = tensor::getMixedSizes(b, loc, input);
    SmallVector<OpFoldResult> resultSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!type.isDynamicDim(d)) {
        resultSizes.push_back(b.getIndexAttr(type.getDimSize(d)));
        continue;
      }
      Value padded = arith::AddIOp::create(
          b, loc, getValueOrCreateConstantIndexOp(b, loc, inputSizes[d]),
          arith::ConstantIndexOp::create(b, loc,
                                         op.getLow()[d] + op.getHigh()[d]));
      resultSizes.push_back(padded);
    }
    Value init = createEmptyTensor(b, loc, type, resultSizes);
    auto generic = linalg::GenericOp::create(
        b, loc, type, ValueRange(), init,
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nested, ValueRange) {
          SmallVector<Value> source;
          for (int64_t d = 0; d < rank; ++d) {
            Value position = linalg::IndexOp::create(nb, nested, d);
            int64_t low = op.getLow()[d], high = op.getHigh()[d];
            if (low == 0 && high == 0) {
              source.push_back(position);
              continue;
            }
            Value size =
                getValueOrCreateConstantIndexOp(nb, nested, inputSizes[d]);
            source.push_back(
                buildPaddingSource(nb, nested, position, low, size, reflect));
          }
          Value element = tensor::ExtractOp::create(nb, nested, input, source);
          linalg::YieldOp::create(nb, nested, element);
        });
    return generic.getResult(0);
  }

  /// The input index that reflect or edge padding reads for result index
  /// `position` of a dim padded by `low` in front.
  static Value buildPaddingSource(OpBuilder &b, Location loc, Value position,
                                  int64_t low, Value size, bool reflect) {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value last = arith::SubIOp::create(b, loc, size, one);
    Value index = arith::SubIOp::create(
        b, loc, position, arith::ConstantIndexOp::create(b, loc, low));
    if (reflect) {
      // Before the start: -index. After the end: 2 * last - index.
      Value before =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
      Value negated = arith::SubIOp::create(b, loc, zero, index);
      index = arith::SelectOp::create(b, loc, before, negated, index);
      Value after =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, index, last);
      Value mirrored = arith::SubIOp::create(
          b, loc, arith::AddIOp::create(b, loc, last, last), index);
      index = arith::SelectOp::create(b, loc, after, mirrored, index);
    }
    // Edge padding is exactly this clamp; for reflect it only guards sizes the
    // verifier could not check.
    index = arith::MaxSIOp::create(b, loc, index, zero);
    return arith::MinSIOp::create(b, loc, index, last);
  }
};

struct BroadcastToLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    AffineMap inputMap = getBroadcastMap(getContext(), inputType.getShape(),
                                         type.getShape(), rank);
    Value init = createEmptyTensor(
        rewriter, loc, type,
        getAsIndexOpFoldResult(getContext(), type.getShape()));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, input, init,
        ArrayRef<AffineMap>{inputMap, rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location nested, ValueRange args) {
          linalg::YieldOp::create(b, nested, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering,
               SliceLowering, PadLowering, BroadcastToLowering>(
      patterns.getContext());
}

} // namespace kiln
