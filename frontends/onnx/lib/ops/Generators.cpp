//===- Generators.cpp - ONNX Trilu, EyeLike, OneHot, ReverseSequence ------===//
//
// Ops whose output is a pattern over element positions, built from i64 index
// ramps (constants 0..n-1 laid along one dim, so they cost O(n), not the
// output's size) compared with each other or with run-time values:
//
// - Trilu keeps x where column - row >= k (upper) or <= k (lower); k may be a
//   run-time input.
// - EyeLike is (column - row == k) cast to the output type.
// - OneHot compares the (wrapped) indices, with a unit dim inserted at `axis`,
//   with a ramp along `axis` and selects on_value or off_value.
// - ReverseSequence gathers along the time axis at index
//   (t < len ? len - 1 - t : t), broadcast over the other dims.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "CompositionHelpers.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The largest OneHot depth Kiln builds an index ramp (an i64 constant) for.
constexpr int64_t kMaxDepth = int64_t(1) << 24;

/// A rank-0 i64 constant.
Value int64Scalar(NodeContext &context, int64_t value) {
  return context.scalar(context.builder.getI64Type(), value);
}

/// `offset` (a rank-0 or one-element integer tensor) as a rank-0 i64 tensor
/// clamped to [-rows, columns]: beyond those every diagonal test gives the same
/// answer, and the clamp keeps row + offset from overflowing.
llvm::Expected<Value> clampedOffset(NodeContext &context, Value offset,
                                    int64_t rows, int64_t columns) {
  auto type = cast<RankedTensorType>(offset.getType());
  if (!isa<IntegerType>(type.getElementType()) || type.getNumElements() != 1 ||
      type.getRank() > 1)
    return context.invalid("k must be a single integer");
  KILN_ASSIGN_OR_RETURN(offset,
                        context.create<ReshapeOp>(offset, ArrayRef<int64_t>{}));
  KILN_ASSIGN_OR_RETURN(
      offset, castElements(context, offset, context.builder.getI64Type()));
  KILN_ASSIGN_OR_RETURN(
      offset, context.create<MaxOp>(offset, int64Scalar(context, -rows)));
  return context.create<MinOp>(offset, int64Scalar(context, columns));
}

/// The i1 mask of a `rows` x `columns` matrix (broadcastable to it) where
/// `predicate(column, row + offset)` holds; `offset` is a rank-0 i64 tensor.
llvm::Expected<Value> diagonalMask(NodeContext &context, int64_t rows,
                                   int64_t columns, Value offset,
                                   ComparisonPredicate predicate) {
  Value rowRamp = indexRamp(context, rows, 2, 0);
  Value columnRamp = indexRamp(context, columns, 1, 0);
  KILN_ASSIGN_OR_RETURN(Value shifted, context.create<AddOp>(rowRamp, offset));
  return context.create<CompareOp>(predicate, columnRamp, shifted);
}

/// The static size of the last two dims of input 0 (rank 2 or more).
llvm::Expected<std::pair<int64_t, int64_t>> matrixSize(NodeContext &context) {
  RankedTensorType type = context.inputType(0);
  if (type.getRank() < 2)
    return context.invalid("the input must have rank 2 or more");
  int64_t rows = type.getDimSize(type.getRank() - 2),
          columns = type.getDimSize(type.getRank() - 1);
  if (ShapedType::isDynamic(rows) || ShapedType::isDynamic(columns))
    return context.unsupported("the last two dims must be static");
  return std::make_pair(rows, columns);
}

llvm::Error convertTrilu(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value x, context.input(0));
  KILN_ASSIGN_OR_RETURN(auto size, matrixSize(context));
  auto [rows, columns] = size;
  Value offset = context.optionalInput(1);
  if (!offset)
    offset = int64Scalar(context, 0);
  KILN_ASSIGN_OR_RETURN(offset, clampedOffset(context, offset, rows, columns));
  bool upper = context.intAttribute("upper", 1) != 0;
  // Upper keeps column >= row + k, lower column <= row + k.
  KILN_ASSIGN_OR_RETURN(
      Value keep,
      diagonalMask(context, rows, columns, offset,
                   upper ? ComparisonPredicate::ge : ComparisonPredicate::le));
  Value zero = context.scalar(elementTypeOf(x), 0);
  KILN_ASSIGN_OR_RETURN(Value result, context.create<SelectOp>(keep, x, zero));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertEyeLike(NodeContext &context) {
  if (llvm::Error error = context.input(0).takeError())
    return error;
  if (context.inputType(0).getRank() != 2)
    return context.invalid("the input must be 2-D");
  KILN_ASSIGN_OR_RETURN(auto size, matrixSize(context));
  auto [rows, columns] = size;
  Type type = context.inputType(0).getElementType();
  if (context.hasAttribute("dtype")) {
    KILN_ASSIGN_OR_RETURN(
        type, elementTypeFromOnnx(context.builder.getContext(),
                                  context.intAttribute("dtype", 0)));
  }
  KILN_ASSIGN_OR_RETURN(
      Value offset,
      clampedOffset(context, int64Scalar(context, context.intAttribute("k", 0)),
                    rows, columns));
  KILN_ASSIGN_OR_RETURN(
      Value diagonal,
      diagonalMask(context, rows, columns, offset, ComparisonPredicate::eq));
  KILN_ASSIGN_OR_RETURN(Value result, castElements(context, diagonal, type));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// OneHot's depth: from a constant input (integer or float, as ONNX casts it
/// to int64), else from the output dim ONNX's shape inference gave.
llvm::Expected<int64_t> oneHotDepth(NodeContext &context, int64_t axis) {
  if (DenseElementsAttr depth = context.constantInput(1)) {
    if (depth.getNumElements() != 1)
      return context.invalid("depth must hold a single value");
    if (!isa<FloatType>(depth.getElementType()))
      return (*depth.getValues<APInt>().begin()).getSExtValue();
    double value = (*depth.getValues<APFloat>().begin()).convertToDouble();
    // Out of int64's range (or NaN) casting would be undefined; such a depth
    // is rejected as not positive or too large anyway.
    return value >= 1 && value < 0x1p62 ? static_cast<int64_t>(value) : -1;
  }
  if (RankedTensorType declared = context.inferredOutputType(0))
    if (axis < declared.getRank() && !declared.isDynamicDim(axis))
      return declared.getDimSize(axis);
  return context.unsupported("OneHot needs its depth (input 1) known when the "
                             "model is compiled");
}

llvm::Error convertOneHot(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value indices, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value values, context.input(2));
  RankedTensorType indicesType = context.inputType(0);
  if (!indicesType.hasStaticShape())
    return context.unsupported("OneHot of indices with dynamic dims");
  RankedTensorType valuesType = context.inputType(2);
  if (valuesType.getRank() != 1 || valuesType.getDimSize(0) != 2)
    return context.invalid("values must be [off_value, on_value]");
  int64_t rank = indicesType.getRank() + 1;
  KILN_ASSIGN_OR_RETURN(
      int64_t axis,
      normalizeAxis(context, context.intAttribute("axis", -1), rank));
  KILN_ASSIGN_OR_RETURN(int64_t depth, oneHotDepth(context, axis));
  if (depth < 1)
    return context.invalid("depth must be positive");
  // The index ramp is a constant of `depth` elements.
  if (depth > kMaxDepth)
    return context.unsupported("a depth above " + llvm::Twine(kMaxDepth));
  // Negative indices count from the end of the depth; others beyond it match
  // no position and give an all-off row.
  KILN_ASSIGN_OR_RETURN(
      indices, castElements(context, indices, context.builder.getI64Type()));
  KILN_ASSIGN_OR_RETURN(Value negative, context.create<CompareOp>(
                                            ComparisonPredicate::lt, indices,
                                            int64Scalar(context, 0)));
  KILN_ASSIGN_OR_RETURN(
      Value wrapped,
      context.create<AddOp>(indices, int64Scalar(context, depth)));
  KILN_ASSIGN_OR_RETURN(indices,
                        context.create<SelectOp>(negative, wrapped, indices));
  SmallVector<int64_t> expanded(indicesType.getShape());
  expanded.insert(expanded.begin() + axis, 1);
  KILN_ASSIGN_OR_RETURN(indices, context.create<ReshapeOp>(indices, expanded));
  KILN_ASSIGN_OR_RETURN(Value hot, context.create<CompareOp>(
                                       ComparisonPredicate::eq, indices,
                                       indexRamp(context, depth, rank, axis)));
  SmallVector<Value, 2> offOn;
  for (int64_t i = 0; i < 2; ++i) {
    KILN_ASSIGN_OR_RETURN(Value value,
                          context.create<SliceOp>(values, ArrayRef<int64_t>{i},
                                                  ArrayRef<int64_t>{1},
                                                  ArrayRef<int64_t>{1}));
    KILN_ASSIGN_OR_RETURN(
        value, context.create<ReshapeOp>(value, ArrayRef<int64_t>{}));
    offOn.push_back(value);
  }
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<SelectOp>(hot, offOn[1], offOn[0]));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertReverseSequence(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value lengths, context.input(1));
  RankedTensorType type = context.inputType(0);
  int64_t batchAxis = context.intAttribute("batch_axis", 1);
  int64_t timeAxis = context.intAttribute("time_axis", 0);
  if (type.getRank() < 2 || batchAxis < 0 || batchAxis > 1 || timeAxis < 0 ||
      timeAxis > 1 || batchAxis == timeAxis)
    return context.invalid("the input must have rank 2 or more, and "
                           "batch_axis and time_axis must be 0 and 1 or 1 "
                           "and 0");
  if (!type.hasStaticShape())
    return context.unsupported("ReverseSequence of a tensor with dynamic dims");
  RankedTensorType lengthsType = context.inputType(1);
  if (lengthsType.getRank() != 1 ||
      !isa<IntegerType>(lengthsType.getElementType()))
    return context.invalid("sequence_lens must be a 1-D integer tensor");
  int64_t rank = type.getRank();
  SmallVector<int64_t> lengthsShape(rank, 1);
  lengthsShape[batchAxis] = lengthsType.getDimSize(0);
  KILN_ASSIGN_OR_RETURN(lengths,
                        context.create<ReshapeOp>(lengths, lengthsShape));
  KILN_ASSIGN_OR_RETURN(
      lengths, castElements(context, lengths, context.builder.getI64Type()));
  Value time = indexRamp(context, type.getDimSize(timeAxis), rank, timeAxis);
  KILN_ASSIGN_OR_RETURN(
      Value last, context.create<SubOp>(lengths, int64Scalar(context, 1)));
  KILN_ASSIGN_OR_RETURN(Value reversed, context.create<SubOp>(last, time));
  KILN_ASSIGN_OR_RETURN(
      Value inside,
      context.create<CompareOp>(ComparisonPredicate::lt, time, lengths));
  KILN_ASSIGN_OR_RETURN(Value indices,
                        context.create<SelectOp>(inside, reversed, time));
  KILN_ASSIGN_OR_RETURN(
      indices, context.create<BroadcastToOp>(indices, type.getShape()));
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<GatherElementsOp>(input, indices, timeAxis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

} // namespace

void registerGeneratorConverters(ConverterRegistry &registry) {
  registry.add("", "Trilu", convertTrilu);
  registry.add("", "EyeLike", convertEyeLike);
  registry.add("", "OneHot", convertOneHot);
  registry.add("", "ReverseSequence", convertReverseSequence);
}

} // namespace kiln::onnx_import
