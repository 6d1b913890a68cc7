//===- ShapeLoweringHelpers.h - Helpers of the data movement lowerings ----===//
//
// Private to LowerShapeOps.cpp, LowerIndexingOps.cpp and LowerResize.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_SHAPELOWERINGHELPERS_H
#define KILN_CODEGEN_COMMON_SHAPELOWERINGHELPERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace kiln {

/// A scalar of any element type equal to `value`. arith.constant only makes
/// float and signless integer scalars; for other element types (ONNX's
/// unsigned integers) the scalar is read from a rank-0 constant tensor, which
/// data movement ops can copy without arithmetic.
inline mlir::Value createElementConstant(mlir::OpBuilder &builder,
                                         mlir::Location loc,
                                         mlir::TypedAttr value) {
  mlir::Type type = value.getType();
  if (type.isIntOrIndexOrFloat() && !type.isUnsignedInteger() &&
      !type.isSignedInteger())
    return mlir::arith::ConstantOp::create(builder, loc, value);
  auto tensorType = mlir::RankedTensorType::get({}, type);
  mlir::Value tensor = mlir::arith::ConstantOp::create(
      builder, loc, mlir::DenseElementsAttr::get(tensorType, value));
  return mlir::tensor::ExtractOp::create(builder, loc, tensor,
                                         mlir::ValueRange());
}

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_SHAPELOWERINGHELPERS_H
