//===- ConvolutionsToMatmul.cpp - kiln-convolutions-to-matmul -------------===//
//
// Generated convolutions as matrix products, so that they run on the tiled,
// vectorized micro-kernel of kiln-vectorize-contractions: the input's
// patches are gathered into a matrix (im2col) whose columns are output
// positions, and the filter, one row per output channel, multiplies it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCONVOLUTIONSTOMATMULPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Columns of kiln-vectorize-contractions' register tile: the shifted
/// products below are sized to whole tiles of it, so that they need no
/// padding there.
constexpr int64_t kTileColumns = 32;

/// Patch matrices up to this size are copied (im2col); larger ones are
/// replaced by shifted products (ConvolutionToMatmul::shiftedProducts),
/// which read and write the output once per filter tap instead. Measured on
/// one thread: 64-channel 3x3 at 56x56 (7 MiB of patches) 1.28 -> 1.10 ms
/// shifted, but 128 channels at 28x28 (3.5 MiB) 1.31 -> 1.47 ms and 256 at
/// 14x14 1.19 -> 1.49 ms.
constexpr int64_t kMaxPatchBytes = 4 << 20;

/// Patch matrices of more than this are gathered band by band of output
/// rows (ConvolutionToMatmul::bandedProducts), each band just before its
/// product, so that they are read from cache; only where a band still has
/// kMinBandPositions columns. Measured on one thread: ResNet's 7x7 stem (3
/// channels, stride 2, 7.4 MiB of patches) 1.26 -> 1.11 ms in bands of 6
/// rows (1.17 ms with 2 MiB bands, 1.13 with 1 MiB); but narrower bands
/// slow products with large filters down: 256 channels 3x3 at 14x14 in
/// bands of 4 rows (56 positions) 1.07 -> 1.30 ms.
constexpr int64_t kMaxBandPatchBytes = 512 << 10;
constexpr int64_t kMinBandPositions = 512;

/// Images of at most this many output positions (7x7 and smaller) with a
/// constant filter are computed as the transposed product
/// (ConvolutionToMatmul::transposedProduct). Measured on one thread: 512
/// channels 3x3 at 7x7 1.41 -> 1.07 ms, 3x3 of stride 2 to 7x7 1.30 ->
/// 1.09 ms; but at 14x14 (196 positions) slower: 256 channels 3x3 1.19 ->
/// 1.35 ms, 1024 -> 256 1x1 0.48 -> 0.68 ms.
constexpr int64_t kMaxTransposedPositions = 64;

bool isStaticF32(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

/// `values` of a dense i64 attribute (strides, dilations).
SmallVector<int64_t> getValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(
      llvm::map_range(attr.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
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
    ArrayRef<int64_t> inShape =
        cast<RankedTensorType>(input.getType()).getShape();
    ArrayRef<int64_t> fShape =
        cast<RankedTensorType>(filter.getType()).getShape();
    ArrayRef<int64_t> outShape =
        cast<RankedTensorType>(init.getType()).getShape();
    int64_t n = inShape[0], c = inShape[1], f = fShape[0], kh = fShape[2],
            kw = fShape[3], oh = outShape[2], ow = outShape[3];
    SmallVector<int64_t> strides = getValues(conv.getStrides());
    SmallVector<int64_t> dilations = getValues(conv.getDilations());

    Location loc = conv.getLoc();
    Type f32 = rewriter.getF32Type();
    auto fill = init.getDefiningOp<linalg::FillOp>();
    DenseElementsAttr weights;
    bool largePatches =
        c * kh * kw * oh * ow * int64_t(sizeof(float)) > kMaxPatchBytes;
    if (n == 1 && strides[0] == 1 && strides[1] == 1 && kh * kw > 1 && fill &&
        largePatches && matchPattern(filter, m_Constant(&weights))) {
      Value taps = tapsFirst(rewriter, loc, weights);
      rewriter.replaceOp(conv, shiftedProducts(rewriter, loc, input, taps, fill,
                                               oh, ow, {kh, kw}, dilations));
      return success();
    }
    if (n == 1 && oh * ow <= kMaxTransposedPositions && fill &&
        matchPattern(filter, m_Constant(&weights))) {
      rewriter.replaceOp(conv,
                         transposedProduct(rewriter, loc, input, weights, fill,
                                           oh, ow, strides, dilations));
      return success();
    }
    int64_t rowPatchBytes = c * kh * kw * ow * int64_t(sizeof(float));
    int64_t rowsPerBand = bandRows(rowPatchBytes, oh, ow);
    if (n == 1 && fill &&
        !(kh == 1 && kw == 1 && strides == ArrayRef<int64_t>{1, 1}) &&
        rowPatchBytes * oh > kMaxBandPatchBytes &&
        rowsPerBand * ow >= kMinBandPositions) {
      rewriter.replaceOp(conv, bandedProducts(rewriter, loc, input, filter,
                                              fill, oh, ow, rowsPerBand,
                                              {kh, kw}, strides, dilations));
      return success();
    }
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
    Value matrixInit =
        collapse(rewriter, loc, channelsFirst,
                 n == 1 ? SmallVector<ReassociationIndices>{{0, 1}, {2, 3}}
                        : SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
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

  /// The constant filter [F, C, KH, KW] reordered at compile time to
  /// [KH*KW, F, C], so that each tap is a contiguous [F, C] matrix.
  static Value tapsFirst(PatternRewriter &rewriter, Location loc,
                         DenseElementsAttr weights) {
    ArrayRef<int64_t> shape = weights.getType().getShape();
    int64_t f = shape[0], c = shape[1], taps = shape[2] * shape[3];
    SmallVector<float> source(weights.getValues<float>());
    SmallVector<float> reordered(source.size());
    for (int64_t o = 0; o < f; ++o)
      for (int64_t i = 0; i < c; ++i)
        for (int64_t t = 0; t < taps; ++t)
          reordered[(t * f + o) * c + i] = source[(o * c + i) * taps + t];
    auto type = RankedTensorType::get({taps, f, c}, rewriter.getF32Type());
    return arith::ConstantOp::create(
        rewriter, loc, type,
        DenseElementsAttr::get(type, ArrayRef<float>(reordered)));
  }

  /// The row length, in floats, at which to store a constant matrix of `f`
  /// columns that the register tile reads down its rows: rows a multiple of
  /// 4 KiB apart all fall into the same sets of the L1 cache (12 ways), so
  /// the 256 rows of a reduction slice evict each other. One more cache line
  /// per row spreads them over every set. Measured on one thread: 512 ->
  /// 2048 channels 1x1 at 7x7 0.56 -> 0.45 ms, 1024 -> 2048 of stride 2
  /// 1.14 -> 0.91 ms; rows 2 KiB apart (512 channels) gain nothing.
  static int64_t paddedRowLength(int64_t f) {
    constexpr int64_t kAliasingFloats = 4096 / sizeof(float);
    return f % kAliasingFloats == 0 ? f + 64 / sizeof(float) : f;
  }

  /// A convolution of one small image as the transposed product: patches
  /// [OH*OW, C*KH*KW] (gathered in that order) times the filter reordered at
  /// compile time to [C*KH*KW, F], transposed back to [F, OH*OW] at the end.
  /// The product's columns are then the output channels (multiples of the
  /// register tile) instead of the positions (49, padded to 64), its rows the
  /// positions (7 divides them), and both operands are read along rows.
  static Value transposedProduct(PatternRewriter &rewriter, Location loc,
                                 Value input, DenseElementsAttr weights,
                                 linalg::FillOp fill, int64_t oh, int64_t ow,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> dilations) {
    ArrayRef<int64_t> fShape = weights.getType().getShape();
    int64_t f = fShape[0], c = fShape[1], kh = fShape[2], kw = fShape[3];
    int64_t patch = c * kh * kw, positions = oh * ow;
    Type f32 = rewriter.getF32Type();

    // The filter as [C*KH*KW, F], in rows of `rowLength` >= F.
    int64_t rowLength = paddedRowLength(f);
    SmallVector<float> source(weights.getValues<float>());
    SmallVector<float> transposed(patch * rowLength, 0.0f);
    for (int64_t o = 0; o < f; ++o)
      for (int64_t k = 0; k < patch; ++k)
        transposed[k * rowLength + o] = source[o * patch + k];
    auto storedType = RankedTensorType::get({patch, rowLength}, f32);
    Value filter = arith::ConstantOp::create(
        rewriter, loc, storedType,
        DenseElementsAttr::get(storedType, ArrayRef<float>(transposed)));
    if (rowLength != f)
      filter = tensor::ExtractSliceOp::create(
          rewriter, loc, filter,
          getAsIndexOpFoldResult(rewriter.getContext(), {0, 0}),
          getAsIndexOpFoldResult(rewriter.getContext(), {patch, f}),
          getAsIndexOpFoldResult(rewriter.getContext(), {1, 1}));

    // patches[oh, ow, c, kh, kw] = input[0, c, oh*sh + kh*dh, ow*sw + kw*dw].
    MLIRContext *context = rewriter.getContext();
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, context); };
    AffineMap read =
        AffineMap::get(5, 0,
                       {getAffineConstantExpr(0, context), dim(2),
                        dim(0) * strides[0] + dim(3) * dilations[0],
                        dim(1) * strides[1] + dim(4) * dilations[1]},
                       context);
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, {oh, ow, c, kh, kw}, f32);
    auto copy = linalg::GenericOp::create(
        rewriter, loc, empty.getType(), ValueRange{input}, ValueRange{empty},
        ArrayRef<AffineMap>{read,
                            AffineMap::getMultiDimIdentityMap(5, context)},
        SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
        [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(b, loc, args[0]);
        });
    Value patches =
        collapse(rewriter, loc, copy.getResult(0), {{0, 1}, {2, 3, 4}});

    Value accEmpty =
        tensor::EmptyOp::create(rewriter, loc, {positions, f}, f32);
    Value acc =
        linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], accEmpty)
            .getResult(0);
    Value product =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                 ValueRange{patches, filter}, ValueRange{acc})
            .getResult(0);
    Value channelsFirst = transpose(rewriter, loc, product, {1, 0});
    return tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({1, f, oh, ow}, f32),
        channelsFirst, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
  }

  /// A stride-1 convolution of one image without copying patches: with the
  /// output computed at every column of the padded input's width Wp (the
  /// last Wp - OW of each row are discarded), tap (kh, kw) of the filter
  /// multiplies the input flattened to [C, Hp*Wp] from offset kh*Wp + kw on:
  /// a plain view. So the convolution is KH*KW products accumulating into
  /// [F, OH*Wp] (rounded up to whole register tiles; the input gets zero rows
  /// at the bottom for the overrun), of the filter's [F, C] slice at tap
  /// (kh, kw) (`taps`, [KH*KW, F, C], see tapsFirst) by those views. Only
  /// for constant filters: reordering others at run time would cost more
  /// than the patches.
  static Value shiftedProducts(PatternRewriter &rewriter, Location loc,
                               Value input, Value taps, linalg::FillOp fill,
                               int64_t oh, int64_t ow,
                               ArrayRef<int64_t> kernelSize,
                               ArrayRef<int64_t> dilations) {
    auto inType = cast<RankedTensorType>(input.getType());
    auto tapsType = cast<RankedTensorType>(taps.getType());
    int64_t c = inType.getDimSize(1), hp = inType.getDimSize(2),
            wp = inType.getDimSize(3);
    int64_t f = tapsType.getDimSize(1), kh = kernelSize[0], kw = kernelSize[1];
    Type f32 = rewriter.getF32Type();
    int64_t columns =
        (oh * wp + kTileColumns - 1) / kTileColumns * kTileColumns;
    int64_t lastOffset = (kh - 1) * dilations[0] * wp + (kw - 1) * dilations[1];
    int64_t rows = std::max(hp, (lastOffset + columns + wp - 1) / wp);
    if (rows > hp) {
      Value zero =
          arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
      input = tensor::createPadHighOp(
          RankedTensorType::get({1, c, rows, wp}, f32), input, zero,
          /*nofold=*/false, loc, rewriter);
    }
    Value flat = collapse(rewriter, loc, input, {{0, 1}, {2, 3}});

    Value empty = tensor::EmptyOp::create(rewriter, loc,
                                          ArrayRef<int64_t>{f, columns}, f32);
    Value acc =
        linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
            .getResult(0);
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        Value tap =
            slice(rewriter, loc, taps, {i * kw + j, 0, 0}, {1, f, c}, {f, c});
        int64_t offset = i * dilations[0] * wp + j * dilations[1];
        Value shifted =
            slice(rewriter, loc, flat, {0, offset}, {c, columns}, {c, columns});
        acc =
            linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                     ValueRange{tap, shifted}, ValueRange{acc})
                .getResult(0);
      }

    // The valid part: [F, OH, Wp] without the last Wp - OW columns of rows.
    Value used = slice(rewriter, loc, acc, {0, 0}, {f, oh * wp}, {f, oh * wp});
    Value rowsView = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({f, oh, wp}, f32), used,
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    Value valid =
        slice(rewriter, loc, rowsView, {0, 0, 0}, {f, oh, ow}, {f, oh, ow});
    return tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({1, f, oh, ow}, f32), valid,
        SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
  }

  /// The unit-stride slice of `source` at `offsets` of `sizes`, as a tensor
  /// of `shape` (which may drop unit sizes).
  static Value slice(PatternRewriter &rewriter, Location loc, Value source,
                     ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                     ArrayRef<int64_t> shape) {
    MLIRContext *context = rewriter.getContext();
    SmallVector<int64_t> strides(sizes.size(), 1);
    return tensor::ExtractSliceOp::create(
        rewriter, loc,
        RankedTensorType::get(
            shape, cast<RankedTensorType>(source.getType()).getElementType()),
        source, getAsIndexOpFoldResult(context, offsets),
        getAsIndexOpFoldResult(context, sizes),
        getAsIndexOpFoldResult(context, strides));
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
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
    return linalg::TransposeOp::create(rewriter, loc, value, empty, permutation)
        .getResult()[0];
  }

  /// Output rows per band of bandedProducts: as many as keep a band's
  /// patches within kMaxBandPatchBytes, preferring a count whose positions
  /// are whole register tiles (kTileColumns).
  static int64_t bandRows(int64_t rowPatchBytes, int64_t oh, int64_t ow) {
    int64_t limit =
        std::clamp<int64_t>(kMaxBandPatchBytes / rowPatchBytes, 1, oh);
    for (int64_t rows = limit; rows > limit / 2; --rows)
      if (rows * ow % kTileColumns == 0)
        return rows;
    return limit;
  }

  /// A convolution of one image whose patch matrix would not stay in cache,
  /// as one im2col product per band of `rowsPerBand` output rows (bandRows):
  /// each band's patches are gathered just before its product reads them,
  /// instead of all being written to memory and read back. The bands write
  /// disjoint rows of the output.
  static Value bandedProducts(PatternRewriter &rewriter, Location loc,
                              Value input, Value filter, linalg::FillOp fill,
                              int64_t oh, int64_t ow, int64_t rowsPerBand,
                              ArrayRef<int64_t> kernelSize,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations) {
    auto inType = cast<RankedTensorType>(input.getType());
    auto fType = cast<RankedTensorType>(filter.getType());
    int64_t c = inType.getDimSize(1), wp = inType.getDimSize(3);
    int64_t f = fType.getDimSize(0), kh = kernelSize[0], kw = kernelSize[1];
    Type f32 = rewriter.getF32Type();
    MLIRContext *context = rewriter.getContext();
    auto indices = [&](ArrayRef<int64_t> values) {
      return getAsIndexOpFoldResult(context, values);
    };
    Value matrixFilter = collapse(rewriter, loc, filter, {{0}, {1, 2, 3}});
    Value result = tensor::EmptyOp::create(rewriter, loc, {1, f, oh, ow}, f32);
    for (int64_t first = 0; first < oh; first += rowsPerBand) {
      int64_t rows = std::min(rowsPerBand, oh - first);
      int64_t inputRows = (rows - 1) * strides[0] + (kh - 1) * dilations[0] + 1;
      Value band = tensor::ExtractSliceOp::create(
          rewriter, loc, input, indices({0, 0, first * strides[0], 0}),
          indices({1, c, inputRows, wp}), indices({1, 1, 1, 1}));
      Value patches = gatherPatches(
          rewriter, loc, band, {c, kh, kw, 1, rows, ow}, strides, dilations);
      Value empty = tensor::EmptyOp::create(rewriter, loc, {f, rows * ow}, f32);
      Value init =
          linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
              .getResult(0);
      Value product = linalg::MatmulOp::create(
                          rewriter, loc, TypeRange{init.getType()},
                          ValueRange{matrixFilter, patches}, ValueRange{init})
                          .getResult(0);
      Value rowsOut = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({1, f, rows, ow}, f32), product,
          SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
      result = tensor::InsertSliceOp::create(
          rewriter, loc, rowsOut, result, indices({0, 0, first, 0}),
          indices({1, f, rows, ow}), indices({1, 1, 1, 1}));
    }
    return result;
  }

  /// The patches of one image into `patches` ([C, KH, KW, 1, OH, OW]), one
  /// tap at a time: tap (kh, kw) is the input's [C, OH, OW] slice from row
  /// kh*dh and column kw*dw on, in steps of the strides. Each is a copy of
  /// rows, which LLVM moves with vector loads and stores, where a single
  /// loop nest over all six dimensions (gatherPatches' generic) copied
  /// element by element: 15% of a 128-channel 3x3 convolution at 28x28,
  /// which takes 0.97 instead of 1.08 ms on one thread (0.73 instead of 0.80
  /// on two), 256 channels at 14x14 1.01 instead of 1.06. Only for a column
  /// stride of 1: strided rows are copied element by element either way, and
  /// tap by tap was slower (128 channels of stride 2: 1.12 -> 1.18 ms).
  static Value copyTaps(PatternRewriter &rewriter, Location loc, Value input,
                        Value patches, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations) {
    auto type = cast<RankedTensorType>(patches.getType());
    int64_t c = type.getDimSize(0), kh = type.getDimSize(1),
            kw = type.getDimSize(2), oh = type.getDimSize(4),
            ow = type.getDimSize(5);
    MLIRContext *context = rewriter.getContext();
    auto indices = [&](ArrayRef<int64_t> values) {
      return getAsIndexOpFoldResult(context, values);
    };
    auto tapType = RankedTensorType::get({c, oh, ow}, type.getElementType());
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        Value tap = tensor::ExtractSliceOp::create(
            rewriter, loc, tapType, input,
            indices({0, 0, i * dilations[0], j * dilations[1]}),
            indices({1, c, oh, ow}), indices({1, 1, strides[0], strides[1]}));
        patches = tensor::InsertSliceOp::create(
            rewriter, loc, tap, patches, indices({0, i, j, 0, 0, 0}),
            indices({c, 1, 1, 1, oh, ow}), indices({1, 1, 1, 1, 1, 1}));
      }
    return patches;
  }

  /// im2col: patches[c, kh, kw, n, oh, ow] = input[n, c, oh*sh + kh*dh,
  /// ow*sw + kw*dw], collapsed to [C*KH*KW, N*OH*OW].
  static Value gatherPatches(PatternRewriter &rewriter, Location loc,
                             Value input, ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> dilations) {
    MLIRContext *context = rewriter.getContext();
    AffineExpr c = getAffineDimExpr(0, context),
               kh = getAffineDimExpr(1, context),
               kw = getAffineDimExpr(2, context),
               n = getAffineDimExpr(3, context),
               oh = getAffineDimExpr(4, context),
               ow = getAffineDimExpr(5, context);
    AffineMap read = AffineMap::get(6, 0,
                                    {n, c, oh * strides[0] + kh * dilations[0],
                                     ow * strides[1] + kw * dilations[1]},
                                    context);
    AffineMap write = AffineMap::getMultiDimIdentityMap(6, context);
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, rewriter.getF32Type());
    if (shape[3] == 1 && strides[1] == 1)
      return collapse(rewriter, loc,
                      copyTaps(rewriter, loc, input, empty, strides, dilations),
                      {{0, 1, 2}, {3, 4, 5}});
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
