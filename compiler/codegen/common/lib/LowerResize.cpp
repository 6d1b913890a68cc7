//===- LowerResize.cpp - kiln.resize and kiln.dynamic_resize to linalg ---===//
//
// Where each output element of a resize reads from is a table of taps per
// resized dimension: for every output position, its source taps (input
// indices, clamped to the edge) and their weights, following ONNX's reference
// implementation step by step in double precision. The tables are applied the
// same way for both ops:
//
// * nearest: one `linalg.generic` over the output reads
//   `input[table_0[i0], table_1[i1], ...]` with `tensor.extract`;
// * linear and cubic: interpolation is separable, so each resized dimension is
//   one `linalg.generic` pass (the last dimension first, as the reference
//   recurses) summing its 2 or 4 weighted taps.
//
// kiln.resize has static shapes and scales: its tables are computed when
// compiling and emitted as constants, and dimensions whose mapping is the
// identity (scale 1 with most modes) get no table and no pass.
// kiln.dynamic_resize reads its sizes, scales and roi at run time: a 1-D
// generic per dimension computes its tables with the same arithmetic in
// scalar code, and an interpolation pass is skipped at run time (scf.if) when
// its dimension keeps its size under a transformation that is then the
// identity. tf_crop_and_resize marks positions outside the input with tap
// index -1, which the generated code replaces by extrapolation_value.
//
//===----------------------------------------------------------------------===//

#include "DynamicShapeLowering.h"
#include "LoweringUtils.h"
#include "ShapeLoweringHelpers.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// The taps of one resized dimension: for output position o, taps k in
/// [0, taps) read input index indices[o * taps + k] with weight
/// weights[o * taps + k]. A position outside the input (tf_crop_and_resize) has
/// index -1 in its first tap.
struct AxisTaps {
  int64_t taps = 1;
  SmallVector<int64_t> indices;
  SmallVector<double> weights;
  bool hasOutside = false;

  /// Whether output position o reads exactly input element o.
  bool isIdentity(int64_t inputSize) const {
    int64_t outputSize = indices.size() / taps;
    if (outputSize != inputSize || hasOutside)
      return false;
    for (int64_t o = 0; o < outputSize; ++o)
      for (int64_t k = 0; k < taps; ++k) {
        double expected = indices[o * taps + k] == o ? 1.0 : 0.0;
        // Weights of taps at the same index add up.
        double sum = 0;
        for (int64_t j = 0; j < taps; ++j)
          if (indices[o * taps + j] == indices[o * taps + k])
            sum += weights[o * taps + j];
        if (sum != expected)
          return false;
      }
    return true;
  }
};

/// The ONNX input coordinate of output position `x` of one dimension, or
/// nullopt when tf_crop_and_resize puts it outside the input.
std::optional<double> sourceCoordinate(ResizeOp op, int64_t d, int64_t x,
                                       int64_t inputSize) {
  StringRef mode = op.getCoordinateTransformationMode();
  double scale = op.getScales()[d];
  double n = static_cast<double>(inputSize);
  // The reference uses the scaled (not the rounded) output length.
  double length = scale * n;
  double position = static_cast<double>(x);
  if (mode == "align_corners")
    return length == 1 ? 0.0 : position * (n - 1) / (length - 1);
  if (mode == "asymmetric")
    return position / scale;
  if (mode == "tf_half_pixel_for_nn")
    return (position + 0.5) / scale;
  if (mode == "pytorch_half_pixel" && length == 1)
    return -0.5;
  if (mode == "tf_crop_and_resize") {
    ArrayRef<double> roi = *op.getRoi();
    int64_t rank = op.getScales().size();
    double start = roi[d], end = roi[rank + d];
    double coordinate = length == 1
                            ? (end - start) * (n - 1) / 2
                            : position * (end - start) * (n - 1) / (length - 1);
    coordinate += start * (n - 1);
    if (coordinate < 0 || coordinate > n - 1)
      return std::nullopt;
    return coordinate;
  }
  return (position + 0.5) / scale - 0.5; // half_pixel, pytorch_half_pixel
}

/// The weights of the neighbours of a coordinate whose fraction past the left
/// neighbour is `ratio` (in (0, 1]), as ONNX defines them.
SmallVector<double> interpolationWeights(ResizeOp op, double ratio) {
  StringRef mode = op.getMode();
  if (mode == "linear")
    return {1 - ratio, ratio};
  if (mode == "cubic") {
    double a = op.getCubicCoeffA().convertToDouble();
    double r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  // nearest: the left or the right neighbour.
  if (ratio == 1)
    return {0, 1};
  StringRef rounding = op.getNearestMode();
  bool right = rounding == "ceil" ||
               (rounding == "round_prefer_floor" && ratio > 0.5) ||
               (rounding == "round_prefer_ceil" && ratio >= 0.5);
  return {right ? 0.0 : 1.0, right ? 1.0 : 0.0};
}

/// The taps of dimension `d` (input size `n`, output size `outputSize`).
AxisTaps computeAxisTaps(ResizeOp op, int64_t d, int64_t n,
                         int64_t outputSize) {
  AxisTaps result;
  bool nearest = op.getMode() == "nearest";
  result.taps = nearest ? 1 : (op.getMode() == "linear" ? 2 : 4);
  for (int64_t o = 0; o < outputSize; ++o) {
    std::optional<double> coordinate = sourceCoordinate(op, d, o, n);
    if (!coordinate) {
      result.hasOutside = true;
      result.indices.append(result.taps, -1);
      result.weights.append(result.taps, 0.0);
      continue;
    }
    // As the reference: an integral coordinate has ratio 1 to its left
    // neighbour, so the window of neighbours starts one further left.
    double floor = std::floor(*coordinate);
    bool integral = floor == *coordinate;
    double ratio = integral ? 1.0 : *coordinate - floor;
    SmallVector<double> weights = interpolationWeights(op, ratio);
    int64_t count = weights.size();
    int64_t first =
        static_cast<int64_t>(floor) - (integral ? 1 : 0) - (count / 2 - 1);
    if (op.getExcludeOutside()) {
      double sum = 0;
      for (int64_t k = 0; k < count; ++k) {
        if (first + k < 0 || first + k >= n)
          weights[k] = 0;
        sum += weights[k];
      }
      if (sum != 0)
        for (double &weight : weights)
          weight /= sum;
    }
    auto clampIndex = [&](int64_t index) {
      return std::clamp<int64_t>(index, 0, n - 1);
    };
    if (nearest) {
      // The one neighbour with weight 1.
      result.indices.push_back(clampIndex(first + (weights[1] == 1 ? 1 : 0)));
      result.weights.push_back(1.0);
      continue;
    }
    for (int64_t k = 0; k < count; ++k) {
      result.indices.push_back(clampIndex(first + k));
      result.weights.push_back(weights[k]);
    }
  }
  return result;
}

/// A 1-D constant tensor of `values`.
Value buildTable(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseIntElementsAttr::get(type, values));
}

Value buildTable(OpBuilder &b, Location loc, ArrayRef<double> values,
                 FloatType type) {
  SmallVector<APFloat> elements;
  for (double value : values) {
    APFloat element(value);
    bool losesInfo = false;
    element.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    elements.push_back(element);
  }
  auto tableType =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, type);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(tableType, elements));
}

/// Column k of a taps table laid out [position][tap].
template <typename T>
SmallVector<T> tapColumn(ArrayRef<T> table, int64_t taps, int64_t k) {
  SmallVector<T> column;
  for (size_t i = k; i < table.size(); i += taps)
    column.push_back(table[i]);
  return column;
}

/// The map from a rank-`rank` loop nest to its dimension `d`.
AffineMap dimMap(MLIRContext *context, int64_t rank, int64_t d) {
  return AffineMap::get(rank, 0, getAffineDimExpr(d, context));
}

/// An index read from a taps table as an in-bounds `index` (the -1 marker of
/// an outside position reads element 0; its result is replaced).
Value tableIndex(OpBuilder &b, Location loc, Value value) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
  return arith::MaxSIOp::create(b, loc, index,
                                arith::ConstantIndexOp::create(b, loc, 0));
}

/// `result`, or `fallback` where the table entry `marker` is -1.
Value selectOutside(OpBuilder &b, Location loc, Value marker, Value result,
                    Value fallback) {
  Value outside = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::slt, marker,
      arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0));
  return arith::SelectOp::create(b, loc, outside, fallback, result);
}

/// extrapolation_value as an attribute of the element type (integers round
/// toward zero).
TypedAttr extrapolationAttr(Type elementType, const APFloat &value) {
  if (auto floatType = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(floatType, value.convertToDouble());
  return IntegerAttr::get(elementType,
                          static_cast<int64_t>(value.convertToDouble()));
}

/// The taps of one resized dim as tensors over its output positions: for each
/// tap k, the input index (-1 for a position outside the input) and, for
/// linear and cubic modes, the weight.
struct TapTables {
  SmallVector<Value> indices;
  SmallVector<Value> weights;
  bool hasOutside = false;
};

/// The constant tables of taps computed when compiling: one index table for
/// nearest, index then weight columns for the interpolating modes.
TapTables buildConstantTables(OpBuilder &b, Location loc, const AxisTaps &taps,
                              FloatType computeType) {
  TapTables tables;
  tables.hasOutside = taps.hasOutside;
  if (!computeType) {
    tables.indices.push_back(buildTable(b, loc, taps.indices));
    return tables;
  }
  for (int64_t k = 0; k < taps.taps; ++k)
    tables.indices.push_back(
        buildTable(b, loc, tapColumn(ArrayRef(taps.indices), taps.taps, k)));
  for (int64_t k = 0; k < taps.taps; ++k)
    tables.weights.push_back(buildTable(
        b, loc, tapColumn(ArrayRef(taps.weights), taps.taps, k), computeType));
  return tables;
}

/// The type weights are summed in: f32 for narrower floats.
FloatType computeTypeFor(OpBuilder &b, Type elementType) {
  auto floatType = cast<FloatType>(elementType);
  return floatType.getWidth() < 32 ? b.getF32Type() : floatType;
}

/// One generic over a result of `type` and `sizes`, reading the input at the
/// tabled index of every dim that has tables (the others are identities).
Value applyNearest(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, Value input,
                   ArrayRef<std::optional<TapTables>> axes,
                   TypedAttr extrapolation) {
  int64_t rank = type.getRank();
  SmallVector<Value> tables;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> tableOfDim(rank, -1);
  bool hasOutside = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (!axes[d])
      continue;
    tableOfDim[d] = tables.size();
    tables.push_back(axes[d]->indices.front());
    maps.push_back(dimMap(b.getContext(), rank, d));
    hasOutside |= axes[d]->hasOutside;
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = createEmptyTensor(b, loc, type, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, type, tables, init, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nested, ValueRange args) {
        SmallVector<Value> position;
        for (int64_t d = 0; d < rank; ++d)
          position.push_back(
              tableOfDim[d] < 0
                  ? linalg::IndexOp::create(nb, nested, d).getResult()
                  : tableIndex(nb, nested, args[tableOfDim[d]]));
        Value element = tensor::ExtractOp::create(nb, nested, input, position);
        if (hasOutside) {
          Value fallback = createElementConstant(nb, nested, extrapolation);
          for (int64_t d = 0; d < rank; ++d)
            if (tableOfDim[d] >= 0 && axes[d]->hasOutside)
              element = selectOutside(nb, nested, args[tableOfDim[d]], element,
                                      fallback);
        }
        linalg::YieldOp::create(nb, nested, element);
      });
  return generic.getResult(0);
}

/// Interpolates `source` along dim `axis` to `size` positions with the taps
/// of `tables`. Sums are accumulated in f32 for narrower float types.
Value applyPass(OpBuilder &b, Location loc, Value source, int64_t axis,
                OpFoldResult size, const TapTables &tables,
                TypedAttr extrapolation) {
  auto sourceType = cast<RankedTensorType>(source.getType());
  auto elementType = cast<FloatType>(sourceType.getElementType());
  FloatType computeType = computeTypeFor(b, elementType);
  int64_t rank = sourceType.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, source);
  sizes[axis] = size;
  SmallVector<int64_t> shape(sourceType.getShape());
  std::optional<int64_t> staticSize = getConstantIntValue(size);
  shape[axis] = staticSize ? *staticSize : ShapedType::kDynamic;
  auto type = RankedTensorType::get(shape, elementType);

  SmallVector<Value> inputs(tables.indices);
  inputs.append(tables.weights);
  SmallVector<AffineMap> maps(inputs.size(),
                              dimMap(b.getContext(), rank, axis));
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = createEmptyTensor(b, loc, type, sizes);
  int64_t count = tables.indices.size();
  auto generic = linalg::GenericOp::create(
      b, loc, type, inputs, init, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nested, ValueRange args) {
        SmallVector<Value> position;
        for (int64_t d = 0; d < rank; ++d)
          position.push_back(linalg::IndexOp::create(nb, nested, d));
        Value sum;
        for (int64_t k = 0; k < count; ++k) {
          position[axis] = tableIndex(nb, nested, args[k]);
          Value element =
              tensor::ExtractOp::create(nb, nested, source, position);
          if (computeType != elementType)
            element = arith::ExtFOp::create(nb, nested, computeType, element);
          Value term =
              arith::MulFOp::create(nb, nested, element, args[count + k]);
          sum = sum ? arith::AddFOp::create(nb, nested, sum, term).getResult()
                    : term;
        }
        if (computeType != elementType)
          sum = arith::TruncFOp::create(nb, nested, elementType, sum);
        if (tables.hasOutside)
          sum = selectOutside(nb, nested, args[0], sum,
                              createElementConstant(nb, nested, extrapolation));
        linalg::YieldOp::create(nb, nested, sum);
      });
  return generic.getResult(0);
}

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> sizes = op.getSizes();
    bool nearest = op.getMode() == "nearest";
    FloatType computeType =
        nearest ? FloatType() : computeTypeFor(rewriter, type.getElementType());
    TypedAttr extrapolation =
        extrapolationAttr(type.getElementType(), op.getExtrapolationValue());
    // Dims whose mapping is the identity get no table and no pass.
    SmallVector<std::optional<AxisTaps>> taps;
    for (int64_t d = 0; d < inputType.getRank(); ++d) {
      AxisTaps axis = computeAxisTaps(op, d, inputType.getDimSize(d), sizes[d]);
      if (axis.isIdentity(inputType.getDimSize(d)))
        taps.push_back(std::nullopt);
      else
        taps.push_back(std::move(axis));
    }
    if (nearest) {
      SmallVector<std::optional<TapTables>> tables;
      for (const std::optional<AxisTaps> &axis : taps)
        tables.push_back(axis ? std::optional(buildConstantTables(
                                    rewriter, loc, *axis, computeType))
                              : std::nullopt);
      rewriter.replaceOp(
          op, applyNearest(rewriter, loc, type,
                           getAsIndexOpFoldResult(getContext(), sizes), input,
                           tables, extrapolation));
      return success();
    }
    // One weighted-sum pass per resized dim, the last dim first.
    Value current = input;
    for (int64_t d = static_cast<int64_t>(taps.size()) - 1; d >= 0; --d)
      if (taps[d])
        current = applyPass(
            rewriter, loc, current, d, rewriter.getIndexAttr(sizes[d]),
            buildConstantTables(rewriter, loc, *taps[d], computeType),
            extrapolation);
    rewriter.replaceOp(op, current);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Run-time sizes, scales and roi
//===----------------------------------------------------------------------===//

/// f64 scalar code for the run-time taps.
struct FloatBuilder {
  OpBuilder &b;
  Location loc;

  Value constant(double value) {
    return arith::ConstantFloatOp::create(b, loc, b.getF64Type(),
                                          APFloat(value));
  }
  Value add(Value l, Value r) { return arith::AddFOp::create(b, loc, l, r); }
  Value sub(Value l, Value r) { return arith::SubFOp::create(b, loc, l, r); }
  Value mul(Value l, Value r) { return arith::MulFOp::create(b, loc, l, r); }
  Value div(Value l, Value r) { return arith::DivFOp::create(b, loc, l, r); }
  Value compare(arith::CmpFPredicate p, Value l, Value r) {
    return arith::CmpFOp::create(b, loc, p, l, r);
  }
  Value select(Value c, Value t, Value f) {
    return arith::SelectOp::create(b, loc, c, t, f);
  }
  Value fromInt(Value i64) {
    return arith::SIToFPOp::create(b, loc, b.getF64Type(), i64);
  }
};

/// What one resized dim needs at run time: input and output sizes (i64), the
/// scale, and the roi's start and end (f64; null without roi).
struct RunTimeAxis {
  Value inputSize, outputSize, scale, roiStart, roiEnd;
};

/// The ONNX input coordinate of output position `x` (f64), as
/// sourceCoordinate computes it when compiling; `outside` is set for
/// tf_crop_and_resize positions outside the input.
Value runTimeCoordinate(FloatBuilder &f, DynamicResizeOp op,
                        const RunTimeAxis &axis, Value x, Value &outside) {
  using P = arith::CmpFPredicate;
  StringRef mode = op.getCoordinateTransformationMode();
  Value n = f.fromInt(axis.inputSize), one = f.constant(1);
  Value length = f.mul(axis.scale, n);
  Value unitLength = f.compare(P::OEQ, length, one);
  Value nMinusOne = f.sub(n, one);
  if (mode == "align_corners")
    return f.select(unitLength, f.constant(0),
                    f.div(f.mul(x, nMinusOne), f.sub(length, one)));
  if (mode == "asymmetric")
    return f.div(x, axis.scale);
  Value half = f.constant(0.5);
  if (mode == "tf_half_pixel_for_nn")
    return f.div(f.add(x, half), axis.scale);
  if (mode == "tf_crop_and_resize") {
    Value extent = f.sub(axis.roiEnd, axis.roiStart);
    Value centred = f.div(f.mul(extent, nMinusOne), f.constant(2));
    Value spread =
        f.div(f.mul(f.mul(x, extent), nMinusOne), f.sub(length, one));
    Value coordinate = f.add(f.select(unitLength, centred, spread),
                             f.mul(axis.roiStart, nMinusOne));
    // Also true for NaN, which then reads nothing.
    outside = arith::OrIOp::create(f.b, f.loc,
                                   f.compare(P::ULT, coordinate, f.constant(0)),
                                   f.compare(P::UGT, coordinate, nMinusOne));
    return coordinate;
  }
  Value halfPixel = f.sub(f.div(f.add(x, half), axis.scale), half);
  if (mode == "pytorch_half_pixel")
    return f.select(unitLength, f.constant(-0.5), halfPixel);
  return halfPixel;
}

/// The weights of the neighbours of a coordinate `ratio` (in (0, 1]) past the
/// left one, as interpolationWeights computes them; for nearest, {left,
/// right} with one of them 1.
SmallVector<Value> runTimeWeights(FloatBuilder &f, DynamicResizeOp op,
                                  Value ratio) {
  using P = arith::CmpFPredicate;
  Value one = f.constant(1), zero = f.constant(0);
  StringRef mode = op.getMode();
  if (mode == "linear")
    return {f.sub(one, ratio), ratio};
  if (mode == "cubic") {
    Value a = f.constant(op.getCubicCoeffA().convertToDouble());
    auto outer = [&](Value t) { // ((a t - 5a) t + 8a) t - 4a at t = r + 1
      Value fiveA = f.mul(f.constant(5), a), eightA = f.mul(f.constant(8), a),
            fourA = f.mul(f.constant(4), a);
      return f.sub(f.mul(f.add(f.mul(f.sub(f.mul(a, t), fiveA), t), eightA), t),
                   fourA);
    };
    auto inner = [&](Value t) { // ((a + 2) t - (a + 3)) t t + 1
      Value aPlus2 = f.add(a, f.constant(2)), aPlus3 = f.add(a, f.constant(3));
      return f.add(f.mul(f.mul(f.sub(f.mul(aPlus2, t), aPlus3), t), t), one);
    };
    Value s = f.sub(one, ratio);
    return {outer(f.add(ratio, one)), inner(ratio), inner(s),
            outer(f.add(s, one))};
  }
  StringRef rounding = op.getNearestMode();
  Value right;
  if (rounding == "ceil")
    right = f.compare(P::OGT, ratio, zero); // any fraction
  else if (rounding == "floor")
    right = f.compare(P::OEQ, ratio, one);
  else if (rounding == "round_prefer_floor")
    right = f.compare(P::OGT, ratio, f.constant(0.5));
  else
    right = f.compare(P::OGE, ratio, f.constant(0.5));
  // An integral coordinate (ratio 1) is its right neighbour in every mode.
  right =
      arith::OrIOp::create(f.b, f.loc, right, f.compare(P::OEQ, ratio, one));
  return {f.select(right, zero, one), f.select(right, one, zero)};
}

/// The clamped input indices (i64) and, unless nearest, the weights (in
/// `computeType`) of the taps of `coordinate`.
SmallVector<Value> buildTaps(FloatBuilder &f, DynamicResizeOp op,
                             Value coordinate, Value inputSize, int64_t taps,
                             FloatType computeType) {
  using P = arith::CmpIPredicate;
  OpBuilder &b = f.b;
  Location loc = f.loc;
  // A coordinate more than 4 past either edge has every tap outside the input,
  // as at 4 past it: clamping it there keeps the result and the conversion to
  // an integer defined.
  Value n = f.fromInt(inputSize);
  coordinate = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, coordinate, f.constant(-4)),
      f.add(n, f.constant(4)));
  Value floor = math::FloorOp::create(b, loc, coordinate);
  Value integral = f.compare(arith::CmpFPredicate::OEQ, floor, coordinate);
  Value ratio = f.select(integral, f.constant(1), f.sub(coordinate, floor));
  SmallVector<Value> weights = runTimeWeights(f, op, ratio);
  int64_t count = weights.size();
  auto i64 = [&](int64_t value) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), value)
        .getResult();
  };
  // As the reference: an integral coordinate has ratio 1 to its left
  // neighbour, so the window starts one further left.
  Value first = arith::SubIOp::create(
      b, loc, arith::FPToSIOp::create(b, loc, b.getI64Type(), floor),
      arith::AddIOp::create(
          b, loc, arith::SelectOp::create(b, loc, integral, i64(1), i64(0)),
          i64(count / 2 - 1)));
  SmallVector<Value> positions;
  for (int64_t k = 0; k < count; ++k)
    positions.push_back(arith::AddIOp::create(b, loc, first, i64(k)));
  if (op.getExcludeOutside()) {
    Value sum = f.constant(0);
    for (int64_t k = 0; k < count; ++k) {
      Value inside = arith::AndIOp::create(
          b, loc, arith::CmpIOp::create(b, loc, P::sge, positions[k], i64(0)),
          arith::CmpIOp::create(b, loc, P::slt, positions[k], inputSize));
      weights[k] = f.select(inside, weights[k], f.constant(0));
      sum = f.add(sum, weights[k]);
    }
    Value nonzero = f.compare(arith::CmpFPredicate::ONE, sum, f.constant(0));
    for (Value &weight : weights)
      weight = f.select(nonzero, f.div(weight, sum), weight);
  }
  Value last = arith::SubIOp::create(b, loc, inputSize, i64(1));
  auto clampIndex = [&](Value index) {
    return arith::MinSIOp::create(
               b, loc, arith::MaxSIOp::create(b, loc, index, i64(0)), last)
        .getResult();
  };
  if (!computeType) {
    // The one neighbour with weight 1.
    Value right =
        f.compare(arith::CmpFPredicate::OEQ, weights[1], f.constant(1));
    return {clampIndex(
        arith::SelectOp::create(b, loc, right, positions[1], positions[0]))};
  }
  SmallVector<Value> results;
  for (int64_t k = 0; k < count; ++k)
    results.push_back(clampIndex(positions[k]));
  for (int64_t k = 0; k < count; ++k)
    results.push_back(computeType.isF64() ? weights[k]
                                          : arith::TruncFOp::create(
                                                b, loc, computeType, weights[k])
                                                .getResult());
  return results;
}

/// The tap tables of one dim computed at run time by a 1-D generic over its
/// output positions, following computeAxisTaps step by step in double
/// precision.
TapTables buildRunTimeTables(OpBuilder &b, Location loc, DynamicResizeOp op,
                             const RunTimeAxis &axis, FloatType computeType) {
  bool nearest = op.getMode() == "nearest";
  int64_t taps = nearest ? 1 : (op.getMode() == "linear" ? 2 : 4);
  Value size =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), axis.outputSize);
  SmallVector<Value> inits;
  SmallVector<Type> types;
  for (int64_t k = 0; k < taps; ++k) {
    types.push_back(
        RankedTensorType::get({ShapedType::kDynamic}, b.getI64Type()));
    inits.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<OpFoldResult>{size}, b.getI64Type()));
  }
  for (int64_t k = 0; !nearest && k < taps; ++k) {
    types.push_back(RankedTensorType::get({ShapedType::kDynamic}, computeType));
    inits.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<OpFoldResult>{size}, computeType));
  }
  bool crop = op.getCoordinateTransformationMode() == "tf_crop_and_resize";
  auto generic = linalg::GenericOp::create(
      b, loc, types, ValueRange(), inits,
      SmallVector<AffineMap>(inits.size(), b.getMultiDimIdentityMap(1)),
      SmallVector<utils::IteratorType>(1, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nested, ValueRange) {
        FloatBuilder f{nb, nested};
        Value index =
            arith::IndexCastOp::create(nb, nested, nb.getI64Type(),
                                       linalg::IndexOp::create(nb, nested, 0));
        Value outside;
        Value coordinate =
            runTimeCoordinate(f, op, axis, f.fromInt(index), outside);
        SmallVector<Value> results =
            buildTaps(f, op, coordinate, axis.inputSize, taps, computeType);
        if (crop) {
          Value marker =
              arith::ConstantIntOp::create(nb, nested, nb.getI64Type(), -1);
          for (int64_t k = 0; k < taps; ++k)
            results[k] = arith::SelectOp::create(nb, nested, outside, marker,
                                                 results[k]);
        }
        linalg::YieldOp::create(nb, nested, results);
      });
  TapTables tables;
  tables.hasOutside = crop;
  for (int64_t k = 0; k < taps; ++k)
    tables.indices.push_back(generic.getResult(k));
  for (int64_t k = 0; !nearest && k < taps; ++k)
    tables.weights.push_back(generic.getResult(taps + k));
  return tables;
}

struct DynamicResizeLowering : OpConversionPattern<DynamicResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    SmallVector<RunTimeAxis> axes;
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d) {
      axes.push_back(resolveAxis(shapes, op, adaptor, input, d));
      sizes.push_back(axes.back().outputSize);
    }
    shapes.checkElementCount(sizes, type.getElementType());
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    bool nearest = op.getMode() == "nearest";
    FloatType computeType =
        nearest ? FloatType() : computeTypeFor(rewriter, type.getElementType());
    TypedAttr extrapolation =
        extrapolationAttr(type.getElementType(), op.getExtrapolationValue());
    SmallVector<std::optional<TapTables>> tables;
    for (const RunTimeAxis &axis : axes)
      tables.push_back(
          buildRunTimeTables(rewriter, loc, op, axis, computeType));
    if (nearest) {
      rewriter.replaceOp(op, applyNearest(rewriter, loc, type, resultSizes,
                                          input, tables, extrapolation));
      return success();
    }
    Value current = input;
    for (int64_t d = rank - 1; d >= 0; --d)
      current = passOrSkip(shapes, op, current, d, axes[d], *tables[d],
                           extrapolation);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, type, current);
    return success();
  }

  /// Dim `d`'s input and output sizes and scale, checked: sizes are
  /// non-negative, scales positive and finite, output sizes fit in int64, and
  /// an empty dim is not resized to a non-empty one.
  static RunTimeAxis resolveAxis(RunTimeShapeBuilder &shapes,
                                 DynamicResizeOp op, OpAdaptor adaptor,
                                 Value input, int64_t d) {
    using P = arith::CmpFPredicate;
    OpBuilder &b = shapes.builder();
    Location loc = shapes.location();
    FloatBuilder f{b, loc};
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    RunTimeAxis axis;
    axis.inputSize = shapes.dim(input, d);
    Value n = f.fromInt(axis.inputSize);
    if (Value sizes = adaptor.getSizes()) {
      axis.outputSize = shapes.element(sizes, d);
      shapes.check(shapes.compare(arith::CmpIPredicate::sge, axis.outputSize,
                                  shapes.constant(0)),
                   "sizes entry " + Twine(d) + " is negative");
      axis.scale = f.div(f.fromInt(axis.outputSize), n);
    } else {
      axis.scale = floatElement(b, loc, adaptor.getScales(), d);
      shapes.check(arith::AndIOp::create(
                       b, loc, f.compare(P::OGT, axis.scale, f.constant(0)),
                       f.compare(P::OLT, axis.scale, f.constant(INFINITY))),
                   "scales entry " + Twine(d) + " is not positive and finite");
      // ONNX: the output size is floor(input size * scale).
      Value size = math::FloorOp::create(b, loc, f.mul(n, axis.scale));
      shapes.check(f.compare(P::OLT, size, f.constant(0x1p62)),
                   "the resized dimension " + Twine(d) + " overflows int64");
      axis.outputSize = arith::FPToSIOp::create(b, loc, b.getI64Type(), size);
    }
    shapes.check(
        shapes.either(shapes.compare(arith::CmpIPredicate::sgt, axis.inputSize,
                                     shapes.constant(0)),
                      shapes.compare(arith::CmpIPredicate::eq, axis.outputSize,
                                     shapes.constant(0))),
        "dimension " + Twine(d) + " is empty and cannot be resized");
    if (Value roi = adaptor.getRoi()) {
      axis.roiStart = floatElement(b, loc, roi, d);
      axis.roiEnd = floatElement(b, loc, roi, rank + d);
    }
    return axis;
  }

  /// Element `i` of a 1-D float tensor in double precision.
  static Value floatElement(OpBuilder &b, Location loc, Value tensor,
                            int64_t i) {
    Value value = tensor::ExtractOp::create(
        b, loc, tensor, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
    if (value.getType().isF64())
      return value;
    return arith::ExtFOp::create(b, loc, b.getF64Type(), value);
  }

  /// The interpolation pass of dim `d`, or `source` itself when the dim keeps
  /// its size and scale 1 under a transformation that then maps every
  /// position to itself (the batch and channel dims of an image resize),
  /// which the static lowering knows when compiling.
  static Value passOrSkip(RunTimeShapeBuilder &shapes, DynamicResizeOp op,
                          Value source, int64_t d, const RunTimeAxis &axis,
                          const TapTables &tables, TypedAttr extrapolation) {
    OpBuilder &b = shapes.builder();
    Location loc = shapes.location();
    Value size = shapes.toIndex(axis.outputSize);
    StringRef mode = op.getCoordinateTransformationMode();
    bool canSkip = llvm::is_contained(
        {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"},
        mode);
    if (!canSkip)
      return applyPass(b, loc, source, d, size, tables, extrapolation);
    FloatBuilder f{b, loc};
    Value unchanged = shapes.both(
        shapes.compare(arith::CmpIPredicate::eq, axis.outputSize,
                       axis.inputSize),
        f.compare(arith::CmpFPredicate::OEQ, axis.scale, f.constant(1)));
    auto sourceType = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> shape(sourceType.getShape());
    shape[d] = ShapedType::kDynamic;
    auto type = RankedTensorType::get(shape, sourceType.getElementType());
    auto branch = scf::IfOp::create(
        b, loc, unchanged,
        [&](OpBuilder &tb, Location tloc) {
          scf::YieldOp::create(
              tb, tloc,
              tensor::CastOp::create(tb, tloc, type, source).getResult());
        },
        [&](OpBuilder &eb, Location eloc) {
          Value pass =
              applyPass(eb, eloc, source, d, size, tables, extrapolation);
          scf::YieldOp::create(
              eb, eloc,
              tensor::CastOp::create(eb, eloc, type, pass).getResult());
        });
    return branch.getResult(0);
  }
};

} // namespace

void populateResizeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering, DynamicResizeLowering>(patterns.getContext());
}

} // namespace kiln
