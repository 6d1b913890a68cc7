//===- CompositionHelpers.cpp - Builders shared by composed converters ----===//

#include "CompositionHelpers.h"

using namespace mlir;

namespace kiln::onnx_import {

llvm::Expected<Value> castElements(NodeContext &context, Value value,
                                   Type target) {
  if (elementTypeOf(value) == target)
    return value;
  return context.create<CastOp>(value, TypeAttr::get(target));
}

llvm::Expected<Value> alongAxis(NodeContext &context, Value parameter,
                                int64_t rank, int64_t axis,
                                llvm::StringRef what) {
  auto type = cast<RankedTensorType>(parameter.getType());
  if (type.getRank() == 0)
    return parameter;
  if (type.getRank() != 1)
    return context.invalid(what + " must be a scalar or a 1-D tensor");
  if (type.isDynamicDim(0))
    return context.unsupported(what + " of dynamic size");
  // One value for the whole tensor: rank 0 broadcasts against any rank,
  // while a [1] would add a dim to a rank-0 result.
  if (type.getDimSize(0) == 1)
    return context.create<ReshapeOp>(parameter, ArrayRef<int64_t>{});
  KILN_ASSIGN_OR_RETURN(int64_t dim,
                        normalizeAxis(context, axis, rank, "axis"));
  SmallVector<int64_t> shape(rank, 1);
  shape[dim] = type.getDimSize(0);
  return context.create<ReshapeOp>(parameter, shape);
}

Value indexRamp(NodeContext &context, int64_t size, int64_t rank,
                int64_t axis) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = size;
  SmallVector<int64_t> values(size);
  for (int64_t i = 0; i < size; ++i)
    values[i] = i;
  auto type = RankedTensorType::get(shape, context.builder.getI64Type());
  return context.constant(DenseElementsAttr::get(type, ArrayRef(values)));
}

} // namespace kiln::onnx_import
