//===- Passes.h - CPU code generation passes and pipelines ----------------===//

#ifndef KILN_CODEGEN_CPU_PASSES_H
#define KILN_CODEGEN_CPU_PASSES_H

#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Async/IR/Async.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Codegen/CPU/Passes.h.inc"

/// The function a failed run-time check calls: declared by
/// kiln-lower-assertions, defined (a longjmp) by kiln-emit-runtime-abi.
inline constexpr llvm::StringLiteral kFailFunctionName = "__kiln_fail";

/// The module attribute in which kiln-lower-kernel-calls lists the call sites
/// of library kernels (dictionaries {kind, params, state}) for
/// kiln-emit-module-info.
inline constexpr llvm::StringLiteral kKernelsAttrName = "kiln.kernels";

/// A unit attribute on memref.globals that stay in host memory on every
/// target (the parameter vectors and state words of library kernel calls).
inline constexpr llvm::StringLiteral kHostOnlyAttrName = "kiln.host_only";

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PASSES_H
