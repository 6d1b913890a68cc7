//===- ElementwiseGradients.cpp - Gradient rules of elementwise kiln ops --===//
//
// d(lhs op rhs) and d(f(x)) written with kiln ops. Binary ops broadcast, so
// each operand's gradient is summed back to its own shape (sumToShape).
// Unary rules reuse the op's result where the derivative is expressed by it
// (exp, tanh, sigmoid, sqrt), as PyTorch's autograd formulas do.
//
//===----------------------------------------------------------------------===//

#include "GradientRules.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::autodiff {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

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
}

} // namespace kiln::autodiff
