//===- KilnFolders.cpp - Folders of kiln ops ------------------------------===//
//
// Folders evaluate ops whose operands are all constants (so weight
// preprocessing such as a reshape of a constant costs nothing at run time) and
// remove ops that are exact identities. An identity fold is taken only when it
// is exact in IEEE arithmetic: x * 1, x / 1 and x - 0 are, x + 0 is not (-0 + 0
// = +0), so the latter is not folded for floats.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

/// Whether `attr` is a splat constant equal to `value` (exactly, for floats).
static bool isSplatOf(Attribute attr, double value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type elementType = splat.getElementType();
  if (isa<FloatType>(elementType)) {
    APFloat element = splat.getSplatValue<APFloat>();
    bool losesInfo = false;
    APFloat expected(value);
    expected.convert(element.getSemantics(), APFloat::rmNearestTiesToEven,
                     &losesInfo);
    return element.bitwiseIsEqual(expected);
  }
  if (isa<IntegerType>(elementType)) {
    // Wider integers must not be truncated to their low 64 bits.
    APInt element = splat.getSplatValue<APInt>();
    return element.isSignedIntN(64) &&
           element.getSExtValue() == static_cast<int64_t>(value);
  }
  return false;
}

/// Returns `operand` when the op is an identity on it: the other operand is the
/// neutral splat, broadcasting it cannot change the operand's shape (each of
/// its dims, aligned at the end, is 1 or equals a static dim of the operand; a
/// dynamic dim may be 1 at run time and stretch), and the result type is the
/// operand's type.
static Value foldNeutral(Operation *op, Value operand, Attribute other,
                         double neutral) {
  if (operand.getType() != op->getResult(0).getType() ||
      !isSplatOf(other, neutral))
    return {};
  ArrayRef<int64_t> shape = cast<ShapedType>(operand.getType()).getShape();
  ArrayRef<int64_t> otherShape =
      cast<SplatElementsAttr>(other).getType().getShape();
  if (otherShape.size() > shape.size())
    return {};
  for (auto [dim, otherDim] :
       llvm::zip(llvm::reverse(shape), llvm::reverse(otherShape)))
    if (otherDim != 1 && otherDim != dim)
      return {};
  return operand;
}

/// Folds a binary op over two constants of the result's shape (no broadcast).
template <typename FloatFn, typename IntFn>
static Attribute foldBinaryConstants(Operation *op,
                                     ArrayRef<Attribute> operands,
                                     FloatFn floatFn, IntFn intFn) {
  Type resultType = op->getResult(0).getType();
  if (op->getOperand(0).getType() != resultType ||
      op->getOperand(1).getType() != resultType)
    return {};
  if (isa<FloatType>(getElementTypeOrSelf(resultType)))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(operands, resultType,
                                                       floatFn);
  return constFoldBinaryOp<IntegerAttr, APInt, void>(operands, resultType,
                                                     intFn);
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getElementTypeOrSelf(getType()))) {
    if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 0))
      return v;
    if (Value v = foldNeutral(*this, getRhs(), adaptor.getLhs(), 0))
      return v;
  }
  return foldBinaryConstants(
      *this, adaptor.getOperands(),
      [](APFloat a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 0))
    return v;
  return foldBinaryConstants(
      *this, adaptor.getOperands(),
      [](APFloat a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 1))
    return v;
  if (Value v = foldNeutral(*this, getRhs(), adaptor.getLhs(), 1))
    return v;
  return foldBinaryConstants(
      *this, adaptor.getOperands(),
      [](APFloat a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 1))
    return v;
  // Integer division by zero has no value to fold to; leave it to run time.
  if (isa<IntegerType>(getElementTypeOrSelf(getType())))
    return {};
  return foldBinaryConstants(
      *this, adaptor.getOperands(),
      [](APFloat a, const APFloat &b) { return a / b; },
      [](const APInt &a, const APInt &) { return a; });
}

/// Evaluates `fn` in double precision and rounds back to `x`'s semantics.
template <typename Fn> static APFloat applyInDouble(const APFloat &x, Fn fn) {
  bool losesInfo = false;
  APFloat wide = x;
  wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  APFloat result(fn(wide.convertToDouble()));
  result.convert(x.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

template <typename Fn>
static Attribute foldUnaryFloat(Operation *op, Attribute operand, Fn fn) {
  return constFoldUnaryOp<FloatAttr, APFloat, void>(
      ArrayRef<Attribute>(operand), op->getResult(0).getType(),
      [&](const APFloat &x) { return applyInDouble(x, fn); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // relu(relu(x)) = relu(x)
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return foldUnaryFloat(*this, adaptor.getInput(),
                        [](double x) { return x > 0 ? x : 0.0; });
}

OpFoldResult SigmoidOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getInput(),
                        [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

OpFoldResult TanhOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getInput(),
                        [](double x) { return std::tanh(x); });
}

OpFoldResult ExpOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getInput(),
                        [](double x) { return std::exp(x); });
}

OpFoldResult LogOp::fold(FoldAdaptor adaptor) {
  return foldUnaryFloat(*this, adaptor.getInput(),
                        [](double x) { return std::log(x); });
}

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
