//===- FoldConvScale.cpp - The kiln-fold-conv-scale pass ------------------===//
//
// Inference BatchNormalization arrives as `conv * k + c` with per-channel
// constants k and c (after a convolution or a transposed one, as in DCGAN's
// generator). Multiplying the filter by k once, when compiling, leaves
// `conv' + c`, a convolution with a bias, which library kernels and fusion
// handle in one pass over the output. The filter is computed here directly:
// the generic constant folders stop at small tensors, and filters are large.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <type_traits>

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDCONVSCALEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The per-channel values of `value` when it is a float constant that varies
/// only along dim 1 of a result of rank `rank` with `channels` channels (or is
/// a scalar): one value per channel. Empty otherwise.
SmallVector<APFloat> perChannelConstant(Value value, int64_t rank,
                                        int64_t channels) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return {};
  ArrayRef<int64_t> shape = attr.getType().getShape();
  if (static_cast<int64_t>(shape.size()) > rank)
    return {};
  int64_t leading = rank - shape.size();
  for (auto [index, size] : llvm::enumerate(shape)) {
    int64_t dim = leading + index;
    if (size != 1 && !(dim == 1 && size == channels))
      return {};
  }
  SmallVector<APFloat> values(attr.getValues<APFloat>());
  if (values.size() == 1)
    values.assign(channels, values.front());
  return values;
}

/// The output channel that element `index` (row-major) of a filter of
/// `shape` contributes to: [F, C / groups, K...] for kiln.conv, and
/// [C, F / groups, K...] for kiln.conv_transpose, whose row c belongs to group
/// c / (C / groups).
int64_t outputChannelOf(int64_t index, ArrayRef<int64_t> shape, int64_t groups,
                        bool transposed) {
  int64_t window = 1;
  for (int64_t size : shape.drop_front(2))
    window *= size;
  if (!transposed)
    return index / (shape[1] * window);
  int64_t row = index / (shape[1] * window);
  int64_t column = index / window % shape[1];
  return row / (shape[0] / groups) * shape[1] + column;
}

/// The constant `filter` with every weight that feeds output channel f
/// multiplied by scale[f].
DenseElementsAttr scaleFilter(DenseFPElementsAttr filter,
                              ArrayRef<APFloat> scale, int64_t groups,
                              bool transposed) {
  SmallVector<APFloat> values(filter.getValues<APFloat>());
  ArrayRef<int64_t> shape = filter.getType().getShape();
  for (size_t i = 0; i < values.size(); ++i) {
    APFloat factor = scale[outputChannelOf(i, shape, groups, transposed)];
    bool losesInfo;
    factor.convert(values[i].getSemantics(), APFloat::rmNearestTiesToEven,
                   &losesInfo);
    values[i].multiply(factor, APFloat::rmNearestTiesToEven);
  }
  return DenseElementsAttr::get(filter.getType(), values);
}

/// `conv(x, W) * k` -> `conv(x, W * k)` for a constant filter W and a
/// per-channel constant k, when nothing else reads the convolution (a
/// kiln.conv or kiln.conv_transpose).
template <typename ConvOpTy>
struct FoldScaleIntoConv : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      auto conv = mul->getOperand(side).template getDefiningOp<ConvOpTy>();
      if (!conv || !conv->hasOneUse() || mul.getType() != conv.getType())
        continue;
      DenseFPElementsAttr filter;
      if (!matchPattern(conv.getFilter(), m_Constant(&filter)))
        continue;
      auto type = cast<RankedTensorType>(conv.getType());
      if (type.isDynamicDim(1))
        continue;
      SmallVector<APFloat> scale = perChannelConstant(
          mul->getOperand(1 - side), type.getRank(), type.getDimSize(1));
      if (scale.empty())
        continue;
      Value scaled = ConstantOp::create(
          rewriter, conv.getLoc(),
          scaleFilter(filter, scale, conv.getGroups(),
                      std::is_same_v<ConvOpTy, ConvTransposeOp>));
      rewriter.modifyOpInPlace(conv,
                               [&] { conv.getFilterMutable().assign(scaled); });
      rewriter.replaceOp(mul, conv.getResult());
      return success();
    }
    return failure();
  }
};

/// `(y + c) * k` -> `y * k + c * k` for per-channel constants c and k, so that
/// the scale reaches the convolution before it (the new constant is small).
struct ScaleBeforeBias : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(mul.getType());
    if (type.getRank() < 3 || type.isDynamicDim(1))
      return failure();
    int64_t channels = type.getDimSize(1);
    for (int side = 0; side < 2; ++side) {
      auto add = mul->getOperand(side).getDefiningOp<AddOp>();
      Value scale = mul->getOperand(1 - side);
      if (!add || !add->hasOneUse() ||
          perChannelConstant(scale, type.getRank(), channels).empty())
        continue;
      for (int addSide = 0; addSide < 2; ++addSide) {
        Value inner = add->getOperand(addSide),
              bias = add->getOperand(1 - addSide);
        if (inner.getType() != mul.getType() ||
            !isa_and_nonnull<ConvOp, ConvTransposeOp>(inner.getDefiningOp()) ||
            perChannelConstant(bias, type.getRank(), channels).empty())
          continue;
        Location loc = mul.getLoc();
        Value scaled = MulOp::create(rewriter, loc, inner, scale);
        Value scaledBias = MulOp::create(rewriter, loc, bias, scale);
        rewriter.replaceOpWithNewOp<AddOp>(mul, scaled, scaledBias);
        return success();
      }
    }
    return failure();
  }
};

struct FoldConvScalePass : impl::KilnFoldConvScalePassBase<FoldConvScalePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldScaleIntoConv<ConvOp>, FoldScaleIntoConv<ConvTransposeOp>,
                 ScaleBeforeBias>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
