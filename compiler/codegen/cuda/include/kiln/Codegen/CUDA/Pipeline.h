//===- Pipeline.h - The CUDA compilation pipeline, stage by stage ---------===//
//
// kiln -> linalg on tensors -> buffers -> GPU kernels + host code in the LLVM
// dialect, with the kernels compiled to PTX by LLVM's NVPTX back end and
// embedded in the host code. The first three stages are the CPU pipeline's;
// the last maps loops to GPU launches instead of lowering them to CPU loops.
// `kiln-opt --kiln-cuda-pipeline` runs them all.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CUDA_PIPELINE_H
#define KILN_CODEGEN_CUDA_PIPELINE_H

#include "kiln/Codegen/CPU/Pipeline.h"

#include <string>

namespace kiln {

struct CudaPipelineOptions {
  /// 0 turns off optional optimizations; 1-3 enable them (also the NVPTX
  /// back end's level).
  unsigned optLevel = 2;
  /// Stored in the module table as its producer.
  std::string producer = "kiln";
  /// See CpuPipelineOptions::weightsFileName.
  std::string weightsFileName;
  /// The GPU architecture to generate PTX for, "sm_<major><minor>" (sm_70 or
  /// later).
  std::string arch = "sm_90";
  /// The CUDA toolkit's root, where libdevice (the math functions kernels
  /// call) is found; empty: MLIR's default.
  std::string toolkitPath;
  /// Who runs convolutions and matrix products: "auto" (the runtime's cuDNN
  /// and cuBLAS kernels wherever they apply) or "codegen" (generated kernels
  /// only).
  std::string kernels = "auto";
  /// How kernels are embedded (gpu-module-to-binary's format): "isa" (PTX,
  /// compiled by the driver when the module loads) or "fatbin" (cubin for
  /// `arch` and PTX; needs the toolkit's ptxas and fatbinary).
  std::string binaryFormat = "isa";
  /// Threads per block of every generated kernel launch.
  int64_t threadsPerBlock = 256;
};

/// Checks an architecture name ("sm_90"); an error message when it is not one
/// Kiln can compile for.
std::optional<std::string> checkCudaArch(llvm::StringRef arch);

/// The textual pass pipeline of one stage (passes nested under builtin.module).
std::string getCudaStagePipeline(CodegenStage stage,
                                 const CudaPipelineOptions &options);

/// Adds the passes of `stage` to `pm`, which must be anchored on
/// builtin.module.
llvm::LogicalResult addCudaStagePasses(mlir::OpPassManager &pm,
                                       CodegenStage stage,
                                       const CudaPipelineOptions &options);

/// Registers `kiln-cuda-pipeline` (all stages) with MLIR's pipeline registry.
void registerCudaPipeline();

} // namespace kiln

#endif // KILN_CODEGEN_CUDA_PIPELINE_H
