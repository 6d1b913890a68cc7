//===- Elementwise.cpp - ONNX elementwise ops to kiln ---------------------===//
//
// Arithmetic with NumPy broadcasting, unary math, logic, comparisons, Where,
// Cast, and the variadic Max/Min/Sum/Mean: mostly one kiln op each. ONNX ops
// without a kiln op of their own are small compositions (Reciprocal is 1 / x,
// LessOrEqual is compare le, IsInf with one sign is a comparison with that
// infinity). Activations are in Activation.cpp.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

#include <limits>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

template <typename OpTy> llvm::Error convertBinary(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<OpTy>(lhs, rhs));
  context.setOutput(0, result);
  return llvm::Error::success();
}

template <typename OpTy> llvm::Error convertUnary(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<OpTy>(input));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// An op kiln defines on floats only, which ONNX also allows on integers.
template <typename OpTy> llvm::Error convertFloatUnary(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  if (!isa<FloatType>(elementTypeOf(input)))
    return context.unsupported("only floating-point inputs are supported, "
                               "got " +
                               llvm::Twine(context.node.op_type()) + " on " +
                               "integers");
  KILN_ASSIGN_OR_RETURN(Value result, context.create<OpTy>(input));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertIdentity(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  context.setOutput(0, input);
  return llvm::Error::success();
}

llvm::Error convertReciprocal(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  Value one = context.scalar(elementTypeOf(input), 1.0);
  KILN_ASSIGN_OR_RETURN(Value result, context.create<DivOp>(one, input));
  context.setOutput(0, result);
  return llvm::Error::success();
}

template <ComparisonPredicate predicate>
llvm::Error convertCompare(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<CompareOp>(predicate, lhs, rhs));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertIsInf(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  bool negative = context.intAttribute("detect_negative", 1) != 0;
  bool positive = context.intAttribute("detect_positive", 1) != 0;
  if (negative && positive) {
    KILN_ASSIGN_OR_RETURN(Value result, context.create<IsInfOp>(input));
    context.setOutput(0, result);
    return llvm::Error::success();
  }
  if (!isa<FloatType>(elementTypeOf(input)))
    return context.invalid("IsInf takes floating-point inputs");
  double infinity = std::numeric_limits<double>::infinity();
  // One sign: equality with that infinity. Neither: x > +inf, false for every
  // x (NaN included) and of the right shape.
  Value bound = context.scalar(elementTypeOf(input),
                               positive || !negative ? infinity : -infinity);
  ComparisonPredicate predicate =
      positive || negative ? ComparisonPredicate::eq : ComparisonPredicate::gt;
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<CompareOp>(predicate, input, bound));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertWhere(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value condition, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value ifTrue, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value ifFalse, context.input(2));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<SelectOp>(condition, ifTrue, ifFalse));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Casts `input` to `target`, or returns it when it already has that type.
/// Strings convert to and from f32, f64 and integers (the runtime formats and
/// parses them); other string casts (bool, f16, bf16) are unsupported.
llvm::Expected<Value> castTo(NodeContext &context, Value input, Type target) {
  Type source = elementTypeOf(input);
  if (source == target)
    return input;
  bool toString = isa<StringType>(target);
  if (toString != isa<StringType>(source)) {
    Type number = toString ? source : target;
    if (!isStringConvertible(number)) {
      std::string name;
      llvm::raw_string_ostream(name) << number;
      return context.unsupported(
          llvm::Twine("casting ") + (toString ? "from " : "to ") + name +
          (toString ? " to" : " from") +
          " STRING is not supported yet (only FLOAT, DOUBLE and integers)");
    }
  }
  return context.create<CastOp>(input, TypeAttr::get(target));
}

llvm::Error convertCast(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  if (!context.hasAttribute("to"))
    return context.invalid("attribute 'to' is required");
  KILN_ASSIGN_OR_RETURN(Type target,
                        elementTypeFromOnnx(context.builder.getContext(),
                                            context.intAttribute("to", 0),
                                            /*allowString=*/true));
  KILN_ASSIGN_OR_RETURN(Value result, castTo(context, input, target));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertCastLike(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value like, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value result,
                        castTo(context, input, elementTypeOf(like)));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// ONNX's Pow lets the exponent's type differ from the base's; the result has
/// the base's type, as NumPy's power(x, y).astype(x.dtype).
llvm::Error convertPow(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value base, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value exponent, context.input(1));
  Type baseType = elementTypeOf(base), exponentType = elementTypeOf(exponent);
  if (isa<FloatType>(baseType) || !isa<FloatType>(exponentType)) {
    KILN_ASSIGN_OR_RETURN(exponent, castTo(context, exponent, baseType));
    KILN_ASSIGN_OR_RETURN(Value result, context.create<PowOp>(base, exponent));
    context.setOutput(0, result);
    return llvm::Error::success();
  }
  // An integer base with a float exponent: the power is taken in the
  // exponent's type and truncated back.
  KILN_ASSIGN_OR_RETURN(base, castTo(context, base, exponentType));
  KILN_ASSIGN_OR_RETURN(Value power, context.create<PowOp>(base, exponent));
  KILN_ASSIGN_OR_RETURN(Value result, castTo(context, power, baseType));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// The inputs combined left to right with `OpTy`.
template <typename OpTy>
llvm::Expected<Value> combineAll(NodeContext &context) {
  if (context.numInputs() == 0)
    return context.invalid("it needs at least one input");
  KILN_ASSIGN_OR_RETURN(Value result, context.input(0));
  for (size_t i = 1; i < context.numInputs(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value next, context.input(i));
    KILN_ASSIGN_OR_RETURN(result, context.create<OpTy>(result, next));
  }
  return result;
}

/// Max, Min and Sum of one or more inputs.
template <typename OpTy> llvm::Error convertVariadic(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value result, combineAll<OpTy>(context));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertMean(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value sum, combineAll<AddOp>(context));
  if (!isa<FloatType>(elementTypeOf(sum)))
    return context.invalid("Mean takes floating-point inputs");
  Value count = context.scalar(elementTypeOf(sum),
                               static_cast<double>(context.numInputs()));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<DivOp>(sum, count));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertMod(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(1));
  bool fmod = context.intAttribute("fmod", 0) != 0;
  if (!fmod && isa<FloatType>(elementTypeOf(lhs)))
    return context.invalid("fmod must be 1 for floating-point inputs");
  KILN_ASSIGN_OR_RETURN(
      Value result,
      context.create<ModOp>(lhs, rhs, context.builder.getBoolAttr(fmod)));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertBitShift(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(1));
  std::string direction = context.stringAttribute("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return context.invalid("direction must be \"LEFT\" or \"RIGHT\", got \"" +
                           direction + "\"");
  ShiftDirection kind =
      direction == "LEFT" ? ShiftDirection::left : ShiftDirection::right;
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<BitShiftOp>(kind, lhs, rhs));
  context.setOutput(0, result);
  return llvm::Error::success();
}

} // namespace

void registerElementwiseConverters(ConverterRegistry &registry) {
  registry.add("", "Add", convertBinary<AddOp>);
  registry.add("", "Sub", convertBinary<SubOp>);
  registry.add("", "Mul", convertBinary<MulOp>);
  registry.add("", "Div", convertBinary<DivOp>);
  registry.add("", "Pow", convertPow);
  registry.add("", "Mod", convertMod);
  registry.add("", "BitShift", convertBitShift);
  registry.add("", "Max", convertVariadic<MaxOp>);
  registry.add("", "Min", convertVariadic<MinOp>);
  registry.add("", "Sum", convertVariadic<AddOp>);
  registry.add("", "Mean", convertMean);

  registry.add("", "Abs", convertUnary<AbsOp>);
  registry.add("", "Neg", convertUnary<NegOp>);
  registry.add("", "Sign", convertUnary<SignOp>);
  registry.add("", "Reciprocal", convertReciprocal);
  registry.add("", "Sqrt", convertUnary<SqrtOp>);
  registry.add("", "Floor", convertUnary<FloorOp>);
  registry.add("", "Ceil", convertUnary<CeilOp>);
  registry.add("", "Round", convertUnary<RoundOp>);
  registry.add("", "Tanh", convertUnary<TanhOp>);
  registry.add("", "Exp", convertUnary<ExpOp>);
  registry.add("", "Log", convertUnary<LogOp>);
  registry.add("", "Sin", convertUnary<SinOp>);
  registry.add("", "Cos", convertUnary<CosOp>);
  registry.add("", "Tan", convertUnary<TanOp>);
  registry.add("", "Asin", convertUnary<AsinOp>);
  registry.add("", "Acos", convertUnary<AcosOp>);
  registry.add("", "Atan", convertUnary<AtanOp>);
  registry.add("", "Sinh", convertUnary<SinhOp>);
  registry.add("", "Cosh", convertUnary<CoshOp>);
  registry.add("", "Asinh", convertUnary<AsinhOp>);
  registry.add("", "Acosh", convertUnary<AcoshOp>);
  registry.add("", "Atanh", convertUnary<AtanhOp>);
  registry.add("", "Erf", convertFloatUnary<ErfOp>);
  registry.add("", "IsNaN", convertUnary<IsNaNOp>);
  registry.add("", "IsInf", convertIsInf);

  registry.add("", "Not", convertUnary<NotOp>);
  registry.add("", "And", convertBinary<AndOp>);
  registry.add("", "Or", convertBinary<OrOp>);
  registry.add("", "Xor", convertBinary<XorOp>);
  registry.add("", "Equal", convertCompare<ComparisonPredicate::eq>);
  registry.add("", "Less", convertCompare<ComparisonPredicate::lt>);
  registry.add("", "LessOrEqual", convertCompare<ComparisonPredicate::le>);
  registry.add("", "Greater", convertCompare<ComparisonPredicate::gt>);
  registry.add("", "GreaterOrEqual", convertCompare<ComparisonPredicate::ge>);
  registry.add("", "Where", convertWhere);
  registry.add("", "Cast", convertCast);
  registry.add("", "CastLike", convertCastLike);
  registry.add("", "Identity", convertIdentity);
}

} // namespace kiln::onnx_import
