//===- Passes.h - Target-neutral code generation passes -------------------===//

#ifndef KILN_CODEGEN_PASSES_H
#define KILN_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Codegen/Passes.h.inc"

/// The name of the module attribute that `kiln-prepare-entry-points` writes: an
/// array with one dictionary per entry point ({name, inputs, outputs}, each
/// value a dictionary {name, dtype, shape}, with -1 for dynamic dims as in the
/// runtime ABI).
inline constexpr llvm::StringLiteral kEntryPointsAttrName = "kiln.entry_points";

/// The argument/result attribute that names an input or output.
inline constexpr llvm::StringLiteral kValueNameAttrName = "kiln.name";

/// The argument/result attribute that names each dim (an array of strings, ""
/// for none): run-time dims with the same name are one symbol of the ABI.
inline constexpr llvm::StringLiteral kDimNamesAttrName = "kiln.dim_names";

} // namespace kiln

#endif // KILN_CODEGEN_PASSES_H
