//===- KilnBuilders.cpp - Small kiln-op builders shared by passes ---------===//

#include "kiln/Dialect/Kiln/IR/KilnBuilders.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include <numeric>

using namespace mlir;

namespace kiln {

SmallVector<int64_t> swapDims(int64_t rank, int64_t a, int64_t b) {
  SmallVector<int64_t> permutation(rank);
  std::iota(permutation.begin(), permutation.end(), 0);
  std::swap(permutation[a], permutation[b]);
  return permutation;
}

bool staticBeyondBatch(RankedTensorType type) {
  return llvm::none_of(type.getShape().drop_front(), ShapedType::isDynamic);
}

Value sliceSpatial(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape().drop_front(2) == sizes)
    return value;
  SmallVector<int64_t> offsets(type.getRank(), 0), steps(type.getRank(), 1);
  SmallVector<int64_t> allSizes = {-1, -1};
  for (int64_t d = 0; d < 2; ++d)
    if (!type.isDynamicDim(d))
      allSizes[d] = type.getDimSize(d);
  llvm::append_range(allSizes, sizes);
  return SliceOp::create(b, loc, value, offsets, allSizes, steps);
}

} // namespace kiln
