//===- Passes.td - CUDA code generation passes -------------*- tablegen -*-===//

#ifndef KILN_CODEGEN_CUDA_PASSES
#define KILN_CODEGEN_CUDA_PASSES

include "mlir/Pass/PassBase.td"

def KilnPlaceBuffersOnDevicePass
    : Pass<"kiln-place-buffers-on-device", "mlir::ModuleOp"> {
  let summary = "Keep every buffer of host code in CUDA device memory";
  let description = [{
    Runs on bufferized host functions of a module compiled for CUDA, before
    their loops become kernels. Allocations become `gpu.alloc` and
    deallocations `gpu.dealloc` (device memory from the runtime's CUDA
    backend); copies between dense buffers become `gpu.memcpy` (strided ones
    must already be `linalg.copy`, see kiln-lower-strided-copies). The
    constant globals that host code reads are listed in the module attribute
    `kiln.device_constants`, for kiln-upload-constants to give them device
    copies. Host code that keeps a buffer on its stack (`memref.alloca`) is
    an error: kernels could not read it.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def KilnMapLoopsToGpuPass : Pass<"kiln-map-loops-to-gpu", "mlir::ModuleOp"> {
  let summary = "Turn the loops of host functions into GPU kernel launches";
  let description = [{
    Every outermost `scf.parallel` of a host function (a linalg op after
    convert-linalg-to-parallel-loops) becomes one `gpu.launch`: its iteration
    space is linearized and spread over blocks of `threads-per-block` threads,
    each thread running one iteration (its reduction loops, if any, stay
    sequential in the thread). Memory accesses outside any parallel loop (a
    reduction with no parallel dimension, a rank-0 op) run as a one-thread
    launch. Host code that would read tensor data itself (a loaded value used
    on the host, as data-dependent shapes or control flow need) is reported as
    unsupported on CUDA. gpu-kernel-outlining then makes the launches kernels.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", /*default=*/"256",
           "Threads in each block of a launch (1 to 1024)">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def KilnMergeGpuModulesPass
    : Pass<"kiln-merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Put all outlined kernels into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes one `gpu.module` per kernel; a model has
    hundreds. Merged, they become one PTX module: one load at run time and
    one file for `kiln-compile --emit=ptx`. Launches are retargeted to the
    merged module, which is named `kiln_kernels`.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def KilnUploadConstantsPass
    : Pass<"kiln-upload-constants", "mlir::ModuleOp"> {
  let summary = "Give host code the device copies of constant tensors";
  let description = [{
    Runs on host code in the LLVM dialect. Every address of a global listed
    in `kiln.device_constants` becomes a call of the runtime's
    `kiln_cuda_constant(slot, host, bytes)` (runtime/include/kiln/
    kernel_abi.h), which copies the constant to device memory on first use and
    keeps the device address in `slot`, a writable pointer global the pass
    adds per constant. Kernels then read weights from device memory.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // KILN_CODEGEN_CUDA_PASSES
