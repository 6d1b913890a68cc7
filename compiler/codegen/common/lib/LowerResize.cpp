//===- LowerResize.cpp - kiln.resize to linalg with precomputed taps ------===//
//
// Shapes and scales of a resize are static, so where each output element reads
// from is known at compile time. For every resized dimension this file
// computes, in double precision and following ONNX's reference implementation
// step by step, each output position's source taps (input indices, clamped to
// the edge) and their weights, and emits them as constant tables:
//
// * nearest: one `linalg.generic` over the output reads
//   `input[table_0[i0], table_1[i1], ...]` with `tensor.extract`;
// * linear and cubic: interpolation is separable, so each resized dimension is
//   one `linalg.generic` pass (the last dimension first, as the reference
//   recurses) summing its 2 or 4 weighted taps.
//
// Dimensions whose mapping is the identity (scale 1 with most modes) get no
// table and no pass. tf_crop_and_resize marks positions outside the input
// with tap index -1, which the generated code replaces by
// extrapolation_value.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "ShapeLoweringHelpers.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> sizes = op.getSizes();
    SmallVector<std::optional<AxisTaps>> axes;
    for (int64_t d = 0; d < inputType.getRank(); ++d) {
      AxisTaps taps = computeAxisTaps(op, d, inputType.getDimSize(d), sizes[d]);
      if (taps.isIdentity(inputType.getDimSize(d)))
        axes.push_back(std::nullopt);
      else
        axes.push_back(std::move(taps));
    }
    Value result = op.getMode() == "nearest"
                       ? buildNearest(rewriter, loc, op, input, axes)
                       : buildInterpolation(rewriter, loc, op, input, axes);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// One generic over the output, reading the input at the tabled index of
  /// every resized dim.
  static Value buildNearest(OpBuilder &b, Location loc, ResizeOp op,
                            Value input,
                            ArrayRef<std::optional<AxisTaps>> axes) {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    SmallVector<Value> tables;
    SmallVector<AffineMap> maps;
    SmallVector<int64_t> tableOfDim(rank, -1);
    bool hasOutside = false;
    for (int64_t d = 0; d < rank; ++d) {
      if (!axes[d])
        continue;
      tableOfDim[d] = tables.size();
      tables.push_back(buildTable(b, loc, axes[d]->indices));
      maps.push_back(dimMap(b.getContext(), rank, d));
      hasOutside |= axes[d]->hasOutside;
    }
    maps.push_back(b.getMultiDimIdentityMap(rank));
    Value init = createEmptyTensor(
        b, loc, type, getAsIndexOpFoldResult(b.getContext(), type.getShape()));
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
          Value element =
              tensor::ExtractOp::create(nb, nested, input, position);
          if (hasOutside) {
            Value fallback = createElementConstant(
                nb, nested,
                extrapolationAttr(type.getElementType(),
                                  op.getExtrapolationValue()));
            for (int64_t d = 0; d < rank; ++d)
              if (tableOfDim[d] >= 0 && axes[d]->hasOutside)
                element = selectOutside(nb, nested, args[tableOfDim[d]],
                                        element, fallback);
          }
          linalg::YieldOp::create(nb, nested, element);
        });
    return generic.getResult(0);
  }

  /// One weighted-sum pass per resized dim, the last dim first.
  static Value buildInterpolation(OpBuilder &b, Location loc, ResizeOp op,
                                  Value input,
                                  ArrayRef<std::optional<AxisTaps>> axes) {
    Value current = input;
    for (int64_t d = static_cast<int64_t>(axes.size()) - 1; d >= 0; --d)
      if (axes[d])
        current = buildPass(b, loc, op, current, d, *axes[d]);
    return current;
  }

  /// Interpolates `source` along dim `axis` with `taps`. Sums are accumulated
  /// in f32 for narrower float types.
  static Value buildPass(OpBuilder &b, Location loc, ResizeOp op, Value source,
                         int64_t axis, const AxisTaps &taps) {
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto elementType = cast<FloatType>(sourceType.getElementType());
    FloatType computeType =
        elementType.getWidth() < 32 ? b.getF32Type() : elementType;
    int64_t rank = sourceType.getRank();
    SmallVector<int64_t> shape(sourceType.getShape());
    shape[axis] = taps.indices.size() / taps.taps;
    auto type = RankedTensorType::get(shape, elementType);

    SmallVector<Value> tables;
    for (int64_t k = 0; k < taps.taps; ++k)
      tables.push_back(
          buildTable(b, loc, tapColumn(ArrayRef(taps.indices), taps.taps, k)));
    for (int64_t k = 0; k < taps.taps; ++k)
      tables.push_back(
          buildTable(b, loc, tapColumn(ArrayRef(taps.weights), taps.taps, k),
                     computeType));
    SmallVector<AffineMap> maps(tables.size(),
                                dimMap(b.getContext(), rank, axis));
    maps.push_back(b.getMultiDimIdentityMap(rank));
    Value init = createEmptyTensor(
        b, loc, type, getAsIndexOpFoldResult(b.getContext(), shape));
    int64_t count = taps.taps;
    auto generic = linalg::GenericOp::create(
        b, loc, type, tables, init, maps,
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
          if (taps.hasOutside)
            sum = selectOutside(
                nb, nested, args[0], sum,
                createElementConstant(
                    nb, nested,
                    extrapolationAttr(elementType,
                                      op.getExtrapolationValue())));
          linalg::YieldOp::create(nb, nested, sum);
        });
    return generic.getResult(0);
  }
};

} // namespace

void populateResizeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(patterns.getContext());
}

} // namespace kiln
