//===- KilnDynamicShapeOps.cpp - Ops with run-time shape operands ---------===//
//
// Type inference, verification, folders and canonicalizations of the ops in
// KilnDynamicShapeOps.td. Inference looks at operand types only: a dim the
// operand's values decide is `?`, and a declared result type may be more
// static (the lowering checks it at run time). When the shape-like operand is
// a constant, each op canonicalizes to the static kiln op of the same meaning,
// keeping its declared result type (static ops accept `?` where they would
// infer a size), so that constant shapes keep the static, faster lowering.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

namespace {

/// The static length of a 1-D shape-like operand, or failure (with an error
/// naming `op` and `what`).
FailureOr<int64_t> listLength(std::optional<Location> loc, StringRef op,
                              StringRef what, Value value) {
  auto type = rankedType(value);
  if (!type || type.getRank() != 1 || type.isDynamicDim(0))
    return emitOptionalError(loc, op, " ", what,
                             " must be a 1-D tensor of static length, got ",
                             value.getType());
  if (type.getDimSize(0) > 64)
    return emitOptionalError(loc, op, " ", what, " has ", type.getDimSize(0),
                             " entries; at most 64 are supported");
  return type.getDimSize(0);
}

/// Checks that `value` is a tensor of exactly one element (rank 0 or [1]).
LogicalResult checkOneElement(std::optional<Location> loc, StringRef op,
                              StringRef what, Value value) {
  auto type = rankedType(value);
  if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
      type.getRank() > 1)
    return emitOptionalError(loc, op, " ", what,
                             " must be a tensor of one element (rank 0 or "
                             "[1]), got ",
                             value.getType());
  return success();
}

/// A tensor of `rank` dims, all `?`.
RankedTensorType dynamicTensor(int64_t rank, Type elementType) {
  return RankedTensorType::get(SmallVector<int64_t>(rank, kDynamic),
                               elementType);
}

/// The values of a constant integer operand.
std::optional<SmallVector<int64_t>> constantInts(Value value) {
  DenseIntElementsAttr elements;
  if (!matchPattern(value, m_Constant(&elements)))
    return std::nullopt;
  SmallVector<int64_t> result;
  for (const APInt &element : elements.getValues<APInt>())
    result.push_back(element.getSExtValue());
  return result;
}

/// The values of a constant float operand in double precision.
std::optional<SmallVector<double>> constantFloats(Value value) {
  DenseFPElementsAttr elements;
  if (!matchPattern(value, m_Constant(&elements)))
    return std::nullopt;
  SmallVector<double> result;
  for (APFloat element : elements.getValues<APFloat>()) {
    bool losesInfo = false;
    element.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    result.push_back(element.convertToDouble());
  }
  return result;
}

/// `axis` normalized into [0, rank), or nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// Every axis normalized into [0, rank), sorted; nullopt when one is out of
/// range or repeats.
std::optional<SmallVector<int64_t>> normalizeAxes(ArrayRef<int64_t> axes,
                                                  int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    std::optional<int64_t> normalized = normalizeAxis(axis, rank);
    if (!normalized || llvm::is_contained(result, *normalized))
      return std::nullopt;
    result.push_back(*normalized);
  }
  llvm::sort(result);
  return result;
}

/// Replaces `original` by the op that `OpTy::build(builder, state,
/// resultTypes, args...)` makes, with the original result types, when that
/// op's type inference accepts them. The candidate is built detached, so a
/// rejected one leaves the IR untouched (and reports nothing).
template <typename OpTy, typename... Args>
LogicalResult replaceWithStaticOp(PatternRewriter &rewriter,
                                  Operation *original, Args &&...args) {
  OperationState state(original->getLoc(), OpTy::getOperationName());
  OpTy::build(rewriter, state, original->getResult(0).getType(),
              std::forward<Args>(args)...);
  Operation *candidate = Operation::create(state);
  SmallVector<Type> inferred;
  bool accepted =
      succeeded(cast<InferTypeOpInterface>(candidate).inferReturnTypes(
          rewriter.getContext(), std::nullopt, candidate->getOperands(),
          candidate->getRawDictionaryAttrs(), candidate->getPropertiesStorage(),
          candidate->getRegions(), inferred)) &&
      areCompatibleTensorTypes(original->getResultTypes(), inferred);
  if (!accepted) {
    candidate->destroy();
    return failure();
  }
  rewriter.insert(candidate);
  rewriter.replaceOp(original, candidate->getResults());
  return success();
}

/// A kiln.reshape of `input` to the static `shape` replacing `original`.
LogicalResult replaceWithReshape(PatternRewriter &rewriter, Operation *original,
                                 Value input, ArrayRef<int64_t> shape) {
  return replaceWithStaticOp<ReshapeOp>(rewriter, original, input,
                                        rewriter.getDenseI64ArrayAttr(shape));
}

} // namespace

//===----------------------------------------------------------------------===//
// ShapeOfOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  if (!type)
    return emitOptionalError(loc, "kiln.shape_of input must be ranked");
  inferred.push_back(
      RankedTensorType::get({type.getRank()}, IntegerType::get(context, 64)));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ShapeOfOp)

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getInput().getType());
  if (!type.hasStaticShape())
    return {};
  return DenseIntElementsAttr::get(cast<RankedTensorType>(getType()),
                                   type.getShape());
}

//===----------------------------------------------------------------------===//
// DynamicReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult
DynamicReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> rank =
      listLength(loc, "kiln.dynamic_reshape", "shape", adaptor.getShape());
  if (!type || failed(rank))
    return failure();
  inferred.push_back(dynamicTensor(*rank, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DynamicReshapeOp)

LogicalResult DynamicReshapeOp::canonicalize(DynamicReshapeOp op,
                                             PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> shape = constantInts(op.getShape());
  if (!shape)
    return failure();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  // kiln.reshape has no "copy the input dim": resolve ONNX's 0 entries from
  // static input dims (a 0 copying a `?` stays a run-time reshape).
  if (!op.getAllowZero()) {
    for (auto [index, dim] : llvm::enumerate(*shape)) {
      if (dim != 0)
        continue;
      if (static_cast<int64_t>(index) >= inputType.getRank() ||
          inputType.isDynamicDim(index))
        return failure();
      dim = inputType.getDimSize(index);
    }
  }
  return replaceWithReshape(rewriter, op, op.getInput(), *shape);
}

//===----------------------------------------------------------------------===//
// UnsqueezeOp and SqueezeOp
//===----------------------------------------------------------------------===//

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> count =
      listLength(loc, "kiln.unsqueeze", "axes", adaptor.getAxes());
  if (!type || failed(count))
    return failure();
  inferred.push_back(
      dynamicTensor(type.getRank() + *count, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(UnsqueezeOp)

/// The shape of `type` with dims of size 1 inserted at `axes` (normalized
/// against the result rank), or nullopt when an axis is invalid or the shape
/// would need more than one `?`.
static std::optional<SmallVector<int64_t>>
unsqueezedShape(RankedTensorType type, ArrayRef<int64_t> given) {
  int64_t rank = type.getRank() + given.size();
  std::optional<SmallVector<int64_t>> axes = normalizeAxes(given, rank);
  if (!axes)
    return std::nullopt;
  SmallVector<int64_t> shape;
  int64_t source = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(*axes, d)) {
      shape.push_back(1);
      continue;
    }
    shape.push_back(type.isDynamicDim(source) ? -1 : type.getDimSize(source));
    ++source;
  }
  if (llvm::count(shape, -1) > 1)
    return std::nullopt;
  return shape;
}

LogicalResult UnsqueezeOp::canonicalize(UnsqueezeOp op,
                                        PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> axes = constantInts(op.getAxes());
  if (!axes)
    return failure();
  auto shape =
      unsqueezedShape(cast<RankedTensorType>(op.getInput().getType()), *axes);
  if (!shape)
    return failure();
  return replaceWithReshape(rewriter, op, op.getInput(), *shape);
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> count =
      listLength(loc, "kiln.squeeze", "axes", adaptor.getAxes());
  if (!type || failed(count))
    return failure();
  if (*count > type.getRank())
    return emitOptionalError(loc, "kiln.squeeze cannot remove ", *count,
                             " dims from rank ", type.getRank());
  inferred.push_back(
      dynamicTensor(type.getRank() - *count, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(SqueezeOp)

LogicalResult SqueezeOp::canonicalize(SqueezeOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> given = constantInts(op.getAxes());
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (!given)
    return failure();
  std::optional<SmallVector<int64_t>> axes =
      normalizeAxes(*given, type.getRank());
  if (!axes)
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool removed = llvm::is_contained(*axes, d);
    // A removed `?` dim must be 1 at run time: only the run-time op checks.
    if (removed && type.getDimSize(d) != 1)
      return failure();
    if (!removed)
      shape.push_back(type.isDynamicDim(d) ? -1 : type.getDimSize(d));
  }
  if (llvm::count(shape, -1) > 1)
    return failure();
  return replaceWithReshape(rewriter, op, op.getInput(), shape);
}

//===----------------------------------------------------------------------===//
// DynamicBroadcastToOp
//===----------------------------------------------------------------------===//

LogicalResult DynamicBroadcastToOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> length =
      listLength(loc, "kiln.dynamic_broadcast_to", "shape", adaptor.getShape());
  if (!type || failed(length))
    return failure();
  int64_t rank = std::max(type.getRank(), *length);
  SmallVector<int64_t> shape(rank, kDynamic);
  // An input dim other than 1 is the result's (the shape must have 1 or it).
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.getDimSize(d) != 1)
      shape[rank - type.getRank() + d] = type.getDimSize(d);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DynamicBroadcastToOp)

LogicalResult DynamicBroadcastToOp::canonicalize(DynamicBroadcastToOp op,
                                                 PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> given = constantInts(op.getShape());
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (!given || !type.hasStaticShape() ||
      llvm::any_of(*given, [](int64_t dim) { return dim < 0; }))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(type.getShape(), *given);
  if (failed(shape))
    return failure();
  return replaceWithStaticOp<BroadcastToOp>(
      rewriter, op, op.getInput(), rewriter.getDenseI64ArrayAttr(*shape));
}

//===----------------------------------------------------------------------===//
// TileOp
//===----------------------------------------------------------------------===//

LogicalResult TileOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> length =
      listLength(loc, "kiln.tile", "repeats", adaptor.getRepeats());
  if (!type || failed(length))
    return failure();
  if (*length != type.getRank())
    return emitOptionalError(loc, "kiln.tile repeats has ", *length,
                             " entries for rank ", type.getRank());
  SmallVector<int64_t> shape;
  for (int64_t dim : type.getShape())
    shape.push_back(dim == 0 ? 0 : kDynamic);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(TileOp)

/// Constant repeats of a static input: the reshape, broadcast and reshape
/// that the ONNX importer builds for them ([d0, d1] becomes [1, d0, 1, d1],
/// is broadcast to [r0, d0, r1, d1] and reshaped to [r0 * d0, r1 * d1]).
LogicalResult TileOp::canonicalize(TileOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> repeats = constantInts(op.getRepeats());
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  if (!repeats || !inputType.hasStaticShape())
    return failure();
  SmallVector<int64_t> interleaved, expanded, tiled;
  int64_t count = 1;
  for (auto [dim, repeat] : llvm::zip(inputType.getShape(), *repeats)) {
    int64_t size;
    if (repeat < 0 || llvm::MulOverflow(dim, repeat, size) ||
        llvm::MulOverflow(count, size, count))
      return failure();
    interleaved.append({1, dim});
    expanded.append({repeat, dim});
    tiled.push_back(size);
  }
  auto type = cast<RankedTensorType>(op.getType());
  if (!areCompatibleTensorTypes(
          type, RankedTensorType::get(tiled, type.getElementType())))
    return failure();
  Location loc = op.getLoc();
  Type elementType = type.getElementType();
  Value reshaped = ReshapeOp::create(
      rewriter, loc, RankedTensorType::get(interleaved, elementType),
      op.getInput(), interleaved);
  Value broadcast = BroadcastToOp::create(
      rewriter, loc, RankedTensorType::get(expanded, elementType), reshaped,
      expanded);
  rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, broadcast, tiled);
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicSliceOp
//===----------------------------------------------------------------------===//

LogicalResult
DynamicSliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  if (!type)
    return failure();
  // A named array: an ArrayRef of a braced list would dangle in the loop.
  static constexpr StringLiteral names[] = {"starts", "ends", "axes", "steps"};
  SmallVector<int64_t> lengths;
  for (auto [name, value] :
       llvm::zip(names, adaptor.getOperands().drop_front())) {
    FailureOr<int64_t> length =
        listLength(loc, "kiln.dynamic_slice", name, value);
    if (failed(length))
      return failure();
    lengths.push_back(*length);
  }
  if (!llvm::all_equal(lengths))
    return emitOptionalError(loc,
                             "kiln.dynamic_slice starts, ends, axes and steps "
                             "must have the same length");
  if (lengths.front() > type.getRank())
    return emitOptionalError(loc, "kiln.dynamic_slice slices ", lengths.front(),
                             " axes of a rank-", type.getRank(), " tensor");
  SmallVector<int64_t> shape;
  for (int64_t dim : type.getShape())
    shape.push_back(dim == 0 ? 0 : kDynamic);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DynamicSliceOp)

/// ONNX's clamping of one axis of a slice with constant bounds to kiln.slice's
/// offset, size and step (the same rules as the lowering's run-time code).
static void resolveSliceAxis(int64_t start, int64_t end, int64_t step,
                             int64_t dim, int64_t &offset, int64_t &size,
                             int64_t &stride) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, std::max<int64_t>(dim - 1, 0));
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  int64_t span = step > 0 ? end - start : start - end;
  uint64_t magnitude = step > 0 ? uint64_t(step) : -uint64_t(step);
  size = span <= 0 ? 0 : static_cast<int64_t>((span - 1) / magnitude) + 1;
  offset = size == 0 ? 0 : start;
  stride = size <= 1 ? 1 : step;
}

LogicalResult DynamicSliceOp::canonicalize(DynamicSliceOp op,
                                           PatternRewriter &rewriter) {
  auto starts = constantInts(op.getStarts()), ends = constantInts(op.getEnds()),
       axes = constantInts(op.getAxes()), steps = constantInts(op.getSteps());
  auto type = cast<RankedTensorType>(op.getInput().getType());
  int64_t rank = type.getRank();
  if (!starts || !ends || !axes || !steps)
    return failure();
  SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), strides(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes->size(); ++i) {
    std::optional<int64_t> axis = normalizeAxis((*axes)[i], rank);
    // Invalid values are left to the run-time checks, which name them.
    if (!axis || seen[*axis] || (*steps)[i] == 0 || type.isDynamicDim(*axis))
      return failure();
    seen[*axis] = true;
    resolveSliceAxis((*starts)[i], (*ends)[i], (*steps)[i],
                     type.getDimSize(*axis), offsets[*axis], sizes[*axis],
                     strides[*axis]);
  }
  return replaceWithStaticOp<SliceOp>(rewriter, op, op.getInput(),
                                      rewriter.getDenseI64ArrayAttr(offsets),
                                      rewriter.getDenseI64ArrayAttr(sizes),
                                      rewriter.getDenseI64ArrayAttr(strides));
}

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> parts =
      listLength(loc, "kiln.split", "sizes", adaptor.getSizes());
  if (!type || failed(parts))
    return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= type.getRank())
    return emitOptionalError(loc, "kiln.split axis ", axis,
                             " is out of range for rank ", type.getRank());
  SmallVector<int64_t> shape(type.getShape());
  if (shape[axis] != 0)
    shape[axis] = kDynamic;
  inferred.append(*parts, RankedTensorType::get(shape, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(SplitOp)

/// Constant sizes: one static kiln.slice per part.
LogicalResult SplitOp::canonicalize(SplitOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> sizes = constantInts(op.getSizes());
  auto type = cast<RankedTensorType>(op.getInput().getType());
  int64_t axis = op.getAxis(), rank = type.getRank();
  if (!sizes || type.isDynamicDim(axis))
    return failure();
  int64_t total = 0;
  for (int64_t size : *sizes)
    if (size < 0 || llvm::AddOverflow(total, size, total))
      return failure();
  if (total != type.getDimSize(axis))
    return failure();
  SmallVector<Value> parts;
  SmallVector<int64_t> offsets(rank, 0), steps(rank, 1);
  int64_t offset = 0;
  for (auto [size, result] : llvm::zip(*sizes, op.getResults())) {
    SmallVector<int64_t> extents(rank, -1);
    offsets[axis] = size == 0 ? 0 : offset;
    extents[axis] = size;
    offset += size;
    auto resultType = cast<RankedTensorType>(result.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = size;
    if (!areCompatibleTensorTypes(
            resultType, RankedTensorType::get(shape, type.getElementType())))
      return failure();
    parts.push_back(SliceOp::create(rewriter, op.getLoc(), resultType,
                                    op.getInput(), offsets, extents, steps));
  }
  rewriter.replaceOp(op, parts);
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicPadOp
//===----------------------------------------------------------------------===//

LogicalResult DynamicPadOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> length =
      listLength(loc, "kiln.dynamic_pad", "pads", adaptor.getPads());
  if (!type || failed(length))
    return failure();
  if (*length != 2 * type.getRank())
    return emitOptionalError(loc, "kiln.dynamic_pad pads has ", *length,
                             " entries for rank ", type.getRank(),
                             " (needs 2 * rank)");
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOptionalError(loc,
                             "kiln.dynamic_pad mode must be \"constant\", "
                             "\"reflect\" or \"edge\", got \"",
                             mode, "\"");
  if (Value value = adaptor.getValue()) {
    if (mode != "constant")
      return emitOptionalError(loc,
                               "kiln.dynamic_pad value is only used by mode "
                               "\"constant\"");
    if (failed(checkOneElement(loc, "kiln.dynamic_pad", "value", value)))
      return failure();
    if (getElementTypeOrSelf(value) != type.getElementType())
      return emitOptionalError(
          loc, "kiln.dynamic_pad value type ", value.getType(),
          " differs from the element type ", type.getElementType());
  }
  inferred.push_back(dynamicTensor(type.getRank(), type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DynamicPadOp)

/// Constant, non-negative pads (and a constant value): kiln.pad.
LogicalResult DynamicPadOp::canonicalize(DynamicPadOp op,
                                         PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> pads = constantInts(op.getPads());
  if (!pads || llvm::any_of(*pads, [](int64_t pad) { return pad < 0; }))
    return failure();
  TypedAttr value;
  if (op.getValue()) {
    DenseElementsAttr elements;
    if (!matchPattern(op.getValue(), m_Constant(&elements)))
      return failure();
    value = cast<TypedAttr>(*elements.getValues<Attribute>().begin());
  }
  int64_t rank = pads->size() / 2;
  ArrayRef<int64_t> all(*pads);
  return replaceWithStaticOp<PadOp>(
      rewriter, op, op.getInput(),
      rewriter.getDenseI64ArrayAttr(all.take_front(rank)),
      rewriter.getDenseI64ArrayAttr(all.drop_front(rank)), op.getModeAttr(),
      value);
}

//===----------------------------------------------------------------------===//
// ConstantOfShapeOp
//===----------------------------------------------------------------------===//

LogicalResult
ConstantOfShapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  FailureOr<int64_t> rank =
      listLength(loc, "kiln.constant_of_shape", "shape", adaptor.getShape());
  if (failed(rank))
    return failure();
  Type elementType = adaptor.getValue().getType();
  if (!isa<FloatType, IntegerType>(elementType))
    return emitOptionalError(loc,
                             "kiln.constant_of_shape value must be a float or "
                             "integer, got ",
                             adaptor.getValue());
  inferred.push_back(dynamicTensor(*rank, elementType));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ConstantOfShapeOp)

/// A splat constant when the shape is a constant that the (static) result type
/// agrees with.
OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  auto shape = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getShape());
  if (!shape || !type.hasStaticShape())
    return {};
  for (auto [dim, given] : llvm::zip(type.getShape(), shape.getValues<APInt>()))
    if (dim != given.getSExtValue())
      return {};
  return DenseElementsAttr::get(type, getValue());
}

//===----------------------------------------------------------------------===//
// RangeOp
//===----------------------------------------------------------------------===//

LogicalResult RangeOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  Type elementType = getElementTypeOrSelf(adaptor.getStart());
  // A named array: an ArrayRef of a braced list would dangle in the loop.
  static constexpr StringLiteral names[] = {"start", "limit", "delta"};
  for (auto [name, value] : llvm::zip(names, adaptor.getOperands())) {
    if (failed(checkOneElement(loc, "kiln.range", name, value)))
      return failure();
    if (getElementTypeOrSelf(value) != elementType)
      return emitOptionalError(loc,
                               "kiln.range start, limit and delta must have "
                               "the same element type");
  }
  if (elementType.isInteger(1))
    return emitOptionalError(loc, "kiln.range of booleans");
  inferred.push_back(dynamicTensor(1, elementType));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(RangeOp)

/// The one element of a constant operand in double precision.
static std::optional<double> scalarAttrValue(Attribute attr) {
  auto elements = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!elements || elements.getNumElements() != 1)
    return std::nullopt;
  Attribute element = *elements.getValues<Attribute>().begin();
  if (auto floatAttr = dyn_cast<FloatAttr>(element))
    return floatAttr.getValueAsDouble();
  if (auto intAttr = dyn_cast<IntegerAttr>(element))
    return static_cast<double>(intAttr.getValue().getSExtValue());
  return std::nullopt;
}

/// Evaluated when every operand is a constant and the result type is the
/// static size they give (ONNX's importer evaluates constant ranges itself).
OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  std::optional<double> start = scalarAttrValue(adaptor.getStart()),
                        limit = scalarAttrValue(adaptor.getLimit()),
                        delta = scalarAttrValue(adaptor.getDelta());
  if (!type.hasStaticShape() || !start || !limit || !delta || *delta == 0)
    return {};
  double steps = std::ceil((*limit - *start) / *delta);
  int64_t count = steps > 0 ? static_cast<int64_t>(steps) : 0;
  if (!(steps < double(int64_t(1) << 20)) || count != type.getDimSize(0))
    return {};
  SmallVector<Attribute> values;
  Type elementType = type.getElementType();
  for (int64_t i = 0; i < count; ++i) {
    if (auto floatType = dyn_cast<FloatType>(elementType))
      values.push_back(FloatAttr::get(floatType, *start + i * *delta));
    else
      values.push_back(
          IntegerAttr::get(elementType, static_cast<int64_t>(*start) +
                                            i * static_cast<int64_t>(*delta)));
  }
  return DenseElementsAttr::get(type, values);
}

//===----------------------------------------------------------------------===//
// RandomUniformLikeOp
//===----------------------------------------------------------------------===//

LogicalResult RandomUniformLikeOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getLike());
  if (!type)
    return emitOptionalError(loc, "kiln.random_uniform_like needs a ranked "
                                  "tensor to take the shape of");
  inferred.push_back(type.clone(Float64Type::get(context)));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(RandomUniformLikeOp)

LogicalResult RandomUniformLikeOp::verify() {
  // NumPy's legacy seeding takes seeds in [0, 2^32).
  if (getSeed() < 0 || getSeed() > int64_t(UINT32_MAX))
    return emitOpError("seed must be in [0, 2^32), got ") << getSeed();
  // The run-time offset added to the seed: one signless 64-bit integer.
  if (Value offset = getSeedOffset()) {
    auto type = cast<RankedTensorType>(offset.getType());
    if (type.getRank() != 0 || !type.getElementType().isSignlessInteger(64))
      return emitOpError("seed_offset must be a rank-0 tensor<i64>, got ")
             << type;
  }
  return success();
}

/// A constant offset moves into the seed: the generator's state is then
/// computed when compiling.
LogicalResult RandomUniformLikeOp::canonicalize(RandomUniformLikeOp op,
                                                PatternRewriter &rewriter) {
  if (!op.getSeedOffset())
    return failure();
  std::optional<SmallVector<int64_t>> offset = constantInts(op.getSeedOffset());
  if (!offset || offset->size() != 1)
    return failure();
  // (seed + offset) mod 2^32, as the lowering computes it at run time.
  uint32_t seed = static_cast<uint32_t>(static_cast<uint64_t>(op.getSeed()) +
                                        static_cast<uint64_t>((*offset)[0]));
  rewriter.replaceOpWithNewOp<RandomUniformLikeOp>(
      op, op.getType(), op.getLike(), /*seed_offset=*/Value(), uint64_t(seed));
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicReduceSumOp
//===----------------------------------------------------------------------===//

LogicalResult
DynamicReduceSumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  FailureOr<int64_t> count =
      listLength(loc, "kiln.dynamic_reduce_sum", "axes", adaptor.getAxes());
  if (!type || failed(count))
    return failure();
  if (*count == 0 || *count > type.getRank())
    return emitOptionalError(loc, "kiln.dynamic_reduce_sum needs 1 to ",
                             type.getRank(), " axes, got ", *count);
  SmallVector<int64_t> shape;
  for (int64_t dim : type.getShape())
    shape.push_back(dim == 1 ? 1 : kDynamic);
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DynamicReduceSumOp)

LogicalResult DynamicReduceSumOp::canonicalize(DynamicReduceSumOp op,
                                               PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> given = constantInts(op.getAxes());
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (!given)
    return failure();
  std::optional<SmallVector<int64_t>> axes =
      normalizeAxes(*given, type.getRank());
  if (!axes)
    return failure();
  return replaceWithStaticOp<ReduceSumOp>(rewriter, op, op.getInput(),
                                          rewriter.getDenseI64ArrayAttr(*axes),
                                          rewriter.getBoolAttr(true));
}

//===----------------------------------------------------------------------===//
// DynamicCumSumOp
//===----------------------------------------------------------------------===//

LogicalResult DynamicCumSumOp::verify() {
  if (failed(
          checkOneElement(getLoc(), "kiln.dynamic_cumsum", "axis", getAxis())))
    return failure();
  if (cast<RankedTensorType>(getInput().getType()).getRank() == 0)
    return emitOpError("needs an input of rank 1 or more");
  return success();
}

LogicalResult DynamicCumSumOp::canonicalize(DynamicCumSumOp op,
                                            PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> given = constantInts(op.getAxis());
  int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
  if (!given)
    return failure();
  std::optional<int64_t> axis = normalizeAxis(given->front(), rank);
  if (!axis)
    return failure();
  rewriter.replaceOpWithNewOp<CumSumOp>(op, op.getType(), op.getInput(), *axis,
                                        op.getExclusive(), op.getReverse());
  return success();
}

//===----------------------------------------------------------------------===//
// DynamicResizeOp
//===----------------------------------------------------------------------===//

/// Checks the modes of a resize (the values kiln.resize accepts).
static LogicalResult checkDynamicResizeModes(std::optional<Location> loc,
                                             DynamicResizeOp::Adaptor adaptor,
                                             Type elementType) {
  StringRef mode = adaptor.getMode();
  if (!llvm::is_contained({"nearest", "linear", "cubic"}, mode))
    return emitOptionalError(loc,
                             "kiln.dynamic_resize mode must be \"nearest\", "
                             "\"linear\" or \"cubic\", got \"",
                             mode, "\"");
  if (!isa<FloatType, IntegerType>(elementType) ||
      (mode != "nearest" && !isa<FloatType>(elementType)))
    return emitOptionalError(loc, "kiln.dynamic_resize mode \"", mode,
                             "\" cannot resize elements of type ", elementType);
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          adaptor.getCoordinateTransformationMode()))
    return emitOptionalError(
        loc, "kiln.dynamic_resize coordinate_transformation_mode \"",
        adaptor.getCoordinateTransformationMode(), "\" is not supported");
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          adaptor.getNearestMode()))
    return emitOptionalError(loc, "kiln.dynamic_resize nearest_mode \"",
                             adaptor.getNearestMode(), "\" is not supported");
  return success();
}

LogicalResult
DynamicResizeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  auto type = rankedType(adaptor.getInput());
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  if (failed(checkDynamicResizeModes(loc, adaptor, type.getElementType())))
    return failure();
  if (!adaptor.getScales() == !adaptor.getSizes())
    return emitOptionalError(
        loc, "kiln.dynamic_resize needs exactly one of scales and sizes");
  Value given = adaptor.getScales() ? adaptor.getScales() : adaptor.getSizes();
  FailureOr<int64_t> length =
      listLength(loc, "kiln.dynamic_resize",
                 adaptor.getScales() ? "scales" : "sizes", given);
  if (failed(length))
    return failure();
  if (*length != rank)
    return emitOptionalError(loc, "kiln.dynamic_resize needs ", rank,
                             " scales or sizes, got ", *length);
  bool crop = adaptor.getCoordinateTransformationMode() == "tf_crop_and_resize";
  if (crop && !adaptor.getRoi())
    return emitOptionalError(
        loc, "kiln.dynamic_resize tf_crop_and_resize needs roi");
  if (Value roi = adaptor.getRoi()) {
    FailureOr<int64_t> roiLength =
        listLength(loc, "kiln.dynamic_resize", "roi", roi);
    if (failed(roiLength))
      return failure();
    if (*roiLength != 2 * rank)
      return emitOptionalError(loc, "kiln.dynamic_resize roi needs ", 2 * rank,
                               " entries (starts, then ends), got ",
                               *roiLength);
  }
  inferred.push_back(dynamicTensor(rank, type.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DynamicResizeOp)

/// Constant scales or sizes (and roi) of a static input: kiln.resize, with the
/// sizes and scales ONNX derives from them.
LogicalResult DynamicResizeOp::canonicalize(DynamicResizeOp op,
                                            PatternRewriter &rewriter) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (!type.hasStaticShape() || llvm::is_contained(type.getShape(), 0))
    return failure();
  SmallVector<int64_t> sizes;
  SmallVector<double> scales;
  if (op.getSizes()) {
    std::optional<SmallVector<int64_t>> given = constantInts(op.getSizes());
    if (!given)
      return failure();
    sizes = *given;
    for (auto [size, dim] : llvm::zip(sizes, type.getShape()))
      scales.push_back(double(size) / double(dim));
  } else {
    std::optional<SmallVector<double>> given = constantFloats(op.getScales());
    if (!given)
      return failure();
    scales = *given;
    for (auto [scale, dim] : llvm::zip(scales, type.getShape())) {
      double size = std::floor(double(dim) * scale);
      if (!(scale > 0) || !(size < double(int64_t(1) << 40)))
        return failure();
      sizes.push_back(static_cast<int64_t>(size));
    }
  }
  if (llvm::any_of(sizes, [](int64_t size) { return size < 1; }))
    return failure();
  DenseF64ArrayAttr roi;
  if (op.getRoi()) {
    std::optional<SmallVector<double>> given = constantFloats(op.getRoi());
    if (!given)
      return failure();
    roi = rewriter.getDenseF64ArrayAttr(*given);
  }
  return replaceWithStaticOp<ResizeOp>(
      rewriter, op, op.getInput(), rewriter.getDenseI64ArrayAttr(sizes),
      rewriter.getDenseF64ArrayAttr(scales), op.getModeAttr(),
      op.getCoordinateTransformationModeAttr(), op.getNearestModeAttr(),
      op.getCubicCoeffAAttr(), op.getExcludeOutsideAttr(),
      op.getExtrapolationValueAttr(), roi);
}
