//===- Quantization.cpp - ONNX linear quantization ops to kiln ------------===//
//
// Every quantized op is a composition of kiln ops; none needs an op of its own:
//
// - QuantizeLinear: saturate(round_half_even(x / scale) + zero_point), in the
//   scale's float type. The rounded value is an integer-valued float, so once
//   clamped to the 8-bit range the final kiln.cast (which truncates) is exact.
// - DequantizeLinear: (float(x) - float(zero_point)) * scale.
// - MatMulInteger: operands widened to i32 minus their zero points, then an
//   i32 kiln.matmul (which wraps as ONNX Runtime's int32 accumulators do).
// - ConvInteger: kiln.conv takes floats only, so the widened operands are
//   convolved in f64. Every product of two zero-point-shifted 8-bit values is
//   at most 2^16 in magnitude, so every partial sum of fewer than 2^37 terms
//   is an integer below 2^53: exact in f64, in any summation order. The sum
//   then becomes i64 (exactly) and i32 (dropping the high bits: the int32
//   wraparound of an integer accumulator). Padding pads the shifted input
//   with 0, i.e. the original with its zero point, as ONNX Runtime does.
// - QLinearMatMul, QLinearConv: the integer accumulator (plus QLinearConv's
//   int32 bias) requantized as ONNX Runtime does it: float(acc) *
//   ((a_scale * b_scale) / y_scale) in float32, rounded half to even, plus
//   y_zero_point, saturated.
//
// DynamicQuantizeLinear has no converter: ONNX's function body (min and max,
// scale, zero point, then QuantizeLinear) is inlined by the model loader.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "CompositionHelpers.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The values of an 8-bit quantized element type.
struct QuantizedRange {
  double min, max;
};

/// The range of `type`, which must be i8 (ONNX's int8) or ui8; `what` names
/// the input whose type it is.
llvm::Expected<QuantizedRange> quantizedRange(NodeContext &context, Type type,
                                              llvm::StringRef what) {
  // Signless i8 is ONNX's int8 (Kiln reads signless integers as signed).
  auto integer = dyn_cast<IntegerType>(type);
  if (integer && integer.getWidth() == 8 && !integer.isSigned())
    return integer.isUnsigned() ? QuantizedRange{0, 255}
                                : QuantizedRange{-128, 127};
  return context.invalid(what + " must be int8 or uint8");
}

/// `parameter` (a scale or zero point) as a rank-0 tensor; invalid unless it
/// holds one value.
llvm::Expected<Value> singleValue(NodeContext &context, Value parameter,
                                  llvm::StringRef what) {
  auto type = cast<RankedTensorType>(parameter.getType());
  if (type.getRank() == 0)
    return parameter;
  if (type.getRank() != 1 || type.getDimSize(0) != 1)
    return context.invalid(what + " must hold a single value");
  return context.create<ReshapeOp>(parameter, ArrayRef<int64_t>{});
}

/// Clamps the integer-valued floats `value` to `type`'s range and converts
/// them to `type`.
llvm::Expected<Value> saturate(NodeContext &context, Value value, Type type,
                               QuantizedRange range) {
  Type floatType = elementTypeOf(value);
  KILN_ASSIGN_OR_RETURN(
      Value above,
      context.create<MaxOp>(value, context.scalar(floatType, range.min)));
  KILN_ASSIGN_OR_RETURN(
      Value clamped,
      context.create<MinOp>(above, context.scalar(floatType, range.max)));
  return castElements(context, clamped, type);
}

/// Input `index`, which must be present and floating point (a scale).
llvm::Expected<Value> scaleInput(NodeContext &context, size_t index,
                                 llvm::StringRef what) {
  KILN_ASSIGN_OR_RETURN(Value scale, context.input(index));
  if (!isa<FloatType>(elementTypeOf(scale)))
    return context.invalid(what + " must be floating point");
  return scale;
}

llvm::Error convertQuantizeLinear(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value x, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value scale, scaleInput(context, 1, "y_scale"));
  Value zeroPoint = context.optionalInput(2);
  Type quantized = zeroPoint ? elementTypeOf(zeroPoint)
                             : IntegerType::get(context.builder.getContext(), 8,
                                                IntegerType::Unsigned);
  KILN_ASSIGN_OR_RETURN(QuantizedRange range,
                        quantizedRange(context, quantized, "y_zero_point"));
  int64_t rank = context.inputType(0).getRank();
  int64_t axis = context.intAttribute("axis", 1);
  Type floatType = elementTypeOf(scale);
  KILN_ASSIGN_OR_RETURN(scale,
                        alongAxis(context, scale, rank, axis, "y_scale"));
  KILN_ASSIGN_OR_RETURN(x, castElements(context, x, floatType));
  KILN_ASSIGN_OR_RETURN(Value scaled, context.create<DivOp>(x, scale));
  KILN_ASSIGN_OR_RETURN(Value rounded, context.create<RoundOp>(scaled));
  if (zeroPoint) {
    KILN_ASSIGN_OR_RETURN(
        zeroPoint, alongAxis(context, zeroPoint, rank, axis, "y_zero_point"));
    KILN_ASSIGN_OR_RETURN(zeroPoint,
                          castElements(context, zeroPoint, floatType));
    KILN_ASSIGN_OR_RETURN(rounded, context.create<AddOp>(rounded, zeroPoint));
  }
  KILN_ASSIGN_OR_RETURN(Value result,
                        saturate(context, rounded, quantized, range));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertDequantizeLinear(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value x, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value scale, scaleInput(context, 1, "x_scale"));
  if (!isa<IntegerType>(elementTypeOf(x)))
    return context.invalid("x must be an integer tensor");
  Value zeroPoint = context.optionalInput(2);
  if (zeroPoint && elementTypeOf(zeroPoint) != elementTypeOf(x))
    return context.invalid("x_zero_point must have x's element type");
  int64_t rank = context.inputType(0).getRank();
  int64_t axis = context.intAttribute("axis", 1);
  Type floatType = elementTypeOf(scale);
  KILN_ASSIGN_OR_RETURN(Value shifted, castElements(context, x, floatType));
  if (zeroPoint) {
    KILN_ASSIGN_OR_RETURN(
        zeroPoint, alongAxis(context, zeroPoint, rank, axis, "x_zero_point"));
    KILN_ASSIGN_OR_RETURN(zeroPoint,
                          castElements(context, zeroPoint, floatType));
    KILN_ASSIGN_OR_RETURN(shifted, context.create<SubOp>(shifted, zeroPoint));
  }
  KILN_ASSIGN_OR_RETURN(scale,
                        alongAxis(context, scale, rank, axis, "x_scale"));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<MulOp>(shifted, scale));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Integer matrix products
//===----------------------------------------------------------------------===//

/// Which kind of a matrix operand's dims a parameter may vary along.
enum class Layout { PerRow, PerColumn };

/// A zero point or scale of a matrix operand of rank `rank`: a 1-D parameter
/// of several values holds one per row ([M] -> [M, 1]) or per column ([N]);
/// higher ranks ([..., M, 1] or [..., 1, N]) already broadcast.
llvm::Expected<Value> matrixParameter(NodeContext &context, Value parameter,
                                      int64_t rank, Layout layout,
                                      llvm::StringRef what) {
  auto type = cast<RankedTensorType>(parameter.getType());
  if (type.getRank() > 1)
    return parameter;
  if (type.getRank() == 1 && type.getDimSize(0) != 1 && rank < 2)
    return context.invalid(what + " has several values for a 1-D operand");
  return alongAxis(context, parameter, rank,
                   layout == Layout::PerRow ? rank - 2 : rank - 1, what);
}

/// `operand` (an 8-bit integer tensor) as `wide` minus its optional zero point
/// (already laid out to broadcast), which must have the operand's type.
llvm::Expected<Value> widenAndShift(NodeContext &context, Value operand,
                                    Value zeroPoint, Type wide,
                                    llvm::StringRef what) {
  if (llvm::Error error =
          quantizedRange(context, elementTypeOf(operand), what).takeError())
    return std::move(error);
  if (zeroPoint && elementTypeOf(zeroPoint) != elementTypeOf(operand))
    return context.invalid("the zero point of " + what +
                           " must have its element type");
  KILN_ASSIGN_OR_RETURN(Value widened, castElements(context, operand, wide));
  if (!zeroPoint)
    return widened;
  KILN_ASSIGN_OR_RETURN(zeroPoint, castElements(context, zeroPoint, wide));
  return context.create<SubOp>(widened, zeroPoint);
}

/// NumPy matmul of `lhs` and `rhs`: a 1-D operand is a vector whose unit dim
/// is dropped from the result again.
llvm::Expected<Value> numpyMatMul(NodeContext &context, Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
  if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
    return context.invalid("matrix operands must have rank 1 or more");
  if (lhsVector) {
    KILN_ASSIGN_OR_RETURN(
        lhs, context.create<ReshapeOp>(lhs, ArrayRef<int64_t>{1, -1}));
  }
  if (rhsVector) {
    KILN_ASSIGN_OR_RETURN(
        rhs, context.create<ReshapeOp>(rhs, ArrayRef<int64_t>{-1, 1}));
  }
  KILN_ASSIGN_OR_RETURN(Value result, context.create<MatMulOp>(lhs, rhs));
  if (!lhsVector && !rhsVector)
    return result;
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(result.getType()).getShape());
  if (rhsVector)
    shape.pop_back();
  if (lhsVector)
    shape.erase(shape.end() - (rhsVector ? 1 : 2));
  return context.create<ReshapeOp>(result, shape);
}

/// The i32 product of the 8-bit matrices at inputs `a` and `b` minus their
/// optional zero points at inputs `aZero` (per row) and `bZero` (per column).
llvm::Expected<Value> integerMatMul(NodeContext &context, size_t a,
                                    size_t aZero, size_t b, size_t bZero) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(a));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(b));
  Type i32 = context.builder.getI32Type();
  int64_t lhsRank = context.inputType(a).getRank();
  int64_t rhsRank = context.inputType(b).getRank();
  Value lhsZero = context.optionalInput(aZero),
        rhsZero = context.optionalInput(bZero);
  if (lhsZero) {
    KILN_ASSIGN_OR_RETURN(lhsZero,
                          matrixParameter(context, lhsZero, lhsRank,
                                          Layout::PerRow, "a_zero_point"));
  }
  if (rhsZero) {
    KILN_ASSIGN_OR_RETURN(rhsZero,
                          matrixParameter(context, rhsZero, rhsRank,
                                          Layout::PerColumn, "b_zero_point"));
  }
  KILN_ASSIGN_OR_RETURN(lhs, widenAndShift(context, lhs, lhsZero, i32, "A"));
  KILN_ASSIGN_OR_RETURN(rhs, widenAndShift(context, rhs, rhsZero, i32, "B"));
  return numpyMatMul(context, lhs, rhs);
}

/// float(accumulator) * multiplier, rounded half to even, plus the optional
/// zero point, saturated to the zero point's type (ui8 without one).
llvm::Expected<Value> requantize(NodeContext &context, Value accumulator,
                                 Value multiplier, Value zeroPoint) {
  Type quantized = zeroPoint ? elementTypeOf(zeroPoint)
                             : IntegerType::get(context.builder.getContext(), 8,
                                                IntegerType::Unsigned);
  KILN_ASSIGN_OR_RETURN(QuantizedRange range,
                        quantizedRange(context, quantized, "y_zero_point"));
  Type floatType = elementTypeOf(multiplier);
  KILN_ASSIGN_OR_RETURN(Value value,
                        castElements(context, accumulator, floatType));
  KILN_ASSIGN_OR_RETURN(value, context.create<MulOp>(value, multiplier));
  KILN_ASSIGN_OR_RETURN(value, context.create<RoundOp>(value));
  if (zeroPoint) {
    KILN_ASSIGN_OR_RETURN(zeroPoint,
                          castElements(context, zeroPoint, floatType));
    KILN_ASSIGN_OR_RETURN(value, context.create<AddOp>(value, zeroPoint));
  }
  return saturate(context, value, quantized, range);
}

/// (lhsScale * rhsScale) / outputScale, in float32 as ONNX Runtime computes
/// the requantization multiplier.
llvm::Expected<Value> multiplierOf(NodeContext &context, Value lhsScale,
                                   Value rhsScale, Value outputScale) {
  KILN_ASSIGN_OR_RETURN(Value product,
                        context.create<MulOp>(lhsScale, rhsScale));
  return context.create<DivOp>(product, outputScale);
}

llvm::Error convertMatMulInteger(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value result, integerMatMul(context, 0, 2, 1, 3));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
/// y_zero_point; the output is quantized like a's rows.
llvm::Error convertQLinearMatMul(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(3));
  int64_t lhsRank = cast<RankedTensorType>(lhs.getType()).getRank();
  int64_t rhsRank = cast<RankedTensorType>(rhs.getType()).getRank();
  KILN_ASSIGN_OR_RETURN(Value lhsScale, scaleInput(context, 1, "a_scale"));
  KILN_ASSIGN_OR_RETURN(Value rhsScale, scaleInput(context, 4, "b_scale"));
  KILN_ASSIGN_OR_RETURN(Value outputScale, scaleInput(context, 6, "y_scale"));
  KILN_ASSIGN_OR_RETURN(lhsScale, matrixParameter(context, lhsScale, lhsRank,
                                                  Layout::PerRow, "a_scale"));
  KILN_ASSIGN_OR_RETURN(rhsScale,
                        matrixParameter(context, rhsScale, rhsRank,
                                        Layout::PerColumn, "b_scale"));
  KILN_ASSIGN_OR_RETURN(outputScale,
                        matrixParameter(context, outputScale, lhsRank,
                                        Layout::PerRow, "y_scale"));
  Value outputZero = context.optionalInput(7);
  if (outputZero) {
    KILN_ASSIGN_OR_RETURN(outputZero,
                          matrixParameter(context, outputZero, lhsRank,
                                          Layout::PerRow, "y_zero_point"));
  }
  KILN_ASSIGN_OR_RETURN(Value accumulator, integerMatMul(context, 0, 2, 3, 5));
  KILN_ASSIGN_OR_RETURN(Value multiplier,
                        multiplierOf(context, lhsScale, rhsScale, outputScale));
  KILN_ASSIGN_OR_RETURN(
      Value result, requantize(context, accumulator, multiplier, outputZero));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Integer convolutions
//===----------------------------------------------------------------------===//

/// The 2-D geometry of an ONNX Conv-like node (1-D ones get a unit height).
struct ConvGeometry {
  SmallVector<int64_t> strides, padding, dilations; // kiln order and layout
  int64_t groups;
  bool oneDimensional;
};

/// Resolves auto_pad SAME_* for one spatial dim into its begin and end pads.
void samePadding(int64_t input, int64_t kernel, int64_t stride,
                 int64_t dilation, bool upper, int64_t &begin, int64_t &end) {
  int64_t output = (input + stride - 1) / stride;
  int64_t total = std::max<int64_t>(0, (output - 1) * stride +
                                           dilation * (kernel - 1) + 1 - input);
  int64_t small = total / 2;
  begin = upper ? small : total - small;
  end = total - begin;
}

/// Reads strides, dilations, pads, auto_pad and group of a ConvInteger or
/// QLinearConv node whose input and filter have the given types (rank 3 or 4,
/// static spatial dims when auto_pad needs them).
llvm::Expected<ConvGeometry> readConvGeometry(NodeContext &context,
                                              RankedTensorType inputType,
                                              RankedTensorType filterType) {
  int64_t spatialRank = inputType.getRank() - 2;
  if (spatialRank != 1 && spatialRank != 2)
    return context.unsupported(llvm::Twine(spatialRank) +
                               "-D spatial inputs (only 1-D and 2-D are "
                               "supported)");
  if (filterType.getRank() != inputType.getRank())
    return context.invalid("the filter's rank differs from the input's");
  SmallVector<int64_t> ones(spatialRank, 1), zeros(2 * spatialRank, 0);
  SmallVector<int64_t> kernel(filterType.getShape().drop_front(2));
  if (context.hasAttribute("kernel_shape") &&
      context.intsAttribute("kernel_shape") != kernel)
    return context.invalid("kernel_shape does not match the filter's shape");
  SmallVector<int64_t> strides = context.intsAttribute("strides", ones);
  SmallVector<int64_t> dilations = context.intsAttribute("dilations", ones);
  SmallVector<int64_t> pads = context.intsAttribute("pads", zeros);
  if (static_cast<int64_t>(kernel.size()) != spatialRank ||
      static_cast<int64_t>(strides.size()) != spatialRank ||
      static_cast<int64_t>(dilations.size()) != spatialRank ||
      static_cast<int64_t>(pads.size()) != 2 * spatialRank)
    return context.invalid("kernel_shape, strides, dilations and pads must "
                           "have one entry per spatial dimension, pads two");
  std::string autoPad = context.stringAttribute("auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < spatialRank; ++i) {
      int64_t input = inputType.getDimSize(2 + i);
      if (strides[i] < 1 || dilations[i] < 1)
        return context.invalid("strides and dilations must be positive");
      if (ShapedType::isDynamic(input) || ShapedType::isDynamic(kernel[i]))
        return context.unsupported("auto_pad " + autoPad +
                                   " needs static spatial sizes");
      samePadding(input, kernel[i], strides[i], dilations[i],
                  autoPad == "SAME_UPPER", pads[i], pads[spatialRank + i]);
    }
  } else if (autoPad == "VALID") {
    pads.assign(2 * spatialRank, 0);
  } else if (autoPad != "NOTSET") {
    return context.invalid("unknown auto_pad '" + autoPad + "'");
  }
  ConvGeometry geometry;
  geometry.groups = context.intAttribute("group", 1);
  geometry.oneDimensional = spatialRank == 1;
  if (geometry.oneDimensional) {
    geometry.strides = {1, strides[0]};
    geometry.dilations = {1, dilations[0]};
    geometry.padding = {0, pads[0], 0, pads[1]};
  } else {
    geometry.strides = strides;
    geometry.dilations = dilations;
    geometry.padding = pads; // [x1_begin, x2_begin, x1_end, x2_end]
  }
  return geometry;
}

/// [N, C, L] -> [N, C, 1, L] for 1-D convolutions.
llvm::Expected<Value> withUnitHeight(NodeContext &context, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return context.create<ReshapeOp>(
      value, ArrayRef<int64_t>{type.getDimSize(0), type.getDimSize(1), 1,
                               type.getDimSize(2)});
}

/// The exact i32 convolution of the 8-bit tensors at inputs `x` and `w` minus
/// their optional zero points at `xZero` (one value) and `wZero` (one value or
/// one per output channel), through f64 (see the file comment).
llvm::Expected<Value> integerConv(NodeContext &context, size_t x, size_t xZero,
                                  size_t w, size_t wZero) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(x));
  KILN_ASSIGN_OR_RETURN(Value filter, context.input(w));
  RankedTensorType inputType = context.inputType(x),
                   filterType = context.inputType(w);
  KILN_ASSIGN_OR_RETURN(ConvGeometry geometry,
                        readConvGeometry(context, inputType, filterType));
  Type f64 = context.builder.getF64Type();
  Value inputZero = context.optionalInput(xZero),
        filterZero = context.optionalInput(wZero);
  if (inputZero) {
    KILN_ASSIGN_OR_RETURN(inputZero,
                          singleValue(context, inputZero, "x_zero_point"));
  }
  if (filterZero) {
    KILN_ASSIGN_OR_RETURN(filterZero,
                          alongAxis(context, filterZero, filterType.getRank(),
                                    0, "w_zero_point"));
  }
  KILN_ASSIGN_OR_RETURN(input,
                        widenAndShift(context, input, inputZero, f64, "x"));
  KILN_ASSIGN_OR_RETURN(filter,
                        widenAndShift(context, filter, filterZero, f64, "w"));
  if (geometry.oneDimensional) {
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape())
      return context.unsupported("1-D convolutions need static shapes");
    KILN_ASSIGN_OR_RETURN(input, withUnitHeight(context, input));
    KILN_ASSIGN_OR_RETURN(filter, withUnitHeight(context, filter));
  }
  KILN_ASSIGN_OR_RETURN(
      Value sum, context.create<Conv2DOp>(input, filter, geometry.strides,
                                          geometry.padding, geometry.dilations,
                                          geometry.groups));
  if (geometry.oneDimensional) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(sum.getType()).getShape();
    KILN_ASSIGN_OR_RETURN(
        sum, context.create<ReshapeOp>(
                 sum, ArrayRef<int64_t>{shape[0], shape[1], shape[3]}));
  }
  KILN_ASSIGN_OR_RETURN(
      sum, castElements(context, sum, context.builder.getI64Type()));
  return castElements(context, sum, context.builder.getI32Type());
}

llvm::Error convertConvInteger(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value result, integerConv(context, 0, 2, 1, 3));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
/// y_zero_point and an optional int32 bias B (one per output channel).
llvm::Error convertQLinearConv(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value inputScale, scaleInput(context, 1, "x_scale"));
  KILN_ASSIGN_OR_RETURN(Value filterScale, scaleInput(context, 4, "w_scale"));
  KILN_ASSIGN_OR_RETURN(Value outputScale, scaleInput(context, 6, "y_scale"));
  KILN_ASSIGN_OR_RETURN(Value accumulator, integerConv(context, 0, 2, 3, 5));
  int64_t rank = cast<RankedTensorType>(accumulator.getType()).getRank();
  if (Value bias = context.optionalInput(8)) {
    if (context.inputType(8).getRank() != 1 ||
        !elementTypeOf(bias).isSignlessInteger(32))
      return context.invalid("B must be a 1-D int32 tensor");
    KILN_ASSIGN_OR_RETURN(bias, alongAxis(context, bias, rank, 1, "B"));
    KILN_ASSIGN_OR_RETURN(accumulator,
                          context.create<AddOp>(accumulator, bias));
  }
  KILN_ASSIGN_OR_RETURN(inputScale,
                        singleValue(context, inputScale, "x_scale"));
  KILN_ASSIGN_OR_RETURN(filterScale,
                        alongAxis(context, filterScale, rank, 1, "w_scale"));
  KILN_ASSIGN_OR_RETURN(outputScale,
                        singleValue(context, outputScale, "y_scale"));
  Value outputZero = context.optionalInput(7);
  if (outputZero) {
    KILN_ASSIGN_OR_RETURN(outputZero,
                          singleValue(context, outputZero, "y_zero_point"));
  }
  KILN_ASSIGN_OR_RETURN(
      Value multiplier,
      multiplierOf(context, inputScale, filterScale, outputScale));
  KILN_ASSIGN_OR_RETURN(
      Value result, requantize(context, accumulator, multiplier, outputZero));
  context.setOutput(0, result);
  return llvm::Error::success();
}

} // namespace

void registerQuantizationConverters(ConverterRegistry &registry) {
  registry.add("", "QuantizeLinear", convertQuantizeLinear);
  registry.add("", "DequantizeLinear", convertDequantizeLinear);
  registry.add("", "MatMulInteger", convertMatMulInteger);
  registry.add("", "QLinearMatMul", convertQLinearMatMul);
  registry.add("", "ConvInteger", convertConvInteger);
  registry.add("", "QLinearConv", convertQLinearConv);
}

} // namespace kiln::onnx_import
