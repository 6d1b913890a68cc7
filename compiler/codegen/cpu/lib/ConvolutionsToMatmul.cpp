//===- ConvolutionsToMatmul.cpp - kiln-convolutions-to-matmul -------------===//
//
// Generated convolutions as matrix products, so that they run on the tiled,
// vectorized micro-kernel of kiln-vectorize-contractions: the input's
// patches are gathered into a matrix (im2col) whose columns are output
// positions, and the filter, one row per output channel, multiplies it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCONVOLUTIONSTOMATMULPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

bool isStaticF32(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

/// `values` of a dense i64 attribute (strides, dilations).
SmallVector<int64_t> getValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(llvm::map_range(
      attr.getValues<APInt>(), [](const APInt &v) { return v.getSExtValue(); }));
}

struct ConvolutionToMatmul : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
    Value init = conv.getOutputs()[0];
    if (!conv.hasPureTensorSemantics() || !isStaticF32(input) ||
        !isStaticF32(filter) || !isStaticF32(init))
      return rewriter.notifyMatchFailure(conv, "not static f32 tensors");
    ArrayRef<int64_t> inShape = cast<RankedTensorType>(input.getType()).getShape();
    ArrayRef<int64_t> fShape = cast<RankedTensorType>(filter.getType()).getShape();
    ArrayRef<int64_t> outShape = cast<RankedTensorType>(init.getType()).getShape();
    int64_t n = inShape[0], c = inShape[1], f = fShape[0], kh = fShape[2],
            kw = fShape[3], oh = outShape[2], ow = outShape[3];
    SmallVector<int64_t> strides = getValues(conv.getStrides());
    SmallVector<int64_t> dilations = getValues(conv.getDilations());

    Location loc = conv.getLoc();
    Type f32 = rewriter.getF32Type();
    int64_t positions = n * oh * ow;
    Value patches =
        n == 1 && kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1
            ? collapse(rewriter, loc, input, {{0, 1}, {2, 3}})
            : gatherPatches(rewriter, loc, input, {c, kh, kw, n, oh, ow},
                            strides, dilations);
    Value matrixFilter = collapse(rewriter, loc, filter, {{0}, {1, 2, 3}});

    // The output with channels first: [F, N*OH*OW].
    Value channelsFirst = init;
    if (n != 1)
      channelsFirst = transpose(rewriter, loc, init, {1, 0, 2, 3});
    Value matrixInit = collapse(rewriter, loc, channelsFirst,
                                n == 1 ? SmallVector<ReassociationIndices>{
                                             {0, 1}, {2, 3}}
                                       : SmallVector<ReassociationIndices>{
                                             {0}, {1, 2, 3}});
    auto product = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{RankedTensorType::get({f, positions}, f32)},
        ValueRange{matrixFilter, patches}, ValueRange{matrixInit});

    Value result;
    if (n == 1) {
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, init.getType(), product.getResult(0),
          SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    } else {
      Value unflat = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({f, n, oh, ow}, f32),
          product.getResult(0),
          SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
      result = transpose(rewriter, loc, unflat, {1, 0, 2, 3});
    }
    rewriter.replaceOp(conv, result);
    return success();
  }

  static Value collapse(PatternRewriter &rewriter, Location loc, Value value,
                        ArrayRef<ReassociationIndices> groups) {
    return tensor::CollapseShapeOp::create(rewriter, loc, value, groups);
  }

  static Value transpose(PatternRewriter &rewriter, Location loc, Value value,
                         ArrayRef<int64_t> permutation) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape;
    for (int64_t dim : permutation)
      shape.push_back(type.getDimSize(dim));
    Value empty = tensor::EmptyOp::create(rewriter, loc, shape,
                                          type.getElementType());
    return linalg::TransposeOp::create(rewriter, loc, value, empty,
                                       permutation)
        .getResult()[0];
  }

  /// im2col: patches[c, kh, kw, n, oh, ow] = input[n, c, oh*sh + kh*dh,
  /// ow*sw + kw*dw], collapsed to [C*KH*KW, N*OH*OW].
  static Value gatherPatches(PatternRewriter &rewriter, Location loc,
                             Value input, ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations) {
    MLIRContext *context = rewriter.getContext();
    AffineExpr c = getAffineDimExpr(0, context), kh = getAffineDimExpr(1, context),
               kw = getAffineDimExpr(2, context), n = getAffineDimExpr(3, context),
               oh = getAffineDimExpr(4, context), ow = getAffineDimExpr(5, context);
    AffineMap read = AffineMap::get(
        6, 0,
        {n, c, oh * strides[0] + kh * dilations[0],
         ow * strides[1] + kw * dilations[1]},
        context);
    AffineMap write = AffineMap::getMultiDimIdentityMap(6, context);
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, rewriter.getF32Type());
    auto copy = linalg::GenericOp::create(
        rewriter, loc, empty.getType(), ValueRange{input}, ValueRange{empty},
        ArrayRef<AffineMap>{read, write},
        SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
        [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(b, loc, args[0]);
        });
    return collapse(rewriter, loc, copy.getResult(0), {{0, 1, 2}, {3, 4, 5}});
  }
};

struct ConvolutionsToMatmulPass
    : impl::KilnConvolutionsToMatmulPassBase<ConvolutionsToMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvolutionToMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
