//===- KilnIndexingOps.cpp - Gathers and scatters -------------------------===//
//
// Type inference and verification of kiln.gather, gather_elements, gather_nd,
// scatter_elements and scatter_nd (part of the shape family, KilnShapeOps.td).
// Index values are checked at run time by the generated code; here only
// shapes, axes and attributes are.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

/// Checks that `axis` is in [0, rank).
static LogicalResult checkAxis(std::optional<Location> loc, StringRef opName,
                               int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, opName, " axis ", axis,
                             " is out of range for rank ", rank,
                             " (must be in [0, rank))");
  return success();
}

/// Checks that `reduction` is one the scatter ops implement, on an element
/// type it can compute with.
static LogicalResult checkReduction(std::optional<Location> loc,
                                    StringRef opName, StringRef reduction,
                                    Type elementType) {
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return emitOptionalError(loc, opName,
                             " reduction must be \"none\", \"add\" or \"mul\", "
                             "got \"",
                             reduction, "\"");
  if (reduction != "none" && !isa<FloatType>(elementType) &&
      !elementType.isSignlessInteger())
    return emitOptionalError(loc, opName, " reduction \"", reduction,
                             "\" needs a float or signless integer element "
                             "type, got ",
                             elementType);
  return success();
}

/// Two dims agree when either is dynamic or they are equal.
static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Whether `type` may hold elements: an index tensor that does cannot address
/// an empty dimension.
static bool mayHaveElements(RankedTensorType type) {
  return !type.hasStaticShape() || type.getNumElements() != 0;
}

/// The per-element index ops (gather_elements, scatter_elements): `indices`
/// has the rank of `data` and is no larger in any dim but `axis`.
static LogicalResult checkElementIndices(std::optional<Location> loc,
                                         StringRef opName,
                                         RankedTensorType dataType,
                                         RankedTensorType indicesType,
                                         int64_t axis) {
  int64_t rank = dataType.getRank();
  if (rank == 0)
    return emitOptionalError(loc, opName, " data must have rank 1 or more");
  if (failed(checkAxis(loc, opName, axis, rank)))
    return failure();
  if (indicesType.getRank() != rank)
    return emitOptionalError(
        loc, opName, " indices ", shapeToString(indicesType.getShape()),
        " must have the rank of data ", shapeToString(dataType.getShape()));
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = dataType.getDimSize(d), indexDim = indicesType.getDimSize(d);
    if (d != axis && !ShapedType::isDynamic(dim) &&
        !ShapedType::isDynamic(indexDim) && indexDim > dim)
      return emitOptionalError(
          loc, opName, " indices ", shapeToString(indicesType.getShape()),
          " are larger than data ", shapeToString(dataType.getShape()),
          " in dimension ", d);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto dataType = rankedType(adaptor.getData());
  auto indicesType = rankedType(adaptor.getIndices());
  if (!dataType || !indicesType)
    return emitOptionalError(loc,
                             "kiln.gather operands must be ranked tensors");
  int64_t axis = adaptor.getAxis(), rank = dataType.getRank();
  if (failed(checkAxis(loc, "kiln.gather", axis, rank)))
    return failure();
  if (dataType.getDimSize(axis) == 0 && mayHaveElements(indicesType))
    return emitOptionalError(loc,
                             "kiln.gather cannot take indices of empty "
                             "dimension ",
                             axis);
  ArrayRef<int64_t> dataShape = dataType.getShape();
  SmallVector<int64_t> shape(dataShape.take_front(axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, dataShape.drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, dataType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(GatherOp)

//===----------------------------------------------------------------------===//
// GatherElementsOp
//===----------------------------------------------------------------------===//

LogicalResult
GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.gather_elements";
  auto dataType = rankedType(adaptor.getData());
  auto indicesType = rankedType(adaptor.getIndices());
  if (!dataType || !indicesType)
    return emitOptionalError(loc, name, " operands must be ranked tensors");
  if (failed(checkElementIndices(loc, name, dataType, indicesType,
                                 adaptor.getAxis())))
    return failure();
  if (dataType.getDimSize(adaptor.getAxis()) == 0 &&
      mayHaveElements(indicesType))
    return emitOptionalError(loc, name,
                             " cannot take indices of empty dimension ",
                             adaptor.getAxis());
  inferred.push_back(
      RankedTensorType::get(indicesType.getShape(), dataType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(GatherElementsOp)

//===----------------------------------------------------------------------===//
// GatherNDOp
//===----------------------------------------------------------------------===//

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.gather_nd";
  auto dataType = rankedType(adaptor.getData());
  auto indicesType = rankedType(adaptor.getIndices());
  if (!dataType || !indicesType)
    return emitOptionalError(loc, name, " operands must be ranked tensors");
  int64_t rank = dataType.getRank(), indicesRank = indicesType.getRank();
  int64_t batchDims = adaptor.getBatchDims();
  if (rank < 1 || indicesRank < 1)
    return emitOptionalError(loc, name,
                             " data and indices must have rank 1 or more");
  if (batchDims < 0 || batchDims >= std::min(rank, indicesRank))
    return emitOptionalError(loc, name, " batch_dims ", batchDims,
                             " must be in [0, min(rank(data), rank(indices)))");
  int64_t depth = indicesType.getShape().back();
  if (ShapedType::isDynamic(depth) || depth < 1 || depth > rank - batchDims)
    return emitOptionalError(loc, name, " the last dimension of indices ",
                             shapeToString(indicesType.getShape()),
                             " must be static and in [1, ", rank - batchDims,
                             "]");
  for (int64_t d = 0; d < batchDims; ++d)
    if (!dimsAgree(dataType.getDimSize(d), indicesType.getDimSize(d)))
      return emitOptionalError(
          loc, name, " batch dimension ", d, " differs between data ",
          shapeToString(dataType.getShape()), " and indices ",
          shapeToString(indicesType.getShape()));
  for (int64_t d = batchDims; d < batchDims + depth; ++d)
    if (dataType.getDimSize(d) == 0 && mayHaveElements(indicesType))
      return emitOptionalError(loc, name,
                               " cannot take indices of empty dimension ", d);
  SmallVector<int64_t> shape(indicesType.getShape().drop_back());
  for (int64_t d = 0; d < batchDims; ++d)
    if (ShapedType::isDynamic(shape[d]))
      shape[d] = dataType.getDimSize(d);
  llvm::append_range(shape, dataType.getShape().drop_front(batchDims + depth));
  inferred.push_back(RankedTensorType::get(shape, dataType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(GatherNDOp)

//===----------------------------------------------------------------------===//
// ScatterElementsOp
//===----------------------------------------------------------------------===//

LogicalResult
ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.scatter_elements";
  auto dataType = rankedType(adaptor.getData());
  auto indicesType = rankedType(adaptor.getIndices());
  auto updatesType = rankedType(adaptor.getUpdates());
  if (!dataType || !indicesType || !updatesType)
    return emitOptionalError(loc, name, " operands must be ranked tensors");
  if (failed(checkReduction(loc, name, adaptor.getReduction(),
                            dataType.getElementType())) ||
      failed(checkElementIndices(loc, name, dataType, indicesType,
                                 adaptor.getAxis())))
    return failure();
  if (updatesType.getElementType() != dataType.getElementType())
    return emitOptionalError(
        loc, name, " updates element type ", updatesType.getElementType(),
        " differs from data's ", dataType.getElementType());
  if (failed(verifyCompatibleShape(updatesType.getShape(),
                                   indicesType.getShape())))
    return emitOptionalError(
        loc, name, " updates ", shapeToString(updatesType.getShape()),
        " and indices ", shapeToString(indicesType.getShape()),
        " must have the same shape");
  inferred.push_back(dataType);
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ScatterElementsOp)

//===----------------------------------------------------------------------===//
// ScatterNDOp
//===----------------------------------------------------------------------===//

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.scatter_nd";
  auto dataType = rankedType(adaptor.getData());
  auto indicesType = rankedType(adaptor.getIndices());
  auto updatesType = rankedType(adaptor.getUpdates());
  if (!dataType || !indicesType || !updatesType)
    return emitOptionalError(loc, name, " operands must be ranked tensors");
  if (failed(checkReduction(loc, name, adaptor.getReduction(),
                            dataType.getElementType())))
    return failure();
  if (updatesType.getElementType() != dataType.getElementType())
    return emitOptionalError(
        loc, name, " updates element type ", updatesType.getElementType(),
        " differs from data's ", dataType.getElementType());
  int64_t rank = dataType.getRank();
  if (rank < 1 || indicesType.getRank() < 1)
    return emitOptionalError(loc, name,
                             " data and indices must have rank 1 or more");
  int64_t depth = indicesType.getShape().back();
  if (ShapedType::isDynamic(depth) || depth < 1 || depth > rank)
    return emitOptionalError(loc, name, " the last dimension of indices ",
                             shapeToString(indicesType.getShape()),
                             " must be static and in [1, ", rank, "]");
  SmallVector<int64_t> expected(indicesType.getShape().drop_back());
  llvm::append_range(expected, dataType.getShape().drop_front(depth));
  if (failed(verifyCompatibleShape(updatesType.getShape(), expected)))
    return emitOptionalError(loc, name, " updates ",
                             shapeToString(updatesType.getShape()),
                             " must have shape indices.shape[:-1] + "
                             "data.shape[k:] = ",
                             shapeToString(expected));
  inferred.push_back(dataType);
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ScatterNDOp)
