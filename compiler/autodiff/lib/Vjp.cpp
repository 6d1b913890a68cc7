//===- Vjp.cpp - The vector-Jacobian product of a kiln function -----------===//
//
// Reverse-mode differentiation in one sweep over a copy of the function: the
// forward ops are cloned, then, walking them backwards, each op that has a
// gradient flowing into one of its results asks its gradient rule
// (GradientOpInterface) for the gradients of its operands, which are added to
// what those operands already received. Values with no path to a result get
// no gradient ops at all. Control flow (scf.if, and scf.for loops, which are
// unrolled first) goes through ControlFlowGradients.cpp.
//
//===----------------------------------------------------------------------===//

#include "kiln/Autodiff/Autodiff.h"

#include "Backward.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace kiln {
namespace {

using autodiff::isFloatTensor;

/// The gradients of the values of one function, added up as they arrive.
class GradientMap {
public:
  GradientMap(OpBuilder &builder) : builder(builder) {}

  Value lookup(Value value) const { return gradients.lookup(value); }

  /// Adds `gradient` to what `value` has received.
  void accumulate(Value value, Value gradient) {
    Value &slot = gradients[value];
    slot =
        slot
            ? AddOp::create(builder, value.getLoc(), slot, gradient).getResult()
            : gradient;
  }

private:
  OpBuilder &builder;
  DenseMap<Value, Value> gradients;
};

/// Whether any operand of `op` can carry a gradient.
bool hasDifferentiableOperand(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isFloatTensor);
}

/// Asks `op`'s gradient rule for its operands' gradients and accumulates
/// them. Ops without a rule and without float operands (constants, shape
/// computations) pass nothing on.
LogicalResult propagate(Operation *op, OpBuilder &builder,
                        GradientMap &gradients, const DenseSet<Value> &active) {
  SmallVector<Value> resultGradients;
  bool reached = false;
  for (Value result : op->getResults()) {
    resultGradients.push_back(gradients.lookup(result));
    reached |= static_cast<bool>(resultGradients.back());
  }
  if (!reached)
    return success();
  if (autodiff::isControlFlowOp(op))
    return autodiff::propagateControlFlow(
        op, builder, resultGradients, active, [&](Value value, Value gradient) {
          gradients.accumulate(value, gradient);
        });
  if (!hasDifferentiableOperand(op))
    return success();
  if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    Value gradient = tensor::CastOp::create(builder, op->getLoc(),
                                            cast.getSource().getType(),
                                            resultGradients.front());
    if (active.contains(cast.getSource()))
      gradients.accumulate(cast.getSource(), gradient);
    return success();
  }
  auto rule = dyn_cast<GradientOpInterface>(op);
  if (!rule)
    return op->emitError() << "'" << op->getName()
                           << "' has no gradient rule, so Kiln cannot "
                              "differentiate through it";
  // Rules may assume a gradient for every float result: give zeros to those
  // that reach nothing.
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    if (!resultGradients[i] && isFloatTensor(op->getResult(i).getType()))
      resultGradients[i] =
          autodiff::zerosLike(builder, op->getLoc(), op->getResult(i));
  SmallVector<Value> operandGradients;
  if (failed(rule.buildGradients(builder, resultGradients, operandGradients)))
    return op->emitError() << "the gradient rule of '" << op->getName()
                           << "' does not apply to this op";
  if (operandGradients.size() != op->getNumOperands())
    return op->emitError() << "internal error: the gradient rule of '"
                           << op->getName() << "' gave "
                           << operandGradients.size() << " gradients for "
                           << op->getNumOperands() << " operands";
  for (auto [index, gradient] : llvm::enumerate(operandGradients)) {
    Value operand = op->getOperand(index);
    if (!gradient || !isFloatTensor(operand.getType()) ||
        !active.contains(operand) || !rule.isOperandDifferentiable(index))
      continue;
    if (gradient.getType() != operand.getType())
      return op->emitError()
             << "internal error: the gradient rule of '" << op->getName()
             << "' gave a " << gradient.getType() << " for operand #" << index
             << " of type " << operand.getType();
    gradients.accumulate(operand, gradient);
  }
  return success();
}

/// The values computed from `wrt` by `ops` (through operands, or values that
/// regions capture): only they need gradients.
DenseSet<Value> activeValues(ArrayRef<Operation *> ops, ArrayRef<Value> wrt) {
  DenseSet<Value> active(wrt.begin(), wrt.end());
  for (Operation *op : ops)
    if (autodiff::readsActive(op, active))
      active.insert(op->result_begin(), op->result_end());
  return active;
}

/// `value`, or what replaced it when its loop was unrolled.
Value replacement(const DenseMap<Value, Value> &replaced, Value value) {
  Value other = replaced.lookup(value);
  return other ? other : value;
}

} // namespace

FailureOr<SmallVector<Value>>
autodiff::emitBackward(OpBuilder &builder, ArrayRef<Operation *> forwardOps,
                       ArrayRef<std::pair<Value, Value>> seeds,
                       ArrayRef<Value> wrtValues) {
  // The reverse sweep needs every iteration's intermediates.
  SmallVector<Operation *> ops(forwardOps);
  DenseMap<Value, Value> replaced;
  if (failed(autodiff::unrollActiveLoops(ops, wrtValues, replaced)))
    return failure();
  SmallVector<Value> wrt;
  for (Value value : wrtValues)
    wrt.push_back(replacement(replaced, value));
  DenseSet<Value> active = activeValues(ops, wrt);
  GradientMap gradients(builder);
  for (auto [forwardValue, seed] : seeds) {
    Value value = replacement(replaced, forwardValue);
    if (active.contains(value) && isFloatTensor(value.getType()))
      gradients.accumulate(value, seed);
  }
  for (Operation *op : llvm::reverse(ops)) {
    if (!autodiff::readsActive(op, active))
      continue;
    if (failed(propagate(op, builder, gradients, active)))
      return failure();
  }
  SmallVector<Value> result;
  for (Value value : wrt) {
    Value gradient = gradients.lookup(value);
    result.push_back(gradient
                         ? gradient
                         : autodiff::zerosLike(builder, value.getLoc(), value));
  }
  return result;
}

FailureOr<SmallVector<Value>>
emitGradients(OpBuilder &builder, ArrayRef<Operation *> ops,
              ArrayRef<std::pair<Value, Value>> seeds, ArrayRef<Value> wrt) {
  return autodiff::emitBackward(builder, ops, seeds, wrt);
}

FailureOr<func::FuncOp> buildVjp(func::FuncOp function, StringRef name) {
  if (!function.getBody().hasOneBlock())
    return function.emitError() << "autodiff needs a function of one block";
  Block &body = function.getBody().front();
  auto returnOp = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!returnOp)
    return function.emitError() << "autodiff needs a func.return";

  FunctionType forwardType = function.getFunctionType();
  SmallVector<Type> inputs(forwardType.getInputs());
  llvm::append_range(inputs, forwardType.getResults());
  SmallVector<Type> results(forwardType.getResults());
  for (Type type : forwardType.getInputs())
    if (isFloatTensor(type))
      results.push_back(type);

  OpBuilder builder(function);
  builder.setInsertionPointAfter(function);
  auto vjp = func::FuncOp::create(builder, function.getLoc(), name,
                                  builder.getFunctionType(inputs, results));
  Block *entry = vjp.addEntryBlock();
  builder.setInsertionPointToEnd(entry);

  IRMapping mapping;
  mapping.map(body.getArguments(),
              entry->getArguments().take_front(body.getNumArguments()));
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    forwardOps.push_back(builder.clone(op, mapping));

  ValueRange cotangents =
      entry->getArguments().drop_front(body.getNumArguments());
  SmallVector<Value> forwardResults;
  SmallVector<std::pair<Value, Value>> seeds;
  for (auto [result, cotangent] :
       llvm::zip(returnOp.getOperands(), cotangents)) {
    Value mapped = mapping.lookupOrDefault(result);
    forwardResults.push_back(mapped);
    seeds.emplace_back(mapped, cotangent);
  }
  SmallVector<Value> wrt;
  for (BlockArgument argument :
       entry->getArguments().take_front(body.getNumArguments()))
    if (isFloatTensor(argument.getType()))
      wrt.push_back(argument);
  FailureOr<SmallVector<Value>> gradients =
      autodiff::emitBackward(builder, forwardOps, seeds, wrt);
  if (failed(gradients)) {
    vjp.erase();
    return failure();
  }
  SmallVector<Value> returned(forwardResults);
  llvm::append_range(returned, *gradients);
  func::ReturnOp::create(builder, returnOp.getLoc(), returned);
  // The loops unrolled for the reverse sweep; the results returned above may
  // be theirs.
  autodiff::foldEmptiedLoops(vjp.getBody());
  return vjp;
}

} // namespace kiln
