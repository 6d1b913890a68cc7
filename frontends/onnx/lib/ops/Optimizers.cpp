//===- Optimizers.cpp - ONNX training optimizers and random ops to kiln ---===//
//
// The optimizer updates of the ai.onnx.preview.training domain (Adagrad, Adam,
// Momentum) as elementwise kiln ops, exactly as their ONNX definitions write
// them. Each takes a scalar learning rate R, a scalar update count T (int64),
// and then groups of tensors: Adagrad (X..., G..., H...), Adam (X..., G...,
// V..., H...), Momentum (X..., G..., V...), and returns the updated tensors in
// the same grouping (X_new..., then the new state). The same formula applies
// to each X independently. The T-dependent factors are computed once, at rank
// 0, in X's element type; conditions on T (T > 0) become kiln.select.
//
// Ops Kiln reports as unsupported here, with the reason:
// - Gradient: Kiln's autodiff (compiler/autodiff) over the ops imported so
//   far.
// - The random generators (RandomUniform/Normal and their -Like forms,
//   Multinomial, and Bernoulli, which ONNX defines with RandomUniformLike):
//   they draw at run time, which Kiln does not (and ONNX's Bernoulli tests
//   compare with unseeded numpy draws).
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "CompositionHelpers.h"

#include "kiln/Autodiff/Autodiff.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

constexpr llvm::StringLiteral kTrainingDomain = "ai.onnx.preview.training";

/// What every optimizer starts from: R and T (rank 0, in X's element type),
/// the number of optimized tensors, and whether T > 0 (rank-0 i1).
struct OptimizerInputs {
  int64_t count = 0;
  Value learningRate, step, stepIsPositive;
};

/// A rank-0 tensor from a scalar input (rank 0 or one element) named `what`.
llvm::Expected<Value> scalarInput(NodeContext &context, size_t index,
                                  llvm::StringRef what) {
  KILN_ASSIGN_OR_RETURN(Value value, context.input(index));
  RankedTensorType type = context.inputType(index);
  if (!type.hasStaticShape() || type.getNumElements() != 1)
    return context.invalid(what + " must be a scalar");
  if (type.getRank() == 0)
    return value;
  return context.create<ReshapeOp>(value, ArrayRef<int64_t>{});
}

/// Checks the input and output counts (`groups` tensors per optimized tensor
/// in, `outputGroups` out) and reads R and T in the element type of X.
llvm::Expected<OptimizerInputs> readOptimizerInputs(NodeContext &context,
                                                    int64_t groups,
                                                    int64_t outputGroups) {
  int64_t tensors = static_cast<int64_t>(context.numInputs()) - 2;
  if (tensors <= 0 || tensors % groups != 0)
    return context.invalid("expects R, T and " + llvm::Twine(groups) +
                           " inputs per optimized tensor, got " +
                           llvm::Twine(context.numInputs()) + " inputs");
  OptimizerInputs inputs;
  inputs.count = tensors / groups;
  if (static_cast<int64_t>(context.numOutputs()) != outputGroups * inputs.count)
    return context.invalid("expects " + llvm::Twine(outputGroups) +
                           " outputs per optimized tensor (" +
                           llvm::Twine(inputs.count) + " tensors), got " +
                           llvm::Twine(context.numOutputs()));
  for (size_t i = 2; i < context.numInputs(); ++i)
    if (!context.hasInput(i))
      return context.invalid("input " + llvm::Twine(i) + " is missing");
  Type elementType = context.inputType(2).getElementType();
  for (size_t i = 2; i < context.numInputs(); ++i)
    if (context.inputType(i).getElementType() != elementType ||
        !isa<FloatType>(elementType))
      return context.invalid("the optimized tensors and their state must all "
                             "have the same floating-point element type");
  KILN_ASSIGN_OR_RETURN(Value rate, scalarInput(context, 0, "R"));
  if (!isa<FloatType>(elementTypeOf(rate)))
    return context.invalid("R must be a floating-point scalar");
  KILN_ASSIGN_OR_RETURN(inputs.learningRate,
                        castElements(context, rate, elementType));
  KILN_ASSIGN_OR_RETURN(Value step, scalarInput(context, 1, "T"));
  if (!elementTypeOf(step).isInteger(64))
    return context.invalid("T must be an int64 scalar");
  KILN_ASSIGN_OR_RETURN(
      inputs.stepIsPositive,
      context.create<CompareOp>(ComparisonPredicate::gt, step,
                                context.scalar(elementTypeOf(step), 0)));
  KILN_ASSIGN_OR_RETURN(inputs.step, castElements(context, step, elementType));
  return inputs;
}

/// Input `2 + group * count + i`: tensor i of the given group.
llvm::Expected<Value> groupInput(NodeContext &context,
                                 const OptimizerInputs &inputs, int64_t group,
                                 int64_t i) {
  return context.input(2 + group * inputs.count + i);
}

/// Builds `lhs op rhs` for a kiln binary op (a shorthand for the formulas).
template <typename OpTy>
llvm::Expected<Value> binary(NodeContext &context, Value lhs, Value rhs) {
  return context.create<OpTy>(lhs, rhs);
}

/// A rank-0 constant in the element type of `like`.
Value scalarLike(NodeContext &context, Value like, double value) {
  return context.scalar(elementTypeOf(like), value);
}

/// G_regularized = norm_coefficient * X + G.
llvm::Expected<Value> regularizedGradient(NodeContext &context, Value x,
                                          Value g, double normCoefficient) {
  if (normCoefficient == 0.0)
    return g;
  KILN_ASSIGN_OR_RETURN(
      Value decay,
      binary<MulOp>(context, scalarLike(context, x, normCoefficient), x));
  return binary<AddOp>(context, decay, g);
}

//===----------------------------------------------------------------------===//
// Adagrad
//===----------------------------------------------------------------------===//

llvm::Error convertAdagrad(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(OptimizerInputs inputs,
                        readOptimizerInputs(context, 3, 2));
  double decayFactor = context.floatAttribute("decay_factor", 0.0f);
  double epsilon = context.floatAttribute("epsilon", 1e-6f);
  double normCoefficient = context.floatAttribute("norm_coefficient", 0.0f);
  Value rate = inputs.learningRate;
  // r = R / (1 + T * decay_factor)
  KILN_ASSIGN_OR_RETURN(Value decaySteps,
                        binary<MulOp>(context, inputs.step,
                                      scalarLike(context, rate, decayFactor)));
  KILN_ASSIGN_OR_RETURN(
      Value divisor,
      binary<AddOp>(context, scalarLike(context, rate, 1.0), decaySteps));
  KILN_ASSIGN_OR_RETURN(Value adjustedRate,
                        binary<DivOp>(context, rate, divisor));
  for (int64_t i = 0; i < inputs.count; ++i) {
    KILN_ASSIGN_OR_RETURN(Value x, groupInput(context, inputs, 0, i));
    KILN_ASSIGN_OR_RETURN(Value g, groupInput(context, inputs, 1, i));
    KILN_ASSIGN_OR_RETURN(Value h, groupInput(context, inputs, 2, i));
    KILN_ASSIGN_OR_RETURN(Value regularized,
                          regularizedGradient(context, x, g, normCoefficient));
    // H_new = H + G_regularized^2; X_new = X - r * G_reg / (sqrt(H_new) + eps)
    KILN_ASSIGN_OR_RETURN(Value square,
                          binary<MulOp>(context, regularized, regularized));
    KILN_ASSIGN_OR_RETURN(Value hNew, binary<AddOp>(context, h, square));
    KILN_ASSIGN_OR_RETURN(Value root, context.create<SqrtOp>(hNew));
    KILN_ASSIGN_OR_RETURN(
        Value adaptive,
        binary<AddOp>(context, root, scalarLike(context, x, epsilon)));
    KILN_ASSIGN_OR_RETURN(Value step,
                          binary<MulOp>(context, adjustedRate, regularized));
    KILN_ASSIGN_OR_RETURN(Value update, binary<DivOp>(context, step, adaptive));
    KILN_ASSIGN_OR_RETURN(Value xNew, binary<SubOp>(context, x, update));
    context.setOutput(i, xNew);
    context.setOutput(inputs.count + i, hNew);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Adam
//===----------------------------------------------------------------------===//

/// R_adjusted = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R.
llvm::Expected<Value> adamRate(NodeContext &context,
                               const OptimizerInputs &inputs, double alpha,
                               double beta) {
  Value rate = inputs.learningRate, one = scalarLike(context, rate, 1.0);
  KILN_ASSIGN_OR_RETURN(
      Value betaPower,
      binary<PowOp>(context, scalarLike(context, rate, beta), inputs.step));
  KILN_ASSIGN_OR_RETURN(
      Value alphaPower,
      binary<PowOp>(context, scalarLike(context, rate, alpha), inputs.step));
  KILN_ASSIGN_OR_RETURN(Value betaGap, binary<SubOp>(context, one, betaPower));
  KILN_ASSIGN_OR_RETURN(Value alphaGap,
                        binary<SubOp>(context, one, alphaPower));
  KILN_ASSIGN_OR_RETURN(Value root, context.create<SqrtOp>(betaGap));
  KILN_ASSIGN_OR_RETURN(Value scaled, binary<MulOp>(context, rate, root));
  KILN_ASSIGN_OR_RETURN(Value corrected,
                        binary<DivOp>(context, scaled, alphaGap));
  // At T = 0 both gaps are 0 and `corrected` is NaN; the select discards it.
  return context.create<SelectOp>(inputs.stepIsPositive, corrected, rate);
}

llvm::Error convertAdam(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(OptimizerInputs inputs,
                        readOptimizerInputs(context, 4, 3));
  double alpha = context.floatAttribute("alpha", 0.9f);
  double beta = context.floatAttribute("beta", 0.999f);
  double epsilon = context.floatAttribute("epsilon", 1e-6f);
  double normCoefficient = context.floatAttribute("norm_coefficient", 0.0f);
  double normCoefficientPost =
      context.floatAttribute("norm_coefficient_post", 0.0f);
  KILN_ASSIGN_OR_RETURN(Value rate, adamRate(context, inputs, alpha, beta));
  for (int64_t i = 0; i < inputs.count; ++i) {
    KILN_ASSIGN_OR_RETURN(Value x, groupInput(context, inputs, 0, i));
    KILN_ASSIGN_OR_RETURN(Value g, groupInput(context, inputs, 1, i));
    KILN_ASSIGN_OR_RETURN(Value v, groupInput(context, inputs, 2, i));
    KILN_ASSIGN_OR_RETURN(Value h, groupInput(context, inputs, 3, i));
    KILN_ASSIGN_OR_RETURN(Value regularized,
                          regularizedGradient(context, x, g, normCoefficient));
    // V_new = alpha * V + (1 - alpha) * G_reg
    KILN_ASSIGN_OR_RETURN(
        Value vDecayed,
        binary<MulOp>(context, scalarLike(context, x, alpha), v));
    KILN_ASSIGN_OR_RETURN(
        Value vFresh,
        binary<MulOp>(context, scalarLike(context, x, 1 - alpha), regularized));
    KILN_ASSIGN_OR_RETURN(Value vNew, binary<AddOp>(context, vDecayed, vFresh));
    // H_new = beta * H + (1 - beta) * G_reg^2
    KILN_ASSIGN_OR_RETURN(
        Value hDecayed,
        binary<MulOp>(context, scalarLike(context, x, beta), h));
    KILN_ASSIGN_OR_RETURN(Value square,
                          binary<MulOp>(context, regularized, regularized));
    KILN_ASSIGN_OR_RETURN(
        Value hFresh,
        binary<MulOp>(context, scalarLike(context, x, 1 - beta), square));
    KILN_ASSIGN_OR_RETURN(Value hNew, binary<AddOp>(context, hDecayed, hFresh));
    // X_new = X - R_adjusted * V_new / (sqrt(H_new) + epsilon)
    KILN_ASSIGN_OR_RETURN(Value root, context.create<SqrtOp>(hNew));
    KILN_ASSIGN_OR_RETURN(
        Value hSqrt,
        binary<AddOp>(context, root, scalarLike(context, x, epsilon)));
    KILN_ASSIGN_OR_RETURN(Value direction, binary<DivOp>(context, vNew, hSqrt));
    KILN_ASSIGN_OR_RETURN(Value update,
                          binary<MulOp>(context, rate, direction));
    KILN_ASSIGN_OR_RETURN(Value xNew, binary<SubOp>(context, x, update));
    // X_final = (1 - norm_coefficient_post) * X_new
    if (normCoefficientPost != 0.0) {
      KILN_ASSIGN_OR_RETURN(
          xNew,
          binary<MulOp>(context,
                        scalarLike(context, x, 1 - normCoefficientPost), xNew));
    }
    context.setOutput(i, xNew);
    context.setOutput(inputs.count + i, vNew);
    context.setOutput(2 * inputs.count + i, hNew);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Momentum
//===----------------------------------------------------------------------===//

llvm::Error convertMomentum(NodeContext &context) {
  for (llvm::StringRef name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!context.hasAttribute(name))
      return context.invalid("attribute '" + name + "' is required");
  std::string mode = context.stringAttribute("mode", "");
  if (mode != "standard" && mode != "nesterov")
    return context.invalid("mode must be 'standard' or 'nesterov', not '" +
                           mode + "'");
  KILN_ASSIGN_OR_RETURN(OptimizerInputs inputs,
                        readOptimizerInputs(context, 3, 2));
  double alpha = context.floatAttribute("alpha", 0.0f);
  double beta = context.floatAttribute("beta", 0.0f);
  double normCoefficient = context.floatAttribute("norm_coefficient", 0.0f);
  Value rate = inputs.learningRate;
  // beta_adjusted = T > 0 ? beta : 1
  KILN_ASSIGN_OR_RETURN(
      Value betaAdjusted,
      context.create<SelectOp>(inputs.stepIsPositive,
                               scalarLike(context, rate, beta),
                               scalarLike(context, rate, 1.0)));
  for (int64_t i = 0; i < inputs.count; ++i) {
    KILN_ASSIGN_OR_RETURN(Value x, groupInput(context, inputs, 0, i));
    KILN_ASSIGN_OR_RETURN(Value g, groupInput(context, inputs, 1, i));
    KILN_ASSIGN_OR_RETURN(Value v, groupInput(context, inputs, 2, i));
    KILN_ASSIGN_OR_RETURN(Value regularized,
                          regularizedGradient(context, x, g, normCoefficient));
    // V_new = alpha * V + beta_adjusted * G_reg
    KILN_ASSIGN_OR_RETURN(
        Value vDecayed,
        binary<MulOp>(context, scalarLike(context, x, alpha), v));
    KILN_ASSIGN_OR_RETURN(Value vFresh,
                          binary<MulOp>(context, betaAdjusted, regularized));
    KILN_ASSIGN_OR_RETURN(Value vNew, binary<AddOp>(context, vDecayed, vFresh));
    // standard: X_new = X - R * V_new
    // nesterov: X_new = X - R * (G_reg + alpha * V_new)
    Value direction = vNew;
    if (mode == "nesterov") {
      KILN_ASSIGN_OR_RETURN(
          Value ahead,
          binary<MulOp>(context, scalarLike(context, x, alpha), vNew));
      KILN_ASSIGN_OR_RETURN(direction,
                            binary<AddOp>(context, regularized, ahead));
    }
    KILN_ASSIGN_OR_RETURN(Value update,
                          binary<MulOp>(context, rate, direction));
    KILN_ASSIGN_OR_RETURN(Value xNew, binary<SubOp>(context, x, update));
    context.setOutput(i, xNew);
    context.setOutput(inputs.count + i, vNew);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Unsupported on purpose
//===----------------------------------------------------------------------===//

/// Gradient: the derivative of y with respect to each of xs, by Kiln's
/// autodiff over the ops imported so far in this graph (y's gradient seeded
/// with ones, as ONNX defines it for a y of any shape).
llvm::Error convertGradient(NodeContext &context) {
  const onnx::AttributeProto *xs = context.attribute("xs");
  std::string yName = context.stringAttribute("y", "");
  if (!xs || xs->strings_size() == 0 || yName.empty())
    return context.invalid("Gradient needs attributes xs and y");
  if (static_cast<int>(context.numOutputs()) != xs->strings_size())
    return context.invalid("Gradient has one output per name in xs");
  Value y = context.tensorNamed(yName);
  if (!y)
    return context.invalid("y ('" + yName +
                           "') is not a tensor defined "
                           "before the Gradient node");
  SmallVector<Value> wrt;
  for (const std::string &name : xs->strings()) {
    Value x = context.tensorNamed(name);
    if (!x)
      return context.invalid("xs entry '" + name +
                             "' is not a tensor defined before the node");
    wrt.push_back(x);
  }
  auto yType = dyn_cast<RankedTensorType>(y.getType());
  if (!yType || !yType.hasStaticShape())
    return context.unsupported("Gradient of a y of dynamic shape");
  SmallVector<Operation *> ops;
  Block *block = context.builder.getInsertionBlock();
  for (Operation &op :
       llvm::make_range(block->begin(), context.builder.getInsertionPoint()))
    ops.push_back(&op);
  std::string diagnostics;
  mlir::FailureOr<SmallVector<Value>> gradients;
  {
    ScopedDiagnosticHandler handler(context.builder.getContext(),
                                    [&](Diagnostic &diagnostic) {
                                      diagnostics += diagnostic.str();
                                      return success();
                                    });
    gradients = emitGradients(context.builder, ops,
                              {{y, context.splat(yType, 1.0)}}, wrt);
  }
  if (failed(gradients))
    return context.unsupported(diagnostics);
  for (auto [index, gradient] : llvm::enumerate(*gradients))
    context.setOutput(index, gradient);
  return llvm::Error::success();
}

llvm::Error convertRandom(NodeContext &context) {
  // ONNX's Bernoulli tests take numpy.random.binomial's draws from whatever
  // state the generator was in (the seed attribute is not used), and say
  // that no implementation is expected to match them.
  if (context.node.op_type() == "Bernoulli")
    return context.unsupported(
        "Bernoulli draws random numbers at run time, which Kiln does not "
        "generate (and ONNX's expected outputs are unseeded numpy draws, "
        "which nothing reproduces)");
  return context.unsupported(
      context.node.op_type() +
      " draws random numbers at run time, which Kiln does not generate");
}

} // namespace

void registerOptimizerConverters(ConverterRegistry &registry) {
  registry.add(kTrainingDomain, "Adagrad", convertAdagrad);
  registry.add(kTrainingDomain, "Adam", convertAdam);
  registry.add(kTrainingDomain, "Momentum", convertMomentum);
  registry.add(kTrainingDomain, "Gradient", convertGradient);
  // Bernoulli is registered too, so that the loader does not expand it into
  // RandomUniformLike and report that instead. A real converter registered
  // by another family is kept.
  for (llvm::StringRef op :
       {"RandomUniform", "RandomUniformLike", "RandomNormal",
        "RandomNormalLike", "Bernoulli", "Multinomial"})
    if (!registry.lookup("", op))
      registry.add("", op, convertRandom);
}

} // namespace kiln::onnx_import
