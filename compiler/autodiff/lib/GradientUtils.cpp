//===- GradientUtils.cpp - Helpers shared by the gradient rules -----------===//

#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace kiln::autodiff {

Value sumToShape(OpBuilder &builder, Location loc, Value gradient,
                 RankedTensorType target) {
  auto type = cast<RankedTensorType>(gradient.getType());
  if (type == target)
    return gradient;
  int64_t leading = type.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d < leading ||
        (target.getDimSize(d - leading) == 1 && type.getDimSize(d) != 1))
      axes.push_back(d);
  Value summed = gradient;
  if (!axes.empty())
    summed = ReduceSumOp::create(builder, loc, gradient, axes,
                                 /*keep_dims=*/true);
  if (summed.getType() == target)
    return summed;
  return ReshapeOp::create(builder, loc, summed, target.getShape());
}

Value fit(OpBuilder &builder, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(builder, loc, type, value);
}

Value i64Vector(OpBuilder &builder, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder.getI64Type());
  return ConstantOp::create(builder, loc,
                            DenseIntElementsAttr::get(type, values));
}

Value zerosLike(OpBuilder &builder, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Attribute zero = builder.getZeroAttr(type.getElementType());
  if (type.hasStaticShape())
    return ConstantOp::create(builder, loc, DenseElementsAttr::get(type, zero));
  Value shape = ShapeOfOp::create(builder, loc, value);
  return ConstantOfShapeOp::create(builder, loc, type, shape,
                                   cast<TypedAttr>(zero));
}

Value scalarConstant(OpBuilder &builder, Location loc, Type elementType,
                     double number) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(type, builder.getFloatAttr(elementType, number)));
}

} // namespace kiln::autodiff
