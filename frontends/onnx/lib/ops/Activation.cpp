//===- Activation.cpp - ONNX activation functions to kiln -----------------===//
//
// Relu and Sigmoid are kiln ops; the other activations are short compositions
// of elementwise kiln ops (compare + select for the piecewise ones, max/min for
// the clamps), with the node's attributes as rank-0 constants of the input's
// element type. Linalg's elementwise fusion turns each composition back into
// one loop.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Builds one activation from the node's first input `x`.
class ActivationBuilder {
public:
  explicit ActivationBuilder(NodeContext &context) : context(context) {}

  /// Reads input 0; must be called first.
  llvm::Error readInput() {
    KILN_ASSIGN_OR_RETURN(x, context.input(0));
    elementType = cast<RankedTensorType>(x.getType()).getElementType();
    return llvm::Error::success();
  }

  llvm::Error requireFloat() const {
    if (isa<FloatType>(elementType))
      return llvm::Error::success();
    return context.invalid(context.node.op_type() +
                           " takes floating-point inputs");
  }

  /// A rank-0 constant of the input's element type.
  Value constant(double value) { return context.scalar(elementType, value); }
  /// The float attribute `name` (or `fallback`) as a rank-0 constant.
  Value attribute(llvm::StringRef name, float fallback) {
    return constant(context.floatAttribute(name, fallback));
  }

  template <typename OpTy, typename... Args>
  llvm::Expected<Value> create(Args &&...args) {
    return context.create<OpTy>(std::forward<Args>(args)...);
  }
  llvm::Expected<Value> compare(ComparisonPredicate predicate, Value lhs,
                                Value rhs) {
    return context.create<CompareOp>(predicate, lhs, rhs);
  }

  llvm::Error finish(Value result) {
    context.setOutput(0, result);
    return llvm::Error::success();
  }

  NodeContext &context;
  Value x;
  Type elementType;
};

template <typename OpTy> llvm::Error convertUnary(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  KILN_ASSIGN_OR_RETURN(Value result, b.create<OpTy>(b.x));
  return b.finish(result);
}

/// x < 0 ? alpha * x : x.
llvm::Error convertLeakyRelu(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  KILN_ASSIGN_OR_RETURN(
      Value negative, b.compare(ComparisonPredicate::lt, b.x, b.constant(0.0)));
  KILN_ASSIGN_OR_RETURN(Value scaled,
                        b.create<MulOp>(b.x, b.attribute("alpha", 0.01f)));
  KILN_ASSIGN_OR_RETURN(Value result,
                        b.create<SelectOp>(negative, scaled, b.x));
  return b.finish(result);
}

/// x < 0 ? slope * x : x, with the slope broadcast to x.
llvm::Error convertPRelu(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  KILN_ASSIGN_OR_RETURN(Value slope, context.input(1));
  // Models exported for opset 6 and older give one slope per channel as a 1-D
  // [C] tensor, which NumPy broadcasting would align with the last dim; lay it
  // along dim 1 as those opsets meant.
  RankedTensorType xType = context.inputType(0), slopeType = context.inputType(1);
  if (slopeType.getRank() == 1 && xType.getRank() > 2 && slopeType.hasStaticShape() &&
      slopeType.getDimSize(0) != 1 && !xType.isDynamicDim(1) &&
      xType.getDimSize(1) == slopeType.getDimSize(0) &&
      xType.getDimSize(xType.getRank() - 1) != slopeType.getDimSize(0)) {
    SmallVector<int64_t> perChannel(xType.getRank() - 1, 1);
    perChannel[0] = slopeType.getDimSize(0);
    KILN_ASSIGN_OR_RETURN(slope, context.create<ReshapeOp>(slope, perChannel));
  }
  KILN_ASSIGN_OR_RETURN(
      Value negative, b.compare(ComparisonPredicate::lt, b.x, b.constant(0.0)));
  KILN_ASSIGN_OR_RETURN(Value scaled, b.create<MulOp>(b.x, slope));
  KILN_ASSIGN_OR_RETURN(Value result,
                        b.create<SelectOp>(negative, scaled, b.x));
  return b.finish(result);
}

/// exp(x) - 1 scaled by `alpha` where x < 0 (`scale` * the result overall):
/// Elu is scale 1, Selu scales by gamma.
llvm::Error convertExponentialUnit(NodeContext &context, double alpha,
                                   double scale) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  if (llvm::Error error = b.requireFloat())
    return error;
  KILN_ASSIGN_OR_RETURN(
      Value negative, b.compare(ComparisonPredicate::lt, b.x, b.constant(0.0)));
  KILN_ASSIGN_OR_RETURN(Value exp, b.create<ExpOp>(b.x));
  KILN_ASSIGN_OR_RETURN(Value expMinusOne,
                        b.create<SubOp>(exp, b.constant(1.0)));
  KILN_ASSIGN_OR_RETURN(Value scaledNegative,
                        b.create<MulOp>(expMinusOne, b.constant(alpha)));
  KILN_ASSIGN_OR_RETURN(Value result,
                        b.create<SelectOp>(negative, scaledNegative, b.x));
  if (scale != 1.0) {
    KILN_ASSIGN_OR_RETURN(result, b.create<MulOp>(result, b.constant(scale)));
  }
  return b.finish(result);
}

llvm::Error convertElu(NodeContext &context) {
  return convertExponentialUnit(context, context.floatAttribute("alpha", 1.0f),
                                1.0);
}

llvm::Error convertSelu(NodeContext &context) {
  return convertExponentialUnit(
      context, context.floatAttribute("alpha", 1.67326319217681884765625f),
      context.floatAttribute("gamma", 1.05070102214813232421875f));
}

/// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
llvm::Error convertCelu(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  if (llvm::Error error = b.requireFloat())
    return error;
  float alpha = context.floatAttribute("alpha", 1.0f);
  if (alpha == 0.0f)
    return context.invalid("alpha must not be 0");
  Value zero = b.constant(0.0);
  KILN_ASSIGN_OR_RETURN(Value scaled, b.create<DivOp>(b.x, b.constant(alpha)));
  KILN_ASSIGN_OR_RETURN(Value exp, b.create<ExpOp>(scaled));
  KILN_ASSIGN_OR_RETURN(Value expMinusOne,
                        b.create<SubOp>(exp, b.constant(1.0)));
  KILN_ASSIGN_OR_RETURN(Value negativePart,
                        b.create<MulOp>(expMinusOne, b.constant(alpha)));
  KILN_ASSIGN_OR_RETURN(negativePart, b.create<MinOp>(negativePart, zero));
  KILN_ASSIGN_OR_RETURN(Value positivePart, b.create<MaxOp>(b.x, zero));
  KILN_ASSIGN_OR_RETURN(Value result,
                        b.create<AddOp>(positivePart, negativePart));
  return b.finish(result);
}

/// max(0, min(1, alpha * x + beta)) (times x for HardSwish).
llvm::Error convertHardSigmoidLike(NodeContext &context, bool timesInput) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  if (llvm::Error error = b.requireFloat())
    return error;
  double alpha = timesInput ? 1.0 / 6.0 : context.floatAttribute("alpha", 0.2f);
  double beta = timesInput ? 0.5 : context.floatAttribute("beta", 0.5f);
  KILN_ASSIGN_OR_RETURN(Value scaled, b.create<MulOp>(b.x, b.constant(alpha)));
  KILN_ASSIGN_OR_RETURN(Value shifted,
                        b.create<AddOp>(scaled, b.constant(beta)));
  KILN_ASSIGN_OR_RETURN(Value clamped,
                        b.create<MinOp>(shifted, b.constant(1.0)));
  KILN_ASSIGN_OR_RETURN(Value result,
                        b.create<MaxOp>(clamped, b.constant(0.0)));
  if (timesInput) {
    KILN_ASSIGN_OR_RETURN(result, b.create<MulOp>(b.x, result));
  }
  return b.finish(result);
}

llvm::Error convertHardSigmoid(NodeContext &context) {
  return convertHardSigmoidLike(context, /*timesInput=*/false);
}

llvm::Error convertHardSwish(NodeContext &context) {
  return convertHardSigmoidLike(context, /*timesInput=*/true);
}

/// log(1 + exp(x)) as max(x, 0) + log(1 + exp(-|x|)), which does not overflow
/// for large x.
llvm::Error convertSoftplus(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  if (llvm::Error error = b.requireFloat())
    return error;
  KILN_ASSIGN_OR_RETURN(Value magnitude, b.create<AbsOp>(b.x));
  KILN_ASSIGN_OR_RETURN(Value negated, b.create<NegOp>(magnitude));
  KILN_ASSIGN_OR_RETURN(Value exp, b.create<ExpOp>(negated));
  KILN_ASSIGN_OR_RETURN(Value onePlus, b.create<AddOp>(exp, b.constant(1.0)));
  KILN_ASSIGN_OR_RETURN(Value log, b.create<LogOp>(onePlus));
  KILN_ASSIGN_OR_RETURN(Value positivePart, b.create<ReluOp>(b.x));
  KILN_ASSIGN_OR_RETURN(Value result, b.create<AddOp>(positivePart, log));
  return b.finish(result);
}

/// x / (1 + |x|).
llvm::Error convertSoftsign(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  if (llvm::Error error = b.requireFloat())
    return error;
  KILN_ASSIGN_OR_RETURN(Value magnitude, b.create<AbsOp>(b.x));
  KILN_ASSIGN_OR_RETURN(Value denominator,
                        b.create<AddOp>(magnitude, b.constant(1.0)));
  KILN_ASSIGN_OR_RETURN(Value result, b.create<DivOp>(b.x, denominator));
  return b.finish(result);
}

/// x > alpha ? x : 0.
llvm::Error convertThresholdedRelu(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  if (llvm::Error error = b.requireFloat())
    return error;
  KILN_ASSIGN_OR_RETURN(Value above, b.compare(ComparisonPredicate::gt, b.x,
                                               b.attribute("alpha", 1.0f)));
  KILN_ASSIGN_OR_RETURN(Value result,
                        b.create<SelectOp>(above, b.x, b.constant(0.0)));
  return b.finish(result);
}

/// x < -lambd ? x + bias : (x > lambd ? x - bias : 0). For integer inputs the
/// attributes are truncated to the input's type, as ONNX's CastLike does.
llvm::Error convertShrink(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  double lambd = context.floatAttribute("lambd", 0.5f);
  double bias = context.floatAttribute("bias", 0.0f);
  KILN_ASSIGN_OR_RETURN(
      Value below, b.compare(ComparisonPredicate::lt, b.x, b.constant(-lambd)));
  KILN_ASSIGN_OR_RETURN(
      Value above, b.compare(ComparisonPredicate::gt, b.x, b.constant(lambd)));
  KILN_ASSIGN_OR_RETURN(Value raised, b.create<AddOp>(b.x, b.constant(bias)));
  KILN_ASSIGN_OR_RETURN(Value lowered, b.create<SubOp>(b.x, b.constant(bias)));
  KILN_ASSIGN_OR_RETURN(Value upper,
                        b.create<SelectOp>(above, lowered, b.constant(0.0)));
  KILN_ASSIGN_OR_RETURN(Value result, b.create<SelectOp>(below, raised, upper));
  return b.finish(result);
}

/// min(max(x, min), max), each bound optional (as NumPy's clip).
llvm::Error convertClip(NodeContext &context) {
  ActivationBuilder b(context);
  if (llvm::Error error = b.readInput())
    return error;
  Value result = b.x;
  for (auto [index, isLower] : {std::pair(1, true), std::pair(2, false)}) {
    Value bound = context.optionalInput(index);
    if (!bound)
      continue;
    auto boundType = cast<RankedTensorType>(bound.getType());
    if (!boundType.hasStaticShape() || boundType.getNumElements() != 1)
      return context.invalid("the bounds of Clip must be scalars");
    if (isLower) {
      KILN_ASSIGN_OR_RETURN(result, b.create<MaxOp>(result, bound));
    } else {
      KILN_ASSIGN_OR_RETURN(result, b.create<MinOp>(result, bound));
    }
  }
  return b.finish(result);
}

} // namespace

void registerActivationConverters(ConverterRegistry &registry) {
  registry.add("", "Relu", convertUnary<ReluOp>);
  registry.add("", "Sigmoid", convertUnary<SigmoidOp>);
  registry.add("", "LeakyRelu", convertLeakyRelu);
  registry.add("", "PRelu", convertPRelu);
  registry.add("", "Elu", convertElu);
  registry.add("", "Selu", convertSelu);
  registry.add("", "Celu", convertCelu);
  registry.add("", "HardSigmoid", convertHardSigmoid);
  registry.add("", "HardSwish", convertHardSwish);
  registry.add("", "Softplus", convertSoftplus);
  registry.add("", "Softsign", convertSoftsign);
  registry.add("", "ThresholdedRelu", convertThresholdedRelu);
  registry.add("", "Shrink", convertShrink);
  registry.add("", "Clip", convertClip);
}

} // namespace kiln::onnx_import
