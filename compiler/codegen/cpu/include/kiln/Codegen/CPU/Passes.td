//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef KILN_CODEGEN_CPU_PASSES
#define KILN_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def KilnEmitRuntimeAbiPass : Pass<"kiln-emit-runtime-abi", "mlir::ModuleOp"> {
  let summary = "Emit the runtime's module table and entry points in the LLVM dialect";
  let description = [{
    Runs on a module already lowered to the LLVM dialect. For every entry point that
    `kiln-prepare-entry-points` recorded in `kiln.entry_points`, it emits an internal
    function `__kiln_entry_<name>(ptr descriptors) -> i32` that unpacks the array of
    memref-descriptor pointers and calls the C interface `_mlir_ciface_<name>`, then
    the constant `kiln_module_abi_v1` of type `kiln_abi_module` (see
    runtime/include/kiln/module_abi.h) describing every function: names, dtypes,
    shapes and entry points. That constant is the only symbol the runtime looks up.
  }];
  let options = [
    Option<"producer", "producer", "std::string", /*default=*/"\"kiln\"",
           "The producer string stored in the module table">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def KilnLowerStridedCopiesPass
    : Pass<"kiln-lower-strided-copies", "mlir::ModuleOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    MLIR lowers a `memref.copy` between two identity-layout buffers to a memcpy, but
    any other copy (into a subview, as bufferized `tensor.pad` and
    `tensor.insert_slice` produce) to a call to `memrefCopy` from MLIR's runner
    utilities, a library compiled modules must not depend on. This pass rewrites
    those copies as `linalg.copy`, which becomes plain loops that LLVM vectorizes.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // KILN_CODEGEN_CPU_PASSES
