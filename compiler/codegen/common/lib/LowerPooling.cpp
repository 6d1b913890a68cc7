//===- LowerPooling.cpp - kiln pooling ops to linalg ----------------------===//
//
// Max pooling pads with its neutral element (-inf, or the smallest integer)
// and average pooling with zero; both then become linalg's named pooling ops
// for 1 and 2 spatial dims (`linalg.pooling_ncw_*`, `linalg.pooling_nchw_*`)
// and, since linalg has no channels-first pooling beyond 2-D, the same window
// reduction written as a `linalg.generic` for 3 and more. Average pooling
// divides the sums by the number of positions that count for each output
// position (computed here, at compile time, since it depends only on static
// sizes and the padding rules).
//
// Max pooling with indices is one `linalg.generic` over the output and the
// window with two results, the maximum and its flat index: it reads the
// unpadded input with `tensor.extract` at clamped positions and skips the ones
// in the padding, so that a padded position never wins, even against -inf.
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

/// The window geometry of a pooling op, with defaults filled in.
struct PoolGeometry {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
};

template <typename PoolOp>
static PoolGeometry getGeometry(PoolOp op, ArrayRef<int64_t> dilations) {
  int64_t spatialRank = op.getSpatialRank();
  SmallVector<int64_t> padding = op.getSpatialPadding();
  return {SmallVector<int64_t>(op.getKernelSize()), op.getSpatialStrides(),
          SmallVector<int64_t>(dilations),
          SmallVector<int64_t>(ArrayRef(padding).take_front(spatialRank)),
          SmallVector<int64_t>(ArrayRef(padding).drop_front(spatialRank))};
}

/// The padding at the end of each spatial dim: the declared padding plus what
/// ceil mode needs, for spatial sizes `input` and `output`.
static SmallVector<int64_t> getPaddingEnd(const PoolGeometry &geometry,
                                          ArrayRef<int64_t> input,
                                          ArrayRef<int64_t> output) {
  SmallVector<int64_t> padEnd;
  for (size_t i = 0; i < geometry.kernel.size(); ++i)
    padEnd.push_back(
        geometry.padEnd[i] +
        getCeilModeExtraPadding(input[i], output[i], geometry.kernel[i],
                                geometry.strides[i], geometry.dilations[i],
                                geometry.padBegin[i], geometry.padEnd[i]));
  return padEnd;
}

/// Whether `type`'s spatial dims are all static.
static bool hasStaticSpatialSizes(RankedTensorType type) {
  return llvm::none_of(type.getShape().drop_front(2), ShapedType::isDynamic);
}

/// The sizes of a pooling result: N and C from `input`, static spatial sizes.
static SmallVector<OpFoldResult> getPoolResultSizes(OpBuilder &b, Location loc,
                                                    Value input,
                                                    RankedTensorType type) {
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, input, 0),
                                     tensor::getMixedSize(b, loc, input, 1)};
  for (int64_t d = 2; d < type.getRank(); ++d)
    sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
  return sizes;
}

/// A window reduction of any spatial rank k as a `linalg.generic`: loops (n,
/// c, o_1..o_k, w_1..w_k) read input[n, c, o_i * stride_i + w_i * dilation_i]
/// and the window tensor (for the w bounds) and combine into init.
static Value createPoolingGeneric(OpBuilder &b, Location loc,
                                  RankedTensorType type, Value input,
                                  Value window, Value init,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations,
                                  ArithKind combiner) {
  MLIRContext *context = b.getContext();
  int64_t k = strides.size();
  unsigned numLoops = 2 + 2 * k;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)}, windowExprs,
                          outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < k; ++i) {
    inputExprs.push_back(dim(2 + i) * strides[i] +
                         dim(2 + k + i) * dilations[i]);
    windowExprs.push_back(dim(2 + k + i));
    outputExprs.push_back(dim(2 + i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, context),
      AffineMap::get(numLoops, 0, windowExprs, context),
      AffineMap::get(numLoops, 0, outputExprs, context)};
  SmallVector<utils::IteratorType> iterators(2 + k,
                                             utils::IteratorType::parallel);
  iterators.append(k, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{input, window},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(
                   nested, nestedLoc,
                   createArith(nested, nestedLoc, combiner, args[2], args[0]));
             })
      .getResult(0);
}

/// Pads `input` (with `padValue`, plus what ceil mode needs at the end) and
/// reduces its windows with `combiner` into a tensor filled with `initValue`.
template <typename NcwOp, typename NchwOp>
static FailureOr<Value>
buildPooling(ConversionPatternRewriter &rewriter, Operation *op, Value input,
             RankedTensorType type, const PoolGeometry &geometry,
             TypedAttr padValue, TypedAttr initValue, ArithKind combiner) {
  Location loc = op->getLoc();
  auto inputType = cast<RankedTensorType>(input.getType());
  if (!hasStaticSpatialSizes(inputType))
    return rewriter.notifyMatchFailure(
        op, "dynamic spatial sizes are not supported yet");
  int64_t spatialRank = geometry.kernel.size();
  SmallVector<int64_t> padEnd =
      getPaddingEnd(geometry, inputType.getShape().drop_front(2),
                    type.getShape().drop_front(2));
  Value padded =
      padSpatial(rewriter, loc, input, geometry.padBegin, padEnd, padValue);
  Value init = createFilledTensor(
      rewriter, loc, type, getPoolResultSizes(rewriter, loc, input, type),
      initValue);
  Value window = tensor::EmptyOp::create(rewriter, loc, geometry.kernel,
                                         type.getElementType());
  auto create = [&](auto tag) -> Value {
    using OpTy = decltype(tag);
    return OpTy::create(rewriter, loc, TypeRange{type},
                        ValueRange{padded, window}, ValueRange{init},
                        getI64Vector(rewriter, geometry.strides),
                        getI64Vector(rewriter, geometry.dilations))
        .getResult(0);
  };
  if (spatialRank == 1)
    return create(NcwOp());
  if (spatialRank == 2)
    return create(NchwOp());
  return createPoolingGeneric(rewriter, loc, type, padded, window, init,
                              geometry.strides, geometry.dilations, combiner);
}

/// The channels-last tensor that `value` transposes to channels first, when
/// it is such a transpose ([N, H, W, C] -> [N, C, H, W]) of static shape:
/// the activations between library convolutions, which work in NHWC.
static Value getChannelsLastSource(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{0, 3, 1, 2})
    return nullptr;
  Value source = transpose.getInput();
  return cast<RankedTensorType>(source.getType()).hasStaticShape() ? source
                                                                   : nullptr;
}

/// 2-D max pooling of a channels-last `padded` source into `init`, as a
/// `linalg.generic` whose loops run (n, oh, kh, kw, ow, c): for each window
/// position the whole output row is updated, channels innermost and
/// contiguous, so LLVM vectorizes the channels and consecutive updates touch
/// different maxima (a row of 55 pixels of 64 channels is 14 KiB, in L1).
/// `linalg.pooling_nhwc_max` puts the window loops innermost, one scalar
/// maximum per channel and position; with the window loops just outside the
/// channels, each update waited for the previous one to the same maxima.
static Value createChannelsLastMaxPool(OpBuilder &b, Location loc,
                                       RankedTensorType type, Value padded,
                                       Value window, Value init,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  // Loops: 0 n, 1 oh, 2 kh, 3 kw, 4 ow, 5 c.
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {dim(0), dim(1) * strides[0] + dim(2) * dilations[0],
                      dim(4) * strides[1] + dim(3) * dilations[1], dim(5)},
                     context),
      AffineMap::get(6, 0, {dim(2), dim(3)}, context),
      AffineMap::get(6, 0, {dim(0), dim(1), dim(4), dim(5)}, context)};
  using utils::IteratorType;
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{padded, window},
             ValueRange{init}, maps,
             SmallVector<IteratorType>{par, par, red, red, par, par},
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc,
                                       createArith(nested, nestedLoc,
                                                   ArithKind::Max, args[2],
                                                   args[0]));
             })
      .getResult(0);
}

/// 2-D max pooling of a channels-last `source` (see getChannelsLastSource),
/// transposed back to channels first. When the pooling's user transposes to
/// channels last again (the next library convolution), the canonicalizer
/// folds both pairs of transposes away, so a pooling between convolutions
/// costs no layout change.
static Value buildChannelsLastMaxPool(ConversionPatternRewriter &rewriter,
                                      Location loc, Value source,
                                      RankedTensorType type,
                                      const PoolGeometry &geometry,
                                      TypedAttr lowest) {
  auto sourceType = cast<RankedTensorType>(source.getType());
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          oh = type.getDimSize(2), ow = type.getDimSize(3);
  SmallVector<int64_t> padEnd =
      getPaddingEnd(geometry, sourceType.getShape().slice(1, 2),
                    type.getShape().drop_front(2));
  Value padded = padSpatial(rewriter, loc, source, geometry.padBegin, padEnd,
                            lowest, /*firstSpatialDim=*/1);
  auto channelsLast =
      RankedTensorType::get({n, oh, ow, c}, type.getElementType());
  Value init = createFilledTensor(
      rewriter, loc, channelsLast,
      getAsIndexOpFoldResult(rewriter.getContext(), channelsLast.getShape()),
      lowest);
  Value window = tensor::EmptyOp::create(rewriter, loc, geometry.kernel,
                                         type.getElementType());
  Value pooled =
      createChannelsLastMaxPool(rewriter, loc, channelsLast, padded, window,
                                init, geometry.strides, geometry.dilations);
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, pooled, empty,
                                     ArrayRef<int64_t>{0, 3, 1, 2})
      .getResult()[0];
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    TypedAttr lowest =
        getNeutralElement(type.getElementType(), ReductionKind::Max);
    if (Value source = getChannelsLastSource(adaptor.getInput());
        source && type.getRank() == 4 && type.hasStaticShape()) {
      rewriter.replaceOp(op, buildChannelsLastMaxPool(
                                 rewriter, op.getLoc(), source, type,
                                 getGeometry(op, op.getSpatialDilations()),
                                 lowest));
      return success();
    }
    auto result =
        buildPooling<linalg::PoolingNcwMaxOp, linalg::PoolingNchwMaxOp>(
            rewriter, op, adaptor.getInput(), type,
            getGeometry(op, op.getSpatialDilations()), lowest, lowest,
            ArithKind::Max);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
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

/// The divisor of every output position of an average pooling, as a constant
/// of the output's spatial shape: the product of the counts along each dim.
static Value buildDivisors(OpBuilder &b, Location loc, AvgPoolOp op,
                           RankedTensorType inputType, RankedTensorType type,
                           const PoolGeometry &geometry) {
  auto elementType = cast<FloatType>(type.getElementType());
  int64_t spatialRank = geometry.kernel.size();
  SmallVector<int64_t> divisors = {1};
  for (int64_t i = 0; i < spatialRank; ++i) {
    SmallVector<int64_t> counts = countWindowPositions(
        inputType.getDimSize(2 + i), type.getDimSize(2 + i), geometry.kernel[i],
        geometry.strides[i], geometry.padBegin[i], geometry.padEnd[i],
        op.getCountIncludePad());
    SmallVector<int64_t> next;
    for (int64_t outer : divisors)
      for (int64_t count : counts)
        next.push_back(outer * count);
    divisors = std::move(next);
  }
  SmallVector<APFloat> values;
  for (int64_t divisor : divisors) {
    bool losesInfo = false;
    APFloat value(static_cast<double>(divisor));
    value.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    values.push_back(value);
  }
  auto divisorType =
      RankedTensorType::get(type.getShape().drop_front(2), elementType);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(divisorType, values));
}

struct AvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    TypedAttr zero =
        getNeutralElement(type.getElementType(), ReductionKind::Sum);
    PoolGeometry geometry =
        getGeometry(op, SmallVector<int64_t>(op.getSpatialRank(), 1));
    auto sum = buildPooling<linalg::PoolingNcwSumOp, linalg::PoolingNchwSumOp>(
        rewriter, op, adaptor.getInput(), type, geometry, zero, zero,
        ArithKind::Add);
    if (failed(sum))
      return failure();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Value divisors =
        buildDivisors(rewriter, loc, op, inputType, type, geometry);

    MLIRContext *context = rewriter.getContext();
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> spatialDims;
    for (int64_t d = 2; d < rank; ++d)
      spatialDims.push_back(getAffineDimExpr(d, context));
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(rank, context),
        AffineMap::get(rank, 0, spatialDims, context),
        AffineMap::getMultiDimIdentityMap(rank, context)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto average = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{*sum, divisors},
        ValueRange{*sum}, maps, iterators,
        [](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value quotient =
              arith::DivFOp::create(b, nestedLoc, args[0], args[1]);
          linalg::YieldOp::create(b, nestedLoc, quotient);
        });
    rewriter.replaceOp(op, average.getResult(0));
    return success();
  }
};

/// Whether `candidate` beats `best` as a window maximum: greater, or NaN
/// against a number (as maximumf, a NaN in the window wins).
static Value isBetter(OpBuilder &b, Location loc, Value candidate, Value best) {
  if (!isa<FloatType>(candidate.getType()))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, candidate,
                                 best);
  Value greater =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, candidate, best);
  Value candidateNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                             candidate, candidate);
  Value bestNumber =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, best, best);
  return arith::OrIOp::create(
      b, loc, greater, arith::AndIOp::create(b, loc, candidateNaN, bestNumber));
}

struct MaxPoolWithIndicesLowering : OpConversionPattern<MaxPoolWithIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolWithIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "max pooling with indices needs static shapes for now");
    PoolGeometry geometry = getGeometry(op, op.getSpatialDilations());
    int64_t k = geometry.kernel.size();
    ArrayRef<int64_t> inShape = inputType.getShape();
    Type elementType = valuesType.getElementType();

    // Index -1 marks "nothing taken yet": the first input element of a
    // window is always taken.
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(rewriter.getContext(), valuesType.getShape());
    Value values =
        createFilledTensor(rewriter, loc, valuesType, sizes,
                           getNeutralElement(elementType, ReductionKind::Max));
    Value indices = createFilledTensor(rewriter, loc, indicesType, sizes,
                                       rewriter.getI64IntegerAttr(-1));
    Value window =
        tensor::EmptyOp::create(rewriter, loc, geometry.kernel, elementType);

    // Loops: n, c, the output's spatial dims but the last, the window's, and
    // the output's last spatial dim innermost. Each output element still
    // visits its window in row-major order (the first maximum wins), but the
    // innermost loop runs along an output row, which LLVM vectorizes: with
    // the window innermost, every element was a scalar reduction over 9 taps
    // (ResNet-18's training step at batch 8: 87 ms of 590 in this pooling).
    MLIRContext *context = rewriter.getContext();
    unsigned numLoops = 2 + 2 * k;
    auto outputLoop = [&](int64_t i) -> unsigned {
      return i == k - 1 ? numLoops - 1 : 2 + i;
    };
    auto windowLoop = [&](int64_t i) -> unsigned { return 1 + k + i; };
    SmallVector<AffineExpr> windowExprs,
        outputExprs = {getAffineDimExpr(0, context),
                       getAffineDimExpr(1, context)};
    for (int64_t i = 0; i < k; ++i) {
      outputExprs.push_back(getAffineDimExpr(outputLoop(i), context));
      windowExprs.push_back(getAffineDimExpr(windowLoop(i), context));
    }
    AffineMap outputMap = AffineMap::get(numLoops, 0, outputExprs, context);
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0, windowExprs, context), outputMap,
        outputMap};
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::parallel);
    for (int64_t i = 0; i < k; ++i)
      iterators[windowLoop(i)] = utils::IteratorType::reduction;
    bool columnMajor = op.getColumnMajor();

    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType}, ValueRange{window},
        ValueRange{values, indices}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          auto index = [&](int64_t d) -> Value {
            return linalg::IndexOp::create(b, bodyLoc, d);
          };
          auto constant = [&](int64_t value) -> Value {
            return arith::ConstantIndexOp::create(b, bodyLoc, value);
          };
          Value zero = constant(0);
          Value inside = arith::ConstantIntOp::create(b, bodyLoc, 1, 1);
          SmallVector<Value> readAt = {index(0), index(1)}, positions;
          for (int64_t i = 0; i < k; ++i) {
            // position = o * stride + w * dilation - padBegin.
            Value position = arith::AddIOp::create(
                b, bodyLoc,
                arith::MulIOp::create(b, bodyLoc, index(outputLoop(i)),
                                      constant(geometry.strides[i])),
                arith::MulIOp::create(b, bodyLoc, index(windowLoop(i)),
                                      constant(geometry.dilations[i])));
            position = arith::SubIOp::create(b, bodyLoc, position,
                                             constant(geometry.padBegin[i]));
            Value size = constant(inShape[2 + i]);
            Value lowOk = arith::CmpIOp::create(
                b, bodyLoc, arith::CmpIPredicate::sge, position, zero);
            Value highOk = arith::CmpIOp::create(
                b, bodyLoc, arith::CmpIPredicate::slt, position, size);
            inside = arith::AndIOp::create(
                b, bodyLoc, inside,
                arith::AndIOp::create(b, bodyLoc, lowOk, highOk));
            positions.push_back(position);
            Value clamped = arith::MinSIOp::create(
                b, bodyLoc, arith::MaxSIOp::create(b, bodyLoc, position, zero),
                constant(inShape[2 + i] - 1));
            readAt.push_back(clamped);
          }
          Value candidate =
              tensor::ExtractOp::create(b, bodyLoc, input, readAt);
          // The flat index: (n * C + c) * D1 * ... * Dk, plus the spatial
          // position numbered row-major or with the first dim fastest.
          Value flat = arith::AddIOp::create(
              b, bodyLoc,
              arith::MulIOp::create(b, bodyLoc, index(0), constant(inShape[1])),
              index(1));
          Value spatial = zero;
          for (int64_t j = 0; j < k; ++j) {
            int64_t i = columnMajor ? k - 1 - j : j;
            spatial = arith::AddIOp::create(
                b, bodyLoc,
                arith::MulIOp::create(b, bodyLoc, spatial,
                                      constant(inShape[2 + i])),
                positions[i]);
            flat = arith::MulIOp::create(b, bodyLoc, flat,
                                         constant(inShape[2 + i]));
          }
          flat = arith::AddIOp::create(b, bodyLoc, flat, spatial);
          Value flatIndex = arith::IndexCastOp::create(
              b, bodyLoc, rewriter.getI64Type(), flat);

          Value best = args[1], bestIndex = args[2];
          Value none = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::slt, bestIndex,
              arith::ConstantIntOp::create(b, bodyLoc, 0, 64));
          Value take = arith::AndIOp::create(
              b, bodyLoc, inside,
              arith::OrIOp::create(b, bodyLoc, none,
                                   isBetter(b, bodyLoc, candidate, best)));
          linalg::YieldOp::create(
              b, bodyLoc,
              ValueRange{
                  arith::SelectOp::create(b, bodyLoc, take, candidate, best),
                  arith::SelectOp::create(b, bodyLoc, take, flatIndex,
                                          bestIndex)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void populatePoolingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, MaxPoolWithIndicesLowering>(
      patterns.getContext());
}

} // namespace kiln
