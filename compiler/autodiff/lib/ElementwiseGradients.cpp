//===- ElementwiseGradients.cpp - Gradient rules of elementwise kiln ops --===//
//
// d(lhs op rhs) and d(f(x)) written with kiln ops. Binary ops broadcast, so
// each operand's gradient is summed back to its own shape (sumToShape).
// Unary rules reuse the op's result where the derivative is expressed by it
// (exp, tanh, sigmoid, sqrt, tan, pow), as PyTorch's autograd formulas do.
// Where PyTorch picks a value at a point without a derivative (ties of max
// and min, abs at 0, pow at a zero base) the rules pick the same one.
// Piecewise-constant ops (sign, floor, ceil, round) pass no gradient on.
//
//===----------------------------------------------------------------------===//

#include "GradientRules.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::autodiff {
namespace {

/// A rule for a binary op: `lhsGradient` and `rhsGradient` compute the
/// gradients before they are summed back to the operands' shapes.
template <typename Op, typename Derived>
struct BinaryGradient
    : GradientOpInterface::ExternalModel<BinaryGradient<Op, Derived>, Op> {
  LogicalResult buildGradients(Operation *op, OpBuilder &builder,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto binary = cast<Op>(op);
    Location loc = op->getLoc();
    Value gradient = resultGradients.front();
    auto [lhs, rhs] = Derived::gradients(builder, loc, binary, gradient);
    operandGradients.push_back(
        sumToShape(builder, loc, lhs, typeOf(binary.getLhs())));
    operandGradients.push_back(
        sumToShape(builder, loc, rhs, typeOf(binary.getRhs())));
    return success();
  }
};

struct AddRule {
  static std::pair<Value, Value> gradients(OpBuilder &, Location, AddOp,
                                           Value g) {
    return {g, g};
  }
};

struct SubRule {
  static std::pair<Value, Value> gradients(OpBuilder &b, Location loc, SubOp,
                                           Value g) {
    return {g, NegOp::create(b, loc, g)};
  }
};

struct MulRule {
  static std::pair<Value, Value> gradients(OpBuilder &b, Location loc, MulOp op,
                                           Value g) {
    return {MulOp::create(b, loc, g, op.getRhs()),
            MulOp::create(b, loc, g, op.getLhs())};
  }
};

struct DivRule {
  // d(a / b) = g / b, -g * a / b^2 = -(g / b) * (a / b).
  static std::pair<Value, Value> gradients(OpBuilder &b, Location loc, DivOp op,
                                           Value g) {
    Value overRhs = DivOp::create(b, loc, g, op.getRhs());
    Value quotient = op.getResult();
    Value rhs = NegOp::create(b, loc, MulOp::create(b, loc, overRhs, quotient));
    return {overRhs, rhs};
  }
};

/// max and min: the gradient goes to the operand that is chosen; on ties it
/// is split equally between both (as torch.maximum and torch.minimum do).
template <typename Op, ComparisonPredicate lhsWins> struct ExtremeRule {
  static std::pair<Value, Value> gradients(OpBuilder &b, Location loc, Op op,
                                           Value g) {
    constexpr ComparisonPredicate rhsWins = lhsWins == ComparisonPredicate::gt
                                                ? ComparisonPredicate::lt
                                                : ComparisonPredicate::gt;
    Value lhs = op.getLhs(), rhs = op.getRhs();
    Type elementType = typeOf(g).getElementType();
    Value zero = scalarConstant(b, loc, elementType, 0);
    Value half = scalarConstant(b, loc, elementType, 0.5);
    Value tie = CompareOp::create(b, loc, ComparisonPredicate::eq, lhs, rhs);
    Value tieShare =
        SelectOp::create(b, loc, tie, MulOp::create(b, loc, g, half), zero);
    Value lhsGradient = SelectOp::create(
        b, loc, CompareOp::create(b, loc, lhsWins, lhs, rhs), g, tieShare);
    Value rhsGradient = SelectOp::create(
        b, loc, CompareOp::create(b, loc, rhsWins, lhs, rhs), g, tieShare);
    return {lhsGradient, rhsGradient};
  }
};
using MaxRule = ExtremeRule<MaxOp, ComparisonPredicate::gt>;
using MinRule = ExtremeRule<MinOp, ComparisonPredicate::lt>;

struct PowRule {
  // d(x^y) = g * y * x^(y-1) (0 where y == 0, so that 0^0 gives 0 and not
  // NaN), and g * x^y * log(x) (0 where x == 0 and y >= 0; NaN for x < 0,
  // where x^y has no real derivative in y), as PyTorch's pow_backward.
  static std::pair<Value, Value> gradients(OpBuilder &b, Location loc, PowOp op,
                                           Value g) {
    Value x = op.getLhs(), y = op.getRhs(), result = op.getResult();
    Type elementType = typeOf(g).getElementType();
    Value zero = scalarConstant(b, loc, elementType, 0);
    Value one = scalarConstant(b, loc, elementType, 1);
    Value power = PowOp::create(b, loc, x, SubOp::create(b, loc, y, one));
    Value lhs = MulOp::create(b, loc, g, MulOp::create(b, loc, y, power));
    Value constantExponent =
        CompareOp::create(b, loc, ComparisonPredicate::eq, y, zero);
    lhs = SelectOp::create(b, loc, constantExponent, zero, lhs);
    Value rhs = MulOp::create(
        b, loc, g, MulOp::create(b, loc, result, LogOp::create(b, loc, x)));
    Value zeroBase = AndOp::create(
        b, loc, CompareOp::create(b, loc, ComparisonPredicate::eq, x, zero),
        CompareOp::create(b, loc, ComparisonPredicate::ge, y, zero));
    rhs = SelectOp::create(b, loc, zeroBase, zero, rhs);
    return {lhs, rhs};
  }
};

struct ModRule {
  // fmod(a, b) = a - b * trunc(a / b): g and -g * trunc(a / b). (Integer
  // remainders carry no gradient; floats require fmod.)
  static std::pair<Value, Value> gradients(OpBuilder &b, Location loc, ModOp op,
                                           Value g) {
    Value quotient = DivOp::create(b, loc, op.getLhs(), op.getRhs());
    Value zero = scalarConstant(b, loc, typeOf(g).getElementType(), 0);
    Value negative =
        CompareOp::create(b, loc, ComparisonPredicate::lt, quotient, zero);
    Value truncated =
        SelectOp::create(b, loc, negative, CeilOp::create(b, loc, quotient),
                         FloorOp::create(b, loc, quotient));
    return {g, NegOp::create(b, loc, MulOp::create(b, loc, g, truncated))};
  }
};

/// A rule for a unary op: the operand's gradient from the result's.
template <typename Op, typename Derived>
struct UnaryGradient
    : GradientOpInterface::ExternalModel<UnaryGradient<Op, Derived>, Op> {
  LogicalResult buildGradients(Operation *op, OpBuilder &builder,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    operandGradients.push_back(Derived::gradient(
        builder, op->getLoc(), cast<Op>(op), resultGradients.front()));
    return success();
  }
};

struct NegRule {
  static Value gradient(OpBuilder &b, Location loc, NegOp, Value g) {
    return NegOp::create(b, loc, g);
  }
};

struct ReluRule {
  // g where x > 0, else 0 (PyTorch's choice at x = 0).
  static Value gradient(OpBuilder &b, Location loc, ReluOp op, Value g) {
    Value x = op.getInput();
    Value zero = scalarConstant(b, loc, typeOf(x).getElementType(), 0);
    Value positive =
        CompareOp::create(b, loc, ComparisonPredicate::gt, x, zero);
    return SelectOp::create(b, loc, positive, g, zero);
  }
};

struct ExpRule {
  static Value gradient(OpBuilder &b, Location loc, ExpOp op, Value g) {
    return MulOp::create(b, loc, g, op.getResult());
  }
};

struct LogRule {
  static Value gradient(OpBuilder &b, Location loc, LogOp op, Value g) {
    return DivOp::create(b, loc, g, op.getInput());
  }
};

struct TanhRule {
  // g * (1 - y^2)
  static Value gradient(OpBuilder &b, Location loc, TanhOp op, Value g) {
    Value y = op.getResult();
    Value one = scalarConstant(b, loc, typeOf(y).getElementType(), 1);
    Value slope = SubOp::create(b, loc, one, MulOp::create(b, loc, y, y));
    return MulOp::create(b, loc, g, slope);
  }
};

struct SigmoidRule {
  // g * y * (1 - y)
  static Value gradient(OpBuilder &b, Location loc, SigmoidOp op, Value g) {
    Value y = op.getResult();
    Value one = scalarConstant(b, loc, typeOf(y).getElementType(), 1);
    Value slope = MulOp::create(b, loc, y, SubOp::create(b, loc, one, y));
    return MulOp::create(b, loc, g, slope);
  }
};

struct SqrtRule {
  // g / (2 y)
  static Value gradient(OpBuilder &b, Location loc, SqrtOp op, Value g) {
    Value y = op.getResult();
    Value two = scalarConstant(b, loc, typeOf(y).getElementType(), 2);
    return DivOp::create(b, loc, g, MulOp::create(b, loc, two, y));
  }
};

struct AbsRule {
  // g * sign(x): 0 at x == 0, as PyTorch.
  static Value gradient(OpBuilder &b, Location loc, AbsOp op, Value g) {
    return MulOp::create(b, loc, g, SignOp::create(b, loc, op.getInput()));
  }
};

/// sign, floor, ceil and round are piecewise constant: their derivative is
/// 0 wherever it exists (PyTorch's choice everywhere), so no gradient flows.
template <typename Op> struct ZeroRule {
  static Value gradient(OpBuilder &, Location, Op, Value) { return Value(); }
};

/// 1 - x^2 and friends.
Value square(OpBuilder &b, Location loc, Value x) {
  return MulOp::create(b, loc, x, x);
}

Value constantLike(OpBuilder &b, Location loc, Value like, double number) {
  return scalarConstant(b, loc, typeOf(like).getElementType(), number);
}

struct SinRule {
  static Value gradient(OpBuilder &b, Location loc, SinOp op, Value g) {
    return MulOp::create(b, loc, g, CosOp::create(b, loc, op.getInput()));
  }
};

struct CosRule {
  static Value gradient(OpBuilder &b, Location loc, CosOp op, Value g) {
    return NegOp::create(
        b, loc, MulOp::create(b, loc, g, SinOp::create(b, loc, op.getInput())));
  }
};

struct TanRule {
  // g * (1 + y^2)
  static Value gradient(OpBuilder &b, Location loc, TanOp op, Value g) {
    Value y = op.getResult();
    Value slope =
        AddOp::create(b, loc, constantLike(b, loc, y, 1), square(b, loc, y));
    return MulOp::create(b, loc, g, slope);
  }
};

struct AsinRule {
  // g / sqrt(1 - x^2)
  static Value gradient(OpBuilder &b, Location loc, AsinOp op, Value g) {
    Value x = op.getInput();
    Value root = SqrtOp::create(
        b, loc,
        SubOp::create(b, loc, constantLike(b, loc, x, 1), square(b, loc, x)));
    return DivOp::create(b, loc, g, root);
  }
};

struct AcosRule {
  // -g / sqrt(1 - x^2)
  static Value gradient(OpBuilder &b, Location loc, AcosOp op, Value g) {
    Value x = op.getInput();
    Value root = SqrtOp::create(
        b, loc,
        SubOp::create(b, loc, constantLike(b, loc, x, 1), square(b, loc, x)));
    return NegOp::create(b, loc, DivOp::create(b, loc, g, root));
  }
};

struct AtanRule {
  // g / (1 + x^2)
  static Value gradient(OpBuilder &b, Location loc, AtanOp op, Value g) {
    Value x = op.getInput();
    return DivOp::create(
        b, loc, g,
        AddOp::create(b, loc, constantLike(b, loc, x, 1), square(b, loc, x)));
  }
};

struct SinhRule {
  static Value gradient(OpBuilder &b, Location loc, SinhOp op, Value g) {
    return MulOp::create(b, loc, g, CoshOp::create(b, loc, op.getInput()));
  }
};

struct CoshRule {
  static Value gradient(OpBuilder &b, Location loc, CoshOp op, Value g) {
    return MulOp::create(b, loc, g, SinhOp::create(b, loc, op.getInput()));
  }
};

struct AsinhRule {
  // g / sqrt(x^2 + 1)
  static Value gradient(OpBuilder &b, Location loc, AsinhOp op, Value g) {
    Value x = op.getInput();
    Value root = SqrtOp::create(
        b, loc,
        AddOp::create(b, loc, square(b, loc, x), constantLike(b, loc, x, 1)));
    return DivOp::create(b, loc, g, root);
  }
};

struct AcoshRule {
  // g / sqrt((x - 1)(x + 1))
  static Value gradient(OpBuilder &b, Location loc, AcoshOp op, Value g) {
    Value x = op.getInput();
    Value one = constantLike(b, loc, x, 1);
    Value root =
        SqrtOp::create(b, loc,
                       MulOp::create(b, loc, SubOp::create(b, loc, x, one),
                                     AddOp::create(b, loc, x, one)));
    return DivOp::create(b, loc, g, root);
  }
};

struct AtanhRule {
  // g / (1 - x^2)
  static Value gradient(OpBuilder &b, Location loc, AtanhOp op, Value g) {
    Value x = op.getInput();
    return DivOp::create(
        b, loc, g,
        SubOp::create(b, loc, constantLike(b, loc, x, 1), square(b, loc, x)));
  }
};

struct ErfRule {
  // g * 2 / sqrt(pi) * exp(-x^2)
  static Value gradient(OpBuilder &b, Location loc, ErfOp op, Value g) {
    Value x = op.getInput();
    Value bell =
        ExpOp::create(b, loc, NegOp::create(b, loc, square(b, loc, x)));
    Value scale = constantLike(b, loc, x, 1.1283791670955126); // 2/sqrt(pi)
    return MulOp::create(b, loc, g, MulOp::create(b, loc, scale, bell));
  }
};

/// select: the gradient goes to true_value where the condition holds and to
/// false_value elsewhere, each summed back to its own (broadcast) shape; the
/// condition gets none.
struct SelectRule : GradientOpInterface::ExternalModel<SelectRule, SelectOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto select = cast<SelectOp>(op);
    Location loc = op->getLoc();
    Value g = resultGradients.front();
    Value zero = scalarConstant(b, loc, typeOf(g).getElementType(), 0);
    Value condition = select.getCondition();
    Value onTrue = SelectOp::create(b, loc, condition, g, zero);
    Value onFalse = SelectOp::create(b, loc, condition, zero, g);
    operandGradients.push_back(Value());
    operandGradients.push_back(
        sumToShape(b, loc, onTrue, typeOf(select.getTrueValue())));
    operandGradients.push_back(
        sumToShape(b, loc, onFalse, typeOf(select.getFalseValue())));
    return success();
  }
};

/// cast: between float types the gradient is cast back; a cast from or to
/// integers (or strings) is piecewise constant or not differentiable.
struct CastRule : GradientOpInterface::ExternalModel<CastRule, CastOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto castOp = cast<CastOp>(op);
    Type from = typeOf(castOp.getInput()).getElementType();
    Type to = typeOf(castOp.getResult()).getElementType();
    if (!isa<FloatType>(from) || !isa<FloatType>(to) ||
        !resultGradients.front()) {
      operandGradients.push_back(Value());
      return success();
    }
    operandGradients.push_back(CastOp::create(
        b, op->getLoc(), resultGradients.front(), TypeAttr::get(from)));
    return success();
  }
};

} // namespace

void attachElementwiseGradients(MLIRContext *context) {
  AddOp::attachInterface<BinaryGradient<AddOp, AddRule>>(*context);
  SubOp::attachInterface<BinaryGradient<SubOp, SubRule>>(*context);
  MulOp::attachInterface<BinaryGradient<MulOp, MulRule>>(*context);
  DivOp::attachInterface<BinaryGradient<DivOp, DivRule>>(*context);
  NegOp::attachInterface<UnaryGradient<NegOp, NegRule>>(*context);
  ReluOp::attachInterface<UnaryGradient<ReluOp, ReluRule>>(*context);
  ExpOp::attachInterface<UnaryGradient<ExpOp, ExpRule>>(*context);
  LogOp::attachInterface<UnaryGradient<LogOp, LogRule>>(*context);
  TanhOp::attachInterface<UnaryGradient<TanhOp, TanhRule>>(*context);
  SigmoidOp::attachInterface<UnaryGradient<SigmoidOp, SigmoidRule>>(*context);
  SqrtOp::attachInterface<UnaryGradient<SqrtOp, SqrtRule>>(*context);
  MaxOp::attachInterface<BinaryGradient<MaxOp, MaxRule>>(*context);
  MinOp::attachInterface<BinaryGradient<MinOp, MinRule>>(*context);
  PowOp::attachInterface<BinaryGradient<PowOp, PowRule>>(*context);
  ModOp::attachInterface<BinaryGradient<ModOp, ModRule>>(*context);
  AbsOp::attachInterface<UnaryGradient<AbsOp, AbsRule>>(*context);
  SignOp::attachInterface<UnaryGradient<SignOp, ZeroRule<SignOp>>>(*context);
  FloorOp::attachInterface<UnaryGradient<FloorOp, ZeroRule<FloorOp>>>(*context);
  CeilOp::attachInterface<UnaryGradient<CeilOp, ZeroRule<CeilOp>>>(*context);
  RoundOp::attachInterface<UnaryGradient<RoundOp, ZeroRule<RoundOp>>>(*context);
  SinOp::attachInterface<UnaryGradient<SinOp, SinRule>>(*context);
  CosOp::attachInterface<UnaryGradient<CosOp, CosRule>>(*context);
  TanOp::attachInterface<UnaryGradient<TanOp, TanRule>>(*context);
  AsinOp::attachInterface<UnaryGradient<AsinOp, AsinRule>>(*context);
  AcosOp::attachInterface<UnaryGradient<AcosOp, AcosRule>>(*context);
  AtanOp::attachInterface<UnaryGradient<AtanOp, AtanRule>>(*context);
  SinhOp::attachInterface<UnaryGradient<SinhOp, SinhRule>>(*context);
  CoshOp::attachInterface<UnaryGradient<CoshOp, CoshRule>>(*context);
  AsinhOp::attachInterface<UnaryGradient<AsinhOp, AsinhRule>>(*context);
  AcoshOp::attachInterface<UnaryGradient<AcoshOp, AcoshRule>>(*context);
  AtanhOp::attachInterface<UnaryGradient<AtanhOp, AtanhRule>>(*context);
  ErfOp::attachInterface<UnaryGradient<ErfOp, ErfRule>>(*context);
  SelectOp::attachInterface<SelectRule>(*context);
  CastOp::attachInterface<CastRule>(*context);
}

} // namespace kiln::autodiff
