//===- Sequence.cpp - ONNX sequence and optional ops to kiln --------------===//
//
// Kiln has no run-time sequences or optionals. A sequence whose length is
// known when importing is a list of tensor values (ImportedSequence), and an
// optional whose presence is known is its content or nothing
// (ImportedValue::EmptyOptional). The ops that build and take them apart then
// cost nothing at run time:
//
// - SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase and
//   SequenceLength edit or count the list; positions are known when
//   importing (but see below).
// - SequenceAt picks an element; with a position known only at run time, the
//   elements (which must then have one shape) are stacked and gathered from.
//   SequenceInsert at a run-time position selects each element of the result
//   among its two candidates. Such positions are clamped into range, as
//   kiln.gather clamps its indices.
// - SplitToSequence slices the input (kiln.slice, then kiln.reshape when
//   keepdims = 0 drops the axis); ConcatFromSequence is a kiln.concat (of
//   elements given a unit dim first with new_axis).
// - SequenceMap imports its body once per element, with the elements of the
//   sequence inputs and the other inputs bound to the body's inputs.
// - Loop is unrolled when its trip count and conditions are known while
//   importing (as in SequenceMap's ONNX function body), its body imported
//   once per iteration.
// - Optional, OptionalHasElement and OptionalGetElement resolve presence.
//
// Identity of a sequence or an optional is handled by the importer itself.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "../RunTimeValues.h"
#include "CompositionHelpers.h"
#include "DynamicShapeHelpers.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The tensor element type of an ONNX `dtype` attribute (FLOAT by default).
llvm::Expected<Type> dtypeAttribute(NodeContext &context) {
  return elementTypeFromOnnx(context.builder.getContext(),
                             static_cast<int32_t>(context.intAttribute(
                                 "dtype", onnx::TensorProto::FLOAT)));
}

/// Element `position` of `sequence`, or the reason it cannot be read.
llvm::Expected<Value> elementAt(NodeContext &context,
                                const ImportedSequence &sequence,
                                size_t position) {
  Value element = sequence.elements[position];
  if (!element)
    return context.unsupported(sequence.unbuiltReason);
  return element;
}

/// A position input known when importing, as an index into a sequence of
/// `size` elements: in [-size, size) or, with `allowEnd`, [-size, size].
llvm::Expected<size_t> constantPosition(NodeContext &context, size_t input,
                                        size_t size, bool allowEnd) {
  auto values = context.constantInts(input);
  if (!values)
    return context.unsupported("the position (input " + llvm::Twine(input) +
                               ") must be known when the model is compiled");
  if (values->size() != 1)
    return context.invalid("the position must be a single integer");
  int64_t position = values->front(), length = static_cast<int64_t>(size);
  int64_t last = allowEnd ? length : length - 1;
  if (position < -length || position > last)
    return context.invalid("position " + llvm::Twine(position) +
                           " is out of range for a sequence of " +
                           llvm::Twine(length) + " tensors");
  return static_cast<size_t>(position < 0 ? position + length : position);
}

/// Checks that `tensor` may join a sequence of `elementType` tensors.
llvm::Error checkElementType(NodeContext &context, Type elementType,
                             Value tensor) {
  if (elementTypeOf(tensor) == elementType)
    return llvm::Error::success();
  std::string want, got;
  llvm::raw_string_ostream(want) << elementType;
  llvm::raw_string_ostream(got) << elementTypeOf(tensor);
  return context.invalid("a sequence of " + want + " tensors cannot hold a " +
                         got + " tensor");
}

//===----------------------------------------------------------------------===//
// Building and editing sequences
//===----------------------------------------------------------------------===//

llvm::Error convertSequenceEmpty(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Type elementType, dtypeAttribute(context));
  context.setSequenceOutput(0, {{}, elementType, ""});
  return llvm::Error::success();
}

llvm::Error convertSequenceConstruct(NodeContext &context) {
  if (context.numInputs() == 0)
    return context.invalid("SequenceConstruct needs at least one input");
  ImportedSequence sequence;
  for (size_t i = 0; i < context.numInputs(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value element, context.input(i));
    if (i == 0)
      sequence.elementType = elementTypeOf(element);
    if (llvm::Error error =
            checkElementType(context, sequence.elementType, element))
      return error;
    sequence.elements.push_back(element);
  }
  context.setSequenceOutput(0, std::move(sequence));
  return llvm::Error::success();
}

/// The checks shared by the run-time position forms: every element of
/// `sequence` (and `extra`, when given) has one static type.
llvm::Error checkOneStaticType(NodeContext &context,
                               const ImportedSequence &sequence, Value extra,
                               StringRef what) {
  Type type = extra ? extra.getType() : Type();
  for (size_t i = 0; i < sequence.elements.size(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value element, elementAt(context, sequence, i));
    if (!type)
      type = element.getType();
    if (element.getType() != type)
      return context.unsupported(what + " with a position known only at run "
                                        "time needs tensors of one shape");
  }
  if (type && !cast<RankedTensorType>(type).hasStaticShape())
    return context.unsupported(what + " with a position known only at run "
                                      "time needs tensors of static shape");
  return llvm::Error::success();
}

/// A position input known only at run time as a rank-0 i64: negative
/// positions count from the end of a sequence of `size`, and the result is
/// clamped into [0, size] (as kiln.gather clamps an index out of range).
llvm::Expected<Value> runTimePosition(NodeContext &context, size_t input,
                                      int64_t size) {
  KILN_ASSIGN_OR_RETURN(Value position, context.input(input));
  Type i64 = context.builder.getI64Type();
  KILN_ASSIGN_OR_RETURN(
      position, positionFromEnd(context, position, context.scalar(i64, size)));
  Value zero = context.scalar(i64, 0);
  KILN_ASSIGN_OR_RETURN(position, context.create<MaxOp>(position, zero));
  return context.create<MinOp>(position, context.scalar(i64, size));
}

/// SequenceInsert at a position known only at run time, of elements of one
/// static shape: element j of the result is old[j] before the position,
/// `tensor` at it and old[j - 1] after it, chosen by kiln.select.
llvm::Expected<ImportedSequence>
insertAtRunTime(NodeContext &context, ImportedSequence sequence, Value tensor) {
  if (llvm::Error error =
          checkOneStaticType(context, sequence, tensor, "SequenceInsert"))
    return std::move(error);
  int64_t size = static_cast<int64_t>(sequence.elements.size());
  KILN_ASSIGN_OR_RETURN(Value position, runTimePosition(context, 2, size));
  Type i64 = context.builder.getI64Type();
  SmallVector<Value> elements;
  for (int64_t j = 0; j <= size; ++j) {
    Value index = context.scalar(i64, j);
    // At or after the position: `tensor` at it, old[j - 1] after it.
    Value after = tensor;
    if (j > 0) {
      KILN_ASSIGN_OR_RETURN(
          Value isAt,
          context.create<CompareOp>(ComparisonPredicate::eq, position, index));
      KILN_ASSIGN_OR_RETURN(after, context.create<SelectOp>(
                                       isAt, tensor, sequence.elements[j - 1]));
    }
    Value element = after;
    if (j < size) {
      KILN_ASSIGN_OR_RETURN(
          Value isBefore,
          context.create<CompareOp>(ComparisonPredicate::lt, index, position));
      KILN_ASSIGN_OR_RETURN(
          element,
          context.create<SelectOp>(isBefore, sequence.elements[j], after));
    }
    elements.push_back(element);
  }
  sequence.elements = std::move(elements);
  return sequence;
}

/// The sequence held in tensors that input 0 is, if it is one.
std::optional<SequenceTensors> runTimeSequenceInput(NodeContext &context) {
  auto value = context.valueInput(0);
  if (!value) {
    llvm::consumeError(value.takeError());
    return std::nullopt;
  }
  if (value->kind != ImportedValue::RunTimeSequence)
    return std::nullopt;
  return value->sequenceTensors;
}

llvm::Error convertSequenceInsert(NodeContext &context) {
  if (std::optional<SequenceTensors> held = runTimeSequenceInput(context)) {
    KILN_ASSIGN_OR_RETURN(Value tensor, context.input(1));
    KILN_ASSIGN_OR_RETURN(
        SequenceTensors result,
        insertIntoSequence(context, *held, tensor, context.optionalInput(2)));
    context.setValueOutput(0, ImportedValue::ofSequenceTensors(result));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(ImportedSequence sequence, context.sequenceInput(0));
  KILN_ASSIGN_OR_RETURN(Value tensor, context.input(1));
  if (llvm::Error error =
          checkElementType(context, sequence.elementType, tensor))
    return error;
  size_t position = sequence.elements.size();
  if (context.hasInput(2) && !context.constantInts(2)) {
    if (llvm::Error error =
            checkOneStaticType(context, sequence, tensor, "SequenceInsert")) {
      // Elements of different shapes: the result is held in tensors.
      llvm::consumeError(std::move(error));
      KILN_ASSIGN_OR_RETURN(
          SequenceTensors held,
          toSequenceTensors(context, ImportedValue::ofSequence(sequence)));
      KILN_ASSIGN_OR_RETURN(held, insertIntoSequence(context, held, tensor,
                                                     context.optionalInput(2)));
      context.setValueOutput(0, ImportedValue::ofSequenceTensors(held));
      return llvm::Error::success();
    }
    KILN_ASSIGN_OR_RETURN(
        sequence, insertAtRunTime(context, std::move(sequence), tensor));
    context.setSequenceOutput(0, std::move(sequence));
    return llvm::Error::success();
  }
  if (context.hasInput(2)) {
    KILN_ASSIGN_OR_RETURN(position,
                          constantPosition(context, 2, sequence.elements.size(),
                                           /*allowEnd=*/true));
  }
  sequence.elements.insert(sequence.elements.begin() + position, tensor);
  context.setSequenceOutput(0, std::move(sequence));
  return llvm::Error::success();
}

llvm::Error convertSequenceErase(NodeContext &context) {
  if (std::optional<SequenceTensors> held = runTimeSequenceInput(context)) {
    KILN_ASSIGN_OR_RETURN(
        SequenceTensors result,
        eraseFromSequence(context, *held, context.optionalInput(1)));
    context.setValueOutput(0, ImportedValue::ofSequenceTensors(result));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(ImportedSequence sequence, context.sequenceInput(0));
  if (sequence.elements.empty())
    return context.invalid("SequenceErase of an empty sequence");
  size_t position = sequence.elements.size() - 1;
  if (context.hasInput(1)) {
    KILN_ASSIGN_OR_RETURN(position,
                          constantPosition(context, 1, sequence.elements.size(),
                                           /*allowEnd=*/false));
  }
  sequence.elements.erase(sequence.elements.begin() + position);
  context.setSequenceOutput(0, std::move(sequence));
  return llvm::Error::success();
}

llvm::Error convertSequenceLength(NodeContext &context) {
  if (std::optional<SequenceTensors> held = runTimeSequenceInput(context)) {
    KILN_ASSIGN_OR_RETURN(Value length, sequenceLength(context, *held));
    context.setOutput(0, length);
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(ImportedSequence sequence, context.sequenceInput(0));
  context.setOutput(
      0, context.scalar(context.builder.getI64Type(),
                        static_cast<double>(sequence.elements.size())));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// SequenceAt
//===----------------------------------------------------------------------===//

/// Element `position` (a rank-0 or [1] integer tensor known only at run time)
/// of a sequence whose elements all have one type: stacked along a new first
/// dim and gathered from (negative positions count from the end).
llvm::Expected<Value> elementAtRunTime(NodeContext &context,
                                       const ImportedSequence &sequence,
                                       Value position) {
  if (sequence.elements.empty())
    return context.invalid("SequenceAt of an empty sequence");
  SmallVector<Value> stacked;
  Type type;
  for (size_t i = 0; i < sequence.elements.size(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value element, elementAt(context, sequence, i));
    if (i == 0)
      type = element.getType();
    auto elementType = cast<RankedTensorType>(element.getType());
    if (element.getType() != type || !elementType.hasStaticShape())
      return context.unsupported(
          "SequenceAt with a position known only at run time needs "
          "elements of one static shape");
    SmallVector<int64_t> shape{1};
    llvm::append_range(shape, elementType.getShape());
    KILN_ASSIGN_OR_RETURN(Value unit,
                          context.create<ReshapeOp>(element, shape));
    stacked.push_back(unit);
  }
  Value stack = stacked.front();
  if (stacked.size() > 1) {
    KILN_ASSIGN_OR_RETURN(stack, context.create<ConcatOp>(stacked, 0));
  }
  auto positionType = cast<RankedTensorType>(position.getType());
  if (!isa<IntegerType>(positionType.getElementType()) ||
      !positionType.hasStaticShape() || positionType.getNumElements() != 1)
    return context.invalid("the position must be a single integer");
  KILN_ASSIGN_OR_RETURN(
      position, context.create<ReshapeOp>(position, ArrayRef<int64_t>{}));
  // kiln.gather takes [-n, n) as ONNX does; it clamps anything else.
  return context.create<GatherOp>(stack, position, 0);
}

llvm::Error convertSequenceAt(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value position, context.input(1));
  if (std::optional<SequenceTensors> held = runTimeSequenceInput(context)) {
    KILN_ASSIGN_OR_RETURN(Value element,
                          sequenceElementAt(context, *held, position));
    context.setOutput(0, refineToDeclared(context, element, 0));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(ImportedSequence sequence, context.sequenceInput(0));
  Value element;
  if (context.constantInts(1)) {
    KILN_ASSIGN_OR_RETURN(size_t index,
                          constantPosition(context, 1, sequence.elements.size(),
                                           /*allowEnd=*/false));
    KILN_ASSIGN_OR_RETURN(element, elementAt(context, sequence, index));
  } else {
    KILN_ASSIGN_OR_RETURN(element,
                          elementAtRunTime(context, sequence, position));
  }
  context.setOutput(0, element);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// SplitToSequence and ConcatFromSequence
//===----------------------------------------------------------------------===//

/// The sizes of SplitToSequence's parts along a dim of `size` elements: from
/// the `split` input (a scalar chunk size, or one size per part), or parts of
/// 1 without it.
llvm::Expected<SmallVector<int64_t>> splitSizes(NodeContext &context,
                                                ArrayRef<int64_t> split,
                                                bool scalarSplit,
                                                int64_t size) {
  SmallVector<int64_t> sizes;
  if (scalarSplit) {
    int64_t chunk = split.front();
    if (chunk <= 0)
      return context.invalid("split must be positive");
    for (int64_t start = 0; start < size; start += chunk)
      sizes.push_back(std::min(chunk, size - start));
    return sizes;
  }
  int64_t total = 0;
  for (int64_t part : split) {
    if (part < 0)
      return context.invalid("split entries must not be negative");
    total += part;
    if (total > size)
      break;
    sizes.push_back(part);
  }
  if (total != size)
    return context.invalid("split sums to " + llvm::Twine(total) +
                           " but the dimension has " + llvm::Twine(size) +
                           " elements");
  return sizes;
}

/// The elements SplitToSequence builds when the part sizes are known only at
/// run time: as many as `split` has entries, none of them built.
llvm::Expected<ImportedSequence> unbuiltSplit(NodeContext &context,
                                              Type elementType) {
  RankedTensorType splitType = context.inputType(1);
  if (splitType.getRank() != 1 || splitType.isDynamicDim(0))
    return context.unsupported("SplitToSequence's split (input 1) must be "
                               "known when the model is compiled, or be a "
                               "1-D tensor of static size");
  ImportedSequence sequence;
  sequence.elementType = elementType;
  sequence.elements.assign(splitType.getDimSize(0), Value());
  sequence.unbuiltReason =
      "the sequence comes from a SplitToSequence whose part sizes are known "
      "only at run time (its split input): Kiln knows how many parts there "
      "are but cannot build them";
  return sequence;
}

llvm::Error convertSplitToSequence(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  if (type.getRank() == 0)
    return context.invalid("SplitToSequence needs an input of rank 1 or more");
  KILN_ASSIGN_OR_RETURN(
      int64_t axis,
      normalizeAxis(context, context.intAttribute("axis", 0), type.getRank()));
  bool keepDims = context.intAttribute("keepdims", 1) != 0;
  std::optional<SmallVector<int64_t>> split;
  bool scalarSplit = false;
  if (context.hasInput(1)) {
    split = context.constantInts(1);
    if (!split) {
      KILN_ASSIGN_OR_RETURN(ImportedSequence sequence,
                            unbuiltSplit(context, type.getElementType()));
      context.setSequenceOutput(0, std::move(sequence));
      return llvm::Error::success();
    }
    scalarSplit = context.inputType(1).getRank() == 0;
    if (scalarSplit && split->size() != 1)
      return context.invalid("a scalar split must hold one value");
  }
  if (type.isDynamicDim(axis))
    return context.unsupported("SplitToSequence along a dimension known only "
                               "at run time");
  int64_t size = type.getDimSize(axis);
  SmallVector<int64_t> sizes(size, 1);
  if (split) {
    KILN_ASSIGN_OR_RETURN(sizes,
                          splitSizes(context, *split, scalarSplit, size));
  }
  // keepdims applies only without a split input.
  bool dropAxis = !split && !keepDims;
  ImportedSequence sequence;
  sequence.elementType = type.getElementType();
  int64_t rank = type.getRank(), start = 0;
  for (int64_t part : sizes) {
    SmallVector<int64_t> offsets(rank, 0), partSizes(rank, -1), steps(rank, 1);
    offsets[axis] = start;
    partSizes[axis] = part;
    start += part;
    KILN_ASSIGN_OR_RETURN(Value element, context.create<SliceOp>(
                                             input, offsets, partSizes, steps));
    if (dropAxis) {
      SmallVector<int64_t> shape(
          cast<RankedTensorType>(element.getType()).getShape());
      shape.erase(shape.begin() + axis);
      if (llvm::count(shape, ShapedType::kDynamic) > 1)
        return context.unsupported("SplitToSequence with keepdims = 0 of an "
                                   "input with several run-time dims");
      for (int64_t &dim : shape)
        if (ShapedType::isDynamic(dim))
          dim = -1;
      KILN_ASSIGN_OR_RETURN(element, context.create<ReshapeOp>(element, shape));
    }
    sequence.elements.push_back(element);
  }
  context.setSequenceOutput(0, std::move(sequence));
  return llvm::Error::success();
}

llvm::Error convertConcatFromSequence(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(ImportedSequence sequence, context.sequenceInput(0));
  if (!context.hasAttribute("axis"))
    return context.invalid("attribute 'axis' is required");
  if (sequence.elements.empty())
    return context.invalid("ConcatFromSequence of an empty sequence");
  bool newAxis = context.intAttribute("new_axis", 0) != 0;
  SmallVector<Value> parts;
  for (size_t i = 0; i < sequence.elements.size(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value element, elementAt(context, sequence, i));
    parts.push_back(element);
  }
  int64_t rank = cast<RankedTensorType>(parts.front().getType()).getRank();
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      newAxis ? rank + 1 : rank));
  if (newAxis)
    for (Value &part : parts) {
      auto type = cast<RankedTensorType>(part.getType());
      SmallVector<int64_t> shape(type.getShape());
      if (llvm::count(shape, ShapedType::kDynamic) > 1)
        return context.unsupported("ConcatFromSequence with new_axis of "
                                   "tensors with several run-time dims");
      for (int64_t &dim : shape)
        if (ShapedType::isDynamic(dim))
          dim = -1;
      shape.insert(shape.begin() + axis, 1);
      KILN_ASSIGN_OR_RETURN(part, context.create<ReshapeOp>(part, shape));
    }
  Value result = parts.front();
  if (parts.size() > 1) {
    KILN_ASSIGN_OR_RETURN(result, context.create<ConcatOp>(parts, axis));
  }
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// SequenceMap
//===----------------------------------------------------------------------===//

/// The element type of SequenceMap's output `i`: from the body's results, or
/// (for an empty input) from ONNX's inference or the body's declaration.
llvm::Expected<Type> mapOutputElementType(NodeContext &context,
                                          const onnx::GraphProto &body,
                                          size_t i) {
  if (TensorType declared = context.inferredSequenceElementType(i))
    return declared.getElementType();
  const onnx::TypeProto &type = body.output(i).type();
  if (type.has_tensor_type())
    return elementTypeFromOnnx(context.builder.getContext(),
                               type.tensor_type().elem_type());
  return context.unsupported("the element type of output " + llvm::Twine(i) +
                             " of an empty SequenceMap is not known");
}

llvm::Error convertSequenceMap(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(const onnx::GraphProto *body,
                        context.graphAttribute("body"));
  KILN_ASSIGN_OR_RETURN(ImportedSequence first, context.sequenceInput(0));
  size_t length = first.elements.size();
  SmallVector<ImportedValue> inputs;
  for (size_t i = 0; i < context.numInputs(); ++i) {
    KILN_ASSIGN_OR_RETURN(ImportedValue input, context.valueInput(i));
    if (input.kind == ImportedValue::EmptyOptional)
      return context.invalid("SequenceMap's inputs must be sequences or "
                             "tensors");
    if (input.kind == ImportedValue::Sequence &&
        input.sequence.elements.size() != length)
      return context.invalid("the input sequences have different lengths (" +
                             llvm::Twine(length) + " and " +
                             llvm::Twine(input.sequence.elements.size()) + ")");
    inputs.push_back(std::move(input));
  }
  if (body->output_size() != static_cast<int>(context.numOutputs()))
    return context.invalid("the body has " + llvm::Twine(body->output_size()) +
                           " outputs but the node has " +
                           llvm::Twine(context.numOutputs()));
  SmallVector<ImportedSequence> outputs(context.numOutputs());
  for (size_t i = 0; i < outputs.size(); ++i) {
    KILN_ASSIGN_OR_RETURN(outputs[i].elementType,
                          mapOutputElementType(context, *body, i));
  }
  for (size_t step = 0; step < length; ++step) {
    SmallVector<ImportedValue> bound;
    for (const ImportedValue &input : inputs) {
      if (input.kind != ImportedValue::Sequence) {
        bound.push_back(input);
        continue;
      }
      KILN_ASSIGN_OR_RETURN(Value element,
                            elementAt(context, input.sequence, step));
      bound.push_back(ImportedValue::ofTensor(element));
    }
    KILN_ASSIGN_OR_RETURN(SmallVector<ImportedValue> results,
                          context.importSubgraph(*body, bound));
    for (auto [output, result] : llvm::zip(outputs, results)) {
      if (result.kind != ImportedValue::Tensor)
        return context.invalid("the body's outputs must be tensors");
      if (llvm::Error error =
              checkElementType(context, output.elementType, result.tensor))
        return error;
      output.elements.push_back(result.tensor);
    }
  }
  for (auto [i, output] : llvm::enumerate(outputs))
    context.setSequenceOutput(i, std::move(output));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

/// The most iterations a Loop is unrolled to.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// The value of a rank-0 or one-element bool constant, or nothing when `value`
/// is not one.
std::optional<bool> constantBool(Value value) {
  DenseElementsAttr elements;
  if (!value || !matchPattern(value, m_Constant(&elements)) ||
      !elements.getElementType().isInteger(1) || elements.getNumElements() != 1)
    return std::nullopt;
  return *elements.value_begin<bool>();
}

/// The scan output of a Loop: its per-iteration tensors stacked along a new
/// first dim.
llvm::Expected<Value> stackScanOutput(NodeContext &context,
                                      ArrayRef<Value> parts) {
  if (parts.empty())
    return context.unsupported("a Loop scan output after zero iterations "
                               "(its element shape is not known)");
  SmallVector<Value> units;
  for (Value part : parts) {
    auto type = cast<RankedTensorType>(part.getType());
    if (!type.hasStaticShape() || part.getType() != parts.front().getType())
      return context.unsupported("a Loop scan output whose iterations give "
                                 "tensors of different or run-time shapes");
    SmallVector<int64_t> shape{1};
    llvm::append_range(shape, type.getShape());
    KILN_ASSIGN_OR_RETURN(Value unit, context.create<ReshapeOp>(part, shape));
    units.push_back(unit);
  }
  if (units.size() == 1)
    return units.front();
  return context.create<ConcatOp>(units, 0);
}

/// Loop, unrolled while importing: the trip count and the condition must be
/// known then (the body's condition output too, after each iteration). The
/// body is imported once per iteration with the iteration number as a
/// constant, so that what it computes from it (SequenceAt positions, slice
/// bounds) is known as well.
llvm::Error convertLoop(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(const onnx::GraphProto *body,
                        context.graphAttribute("body"));
  if (context.numInputs() < 2)
    return context.invalid("Loop takes M, cond and the loop-carried values");
  std::optional<int64_t> tripCount;
  if (context.hasInput(0)) {
    auto values = context.constantInts(0);
    if (!values || values->size() != 1)
      return context.unsupported(
          "Loop whose trip count is known only at run time (Kiln unrolls "
          "loops while importing)");
    tripCount = values->front();
  }
  bool running = true;
  if (context.hasInput(1)) {
    KILN_ASSIGN_OR_RETURN(Value cond, context.input(1));
    std::optional<bool> known = constantBool(cond);
    if (!known)
      return context.unsupported("Loop whose condition is known only at run "
                                 "time (Kiln unrolls loops while importing)");
    running = *known;
  }
  if (!tripCount && !context.hasInput(1))
    return context.invalid("a Loop without trip count and condition never "
                           "ends");
  size_t carriedCount = context.numInputs() - 2;
  if (body->input_size() != static_cast<int>(carriedCount + 2) ||
      body->output_size() < static_cast<int>(carriedCount + 1))
    return context.invalid("the body must take 2 + N inputs and give 1 + N "
                           "outputs and then the scan outputs (N = " +
                           llvm::Twine(carriedCount) + " loop-carried values)");
  size_t scanCount = body->output_size() - 1 - carriedCount;
  if (context.numOutputs() > carriedCount + scanCount)
    return context.invalid("the node has more outputs than the body gives");
  SmallVector<ImportedValue> carried;
  for (size_t i = 0; i < carriedCount; ++i) {
    KILN_ASSIGN_OR_RETURN(ImportedValue value, context.valueInput(2 + i));
    carried.push_back(std::move(value));
  }
  SmallVector<SmallVector<Value>> scans(scanCount);
  Type i64 = context.builder.getI64Type(), i1 = context.builder.getI1Type();
  for (int64_t step = 0; running && (!tripCount || step < *tripCount); ++step) {
    if (step == kMaxUnrolledIterations)
      return context.unsupported("a Loop of more than " +
                                 llvm::Twine(kMaxUnrolledIterations) +
                                 " iterations (Kiln unrolls loops)");
    SmallVector<ImportedValue> bound{
        ImportedValue::ofTensor(context.scalar(i64, step)),
        ImportedValue::ofTensor(context.scalar(i1, 1))};
    llvm::append_range(bound, carried);
    KILN_ASSIGN_OR_RETURN(SmallVector<ImportedValue> results,
                          context.importSubgraph(*body, bound));
    std::optional<bool> next;
    if (results[0].kind == ImportedValue::Tensor)
      next = constantBool(results[0].tensor);
    if (!next)
      return context.unsupported("Loop whose body's condition output is "
                                 "known only at run time (Kiln unrolls "
                                 "loops while importing)");
    running = *next;
    for (size_t i = 0; i < carriedCount; ++i)
      carried[i] = std::move(results[1 + i]);
    for (size_t k = 0; k < scanCount; ++k) {
      const ImportedValue &part = results[1 + carriedCount + k];
      if (part.kind != ImportedValue::Tensor)
        return context.invalid("scan outputs of a Loop body must be tensors");
      scans[k].push_back(part.tensor);
    }
  }
  for (size_t i = 0; i < carriedCount; ++i)
    context.setValueOutput(i, std::move(carried[i]));
  for (size_t k = 0; k < scanCount; ++k) {
    if (!context.hasOutput(carriedCount + k))
      continue;
    KILN_ASSIGN_OR_RETURN(Value stacked, stackScanOutput(context, scans[k]));
    context.setOutput(carriedCount + k, stacked);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Optionals
//===----------------------------------------------------------------------===//

llvm::Error convertOptional(NodeContext &context) {
  if (!context.hasInput(0)) {
    if (!context.hasAttribute("type"))
      return context.invalid("an Optional without input needs attribute "
                             "'type'");
    context.setValueOutput(0, ImportedValue::emptyOptional());
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(ImportedValue input, context.valueInput(0));
  context.setValueOutput(0, std::move(input));
  return llvm::Error::success();
}

llvm::Error convertOptionalHasElement(NodeContext &context) {
  bool present = false;
  if (context.hasInput(0)) {
    KILN_ASSIGN_OR_RETURN(ImportedValue input, context.valueInput(0));
    if (input.kind == ImportedValue::RunTimeOptional) {
      context.setOutput(0, input.present);
      return llvm::Error::success();
    }
    present = input.kind != ImportedValue::EmptyOptional;
  }
  context.setOutput(0, context.scalar(context.builder.getI1Type(), present));
  return llvm::Error::success();
}

llvm::Error convertOptionalGetElement(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(ImportedValue input, context.valueInput(0));
  if (input.kind == ImportedValue::EmptyOptional)
    return context.invalid("OptionalGetElement of an optional that is empty");
  if (input.kind == ImportedValue::RunTimeOptional) {
    OpBuilder &builder = context.builder;
    context.emitCheck(tensor::ExtractOp::create(builder, context.loc,
                                                input.present, ValueRange{}),
                      "OptionalGetElement of an optional that is empty");
    input = input.content();
  }
  context.setValueOutput(0, std::move(input));
  return llvm::Error::success();
}

} // namespace

void registerSequenceConverters(ConverterRegistry &registry) {
  registry.add("", "SequenceEmpty", convertSequenceEmpty);
  registry.add("", "SequenceConstruct", convertSequenceConstruct);
  registry.addTakingNonTensors("", "SequenceInsert", convertSequenceInsert);
  registry.addTakingNonTensors("", "SequenceErase", convertSequenceErase);
  registry.addTakingNonTensors("", "SequenceLength", convertSequenceLength);
  registry.addTakingNonTensors("", "SequenceAt", convertSequenceAt);
  registry.add("", "SplitToSequence", convertSplitToSequence);
  registry.addTakingNonTensors("", "ConcatFromSequence",
                               convertConcatFromSequence);
  registry.addTakingNonTensors("", "SequenceMap", convertSequenceMap);
  // Unrolling is the fallback for Loop: a converter that compiles loops,
  // if another family registers one first, is kept.
  if (!registry.lookup("", "Loop"))
    registry.addTakingNonTensors("", "Loop", convertLoop);
  registry.addTakingNonTensors("", "Optional", convertOptional);
  registry.addTakingNonTensors("", "OptionalHasElement",
                               convertOptionalHasElement);
  registry.addTakingNonTensors("", "OptionalGetElement",
                               convertOptionalGetElement);
}

} // namespace kiln::onnx_import
