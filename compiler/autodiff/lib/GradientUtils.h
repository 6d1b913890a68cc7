//===- GradientUtils.h - Helpers shared by the gradient rules -------------===//

#ifndef KILN_AUTODIFF_GRADIENTUTILS_H
#define KILN_AUTODIFF_GRADIENTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace kiln::autodiff {

/// Whether `type` is a ranked tensor of floats: the values that carry
/// gradients.
inline bool isFloatTensor(mlir::Type type) {
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  return tensor && llvm::isa<mlir::FloatType>(tensor.getElementType());
}

/// `value`'s type, which every value a rule handles has.
inline mlir::RankedTensorType typeOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType());
}

/// `value` with exactly `type` (a tensor.cast when only static sizes differ):
/// rules build ops with inferred types, which may be less static than the
/// operand's declared type.
mlir::Value fit(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value value,
                mlir::Type type);

/// A 1-D i64 constant.
mlir::Value i64Vector(mlir::OpBuilder &builder, mlir::Location loc,
                      llvm::ArrayRef<int64_t> values);

/// `gradient` (of a broadcast result) summed over the dims along which an
/// operand of type `target` was broadcast, and reshaped to `target`: NumPy
/// broadcasting's adjoint.
mlir::Value sumToShape(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::Value gradient, mlir::RankedTensorType target);

/// A tensor of zeros with `value`'s type (read at run time for `?` dims).
mlir::Value zerosLike(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value value);

/// A rank-0 constant of `elementType` (a float type) holding `number`.
mlir::Value scalarConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Type elementType, double number);

} // namespace kiln::autodiff

#endif // KILN_AUTODIFF_GRADIENTUTILS_H
