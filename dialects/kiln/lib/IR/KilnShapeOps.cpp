//===- KilnShapeOps.cpp - Reshaping and data movement ===//
//
// Type inference and verification of one family of kiln ops; the rules
// shared by all families are in KilnOpsCommon.h.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

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
