//===- DynamicShapeHelpers.h - Converters with run-time shape operands ----===//
//
// Shared by the converters that build the ops of KilnDynamicShapeOps.td when a
// shape-like input (a shape, axes, pads, sizes, a count) is a run-time value:
// refining their `?` result dims with the type the model declares (which the
// lowering then checks at run time), and building multi-result ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_DYNAMICSHAPEHELPERS_H
#define KILN_FRONTENDS_ONNX_OPS_DYNAMICSHAPEHELPERS_H

#include "ConverterUtils.h"

namespace kiln::onnx_import {

/// `value` (the fresh, unused result of a dynamic shape op) with every `?` dim
/// that ONNX's declared type for output `output` knows made static. The
/// lowering checks those sizes at run time, so a model whose declared shape is
/// wrong gets an error, not wrong memory accesses. Values of other ops, and
/// declarations of another rank or element type, are left alone (the
/// importer's own check reports a conflict).
mlir::Value refineToDeclared(NodeContext &context, mlir::Value value,
                             size_t output);

/// Whether input `i` is present but its value is not known when compiling.
bool isRunTimeInput(NodeContext &context, size_t i);

/// The static length of 1-D input `i` (a shape, axes or pads), or an
/// UnsupportedError naming `what`: the length decides a rank.
llvm::Expected<int64_t> requireStaticLength(NodeContext &context, size_t i,
                                            llvm::StringRef what);

/// A 1-D i64 constant.
mlir::Value int64Vector(NodeContext &context, llvm::ArrayRef<int64_t> values);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_OPS_DYNAMICSHAPEHELPERS_H
