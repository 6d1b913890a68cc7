//===- LoweringUtils.cpp - Shared pieces of the kiln-to-linalg lowering ---===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace kiln {

SmallVector<OpFoldResult> getBroadcastResultSizes(OpBuilder &builder,
                                                  Location loc,
                                                  RankedTensorType type,
                                                  ValueRange sources) {
  SmallVector<OpFoldResult> sizes;
  int64_t rank = type.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    if (!type.isDynamicDim(d)) {
      sizes.push_back(builder.getIndexAttr(type.getDimSize(d)));
      continue;
    }
    Value size;
    for (Value source : sources) {
      auto sourceType = cast<RankedTensorType>(source.getType());
      int64_t sourceDim = d - (rank - sourceType.getRank());
      if (sourceDim >= 0 && sourceType.isDynamicDim(sourceDim)) {
        size = tensor::DimOp::create(builder, loc, source, sourceDim);
        break;
      }
    }
    assert(size && "a dynamic result dim needs a dynamic source dim");
    sizes.push_back(size);
  }
  return sizes;
}

std::string describeForCheck(Operation *op) {
  std::string text = op->getName().getStringRef().str();
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc);
      fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  if (auto name = dyn_cast<NameLoc>(loc))
    return text + " (" + name.getName().str() + ")";
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return text + " (" + file.getFilename().str() + ":" +
           std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn()) + ")";
  return text;
}

void emitRunTimeCheck(OpBuilder &builder, Location loc, Value condition,
                      const Twine &message) {
  cf::AssertOp::create(builder, loc, condition, message.str());
}

void emitSizeCheck(OpBuilder &builder, Location loc, OpFoldResult actual,
                   OpFoldResult expected, const Twine &message) {
  std::optional<int64_t> a = getConstantIntValue(actual),
                         e = getConstantIntValue(expected);
  if (a && e)
    return;
  Value equal = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::eq,
      getValueOrCreateConstantIndexOp(builder, loc, actual),
      getValueOrCreateConstantIndexOp(builder, loc, expected));
  emitRunTimeCheck(builder, loc, equal, message);
}

void emitBroadcastChecks(OpBuilder &builder, Operation *op,
                         ArrayRef<OpFoldResult> sizes, ValueRange sources,
                         unsigned firstDim, unsigned numDims) {
  Location loc = op->getLoc();
  int64_t rank = sizes.size();
  int64_t endDim = numDims == ~0u ? rank : firstDim + numDims;
  for (auto [index, source] : llvm::enumerate(sources)) {
    auto sourceType = cast<RankedTensorType>(source.getType());
    // Sources align at `endDim` (batch dims of matmul end before m and n).
    int64_t sourceBatchRank =
        sourceType.getRank() - (numDims == ~0u ? 0 : rank - endDim);
    for (int64_t d = firstDim; d < endDim; ++d) {
      int64_t sourceDim = d - (endDim - sourceBatchRank);
      if (sourceDim < 0 || !sourceType.isDynamicDim(sourceDim))
        continue;
      // The size may be this very dim (getBroadcastResultSizes takes it from
      // the first source that has it at run time).
      if (auto dim = dyn_cast_if_present<Value>(sizes[d])
                         ? cast<Value>(sizes[d]).getDefiningOp<tensor::DimOp>()
                         : tensor::DimOp())
        if (dim.getSource() == source &&
            getConstantIntValue(dim.getIndex()) == sourceDim)
          continue;
      OpFoldResult actual =
          tensor::DimOp::create(builder, loc, source, sourceDim).getResult();
      emitSizeCheck(builder, loc, actual, sizes[d],
                    describeForCheck(op) + ": dimension " + Twine(sourceDim) +
                        " of operand #" + Twine(index) +
                        " does not match the other operands at run time (Kiln "
                        "broadcasts only dimensions known to be 1 when "
                        "compiling)");
    }
  }
}

Value createEmptyTensor(OpBuilder &builder, Location loc, RankedTensorType type,
                        ArrayRef<OpFoldResult> sizes) {
  // A dim the result type leaves dynamic stays dynamic even when its size is
  // known here (an input cast from a static type), so that the tensor has
  // exactly the op's result type; canonicalization makes it static later.
  SmallVector<OpFoldResult> matching(sizes);
  for (auto [dim, size] : llvm::enumerate(matching))
    if (type.isDynamicDim(dim))
      if (std::optional<int64_t> known = getConstantIntValue(size))
        size = arith::ConstantIndexOp::create(builder, loc, *known).getResult();
  return tensor::EmptyOp::create(builder, loc, matching, type.getElementType());
}

Value createFilledTensor(OpBuilder &builder, Location loc,
                         RankedTensorType type, ArrayRef<OpFoldResult> sizes,
                         TypedAttr value) {
  Value empty = createEmptyTensor(builder, loc, type, sizes);
  Value scalar = arith::ConstantOp::create(builder, loc, value);
  return linalg::FillOp::create(builder, loc, scalar, empty).getResult(0);
}

AffineMap getBroadcastMap(MLIRContext *context, ArrayRef<int64_t> operandShape,
                          ArrayRef<int64_t> resultShape, unsigned numLoops,
                          unsigned loopOffset) {
  SmallVector<AffineExpr> exprs;
  int64_t leading = resultShape.size() - operandShape.size();
  for (auto [index, size] : llvm::enumerate(operandShape)) {
    int64_t resultDim = index + leading;
    if (size == 1 && resultShape[resultDim] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(loopOffset + resultDim, context));
  }
  return AffineMap::get(numLoops, 0, exprs, context);
}

TypedAttr getNeutralElement(Type elementType, ReductionKind kind) {
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    if (kind == ReductionKind::Sum)
      return FloatAttr::get(floatType, 0.0);
    return FloatAttr::get(floatType,
                          APFloat::getInf(floatType.getFloatSemantics(), true));
  }
  auto intType = cast<IntegerType>(elementType);
  if (kind == ReductionKind::Sum)
    return IntegerAttr::get(intType, 0);
  return IntegerAttr::get(intType,
                          APInt::getSignedMinValue(intType.getWidth()));
}

Value createArith(OpBuilder &builder, Location loc, ArithKind kind, Value lhs,
                  Value rhs) {
  bool isFloat = isa<FloatType>(lhs.getType());
  switch (kind) {
  case ArithKind::Add:
    return isFloat ? arith::AddFOp::create(builder, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(builder, loc, lhs, rhs).getResult();
  case ArithKind::Sub:
    return isFloat ? arith::SubFOp::create(builder, loc, lhs, rhs).getResult()
                   : arith::SubIOp::create(builder, loc, lhs, rhs).getResult();
  case ArithKind::Mul:
    return isFloat ? arith::MulFOp::create(builder, loc, lhs, rhs).getResult()
                   : arith::MulIOp::create(builder, loc, lhs, rhs).getResult();
  case ArithKind::Div:
    return isFloat ? arith::DivFOp::create(builder, loc, lhs, rhs).getResult()
                   : arith::DivSIOp::create(builder, loc, lhs, rhs).getResult();
  case ArithKind::Max:
    // maximumf propagates NaN, as PyTorch and ONNX Runtime do.
    return isFloat
               ? arith::MaximumFOp::create(builder, loc, lhs, rhs).getResult()
               : arith::MaxSIOp::create(builder, loc, lhs, rhs).getResult();
  }
  llvm_unreachable("unknown arithmetic kind");
}

Value createScalarConstant(OpBuilder &builder, Location loc, Type type,
                           double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(builder, loc,
                                     FloatAttr::get(floatType, value));
  return arith::ConstantOp::create(
      builder, loc, IntegerAttr::get(type, static_cast<int64_t>(value)));
}

/// Pads the spatial dims (2 and up) of an [N, C, spatial...] tensor with
/// `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padBegin, ArrayRef<int64_t> padEnd,
                 TypedAttr value, unsigned firstSpatialDim) {
  if (llvm::all_of(padBegin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(padEnd, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> low(type.getRank(), b.getIndexAttr(0)),
      high(type.getRank(), b.getIndexAttr(0));
  for (size_t i = 0; i < padBegin.size(); ++i) {
    size_t d = firstSpatialDim + i;
    low[d] = b.getIndexAttr(padBegin[i]);
    high[d] = b.getIndexAttr(padEnd[i]);
    if (!ShapedType::isDynamic(shape[d]))
      shape[d] += padBegin[i] + padEnd[i];
  }
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  Value padValue = arith::ConstantOp::create(b, loc, value);
  return tensor::PadOp::create(b, loc, paddedType, input, low, high, padValue)
      .getResult();
}

DenseIntElementsAttr getI64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI64Type()),
      values);
}

} // namespace kiln
