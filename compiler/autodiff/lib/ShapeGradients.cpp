//===- ShapeGradients.cpp - Gradient rules of kiln shape ops --------------===//
//
// Data movement is linear, so each rule applies the adjoint of the movement
// to the result's gradient: a reshape reshapes back, a transpose transposes
// back, a slice pads (strided and reversed slices are dilated and flipped
// first), a concat or split slices or concatenates, a broadcast sums, and a
// gather scatter-adds into zeros. Indices are resolved as the forward op
// resolves them (negative ones count from the end, a gather clamps those
// still out of range), so that every gathered element sends its gradient
// back to the element it read. Rules that would need run-time shapes the
// kiln ops cannot express say so with an error naming the op.
//
//===----------------------------------------------------------------------===//

#include "GradientRules.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <numeric>

using namespace mlir;

namespace kiln::autodiff {
namespace {

/// A constant of integer `type` holding `values` (row-major).
Value integerConstant(OpBuilder &b, Location loc, RankedTensorType type,
                      ArrayRef<int64_t> values) {
  auto elementType = cast<IntegerType>(type.getElementType());
  SmallVector<APInt> elements;
  for (int64_t value : values)
    elements.push_back(APInt(elementType.getWidth(), value, /*isSigned=*/true));
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, elements));
}

/// A splat constant of integer element type `elementType` and `shape`.
Value integerSplat(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, int64_t value) {
  auto type = RankedTensorType::get(shape, elementType);
  return ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(type, b.getIntegerAttr(elementType, value)));
}

/// A zero tensor of the static `shape` and `elementType`.
Value zerosOfShape(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType) {
  auto type = RankedTensorType::get(shape, elementType);
  return ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getZeroAttr(elementType)));
}

/// The size of dim `d` of `value` as a rank-0 tensor of `elementType` (an
/// integer type): a constant when static, else read with kiln.shape_of.
Value dimAsTensor(OpBuilder &b, Location loc, Value value, int64_t d,
                  Type elementType) {
  RankedTensorType type = typeOf(value);
  if (!type.isDynamicDim(d))
    return integerSplat(b, loc, {}, elementType, type.getDimSize(d));
  Value shape = ShapeOfOp::create(b, loc, value);
  Value dim = SliceOp::create(b, loc, shape, ArrayRef<int64_t>{d},
                              ArrayRef<int64_t>{1}, ArrayRef<int64_t>{1});
  dim = ReshapeOp::create(b, loc, dim, ArrayRef<int64_t>{});
  if (elementType != b.getI64Type())
    dim = CastOp::create(b, loc, dim, TypeAttr::get(elementType));
  return dim;
}

/// The sizes of dims [first, first + count) of `value` as a 1-D tensor of
/// `elementType`.
Value dimsAsTensor(OpBuilder &b, Location loc, Value value, int64_t first,
                   int64_t count, Type elementType) {
  RankedTensorType type = typeOf(value);
  ArrayRef<int64_t> dims = type.getShape().slice(first, count);
  auto vectorType = RankedTensorType::get({count}, elementType);
  if (!llvm::is_contained(dims, ShapedType::kDynamic))
    return integerConstant(b, loc, vectorType, dims);
  Value shape = ShapeOfOp::create(b, loc, value);
  Value part = SliceOp::create(b, loc, shape, ArrayRef<int64_t>{first},
                               ArrayRef<int64_t>{count}, ArrayRef<int64_t>{1});
  if (elementType != b.getI64Type())
    part = CastOp::create(b, loc, part, TypeAttr::get(elementType));
  return part;
}

/// Gather indices as a gather resolves them: negative ones count from `size`
/// (which broadcasts against `indices`), the rest is clamped into
/// [0, size - 1].
Value clampIndices(OpBuilder &b, Location loc, Value indices, Value size) {
  Type elementType = typeOf(indices).getElementType();
  Value zero = integerSplat(b, loc, {}, elementType, 0);
  Value one = integerSplat(b, loc, {}, elementType, 1);
  Value negative =
      CompareOp::create(b, loc, ComparisonPredicate::lt, indices, zero);
  Value wrapped = AddOp::create(b, loc, indices, size);
  Value resolved = SelectOp::create(b, loc, negative, wrapped, indices);
  Value last = SubOp::create(b, loc, size, one);
  resolved = MinOp::create(b, loc, resolved, last);
  return MaxOp::create(b, loc, resolved, zero);
}

/// Whether each index lies in [-size, size): the updates a scatter applies.
Value indicesInRange(OpBuilder &b, Location loc, Value indices, Value size) {
  Value notBelow = CompareOp::create(b, loc, ComparisonPredicate::ge, indices,
                                     NegOp::create(b, loc, size));
  Value below =
      CompareOp::create(b, loc, ComparisonPredicate::lt, indices, size);
  return AndOp::create(b, loc, notBelow, below);
}

/// `value` reshaped to the shape of `like` (whose element type it has).
Value reshapeLike(OpBuilder &b, Location loc, Value value, Value like) {
  RankedTensorType type = typeOf(like);
  if (type.hasStaticShape())
    return fit(b, loc, ReshapeOp::create(b, loc, value, type.getShape()), type);
  Value shape = ShapeOfOp::create(b, loc, like);
  Value reshaped = DynamicReshapeOp::create(
      b, loc, RankedTensorType::get(type.getShape(), type.getElementType()),
      value, shape, /*allow_zero=*/true);
  return fit(b, loc, reshaped, type);
}

SmallVector<int64_t> inversePermutation(ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> inverse(permutation.size());
  for (auto [index, dim] : llvm::enumerate(permutation))
    inverse[dim] = index;
  return inverse;
}

bool isIdentity(ArrayRef<int64_t> permutation) {
  for (auto [index, dim] : llvm::enumerate(permutation))
    if (dim != static_cast<int64_t>(index))
      return false;
  return true;
}

Value transposeIfNeeded(OpBuilder &b, Location loc, Value value,
                        ArrayRef<int64_t> permutation) {
  if (isIdentity(permutation))
    return value;
  return TransposeOp::create(b, loc, value, permutation);
}

int64_t product(ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

/// Whether `value` is a constant (its gradient goes nowhere).
bool isConstant(Value value) { return matchPattern(value, m_Constant()); }

/// Emits the error of a rule that cannot handle `op` and fails.
LogicalResult unsupported(Operation *op, const Twine &why) {
  return op->emitError() << "cannot differentiate '" << op->getName()
                         << "': " << why;
}

/// A rule written as a static function `Derived::build(op, builder,
/// resultGradients, operandGradients)` of the concrete op.
template <typename Op, typename Derived>
struct ShapeGradient
    : GradientOpInterface::ExternalModel<ShapeGradient<Op, Derived>, Op> {
  LogicalResult buildGradients(Operation *op, OpBuilder &builder,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    return Derived::build(cast<Op>(op), builder, resultGradients,
                          operandGradients);
  }
};

//===----------------------------------------------------------------------===//
// Reshapes, transposes, broadcasts
//===----------------------------------------------------------------------===//

/// reshape, dynamic_reshape, squeeze, unsqueeze: the gradient has the
/// input's shape and the same elements in the same order.
template <typename Op> struct ReshapeLikeRule {
  static LogicalResult build(Op op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Operation *operation = op.getOperation();
    Value input = operation->getOperand(0);
    operandGradients.push_back(
        reshapeLike(b, op.getLoc(), gradients.front(), input));
    operandGradients.append(operation->getNumOperands() - 1, Value());
    return success();
  }
};

struct TransposeRule {
  static LogicalResult build(TransposeOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Value gradient =
        TransposeOp::create(b, op.getLoc(), gradients.front(),
                            inversePermutation(op.getPermutation()));
    operandGradients.push_back(
        fit(b, op.getLoc(), gradient, op.getInput().getType()));
    return success();
  }
};

struct BroadcastToRule {
  static LogicalResult build(BroadcastToOp op, OpBuilder &b,
                             ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    RankedTensorType inputType = typeOf(op.getInput());
    if (!typeOf(gradients.front()).hasStaticShape())
      return unsupported(op, "its result shape is not static");
    operandGradients.push_back(
        sumToShape(b, op.getLoc(), gradients.front(), inputType));
    return success();
  }
};

/// dynamic_broadcast_to: as broadcast_to, when the shapes are static.
struct DynamicBroadcastToRule {
  static LogicalResult build(DynamicBroadcastToOp op, OpBuilder &b,
                             ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    RankedTensorType inputType = typeOf(op.getInput());
    if (!inputType.hasStaticShape() ||
        !typeOf(gradients.front()).hasStaticShape())
      return unsupported(op, "the gradient of a broadcast needs static input "
                             "and result shapes");
    operandGradients.push_back(
        sumToShape(b, op.getLoc(), gradients.front(), inputType));
    operandGradients.push_back(Value());
    return success();
  }
};

/// tile: result[i] = input[i mod dim], so the gradient sums the repeats.
struct TileRule {
  static LogicalResult build(TileOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    RankedTensorType inputType = typeOf(op.getInput());
    RankedTensorType resultType = typeOf(op.getResult());
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
      return unsupported(op, "the gradient of a tile needs static input and "
                             "result shapes (declare the result type)");
    if (inputType.getNumElements() == 0) {
      operandGradients.append({zerosLike(b, loc, op.getInput()), Value()});
      return success();
    }
    SmallVector<int64_t> expanded, repeatAxes;
    for (auto [d, dims] : llvm::enumerate(
             llvm::zip(inputType.getShape(), resultType.getShape()))) {
      auto [dim, tiled] = dims;
      repeatAxes.push_back(2 * d);
      expanded.append({tiled / dim, dim});
    }
    Value gradient = fit(b, loc, gradients.front(), resultType);
    gradient = ReshapeOp::create(b, loc, gradient, expanded);
    gradient = ReduceSumOp::create(b, loc, gradient, repeatAxes,
                                   /*keep_dims=*/false);
    operandGradients.append({fit(b, loc, gradient, inputType), Value()});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Concatenation and splitting
//===----------------------------------------------------------------------===//

struct ConcatRule {
  static LogicalResult build(ConcatOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value gradient = gradients.front();
    int64_t axis = op.getAxis();
    int64_t rank = typeOf(gradient).getRank();
    bool staticSizes = llvm::all_of(op.getInputs(), [&](Value input) {
      return !typeOf(input).isDynamicDim(axis);
    });
    if (staticSizes) {
      int64_t offset = 0;
      for (Value input : op.getInputs()) {
        int64_t size = typeOf(input).getDimSize(axis);
        SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), steps(rank, 1);
        offsets[axis] = size == 0 ? 0 : offset;
        sizes[axis] = size;
        offset += size;
        Value part = SliceOp::create(b, loc, gradient, offsets, sizes, steps);
        operandGradients.push_back(fit(b, loc, part, input.getType()));
      }
      return success();
    }
    // Sizes known at run time: a kiln.split by the inputs' dims.
    SmallVector<Value> sizes;
    for (Value input : op.getInputs())
      sizes.push_back(dimsAsTensor(b, loc, input, axis, 1, b.getI64Type()));
    Value sizeList = ConcatOp::create(b, loc, sizes, /*axis=*/0);
    SmallVector<Type> types(op.getInputs().getTypes());
    auto split = SplitOp::create(b, loc, types, gradient, sizeList, axis);
    llvm::append_range(operandGradients, split.getResults());
    return success();
  }
};

struct SplitRule {
  static LogicalResult build(SplitOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value gradient = ConcatOp::create(b, loc, gradients, op.getAxis());
    operandGradients.push_back(fit(b, loc, gradient, op.getInput().getType()));
    operandGradients.push_back(Value());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Slicing and padding
//===----------------------------------------------------------------------===//

/// The adjoint of a static kiln.slice: the gradient put back where the slice
/// read it, zeros elsewhere. Reversed dims (negative steps) are flipped, then
/// strided dims are dilated (zeros between the elements), then a kiln.pad
/// places the block.
FailureOr<Value> unslice(Operation *op, OpBuilder &b, Location loc,
                         Value gradient, Value input, ArrayRef<int64_t> offsets,
                         ArrayRef<int64_t> sizes, ArrayRef<int64_t> steps) {
  RankedTensorType inputType = typeOf(input);
  int64_t rank = inputType.getRank();
  for (int64_t size : sizes)
    if (size == 0)
      return zerosLike(b, loc, input);

  // Per dim: the lowest index read, the distance between the elements read,
  // and whether the slice walks backwards.
  SmallVector<int64_t> first(rank), stride(rank);
  SmallVector<bool> reversed(rank, false);
  bool anyReversed = false, anyStrided = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] == -1 || sizes[d] == 1) {
      first[d] = offsets[d];
      stride[d] = 1;
      continue;
    }
    stride[d] = std::abs(steps[d]);
    reversed[d] = steps[d] < 0;
    first[d] =
        reversed[d] ? offsets[d] + (sizes[d] - 1) * steps[d] : offsets[d];
    anyReversed |= reversed[d];
    anyStrided |= stride[d] > 1;
  }

  if (anyReversed) {
    SmallVector<int64_t> flipOffsets(rank, 0), flipSizes(rank, -1),
        flipSteps(rank, 1);
    for (int64_t d = 0; d < rank; ++d)
      if (reversed[d]) {
        flipOffsets[d] = sizes[d] - 1;
        flipSizes[d] = sizes[d];
        flipSteps[d] = -1;
      }
    gradient =
        SliceOp::create(b, loc, gradient, flipOffsets, flipSizes, flipSteps);
  }

  // Extent of the block the slice read, per dim.
  SmallVector<int64_t> extent(rank);
  for (int64_t d = 0; d < rank; ++d)
    extent[d] = sizes[d] == -1 ? -1 : (sizes[d] - 1) * stride[d] + 1;

  if (anyStrided) {
    if (!typeOf(gradient).hasStaticShape())
      return unsupported(op, "the gradient of a strided slice needs a static "
                             "result shape");
    // [n] -> [n, 1] -> pad to [n, s] -> [n * s] -> the first (n - 1) * s + 1.
    SmallVector<int64_t> withUnit, padHigh, flat, trimSizes;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t n = typeOf(gradient).getDimSize(d);
      withUnit.push_back(n);
      padHigh.push_back(0);
      if (stride[d] > 1) {
        withUnit.push_back(1);
        padHigh.push_back(stride[d] - 1);
      }
      flat.push_back(n * stride[d]);
      trimSizes.push_back(stride[d] > 1 ? extent[d] : -1);
    }
    gradient = ReshapeOp::create(b, loc, gradient, withUnit);
    gradient = PadOp::create(b, loc, gradient,
                             SmallVector<int64_t>(withUnit.size(), 0), padHigh,
                             "constant", TypedAttr());
    gradient = ReshapeOp::create(b, loc, gradient, flat);
    gradient = SliceOp::create(b, loc, gradient, SmallVector<int64_t>(rank, 0),
                               trimSizes, SmallVector<int64_t>(rank, 1));
  }

  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] == -1)
      continue;
    if (inputType.isDynamicDim(d))
      return unsupported(op,
                         "dimension " + Twine(d) + " of the input is dynamic");
    low[d] = first[d];
    high[d] = inputType.getDimSize(d) - first[d] - extent[d];
  }
  if (llvm::any_of(low, [](int64_t v) { return v != 0; }) ||
      llvm::any_of(high, [](int64_t v) { return v != 0; }))
    gradient =
        PadOp::create(b, loc, gradient, low, high, "constant", TypedAttr());
  return fit(b, loc, gradient, inputType);
}

struct SliceRule {
  static LogicalResult build(SliceOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    FailureOr<Value> gradient =
        unslice(op, b, op.getLoc(), gradients.front(), op.getInput(),
                op.getOffsets(), op.getSizes(), op.getSteps());
    if (failed(gradient))
      return failure();
    operandGradients.push_back(*gradient);
    return success();
  }
};

/// The flat positions 0..n-1 of a static `type`'s elements, in its shape
/// (i64): applying a data movement to it says where each element came from.
Value positionsOf(OpBuilder &b, Location loc, RankedTensorType type) {
  SmallVector<int64_t> values(type.getNumElements());
  std::iota(values.begin(), values.end(), 0);
  return integerConstant(
      b, loc, RankedTensorType::get(type.getShape(), b.getI64Type()), values);
}

/// Adds each element of `gradient` into a zero tensor shaped as `input` at
/// the flat position `sources` (same shape as `gradient`) names.
Value scatterAddToPositions(OpBuilder &b, Location loc, Value gradient,
                            Value sources, RankedTensorType inputType) {
  Value flatSources =
      ReshapeOp::create(b, loc, sources, ArrayRef<int64_t>{-1, 1});
  Value flatGradient =
      ReshapeOp::create(b, loc, gradient, ArrayRef<int64_t>{-1});
  Value zeros = zerosOfShape(b, loc, {inputType.getNumElements()},
                             inputType.getElementType());
  Value summed =
      ScatterNDOp::create(b, loc, zeros, flatSources, flatGradient, "add");
  return fit(b, loc, ReshapeOp::create(b, loc, summed, inputType.getShape()),
             inputType);
}

/// dynamic_slice: the bounds are known only at run time, so the same slice
/// of the input's element positions says where each result element came
/// from, and the gradient is scatter-added there.
struct DynamicSliceRule {
  static LogicalResult build(DynamicSliceOp op, OpBuilder &b,
                             ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    RankedTensorType inputType = typeOf(op.getInput());
    if (!inputType.hasStaticShape())
      return unsupported(op, "the gradient of a run-time slice needs a static "
                             "input shape");
    RankedTensorType resultType = typeOf(op.getResult());
    Value positions = positionsOf(b, loc, inputType);
    Value sources = DynamicSliceOp::create(
        b, loc, RankedTensorType::get(resultType.getShape(), b.getI64Type()),
        positions, op.getStarts(), op.getEnds(), op.getAxes(), op.getSteps());
    operandGradients.push_back(
        scatterAddToPositions(b, loc, gradients.front(), sources, inputType));
    operandGradients.append(4, Value());
    return success();
  }
};

/// pad: constant padding drops the padded elements' gradient; reflect and
/// edge padding add it to the elements that were copied there, one dim at a
/// time.
struct PadRule {
  static LogicalResult build(PadOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    RankedTensorType inputType = typeOf(op.getInput());
    ArrayRef<int64_t> low = op.getLow(), high = op.getHigh();
    int64_t rank = inputType.getRank();
    Value gradient = gradients.front();
    StringRef mode = op.getMode();
    if (mode == "constant") {
      SmallVector<int64_t> sizes;
      for (int64_t d = 0; d < rank; ++d) {
        if (!inputType.isDynamicDim(d))
          sizes.push_back(inputType.getDimSize(d));
        else if (low[d] == 0 && high[d] == 0)
          sizes.push_back(-1);
        else
          return unsupported(op, "dimension " + Twine(d) +
                                     " of the input is dynamic and padded");
      }
      Value part = SliceOp::create(b, loc, gradient, low, sizes,
                                   SmallVector<int64_t>(rank, 1));
      operandGradients.push_back(fit(b, loc, part, inputType));
      return success();
    }
    bool reflect = mode == "reflect";
    for (int64_t d = 0; d < rank; ++d) {
      if (low[d] == 0 && high[d] == 0)
        continue;
      if (inputType.isDynamicDim(d) || !typeOf(gradient).hasStaticShape())
        return unsupported(op, "the gradient of " + mode +
                                   " padding needs static shapes");
      int64_t n = inputType.getDimSize(d);
      // Slices of the gradient along dim d, as offset, size, step.
      auto sliceDim = [&](int64_t offset, int64_t size, int64_t step) {
        SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), steps(rank, 1);
        offsets[d] = offset;
        sizes[d] = size;
        steps[d] = step;
        return SliceOp::create(b, loc, gradient, offsets, sizes, steps)
            .getResult();
      };
      // `part` padded along dim d to the input's size, `before` zeros first.
      auto place = [&](Value part, int64_t before) {
        SmallVector<int64_t> padLow(rank, 0), padHigh(rank, 0);
        padLow[d] = before;
        padHigh[d] = n - before - typeOf(part).getDimSize(d);
        return PadOp::create(b, loc, part, padLow, padHigh, "constant",
                             TypedAttr())
            .getResult();
      };
      Value folded = sliceDim(low[d], n, 1);
      if (low[d] > 0) {
        Value part;
        if (reflect) // Padded position low-1-t copies input t+1.
          part = place(sliceDim(low[d] - 1, low[d], -1), 1);
        else
          part = place(ReduceSumOp::create(b, loc, sliceDim(0, low[d], 1),
                                           ArrayRef<int64_t>{d},
                                           /*keep_dims=*/true),
                       0);
        folded = AddOp::create(b, loc, folded, part);
      }
      if (high[d] > 0) {
        int64_t end = low[d] + n + high[d];
        Value part;
        if (reflect) // Padded position low+n+t copies input n-2-t.
          part = place(sliceDim(end - 1, high[d], -1), n - 1 - high[d]);
        else
          part = place(ReduceSumOp::create(b, loc,
                                           sliceDim(low[d] + n, high[d], 1),
                                           ArrayRef<int64_t>{d},
                                           /*keep_dims=*/true),
                       n - 1);
        folded = AddOp::create(b, loc, folded, part);
      }
      gradient = folded;
    }
    operandGradients.push_back(fit(b, loc, gradient, inputType));
    return success();
  }
};

/// dynamic_pad in constant mode: padding by the negated amounts removes what
/// was added and restores, as zeros, what was cut. The padding value's
/// gradient is the rest of the result's gradient.
struct DynamicPadRule {
  static LogicalResult build(DynamicPadOp op, OpBuilder &b,
                             ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    if (op.getMode() != "constant")
      return unsupported(op, "the gradient of run-time " + op.getMode() +
                                 " padding is not implemented");
    Location loc = op.getLoc();
    Value gradient = gradients.front();
    Value negated = NegOp::create(b, loc, op.getPads());
    Value inputGradient =
        DynamicPadOp::create(b, loc, op.getInput().getType(), gradient, negated,
                             Value(), "constant");
    operandGradients.append({inputGradient, Value()});
    if (!op.getValue()) {
      operandGradients.push_back(Value());
      return success();
    }
    auto allAxes = [](Value v) {
      SmallVector<int64_t> axes(typeOf(v).getRank());
      std::iota(axes.begin(), axes.end(), 0);
      return axes;
    };
    auto total = [&](Value v) -> Value {
      if (typeOf(v).getRank() == 0)
        return v;
      return ReduceSumOp::create(b, loc, v, allAxes(v), /*keep_dims=*/false);
    };
    Value rest = SubOp::create(b, loc, total(gradient), total(inputGradient));
    operandGradients.push_back(reshapeLike(b, loc, rest, op.getValue()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

/// gather along `axis`: a scatter_nd that adds the gradient's slices into
/// zeros at their (resolved) indices, with `axis` moved to the front.
struct GatherRule {
  static LogicalResult build(GatherOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
    if (!dataType.hasStaticShape() || !indicesType.hasStaticShape())
      return unsupported(op, "the gradient of a gather needs static shapes");
    int64_t axis = op.getAxis(), rank = dataType.getRank();
    int64_t indexRank = indicesType.getRank();
    Value gradient = fit(b, loc, gradients.front(), op.getResult().getType());
    Value resolved = clampIndices(
        b, loc, indices,
        dimAsTensor(b, loc, data, axis, indicesType.getElementType()));

    // The gradient's dims: data dims before axis, index dims, data dims after.
    SmallVector<int64_t> toFront;
    for (int64_t d = 0; d < indexRank; ++d)
      toFront.push_back(axis + d);
    for (int64_t d = 0; d < axis; ++d)
      toFront.push_back(d);
    for (int64_t d = axis + indexRank; d < rank - 1 + indexRank; ++d)
      toFront.push_back(d);
    gradient = transposeIfNeeded(b, loc, gradient, toFront);

    int64_t count = indicesType.getNumElements();
    SmallVector<int64_t> updatesShape{count},
        accumulatorShape{dataType.getDimSize(axis)};
    SmallVector<int64_t> fromFront;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      updatesShape.push_back(dataType.getDimSize(d));
      accumulatorShape.push_back(dataType.getDimSize(d));
    }
    Value updates = ReshapeOp::create(b, loc, gradient, updatesShape);
    Value tuples =
        ReshapeOp::create(b, loc, resolved, ArrayRef<int64_t>{count, 1});
    Value zeros =
        zerosOfShape(b, loc, accumulatorShape, dataType.getElementType());
    Value summed = ScatterNDOp::create(b, loc, zeros, tuples, updates, "add");
    // Move the gathered dim back to `axis`.
    SmallVector<int64_t> back;
    for (int64_t d = 0; d < rank; ++d)
      back.push_back(d < axis ? d + 1 : (d == axis ? 0 : d));
    summed = transposeIfNeeded(b, loc, summed, back);
    operandGradients.append({fit(b, loc, summed, dataType), Value()});
    return success();
  }
};

struct GatherElementsRule {
  static LogicalResult build(GatherElementsOp op, OpBuilder &b,
                             ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    int64_t axis = op.getAxis();
    Value resolved = clampIndices(
        b, loc, indices,
        dimAsTensor(b, loc, data, axis, typeOf(indices).getElementType()));
    Value summed =
        ScatterElementsOp::create(b, loc, zerosLike(b, loc, data), resolved,
                                  gradients.front(), axis, "add");
    operandGradients.append({fit(b, loc, summed, data.getType()), Value()});
    return success();
  }
};

/// Index tuples of a gather_nd resolved as the gather resolves them, each
/// component against its own dim of `data` (from `first` on).
Value clampTuples(OpBuilder &b, Location loc, Value indices, Value data,
                  int64_t first) {
  RankedTensorType indicesType = typeOf(indices);
  int64_t depth = indicesType.getShape().back();
  Value dims =
      dimsAsTensor(b, loc, data, first, depth, indicesType.getElementType());
  return clampIndices(b, loc, indices, dims);
}

struct GatherNDRule {
  static LogicalResult build(GatherNDOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
    int64_t batchDims = op.getBatchDims();
    Value gradient = gradients.front();
    Value resolved = clampTuples(b, loc, indices, data, batchDims);
    if (batchDims == 0) {
      Value summed = ScatterNDOp::create(b, loc, zerosLike(b, loc, data),
                                         resolved, gradient, "add");
      operandGradients.append({fit(b, loc, summed, dataType), Value()});
      return success();
    }
    if (!dataType.hasStaticShape() || !indicesType.hasStaticShape())
      return unsupported(op, "the gradient of a gather_nd with batch dims "
                             "needs static shapes");
    // Flatten the batch dims of data into one and put each tuple's batch
    // number in front of it: a scatter_nd without batch dims.
    ArrayRef<int64_t> dataShape = dataType.getShape();
    int64_t batches = product(dataShape.take_front(batchDims));
    SmallVector<int64_t> flatShape{batches};
    llvm::append_range(flatShape, dataShape.drop_front(batchDims));
    SmallVector<int64_t> numberShape(indicesType.getShape());
    numberShape.back() = 1;
    int64_t perBatch = product(numberShape) / std::max<int64_t>(batches, 1);
    SmallVector<int64_t> numbers;
    for (int64_t i = 0, e = product(numberShape); i < e; ++i)
      numbers.push_back(i / std::max<int64_t>(perBatch, 1));
    Value batchNumbers = integerConstant(
        b, loc,
        RankedTensorType::get(numberShape, indicesType.getElementType()),
        numbers);
    Value tuples = ConcatOp::create(b, loc, ValueRange{batchNumbers, resolved},
                                    indicesType.getRank() - 1);
    Value zeros = zerosOfShape(b, loc, flatShape, dataType.getElementType());
    gradient = fit(b, loc, gradient, op.getResult().getType());
    Value summed = ScatterNDOp::create(b, loc, zeros, tuples, gradient, "add");
    summed = ReshapeOp::create(b, loc, summed, dataShape);
    operandGradients.append({fit(b, loc, summed, dataType), Value()});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scatters
//===----------------------------------------------------------------------===//

/// Which updates of a scatter without reduction survive (the last write to
/// each position wins, out-of-range updates are skipped): each update writes
/// its number, and reads back whether its number is still there. `scatter`
/// and `gather` apply the op's addressing to an i64 tensor.
Value survivingUpdates(OpBuilder &b, Location loc, RankedTensorType dataType,
                       Value numbers,
                       function_ref<Value(Value target, Value updates)> scatter,
                       function_ref<Value(Value source)> gather) {
  Value unwritten =
      integerSplat(b, loc, dataType.getShape(), b.getI64Type(), -1);
  Value marks = scatter(unwritten, numbers);
  Value readBack = gather(marks);
  return CompareOp::create(b, loc, ComparisonPredicate::eq, readBack, numbers);
}

struct ScatterElementsRule {
  static LogicalResult build(ScatterElementsOp op, OpBuilder &b,
                             ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices(),
          updates = op.getUpdates();
    RankedTensorType dataType = typeOf(data), updatesType = typeOf(updates);
    int64_t axis = op.getAxis();
    StringRef reduction = op.getReduction();
    Value gradient = fit(b, loc, gradients.front(), dataType);
    Value zero = scalarConstant(b, loc, dataType.getElementType(), 0);
    Value gathered = GatherElementsOp::create(b, loc, gradient, indices, axis);
    if (reduction == "none") {
      if (!dataType.hasStaticShape() || !updatesType.hasStaticShape())
        return unsupported(op, "the gradient of a scatter without reduction "
                               "needs static shapes");
      Value dataGradient = ScatterElementsOp::create(
          b, loc, gradient, indices, zerosLike(b, loc, updates), axis, "none");
      Value survives = survivingUpdates(
          b, loc, dataType, positionsOf(b, loc, updatesType),
          [&](Value target, Value numbers) {
            return ScatterElementsOp::create(b, loc, target, indices, numbers,
                                             axis, "none")
                .getResult();
          },
          [&](Value source) {
            return GatherElementsOp::create(b, loc, source, indices, axis)
                .getResult();
          });
      Value updatesGradient =
          SelectOp::create(b, loc, survives, gathered, zero);
      operandGradients.append(
          {dataGradient, Value(), fit(b, loc, updatesGradient, updatesType)});
      return success();
    }
    if (reduction == "add") {
      Value inRange = indicesInRange(
          b, loc, indices,
          dimAsTensor(b, loc, data, axis, typeOf(indices).getElementType()));
      Value updatesGradient = SelectOp::create(b, loc, inRange, gathered, zero);
      operandGradients.append(
          {gradient, Value(), fit(b, loc, updatesGradient, updatesType)});
      return success();
    }
    if (reduction == "mul" && isConstant(updates)) {
      // d/d data = g * the product of the updates at each position.
      Value one = scalarConstant(b, loc, dataType.getElementType(), 1);
      Value products = ScatterElementsOp::create(
          b, loc,
          AddOp::create(b, loc, zerosLike(b, loc, data), one).getResult(),
          indices, updates, axis, "mul");
      Value dataGradient = MulOp::create(b, loc, gradient, products);
      operandGradients.append(
          {fit(b, loc, dataGradient, dataType), Value(), Value()});
      return success();
    }
    return unsupported(op, "the gradient of a scatter with reduction \"" +
                               reduction +
                               "\" is only built for constant updates");
  }
};

struct ScatterNDRule {
  static LogicalResult build(ScatterNDOp op, OpBuilder &b, ValueRange gradients,
                             SmallVectorImpl<Value> &operandGradients) {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices(),
          updates = op.getUpdates();
    RankedTensorType dataType = typeOf(data), updatesType = typeOf(updates),
                     indicesType = typeOf(indices);
    StringRef reduction = op.getReduction();
    Value gradient = fit(b, loc, gradients.front(), dataType);
    Value zero = scalarConstant(b, loc, dataType.getElementType(), 0);
    Value gathered = GatherNDOp::create(b, loc, gradient, indices,
                                        /*batch_dims=*/0);
    gathered = fit(b, loc, gathered, updatesType);
    if (reduction == "none") {
      if (!dataType.hasStaticShape() || !updatesType.hasStaticShape() ||
          !indicesType.hasStaticShape())
        return unsupported(op, "the gradient of a scatter without reduction "
                               "needs static shapes");
      Value dataGradient = ScatterNDOp::create(
          b, loc, gradient, indices, zerosLike(b, loc, updates), "none");
      // Every element of an update carries the number of its index tuple.
      int64_t tuples = product(indicesType.getShape().drop_back());
      int64_t perTuple =
          tuples == 0 ? 1 : updatesType.getNumElements() / tuples;
      SmallVector<int64_t> numberValues;
      for (int64_t i = 0; i < updatesType.getNumElements(); ++i)
        numberValues.push_back(i / std::max<int64_t>(perTuple, 1));
      Value numbers = integerConstant(
          b, loc, RankedTensorType::get(updatesType.getShape(), b.getI64Type()),
          numberValues);
      Value survives = survivingUpdates(
          b, loc, dataType, numbers,
          [&](Value target, Value values) {
            return ScatterNDOp::create(b, loc, target, indices, values, "none")
                .getResult();
          },
          [&](Value source) {
            return fit(b, loc,
                       GatherNDOp::create(b, loc, source, indices,
                                          /*batch_dims=*/0),
                       numbers.getType());
          });
      Value updatesGradient =
          SelectOp::create(b, loc, survives, gathered, zero);
      operandGradients.append(
          {dataGradient, Value(), fit(b, loc, updatesGradient, updatesType)});
      return success();
    }
    if (reduction == "add") {
      if (!indicesType.hasStaticShape() || !updatesType.hasStaticShape())
        return unsupported(op, "the gradient of a scatter needs static index "
                               "and update shapes");
      // A tuple is applied when every component is in range.
      int64_t depth = indicesType.getShape().back();
      int64_t prefixRank = indicesType.getRank() - 1;
      Value dims =
          dimsAsTensor(b, loc, data, 0, depth, indicesType.getElementType());
      Value inRange = indicesInRange(b, loc, indices, dims);
      Value counts =
          CastOp::create(b, loc, inRange, TypeAttr::get(b.getI64Type()));
      Value all =
          ReduceMinOp::create(b, loc, counts, ArrayRef<int64_t>{prefixRank},
                              /*keep_dims=*/false);
      SmallVector<int64_t> maskShape(indicesType.getShape().drop_back());
      maskShape.append(updatesType.getRank() - prefixRank, 1);
      all = ReshapeOp::create(b, loc, all, maskShape);
      Value applied =
          CompareOp::create(b, loc, ComparisonPredicate::eq, all,
                            integerSplat(b, loc, {}, b.getI64Type(), 1));
      Value updatesGradient = SelectOp::create(b, loc, applied, gathered, zero);
      operandGradients.append(
          {gradient, Value(), fit(b, loc, updatesGradient, updatesType)});
      return success();
    }
    if (reduction == "mul" && isConstant(updates)) {
      Value one = scalarConstant(b, loc, dataType.getElementType(), 1);
      Value products = ScatterNDOp::create(
          b, loc,
          AddOp::create(b, loc, zerosLike(b, loc, data), one).getResult(),
          indices, updates, "mul");
      Value dataGradient = MulOp::create(b, loc, gradient, products);
      operandGradients.append(
          {fit(b, loc, dataGradient, dataType), Value(), Value()});
      return success();
    }
    return unsupported(op, "the gradient of a scatter with reduction \"" +
                               reduction +
                               "\" is only built for constant updates");
  }
};

} // namespace

void attachShapeGradients(MLIRContext *context) {
  ReshapeOp::attachInterface<
      ShapeGradient<ReshapeOp, ReshapeLikeRule<ReshapeOp>>>(*context);
  DynamicReshapeOp::attachInterface<
      ShapeGradient<DynamicReshapeOp, ReshapeLikeRule<DynamicReshapeOp>>>(
      *context);
  SqueezeOp::attachInterface<
      ShapeGradient<SqueezeOp, ReshapeLikeRule<SqueezeOp>>>(*context);
  UnsqueezeOp::attachInterface<
      ShapeGradient<UnsqueezeOp, ReshapeLikeRule<UnsqueezeOp>>>(*context);
  TransposeOp::attachInterface<ShapeGradient<TransposeOp, TransposeRule>>(
      *context);
  BroadcastToOp::attachInterface<ShapeGradient<BroadcastToOp, BroadcastToRule>>(
      *context);
  DynamicBroadcastToOp::attachInterface<
      ShapeGradient<DynamicBroadcastToOp, DynamicBroadcastToRule>>(*context);
  TileOp::attachInterface<ShapeGradient<TileOp, TileRule>>(*context);
  ConcatOp::attachInterface<ShapeGradient<ConcatOp, ConcatRule>>(*context);
  SplitOp::attachInterface<ShapeGradient<SplitOp, SplitRule>>(*context);
  SliceOp::attachInterface<ShapeGradient<SliceOp, SliceRule>>(*context);
  DynamicSliceOp::attachInterface<
      ShapeGradient<DynamicSliceOp, DynamicSliceRule>>(*context);
  PadOp::attachInterface<ShapeGradient<PadOp, PadRule>>(*context);
  DynamicPadOp::attachInterface<ShapeGradient<DynamicPadOp, DynamicPadRule>>(
      *context);
  GatherOp::attachInterface<ShapeGradient<GatherOp, GatherRule>>(*context);
  GatherElementsOp::attachInterface<
      ShapeGradient<GatherElementsOp, GatherElementsRule>>(*context);
  GatherNDOp::attachInterface<ShapeGradient<GatherNDOp, GatherNDRule>>(
      *context);
  ScatterElementsOp::attachInterface<
      ShapeGradient<ScatterElementsOp, ScatterElementsRule>>(*context);
  ScatterNDOp::attachInterface<ShapeGradient<ScatterNDOp, ScatterNDRule>>(
      *context);
}

} // namespace kiln::autodiff
