//===- DecomposeConvTranspose.cpp - kiln-decompose-conv-transpose ---------===//
//
// A transposed convolution of stride s scatters every input element over a
// K-wide window: output position o = i*s + k - p. Along each spatial dim, the
// outputs of one phase r = o mod s are reached only by the taps k = k0 + s*j
// with k0 = (r + p) mod s, so phase r of the output is an ordinary
// convolution (stride 1, K/s taps, flipped) of the input. Library kernels
// run those s*s small convolutions several times faster than one strided
// deconvolution (oneDNN's deconvolution kernels skip no zeros: DCGAN's 128 ->
// 64 channels from 16x16 to 32x32 took 1.39 ms, its four phases 0.24), and the
// phases interleave into the output by a reshape of their concatenation,
// channels last: the convolution kernels work in NHWC, so the transposes
// around them cancel with the ones here, and each phase is copied into the
// output in whole rows of channels.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "ChannelConstant.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDECOMPOSECONVTRANSPOSEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// One spatial dim of a phase: the first tap (k0), the tap count, the pads of
/// the phase's convolution and the outputs per phase.
struct PhaseDim {
  int64_t firstTap, taps, padBegin, padEnd, outputs;
};

/// Phase `r` of a dim with input size `in`, output size `out`, stride `s`,
/// kernel `k` and begin pad `p`; none when the phase's convolution would need
/// negative padding.
std::optional<PhaseDim> phaseDim(int64_t r, int64_t in, int64_t out, int64_t s,
                                 int64_t k, int64_t p) {
  PhaseDim dim;
  dim.firstTap = (r + p) % s;
  dim.taps = k / s;
  dim.outputs = out / s;
  // Phase output q reads inputs q + c - (taps - 1) ... q + c.
  int64_t c = (r + p - dim.firstTap) / s;
  dim.padBegin = dim.taps - 1 - c;
  dim.padEnd = dim.outputs + c - in;
  if (dim.padBegin < 0 || dim.padEnd < 0)
    return std::nullopt;
  return dim;
}

/// The phase's filter [F, C, tapsY, tapsX] of a constant transposed-
/// convolution filter [C, F, KY, KX]: tap (a, b) is the original tap
/// (k0Y + sY*(tapsY - 1 - a), k0X + sX*(tapsX - 1 - b)).
DenseElementsAttr phaseFilter(DenseElementsAttr weights, const PhaseDim &y,
                              const PhaseDim &x, int64_t strideY,
                              int64_t strideX) {
  auto type = cast<RankedTensorType>(weights.getType());
  int64_t channels = type.getDimSize(0), filters = type.getDimSize(1),
          ky = type.getDimSize(2), kx = type.getDimSize(3);
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  ArrayRef<char> raw = weights.getRawData();
  auto phaseType =
      type.clone({filters, channels, y.taps, x.taps});
  std::vector<char> bytes(phaseType.getNumElements() * elementBytes);
  char *next = bytes.data();
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t a = 0; a < y.taps; ++a)
        for (int64_t b = 0; b < x.taps; ++b) {
          int64_t tapY = y.firstTap + strideY * (y.taps - 1 - a);
          int64_t tapX = x.firstTap + strideX * (x.taps - 1 - b);
          int64_t index = ((c * filters + f) * ky + tapY) * kx + tapX;
          next = std::copy_n(raw.data() + index * elementBytes, elementBytes,
                             next);
        }
  return DenseElementsAttr::getFromRawBuffer(phaseType, bytes);
}

struct DecomposeStridedConvTranspose : OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto type = cast<RankedTensorType>(op.getType());
    DenseElementsAttr weights;
    if (inType.getRank() != 4 || !inType.hasStaticShape() ||
        !type.hasStaticShape() || op.getGroups() != 1 ||
        !matchPattern(op.getFilter(), m_Constant(&weights)) ||
        weights.isSplat() || weights.getElementType().getIntOrFloatBitWidth() % 8)
      return rewriter.notifyMatchFailure(op, "not a static 2-D constant case");
    SmallVector<int64_t> strides = op.getSpatialStrides();
    SmallVector<int64_t> padding = op.getSpatialPadding();
    SmallVector<int64_t> dilations = op.getSpatialDilations();
    ArrayRef<int64_t> kernel = weights.getType().getShape().drop_front(2);
    if (dilations != ArrayRef<int64_t>{1, 1})
      return rewriter.notifyMatchFailure(op, "dilated");
    // phases[d][r]: phase r of spatial dim d.
    SmallVector<SmallVector<PhaseDim>> phases(2);
    for (int d = 0; d < 2; ++d) {
      int64_t in = inType.getDimSize(2 + d), out = type.getDimSize(2 + d);
      if (kernel[d] % strides[d] || out % strides[d])
        return rewriter.notifyMatchFailure(op, "phases of unequal shapes");
      for (int64_t r = 0; r < strides[d]; ++r) {
        std::optional<PhaseDim> dim =
            phaseDim(r, in, out, strides[d], kernel[d], padding[d]);
        if (!dim)
          return rewriter.notifyMatchFailure(op, "a phase needs cropping");
        phases[d].push_back(*dim);
      }
    }

    // Per-channel additions and elementwise activations that read only the
    // transposed convolution move onto every phase, into their kernels.
    SmallVector<Operation *> epilogue;
    Operation *last = op;
    while (last->hasOneUse()) {
      Operation *user = *last->getUsers().begin();
      if (auto add = dyn_cast<AddOp>(user);
          add && add.getType() == type &&
          llvm::any_of(add->getOperands(), [&](Value operand) {
            return operand != last->getResult(0) &&
                   isChannelConstant(operand, type);
          })) {
        epilogue.push_back(user);
      } else if (isa<ReluOp, TanhOp, SigmoidOp>(user)) {
        epilogue.push_back(user);
      } else {
        break;
      }
      last = user;
    }

    Location loc = op.getLoc();
    int64_t n = type.getDimSize(0), f = type.getDimSize(1);
    int64_t qy = phases[0][0].outputs, qx = phases[1][0].outputs;
    auto phaseType = type.clone({n, f, qy, qx});
    SmallVector<Value> rows;
    for (const PhaseDim &y : phases[0]) {
      SmallVector<Value> columns;
      for (const PhaseDim &x : phases[1]) {
        Value filter = ConstantOp::create(
            rewriter, loc, phaseFilter(weights, y, x, strides[0], strides[1]));
        Value phase = ConvOp::create(
            rewriter, loc, phaseType, op.getInput(), filter,
            rewriter.getDenseI64ArrayAttr({1, 1}),
            rewriter.getDenseI64ArrayAttr(
                {y.padBegin, x.padBegin, y.padEnd, x.padEnd}),
            rewriter.getDenseI64ArrayAttr({1, 1}),
            rewriter.getI64IntegerAttr(1));
        Value previous = op.getResult();
        for (Operation *step : epilogue) {
          IRMapping mapping;
          mapping.map(previous, phase);
          Operation *copy = rewriter.clone(*step, mapping);
          copy->getResult(0).setType(phaseType);
          previous = step->getResult(0);
          phase = copy->getResult(0);
        }
        Value channelsLast = TransposeOp::create(rewriter, loc, phase,
                                                 ArrayRef<int64_t>{0, 2, 3, 1});
        columns.push_back(
            ReshapeOp::create(rewriter, loc, channelsLast,
                              ArrayRef<int64_t>{n, qy, 1, qx, 1, f}));
      }
      rows.push_back(
          columns.size() == 1
              ? columns.front()
              : ConcatOp::create(rewriter, loc, columns, 4).getResult());
    }
    Value phasesTogether =
        rows.size() == 1 ? rows.front()
                         : ConcatOp::create(rewriter, loc, rows, 2).getResult();
    Value interleaved = ReshapeOp::create(
        rewriter, loc, phasesTogether,
        ArrayRef<int64_t>{n, type.getDimSize(2), type.getDimSize(3), f});
    rewriter.replaceOp(last,
                       TransposeOp::create(rewriter, loc, interleaved,
                                           ArrayRef<int64_t>{0, 3, 1, 2}));
    return success();
  }
};

struct DecomposeConvTransposePass
    : impl::KilnDecomposeConvTransposePassBase<DecomposeConvTransposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeStridedConvTranspose>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
