//===- CompositionHelpers.h - Builders shared by composed converters ------===//
//
// Small builders that the quantization, normalization and generator converters
// (Quantization.cpp, Normalization.cpp, Generators.cpp) share: casts, laying a
// per-axis parameter out to broadcast against a tensor, and index ramps.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_COMPOSITIONHELPERS_H
#define KILN_FRONTENDS_ONNX_OPS_COMPOSITIONHELPERS_H

#include "ConverterUtils.h"

namespace kiln::onnx_import {

/// The element type of a ranked tensor value.
inline mlir::Type elementTypeOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType()).getElementType();
}

/// `value` converted to element type `target` (itself when it has it).
llvm::Expected<mlir::Value> castElements(NodeContext &context,
                                         mlir::Value value, mlir::Type target);

/// A scale, zero point or per-channel parameter laid out to broadcast against
/// a rank-`rank` tensor: a rank-0 or one-element tensor becomes rank 0 (one
/// value for the whole tensor); a 1-D tensor of more elements lies along
/// `axis` (ONNX's axis, negative counts from the end) with unit dims
/// elsewhere. Anything else is invalid, named by `what`.
llvm::Expected<mlir::Value> alongAxis(NodeContext &context,
                                      mlir::Value parameter, int64_t rank,
                                      int64_t axis, llvm::StringRef what);

/// The i64 constant 0, 1, ..., size - 1 laid along dim `axis` of a rank-`rank`
/// tensor whose other dims are 1: an index ramp that broadcasts along `axis`.
mlir::Value indexRamp(NodeContext &context, int64_t size, int64_t rank,
                      int64_t axis);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_OPS_COMPOSITIONHELPERS_H
