//===- Pipeline.cpp - The CUDA compilation pipeline, stage by stage -------===//

#include "kiln/Codegen/CUDA/Pipeline.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace kiln {

std::optional<std::string> checkCudaArch(llvm::StringRef arch) {
  unsigned version = 0;
  llvm::StringRef digits = arch;
  if (!digits.consume_front("sm_") || digits.getAsInteger(10, version) ||
      version < 70 || version > 1299)
    return std::string("'") + arch.str() +
           "' is not a CUDA architecture Kiln compiles for: use sm_70 or "
           "later, e.g. sm_80 (A100) or sm_90 (H100)";
  return std::nullopt;
}

/// The PTX ISA version to emit: 8.0 is the first that knows sm_90, and every
/// CUDA 12 or later driver can load it.
static const char *kPtxFeatures = "+ptx80";

std::string getCudaStagePipeline(CodegenStage stage,
                                 const CudaPipelineOptions &options) {
  CpuPipelineOptions shared;
  shared.optLevel = options.optLevel;
  shared.producer = options.producer;
  // Convolutions and matrix products go to cuDNN and cuBLAS, called with
  // device pointers through the runtime's kiln_cuda_* entry points.
  shared.cpuKernels = options.kernels == "codegen" ? "codegen" : "cuda";
  shared.kernelFunctionPrefix = "kiln_cuda_";
  // kiln-map-loops-to-gpu maps linalg loop nests, not vector code.
  shared.vectorizeContractions = false;
  // Device buffers are not planned into an arena yet: views of one device
  // allocation through kiln-place-buffers-on-device and the loop mapping
  // have not been run on a GPU.
  shared.planMemory = false;
  if (stage != CodegenStage::LowerToLLVM)
    return getCpuStagePipeline(stage, shared);
  // Strided copies become loops (kernels); the remaining buffers, copies and
  // constants of host code move to device memory; scf.forall loops (the
  // planes of a scatter) become parallel loops, and every loop nest a
  // launch, outlined into one module of kernels that the NVPTX back end
  // compiles to PTX. The host code, left with allocations, copies and
  // launches, is lowered as on the CPU, its launches calling the runtime's
  // CUDA backend (the mgpu* functions) on one stream per run.
  std::string toolkit =
      options.toolkitPath.empty() ? "" : " toolkit=" + options.toolkitPath;
  return llvm::formatv(
             "kiln-lower-strided-copies,kiln-place-buffers-on-device,"
             "scf-forall-to-parallel,convert-linalg-to-parallel-loops,"
             "canonicalize,"
             "kiln-map-loops-to-gpu{{threads-per-block={0}},"
             "gpu-kernel-outlining,kiln-merge-gpu-modules,"
             "nvvm-attach-target{{chip={1} features={2} O={3}},"
             "gpu.module(lower-affine,convert-scf-to-cf,"
             "expand-strided-metadata,lower-affine,"
             "convert-gpu-to-nvvm,canonicalize,cse,"
             "reconcile-unrealized-casts),"
             "func.func(gpu-async-region),"
             "lower-affine,convert-scf-to-cf,expand-strided-metadata,"
             "lower-affine,"
             "finalize-memref-to-llvm{{use-generic-functions=true},"
             "convert-math-to-llvm,convert-math-to-libm,"
             "gpu-to-llvm,convert-to-llvm,reconcile-unrealized-casts,"
             "gpu-module-to-binary{{format={7}{4}},"
             "kiln-upload-constants,"
             "kiln-flatten-constant-globals,{5}"
             "kiln-emit-runtime-abi{{producer='{6}'},"
             "kiln-emit-module-info{{target=cuda target-arch={1}}",
             options.threadsPerBlock, options.arch, kPtxFeatures,
             std::min(options.optLevel, 3u), toolkit,
             options.weightsFileName.empty()
                 ? std::string()
                 : "kiln-externalize-weights{file-name='" +
                       options.weightsFileName + "'},",
             options.producer, options.binaryFormat)
      .str();
}

LogicalResult addCudaStagePasses(OpPassManager &pm, CodegenStage stage,
                                 const CudaPipelineOptions &options) {
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(getCudaStagePipeline(stage, options), pm,
                               errorStream))) {
    llvm::errs() << "kiln: internal error in the '" << getStageName(stage)
                 << "' pipeline for CUDA: " << errors << "\n";
    return failure();
  }
  return success();
}

namespace {
struct CudaPipelineCommandLineOptions
    : public PassPipelineOptions<CudaPipelineCommandLineOptions> {
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level 0-3"),
                            llvm::cl::init(2)};
  Option<std::string> arch{*this, "arch",
                           llvm::cl::desc("GPU architecture, e.g. sm_90"),
                           llvm::cl::init("sm_90")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root (for libdevice); default MLIR's"),
      llvm::cl::init("")};
  Option<std::string> kernels{
      *this, "kernels",
      llvm::cl::desc("Convolutions and matrix products: auto (cuDNN and "
                     "cuBLAS) or codegen"),
      llvm::cl::init("auto")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel binaries: isa (PTX) or fatbin (needs ptxas)"),
      llvm::cl::init("isa")};
  Option<int64_t> threadsPerBlock{
      *this, "threads-per-block",
      llvm::cl::desc("Threads per block of generated launches"),
      llvm::cl::init(256)};
};
} // namespace

void registerCudaPipeline() {
  PassPipelineRegistration<CudaPipelineCommandLineOptions>(
      "kiln-cuda-pipeline",
      "Compile a kiln module to host code in the LLVM dialect with embedded "
      "CUDA kernels (all stages)",
      [](OpPassManager &pm, const CudaPipelineCommandLineOptions &cl) {
        CudaPipelineOptions options;
        options.optLevel = cl.optLevel;
        options.arch = cl.arch;
        options.toolkitPath = cl.toolkit;
        options.threadsPerBlock = cl.threadsPerBlock;
        options.kernels = cl.kernels;
        options.binaryFormat = cl.format;
        for (CodegenStage stage : kCodegenStages)
          (void)addCudaStagePasses(pm, stage, options);
      });
}

} // namespace kiln
