//===- Compiler.h - The compiler library behind Kiln's tools --------------===//
//
// One entry point from a kiln module to something that runs: either a module
// loaded in this process (JIT) or a file (shared library, object, MLIR, LLVM
// IR). The tools (kiln-compile, kiln-run) are thin shells around this class,
// and tests and users can call it directly.
//
//   kiln::driver::Compiler compiler;
//   auto module = compiler.parseFile("model.mlir");           // kiln dialect
//   auto loaded = compiler.compileToJit(**module, options);    //
//   kiln::rt::Module loaded->function("forward").run({&input});
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_COMPILER_H
#define KILN_DRIVER_COMPILER_H

#include "kiln/runtime.hpp"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kiln::driver {

/// What compileToFile() writes.
enum class OutputKind {
  SharedLibrary, ///< a .so the runtime loads with kiln_module_load()
  Object,        ///< a relocatable .o to link into a program (prefixed tables)
  KilnMLIR,      ///< the kiln-dialect module after graph optimizations
  LLVMDialect,   ///< the module lowered to MLIR's LLVM dialect
  LLVMIR,        ///< optimized LLVM IR (.ll)
  StaticArchive, ///< a .a archive holding the object (prefixed tables)
  PTX,           ///< the GPU kernels of a CUDA module as PTX text (.ptx)
};

/// Where a compiled module's code runs.
enum class Target {
  Cpu,  ///< the host CPU (generated code and oneDNN)
  Cuda, ///< an NVIDIA GPU: host code that launches embedded PTX kernels
};

/// Where a compiled module keeps its constant tensors.
enum class WeightsStorage {
  Embed, ///< in the code (the library's read-only data)
  File,  ///< in `<output stem>.weights` next to the output, read at load time
};

/// How a model file is turned into a kiln module (see Compiler::loadModel).
struct ImportOptions {
  /// Fixed sizes for inputs with dynamic dims, by input name (`--shape NAME=1x3x224x224`).
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
  /// ONNX inputs that are sequences: each element's shape (-1: known only at
  /// run time), by input name; each element becomes an input "NAME[i]".
  std::vector<std::pair<std::string, std::vector<std::vector<int64_t>>>>
      sequenceInputs;
  /// ONNX inputs that are optionals holding nothing.
  std::vector<std::string> emptyOptionalInputs;
  /// The semantics an ONNX graph is imported with (see
  /// onnx_import::ImportOptions::Mode, same order): Inference, as written;
  /// Evaluation, as PyTorch's model.eval() (running statistics stay named
  /// weights, never trained); Training, as model.train() (batch statistics
  /// with running-statistic updates, Dropout on).
  enum class Mode { Inference, Evaluation, Training };
  Mode mode = Mode::Inference;
};

/// A node of an ONNX model that Kiln cannot import, and why.
struct UnsupportedNode {
  int64_t index; ///< position in the graph's node list
  std::string name;
  std::string opType;
  std::string reason;
};

/// What kiln-plan-memory planned for one function: its intermediate buffers
/// share an arena of `arenaBytes`, where allocating each would take
/// `bufferBytes`.
struct MemoryPlan {
  std::string function;
  int64_t arenaBytes = 0;
  int64_t bufferBytes = 0;
};

struct CompileOptions {
  /// 0 disables optional optimizations; 3 is the most aggressive.
  unsigned optLevel = 2;
  /// Where the module's code runs. CUDA modules keep every tensor in device
  /// memory; their host code still targets `targetCpu`.
  Target target = Target::Cpu;
  /// The GPU architecture of a CUDA module ("sm_90"; see
  /// kiln::checkCudaArch).
  std::string cudaArch = "sm_90";
  /// Who runs convolutions and matrix products in a CUDA module: "auto" (the
  /// runtime's cuDNN and cuBLAS kernels wherever they apply) or "codegen".
  std::string cudaKernels = "auto";
  /// The CUDA toolkit's root, where libdevice is found (math functions in
  /// kernels). Empty: $CUDA_PATH, else /usr/local/cuda when it exists, else
  /// MLIR's default.
  std::string cudaToolkitPath;
  /// "host" or an LLVM CPU name (see kiln::TargetOptions).
  std::string targetCpu = "host";
  /// Who runs convolutions and matrix products: "auto" (the default: oneDNN
  /// wherever the runtime has a kernel for the op), "onednn" or "codegen"
  /// (generated loops only).
  std::string cpuKernels = "auto";
  /// The program that links objects into shared libraries ("cc" from PATH by
  /// default; the KILN_LINKER environment variable overrides the default).
  std::string linker;
  /// Called when a stage starts (for progress display), with its name.
  std::function<void(llvm::StringRef stage)> onStageStart;
  /// Called when a stage ends, with its name and wall-clock seconds.
  std::function<void(llvm::StringRef stage, double seconds)> onStageEnd;
  /// Called once per function whose buffers kiln-plan-memory placed in an
  /// arena (CPU modules), in module order, after bufferization.
  std::function<void(const MemoryPlan &plan)> onMemoryPlan;

  // The rest only affects compileToFile().

  /// Embed or File (shared libraries, LLVM dialect and LLVM IR only: an
  /// object or archive linked into a program has no folder to find the file
  /// in). With File, compileToFile() also writes `<output stem>.weights`.
  WeightsStorage weights = WeightsStorage::Embed;
  /// When not empty, compileToFile() also writes a C header declaring typed
  /// entry points and constants for every function (see ModelHeader.h);
  /// only for SharedLibrary, Object and StaticArchive.
  std::string headerPath;
  /// The model's C identifier: the prefix of everything the header declares
  /// and, for Object and StaticArchive, of the exported tables
  /// (`<name>_kiln_module_abi_v1`, `<name>_kiln_module_info_v1`). Empty:
  /// derived from the output file's name.
  std::string moduleName;
};

/// Compiles kiln modules. A Compiler owns its MLIRContext; modules it parses
/// belong to that context. Use one Compiler per thread.
class Compiler {
public:
  Compiler();
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  mlir::MLIRContext &getContext();

  /// Parses and verifies a `.mlir` file. Errors read "file:line:col: error:
  /// ...".
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  parseFile(llvm::StringRef path);

  /// Loads a model file by its extension: `.mlir` (kiln dialect) or `.onnx`.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  loadModel(llvm::StringRef path, const ImportOptions &options = {});

  /// Every node of the ONNX model at `path` that cannot be imported (empty when
  /// every node can); an error only when the file cannot be loaded at all.
  llvm::Expected<std::vector<UnsupportedNode>>
  findUnsupportedNodes(llvm::StringRef path, const ImportOptions &options = {});

  /// Parses and verifies MLIR source text; `bufferName` names it in
  /// diagnostics.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  parseSource(llvm::StringRef source, llvm::StringRef bufferName = "<source>");

  /// Compiles `module` (which is not modified) and loads it into this process.
  llvm::Expected<rt::Module> compileToJit(mlir::ModuleOp module,
                                          const CompileOptions &options = {});

  /// Compiles `module` (which is not modified) and writes `outputPath`. The
  /// file appears only when everything succeeded (written to a temporary, then
  /// renamed).
  llvm::Error compileToFile(mlir::ModuleOp module, llvm::StringRef outputPath,
                            OutputKind kind,
                            const CompileOptions &options = {});

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// "kiln <version>", as stored in every compiled module.
const char *getProducerString();

} // namespace kiln::driver

#endif // KILN_DRIVER_COMPILER_H
