//===- LowerPooling.cpp - kiln pooling ops to linalg ----------------------===//
//
// Max pooling pads with -inf and becomes `linalg.pooling_nchw_max`. Average
// pooling pads with zero, sums with `linalg.pooling_nchw_sum`, and divides by
// the number of positions that count for each output position (computed here,
// at compile time, since it depends only on static sizes and the padding
// rules).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

/// Padding beyond the declared end padding that ceil mode needs so that the
/// last window fits in the padded input.
static int64_t getCeilModeExtraPadding(int64_t input, int64_t output,
                                       int64_t kernel, int64_t stride,
                                       int64_t dilation, int64_t padBegin,
                                       int64_t padEnd) {
  int64_t needed = (output - 1) * stride + dilation * (kernel - 1) + 1;
  return std::max<int64_t>(0, needed - (input + padBegin + padEnd));
}

/// The pooled window's common parts: the padded input, an init tensor, the
/// window shape tensor, and the strides/dilations attributes.
struct PoolingOperands {
  Value padded;
  Value init;
  Value window;
  DenseIntElementsAttr strides;
  DenseIntElementsAttr dilations;
  SmallVector<int64_t, 2> extraPadding;
};

template <typename PoolOp>
static FailureOr<PoolingOperands>
preparePooling(PoolOp op, Value input, ArrayRef<int64_t> dilations,
               TypedAttr padValue, TypedAttr initValue,
               ConversionPatternRewriter &rewriter) {
  Location loc = op.getLoc();
  auto type = cast<RankedTensorType>(op.getType());
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.isDynamicDim(2) || inputType.isDynamicDim(3))
    return rewriter.notifyMatchFailure(
        op, "dynamic spatial sizes are not supported yet");
  ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                    padding = op.getPadding();
  PoolingOperands operands;
  SmallVector<int64_t, 2> padEnd;
  for (int i = 0; i < 2; ++i) {
    int64_t extra = getCeilModeExtraPadding(
        inputType.getDimSize(2 + i), type.getDimSize(2 + i), kernel[i],
        strides[i], dilations[i], padding[i], padding[2 + i]);
    operands.extraPadding.push_back(extra);
    padEnd.push_back(padding[2 + i] + extra);
  }
  operands.padded =
      padSpatial(rewriter, loc, input, padding.take_front(2), padEnd, padValue);
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(rewriter, loc, input, 0),
      tensor::getMixedSize(rewriter, loc, input, 1),
      rewriter.getIndexAttr(type.getDimSize(2)),
      rewriter.getIndexAttr(type.getDimSize(3))};
  operands.init = createFilledTensor(rewriter, loc, type, sizes, initValue);
  operands.window =
      tensor::EmptyOp::create(rewriter, loc, kernel, type.getElementType());
  operands.strides = getI64Vector(rewriter, strides);
  operands.dilations = getI64Vector(rewriter, dilations);
  return operands;
}

struct MaxPool2DLowering : OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    TypedAttr lowest =
        getNeutralElement(type.getElementType(), ReductionKind::Max);
    auto operands = preparePooling(op, adaptor.getInput(), op.getDilations(),
                                   lowest, lowest, rewriter);
    if (failed(operands))
      return failure();
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, op.getLoc(), TypeRange{type},
        ValueRange{operands->padded, operands->window},
        ValueRange{operands->init}, operands->strides, operands->dilations);
    rewriter.replaceOp(op, pool.getResult(0));
    return success();
  }
};

/// How many window positions count along one spatial dim, for each output
/// index.
static SmallVector<int64_t> countWindowPositions(int64_t input, int64_t output,
                                                 int64_t kernel, int64_t stride,
                                                 int64_t padBegin,
                                                 int64_t padEnd,
                                                 bool countPadding) {
  // In padded coordinates the input occupies [padBegin, padBegin + input) and
  // the declared padding extends it to [0, padBegin + input + padEnd).
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

struct AvgPool2DLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto elementType = cast<FloatType>(type.getElementType());
    TypedAttr zero = getNeutralElement(elementType, ReductionKind::Sum);
    SmallVector<int64_t, 2> noDilation = {1, 1};
    auto operands = preparePooling(op, adaptor.getInput(), noDilation, zero,
                                   zero, rewriter);
    if (failed(operands))
      return failure();
    auto sum = linalg::PoolingNchwSumOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{operands->padded, operands->window},
        ValueRange{operands->init}, operands->strides, operands->dilations);

    // The divisor of every output position, as a [HO, WO] constant.
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                      padding = op.getPadding();
    SmallVector<SmallVector<int64_t>, 2> counts;
    for (int i = 0; i < 2; ++i)
      counts.push_back(countWindowPositions(
          inputType.getDimSize(2 + i), type.getDimSize(2 + i), kernel[i],
          strides[i], padding[i], padding[2 + i], op.getCountIncludePad()));
    SmallVector<APFloat> divisors;
    for (int64_t rows : counts[0])
      for (int64_t columns : counts[1]) {
        bool losesInfo = false;
        APFloat divisor(static_cast<double>(rows * columns));
        divisor.convert(elementType.getFloatSemantics(),
                        APFloat::rmNearestTiesToEven, &losesInfo);
        divisors.push_back(divisor);
      }
    auto divisorType = RankedTensorType::get(
        {type.getDimSize(2), type.getDimSize(3)}, elementType);
    Value divisorTensor = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(divisorType, divisors));

    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(4, context),
        AffineMap::get(
            4, 0, {getAffineDimExpr(2, context), getAffineDimExpr(3, context)},
            context),
        AffineMap::getMultiDimIdentityMap(4, context)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    Value sumValue = sum.getResult(0);
    auto average = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{sumValue, divisorTensor},
        ValueRange{sumValue}, maps, iterators,
        [](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value quotient =
              arith::DivFOp::create(b, nestedLoc, args[0], args[1]);
          linalg::YieldOp::create(b, nestedLoc, quotient);
        });
    rewriter.replaceOp(op, average.getResult(0));
    return success();
  }
};

} // namespace

void populatePoolingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, AvgPool2DLowering>(patterns.getContext());
}

} // namespace kiln
