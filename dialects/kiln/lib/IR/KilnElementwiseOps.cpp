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
// Broadcasting ops
//===----------------------------------------------------------------------===//

/// The NumPy broadcast of the operands' shapes as a tensor of `elementType`
/// (the first operand's element type when null).
static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    StringRef opName, ValueRange operands,
                                    Type elementType,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  for (auto [index, operand] : llvm::enumerate(operands)) {
    RankedTensorType type = rankedType(operand);
    if (!type)
      return emitOptionalError(loc, opName, " operands must be ranked tensors");
    if (index == 0) {
      shape.assign(type.getShape().begin(), type.getShape().end());
      if (!elementType)
        elementType = type.getElementType();
      continue;
    }
    auto broadcast = broadcastShapes(shape, type.getShape());
    if (failed(broadcast)) {
      // "[2, 3] and [4]", or "[2], [3] and [4]".
      std::string shapes;
      for (auto [i, each] : llvm::enumerate(operands))
        shapes += (i == 0                     ? ""
                   : i + 1 == operands.size() ? " and "
                                              : ", ") +
                  shapeToString(rankedType(each).getShape());
      return emitOptionalError(loc, opName, " operand shapes ", shapes,
                               " are not broadcast-compatible");
    }
    shape = std::move(*broadcast);
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

#define KILN_BINARY_OP(OpClass)                                                \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBroadcast(loc, getOperationName(), adaptor.getOperands(),      \
                          Type(), inferred);                                   \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_BINARY_OP(AddOp)
KILN_BINARY_OP(SubOp)
KILN_BINARY_OP(MulOp)
KILN_BINARY_OP(DivOp)
KILN_BINARY_OP(MaxOp)
KILN_BINARY_OP(MinOp)
KILN_BINARY_OP(PowOp)
KILN_BINARY_OP(ModOp)
KILN_BINARY_OP(BitShiftOp)
KILN_BINARY_OP(AndOp)
KILN_BINARY_OP(OrOp)
KILN_BINARY_OP(XorOp)

LogicalResult ModOp::verify() {
  if (!getFmod() && isa<FloatType>(getElementTypeOrSelf(getLhs().getType())))
    return emitOpError("on floats requires fmod = true (C fmod semantics), "
                       "got element type ")
           << getElementTypeOrSelf(getLhs().getType());
  return success();
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferBroadcast(loc, getOperationName(), adaptor.getOperands(),
                        IntegerType::get(context, 1), inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(CompareOp)

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RankedTensorType trueType = rankedType(adaptor.getTrueValue());
  if (!trueType)
    return emitOptionalError(loc, getOperationName(),
                             " operands must be ranked tensors");
  return inferBroadcast(loc, getOperationName(), adaptor.getOperands(),
                        trueType.getElementType(), inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(SelectOp)

//===----------------------------------------------------------------------===//
// Same-shape ops with another element type
//===----------------------------------------------------------------------===//

/// `input`'s shape with `elementType`.
static LogicalResult inferWithElementType(std::optional<Location> loc,
                                          StringRef opName, Value input,
                                          Type elementType,
                                          SmallVectorImpl<Type> &inferred) {
  RankedTensorType type = rankedType(input);
  if (!type)
    return emitOptionalError(loc, opName, " operand must be a ranked tensor");
  inferred.push_back(type.clone(elementType));
  return success();
}

bool kiln::isStringConvertible(Type type) {
  if (type.isF32() || type.isF64())
    return true;
  auto integer = dyn_cast<IntegerType>(type);
  return integer && !integer.isSigned() && integer.getWidth() >= 8 &&
         integer.getWidth() <= 64;
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  Type target = adaptor.getTo();
  auto integer = dyn_cast_if_present<IntegerType>(target);
  bool isString = isa_and_present<StringType>(target);
  if (!target ||
      !(isa<FloatType>(target) || isString || (integer && !integer.isSigned())))
    return emitOptionalError(loc, getOperationName(),
                             " target must be a float, a signless or "
                             "unsigned integer type or !kiln.string, got ",
                             target);
  // Strings convert to and from f32, f64 and integers of 8 to 64 bits (the
  // runtime's helpers).
  Type source = getElementTypeOrSelf(adaptor.getInput().getType());
  if (isString != isa<StringType>(source) &&
      !isStringConvertible(isString ? source : target))
    return emitOptionalError(loc, getOperationName(),
                             " converts strings only to and from f32, f64 "
                             "and integers of 8 to 64 bits, not ",
                             isString ? source : target);
  return inferWithElementType(loc, getOperationName(), adaptor.getInput(),
                              target, inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(CastOp)

#define KILN_CLASSIFY_OP(OpClass)                                              \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,      \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferWithElementType(loc, getOperationName(), adaptor.getInput(),   \
                                IntegerType::get(context, 1), inferred);       \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_CLASSIFY_OP(IsNaNOp)
KILN_CLASSIFY_OP(IsInfOp)
