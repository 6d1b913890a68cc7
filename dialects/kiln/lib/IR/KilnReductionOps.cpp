//===- KilnReductionOps.cpp - Reductions, arg-reductions, scans, top-k ----===//
//
// Type inference, verification and folders of one family of kiln ops; the
// rules shared by all families are in KilnOpsCommon.h. The folders live here
// rather than in KilnFolders.cpp because they share this family's index
// arithmetic.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(std::optional<Location> loc, StringRef name,
                                 Value input, ArrayRef<int64_t> axes,
                                 bool keepDims,
                                 SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(input);
  if (!inputType)
    return emitOptionalError(loc, name, " input must be a ranked tensor");
  if (axes.empty())
    return emitOptionalError(loc, name, " axes must not be empty");
  int64_t rank = inputType.getRank();
  for (auto [index, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return emitOptionalError(loc, name, " axis ", axis,
                               " is out of range for rank ", rank,
                               " (must be in [0, rank))");
    if (index > 0 && axes[index - 1] >= axis)
      return emitOptionalError(loc, name, " axes ", shapeToString(axes),
                               " must be strictly increasing");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(inputType.getDimSize(d));
    else if (keepDims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

#define KILN_REDUCE_OP(OpClass, Name)                                          \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduce(loc, Name, adaptor.getInput(), adaptor.getAxes(),       \
                       adaptor.getKeepDims(), inferred);                       \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_REDUCE_OP(ReduceSumOp, "kiln.reduce_sum")
KILN_REDUCE_OP(ReduceMeanOp, "kiln.reduce_mean")
KILN_REDUCE_OP(ReduceMaxOp, "kiln.reduce_max")
KILN_REDUCE_OP(ReduceMinOp, "kiln.reduce_min")
KILN_REDUCE_OP(ReduceProdOp, "kiln.reduce_prod")

//===----------------------------------------------------------------------===//
// Reduction folders
//===----------------------------------------------------------------------===//

namespace {
enum class ReduceFold { Sum, Mean, Max, Min, Prod };
} // namespace

/// Constants up to this many elements are evaluated at compile time: enough
/// for the shape arithmetic of ONNX models, small enough to keep folding cheap.
static constexpr int64_t kMaxFoldedElements = 1 << 16;

/// For every element of a row-major `shape`, in order, the row-major index of
/// the element it reduces into once the dims in `axes` are dropped.
static SmallVector<int64_t> reducedPositions(ArrayRef<int64_t> shape,
                                             ArrayRef<int64_t> axes) {
  int64_t rank = shape.size();
  SmallVector<int64_t> keptStride(rank, 0);
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (llvm::is_contained(axes, d))
      continue;
    keptStride[d] = stride;
    stride *= shape[d];
  }
  int64_t count = ShapedType::getNumElements(shape);
  SmallVector<int64_t> positions(count, 0);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t position = 0;
    for (int64_t d = 0; d < rank; ++d)
      position += index[d] * keptStride[d];
    positions[i] = position;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return positions;
}

/// Evaluates a float reduction in the element type, combining in row-major
/// order from the neutral element, as the generated loops do.
static DenseElementsAttr foldFloatReduce(DenseElementsAttr input,
                                         RankedTensorType resultType,
                                         ArrayRef<int64_t> axes,
                                         ReduceFold kind) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(resultType.getElementType()).getFloatSemantics();
  APFloat neutral = APFloat::getZero(semantics);
  if (kind == ReduceFold::Prod)
    neutral = APFloat::getOne(semantics);
  else if (kind == ReduceFold::Max || kind == ReduceFold::Min)
    neutral = APFloat::getInf(semantics, /*Negative=*/kind == ReduceFold::Max);
  SmallVector<APFloat> results(resultType.getNumElements(), neutral);
  SmallVector<int64_t> positions =
      reducedPositions(input.getType().getShape(), axes);
  for (auto [i, value] : llvm::enumerate(input.getValues<APFloat>())) {
    APFloat &result = results[positions[i]];
    switch (kind) {
    case ReduceFold::Sum:
    case ReduceFold::Mean:
      result.add(value, APFloat::rmNearestTiesToEven);
      break;
    case ReduceFold::Prod:
      result.multiply(value, APFloat::rmNearestTiesToEven);
      break;
    case ReduceFold::Max:
      result = llvm::maximum(result, value);
      break;
    case ReduceFold::Min:
      result = llvm::minimum(result, value);
      break;
    }
  }
  if (kind == ReduceFold::Mean) {
    int64_t count = input.getNumElements() /
                    std::max<int64_t>(1, resultType.getNumElements());
    APFloat divisor(semantics);
    divisor.convertFromAPInt(APInt(64, count), /*IsSigned=*/false,
                             APFloat::rmNearestTiesToEven);
    for (APFloat &result : results)
      result.divide(divisor, APFloat::rmNearestTiesToEven);
  }
  return DenseElementsAttr::get(resultType, results);
}

/// Evaluates an integer reduction with wrapping arithmetic.
static DenseElementsAttr foldIntegerReduce(DenseElementsAttr input,
                                           RankedTensorType resultType,
                                           ArrayRef<int64_t> axes,
                                           ReduceFold kind) {
  unsigned width = resultType.getElementType().getIntOrFloatBitWidth();
  APInt neutral = APInt::getZero(width);
  if (kind == ReduceFold::Prod)
    neutral = APInt(width, 1);
  else if (kind == ReduceFold::Max)
    neutral = APInt::getSignedMinValue(width);
  else if (kind == ReduceFold::Min)
    neutral = APInt::getSignedMaxValue(width);
  SmallVector<APInt> results(resultType.getNumElements(), neutral);
  SmallVector<int64_t> positions =
      reducedPositions(input.getType().getShape(), axes);
  for (auto [i, value] : llvm::enumerate(input.getValues<APInt>())) {
    APInt &result = results[positions[i]];
    switch (kind) {
    case ReduceFold::Sum:
    case ReduceFold::Mean:
      result += value;
      break;
    case ReduceFold::Prod:
      result *= value;
      break;
    case ReduceFold::Max:
      result = llvm::APIntOps::smax(result, value);
      break;
    case ReduceFold::Min:
      result = llvm::APIntOps::smin(result, value);
      break;
    }
  }
  return DenseElementsAttr::get(resultType, results);
}

/// A reduction that keeps its reduced dims, all of size 1, is the identity;
/// a reduction of a small constant is evaluated.
static OpFoldResult foldReduce(Operation *op, Attribute constantInput,
                               ArrayRef<int64_t> axes, bool keepDims,
                               ReduceFold kind) {
  Value input = op->getOperand(0);
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (keepDims && inputType == resultType &&
      llvm::all_of(
          axes, [&](int64_t axis) { return inputType.getDimSize(axis) == 1; }))
    return input;
  auto elements = dyn_cast_if_present<DenseElementsAttr>(constantInput);
  if (!elements || !resultType.hasStaticShape() ||
      elements.getNumElements() > kMaxFoldedElements)
    return {};
  if (isa<FloatType>(resultType.getElementType()))
    return foldFloatReduce(elements, resultType, axes, kind);
  if (isa<IntegerType>(resultType.getElementType()) && kind != ReduceFold::Mean)
    return foldIntegerReduce(elements, resultType, axes, kind);
  return {};
}

#define KILN_REDUCE_FOLDER(OpClass, Kind)                                      \
  OpFoldResult OpClass::fold(FoldAdaptor adaptor) {                            \
    return foldReduce(*this, adaptor.getInput(), getAxes(), getKeepDims(),     \
                      Kind);                                                   \
  }

KILN_REDUCE_FOLDER(ReduceSumOp, ReduceFold::Sum)
KILN_REDUCE_FOLDER(ReduceMeanOp, ReduceFold::Mean)
KILN_REDUCE_FOLDER(ReduceMaxOp, ReduceFold::Max)
KILN_REDUCE_FOLDER(ReduceMinOp, ReduceFold::Min)
KILN_REDUCE_FOLDER(ReduceProdOp, ReduceFold::Prod)

//===----------------------------------------------------------------------===//
// Arg-reductions
//===----------------------------------------------------------------------===//

/// Checks that `axis` names a dim of `type`.
static LogicalResult checkAxis(std::optional<Location> loc, StringRef name,
                               int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, name, " axis ", axis,
                             " is out of range for rank ", rank,
                             " (must be in [0, rank))");
  return success();
}

static LogicalResult inferArgReduce(std::optional<Location> loc, StringRef name,
                                    Value input, int64_t axis, bool keepDims,
                                    SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(input);
  if (!inputType)
    return emitOptionalError(loc, name, " input must be a ranked tensor");
  if (failed(checkAxis(loc, name, axis, inputType.getRank())))
    return failure();
  if (inputType.getDimSize(axis) == 0)
    return emitOptionalError(loc, name, " dimension ", axis, " of ",
                             shapeToString(inputType.getShape()),
                             " is empty: there is no element to pick");
  SmallVector<int64_t> shape(inputType.getShape());
  if (keepDims)
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  Builder builder(input.getContext());
  inferred.push_back(RankedTensorType::get(shape, builder.getI64Type()));
  return success();
}

#define KILN_ARG_REDUCE_OP(OpClass, Name)                                      \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferArgReduce(loc, Name, adaptor.getInput(), adaptor.getAxis(),    \
                          adaptor.getKeepDims(), inferred);                    \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_ARG_REDUCE_OP(ArgMaxOp, "kiln.arg_max")
KILN_ARG_REDUCE_OP(ArgMinOp, "kiln.arg_min")

//===----------------------------------------------------------------------===//
// CumSumOp (its type is inferred through SameOperandsAndResultType)
//===----------------------------------------------------------------------===//

LogicalResult CumSumOp::verify() {
  int64_t rank = getType().getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank
                                << " (must be in [0, rank))";
  return success();
}

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.top_k";
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, name, " input must be a ranked tensor");
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (failed(checkAxis(loc, name, axis, inputType.getRank())))
    return failure();
  int64_t size = inputType.getDimSize(axis);
  if (k < 0)
    return emitOptionalError(loc, name, " k = ", k, " must not be negative");
  if (!ShapedType::isDynamic(size) && k > size)
    return emitOptionalError(loc, name, " k = ", k, " must be in [0, ", size,
                             "], the size of dimension ", axis, " of ",
                             shapeToString(inputType.getShape()));
  SmallVector<int64_t> shape(inputType.getShape());
  shape[axis] = k;
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(TopKOp)
