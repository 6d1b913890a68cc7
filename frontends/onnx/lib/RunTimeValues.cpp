//===- RunTimeValues.cpp - Sequences and optionals decided at run time ----===//
//
// A sequence held in tensors (SequenceTensors) is edited with kiln ops only:
// an element is flattened and concatenated to `values`, and its index row
// [offset, rank, dims..., 0...] to `index`. Reading element p slices
// values[offset(p), offset(p + 1)) and reshapes it to the dims of row p,
// where the offsets are column 0 of `index` followed by the number of values.
// Positions are checked at run time (an error return of the call), as ONNX
// makes a position out of range an error.
//
//===----------------------------------------------------------------------===//

#include "RunTimeValues.h"

#include "ops/CompositionHelpers.h"
#include "ops/DynamicShapeHelpers.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/runtime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace kiln;

namespace kiln::onnx_import {
namespace {

constexpr int64_t kIndexColumns = KILN_SEQUENCE_INDEX_COLUMNS;

std::string typeText(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

RankedTensorType valuesType(Type elementType) {
  return RankedTensorType::get({ShapedType::kDynamic}, elementType);
}

RankedTensorType indexType(MLIRContext *context) {
  return RankedTensorType::get({ShapedType::kDynamic, kIndexColumns},
                               IntegerType::get(context, 64));
}

/// `value` with type `type`, through tensor.cast when they differ only in
/// what one of them leaves dynamic.
llvm::Expected<Value> castTo(NodeContext &context, Value value, Type type,
                             const llvm::Twine &what) {
  if (value.getType() == type)
    return value;
  if (!tensor::CastOp::areCastCompatible(value.getType(), type))
    return context.invalid(what + " is a " + typeText(value.getType()) +
                           " where a " + typeText(type) + " is needed");
  return tensor::CastOp::create(context.builder, context.loc, type, value)
      .getResult();
}

/// `tensor` as a rank-1 tensor<?xT> of its elements in row-major order.
llvm::Expected<Value> flatten(NodeContext &context, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value flat;
  if (type.hasStaticShape()) {
    KILN_ASSIGN_OR_RETURN(
        flat, context.create<ReshapeOp>(
                  tensor, ArrayRef<int64_t>{type.getNumElements()}));
  } else {
    KILN_ASSIGN_OR_RETURN(flat, context.create<DynamicReshapeOp>(
                                    tensor, int64Vector(context, {-1})));
  }
  return castTo(context, flat, valuesType(type.getElementType()),
                "a flattened element");
}

/// The index row [1 x C] of `tensor` placed at `offset` (a tensor<1xi64>).
llvm::Expected<Value> indexRow(NodeContext &context, Value tensor,
                               Value offset) {
  auto type = cast<RankedTensorType>(tensor.getType());
  const int64_t rank = type.getRank();
  SmallVector<Value> parts{offset, int64Vector(context, {rank})};
  if (rank > 0) {
    KILN_ASSIGN_OR_RETURN(Value dims, context.create<ShapeOfOp>(tensor));
    parts.push_back(dims);
  }
  if (rank + 2 < kIndexColumns)
    parts.push_back(int64Vector(
        context, SmallVector<int64_t>(kIndexColumns - 2 - rank, 0)));
  KILN_ASSIGN_OR_RETURN(Value row, context.create<ConcatOp>(parts, 0));
  return context.create<ReshapeOp>(row, ArrayRef<int64_t>{1, kIndexColumns});
}

/// The number of values, as a tensor<1xi64>.
llvm::Expected<Value> valueCount(NodeContext &context, Value values) {
  return context.create<ShapeOfOp>(values);
}

/// The element offsets followed by the number of values: n + 1 entries.
llvm::Expected<Value> offsetsWithEnd(NodeContext &context,
                                     const SequenceTensors &sequence) {
  KILN_ASSIGN_OR_RETURN(Value column,
                        context.create<SliceOp>(
                            sequence.index, ArrayRef<int64_t>{0, 0},
                            ArrayRef<int64_t>{-1, 1}, ArrayRef<int64_t>{1, 1}));
  KILN_ASSIGN_OR_RETURN(column, context.create<DynamicReshapeOp>(
                                    column, int64Vector(context, {-1})));
  KILN_ASSIGN_OR_RETURN(Value total, valueCount(context, sequence.values));
  return context.create<ConcatOp>(ValueRange{column, total}, 0);
}

/// Entry `position` (a rank-0 i64 tensor, in range) of a 1-D tensor, as a
/// tensor<1xi64>.
llvm::Expected<Value> entryAt(NodeContext &context, Value vector,
                              Value position) {
  KILN_ASSIGN_OR_RETURN(Value entry,
                        context.create<GatherOp>(vector, position, 0));
  return context.create<ReshapeOp>(entry, ArrayRef<int64_t>{1});
}

/// values[start, end) or index rows [start, end), for tensor<1xi64> bounds.
llvm::Expected<Value> rangeOf(NodeContext &context, Value tensor, Value start,
                              Value end) {
  return context.create<DynamicSliceOp>(
      tensor, start, end, int64Vector(context, {0}), int64Vector(context, {1}));
}

/// `position` (a one-element integer tensor) as a rank-0 i64 in [0, n) (or
/// [0, n] with `allowEnd`): negative positions count from the end, anything
/// else out of range is a run-time error.
llvm::Expected<Value> checkedPosition(NodeContext &context, Value position,
                                      Value length, bool allowEnd,
                                      StringRef op) {
  KILN_ASSIGN_OR_RETURN(position, positionFromEnd(context, position, length));
  OpBuilder &builder = context.builder;
  Location loc = context.loc;
  Value at = tensor::ExtractOp::create(builder, loc, position, ValueRange{});
  Value size = tensor::ExtractOp::create(builder, loc, length, ValueRange{});
  Value zero = arith::ConstantIntOp::create(builder, loc, 0, 64);
  Value aboveStart =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::sge, at, zero);
  Value belowEnd = arith::CmpIOp::create(builder, loc,
                                         allowEnd ? arith::CmpIPredicate::sle
                                                  : arith::CmpIPredicate::slt,
                                         at, size);
  context.emitCheck(
      arith::AndIOp::create(builder, loc, aboveStart, belowEnd),
      op +
          " position is out of range for the sequence's length (it must be "
          "in [-n, n" +
          (allowEnd ? "]" : ")") + ")");
  return position;
}

/// `vector` (a tensor<1xi64>) plus `delta`.
llvm::Expected<Value> plus(NodeContext &context, Value vector, int64_t delta) {
  return context.create<AddOp>(vector, int64Vector(context, {delta}));
}

/// The index rows `rows` with `delta` (a tensor<1xi64>, negative to move
/// them back) added to their offsets.
llvm::Expected<Value> shiftOffsets(NodeContext &context, Value rows,
                                   Value delta) {
  // [delta, 0, 0, ...] added to every row.
  SmallVector<Value> parts{
      delta, int64Vector(context, SmallVector<int64_t>(kIndexColumns - 1, 0))};
  KILN_ASSIGN_OR_RETURN(Value shift, context.create<ConcatOp>(parts, 0));
  KILN_ASSIGN_OR_RETURN(shift, context.create<ReshapeOp>(
                                   shift, ArrayRef<int64_t>{1, kIndexColumns}));
  return context.create<AddOp>(rows, shift);
}

/// `sequence` with canonical types (tensor<?xT>, tensor<?xCxi64>).
llvm::Expected<SequenceTensors> canonical(NodeContext &context,
                                          SequenceTensors sequence) {
  KILN_ASSIGN_OR_RETURN(sequence.values,
                        castTo(context, sequence.values,
                               valuesType(sequence.elementType),
                               "the sequence's values"));
  KILN_ASSIGN_OR_RETURN(sequence.index,
                        castTo(context, sequence.index,
                               indexType(context.builder.getContext()),
                               "the sequence's index"));
  return sequence;
}

/// A half-open range [first, second) of rows or values, as tensor<1xi64>
/// bounds.
using Range = std::pair<Value, Value>;

/// `sequence` with index rows `rows` and values `values` replaced by `row` and
/// `flat` (nothing when they are null), and the offsets of the rows after
/// them moved by `shift` (a tensor<1xi64>).
llvm::Expected<SequenceTensors> splice(NodeContext &context,
                                       SequenceTensors sequence, Range rows,
                                       Range values, Value shift, Value row,
                                       Value flat) {
  Value start = int64Vector(context, {0});
  Value end = int64Vector(context, {INT64_MAX});
  KILN_ASSIGN_OR_RETURN(Value valuesBefore,
                        rangeOf(context, sequence.values, start, values.first));
  KILN_ASSIGN_OR_RETURN(Value valuesAfter,
                        rangeOf(context, sequence.values, values.second, end));
  KILN_ASSIGN_OR_RETURN(Value rowsBefore,
                        rangeOf(context, sequence.index, start, rows.first));
  KILN_ASSIGN_OR_RETURN(Value rowsAfter,
                        rangeOf(context, sequence.index, rows.second, end));
  KILN_ASSIGN_OR_RETURN(rowsAfter, shiftOffsets(context, rowsAfter, shift));
  SmallVector<Value> allValues{valuesBefore}, allRows{rowsBefore};
  if (flat) {
    allValues.push_back(flat);
    allRows.push_back(row);
  }
  allValues.push_back(valuesAfter);
  allRows.push_back(rowsAfter);
  KILN_ASSIGN_OR_RETURN(sequence.values,
                        context.create<ConcatOp>(allValues, 0));
  KILN_ASSIGN_OR_RETURN(sequence.index, context.create<ConcatOp>(allRows, 0));
  return canonical(context, sequence);
}

uint32_t rankBit(Value tensor) {
  return 1u << cast<RankedTensorType>(tensor.getType()).getRank();
}

} // namespace

//===--- Sequences held in tensors ----------------------------------------===//

llvm::Expected<Value> positionFromEnd(NodeContext &context, Value position,
                                      Value length) {
  auto type = cast<RankedTensorType>(position.getType());
  if (!isa<IntegerType>(type.getElementType()) || !type.hasStaticShape() ||
      type.getNumElements() != 1)
    return context.invalid("the position must be a single integer");
  Type i64 = context.builder.getI64Type();
  KILN_ASSIGN_OR_RETURN(
      position, context.create<ReshapeOp>(position, ArrayRef<int64_t>{}));
  KILN_ASSIGN_OR_RETURN(position, castElements(context, position, i64));
  KILN_ASSIGN_OR_RETURN(Value negative, context.create<CompareOp>(
                                            ComparisonPredicate::lt, position,
                                            context.scalar(i64, 0)));
  KILN_ASSIGN_OR_RETURN(Value fromEnd, context.create<AddOp>(position, length));
  return context.create<SelectOp>(negative, fromEnd, position);
}

llvm::Expected<SequenceTensors> emptySequenceTensors(NodeContext &context,
                                                     Type elementType) {
  if (isa<StringType>(elementType))
    return context.unsupported("a sequence of strings whose length is known "
                               "only at run time");
  SequenceTensors sequence;
  sequence.elementType = elementType;
  sequence.values = context.splat(RankedTensorType::get({0}, elementType), 0);
  sequence.index = context.splat(
      RankedTensorType::get({0, kIndexColumns}, context.builder.getI64Type()),
      0);
  return canonical(context, sequence);
}

llvm::Expected<SequenceTensors> toSequenceTensors(NodeContext &context,
                                                  const ImportedValue &value) {
  if (value.kind == ImportedValue::RunTimeSequence)
    return value.sequenceTensors;
  if (value.kind != ImportedValue::Sequence)
    return context.invalid("a sequence is needed here");
  KILN_ASSIGN_OR_RETURN(
      SequenceTensors sequence,
      emptySequenceTensors(context, value.sequence.elementType));
  for (Value element : value.sequence.elements) {
    if (!element)
      return context.unsupported(value.sequence.unbuiltReason);
    KILN_ASSIGN_OR_RETURN(
        sequence, insertIntoSequence(context, sequence, element, Value()));
  }
  return sequence;
}

llvm::Expected<SequenceTensors> insertIntoSequence(NodeContext &context,
                                                   SequenceTensors sequence,
                                                   Value tensor,
                                                   Value position) {
  if (elementTypeOf(tensor) != sequence.elementType)
    return context.invalid("a sequence of " + typeText(sequence.elementType) +
                           " tensors cannot hold a " +
                           typeText(elementTypeOf(tensor)) + " tensor");
  KILN_ASSIGN_OR_RETURN(Value flat, flatten(context, tensor));
  KILN_ASSIGN_OR_RETURN(Value size, valueCount(context, flat));
  sequence.ranks |= rankBit(tensor);
  if (!position) {
    KILN_ASSIGN_OR_RETURN(Value offset, valueCount(context, sequence.values));
    KILN_ASSIGN_OR_RETURN(Value row, indexRow(context, tensor, offset));
    KILN_ASSIGN_OR_RETURN(
        sequence.values,
        context.create<ConcatOp>(ValueRange{sequence.values, flat}, 0));
    KILN_ASSIGN_OR_RETURN(
        sequence.index,
        context.create<ConcatOp>(ValueRange{sequence.index, row}, 0));
    return canonical(context, sequence);
  }
  KILN_ASSIGN_OR_RETURN(Value length, sequenceLength(context, sequence));
  KILN_ASSIGN_OR_RETURN(position,
                        checkedPosition(context, position, length,
                                        /*allowEnd=*/true, "SequenceInsert"));
  KILN_ASSIGN_OR_RETURN(Value offsets, offsetsWithEnd(context, sequence));
  KILN_ASSIGN_OR_RETURN(Value offset, entryAt(context, offsets, position));
  KILN_ASSIGN_OR_RETURN(
      Value at, context.create<ReshapeOp>(position, ArrayRef<int64_t>{1}));
  KILN_ASSIGN_OR_RETURN(Value row, indexRow(context, tensor, offset));
  return splice(context, sequence, {at, at}, {offset, offset}, size, row, flat);
}

llvm::Expected<SequenceTensors> eraseFromSequence(NodeContext &context,
                                                  SequenceTensors sequence,
                                                  Value position) {
  KILN_ASSIGN_OR_RETURN(Value length, sequenceLength(context, sequence));
  if (!position) {
    KILN_ASSIGN_OR_RETURN(
        position,
        context.create<AddOp>(
            length, context.scalar(context.builder.getI64Type(), -1)));
  }
  KILN_ASSIGN_OR_RETURN(position,
                        checkedPosition(context, position, length,
                                        /*allowEnd=*/false, "SequenceErase"));
  KILN_ASSIGN_OR_RETURN(Value offsets, offsetsWithEnd(context, sequence));
  KILN_ASSIGN_OR_RETURN(Value offset, entryAt(context, offsets, position));
  KILN_ASSIGN_OR_RETURN(
      Value at, context.create<ReshapeOp>(position, ArrayRef<int64_t>{1}));
  KILN_ASSIGN_OR_RETURN(Value next, plus(context, at, 1));
  KILN_ASSIGN_OR_RETURN(Value nextRank0,
                        context.create<ReshapeOp>(next, ArrayRef<int64_t>{}));
  KILN_ASSIGN_OR_RETURN(Value nextOffset, entryAt(context, offsets, nextRank0));
  KILN_ASSIGN_OR_RETURN(Value removed,
                        context.create<SubOp>(offset, nextOffset));
  return splice(context, sequence, {at, next}, {offset, nextOffset}, removed,
                Value(), Value());
}

llvm::Expected<Value> sequenceLength(NodeContext &context,
                                     const SequenceTensors &sequence) {
  KILN_ASSIGN_OR_RETURN(Value shape, context.create<ShapeOfOp>(sequence.index));
  KILN_ASSIGN_OR_RETURN(Value rows,
                        context.create<SliceOp>(shape, ArrayRef<int64_t>{0},
                                                ArrayRef<int64_t>{1},
                                                ArrayRef<int64_t>{1}));
  return context.create<ReshapeOp>(rows, ArrayRef<int64_t>{});
}

llvm::Expected<Value> sequenceElementAt(NodeContext &context,
                                        const SequenceTensors &sequence,
                                        Value position) {
  std::optional<int64_t> rank = sequence.uniformRank();
  if (!rank)
    return context.unsupported(
        "SequenceAt of a sequence whose length is known only at run time and "
        "whose elements may have different ranks (the result's rank would be "
        "known only at run time)");
  KILN_ASSIGN_OR_RETURN(Value length, sequenceLength(context, sequence));
  KILN_ASSIGN_OR_RETURN(position,
                        checkedPosition(context, position, length,
                                        /*allowEnd=*/false, "SequenceAt"));
  KILN_ASSIGN_OR_RETURN(Value offsets, offsetsWithEnd(context, sequence));
  KILN_ASSIGN_OR_RETURN(Value offset, entryAt(context, offsets, position));
  KILN_ASSIGN_OR_RETURN(
      Value next,
      context.create<AddOp>(position,
                            context.scalar(context.builder.getI64Type(), 1)));
  KILN_ASSIGN_OR_RETURN(Value end, entryAt(context, offsets, next));
  KILN_ASSIGN_OR_RETURN(Value flat,
                        rangeOf(context, sequence.values, offset, end));
  KILN_ASSIGN_OR_RETURN(Value row,
                        context.create<GatherOp>(sequence.index, position, 0));
  KILN_ASSIGN_OR_RETURN(Value dims,
                        context.create<SliceOp>(row, ArrayRef<int64_t>{2},
                                                ArrayRef<int64_t>{*rank},
                                                ArrayRef<int64_t>{1}));
  return context.create<DynamicReshapeOp>(flat, dims, /*allow_zero=*/true);
}

//===--- Values across region boundaries ----------------------------------===//

SmallVector<Type> ValueLayout::tensorTypes() const {
  SmallVector<Type> result;
  auto sequenceTypes = [&] {
    result.push_back(valuesType(elementType));
    result.push_back(indexType(elementType.getContext()));
  };
  switch (kind) {
  case ImportedValue::Tensor:
  case ImportedValue::Sequence:
    result.assign(types.begin(), types.end());
    break;
  case ImportedValue::EmptyOptional:
    break;
  case ImportedValue::RunTimeSequence:
    sequenceTypes();
    break;
  case ImportedValue::RunTimeOptional:
    result.push_back(RankedTensorType::get(
        {}, IntegerType::get(elementType ? elementType.getContext()
                                         : types.front().getContext(),
                             1)));
    if (holdsSequence)
      sequenceTypes();
    else
      result.append(types.begin(), types.end());
    break;
  }
  return result;
}

ValueLayout layoutOf(const ImportedValue &value) {
  ValueLayout layout;
  layout.kind = value.kind;
  switch (value.kind) {
  case ImportedValue::Tensor:
    layout.types.push_back(value.tensor.getType());
    break;
  case ImportedValue::Sequence:
    layout.elementType = value.sequence.elementType;
    for (Value element : value.sequence.elements) {
      layout.types.push_back(element ? element.getType() : Type());
      if (element)
        layout.ranks |= rankBit(element);
    }
    break;
  case ImportedValue::EmptyOptional:
    break;
  case ImportedValue::RunTimeSequence:
    layout.elementType = value.sequenceTensors.elementType;
    layout.ranks = value.sequenceTensors.ranks;
    break;
  case ImportedValue::RunTimeOptional:
    layout.holdsSequence = value.holdsSequence;
    if (value.holdsSequence) {
      layout.elementType = value.sequenceTensors.elementType;
      layout.ranks = value.sequenceTensors.ranks;
    } else {
      layout.types.push_back(value.tensor.getType());
    }
    break;
  }
  return layout;
}

namespace {

/// A tensor type both `a` and `b` cast to: one rank and element type, with
/// `?` where their dims differ; null when there is none.
Type joinTensorTypes(Type a, Type b) {
  auto left = dyn_cast_or_null<RankedTensorType>(a);
  auto right = dyn_cast_or_null<RankedTensorType>(b);
  if (!left || !right || left.getRank() != right.getRank() ||
      left.getElementType() != right.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(left.getShape(), right.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(shape, left.getElementType());
}

bool isOptional(const ValueLayout &layout) {
  return layout.kind == ImportedValue::EmptyOptional ||
         layout.kind == ImportedValue::RunTimeOptional;
}

/// What an optional layout holds (null kind for an empty optional's unknown
/// content), or what a plain layout is, with lists turned into run-time
/// sequences.
std::optional<ValueLayout> contentOf(const ValueLayout &layout) {
  if (layout.kind == ImportedValue::EmptyOptional)
    return std::nullopt;
  ValueLayout content = layout;
  if (layout.kind == ImportedValue::RunTimeOptional)
    content.kind = layout.holdsSequence ? ImportedValue::RunTimeSequence
                                        : ImportedValue::Tensor;
  if (content.kind == ImportedValue::Sequence) {
    content.kind = ImportedValue::RunTimeSequence;
    content.types.clear();
  }
  return content;
}

} // namespace

llvm::Expected<ValueLayout>
joinLayouts(NodeContext &context, const ValueLayout &a, const ValueLayout &b,
            bool listsAsTensors, const llvm::Twine &what) {
  using Kind = ImportedValue::Kind;
  if (isOptional(a) || isOptional(b)) {
    if (a.kind == Kind::EmptyOptional && b.kind == Kind::EmptyOptional)
      return a;
    std::optional<ValueLayout> left = contentOf(a), right = contentOf(b);
    ValueLayout content = left ? *left : *right;
    if (left && right) {
      KILN_ASSIGN_OR_RETURN(content,
                            joinLayouts(context, *left, *right,
                                        /*listsAsTensors=*/true, what));
    }
    if (content.kind != Kind::Tensor && content.kind != Kind::RunTimeSequence)
      return context.unsupported(what + " is an optional of an optional");
    ValueLayout result = content;
    result.kind = Kind::RunTimeOptional;
    result.holdsSequence = content.kind == Kind::RunTimeSequence;
    return result;
  }
  if (a.kind == Kind::Tensor && b.kind == Kind::Tensor) {
    Type type = joinTensorTypes(a.types.front(), b.types.front());
    if (!type)
      return context.invalid(what + " is a " + typeText(a.types.front()) +
                             " in one place and a " +
                             typeText(b.types.front()) + " in the other");
    ValueLayout result = a;
    result.types = {type};
    return result;
  }
  bool aIsSequence =
           a.kind == Kind::Sequence || a.kind == Kind::RunTimeSequence,
       bIsSequence =
           b.kind == Kind::Sequence || b.kind == Kind::RunTimeSequence;
  if (!aIsSequence || !bIsSequence)
    return context.invalid(what + " is a tensor in one place and a sequence "
                                  "in the other");
  if (a.elementType != b.elementType)
    return context.invalid(what + " is a sequence of " +
                           typeText(a.elementType) + " in one place and of " +
                           typeText(b.elementType) + " in the other");
  if (!listsAsTensors && a.kind == Kind::Sequence && b.kind == Kind::Sequence &&
      a.types.size() == b.types.size()) {
    ValueLayout result = a;
    result.ranks |= b.ranks;
    bool joined = true;
    for (size_t i = 0; i < result.types.size(); ++i) {
      result.types[i] = joinTensorTypes(result.types[i], b.types[i]);
      joined = joined && result.types[i];
    }
    if (joined)
      return result;
  }
  ValueLayout result;
  result.kind = Kind::RunTimeSequence;
  result.elementType = a.elementType;
  result.ranks = a.ranks | b.ranks;
  return result;
}

llvm::Expected<SmallVector<Value>> passAs(NodeContext &context,
                                          const ImportedValue &value,
                                          const ValueLayout &layout,
                                          const llvm::Twine &what) {
  using Kind = ImportedValue::Kind;
  SmallVector<Value> result;
  switch (layout.kind) {
  case Kind::Tensor: {
    if (value.kind != Kind::Tensor)
      return context.invalid(what + " must be a tensor");
    KILN_ASSIGN_OR_RETURN(
        Value cast, castTo(context, value.tensor, layout.types.front(), what));
    result.push_back(cast);
    break;
  }
  case Kind::Sequence: {
    if (value.kind != Kind::Sequence ||
        value.sequence.elements.size() != layout.types.size())
      return context.invalid(what + " must be a sequence of " +
                             llvm::Twine(layout.types.size()) + " tensors");
    for (auto [element, type] :
         llvm::zip(value.sequence.elements, layout.types)) {
      if (!element)
        return context.unsupported(value.sequence.unbuiltReason);
      KILN_ASSIGN_OR_RETURN(Value cast, castTo(context, element, type, what));
      result.push_back(cast);
    }
    break;
  }
  case Kind::EmptyOptional:
    if (value.kind != Kind::EmptyOptional)
      return context.invalid(what + " must be an empty optional");
    break;
  case Kind::RunTimeSequence: {
    KILN_ASSIGN_OR_RETURN(SequenceTensors sequence,
                          toSequenceTensors(context, value));
    KILN_ASSIGN_OR_RETURN(sequence, canonical(context, sequence));
    result.push_back(sequence.values);
    result.push_back(sequence.index);
    break;
  }
  case Kind::RunTimeOptional: {
    Type i1 = context.builder.getI1Type();
    ValueLayout contentLayout = layout;
    contentLayout.kind =
        layout.holdsSequence ? Kind::RunTimeSequence : Kind::Tensor;
    ImportedValue content = value;
    if (value.kind == Kind::EmptyOptional) {
      result.push_back(context.scalar(i1, 0));
      if (layout.holdsSequence) {
        KILN_ASSIGN_OR_RETURN(
            SequenceTensors placeholder,
            emptySequenceTensors(context, layout.elementType));
        content = ImportedValue::ofSequenceTensors(placeholder);
      } else {
        // Zeros, with no elements along the dims the layout leaves dynamic.
        auto type = cast<RankedTensorType>(layout.types.front());
        SmallVector<int64_t> shape(type.getShape());
        for (int64_t &dim : shape)
          if (ShapedType::isDynamic(dim))
            dim = 0;
        content = ImportedValue::ofTensor(context.splat(
            RankedTensorType::get(shape, type.getElementType()), 0));
      }
    } else if (value.kind == Kind::RunTimeOptional) {
      result.push_back(value.present);
      content = value.content();
    } else {
      result.push_back(context.scalar(i1, 1));
    }
    KILN_ASSIGN_OR_RETURN(SmallVector<Value> contentTensors,
                          passAs(context, content, contentLayout, what));
    llvm::append_range(result, contentTensors);
    break;
  }
  }
  return result;
}

ImportedValue receiveAs(ValueRange tensors, const ValueLayout &layout) {
  using Kind = ImportedValue::Kind;
  auto sequenceFrom = [&](ValueRange pair) {
    SequenceTensors sequence;
    sequence.values = pair[0];
    sequence.index = pair[1];
    sequence.elementType = layout.elementType;
    sequence.ranks = layout.ranks;
    return ImportedValue::ofSequenceTensors(sequence);
  };
  switch (layout.kind) {
  case Kind::Tensor:
    return ImportedValue::ofTensor(tensors.front());
  case Kind::Sequence: {
    ImportedSequence sequence;
    sequence.elementType = layout.elementType;
    llvm::append_range(sequence.elements, tensors);
    return ImportedValue::ofSequence(std::move(sequence));
  }
  case Kind::EmptyOptional:
    return ImportedValue::emptyOptional();
  case Kind::RunTimeSequence:
    return sequenceFrom(tensors);
  case Kind::RunTimeOptional:
    return ImportedValue::ofRunTimeOptional(
        tensors.front(), layout.holdsSequence
                             ? sequenceFrom(tensors.drop_front())
                             : ImportedValue::ofTensor(tensors[1]));
  }
  llvm_unreachable("unknown value kind");
}

} // namespace kiln::onnx_import
