//===- SplitConcatConsumers.cpp - The kiln-split-concat-consumers pass ----===//
//
// A concatenation along channels (SqueezeNet's and Inception's modules join
// branches so) is a copy of every branch into one buffer: a convolution
// library writing a branch straight into its slice of the buffer needs
// strided outputs, which send oneDNN to its reference kernels. When the
// concatenation's only reader is a convolution, the copy is not needed at
// all: conv(concat(a, b), W) = conv(a, W[:, A]) + conv(b, W[:, B]), and each
// partial convolution adds into the previous one's output in place (a
// residual the kernel accumulates). A max pooling of a concatenation pools
// each branch instead, so that the concatenation moves to its reader.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "ChannelConstant.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSPLITCONCATCONSUMERSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The concatenation along channels (dim 1) of statically shaped tensors that
/// defines `value` and has no other reader, or null.
ConcatOp getChannelConcat(Value value) {
  auto concat = value.getDefiningOp<ConcatOp>();
  if (!concat || concat.getAxis() != 1 || !concat->hasOneUse())
    return nullptr;
  for (Value input : concat.getInputs())
    if (!cast<RankedTensorType>(input.getType()).hasStaticShape())
      return nullptr;
  return concat;
}

/// `max_pool(concat(a, b))` -> `concat(max_pool(a), max_pool(b))`: pooling
/// works on each channel alone.
struct PoolBranches : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPoolOp pool,
                                PatternRewriter &rewriter) const override {
    ConcatOp concat = getChannelConcat(pool.getInput());
    auto type = cast<RankedTensorType>(pool.getType());
    if (!concat || !type.hasStaticShape())
      return failure();
    SmallVector<Value> pooled;
    for (Value input : concat.getInputs()) {
      SmallVector<int64_t> shape(type.getShape());
      shape[1] = cast<RankedTensorType>(input.getType()).getDimSize(1);
      auto branch = cast<MaxPoolOp>(rewriter.clone(*pool));
      rewriter.modifyOpInPlace(branch, [&] {
        branch.getInputMutable().assign(input);
        branch.getResult().setType(type.clone(shape));
      });
      pooled.push_back(branch);
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(pool, type, pooled, /*axis=*/1);
    return success();
  }
};

/// Input channels [begin, begin + count) of `filter` ([F, C, K...]): computed
/// here for a constant filter (the generic folders stop at small tensors,
/// and filters are large), else a kiln.slice.
Value sliceFilter(PatternRewriter &rewriter, Location loc, Value filter,
                  int64_t begin, int64_t count) {
  auto type = cast<RankedTensorType>(filter.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[1] = count;
  auto slicedType = type.clone(shape);
  DenseElementsAttr weights;
  if (matchPattern(filter, m_Constant(&weights)) &&
      type.getElementTypeBitWidth() % 8 == 0) {
    if (weights.isSplat())
      return ConstantOp::create(rewriter, loc, weights.resizeSplat(slicedType));
    // Row-major: [F][C][rest], each (f, c) a contiguous run of `rest`
    // elements; the bytes are copied as they are.
    int64_t channels = type.getDimSize(1);
    int64_t rest = type.getNumElements() / (type.getDimSize(0) * channels);
    int64_t elementBytes = type.getElementTypeBitWidth() / 8;
    ArrayRef<char> raw = weights.getRawData();
    std::vector<char> kept;
    kept.reserve(slicedType.getNumElements() * elementBytes);
    for (int64_t f = 0; f < type.getDimSize(0); ++f) {
      const char *first =
          raw.data() + (f * channels + begin) * rest * elementBytes;
      kept.insert(kept.end(), first, first + count * rest * elementBytes);
    }
    return ConstantOp::create(
        rewriter, loc, DenseElementsAttr::getFromRawBuffer(slicedType, kept));
  }
  SmallVector<int64_t> offsets(type.getRank(), 0), steps(type.getRank(), 1);
  offsets[1] = begin;
  return SliceOp::create(rewriter, loc, filter, offsets, slicedType.getShape(),
                         steps);
}

/// `conv(concat(a, b), W)` -> `conv(b, W[:, B]) + conv(a, W[:, A])`. When the
/// convolution's reader adds a per-channel bias, the bias goes to the first
/// partial convolution, so that each kernel takes its bias or the previous
/// partial sum in its epilogue.
struct SplitConvolution : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    ConcatOp concat = getChannelConcat(conv.getInput());
    auto type = cast<RankedTensorType>(conv.getType());
    if (!concat || conv.getGroups() != 1 || !type.hasStaticShape() ||
        !cast<RankedTensorType>(conv.getFilter().getType()).hasStaticShape())
      return failure();
    Location loc = conv.getLoc();
    AddOp biasAdd;
    Value bias;
    if (conv->hasOneUse())
      if (auto add = dyn_cast<AddOp>(*conv->getUsers().begin());
          add && add.getType() == type)
        for (Value operand : add->getOperands())
          if (operand != conv.getResult() && isChannelConstant(operand, type)) {
            biasAdd = add;
            bias = operand;
          }
    Value sum;
    int64_t begin = 0;
    for (Value input : concat.getInputs()) {
      int64_t count = cast<RankedTensorType>(input.getType()).getDimSize(1);
      Value filter = sliceFilter(rewriter, loc, conv.getFilter(), begin, count);
      begin += count;
      Value partial = ConvOp::create(
          rewriter, loc, type, input, filter, conv.getStridesAttr(),
          conv.getPaddingAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
      if (!sum)
        sum =
            bias ? AddOp::create(rewriter, loc, type, partial, bias).getResult()
                 : partial;
      else
        sum = AddOp::create(rewriter, loc, type, partial, sum);
    }
    if (biasAdd)
      rewriter.replaceOp(biasAdd, sum);
    else
      rewriter.replaceOp(conv, sum);
    return success();
  }
};

struct SplitConcatConsumersPass
    : impl::KilnSplitConcatConsumersPassBase<SplitConcatConsumersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PoolBranches, SplitConvolution>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
