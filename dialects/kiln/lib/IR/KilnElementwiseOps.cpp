//===- KilnElementwiseOps.cpp - Constants and elementwise ops ===//
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
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOpError("value must be a tensor of static shape, got ")
           << getValue().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBinary(std::optional<Location> loc, StringRef opName,
                                 Value lhs, Value rhs,
                                 SmallVectorImpl<Type> &inferred) {
  auto lhsType = rankedType(lhs), rhsType = rankedType(rhs);
  if (!lhsType || !rhsType)
    return emitOptionalError(loc, opName, " operands must be ranked tensors");
  auto shape = broadcastShapes(lhsType.getShape(), rhsType.getShape());
  if (failed(shape))
    return emitOptionalError(loc, opName, " operand shapes ",
                             shapeToString(lhsType.getShape()), " and ",
                             shapeToString(rhsType.getShape()),
                             " are not broadcast-compatible");
  inferred.push_back(RankedTensorType::get(*shape, lhsType.getElementType()));
  return success();
}

#define KILN_BINARY_OP(OpClass)                                                \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBinary(loc, getOperationName(), adaptor.getLhs(),              \
                       adaptor.getRhs(), inferred);                            \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_BINARY_OP(AddOp)
KILN_BINARY_OP(SubOp)
KILN_BINARY_OP(MulOp)
KILN_BINARY_OP(DivOp)
