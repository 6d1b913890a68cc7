//===- Pipeline.cpp - The CPU compilation pipeline, stage by stage --------===//

#include "kiln/Codegen/CPU/Pipeline.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace kiln {

StringRef getStageName(CodegenStage stage) {
  switch (stage) {
  case CodegenStage::OptimizeGraph:
    return "optimize graph";
  case CodegenStage::LowerToLinalg:
    return "lower to linalg";
  case CodegenStage::Bufferize:
    return "bufferize";
  case CodegenStage::LowerToLLVM:
    return "lower to LLVM dialect";
  }
  llvm_unreachable("unknown stage");
}

/// Loops of generated code: sequential, or (with parallelLoops) parallel
/// loops that kiln-async-parallel-for (MLIR's async-parallel-for, with task
/// sizes by work) splits into tasks, which run on the session's threads
/// through the runtime's implementation of MLIR's async runtime ABI
/// (kernel_abi.h). A run with one thread runs them inline. The loops are made
/// one-dimensional first (kiln-linearize-parallel-loops says why), so a task
/// is a range of rows: the innermost dimension. The output tiles of
/// vectorized matrix products (scf.forall) are parallel loops too. Loops
/// that are the same loop on other buffers (the steps of an unrolled
/// recurrent layer) share their outlined functions
/// (kiln-merge-duplicate-functions).
static std::string parallelLoopPasses(const CpuPipelineOptions &options) {
  if (!options.parallelLoops || options.optLevel == 0)
    return "scf-forall-to-for,convert-linalg-to-loops,";
  return "scf-forall-to-parallel,convert-linalg-to-parallel-loops,"
         "kiln-linearize-parallel-loops,"
         "kiln-async-parallel-for{min-task-size=" +
         std::to_string(options.minTaskSize) +
         "},kiln-merge-duplicate-functions,"
         "async-to-async-runtime,async-runtime-ref-counting,"
         "async-runtime-ref-counting-opt,convert-async-to-llvm,";
}

std::string getCpuStagePipeline(CodegenStage stage,
                                const CpuPipelineOptions &options) {
  bool optimize = options.optLevel > 0;
  switch (stage) {
  case CodegenStage::OptimizeGraph:
    // Folders evaluate constant subgraphs and drop identities; inference
    // BatchNorm after a convolution folds into its filter; strided transposed
    // convolutions become one convolution per output phase; convolutions read
    // the branches of a channel concatenation instead of a copy of them.
    return "canonicalize,cse,kiln-fold-conv-scale,"
           "kiln-decompose-conv-transpose,"
           "kiln-split-concat-consumers,canonicalize";
  case CodegenStage::LowerToLinalg:
    // Entry points are recorded first, while tensor types still say what they
    // are. Kernel selection matches epilogues on kiln ops, before lowering;
    // the filter gradients it did not take become kiln ops for generated
    // code. Canonicalizing after it cancels the layout transposes between
    // consecutive kernels, and cse merges those that several kernels read (a
    // forward convolution's input, which its filter gradient reads too).
    // Convolutions and matrix products left to generated code become matrix
    // products tiled and vectorized by a transform-dialect schedule, on
    // tensors, so that bufferization sees the tiles' slices.
    return "kiln-prepare-entry-points,kiln-select-kernels{kernels=" +
           options.cpuKernels +
           "},kiln-expand-filter-gradients,canonicalize,cse,"
           "kiln-lower-to-linalg," +
           "canonicalize," + (optimize ? "linalg-fuse-elementwise-ops," : "") +
           (optimize && options.vectorizeContractions
                ? "kiln-convolutions-to-matmul,canonicalize,"
                  "kiln-vectorize-contractions,canonicalize,"
                : "") +
           "kiln-decompose-aggregates,canonicalize,cse";
  case CodegenStage::Bufferize:
    // Identity layouts at function boundaries match the runtime's dense
    // row-major tensors. Outputs of fixed shape become caller-allocated
    // out-parameters, written in place; outputs sized at run time stay
    // results the runtime takes over (the deallocation pipeline makes them
    // fresh allocations). Library kernels become calls whose failure is a
    // run-time check, as is an allocation the heap could not serve; run-time
    // checks become error returns. Loops
    // imported from ONNX (scf.for of Loop) yield tensors their bodies compute
    // anew, so loops may yield new allocations. Empty tensors that are only
    // inserted into a larger one (the column parts of a split matrix
    // product) become slices of it first, so their ops write in place.
    return "eliminate-empty-tensors,"
           "one-shot-bufferize{bufferize-function-boundaries "
           "function-boundary-type-conversion=identity-layout-map "
           "allow-return-allocs-from-loops},"
           "kiln-outputs-to-params,kiln-lower-kernel-calls{function-prefix=" +
           options.kernelFunctionPrefix + "}," +
           (options.planMemory ? "kiln-plan-memory," : "") +
           "kiln-check-allocations,kiln-lower-assertions,"
           "canonicalize,buffer-deallocation-pipeline,"
           "convert-bufferization-to-memref";
  case CodegenStage::LowerToLLVM:
    // Strided copies become linalg.copy first, so that they lower to loops here
    // instead of calls into MLIR's runtime library (at -O1 and up, those with
    // contiguous rows of static length move them with vector loads and
    // stores). expand-strided-metadata
    // computes the offsets of subviews at dynamic positions (the slices that
    // cumsum and top_k loop over) with affine.apply: lower-affine runs again.
    // Buffers are allocated with the runtime's heap (kernel_abi.h), which keeps
    // freed blocks for the next run instead of returning them to the kernel.
    // Math ops LLVM has no intrinsic for (asinh, acosh, atanh, erf) become libm
    // calls after convert-math-to-llvm has taken the ones it can; at -O1 and
    // up, f32 exp, tanh and erf become polynomial approximations first, which
    // LLVM vectorizes (kiln-approximate-math). Weights (when they go to a file)
    // are moved before the module tables are written, so that the module info
    // can point at their table. The vector ops of tiled products lower through
    // scf (transfers of more than one dimension) and then to LLVM before memref
    // descriptors do.
    return llvm::formatv("kiln-lower-strided-copies{{vectorize={4}},{3}{2}"
                         "convert-vector-to-scf{{full-unroll=true},"
                         "lower-affine,convert-scf-to-cf,"
                         "convert-vector-to-llvm,"
                         "expand-strided-metadata,lower-affine,"
                         "finalize-memref-to-llvm{{use-generic-functions=true},"
                         "convert-math-to-llvm,convert-math-to-libm,"
                         "convert-to-llvm,"
                         "reconcile-unrealized-casts,"
                         "kiln-flatten-constant-globals,{1}"
                         "kiln-emit-runtime-abi{{producer='{0}'},"
                         "kiln-emit-module-info",
                         options.producer,
                         options.weightsFileName.empty()
                             ? std::string()
                             : "kiln-externalize-weights{file-name='" +
                                   options.weightsFileName + "'},",
                         parallelLoopPasses(options),
                         optimize ? "kiln-approximate-math," : "",
                         optimize ? "true" : "false")
        .str();
  }
  llvm_unreachable("unknown stage");
}

LogicalResult addCpuStagePasses(OpPassManager &pm, CodegenStage stage,
                                const CpuPipelineOptions &options) {
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(getCpuStagePipeline(stage, options), pm,
                               errorStream))) {
    llvm::errs() << "kiln: internal error in the '" << getStageName(stage)
                 << "' pipeline: " << errors << "\n";
    return failure();
  }
  return success();
}

namespace {
struct CpuPipelineCommandLineOptions
    : public PassPipelineOptions<CpuPipelineCommandLineOptions> {
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level 0-3"),
                            llvm::cl::init(2)};
  Option<std::string> weightsFile{
      *this, "weights-file",
      llvm::cl::desc("Move constant tensors to this weights file (a plain "
                     "file name; default: keep them in the code)"),
      llvm::cl::init("")};
  Option<std::string> cpuKernels{
      *this, "cpu-kernels",
      llvm::cl::desc("Convolutions and matrix products: auto, onednn or "
                     "codegen"),
      llvm::cl::init("auto")};
};
} // namespace

void registerCpuPipeline() {
  PassPipelineRegistration<CpuPipelineCommandLineOptions>(
      "kiln-cpu-pipeline",
      "Compile a kiln module to the LLVM dialect for the CPU (all stages)",
      [](OpPassManager &pm, const CpuPipelineCommandLineOptions &cl) {
        CpuPipelineOptions options;
        options.optLevel = cl.optLevel;
        options.weightsFileName = cl.weightsFile;
        options.cpuKernels = cl.cpuKernels;
        for (CodegenStage stage : kCodegenStages)
          (void)addCpuStagePasses(pm, stage, options);
      });
}

} // namespace kiln
