//===- ReductionGradients.cpp - Gradient rules of kiln reductions ---------===//
//
// A reduction's gradient first gets the reduced dims back (as size 1), then
// is broadcast over them: every input element of a sum receives it, a mean
// divides it by the count, a maximum or minimum splits it equally among the
// elements equal to the extreme (as PyTorch's amax/amin do), and a product
// multiplies it by the product of the other elements, computed without
// dividing by zero (elements that are zero are handled exactly, as PyTorch's
// prod_backward does). A cumulative sum's gradient is the cumulative sum
// running the other way.
//
//===----------------------------------------------------------------------===//

#include "GradientRules.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace kiln::autodiff {
namespace {

/// The result (or its gradient) of a reduction of `input` over `axes`, with
/// the reduced dims present as size 1.
Value withReducedDims(OpBuilder &b, Location loc, Value reduced, Value input,
                      ArrayRef<int64_t> axes, bool keepDims) {
  if (keepDims)
    return reduced;
  RankedTensorType inputType = typeOf(input);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < inputType.getRank(); ++d)
    shape.push_back(llvm::is_contained(axes, d) ? 1
                    : inputType.isDynamicDim(d) ? ShapedType::kDynamic
                                                : inputType.getDimSize(d));
  auto keptType = RankedTensorType::get(shape, inputType.getElementType());
  if (llvm::count(shape, ShapedType::kDynamic) <= 1) {
    SmallVector<int64_t> target(shape);
    for (int64_t &dim : target)
      if (ShapedType::isDynamic(dim))
        dim = -1;
    return fit(b, loc, ReshapeOp::create(b, loc, reduced, target), keptType);
  }
  Value unsqueezed =
      UnsqueezeOp::create(b, loc, keptType, reduced, i64Vector(b, loc, axes));
  return unsqueezed;
}

/// `value` broadcast to the shape of `input`.
Value broadcastLike(OpBuilder &b, Location loc, Value value, Value input) {
  RankedTensorType inputType = typeOf(input);
  if (value.getType() == input.getType())
    return value;
  if (inputType.hasStaticShape() && typeOf(value).hasStaticShape())
    return BroadcastToOp::create(b, loc, value, inputType.getShape());
  Value shape = ShapeOfOp::create(b, loc, input);
  return DynamicBroadcastToOp::create(b, loc, inputType, value, shape);
}

/// The number of elements a reduction over `axes` combines, as a rank-0
/// tensor of the float `elementType`.
Value reducedCount(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes, Type elementType) {
  RankedTensorType type = typeOf(input);
  bool isStatic = llvm::none_of(
      axes, [&](int64_t axis) { return type.isDynamicDim(axis); });
  if (isStatic) {
    double count = 1;
    for (int64_t axis : axes)
      count *= type.getDimSize(axis);
    return scalarConstant(b, loc, elementType, count);
  }
  Value dims = GatherOp::create(b, loc, ShapeOfOp::create(b, loc, input),
                                i64Vector(b, loc, axes), /*axis=*/uint64_t{0});
  Value count = ReduceProdOp::create(b, loc, dims, ArrayRef<int64_t>{0},
                                     /*keep_dims=*/false);
  return CastOp::create(b, loc, count, TypeAttr::get(elementType));
}

template <typename Op, typename Derived>
struct ReductionGradient
    : GradientOpInterface::ExternalModel<ReductionGradient<Op, Derived>, Op> {
  LogicalResult buildGradients(Operation *op, OpBuilder &builder,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto reduction = cast<Op>(op);
    Location loc = op->getLoc();
    Value input = reduction.getInput();
    Value gradient =
        withReducedDims(builder, loc, resultGradients.front(), input,
                        reduction.getAxes(), reduction.getKeepDims());
    Value inputGradient = Derived::gradient(builder, loc, reduction, gradient);
    operandGradients.push_back(
        fit(builder, loc, inputGradient, input.getType()));
    return success();
  }
};

struct SumRule {
  static Value gradient(OpBuilder &b, Location loc, ReduceSumOp op, Value g) {
    return broadcastLike(b, loc, g, op.getInput());
  }
};

struct MeanRule {
  static Value gradient(OpBuilder &b, Location loc, ReduceMeanOp op, Value g) {
    Type elementType = typeOf(g).getElementType();
    Value count =
        reducedCount(b, loc, op.getInput(), op.getAxes(), elementType);
    return broadcastLike(b, loc, DivOp::create(b, loc, g, count),
                         op.getInput());
  }
};

/// reduce_max and reduce_min: the gradient goes to the elements equal to the
/// result, split equally among ties.
template <typename Op> struct ExtremeRule {
  static Value gradient(OpBuilder &b, Location loc, Op op, Value g) {
    Value input = op.getInput();
    Type elementType = typeOf(input).getElementType();
    Value extreme = withReducedDims(b, loc, op.getResult(), input, op.getAxes(),
                                    op.getKeepDims());
    Value isExtreme =
        CompareOp::create(b, loc, ComparisonPredicate::eq, input, extreme);
    Value ones = CastOp::create(b, loc, isExtreme, TypeAttr::get(elementType));
    Value ties = ReduceSumOp::create(b, loc, ones, op.getAxes(),
                                     /*keep_dims=*/true);
    Value share = DivOp::create(b, loc, g, ties);
    Value zero = scalarConstant(b, loc, elementType, 0);
    return SelectOp::create(b, loc, isExtreme, share, zero);
  }
};

/// reduce_prod: g times the product of the other elements. Without zeros in
/// a reduced group that is y / x; with one zero, only the zero element gets
/// g times the product of the rest; with more, every element gets 0.
struct ProdRule {
  static Value gradient(OpBuilder &b, Location loc, ReduceProdOp op, Value g) {
    Value x = op.getInput();
    Type elementType = typeOf(x).getElementType();
    Value zero = scalarConstant(b, loc, elementType, 0);
    Value one = scalarConstant(b, loc, elementType, 1);
    Value isZero = CompareOp::create(b, loc, ComparisonPredicate::eq, x, zero);
    Value nonZero = SelectOp::create(b, loc, isZero, one, x);
    Value productOfNonZeros =
        ReduceProdOp::create(b, loc, nonZero, op.getAxes(), /*keep_dims=*/true);
    Value zeros = ReduceSumOp::create(
        b, loc, CastOp::create(b, loc, isZero, TypeAttr::get(elementType)),
        op.getAxes(), /*keep_dims=*/true);
    Value scaled = MulOp::create(b, loc, g, productOfNonZeros);
    Value noZero = DivOp::create(b, loc, scaled, nonZero);
    Value noZeroInGroup =
        CompareOp::create(b, loc, ComparisonPredicate::eq, zeros, zero);
    Value oneZeroInGroup =
        CompareOp::create(b, loc, ComparisonPredicate::eq, zeros, one);
    Value theZero = AndOp::create(b, loc, isZero, oneZeroInGroup);
    Value withZero = SelectOp::create(b, loc, theZero, scaled, zero);
    return SelectOp::create(b, loc, noZeroInGroup, noZero, withZero);
  }
};

struct CumSumRule : GradientOpInterface::ExternalModel<CumSumRule, CumSumOp> {
  // y_i = sum_{j <= i} x_j gives dx_j = sum_{i >= j} g_i: the same sum, the
  // other way; exclusive stays exclusive.
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto cumsum = cast<CumSumOp>(op);
    operandGradients.push_back(CumSumOp::create(
        b, op->getLoc(), resultGradients.front(), cumsum.getAxis(),
        cumsum.getExclusive(), !cumsum.getReverse()));
    return success();
  }
};

struct DynamicCumSumRule
    : GradientOpInterface::ExternalModel<DynamicCumSumRule, DynamicCumSumOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto cumsum = cast<DynamicCumSumOp>(op);
    operandGradients.push_back(DynamicCumSumOp::create(
        b, op->getLoc(), resultGradients.front(), cumsum.getAxis(),
        cumsum.getExclusive(), !cumsum.getReverse()));
    operandGradients.push_back(Value());
    return success();
  }
};

/// dynamic_reduce_sum keeps the reduced dims: broadcast the gradient back.
struct DynamicReduceSumRule
    : GradientOpInterface::ExternalModel<DynamicReduceSumRule,
                                         DynamicReduceSumOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &b,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    auto reduction = cast<DynamicReduceSumOp>(op);
    Location loc = op->getLoc();
    Value input = reduction.getInput();
    Value shape = ShapeOfOp::create(b, loc, input);
    Value gradient = DynamicBroadcastToOp::create(
        b, loc, input.getType(), resultGradients.front(), shape);
    operandGradients.append({gradient, Value()});
    return success();
  }
};

} // namespace

void attachReductionGradients(MLIRContext *context) {
  ReduceSumOp::attachInterface<ReductionGradient<ReduceSumOp, SumRule>>(
      *context);
  ReduceMeanOp::attachInterface<ReductionGradient<ReduceMeanOp, MeanRule>>(
      *context);
  ReduceMaxOp::attachInterface<
      ReductionGradient<ReduceMaxOp, ExtremeRule<ReduceMaxOp>>>(*context);
  ReduceMinOp::attachInterface<
      ReductionGradient<ReduceMinOp, ExtremeRule<ReduceMinOp>>>(*context);
  ReduceProdOp::attachInterface<ReductionGradient<ReduceProdOp, ProdRule>>(
      *context);
  CumSumOp::attachInterface<CumSumRule>(*context);
  DynamicCumSumOp::attachInterface<DynamicCumSumRule>(*context);
  DynamicReduceSumOp::attachInterface<DynamicReduceSumRule>(*context);
}

} // namespace kiln::autodiff
