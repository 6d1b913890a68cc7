//===- KilnOps.h - Operations of the kiln dialect -------------------------===//
//
// Declares the kiln ops generated from KilnOps.td, and the shape rules they
// share (broadcasting, windowed output sizes) so that lowering and frontends
// apply the same arithmetic as the verifiers.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNOPS_H
#define KILN_DIALECT_KILN_IR_KILNOPS_H

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "kiln/Dialect/Kiln/IR/KilnEnums.h.inc"

namespace kiln {

/// A window attribute of a convolution or pooling op with `count` entries:
/// `values` itself, or `count` copies of `fill` when `values` is empty (the
/// attribute's default).
llvm::SmallVector<int64_t> fillWindowAttribute(llvm::ArrayRef<int64_t> values,
                                               int64_t count, int64_t fill);

} // namespace kiln

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.h.inc"

namespace kiln {

/// The convolution and pooling ops are N-D (1 or more spatial dims); these
/// names of their 2-D forms keep code written against them compiling.
using Conv2DOp = ConvOp;
using Conv2DTransposeOp = ConvTransposeOp;
using MaxPool2DOp = MaxPoolOp;
using AvgPool2DOp = AvgPoolOp;

/// The size of one spatial output dimension of a convolution or pooling window:
/// floor (or ceil, with `ceilMode`) of
/// (input + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride, plus
/// one. With `ceilMode`, a last window that would start in the end padding is
/// dropped. Returns ShapedType::kDynamic for a dynamic input, and failure when
/// no window fits.
llvm::FailureOr<int64_t>
computeWindowedOutputSize(int64_t input, int64_t kernel, int64_t stride,
                          int64_t dilation, int64_t padBegin, int64_t padEnd,
                          bool ceilMode);

/// The NumPy broadcast of two shapes (dynamic dims allowed), or failure when a
/// pair of static dims differ and neither is 1.
llvm::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// True when kiln.cast converts `type` to and from `!kiln.string`: f32, f64,
/// and signless or unsigned integers of 8 to 64 bits (not i1).
bool isStringConvertible(mlir::Type type);

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_KILNOPS_H
