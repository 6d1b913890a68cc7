//===- Shape.cpp - ONNX constants, shape and data movement ops to kiln ----===//
//
// Constant, Reshape, Squeeze/Unsqueeze (reshapes), Transpose, Concat, Shape and
// Size (constants when the input's shape is static), and the data movement
// ops: Slice (ONNX's clamping resolved here), Pad (negative pads become a
// slice), Expand (kiln.broadcast_to), Split (slices), and Tile, DepthToSpace
// and SpaceToDepth, which are reshapes, broadcasts and transposes.
// ConstantOfShape and Range with constant operands become constants.
//
// When a shape-like input (Reshape's shape, Squeeze/Unsqueeze axes, Slice's
// starts to steps, Pad's pads, Expand's shape, Tile's repeats, Split's split,
// ConstantOfShape's shape, Range's operands) is known only at run time, or a
// dim it applies to is, the converters build the ops of
// KilnDynamicShapeOps.td instead, with the output type the model declares;
// Shape and Size of tensors with run-time dims read them with kiln.shape_of.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"
#include "DynamicShapeHelpers.h"

#include "mlir/IR/Verifier.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

llvm::Error convertConstant(NodeContext &context) {
  Builder &b = context.builder;
  DenseElementsAttr value;
  if (context.hasAttribute("value")) {
    KILN_ASSIGN_OR_RETURN(value, context.tensorAttribute("value"));
  } else if (const auto *attribute = context.attribute("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attribute->f());
  } else if (const auto *attribute = context.attribute("value_floats")) {
    SmallVector<float> floats(attribute->floats().begin(),
                              attribute->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(floats.size())},
                              b.getF32Type()),
        ArrayRef<float>(floats));
  } else if (const auto *attribute = context.attribute("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attribute->i()));
  } else if (const auto *attribute = context.attribute("value_ints")) {
    SmallVector<int64_t> ints(attribute->ints().begin(),
                              attribute->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(ints.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(ints));
  } else {
    return context.unsupported(
        "Constant without a numeric value (sparse or string)");
  }
  context.setOutput(0, context.constant(value));
  return llvm::Error::success();
}

/// Sets output 0 to a dynamic shape op's result, refined with the declared
/// type.
llvm::Error setRefinedOutput(NodeContext &context,
                             llvm::Expected<Value> built) {
  if (!built)
    return built.takeError();
  context.setOutput(0, refineToDeclared(context, *built, 0));
  return llvm::Error::success();
}

/// ONNX Reshape: a 0 entry copies the input's dim (unless allowzero), -1 is
/// inferred. A shape known when compiling gives kiln.reshape, unless a 0
/// copies a dim known only at run time.
llvm::Error convertReshape(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value target, context.input(1));
  RankedTensorType type = context.inputType(0);
  bool allowZero = context.intAttribute("allowzero", 0) != 0;
  if (std::optional<SmallVector<int64_t>> shape = context.constantInts(1)) {
    bool resolved = true;
    for (auto [index, dim] : llvm::enumerate(*shape)) {
      if (dim != 0 || allowZero)
        continue;
      if (static_cast<int64_t>(index) >= type.getRank())
        return context.invalid(
            "shape entry " + llvm::Twine(index) +
            " is 0 (copy the input dim) but the input has rank " +
            llvm::Twine(type.getRank()));
      resolved &= !type.isDynamicDim(index);
      dim = type.getDimSize(index);
    }
    if (resolved) {
      KILN_ASSIGN_OR_RETURN(Value result,
                            context.create<ReshapeOp>(input, *shape));
      context.setOutput(0, result);
      return llvm::Error::success();
    }
  }
  KILN_ASSIGN_OR_RETURN(int64_t rank,
                        requireStaticLength(context, 1, "the target shape"));
  (void)rank;
  return setRefinedOutput(
      context, context.create<DynamicReshapeOp>(input, target, allowZero));
}

llvm::Error reshapeToStatic(NodeContext &context, Value input,
                            ArrayRef<int64_t> shape) {
  KILN_ASSIGN_OR_RETURN(Value result, context.create<ReshapeOp>(input, shape));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// The reshape target of a Squeeze with constant axes, or nothing when the
/// result would have several dims known only at run time, or one of them is
/// removed (only the run-time op checks that it is 1).
llvm::Expected<std::optional<SmallVector<int64_t>>>
squeezedShape(NodeContext &context, RankedTensorType type,
              ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool squeezed = llvm::is_contained(axes, d);
    if (squeezed && type.isDynamicDim(d))
      return std::optional<SmallVector<int64_t>>();
    if (squeezed && type.getDimSize(d) != 1)
      return context.invalid("cannot squeeze dim " + llvm::Twine(d) +
                             " of size " + llvm::Twine(type.getDimSize(d)));
    if (!squeezed)
      shape.push_back(type.isDynamicDim(d) ? -1 : type.getDimSize(d));
  }
  if (llvm::count(shape, -1) > 1)
    return std::optional<SmallVector<int64_t>>();
  return std::optional<SmallVector<int64_t>>(shape);
}

llvm::Error convertSqueeze(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  SmallVector<int64_t> axes;
  if (context.hasInput(1)) {
    std::optional<SmallVector<int64_t>> given = context.constantInts(1);
    if (!given) {
      KILN_ASSIGN_OR_RETURN(Value axesValue, context.input(1));
      KILN_ASSIGN_OR_RETURN(int64_t count,
                            requireStaticLength(context, 1, "the axes"));
      if (count > type.getRank())
        return context.invalid("more axes than the input has dims");
      return setRefinedOutput(context,
                              context.create<SqueezeOp>(input, axesValue));
    }
    KILN_ASSIGN_OR_RETURN(axes, normalizeAxes(context, *given, type.getRank()));
  } else {
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.isDynamicDim(d))
        return context.unsupported(
            "Squeeze without axes of a tensor with dynamic dims");
      if (type.getDimSize(d) == 1)
        axes.push_back(d);
    }
  }
  KILN_ASSIGN_OR_RETURN(auto shape, squeezedShape(context, type, axes));
  if (shape)
    return reshapeToStatic(context, input, *shape);
  // Dims known only at run time: the run-time op with the constant axes.
  return setRefinedOutput(
      context, context.create<SqueezeOp>(input, int64Vector(context, axes)));
}

llvm::Error convertUnsqueeze(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value axesValue, context.input(1));
  RankedTensorType type = context.inputType(0);
  std::optional<SmallVector<int64_t>> given = context.constantInts(1);
  if (given) {
    int64_t rank = type.getRank() + given->size();
    KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> axes,
                          normalizeAxes(context, *given, rank));
    SmallVector<int64_t> shape;
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d) {
      if (llvm::is_contained(axes, d)) {
        shape.push_back(1);
        continue;
      }
      shape.push_back(type.isDynamicDim(source) ? -1 : type.getDimSize(source));
      ++source;
    }
    if (llvm::count(shape, -1) <= 1)
      return reshapeToStatic(context, input, shape);
  } else {
    KILN_ASSIGN_OR_RETURN(int64_t count,
                          requireStaticLength(context, 1, "the axes"));
    (void)count;
  }
  return setRefinedOutput(context,
                          context.create<UnsqueezeOp>(input, axesValue));
}

llvm::Error convertTranspose(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  int64_t rank = context.inputType(0).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  SmallVector<int64_t> permutation = context.intsAttribute("perm", reversed);
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<TransposeOp>(input, permutation));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertConcat(NodeContext &context) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < context.numInputs(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value input, context.input(i));
    inputs.push_back(input);
  }
  if (inputs.empty())
    return context.invalid("Concat needs at least one input");
  if (!context.hasAttribute("axis"))
    return context.invalid("attribute 'axis' is required");
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<ConcatOp>(ValueRange(inputs), axis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Shape, with opset 15's start and end: a constant when those dims are
/// static, else a slice of kiln.shape_of.
llvm::Error convertShape(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  auto clamp = [&](int64_t index) {
    if (index < 0)
      index += rank;
    return std::clamp<int64_t>(index, 0, rank);
  };
  int64_t start = clamp(context.intAttribute("start", 0));
  int64_t end = std::max(start, clamp(context.intAttribute("end", rank)));
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(type.getDimSize(d));
  if (!llvm::any_of(dims, ShapedType::isDynamic)) {
    context.setOutput(0, int64Vector(context, dims));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(Value shape, context.create<ShapeOfOp>(input));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<SliceOp>(shape, ArrayRef<int64_t>{start},
                                                ArrayRef<int64_t>{end - start},
                                                ArrayRef<int64_t>{1}));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Size: a constant for static shapes, else the product of kiln.shape_of.
llvm::Error convertSize(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  if (type.hasStaticShape()) {
    context.setOutput(
        0, context.constant(DenseElementsAttr::get(
               RankedTensorType::get({}, context.builder.getI64Type()),
               type.getNumElements())));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(Value shape, context.create<ShapeOfOp>(input));
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<ReduceProdOp>(shape, ArrayRef<int64_t>{0},
                                                 /*keep_dims=*/false));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// The static dims of a value's type, or an UnsupportedError naming `what`.
llvm::Expected<SmallVector<int64_t>>
staticShape(NodeContext &context, Value value, llvm::StringRef what) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.hasStaticShape())
    return context.unsupported(what + " of a tensor with dynamic dims");
  return SmallVector<int64_t>(type.getShape());
}

/// One axis of an ONNX Slice resolved to kiln.slice's offset, size and step.
struct SliceAxis {
  int64_t offset = 0, size = -1, step = 1;
};

/// Applies ONNX's rules to one axis of size `dim`: negative starts and ends
/// count from the end, then both are clamped ([0, dim] for positive steps,
/// [0, dim - 1] and [-1, dim - 1] for negative ones).
SliceAxis resolveSliceAxis(int64_t start, int64_t end, int64_t step,
                           int64_t dim) {
  if (dim == 0)
    return {0, 0, step};
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  // Both are now within [-1, dim], so the span cannot overflow; the stride is
  // unsigned because -INT64_MIN is not an int64.
  int64_t span = step > 0 ? end - start : start - end;
  uint64_t stride = step > 0 ? uint64_t(step) : -uint64_t(step);
  int64_t size = span <= 0 ? 0 : static_cast<int64_t>((span - 1) / stride) + 1;
  // With at most one element the step is irrelevant; 1 keeps the slice a view.
  return {size == 0 ? 0 : start, size, size <= 1 ? 1 : step};
}

/// The kiln.slice of `input` with constant starts, ends, axes and steps, or a
/// null value when a sliced dim is known only at run time.
llvm::Expected<Value> buildStaticSlice(NodeContext &context, Value input,
                                       ArrayRef<int64_t> starts,
                                       ArrayRef<int64_t> ends,
                                       ArrayRef<int64_t> axes,
                                       ArrayRef<int64_t> steps) {
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return context.invalid("starts, ends, axes and steps must have the same "
                           "length");
  SmallVector<SliceAxis> resolved(rank);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    KILN_ASSIGN_OR_RETURN(int64_t axis,
                          normalizeAxis(context, axes[i], rank, "axes"));
    if (seen[axis])
      return context.invalid("axes repeat axis " + llvm::Twine(axis));
    seen[axis] = true;
    if (steps[i] == 0)
      return context.invalid("steps must not be 0");
    if (type.isDynamicDim(axis)) {
      // Only "the whole axis" can be expressed without knowing its size.
      if (starts[i] == 0 && steps[i] == 1 &&
          ends[i] >= std::numeric_limits<int32_t>::max())
        continue;
      return Value();
    }
    resolved[axis] =
        resolveSliceAxis(starts[i], ends[i], steps[i], type.getDimSize(axis));
  }
  SmallVector<int64_t> offsets, sizes, strides;
  for (const SliceAxis &axis : resolved) {
    offsets.push_back(axis.offset);
    sizes.push_back(axis.size);
    strides.push_back(axis.step);
  }
  return context.create<SliceOp>(input, offsets, sizes, strides);
}

/// Slice: kiln.slice when every operand is known when compiling and the
/// sliced dims are static, else kiln.dynamic_slice (omitted axes and steps
/// become constants).
llvm::Error convertSlice(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(int64_t count,
                        requireStaticLength(context, 1, "the starts"));
  SmallVector<int64_t> defaultAxes, defaultSteps(count, 1);
  for (int64_t i = 0; i < count; ++i)
    defaultAxes.push_back(i);
  auto starts = context.constantInts(1), ends = context.constantInts(2);
  auto axes = context.hasInput(3) ? context.constantInts(3) : defaultAxes;
  auto steps = context.hasInput(4) ? context.constantInts(4) : defaultSteps;
  if (starts && ends && axes && steps) {
    KILN_ASSIGN_OR_RETURN(
        Value result,
        buildStaticSlice(context, input, *starts, *ends, *axes, *steps));
    if (result) {
      context.setOutput(0, result);
      return llvm::Error::success();
    }
  }
  KILN_ASSIGN_OR_RETURN(Value startsValue, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value endsValue, context.input(2));
  Value axesValue = context.hasInput(3) ? context.optionalInput(3)
                                        : int64Vector(context, defaultAxes);
  Value stepsValue = context.hasInput(4) ? context.optionalInput(4)
                                         : int64Vector(context, defaultSteps);
  return setRefinedOutput(
      context, context.create<DynamicSliceOp>(input, startsValue, endsValue,
                                              axesValue, stepsValue));
}

/// The first element of a constant as an attribute of its element type.
TypedAttr firstElement(DenseElementsAttr elements) {
  return cast<TypedAttr>(*elements.getValues<Attribute>().begin());
}

/// kiln.pad with constant `pads` (negative ones slice first), or a null
/// value when a negative pad applies to a dim known only at run time.
llvm::Expected<Value> buildStaticPad(NodeContext &context, Value input,
                                     ArrayRef<int64_t> pads,
                                     llvm::StringRef mode, TypedAttr value) {
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  // Negative pads remove elements: slice those off first.
  SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), steps(rank, 1);
  SmallVector<int64_t> low(rank), high(rank);
  bool crops = false;
  for (int64_t d = 0; d < rank; ++d) {
    low[d] = std::max<int64_t>(pads[d], 0);
    high[d] = std::max<int64_t>(pads[rank + d], 0);
    if (pads[d] >= 0 && pads[rank + d] >= 0)
      continue;
    if (type.isDynamicDim(d))
      return Value();
    int64_t removed =
        -std::min<int64_t>(pads[d], 0) - std::min<int64_t>(pads[rank + d], 0);
    if (removed > type.getDimSize(d))
      return context.invalid("negative pads remove more than dimension " +
                             llvm::Twine(d) + " holds");
    offsets[d] = -std::min<int64_t>(pads[d], 0);
    sizes[d] = type.getDimSize(d) - removed;
    crops = true;
  }
  if (crops) {
    KILN_ASSIGN_OR_RETURN(
        input, context.create<SliceOp>(input, offsets, sizes, steps));
  }
  return context.create<PadOp>(input, low, high, mode, value);
}

/// ONNX Pad (opset 11 and later): pads and constant_value are inputs. With
/// both known when compiling, kiln.pad (negative pads become a kiln.slice);
/// otherwise kiln.dynamic_pad.
llvm::Error convertPad(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  std::string mode = context.stringAttribute("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return context.unsupported("Pad mode '" + mode + "'");
  KILN_ASSIGN_OR_RETURN(int64_t count,
                        requireStaticLength(context, 1, "the pads"));
  if (count != 2 * rank)
    return context.invalid("pads has " + llvm::Twine(count) +
                           " entries for rank " + llvm::Twine(rank) +
                           " (needs 2 * rank)");
  bool hasValue = mode == "constant" && context.hasInput(2);
  if (hasValue) {
    RankedTensorType valueType = context.inputType(2);
    if (!valueType.hasStaticShape() || valueType.getNumElements() != 1)
      return context.invalid("constant_value must hold one element");
  }
  std::optional<SmallVector<int64_t>> pads = context.constantInts(1);
  DenseElementsAttr given = hasValue ? context.constantInput(2) : nullptr;
  if (pads && (!hasValue || given)) {
    KILN_ASSIGN_OR_RETURN(
        Value result,
        buildStaticPad(context, input, *pads, mode,
                       given ? firstElement(given) : TypedAttr()));
    if (result) {
      context.setOutput(0, result);
      return llvm::Error::success();
    }
  }
  KILN_ASSIGN_OR_RETURN(Value padsValue, context.input(1));
  Value value = hasValue ? context.optionalInput(2) : Value();
  return setRefinedOutput(context,
                          context.create<DynamicPadOp>(input, padsValue, value,
                                                       llvm::StringRef(mode)));
}

/// Expand: NumPy broadcast of the input with the given shape; kiln.broadcast_to
/// when both are known when compiling, else kiln.dynamic_broadcast_to.
llvm::Error convertExpand(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value shapeValue, context.input(1));
  KILN_ASSIGN_OR_RETURN(int64_t length,
                        requireStaticLength(context, 1, "the shape"));
  (void)length;
  RankedTensorType type = context.inputType(0);
  std::optional<SmallVector<int64_t>> given = context.constantInts(1);
  if (given && type.hasStaticShape()) {
    for (int64_t dim : *given)
      if (dim < 0)
        return context.invalid("shape entries must be non-negative");
    auto shape = broadcastShapes(type.getShape(), *given);
    if (failed(shape))
      return context.invalid("cannot broadcast the input to the given shape");
    KILN_ASSIGN_OR_RETURN(Value result,
                          context.create<BroadcastToOp>(input, *shape));
    context.setOutput(0, result);
    return llvm::Error::success();
  }
  return setRefinedOutput(
      context, context.create<DynamicBroadcastToOp>(input, shapeValue));
}

/// Tile with constant repeats of a static input: [d0, d1, ...] becomes
/// [1, d0, 1, d1, ...], is broadcast to [r0, d0, r1, d1, ...] and reshaped to
/// [r0 * d0, r1 * d1, ...]. Otherwise kiln.tile.
llvm::Error convertTile(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value repeatsValue, context.input(1));
  RankedTensorType type = context.inputType(0);
  KILN_ASSIGN_OR_RETURN(int64_t count,
                        requireStaticLength(context, 1, "the repeats"));
  if (count != type.getRank())
    return context.invalid("repeats has " + llvm::Twine(count) +
                           " entries for rank " + llvm::Twine(type.getRank()));
  std::optional<SmallVector<int64_t>> repeats = context.constantInts(1);
  if (!repeats || !type.hasStaticShape())
    return setRefinedOutput(context,
                            context.create<TileOp>(input, repeatsValue));
  SmallVector<int64_t> interleaved, expanded, tiled;
  for (auto [dim, repeat] : llvm::zip(type.getShape(), *repeats)) {
    if (repeat < 0)
      return context.invalid("repeats must be non-negative");
    int64_t size;
    if (llvm::MulOverflow(dim, repeat, size))
      return context.invalid("the tiled size overflows int64");
    interleaved.append({1, dim});
    expanded.append({repeat, dim});
    tiled.push_back(size);
  }
  KILN_ASSIGN_OR_RETURN(Value reshaped,
                        context.create<ReshapeOp>(input, interleaved));
  KILN_ASSIGN_OR_RETURN(Value broadcast,
                        context.create<BroadcastToOp>(reshaped, expanded));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<ReshapeOp>(broadcast, tiled));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// kiln.split of `input` into the `count` run-time `sizes`, its results
/// refined with the declared types.
llvm::Error buildRunTimeSplit(NodeContext &context, Value input, int64_t axis,
                              Value sizes, int64_t count) {
  RankedTensorType type = context.inputType(0);
  SmallVector<Type> types;
  for (int64_t i = 0; i < count; ++i) {
    SmallVector<int64_t> shape(type.getShape());
    if (shape[axis] != 0)
      shape[axis] = ShapedType::kDynamic;
    RankedTensorType declared = context.inferredOutputType(i);
    if (declared && declared.getRank() == type.getRank())
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (ShapedType::isDynamic(shape[d]))
          shape[d] = declared.getDimSize(d);
    types.push_back(RankedTensorType::get(shape, type.getElementType()));
  }
  auto split =
      SplitOp::create(context.builder, context.loc, types, input, sizes, axis);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(context.builder.getContext(),
                                  [&](Diagnostic &diagnostic) {
                                    diagnostics += diagnostic.str();
                                    return success();
                                  });
  if (failed(verify(split))) {
    split->erase();
    return context.invalid(diagnostics);
  }
  for (int64_t i = 0; i < count; ++i)
    context.setOutput(i, split.getResult(i));
  return llvm::Error::success();
}

/// Split whose `split` input is known only at run time (or splits a dim
/// that is).
llvm::Error convertRunTimeSplit(NodeContext &context, Value input,
                                int64_t axis) {
  KILN_ASSIGN_OR_RETURN(Value sizes, context.input(1));
  KILN_ASSIGN_OR_RETURN(int64_t count,
                        requireStaticLength(context, 1, "the split"));
  if (count != static_cast<int64_t>(context.numOutputs()))
    return context.invalid("split has " + llvm::Twine(count) + " entries for " +
                           llvm::Twine(context.numOutputs()) + " outputs");
  return buildRunTimeSplit(context, input, axis, sizes, count);
}

/// Split into equal parts of a dim known only at run time: the part size is
/// read with kiln.shape_of and divided; kiln.split checks at run time that
/// the parts add up to the dim (they do not when it is not divisible).
llvm::Error convertRunTimeEqualSplit(NodeContext &context, Value input,
                                     int64_t axis) {
  int64_t parts = context.numOutputs();
  if (parts == 0)
    return context.invalid("Split has no outputs");
  KILN_ASSIGN_OR_RETURN(Value shape, context.create<ShapeOfOp>(input));
  KILN_ASSIGN_OR_RETURN(Value dim,
                        context.create<SliceOp>(shape, ArrayRef<int64_t>{axis},
                                                ArrayRef<int64_t>{1},
                                                ArrayRef<int64_t>{1}));
  KILN_ASSIGN_OR_RETURN(
      Value part,
      context.create<DivOp>(
          dim, context.scalar(context.builder.getI64Type(), parts)));
  KILN_ASSIGN_OR_RETURN(Value sizes, context.create<BroadcastToOp>(
                                         part, ArrayRef<int64_t>{parts}));
  return buildRunTimeSplit(context, input, axis, sizes, parts);
}

/// Split into the sizes of the `split` input, or into equal parts.
llvm::Error convertSplit(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  KILN_ASSIGN_OR_RETURN(
      int64_t axis,
      normalizeAxis(context, context.intAttribute("axis", 0), rank));
  if (context.hasInput(1) &&
      (!context.constantInts(1) || type.isDynamicDim(axis)))
    return convertRunTimeSplit(context, input, axis);
  if (type.isDynamicDim(axis))
    return convertRunTimeEqualSplit(context, input, axis);
  int64_t dim = type.getDimSize(axis);
  int64_t parts = context.numOutputs();
  SmallVector<int64_t> split;
  if (context.hasInput(1)) {
    KILN_ASSIGN_OR_RETURN(split, context.requireConstantInts(1, "the split"));
    if (static_cast<int64_t>(split.size()) != parts)
      return context.invalid("split has " + llvm::Twine(split.size()) +
                             " entries for " + llvm::Twine(parts) + " outputs");
    int64_t total = 0;
    for (int64_t size : split)
      if (size < 0 || llvm::AddOverflow(total, size, total))
        return context.invalid("split sizes must be non-negative");
    if (total != dim)
      return context.invalid("split sizes add up to " + llvm::Twine(total) +
                             ", not to the dimension's " + llvm::Twine(dim));
  } else {
    if (parts == 0 || dim % parts != 0)
      return context.invalid("dimension " + llvm::Twine(dim) +
                             " cannot be split into " + llvm::Twine(parts) +
                             " equal parts");
    split.assign(parts, dim / parts);
  }
  SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), steps(rank, 1);
  int64_t offset = 0;
  for (int64_t i = 0; i < parts; ++i) {
    offsets[axis] = split[i] == 0 ? 0 : offset;
    sizes[axis] = split[i];
    KILN_ASSIGN_OR_RETURN(
        Value part, context.create<SliceOp>(input, offsets, sizes, steps));
    context.setOutput(i, part);
    offset += split[i];
  }
  return llvm::Error::success();
}

/// A reshape, a transpose and a reshape.
llvm::Error reshapeTransposeReshape(NodeContext &context, Value input,
                                    ArrayRef<int64_t> split,
                                    ArrayRef<int64_t> permutation,
                                    ArrayRef<int64_t> result) {
  KILN_ASSIGN_OR_RETURN(Value reshaped,
                        context.create<ReshapeOp>(input, split));
  KILN_ASSIGN_OR_RETURN(Value transposed,
                        context.create<TransposeOp>(reshaped, permutation));
  KILN_ASSIGN_OR_RETURN(Value output,
                        context.create<ReshapeOp>(transposed, result));
  context.setOutput(0, output);
  return llvm::Error::success();
}

/// The static NCHW shape and the blocksize of a DepthToSpace/SpaceToDepth.
llvm::Expected<std::pair<SmallVector<int64_t>, int64_t>>
blockedShape(NodeContext &context, Value input, llvm::StringRef what) {
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> shape,
                        staticShape(context, input, what));
  if (shape.size() != 4)
    return context.invalid("the input must have rank 4 (NCHW)");
  if (!context.hasAttribute("blocksize"))
    return context.invalid("attribute 'blocksize' is required");
  int64_t block = context.intAttribute("blocksize", 1);
  if (block < 1 || block > (int64_t(1) << 16))
    return context.invalid("blocksize " + llvm::Twine(block) +
                           " must be in [1, 65536]");
  return std::make_pair(shape, block);
}

llvm::Error convertDepthToSpace(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(auto blocked,
                        blockedShape(context, input, "DepthToSpace"));
  auto [shape, b] = blocked;
  int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  if (c % (b * b) != 0)
    return context.invalid("channels " + llvm::Twine(c) +
                           " are not a multiple of blocksize^2");
  int64_t depth = c / (b * b);
  SmallVector<int64_t> result = {n, depth, h * b, w * b};
  if (context.stringAttribute("mode", "DCR") == "CRD")
    return reshapeTransposeReshape(context, input, {n, depth, b, b, h, w},
                                   {0, 1, 4, 2, 5, 3}, result);
  if (context.stringAttribute("mode", "DCR") != "DCR")
    return context.invalid("mode must be DCR or CRD");
  return reshapeTransposeReshape(context, input, {n, b, b, depth, h, w},
                                 {0, 3, 4, 1, 5, 2}, result);
}

llvm::Error convertSpaceToDepth(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(auto blocked,
                        blockedShape(context, input, "SpaceToDepth"));
  auto [shape, b] = blocked;
  int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  if (h % b != 0 || w % b != 0)
    return context.invalid("height and width must be multiples of blocksize");
  return reshapeTransposeReshape(context, input, {n, c, h / b, b, w / b, b},
                                 {0, 3, 5, 1, 2, 4},
                                 {n, c * b * b, h / b, w / b});
}

//===----------------------------------------------------------------------===//
// Constants computed from constant operands
//===----------------------------------------------------------------------===//

/// ConstantOfShape: a splat constant when the shape is known when compiling,
/// else kiln.constant_of_shape.
llvm::Error convertConstantOfShape(NodeContext &context) {
  if (!context.hasInput(0))
    return context.invalid("input 0 (the shape) is required but missing");
  TypedAttr value;
  if (context.hasAttribute("value")) {
    KILN_ASSIGN_OR_RETURN(DenseElementsAttr given,
                          context.tensorAttribute("value"));
    if (given.getNumElements() != 1)
      return context.invalid("attribute 'value' must hold one element");
    value = firstElement(given);
  } else {
    value = context.builder.getF32FloatAttr(0.0f);
  }
  std::optional<SmallVector<int64_t>> known = context.constantInts(0);
  if (!known) {
    KILN_ASSIGN_OR_RETURN(Value shapeValue, context.input(0));
    KILN_ASSIGN_OR_RETURN(int64_t rank,
                          requireStaticLength(context, 0, "the shape"));
    (void)rank;
    return setRefinedOutput(
        context, context.create<ConstantOfShapeOp>(shapeValue, value));
  }
  SmallVector<int64_t> shape = *known;
  // Sizes in bytes (up to 8 per element) must fit in int64 too.
  int64_t count = 8;
  for (int64_t dim : shape)
    if (dim < 0 || llvm::MulOverflow(count, dim, count))
      return context.invalid("the shape must be non-negative and its size in "
                             "bytes must fit in int64");
  context.setOutput(0, context.constant(DenseElementsAttr::get(
                           RankedTensorType::get(shape, value.getType()),
                           ArrayRef<Attribute>{value})));
  return llvm::Error::success();
}

/// The scalar value of a constant operand in double precision (exact for
/// every int32 and for int64 below 2^53, which covers sizes).
std::optional<double> scalarValue(NodeContext &context, size_t i) {
  DenseElementsAttr elements = context.constantInput(i);
  if (!elements || elements.getNumElements() != 1)
    return std::nullopt;
  Attribute element = *elements.getValues<Attribute>().begin();
  if (auto floatAttr = dyn_cast<FloatAttr>(element))
    return floatAttr.getValueAsDouble();
  if (auto intAttr = dyn_cast<IntegerAttr>(element))
    return static_cast<double>(intAttr.getValue().getSExtValue());
  return std::nullopt;
}

/// Range: start + i * delta for i < ceil((limit - start) / delta), a
/// constant when the operands are known when compiling, else kiln.range.
llvm::Error convertRange(NodeContext &context) {
  std::optional<double> start = scalarValue(context, 0),
                        limit = scalarValue(context, 1),
                        delta = scalarValue(context, 2);
  if (!start || !limit || !delta) {
    KILN_ASSIGN_OR_RETURN(Value startValue, context.input(0));
    KILN_ASSIGN_OR_RETURN(Value limitValue, context.input(1));
    KILN_ASSIGN_OR_RETURN(Value deltaValue, context.input(2));
    return setRefinedOutput(
        context, context.create<RangeOp>(startValue, limitValue, deltaValue));
  }
  if (!std::isfinite(*start) || !std::isfinite(*limit) ||
      !std::isfinite(*delta))
    return context.invalid("start, limit and delta must be finite");
  if (*delta == 0)
    return context.invalid("delta must not be 0");
  double steps = std::ceil((*limit - *start) / *delta);
  if (!(steps < double(int64_t(1) << 40)))
    return context.invalid("Range would produce too many elements");
  int64_t count = std::max<int64_t>(static_cast<int64_t>(steps), 0);
  Type elementType = context.inputType(0).getElementType();
  auto type = RankedTensorType::get({count}, elementType);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    if (auto floatType = dyn_cast<FloatType>(elementType))
      values.push_back(FloatAttr::get(floatType, *start + i * *delta));
    else
      values.push_back(
          IntegerAttr::get(elementType, static_cast<int64_t>(*start) +
                                            i * static_cast<int64_t>(*delta)));
  }
  context.setOutput(0, context.constant(DenseElementsAttr::get(type, values)));
  return llvm::Error::success();
}

} // namespace

void registerShapeConverters(ConverterRegistry &registry) {
  registry.add("", "Constant", convertConstant);
  registry.add("", "Reshape", convertReshape);
  registry.add("", "Squeeze", convertSqueeze);
  registry.add("", "Unsqueeze", convertUnsqueeze);
  registry.add("", "Transpose", convertTranspose);
  registry.add("", "Concat", convertConcat);
  registry.add("", "Shape", convertShape);
  registry.add("", "Size", convertSize);
  registry.add("", "Slice", convertSlice);
  registry.add("", "Pad", convertPad);
  registry.add("", "Expand", convertExpand);
  registry.add("", "Tile", convertTile);
  registry.add("", "Split", convertSplit);
  registry.add("", "DepthToSpace", convertDepthToSpace);
  registry.add("", "SpaceToDepth", convertSpaceToDepth);
  registry.add("", "ConstantOfShape", convertConstantOfShape);
  registry.add("", "Range", convertRange);
}

} // namespace kiln::onnx_import
