//===- Passes.h - CUDA code generation passes -----------------------------===//

#ifndef KILN_CODEGEN_CUDA_PASSES_H
#define KILN_CODEGEN_CUDA_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Codegen/CUDA/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Codegen/CUDA/Passes.h.inc"

/// The module attribute in which kiln-place-buffers-on-device lists the
/// constant globals host code reads (symbol references), for
/// kiln-upload-constants.
inline constexpr llvm::StringLiteral kDeviceConstantsAttrName =
    "kiln.device_constants";

/// The runtime function that returns a constant's device copy (kernel_abi.h).
inline constexpr llvm::StringLiteral kCudaConstantFunctionName =
    "kiln_cuda_constant";

/// The name of the one gpu.module kiln-merge-gpu-modules leaves.
inline constexpr llvm::StringLiteral kMergedGpuModuleName = "kiln_kernels";

} // namespace kiln

#endif // KILN_CODEGEN_CUDA_PASSES_H
