//===- ExpandFilterGradients.cpp - The kiln-expand-filter-gradients pass --===//
//
// Rewrites kiln.conv_filter_gradient into kiln ops for the generated-code
// path: the filter gradient of a convolution is itself a convolution, over
// the batch, of the input with the output gradient.
//
//   dW[f, c, k...] = sum_{n, o...} outGrad[n, f, o...]
//                    * input[n, g(f) * C/G + c, o * stride + k * dilation
//                                               - pad_begin ...]
//
// is a kiln.conv of input^T ([C/G, G * N, D...]: channel g * N + n of batch c
// is input[n, g * C/G + c]) with outGrad^T ([F, N, O...]) in G groups, with
// stride and dilation swapped, giving [C/G, F, K'...] (K' >= K; the extra
// positions, which the forward op never reached, are sliced off), then
// transposed to [F, C/G, K...]. With a dynamic batch (which grouped
// convolutions do not lower with among their channels) each group gets its
// own correlation.
//
// The CPU pipeline runs the pass after kiln-select-kernels, which hands 2-D
// f32 filter gradients to oneDNN's backward-weights kernel: the others (f64,
// 1-D and 3-D, or every one with --cpu-kernels=codegen) are expanded here,
// before kiln-lower-to-linalg. That pass also expands any it meets (the same
// pattern), so that a module lowered without this pass still lowers.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Codegen/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnBuilders.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <numeric>

namespace kiln {
#define GEN_PASS_DEF_KILNEXPANDFILTERGRADIENTSPASS
#include "kiln/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Channels [start, start + size) of `value` ([N, C, D...], N possibly
/// dynamic).
Value sliceChannels(OpBuilder &b, Location loc, Value value, int64_t start,
                    int64_t size) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0), steps(type.getRank(), 1);
  offsets[1] = start;
  SmallVector<int64_t> sizes(type.getShape());
  sizes[0] = type.isDynamicDim(0) ? int64_t(-1) : sizes[0];
  sizes[1] = size;
  return SliceOp::create(b, loc, value, offsets, sizes, steps);
}

/// What the expansion needs, checked before anything is built: static
/// channel and spatial sizes (the batch may be dynamic), and, per spatial
/// dim, the end padding of the correlation that makes its result exactly K
/// wide where possible (the forward op's last window ends `unused` positions
/// before the padded input does).
FailureOr<SmallVector<int64_t>> correlationPadding(ConvFilterGradientOp op) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto gradType = cast<RankedTensorType>(op.getOutputGradient().getType());
  if (!staticBeyondBatch(inputType) || !staticBeyondBatch(gradType) ||
      !cast<RankedTensorType>(op.getType()).hasStaticShape())
    return failure();
  int64_t spatialRank = op.getSpatialRank();
  ArrayRef<int64_t> kernel = op.getKernel();
  SmallVector<int64_t> strides = op.getSpatialStrides(),
                       padding = op.getSpatialPadding(),
                       dilations = op.getSpatialDilations();
  SmallVector<int64_t> result(padding);
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t inSize = inputType.getDimSize(2 + i);
    int64_t outSize = gradType.getDimSize(2 + i);
    int64_t unused = inSize + padding[i] + padding[spatialRank + i] -
                     dilations[i] * (kernel[i] - 1) - 1 -
                     strides[i] * (outSize - 1);
    result[spatialRank + i] =
        std::max<int64_t>(0, padding[spatialRank + i] - unused);
    // The correlation's output size: at least K (the verifier made O the
    // forward op's output size).
    FailureOr<int64_t> size = computeWindowedOutputSize(
        inSize, outSize, /*stride=*/dilations[i], /*dilation=*/strides[i],
        result[i], result[spatialRank + i], /*ceilMode=*/false);
    if (failed(size) || *size < kernel[i])
      return failure();
  }
  return result;
}

/// Builds the expansion of `op` (which correlationPadding accepted) and
/// returns the filter gradient, of `op`'s type.
Value buildExpansion(OpBuilder &b, ConvFilterGradientOp op,
                     ArrayRef<int64_t> padding) {
  Location loc = op.getLoc();
  Value input = op.getInput(), outGrad = op.getOutputGradient();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  int64_t groups = op.getGroups();
  int64_t groupChannels = cast<RankedTensorType>(op.getType()).getDimSize(1);
  int64_t batch =
      inputType.isDynamicDim(0) ? int64_t(-1) : inputType.getDimSize(0);

  if (groups > 1 && inputType.isDynamicDim(0)) {
    // The batch would be among the channels of the grouped correlation, which
    // grouped convolutions do not lower with: one correlation per group, its
    // [C / G, F / G, K...] results joined along F.
    auto gradType = cast<RankedTensorType>(outGrad.getType());
    int64_t groupFeatures = gradType.getDimSize(1) / groups;
    SmallVector<Value> parts;
    for (int64_t g = 0; g < groups; ++g) {
      Value inputPart =
          sliceChannels(b, loc, input, g * groupChannels, groupChannels);
      Value gradPart =
          sliceChannels(b, loc, outGrad, g * groupFeatures, groupFeatures);
      Value inputPartT =
          TransposeOp::create(b, loc, inputPart, swapDims(rank, 0, 1));
      Value gradPartT =
          TransposeOp::create(b, loc, gradPart, swapDims(rank, 0, 1));
      Value correlation = ConvOp::create(
          b, loc, inputPartT, gradPartT, /*strides=*/op.getSpatialDilations(),
          padding, /*dilations=*/op.getSpatialStrides(), /*groups=*/1);
      parts.push_back(sliceSpatial(b, loc, correlation, op.getKernel()));
    }
    Value joined = ConcatOp::create(b, loc, parts, /*axis=*/1);
    return TransposeOp::create(b, loc, joined, swapDims(rank, 0, 1));
  }

  Value inputT;
  if (groups == 1) {
    inputT = TransposeOp::create(b, loc, input, swapDims(rank, 0, 1));
  } else {
    // [N, C, D...] -> [N, G, C/G, D...] -> [C/G, G, N, D...]
    //   -> [C/G, G * N, D...]
    SmallVector<int64_t> split = {batch, groups, groupChannels};
    llvm::append_range(split, inputType.getShape().drop_front(2));
    Value grouped = ReshapeOp::create(b, loc, input, split);
    SmallVector<int64_t> permutation = {2, 1, 0};
    for (int64_t d = 3; d < rank + 1; ++d)
      permutation.push_back(d);
    Value moved = TransposeOp::create(b, loc, grouped, permutation);
    SmallVector<int64_t> merged = {groupChannels, -1};
    llvm::append_range(merged, inputType.getShape().drop_front(2));
    inputT = ReshapeOp::create(b, loc, moved, merged);
  }
  Value gradT = TransposeOp::create(b, loc, outGrad, swapDims(rank, 0, 1));
  Value correlation = ConvOp::create(
      b, loc, inputT, gradT, /*strides=*/op.getSpatialDilations(), padding,
      /*dilations=*/op.getSpatialStrides(), groups);
  Value sliced = sliceSpatial(b, loc, correlation, op.getKernel());
  return TransposeOp::create(b, loc, sliced, swapDims(rank, 0, 1));
}

struct ExpandConvFilterGradient : OpRewritePattern<ConvFilterGradientOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvFilterGradientOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<int64_t>> padding = correlationPadding(op);
    if (failed(padding))
      return rewriter.notifyMatchFailure(
          op, "needs static channel and spatial sizes");
    rewriter.replaceOp(op, buildExpansion(rewriter, op, *padding));
    return success();
  }
};

struct ExpandFilterGradientsPass
    : impl::KilnExpandFilterGradientsPassBase<ExpandFilterGradientsPass> {
  void runOnOperation() override {
    SmallVector<ConvFilterGradientOp> ops;
    getOperation()->walk([&](ConvFilterGradientOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (ConvFilterGradientOp op : ops) {
      FailureOr<SmallVector<int64_t>> padding = correlationPadding(op);
      if (failed(padding)) {
        op.emitOpError("cannot be expanded: it needs static channel and "
                       "spatial sizes, got ")
            << op.getInput().getType() << " and "
            << op.getOutputGradient().getType();
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, buildExpansion(rewriter, op, *padding));
    }
  }
};

} // namespace

void populateFilterGradientExpansionPatterns(RewritePatternSet &patterns) {
  patterns.add<ExpandConvFilterGradient>(patterns.getContext());
}

} // namespace kiln
