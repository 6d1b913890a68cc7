//===- KilnFolders.cpp - Folders of kiln ops ------------------------------===//
//
// Folders evaluate ops whose operands are all constants (so weight
// preprocessing such as a reshape of a constant costs nothing at run time) and
// remove ops that are exact identities. The elementwise ops' folders are in
// KilnElementwiseFolders.cpp.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  // Equal types mean equal shapes only when at most one dim is unknown (the
  // element counts then fix it) and no dim is 0 (which would hide the unknown
  // one).
  if (getInput().getType() == type &&
      (type.hasStaticShape() || (type.getNumDynamicDims() == 1 &&
                                 !llvm::is_contained(type.getShape(), 0))))
    return getInput();
  // reshape(reshape(x)) = reshape(x): only the final shape matters.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (type.hasStaticShape())
      return dense.reshape(type);
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> permutation = getPermutation();
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())) &&
      getInput().getType() == getType())
    return getInput();
  // transpose(transpose(x, p), q) = transpose(x, p o q).
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> inner = producer.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t index : permutation)
      composed.push_back(inner[index]);
    setPermutation(composed);
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return foldConstantInputs(adaptor.getInputs()); // in KilnShapeFolders.cpp
}
