//===- KilnDataDependentOps.cpp - Ops with data-dependent sizes -----------===//
//
// Type inference, verification and constant evaluation of kiln.nonzero,
// kiln.compress and kiln.unique (KilnDataDependentOps.td). Their result sizes
// depend on the input's values, so inference leaves those dims dynamic; a
// declared static size is allowed (types are compatible) and is checked at
// run time by the lowering. On constants the ops are evaluated here: the
// folders use that when the result type fits the value, and the ONNX importer
// uses it to turn shape computations into constants.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

/// The largest constant these ops are evaluated on at compile time (unique
/// compares every pair of slices).
static constexpr int64_t kMaxEvaluatedElements = int64_t(1) << 12;

/// Checks that `axis` is in [0, rank).
static LogicalResult checkAxis(std::optional<Location> loc, StringRef opName,
                               int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, opName, " axis ", axis,
                             " is out of range for rank ", rank,
                             " (must be in [0, rank))");
  return success();
}

/// `elements` when it is a constant small enough to evaluate, else null.
static DenseElementsAttr evaluable(Attribute constant) {
  auto elements = dyn_cast_if_present<DenseElementsAttr>(constant);
  if (!elements || elements.getNumElements() > kMaxEvaluatedElements)
    return {};
  return elements;
}

/// Whether element `i` of `elements` is not zero (NaN is not zero; neither
/// zero of a float is).
static bool isNonZero(DenseElementsAttr elements, int64_t i) {
  if (isa<FloatType>(elements.getElementType()))
    return !(*(elements.value_begin<APFloat>() + i)).isZero();
  return !(*(elements.value_begin<APInt>() + i)).isZero();
}

/// The row-major strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// An i64 constant of `shape`.
static DenseElementsAttr int64Elements(MLIRContext *context,
                                       ArrayRef<int64_t> shape,
                                       ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, IntegerType::get(context, 64));
  return DenseElementsAttr::get(type, values);
}

/// The folded value when it has exactly the result's type.
static OpFoldResult ifTypeMatches(DenseElementsAttr value, Type resultType) {
  if (!value || value.getType() != resultType)
    return {};
  return value;
}

//===----------------------------------------------------------------------===//
// NonZeroOp
//===----------------------------------------------------------------------===//

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, "kiln.nonzero input must be a ranked tensor");
  if (inputType.getRank() == 0)
    return emitOptionalError(loc, "kiln.nonzero input must have rank 1 or "
                                  "more (reshape a scalar to [1] first)");
  inferred.push_back(RankedTensorType::get({inputType.getRank(), kDynamic},
                                           IntegerType::get(context, 64)));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(NonZeroOp)

DenseElementsAttr NonZeroOp::evaluate(DenseElementsAttr input) {
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> strides = stridesOf(shape);
  SmallVector<int64_t> positions;
  for (int64_t i = 0, e = input.getNumElements(); i < e; ++i)
    if (isNonZero(input, i))
      positions.push_back(i);
  int64_t rank = type.getRank(), count = positions.size();
  SmallVector<int64_t> coordinates(rank * count);
  for (int64_t j = 0; j < count; ++j)
    for (int64_t d = 0; d < rank; ++d)
      coordinates[d * count + j] = positions[j] / strides[d] % shape[d];
  return int64Elements(input.getContext(), {rank, count}, coordinates);
}

OpFoldResult NonZeroOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = evaluable(adaptor.getInput());
  if (!input)
    return {};
  return ifTypeMatches(evaluate(input), getType());
}

//===----------------------------------------------------------------------===//
// CompressOp
//===----------------------------------------------------------------------===//

LogicalResult CompressOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.compress";
  auto inputType = rankedType(adaptor.getInput());
  auto conditionType = rankedType(adaptor.getCondition());
  if (!inputType || !conditionType)
    return emitOptionalError(loc, name, " operands must be ranked tensors");
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, name, axis, inputType.getRank())))
    return failure();
  if (conditionType.getRank() != 1)
    return emitOptionalError(loc, name, " condition must be 1-D, got shape ",
                             shapeToString(conditionType.getShape()));
  int64_t length = conditionType.getDimSize(0),
          size = inputType.getDimSize(axis);
  if (!ShapedType::isDynamic(length) && !ShapedType::isDynamic(size) &&
      length > size)
    return emitOptionalError(
        loc, name, " condition has ", length, " entries but dimension ", axis,
        " of ", shapeToString(inputType.getShape()), " has only ", size);
  SmallVector<int64_t> shape(inputType.getShape());
  shape[axis] = kDynamic;
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(CompressOp)

DenseElementsAttr CompressOp::evaluate(DenseElementsAttr input,
                                       DenseElementsAttr condition,
                                       int64_t axis) {
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> kept;
  auto flags = condition.getValues<bool>();
  for (int64_t i = 0, e = condition.getNumElements(); i < e; ++i)
    if (flags[i])
      kept.push_back(i);
  // Rows of `outer` blocks, each `shape[axis]` slices of `inner` elements.
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= shape[d];
  SmallVector<Attribute> all(input.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : kept)
      for (int64_t i = 0; i < inner; ++i)
        values.push_back(all[(o * shape[axis] + k) * inner + i]);
  SmallVector<int64_t> resultShape(shape);
  resultShape[axis] = kept.size();
  return DenseElementsAttr::get(type.clone(resultShape), values);
}

OpFoldResult CompressOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = evaluable(adaptor.getInput());
  DenseElementsAttr condition = evaluable(adaptor.getCondition());
  if (!input || !condition)
    return {};
  return ifTypeMatches(evaluate(input, condition, getAxis()), getType());
}

//===----------------------------------------------------------------------===//
// UniqueOp
//===----------------------------------------------------------------------===//

LogicalResult UniqueOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.unique";
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, name, " input must be a ranked tensor");
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, name, axis, inputType.getRank())))
    return failure();
  SmallVector<int64_t> shape(inputType.getShape());
  int64_t size = shape[axis];
  shape[axis] = kDynamic;
  Type i64 = IntegerType::get(context, 64);
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  inferred.push_back(RankedTensorType::get({kDynamic}, i64));
  inferred.push_back(RankedTensorType::get({size}, i64));
  inferred.push_back(RankedTensorType::get({kDynamic}, i64));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(UniqueOp)

namespace {
/// Orders the slices of a constant along one axis, as kiln.unique does.
class SliceOrder {
public:
  SliceOrder(DenseElementsAttr input, int64_t axis) : input(input) {
    auto type = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> shape = type.getShape();
    size = shape[axis];
    for (int64_t d = 0; d < axis; ++d)
      outer *= shape[d];
    for (int64_t d = axis + 1; d < type.getRank(); ++d)
      inner *= shape[d];
    isFloat = isa<FloatType>(type.getElementType());
    // Booleans order false before true (as a signed i1, true is -1).
    isUnsigned = type.getElementType().isUnsignedInteger() ||
                 type.getElementType().isInteger(1);
  }

  /// -1, 0 or 1 as slice `a` sorts before, with or after slice `b`.
  int compare(int64_t a, int64_t b) const {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        if (int order = compareElements(flat(o, a, i), flat(o, b, i)))
          return order;
    return 0;
  }

  /// The flat index of element `i` of row `o` of slice `k`.
  int64_t flat(int64_t o, int64_t k, int64_t i) const {
    return (o * size + k) * inner + i;
  }

  int64_t size = 0, outer = 1, inner = 1;

private:
  int compareElements(int64_t a, int64_t b) const {
    if (isFloat) {
      const APFloat &x = *(input.value_begin<APFloat>() + a);
      const APFloat &y = *(input.value_begin<APFloat>() + b);
      // NaN equals NaN and sorts after every number.
      if (x.isNaN() || y.isNaN())
        return x.isNaN() == y.isNaN() ? 0 : (x.isNaN() ? 1 : -1);
      APFloat::cmpResult result = x.compare(y);
      return result == APFloat::cmpLessThan
                 ? -1
                 : (result == APFloat::cmpGreaterThan ? 1 : 0);
    }
    const APInt &x = *(input.value_begin<APInt>() + a);
    const APInt &y = *(input.value_begin<APInt>() + b);
    if (x == y)
      return 0;
    return (isUnsigned ? x.ult(y) : x.slt(y)) ? -1 : 1;
  }

  DenseElementsAttr input;
  bool isFloat = false, isUnsigned = false;
};
} // namespace

LogicalResult UniqueOp::evaluate(DenseElementsAttr input, int64_t axis,
                                 bool sorted,
                                 SmallVectorImpl<DenseElementsAttr> &results) {
  SliceOrder order(input, axis);
  int64_t n = order.size;
  // The first occurrence of each distinct slice, in input order.
  SmallVector<int64_t> firsts, firstOf(n);
  for (int64_t i = 0; i < n; ++i) {
    firstOf[i] = i;
    for (int64_t f : firsts)
      if (order.compare(f, i) == 0) {
        firstOf[i] = f;
        break;
      }
    if (firstOf[i] == i)
      firsts.push_back(i);
  }
  if (sorted)
    llvm::stable_sort(
        firsts, [&](int64_t a, int64_t b) { return order.compare(a, b) < 0; });
  int64_t count = firsts.size();
  SmallVector<int64_t> positionOf(n, 0), counts(count, 0), inverse(n);
  for (int64_t p = 0; p < count; ++p)
    positionOf[firsts[p]] = p;
  for (int64_t i = 0; i < n; ++i) {
    inverse[i] = positionOf[firstOf[i]];
    ++counts[inverse[i]];
  }
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<Attribute> all(input.getValues<Attribute>()), values;
  for (int64_t o = 0; o < order.outer; ++o)
    for (int64_t f : firsts)
      for (int64_t i = 0; i < order.inner; ++i)
        values.push_back(all[order.flat(o, f, i)]);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = count;
  MLIRContext *context = input.getContext();
  results.push_back(DenseElementsAttr::get(type.clone(shape), values));
  results.push_back(int64Elements(context, {count}, firsts));
  results.push_back(int64Elements(context, {n}, inverse));
  results.push_back(int64Elements(context, {count}, counts));
  return success();
}

LogicalResult UniqueOp::fold(FoldAdaptor adaptor,
                             SmallVectorImpl<OpFoldResult> &results) {
  DenseElementsAttr input = evaluable(adaptor.getInput());
  if (!input)
    return failure();
  SmallVector<DenseElementsAttr> values;
  if (failed(evaluate(input, getAxis(), getSorted(), values)))
    return failure();
  for (auto [value, result] : llvm::zip(values, getResults()))
    if (value.getType() != result.getType())
      return failure();
  results.append(values.begin(), values.end());
  return success();
}
