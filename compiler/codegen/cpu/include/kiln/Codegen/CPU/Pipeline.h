//===- Pipeline.h - The CPU compilation pipeline, stage by stage ----------===//
//
// kiln -> linalg on tensors -> buffers -> LLVM dialect, as four stages so that
// the driver can time and report each one. Every stage is an ordinary textual
// pass pipeline of upstream MLIR passes and kiln passes; `kiln-opt
// --kiln-cpu-pipeline` runs them all.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PIPELINE_H
#define KILN_CODEGEN_CPU_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

struct CpuPipelineOptions {
  /// 0 turns off optional graph and loop optimizations; 1-3 enable them.
  unsigned optLevel = 2;
  /// Stored in the module table as its producer.
  std::string producer = "kiln";
  /// Empty: constant tensors stay in the code. Otherwise the name of the
  /// weights file (a plain file name) that `kiln-externalize-weights` moves
  /// them to; the blob is left in the `kiln.weights` module attribute.
  std::string weightsFileName;
  /// Who runs convolutions and matrix products: "auto", "onednn" (the
  /// runtime's oneDNN kernels, where they apply) or "codegen" (generated
  /// loops only). See kiln-select-kernels.
  std::string cpuKernels = "auto";
  /// The prefix of the runtime entry points library kernels call
  /// (kiln-lower-kernel-calls): kiln_kernel_ (oneDNN) or kiln_cuda_.
  std::string kernelFunctionPrefix = "kiln_kernel_";
  /// Whether generated loops run in parallel on the session's threads (at
  /// -O1 and above), in tasks of at least `minTaskSize` rows (iterations of
  /// all but the innermost dimension).
  bool parallelLoops = true;
  int64_t minTaskSize = 512;
  /// Whether matrix products left to generated code are tiled and vectorized
  /// (kiln-vectorize-contractions, at -O1 and above). Targets whose later
  /// stages expect plain linalg (CUDA) turn it off.
  bool vectorizeContractions = true;
  /// Whether each function's intermediate buffers share an arena planned by
  /// their lifetimes (kiln-plan-memory). The CUDA pipeline, whose buffers
  /// move to device memory afterwards, turns it off (not run on a GPU yet).
  bool planMemory = true;
};

/// The stages of every target's pipeline (the CUDA pipeline, in
/// kiln/Codegen/CUDA/Pipeline.h, has the same four).
enum class CodegenStage { OptimizeGraph, LowerToLinalg, Bufferize, LowerToLLVM };

/// All stages in order.
inline constexpr CodegenStage kCodegenStages[] = {
    CodegenStage::OptimizeGraph, CodegenStage::LowerToLinalg, CodegenStage::Bufferize,
    CodegenStage::LowerToLLVM};

/// A short name for progress and timing output, e.g. "lower to linalg".
llvm::StringRef getStageName(CodegenStage stage);

/// The textual pass pipeline of one stage (passes nested under builtin.module).
std::string getCpuStagePipeline(CodegenStage stage,
                                const CpuPipelineOptions &options);

/// Adds the passes of `stage` to `pm`, which must be anchored on
/// builtin.module.
llvm::LogicalResult addCpuStagePasses(mlir::OpPassManager &pm, CodegenStage stage,
                                      const CpuPipelineOptions &options);

/// Registers `kiln-cpu-pipeline` (all stages) with MLIR's pipeline registry.
void registerCpuPipeline();

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PIPELINE_H
