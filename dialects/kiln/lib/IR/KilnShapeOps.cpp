//===- KilnShapeOps.cpp - Reshaping, slicing, padding, resizing -----------===//
//
// Type inference and verification of one family of kiln ops; the rules
// shared by all families are in KilnOpsCommon.h.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, "kiln.reshape input must be a ranked tensor");
  SmallVector<int64_t> shape(adaptor.getShape());
  if (shape.size() > 64)
    return emitOptionalError(loc, "kiln.reshape target rank ", shape.size(),
                             " is too large");
  int inferredIndex = -1;
  int64_t knownProduct = 1;
  for (auto [index, dim] : llvm::enumerate(shape)) {
    if (dim == -1) {
      if (inferredIndex != -1)
        return emitOptionalError(loc, "kiln.reshape shape ",
                                 shapeToString(shape), " has more than one -1");
      inferredIndex = index;
      continue;
    }
    if (dim < 0)
      return emitOptionalError(loc,
                               "kiln.reshape shape entries must be -1 or "
                               "non-negative, got ",
                               dim);
    if (llvm::MulOverflow(knownProduct, dim, knownProduct))
      return emitOptionalError(loc, "kiln.reshape shape ", shapeToString(shape),
                               " overflows int64");
  }

  if (!inputType.hasStaticShape()) {
    if (inferredIndex >= 0)
      shape[inferredIndex] = kDynamic;
  } else {
    int64_t count = inputType.getNumElements();
    if (inferredIndex >= 0) {
      if (knownProduct == 0 || count % knownProduct != 0)
        return emitOptionalError(loc, "kiln.reshape cannot infer the -1 in ",
                                 shapeToString(shape), " for ", count,
                                 " elements");
      shape[inferredIndex] = count / knownProduct;
    } else if (knownProduct != count) {
      return emitOptionalError(loc, "kiln.reshape input ",
                               shapeToString(inputType.getShape()), " has ",
                               count, " elements but shape ",
                               shapeToString(shape), " has ", knownProduct);
    }
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ReshapeOp)

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc,
                             "kiln.transpose input must be a ranked tensor");
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(permutation.size()) != rank)
    return emitOptionalError(loc, "kiln.transpose permutation has ",
                             permutation.size(), " entries for rank ", rank);
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t source : permutation) {
    if (source < 0 || source >= rank || seen[source])
      return emitOptionalError(loc, "kiln.transpose permutation ",
                               shapeToString(permutation),
                               " is not a permutation of [0, ", rank, ")");
    seen[source] = true;
    shape.push_back(inputType.getDimSize(source));
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(TransposeOp)

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "kiln.concat needs at least one input");
  auto firstType = rankedType(inputs.front());
  if (!firstType)
    return emitOptionalError(loc, "kiln.concat inputs must be ranked tensors");
  int64_t rank = firstType.getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "kiln.concat axis ", axis,
                             " is out of range for rank ", rank,
                             " (must be in [0, rank))");
  SmallVector<int64_t> shape(firstType.getShape());
  for (auto [index, input] : llvm::enumerate(inputs.drop_front())) {
    auto type = rankedType(input);
    if (!type || type.getRank() != rank)
      return emitOptionalError(loc, "kiln.concat input ", index + 1,
                               " does not have rank ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type.getDimSize(d);
      if (d == axis) {
        if (ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size))
          shape[d] = kDynamic;
        else if (llvm::AddOverflow(shape[d], size, shape[d]))
          return emitOptionalError(loc, "kiln.concat size of dimension ", d,
                                   " overflows int64");
      } else if (ShapedType::isDynamic(shape[d])) {
        shape[d] = size;
      } else if (!ShapedType::isDynamic(size) && size != shape[d]) {
        return emitOptionalError(loc, "kiln.concat input ", index + 1,
                                 " shape ", shapeToString(type.getShape()),
                                 " differs from the others in dimension ", d);
      }
    }
  }
  inferred.push_back(RankedTensorType::get(shape, firstType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ConcatOp)

/// Checks that the static dims of a result shape have an element count that
/// fits in int64 (generated code addresses elements with int64 offsets).
static LogicalResult checkElementCount(std::optional<Location> loc,
                                       StringRef opName,
                                       ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (!ShapedType::isDynamic(dim) && llvm::MulOverflow(count, dim, count))
      return emitOptionalError(loc, opName, " result shape ",
                               shapeToString(shape),
                               " has more elements than int64 can count");
  return success();
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

/// Checks one dimension of a slice: the first and last element read must lie in
/// [0, dim). Returns the result size of the dimension.
static FailureOr<int64_t> checkSliceDim(std::optional<Location> loc, int64_t d,
                                        int64_t dim, int64_t offset,
                                        int64_t size, int64_t step) {
  if (step == 0)
    return emitOptionalError(loc, "kiln.slice step of dimension ", d, " is 0");
  if (size == -1) {
    if (offset != 0 || step != 1)
      return emitOptionalError(loc, "kiln.slice size -1 (the whole dimension ",
                               d, ") needs offset 0 and step 1, got offset ",
                               offset, " and step ", step);
    return dim;
  }
  if (size < 0)
    return emitOptionalError(loc, "kiln.slice size of dimension ", d,
                             " must be -1 or non-negative, got ", size);
  if (ShapedType::isDynamic(dim))
    return emitOptionalError(loc, "kiln.slice dimension ", d,
                             " is dynamic: it can only be taken whole (size "
                             "-1), its bounds cannot be checked");
  if (size == 0)
    return size;
  // The last element read is offset + (size - 1) * step; attributes may hold
  // any int64, so compute it with overflow checks.
  int64_t span, last;
  bool overflow = llvm::MulOverflow(size - 1, step, span) ||
                  llvm::AddOverflow(offset, span, last);
  if (overflow || offset < 0 || offset >= dim || last < 0 || last >= dim)
    return emitOptionalError(loc, "kiln.slice reads outside dimension ", d,
                             " of size ", dim, ": offset ", offset, ", size ",
                             size, ", step ", step);
  return size;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, "kiln.slice input must be a ranked tensor");
  int64_t rank = inputType.getRank();
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  if (static_cast<int64_t>(offsets.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return emitOptionalError(
        loc,
        "kiln.slice offsets, sizes and steps must have one "
        "entry per dimension (",
        rank, "), got ", offsets.size(), ", ", sizes.size(), " and ",
        steps.size());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    FailureOr<int64_t> size = checkSliceDim(loc, d, inputType.getDimSize(d),
                                            offsets[d], sizes[d], steps[d]);
    if (failed(size))
      return failure();
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(SliceOp)

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

/// Checks that the padding mode can fill `pad` elements next to a dimension of
/// static size `dim`.
static LogicalResult checkPadMode(std::optional<Location> loc, StringRef mode,
                                  int64_t d, int64_t dim, int64_t pad) {
  if (pad == 0 || ShapedType::isDynamic(dim))
    return success();
  if (mode == "reflect" && pad >= dim)
    return emitOptionalError(loc, "kiln.pad reflect pad ", pad,
                             " of dimension ", d,
                             " must be smaller than its size ", dim);
  if (mode == "edge" && dim == 0)
    return emitOptionalError(loc, "kiln.pad cannot pad empty dimension ", d,
                             " with its edge");
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, "kiln.pad input must be a ranked tensor");
  int64_t rank = inputType.getRank();
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  if (failed(checkArray(loc, "kiln.pad", "low", low, rank, 0)) ||
      failed(checkArray(loc, "kiln.pad", "high", high, rank, 0)))
    return failure();
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOptionalError(loc,
                             "kiln.pad mode must be \"constant\", "
                             "\"reflect\" or \"edge\", got \"",
                             mode, "\"");
  if (auto value = adaptor.getValueAttr()) {
    if (mode != "constant")
      return emitOptionalError(loc,
                               "kiln.pad value is only used by mode "
                               "\"constant\", not \"",
                               mode, "\"");
    if (value.getType() != inputType.getElementType())
      return emitOptionalError(loc, "kiln.pad value type ", value.getType(),
                               " differs from the element type ",
                               inputType.getElementType());
    if (!isa<FloatAttr, IntegerAttr>(value))
      return emitOptionalError(loc,
                               "kiln.pad value must be a float or integer");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = inputType.getDimSize(d);
    if (failed(checkPadMode(loc, mode, d, dim, low[d])) ||
        failed(checkPadMode(loc, mode, d, dim, high[d])))
      return failure();
    int64_t size = dim;
    if (!ShapedType::isDynamic(dim) && (llvm::AddOverflow(size, low[d], size) ||
                                        llvm::AddOverflow(size, high[d], size)))
      return emitOptionalError(loc, "kiln.pad size of dimension ", d,
                               " overflows int64");
    shape.push_back(size);
  }
  if (failed(checkElementCount(loc, "kiln.pad", shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(PadOp)

//===----------------------------------------------------------------------===//
// BroadcastToOp
//===----------------------------------------------------------------------===//

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc,
                             "kiln.broadcast_to input must be a ranked tensor");
  ArrayRef<int64_t> shape = adaptor.getShape();
  ArrayRef<int64_t> inputShape = inputType.getShape();
  if (failed(checkArray(loc, "kiln.broadcast_to", "shape", shape, shape.size(),
                        0)))
    return failure();
  if (inputShape.size() > shape.size())
    return emitOptionalError(loc, "kiln.broadcast_to cannot broadcast rank ",
                             inputShape.size(), " to the lower rank ",
                             shape.size());
  if (!inputType.hasStaticShape())
    return emitOptionalError(loc, "kiln.broadcast_to input ",
                             shapeToString(inputShape),
                             " must have a static shape");
  int64_t leading = shape.size() - inputShape.size();
  for (auto [index, dim] : llvm::enumerate(inputShape))
    if (dim != 1 && dim != shape[leading + index])
      return emitOptionalError(loc, "kiln.broadcast_to cannot broadcast ",
                               shapeToString(inputShape), " to ",
                               shapeToString(shape));
  if (failed(checkElementCount(loc, "kiln.broadcast_to", shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(BroadcastToOp)

//===----------------------------------------------------------------------===//
// ResizeOp
//===----------------------------------------------------------------------===//

/// Checks the string attributes of a resize against their allowed values.
static LogicalResult checkResizeModes(std::optional<Location> loc,
                                      ResizeOp::Adaptor adaptor,
                                      Type elementType) {
  StringRef mode = adaptor.getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOptionalError(loc,
                             "kiln.resize mode must be \"nearest\", "
                             "\"linear\" or \"cubic\", got \"",
                             mode, "\"");
  if (!isa<FloatType, IntegerType>(elementType))
    return emitOptionalError(loc,
                             "kiln.resize needs an integer or float "
                             "element type, got ",
                             elementType);
  if (mode != "nearest" && !isa<FloatType>(elementType))
    return emitOptionalError(loc, "kiln.resize mode \"", mode,
                             "\" needs a floating-point element type, got ",
                             elementType);
  StringRef transform = adaptor.getCoordinateTransformationMode();
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          transform))
    return emitOptionalError(
        loc, "kiln.resize coordinate_transformation_mode \"", transform,
        "\" is not one of half_pixel, pytorch_half_pixel, align_corners, "
        "asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize");
  StringRef nearest = adaptor.getNearestMode();
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          nearest))
    return emitOptionalError(loc, "kiln.resize nearest_mode \"", nearest,
                             "\" is not one of round_prefer_floor, "
                             "round_prefer_ceil, floor, ceil");
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, "kiln.resize input must be a ranked tensor");
  int64_t rank = inputType.getRank();
  if (!inputType.hasStaticShape())
    return emitOptionalError(loc, "kiln.resize input ",
                             shapeToString(inputType.getShape()),
                             " must have a static shape");
  if (failed(checkResizeModes(loc, adaptor, inputType.getElementType())))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  if (failed(checkArray(loc, "kiln.resize", "sizes", sizes, rank, 1)))
    return failure();
  if (static_cast<int64_t>(scales.size()) != rank)
    return emitOptionalError(loc, "kiln.resize 'scales' must have ", rank,
                             " entries, got ", scales.size());
  for (double scale : scales)
    if (!(scale > 0) || !std::isfinite(scale))
      return emitOptionalError(loc,
                               "kiln.resize scales must be positive and "
                               "finite, got ",
                               scale);
  for (int64_t d = 0; d < rank; ++d)
    if (inputType.getDimSize(d) == 0)
      return emitOptionalError(loc,
                               "kiln.resize cannot resize empty "
                               "dimension ",
                               d);
  if (adaptor.getCoordinateTransformationMode() == "tf_crop_and_resize") {
    std::optional<ArrayRef<double>> roi = adaptor.getRoi();
    if (!roi || static_cast<int64_t>(roi->size()) != 2 * rank)
      return emitOptionalError(loc,
                               "kiln.resize tf_crop_and_resize needs "
                               "'roi' with ",
                               2 * rank, " entries (starts, then ends)");
    if (!llvm::all_of(*roi, [](double v) { return std::isfinite(v); }))
      return emitOptionalError(loc, "kiln.resize roi must be finite");
  }
  if (failed(checkElementCount(loc, "kiln.resize", sizes)))
    return failure();
  inferred.push_back(RankedTensorType::get(sizes, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ResizeOp)
