//===- LowerSpatial.cpp - grid_sample, roi_align, dft and det to linalg ---===//
//
// Ops whose reads are data dependent or that are sequential by nature:
//
// * grid_sample and roi_align: one `linalg.generic` over the output whose body
//   computes where to read (from the grid or the box), reads the image with
//   `tensor.extract` at positions clamped into it, and zeroes the taps that
//   fall outside. roi_align loops over a bin's samples with `scf.for`, since
//   with `sampling_ratio = 0` their number depends on the box.
// * dft: one `linalg.generic` contraction over the signal (O(L^2), no FFT
//   yet); the twiddle factors cos(2 pi m / L) and sin(2 pi m / L) are a
//   constant table of L entries each, computed here in double precision and
//   indexed with (j * k) mod L, so no trigonometry runs in the loop and large
//   angles lose no accuracy. The inverse's 1 / L is folded into the table.
// * det: LU decomposition with partial pivoting, one matrix at a time, as
//   `scf.for` nests on a copy of the matrix carried through the loops.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln {
namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// Builds scalar float and index arithmetic at one place, so that the bodies
/// below read like the formulas they implement.
struct ScalarBuilder {
  OpBuilder &b;
  Location loc;
  FloatType type;

  Value constant(double value) {
    return arith::ConstantOp::create(b, loc, FloatAttr::get(type, value));
  }
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value add(Value lhs, Value rhs) {
    return arith::AddFOp::create(b, loc, lhs, rhs);
  }
  Value sub(Value lhs, Value rhs) {
    return arith::SubFOp::create(b, loc, lhs, rhs);
  }
  Value mul(Value lhs, Value rhs) {
    return arith::MulFOp::create(b, loc, lhs, rhs);
  }
  Value div(Value lhs, Value rhs) {
    return arith::DivFOp::create(b, loc, lhs, rhs);
  }
  Value floor(Value value) { return math::FloorOp::create(b, loc, value); }
  /// max and min that return the other operand when one is NaN.
  Value maxNum(Value lhs, Value rhs) {
    return arith::MaxNumFOp::create(b, loc, lhs, rhs);
  }
  Value minNum(Value lhs, Value rhs) {
    return arith::MinNumFOp::create(b, loc, lhs, rhs);
  }
  /// Ordered comparison: false when either operand is NaN.
  Value cmp(arith::CmpFPredicate predicate, Value lhs, Value rhs) {
    return arith::CmpFOp::create(b, loc, predicate, lhs, rhs);
  }
  Value select(Value condition, Value lhs, Value rhs) {
    return arith::SelectOp::create(b, loc, condition, lhs, rhs);
  }
  Value both(Value lhs, Value rhs) {
    return arith::AndIOp::create(b, loc, lhs, rhs);
  }
  /// `value` (a float in [0, limit - 1] or NaN) as an index clamped into
  /// [0, limit - 1]; NaN becomes 0.
  Value toIndex(Value value, int64_t limit) {
    Value clamped =
        minNum(maxNum(value, constant(0)), constant(double(limit - 1)));
    Value integer = arith::FPToSIOp::create(b, loc, b.getI64Type(), clamped);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), integer);
  }
};

/// Whether `value` (integral) lies in [0, size - 1]; false for NaN.
static Value isInRange(ScalarBuilder &s, Value value, int64_t size) {
  return s.both(
      s.cmp(arith::CmpFPredicate::OGE, value, s.constant(0)),
      s.cmp(arith::CmpFPredicate::OLE, value, s.constant(double(size - 1))));
}

//===----------------------------------------------------------------------===//
// grid_sample
//===----------------------------------------------------------------------===//

/// The sampling rules of one GridSample, after PyTorch's grid_sampler_2d
/// (which ONNX's GridSample follows): normalized grid coordinates to pixel
/// coordinates, padding modes, and reading taps.
struct GridSampler {
  ScalarBuilder &s;
  Value input, n, c;
  int64_t height, width;
  bool alignCorners;
  StringRef paddingMode;

  /// [-1, 1] to pixel coordinates along a dim of `size`.
  Value unnormalize(Value coordinate, int64_t size) {
    Value one = s.constant(1);
    if (alignCorners)
      return s.mul(s.div(s.add(coordinate, one), s.constant(2)),
                   s.constant(double(size - 1)));
    return s.div(
        s.sub(s.mul(s.add(coordinate, one), s.constant(double(size))), one),
        s.constant(2));
  }

  Value clip(Value coordinate, int64_t size) {
    return s.minNum(s.constant(double(size - 1)),
                    s.maxNum(coordinate, s.constant(0)));
  }

  /// Mirrors `coordinate` at twiceLow / 2 and twiceHigh / 2.
  Value reflect(Value coordinate, int64_t twiceLow, int64_t twiceHigh) {
    if (twiceLow == twiceHigh)
      return s.constant(0);
    double low = twiceLow / 2.0, span = (twiceHigh - twiceLow) / 2.0;
    Value distance =
        math::AbsFOp::create(s.b, s.loc, s.sub(coordinate, s.constant(low)));
    Value extra = arith::RemFOp::create(s.b, s.loc, distance, s.constant(span));
    Value flips = s.floor(s.div(distance, s.constant(span)));
    Value even = s.cmp(arith::CmpFPredicate::OEQ,
                       arith::RemFOp::create(s.b, s.loc, flips, s.constant(2)),
                       s.constant(0));
    return s.select(even, s.add(extra, s.constant(low)),
                    s.add(s.sub(s.constant(span), extra), s.constant(low)));
  }

  /// Applies the padding mode to a pixel coordinate.
  Value applyPadding(Value coordinate, int64_t size) {
    if (paddingMode == "border")
      return clip(coordinate, size);
    if (paddingMode == "reflection") {
      Value reflected = alignCorners ? reflect(coordinate, 0, 2 * (size - 1))
                                     : reflect(coordinate, -1, 2 * size - 1);
      return clip(reflected, size);
    }
    return coordinate;
  }

  /// input[n, c, y, x] for integral x and y, or 0 outside the image.
  Value read(Value x, Value y) {
    Value inside = s.both(isInRange(s, x, width), isInRange(s, y, height));
    Value value = tensor::ExtractOp::create(
        s.b, s.loc, input,
        ValueRange{n, c, s.toIndex(y, height), s.toIndex(x, width)});
    return s.select(inside, value, s.constant(0));
  }

  Value bilinear(Value x, Value y) {
    Value one = s.constant(1);
    Value x0 = s.floor(x), y0 = s.floor(y);
    Value x1 = s.add(x0, one), y1 = s.add(y0, one);
    Value east = s.sub(x, x0), south = s.sub(y, y0);
    Value west = s.sub(one, east), north = s.sub(one, south);
    Value sum = s.mul(read(x0, y0), s.mul(west, north));
    sum = s.add(sum, s.mul(read(x1, y0), s.mul(east, north)));
    sum = s.add(sum, s.mul(read(x0, y1), s.mul(west, south)));
    return s.add(sum, s.mul(read(x1, y1), s.mul(east, south)));
  }

  Value nearest(Value x, Value y) {
    return read(math::RoundEvenOp::create(s.b, s.loc, x),
                math::RoundEvenOp::create(s.b, s.loc, y));
  }

  /// The 4 cubic convolution weights (a = -0.75) of the taps at -1, 0, 1, 2
  /// from a fractional position t.
  SmallVector<Value, 4> cubicWeights(Value t) {
    constexpr double a = -0.75;
    Value one = s.constant(1);
    // |x| <= 1: ((a + 2) x - (a + 3)) x^2 + 1.
    auto near = [&](Value x) {
      Value inner = s.sub(s.mul(s.constant(a + 2), x), s.constant(a + 3));
      return s.add(s.mul(s.mul(inner, x), x), one);
    };
    // 1 < |x| < 2: ((a x - 5a) x + 8a) x - 4a.
    auto far = [&](Value x) {
      Value inner = s.sub(s.mul(s.constant(a), x), s.constant(5 * a));
      inner = s.add(s.mul(inner, x), s.constant(8 * a));
      return s.sub(s.mul(inner, x), s.constant(4 * a));
    };
    Value rest = s.sub(one, t);
    return {far(s.add(t, one)), near(t), near(rest), far(s.add(rest, one))};
  }

  /// A tap of bicubic sampling: the padding mode applies to each tap.
  Value readBounded(Value x, Value y) {
    return read(applyPadding(x, width), applyPadding(y, height));
  }

  Value bicubic(Value x, Value y) {
    Value x0 = s.floor(x), y0 = s.floor(y);
    SmallVector<Value, 4> wx = cubicWeights(s.sub(x, x0));
    SmallVector<Value, 4> wy = cubicWeights(s.sub(y, y0));
    Value sum = s.constant(0);
    for (int j = 0; j < 4; ++j) {
      Value row = s.constant(0);
      Value tapY = s.add(y0, s.constant(j - 1));
      for (int i = 0; i < 4; ++i)
        row = s.add(
            row, s.mul(wx[i], readBounded(s.add(x0, s.constant(i - 1)), tapY)));
      sum = s.add(sum, s.mul(wy[j], row));
    }
    return sum;
  }
};

struct GridSampleLowering : OpConversionPattern<GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), grid = adaptor.getGrid();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    if (!inputType.hasStaticShape() || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "grid_sample needs static shapes for now");
    int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
    auto elementType = cast<FloatType>(type.getElementType());
    Value init =
        tensor::EmptyOp::create(rewriter, loc, type.getShape(), elementType);
    MLIRContext *context = rewriter.getContext();
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, context); };
    // grid[n, h, w, 0] is x and grid[n, h, w, 1] is y.
    auto gridMap = [&](int64_t component) {
      return AffineMap::get(
          4, 0,
          {dim(0), dim(2), dim(3), getAffineConstantExpr(component, context)},
          context);
    };
    SmallVector<AffineMap> maps = {
        gridMap(0), gridMap(1), AffineMap::getMultiDimIdentityMap(4, context)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    StringRef mode = op.getMode();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{grid, grid},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          ScalarBuilder s{b, bodyLoc, elementType};
          GridSampler sampler{s,
                              input,
                              linalg::IndexOp::create(b, bodyLoc, 0),
                              linalg::IndexOp::create(b, bodyLoc, 1),
                              height,
                              width,
                              op.getAlignCorners(),
                              op.getPaddingMode()};
          Value x = sampler.unnormalize(args[0], width);
          Value y = sampler.unnormalize(args[1], height);
          Value result;
          if (mode == "bicubic") {
            result = sampler.bicubic(x, y);
          } else {
            x = sampler.applyPadding(x, width);
            y = sampler.applyPadding(y, height);
            result = mode == "nearest" ? sampler.nearest(x, y)
                                       : sampler.bilinear(x, y);
          }
          linalg::YieldOp::create(b, bodyLoc, result);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// roi_align
//===----------------------------------------------------------------------===//

/// More samples per bin dimension than this are not taken (a box this large
/// with sampling_ratio 0 would otherwise run for hours).
constexpr int64_t kMaxSamplesPerBinDim = 1 << 16;

/// One bilinear sample of RoiAlign, as ONNX Runtime computes it: its four
/// weighted taps (all weights 0 for a sample more than a pixel outside).
static SmallVector<Value, 4> sampleTaps(ScalarBuilder &s, Value input,
                                        Value batch, Value channel, Value y,
                                        Value x, int64_t height,
                                        int64_t width) {
  using P = arith::CmpFPredicate;
  Value zero = s.constant(0), one = s.constant(1);
  Value valid = s.both(s.both(s.cmp(P::OGE, y, s.constant(-1)),
                              s.cmp(P::OLE, y, s.constant(double(height)))),
                       s.both(s.cmp(P::OGE, x, s.constant(-1)),
                              s.cmp(P::OLE, x, s.constant(double(width)))));
  // Position and fractions along one dim: below 0 reads 0, at or beyond the
  // last pixel reads the last pixel.
  auto axis = [&](Value position, int64_t size) {
    position = s.select(valid, s.maxNum(position, zero), zero);
    Value last = s.constant(double(size - 1));
    Value low = s.floor(position);
    Value atEnd = s.cmp(P::OGE, low, last);
    low = s.select(atEnd, last, low);
    position = s.select(atEnd, last, position);
    Value high = s.minNum(s.add(low, one), last);
    Value fraction = s.sub(position, low);
    return std::array<Value, 4>{s.toIndex(low, size), s.toIndex(high, size),
                                fraction, s.sub(one, fraction)};
  };
  auto [yLow, yHigh, ly, hy] = axis(y, height);
  auto [xLow, xHigh, lx, hx] = axis(x, width);
  auto tap = [&](Value row, Value column, Value weight) {
    Value value = tensor::ExtractOp::create(
        s.b, s.loc, input, ValueRange{batch, channel, row, column});
    return s.select(valid, s.mul(weight, value), zero);
  };
  return {tap(yLow, xLow, s.mul(hy, hx)), tap(yLow, xHigh, s.mul(hy, lx)),
          tap(yHigh, xLow, s.mul(ly, hx)), tap(yHigh, xHigh, s.mul(ly, lx))};
}

/// The number of samples along one bin dimension: `samplingRatio`, or
/// ceil(extent / bins) clamped into [0, kMaxSamplesPerBinDim].
static Value samplesPerBin(ScalarBuilder &s, int64_t samplingRatio,
                           Value extent, int64_t bins) {
  if (samplingRatio > 0)
    return s.index(samplingRatio);
  Value count =
      math::CeilOp::create(s.b, s.loc, s.div(extent, s.constant(double(bins))));
  count = s.minNum(s.maxNum(count, s.constant(0)),
                   s.constant(double(kMaxSamplesPerBinDim)));
  Value integer = arith::FPToSIOp::create(s.b, s.loc, s.b.getI64Type(), count);
  return arith::IndexCastOp::create(s.b, s.loc, s.b.getIndexType(), integer);
}

struct RoiAlignLowering : OpConversionPattern<RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RoiAlignOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), rois = adaptor.getRois(),
          batchIndices = adaptor.getBatchIndices();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    if (!inputType.hasStaticShape() || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(
          op, "roi_align needs static shapes for now");
    auto elementType = cast<FloatType>(type.getElementType());
    int64_t batches = inputType.getDimSize(0), height = inputType.getDimSize(2),
            width = inputType.getDimSize(3);
    int64_t binsY = op.getOutputHeight(), binsX = op.getOutputWidth();
    int64_t samplingRatio = op.getSamplingRatio();
    double scale = op.getSpatialScale().convertToDouble();
    bool halfPixel = op.getHalfPixel(), isMax = op.getMode() == "max";

    Value init =
        tensor::EmptyOp::create(rewriter, loc, type.getShape(), elementType);
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(4, rewriter.getContext())};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange) {
          ScalarBuilder s{b, bodyLoc, elementType};
          Value box = linalg::IndexOp::create(b, bodyLoc, 0);
          Value channel = linalg::IndexOp::create(b, bodyLoc, 1);
          auto bin = [&](unsigned d) {
            Value index = linalg::IndexOp::create(b, bodyLoc, d);
            Value integer =
                arith::IndexCastOp::create(b, bodyLoc, b.getI64Type(), index);
            return arith::SIToFPOp::create(b, bodyLoc, elementType, integer);
          };
          Value binY = bin(2), binX = bin(3);
          // The box in input pixels.
          Value offset = s.constant(halfPixel ? 0.5 : 0.0);
          auto corner = [&](int64_t column) {
            Value value = tensor::ExtractOp::create(
                b, bodyLoc, rois, ValueRange{box, s.index(column)});
            return s.sub(s.mul(value, s.constant(scale)), offset);
          };
          Value startX = corner(0), startY = corner(1);
          Value boxWidth = s.sub(corner(2), startX);
          Value boxHeight = s.sub(corner(3), startY);
          if (!halfPixel) {
            boxWidth = s.maxNum(boxWidth, s.constant(1));
            boxHeight = s.maxNum(boxHeight, s.constant(1));
          }
          Value binHeight = s.div(boxHeight, s.constant(double(binsY)));
          Value binWidth = s.div(boxWidth, s.constant(double(binsX)));
          Value samplesY = samplesPerBin(s, samplingRatio, boxHeight, binsY);
          Value samplesX = samplesPerBin(s, samplingRatio, boxWidth, binsX);
          auto asFloat = [&](Value index) {
            Value integer =
                arith::IndexCastOp::create(b, bodyLoc, b.getI64Type(), index);
            return arith::SIToFPOp::create(b, bodyLoc, elementType, integer);
          };
          Value stepY = s.div(binHeight, asFloat(samplesY));
          Value stepX = s.div(binWidth, asFloat(samplesX));
          Value originY = s.add(startY, s.mul(binY, binHeight));
          Value originX = s.add(startX, s.mul(binX, binWidth));

          // The image of this box, clamped into [0, N).
          Value batchIndex = tensor::ExtractOp::create(b, bodyLoc, batchIndices,
                                                       ValueRange{box});
          Value batch = arith::IndexCastOp::create(b, bodyLoc, b.getIndexType(),
                                                   batchIndex);
          batch = arith::MinSIOp::create(
              b, bodyLoc, arith::MaxSIOp::create(b, bodyLoc, batch, s.index(0)),
              s.index(batches - 1));

          Value zero = s.index(0), one = s.index(1), half = s.constant(0.5);
          Value start =
              isMax ? s.constant(-std::numeric_limits<double>::infinity())
                    : s.constant(0);
          auto rows = scf::ForOp::create(
              b, bodyLoc, zero, samplesY, one, ValueRange{start},
              [&](OpBuilder &rb, Location rowLoc, Value iy, ValueRange row) {
                ScalarBuilder rs{rb, rowLoc, elementType};
                Value y =
                    rs.add(originY, rs.mul(rs.add(asFloat(iy), half), stepY));
                auto columns = scf::ForOp::create(
                    rb, rowLoc, zero, samplesX, one, row,
                    [&](OpBuilder &cb, Location columnLoc, Value ix,
                        ValueRange column) {
                      ScalarBuilder cs{cb, columnLoc, elementType};
                      Value x = cs.add(
                          originX, cs.mul(cs.add(asFloat(ix), half), stepX));
                      SmallVector<Value, 4> taps = sampleTaps(
                          cs, input, batch, channel, y, x, height, width);
                      Value result;
                      if (isMax) {
                        Value best = column[0];
                        for (Value tap : taps)
                          best = arith::MaximumFOp::create(cb, columnLoc, best,
                                                           tap);
                        result = best;
                      } else {
                        result = column[0];
                        for (Value tap : taps)
                          result = cs.add(result, tap);
                      }
                      scf::YieldOp::create(cb, columnLoc, result);
                    });
                scf::YieldOp::create(rb, rowLoc, columns.getResults());
              });
          Value total = rows.getResult(0);
          Value samples = arith::MulIOp::create(b, bodyLoc, samplesY, samplesX);
          Value none = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::eq, samples, zero);
          Value result;
          if (isMax) {
            // A box without samples pools to 0, as in ONNX Runtime.
            result = s.select(none, s.constant(0), total);
          } else {
            Value count =
                asFloat(arith::MaxSIOp::create(b, bodyLoc, samples, one));
            result = s.div(total, count);
          }
          linalg::YieldOp::create(b, bodyLoc, result);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dft
//===----------------------------------------------------------------------===//

/// cos or sin(2 pi m / length) * factor for m in [0, length), as a constant
/// tensor of `elementType`.
static Value buildTwiddleTable(OpBuilder &b, Location loc,
                               FloatType elementType, int64_t length, bool sine,
                               double factor) {
  SmallVector<APFloat> values;
  for (int64_t m = 0; m < length; ++m) {
    double angle = 2 * llvm::numbers::pi * static_cast<double>(m) /
                   static_cast<double>(length);
    bool losesInfo = false;
    APFloat value((sine ? std::sin(angle) : std::cos(angle)) * factor);
    value.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    values.push_back(value);
  }
  auto tableType = RankedTensorType::get({length}, elementType);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(tableType, values));
}

struct DFTLowering : OpConversionPattern<DFTOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DFTOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dft needs static shapes for now");
    auto elementType = cast<FloatType>(type.getElementType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    int64_t length = inputType.getDimSize(axis);
    bool complex = inputType.getShape().back() == 2;
    // exp(-+ 2 pi i m / L) = cos - + i sin; the inverse also divides by L.
    double sign = op.getInverse() ? 1.0 : -1.0;
    double scale = op.getInverse() ? 1.0 / static_cast<double>(length) : 1.0;
    Value cosines =
        buildTwiddleTable(rewriter, loc, elementType, length, false, scale);
    Value sines = buildTwiddleTable(rewriter, loc, elementType, length, true,
                                    sign * scale);

    // Loops: the result's dims, then the signal position j (a reduction).
    MLIRContext *context = rewriter.getContext();
    unsigned numLoops = rank + 1;
    auto inputMap = [&](int64_t component) {
      SmallVector<AffineExpr> exprs;
      for (int64_t d = 0; d < rank - 1; ++d)
        exprs.push_back(getAffineDimExpr(d == axis ? rank : d, context));
      exprs.push_back(getAffineConstantExpr(component, context));
      return AffineMap::get(numLoops, 0, exprs, context);
    };
    SmallVector<AffineMap> maps = {inputMap(0)};
    SmallVector<Value> inputs = {input};
    if (complex) {
      maps.push_back(inputMap(1));
      inputs.push_back(input);
    }
    SmallVector<AffineExpr> outputExprs;
    for (int64_t d = 0; d < rank; ++d)
      outputExprs.push_back(getAffineDimExpr(d, context));
    maps.push_back(AffineMap::get(numLoops, 0, outputExprs, context));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    Value init = createFilledTensor(
        rewriter, loc, type, getAsIndexOpFoldResult(context, type.getShape()),
        getNeutralElement(elementType, ReductionKind::Sum));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, inputs, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          ScalarBuilder s{b, bodyLoc, elementType};
          Value frequency = linalg::IndexOp::create(b, bodyLoc, axis);
          Value position = linalg::IndexOp::create(b, bodyLoc, rank);
          Value component = linalg::IndexOp::create(b, bodyLoc, rank - 1);
          Value m = arith::RemUIOp::create(
              b, bodyLoc,
              arith::MulIOp::create(b, bodyLoc, frequency, position),
              s.index(length));
          Value cosine = tensor::ExtractOp::create(b, bodyLoc, cosines, m);
          Value sine = tensor::ExtractOp::create(b, bodyLoc, sines, m);
          Value real = args[0];
          // (re + i im)(cos + i sin) = re cos - im sin + i (im cos + re sin).
          Value realPart = s.mul(real, cosine);
          Value imaginaryPart = s.mul(real, sine);
          if (complex) {
            Value imaginary = args[1];
            realPart = s.sub(realPart, s.mul(imaginary, sine));
            imaginaryPart = s.add(imaginaryPart, s.mul(imaginary, cosine));
          }
          Value isReal = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::eq, component, s.index(0));
          Value term = s.select(isReal, realPart, imaginaryPart);
          linalg::YieldOp::create(b, bodyLoc, s.add(args.back(), term));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// det
//===----------------------------------------------------------------------===//

/// Swaps rows `first` and `second` of the square matrix `matrix` (a no-op when
/// they are the same row).
static Value swapRows(OpBuilder &b, Location loc, Value matrix, Value first,
                      Value second, Value size) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  return scf::ForOp::create(
             b, loc, zero, size, one, ValueRange{matrix},
             [&](OpBuilder &nb, Location nl, Value j, ValueRange carried) {
               Value m = carried[0];
               Value a =
                   tensor::ExtractOp::create(nb, nl, m, ValueRange{first, j});
               Value c =
                   tensor::ExtractOp::create(nb, nl, m, ValueRange{second, j});
               m = tensor::InsertOp::create(nb, nl, c, m, ValueRange{first, j});
               m = tensor::InsertOp::create(nb, nl, a, m,
                                            ValueRange{second, j});
               scf::YieldOp::create(nb, nl, m);
             })
      .getResult(0);
}

/// The row in [column, size) whose entry in `column` has the largest
/// magnitude (the first of equals; `column` itself when all are NaN).
static Value findPivot(OpBuilder &b, Location loc, FloatType type, Value matrix,
                       Value column, Value size) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value none = arith::ConstantOp::create(b, loc, FloatAttr::get(type, -1.0));
  return scf::ForOp::create(
             b, loc, column, size, one, ValueRange{column, none},
             [&](OpBuilder &nb, Location nl, Value i, ValueRange best) {
               Value entry = tensor::ExtractOp::create(nb, nl, matrix,
                                                       ValueRange{i, column});
               Value magnitude = math::AbsFOp::create(nb, nl, entry);
               Value better = arith::CmpFOp::create(
                   nb, nl, arith::CmpFPredicate::OGT, magnitude, best[1]);
               scf::YieldOp::create(
                   nb, nl,
                   ValueRange{
                       arith::SelectOp::create(nb, nl, better, i, best[0]),
                       arith::SelectOp::create(nb, nl, better, magnitude,
                                               best[1])});
             })
      .getResult(0);
}

/// Subtracts multiples of row `column` from the rows below it so that their
/// entries in `column` become 0 (skipped, with factor 0, for a zero pivot).
static Value eliminateBelow(OpBuilder &b, Location loc, FloatType type,
                            Value matrix, Value column, Value pivot,
                            Value size) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value zero = arith::ConstantOp::create(b, loc, FloatAttr::get(type, 0.0));
  Value nonzero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, pivot, zero);
  Value next = arith::AddIOp::create(b, loc, column, one);
  return scf::ForOp::create(
             b, loc, next, size, one, ValueRange{matrix},
             [&](OpBuilder &rb, Location rl, Value i, ValueRange rows) {
               Value entry = tensor::ExtractOp::create(rb, rl, rows[0],
                                                       ValueRange{i, column});
               Value factor = arith::SelectOp::create(
                   rb, rl, nonzero, arith::DivFOp::create(rb, rl, entry, pivot),
                   zero);
               auto updated = scf::ForOp::create(
                   rb, rl, next, size, one, rows,
                   [&](OpBuilder &cb, Location cl, Value j, ValueRange m) {
                     Value above = tensor::ExtractOp::create(
                         cb, cl, m[0], ValueRange{column, j});
                     Value current = tensor::ExtractOp::create(
                         cb, cl, m[0], ValueRange{i, j});
                     Value reduced = arith::SubFOp::create(
                         cb, cl, current,
                         arith::MulFOp::create(cb, cl, factor, above));
                     scf::YieldOp::create(
                         cb, cl,
                         tensor::InsertOp::create(cb, cl, reduced, m[0],
                                                  ValueRange{i, j})
                             .getResult());
                   });
               scf::YieldOp::create(rb, rl, updated.getResults());
             })
      .getResult(0);
}

/// The determinant of one [M, M] matrix: product of the LU pivots, negated
/// once per row swap.
static Value buildDeterminant(OpBuilder &b, Location loc, FloatType type,
                              Value matrix, int64_t size) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value sizeValue = arith::ConstantIndexOp::create(b, loc, size);
  Value unit = arith::ConstantOp::create(b, loc, FloatAttr::get(type, 1.0));
  auto loop = scf::ForOp::create(
      b, loc, zero, sizeValue, one, ValueRange{matrix, unit},
      [&](OpBuilder &nb, Location nl, Value column, ValueRange carried) {
        Value pivotRow = findPivot(nb, nl, type, carried[0], column, sizeValue);
        Value swapped =
            swapRows(nb, nl, carried[0], column, pivotRow, sizeValue);
        Value moved = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne,
                                            pivotRow, column);
        Value determinant = arith::SelectOp::create(
            nb, nl, moved, arith::NegFOp::create(nb, nl, carried[1]),
            carried[1]);
        Value pivot = tensor::ExtractOp::create(nb, nl, swapped,
                                                ValueRange{column, column});
        determinant = arith::MulFOp::create(nb, nl, determinant, pivot);
        Value reduced =
            eliminateBelow(nb, nl, type, swapped, column, pivot, sizeValue);
        scf::YieldOp::create(nb, nl, ValueRange{reduced, determinant});
      });
  return loop.getResult(1);
}

struct DetLowering : OpConversionPattern<DetOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "det needs static shapes for now");
    auto elementType = cast<FloatType>(type.getElementType());
    int64_t rank = inputType.getRank();
    int64_t size = inputType.getDimSize(rank - 1);
    int64_t batch = type.getNumElements();
    if (size == 0) {
      // The determinant of a 0 x 0 matrix is 1 (the empty product); there is
      // no matrix to slice.
      rewriter.replaceOp(
          op, createFilledTensor(rewriter, loc, type,
                                 getAsIndexOpFoldResult(rewriter.getContext(),
                                                        type.getShape()),
                                 FloatAttr::get(elementType, 1.0)));
      return success();
    }

    // [..., M, M] as [B, M, M]; the result [B] becomes [...].
    auto batchedType = RankedTensorType::get({batch, size, size}, elementType);
    SmallVector<ReassociationIndices> inputGroups;
    if (rank == 2) {
      inputGroups = {{0, 1}, {2}};
      input = tensor::ExpandShapeOp::create(rewriter, loc, batchedType, input,
                                            inputGroups);
    } else if (rank > 3) {
      ReassociationIndices batchDims;
      for (int64_t d = 0; d < rank - 2; ++d)
        batchDims.push_back(d);
      inputGroups = {batchDims, {rank - 2}, {rank - 1}};
      input = tensor::CollapseShapeOp::create(rewriter, loc, batchedType, input,
                                              inputGroups);
    }

    auto flatType = RankedTensorType::get({batch}, elementType);
    Value results = tensor::EmptyOp::create(rewriter, loc, flatType.getShape(),
                                            elementType);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value batchValue = arith::ConstantIndexOp::create(rewriter, loc, batch);
    auto matrixType = RankedTensorType::get({size, size}, elementType);
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, batchValue, one, ValueRange{results},
        [&](OpBuilder &b, Location bodyLoc, Value index, ValueRange carried) {
          SmallVector<OpFoldResult> offsets = {index, b.getIndexAttr(0),
                                               b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {
              b.getIndexAttr(1), b.getIndexAttr(size), b.getIndexAttr(size)};
          SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
          Value matrix = tensor::ExtractSliceOp::create(
              b, bodyLoc, matrixType, input, offsets, sizes, strides);
          Value determinant =
              buildDeterminant(b, bodyLoc, elementType, matrix, size);
          scf::YieldOp::create(b, bodyLoc,
                               tensor::InsertOp::create(b, bodyLoc, determinant,
                                                        carried[0],
                                                        ValueRange{index})
                                   .getResult());
        });
    Value flat = loop.getResult(0);
    if (rank == 2)
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, type, flat, SmallVector<ReassociationIndices>{});
    else if (rank == 3)
      rewriter.replaceOp(op, flat);
    else
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, type, flat,
          SmallVector<ReassociationIndices>{inputGroups.front()});
    return success();
  }
};

} // namespace

void populateSpatialLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<GridSampleLowering, RoiAlignLowering, DFTLowering, DetLowering>(
      patterns.getContext());
}

} // namespace kiln
