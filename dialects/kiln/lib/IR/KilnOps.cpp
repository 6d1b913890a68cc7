//===- KilnOps.cpp - Shared shape rules and the generated op classes ------===//
//
// The shape rules that verifiers, lowering and frontends share (KilnOps.h), the
// private helpers of KilnOpsCommon.h, and the ODS-generated op definitions.
// Each op family's inference and verification is in Kiln<Family>Ops.cpp.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

//===----------------------------------------------------------------------===//
// Shared shape rules
//===----------------------------------------------------------------------===//

FailureOr<int64_t>
kiln::computeWindowedOutputSize(int64_t input, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(input) || ShapedType::isDynamic(kernel))
    return kDynamic;
  // Attributes can hold any int64: a window or padding too large to compute
  // fits nothing.
  int64_t effectiveKernel, padded;
  if (llvm::MulOverflow(dilation, kernel - 1, effectiveKernel) ||
      llvm::AddOverflow(effectiveKernel, int64_t(1), effectiveKernel) ||
      llvm::AddOverflow(input, padBegin, padded) ||
      llvm::AddOverflow(padded, padEnd, padded))
    return failure();
  if (padded < effectiveKernel)
    return failure();
  int64_t span = padded - effectiveKernel;
  int64_t output =
      (ceilMode ? llvm::divideCeil(span, stride) : span / stride) + 1;
  // In ceil mode the last window must start inside the input or its leading
  // padding.
  if (ceilMode && (output - 1) * stride >= input + padBegin)
    --output;
  return output;
}

FailureOr<SmallVector<int64_t>> kiln::broadcastShapes(ArrayRef<int64_t> lhs,
                                                      ArrayRef<int64_t> rhs) {
  SmallVector<int64_t> result;
  if (!OpTrait::util::getBroadcastedShape(lhs, rhs, result))
    return failure();
  return result;
}

/// Declared result types are compatible with inferred ones when element types
/// match and shapes agree wherever both are static.

bool kiln::detail::areCompatibleTensorTypes(TypeRange declared,
                                            TypeRange inferred) {
  if (declared.size() != inferred.size())
    return false;
  for (auto [a, b] : llvm::zip(declared, inferred)) {
    if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
      return false;
    if (failed(verifyCompatibleShape(a, b)))
      return false;
  }
  return true;
}

std::string kiln::detail::shapeToString(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

RankedTensorType kiln::detail::rankedType(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

/// Checks that an i64 array attribute has `size` entries, each at least
/// `minimum`.
LogicalResult kiln::detail::checkArray(std::optional<Location> loc,
                                       StringRef opName, StringRef attrName,
                                       ArrayRef<int64_t> values, size_t size,
                                       int64_t minimum) {
  if (values.size() != size)
    return emitOptionalError(loc, opName, " '", attrName, "' must have ", size,
                             " entries, got ", values.size());
  for (int64_t value : values)
    if (value < minimum)
      return emitOptionalError(loc, opName, " '", attrName,
                               "' entries must be at least ", minimum, ", got ",
                               value);
  return success();
}

#include "kiln/Dialect/Kiln/IR/KilnEnums.cpp.inc"

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
