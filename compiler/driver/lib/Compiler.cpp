//===- Compiler.cpp - The compiler library behind Kiln's tools ------------===//
//
// Runs the CPU pipeline stage by stage (timing each), then either hands the
// LLVM module to MLIR's ExecutionEngine and wraps the resulting module table
// with the runtime (JIT), or emits a file. Diagnostics from parsing and from
// every pass are collected and returned as llvm::Error text with their source
// locations.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"

#include "DiagnosticCollector.h"
#include "SharedLibraryLinker.h"

#include "kiln/Codegen/CPU/LLVMCodegen.h"
#include "kiln/Codegen/CPU/Pipeline.h"
#include "kiln/Codegen/CPU/Weights.h"
#include "kiln/Codegen/CUDA/Pipeline.h"
#include "kiln/Codegen/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Driver/ModelHeader.h"
#include "kiln/Driver/OutputFiles.h"
#include "kiln/Driver/Registration.h"
#include "kiln/Driver/Version.h"
#include "kiln/Frontends/ONNX/Import.h"
#include "kiln/module_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <chrono>

using namespace mlir;

namespace kiln::driver {

const char *getProducerString() { return "kiln " KILN_VERSION_STRING; }

struct Compiler::Impl {
  Impl() : context(makeRegistry()) {}

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerKilnDialects(registry);
    return registry;
  }

  /// Times `body` as the stage `name`, reporting start and end to the
  /// callbacks.
  template <typename Body>
  auto timeStage(const CompileOptions &options, StringRef name, Body body) {
    if (options.onStageStart)
      options.onStageStart(name);
    auto start = std::chrono::steady_clock::now();
    auto result = body();
    if (options.onStageEnd)
      options.onStageEnd(name, std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
    return result;
  }

  /// What a compile needs beyond CompileOptions, and what it records.
  struct Lowering {
    /// Stop after the graph stage (for --emit=mlir).
    bool graphOnly = false;
    /// CUDA kernels as PTX only, never assembled (for --emit=ptx).
    bool ptxOnly = false;
    /// See CpuPipelineOptions::weightsFileName.
    std::string weightsFileName;
    /// See finalizeModuleSymbols().
    std::string tablePrefix;
    /// Filled from kiln.entry_points once the entry points are prepared.
    std::vector<FunctionSignature> signatures;
  };

  llvm::Error runStage(ModuleOp module, CodegenStage stage,
                       const CompileOptions &options, const Lowering &lowering);
  llvm::Expected<OwningOpRef<ModuleOp>>
  lowerToLLVMDialect(ModuleOp module, const CompileOptions &options,
                     Lowering &lowering);
  llvm::Expected<std::unique_ptr<llvm::Module>>
  lowerToLLVMIR(ModuleOp llvmDialectModule, llvm::LLVMContext &llvmContext,
                llvm::TargetMachine &machine, const CompileOptions &options,
                llvm::StringRef tablePrefix);

  MLIRContext context;
};

static CpuPipelineOptions getPipelineOptions(const CompileOptions &options,
                                             llvm::StringRef weightsFileName) {
  CpuPipelineOptions pipeline;
  pipeline.optLevel = options.optLevel;
  pipeline.producer = getProducerString();
  pipeline.weightsFileName = weightsFileName.str();
  pipeline.cpuKernels = options.cpuKernels;
  return pipeline;
}

static TargetOptions getTargetOptions(const CompileOptions &options) {
  TargetOptions target;
  target.cpu = options.targetCpu.empty() ? "host" : options.targetCpu;
  target.optLevel = options.optLevel;
  return target;
}

/// A module must have something to compile: at least one public function.
static llvm::Error checkHasEntryPoints(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      return llvm::Error::success();
  return llvm::createStringError(
      "nothing to compile: the module has no public func.func with a body");
}

/// The toolkit whose libdevice CUDA kernels link (see
/// CompileOptions::cudaToolkitPath).
static std::string findCudaToolkit(const CompileOptions &options) {
  if (!options.cudaToolkitPath.empty())
    return options.cudaToolkitPath;
  if (const char *path = std::getenv("CUDA_PATH"); path && *path)
    return path;
  if (llvm::sys::fs::is_directory("/usr/local/cuda"))
    return "/usr/local/cuda";
  return "";
}

/// Whether the toolkit at `root` can assemble PTX into a fatbin (cubin + PTX).
static bool canAssemble(llvm::StringRef root) {
  if (root.empty())
    return false;
  for (const char *tool : {"ptxas", "fatbinary"}) {
    llvm::SmallString<256> path(root);
    llvm::sys::path::append(path, "bin", tool);
    if (!llvm::sys::fs::can_execute(path))
      return false;
  }
  return true;
}

static CudaPipelineOptions
getCudaPipelineOptions(const CompileOptions &options,
                       llvm::StringRef weightsFileName, bool ptxOnly) {
  CudaPipelineOptions pipeline;
  pipeline.optLevel = options.optLevel;
  pipeline.producer = getProducerString();
  pipeline.weightsFileName = weightsFileName.str();
  pipeline.arch = options.cudaArch;
  pipeline.kernels = options.cudaKernels;
  pipeline.toolkitPath = findCudaToolkit(options);
  // With ptxas, modules carry cubin for their architecture (no JIT when they
  // load) next to the PTX; without it, PTX that the driver compiles.
  pipeline.binaryFormat =
      !ptxOnly && canAssemble(pipeline.toolkitPath) ? "fatbin" : "isa";
  return pipeline;
}

/// Hands `report` the arena kiln-plan-memory recorded on each function.
static void
reportMemoryPlans(ModuleOp module,
                  const std::function<void(const MemoryPlan &)> &report) {
  module.walk([&](func::FuncOp function) {
    auto arena = function->getAttrOfType<IntegerAttr>(kArenaBytesAttrName);
    auto buffers =
        function->getAttrOfType<IntegerAttr>(kArenaBufferBytesAttrName);
    if (arena && buffers)
      report({function.getName().str(), arena.getInt(), buffers.getInt()});
  });
}

llvm::Error Compiler::Impl::runStage(ModuleOp module, CodegenStage stage,
                                     const CompileOptions &options,
                                     const Lowering &lowering) {
  return timeStage(options, getStageName(stage), [&]() -> llvm::Error {
    DiagnosticCollector diagnostics(&context);
    PassManager pm(&context, ModuleOp::getOperationName());
    LogicalResult added =
        options.target == Target::Cuda
            ? addCudaStagePasses(pm, stage,
                                 getCudaPipelineOptions(
                                     options, lowering.weightsFileName,
                                     lowering.ptxOnly))
            : addCpuStagePasses(
                  pm, stage,
                  getPipelineOptions(options, lowering.weightsFileName));
    if (failed(added))
      return llvm::createStringError("internal error: invalid pass pipeline");
    if (failed(pm.run(module)))
      return diagnostics.takeError(Twine("compilation failed in stage '") +
                                   getStageName(stage) + "'");
    return llvm::Error::success();
  });
}

llvm::Expected<OwningOpRef<ModuleOp>> Compiler::Impl::lowerToLLVMDialect(
    ModuleOp module, const CompileOptions &options, Lowering &lowering) {
  if (llvm::Error error = checkHasEntryPoints(module))
    return std::move(error);
  if (options.target == Target::Cuda)
    if (std::optional<std::string> problem = checkCudaArch(options.cudaArch))
      return llvm::createStringError(*problem);
  OwningOpRef<ModuleOp> lowered = module.clone();
  // Weight names serve training (kiln::buildTrainStep), which is done by
  // now; left on the constants they would keep equal ones from merging.
  lowered->walk([](Operation *op) { op->removeAttr(kInitializerAttrName); });
  for (CodegenStage stage : kCodegenStages) {
    if (llvm::Error error = runStage(*lowered, stage, options, lowering))
      return std::move(error);
    if (lowering.graphOnly)
      break;
    if (stage == CodegenStage::Bufferize && options.onMemoryPlan)
      reportMemoryPlans(*lowered, options.onMemoryPlan);
    if (stage == CodegenStage::LowerToLinalg) {
      // The record is consumed when the module table is written.
      auto signatures = readEntryPoints(*lowered);
      if (!signatures)
        return signatures.takeError();
      lowering.signatures = std::move(*signatures);
    }
  }
  return std::move(lowered);
}

llvm::Expected<std::unique_ptr<llvm::Module>> Compiler::Impl::lowerToLLVMIR(
    ModuleOp llvmDialectModule, llvm::LLVMContext &llvmContext,
    llvm::TargetMachine &machine, const CompileOptions &options,
    llvm::StringRef tablePrefix) {
  auto llvmModule = timeStage(options, "translate to LLVM IR", [&] {
    DiagnosticCollector diagnostics(&context);
    auto translated =
        translateToLLVMIR(llvmDialectModule, llvmContext, machine);
    if (!translated)
      return llvm::Expected<std::unique_ptr<llvm::Module>>(
          diagnostics.takeError(llvm::toString(translated.takeError())));
    return translated;
  });
  if (!llvmModule)
    return llvmModule.takeError();
  // Only the module tables stay visible: the rest can be optimized freely.
  finalizeModuleSymbols(**llvmModule, tablePrefix);
  if (llvm::Error error = timeStage(options, "optimize LLVM IR", [&] {
        return optimizeLLVMModule(**llvmModule, machine, options.optLevel);
      }))
    return std::move(error);
  return llvmModule;
}

/// The name of input `index` of `func` as the runtime will report it.
static std::string inputName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, kValueNameAttrName))
    return name.str();
  return "input_" + std::to_string(index);
}

/// Fails when a --shape names an input that no public function has.
static llvm::Error checkInputShapeNames(ModuleOp module,
                                        const ImportOptions &options) {
  std::vector<std::string> names;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        names.push_back(inputName(func, i));
  for (const auto &[name, dims] : options.inputShapes)
    if (!llvm::is_contained(names, name))
      return llvm::createStringError(
          "--shape names an unknown input '" + name +
          "' (the model's inputs: " +
          (names.empty() ? std::string("none") : llvm::join(names, ", ")) +
          ")");
  return llvm::Error::success();
}

Compiler::Compiler() : impl(std::make_unique<Impl>()) { registerKilnPasses(); }
Compiler::~Compiler() = default;

MLIRContext &Compiler::getContext() { return impl->context; }

llvm::Expected<OwningOpRef<ModuleOp>> Compiler::parseFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (std::error_code error = buffer.getError())
    return llvm::createStringError(error, "cannot read '" + path +
                                              "': " + error.message());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  DiagnosticCollector diagnostics(&impl->context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&impl->context));
  if (!module)
    return diagnostics.takeError("cannot parse '" + path + "'");
  return std::move(module);
}

llvm::Expected<OwningOpRef<ModuleOp>>
Compiler::loadModel(StringRef path, const ImportOptions &options) {
  StringRef extension = llvm::sys::path::extension(path);
  if (extension == ".onnx") {
    onnx_import::ImportOptions importOptions;
    importOptions.inputShapes = options.inputShapes;
    importOptions.sequenceInputs = options.sequenceInputs;
    importOptions.emptyOptionalInputs = options.emptyOptionalInputs;
    importOptions.mode =
        static_cast<onnx_import::ImportOptions::Mode>(options.mode);
    DiagnosticCollector diagnostics(&impl->context);
    auto module = onnx_import::importModel(impl->context, path, importOptions);
    if (!module)
      return module.takeError();
    if (failed(verify(**module)))
      return diagnostics.takeError("internal error: the module imported from '" + path +
                                   "' does not verify");
    return module;
  }
  if (extension != ".mlir")
    return llvm::createStringError("cannot load '" + path +
                                   "': unknown model format (expected a .mlir "
                                   "or .onnx file)");
  auto module = parseFile(path);
  if (module &&
      (!options.sequenceInputs.empty() || !options.emptyOptionalInputs.empty()))
    return llvm::createStringError(
        "sequence and optional inputs exist only in ONNX models; a .mlir "
        "model takes tensors");
  if (!module || options.inputShapes.empty())
    return module;
  if (llvm::Error error = checkInputShapeNames(**module, options))
    return std::move(error);
  return llvm::createStringError(
      "input shapes can only be given for ONNX models; write the shapes into "
      "the .mlir function signature instead");
}

llvm::Expected<std::vector<UnsupportedNode>>
Compiler::findUnsupportedNodes(StringRef path, const ImportOptions &options) {
  if (llvm::sys::path::extension(path) != ".onnx")
    return llvm::createStringError("cannot check '" + path +
                                   "': --list-unsupported needs an .onnx model");
  onnx_import::ImportOptions importOptions;
  importOptions.inputShapes = options.inputShapes;
  importOptions.sequenceInputs = options.sequenceInputs;
  importOptions.emptyOptionalInputs = options.emptyOptionalInputs;
  auto nodes = onnx_import::findUnsupportedNodes(impl->context, path, importOptions);
  if (!nodes)
    return nodes.takeError();
  std::vector<UnsupportedNode> result;
  for (const auto &node : *nodes)
    result.push_back({node.index, node.name, node.opType, node.reason});
  return result;
}

llvm::Expected<OwningOpRef<ModuleOp>>
Compiler::parseSource(StringRef source, StringRef bufferName) {
  DiagnosticCollector diagnostics(&impl->context);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      source, ParserConfig(&impl->context), bufferName);
  if (!module)
    return diagnostics.takeError("cannot parse " + bufferName);
  return std::move(module);
}

namespace {
/// Keeps the JIT engine alive for as long as the runtime uses its module table.
void releaseEngine(void *engine) {
  delete static_cast<ExecutionEngine *>(engine);
}
} // namespace

llvm::Expected<rt::Module>
Compiler::compileToJit(ModuleOp module, const CompileOptions &options) {
  if (options.weights == WeightsStorage::File)
    return llvm::createStringError(
        "weights in a file are for compiled files; a JIT-compiled module "
        "embeds its weights");
  Impl::Lowering lowering;
  auto lowered = impl->lowerToLLVMDialect(module, options, lowering);
  if (!lowered)
    return lowered.takeError();
  auto machine = createTargetMachine(getTargetOptions(options));
  if (!machine)
    return machine.takeError();

  // The engine calls back for the LLVM module, so the JIT gets exactly what the
  // ahead-of-time path would compile.
  llvm::Error buildError = llvm::Error::success();
  llvm::TargetMachine &machineRef = **machine;
  auto buildModule =
      [&](Operation *op,
          llvm::LLVMContext &llvmContext) -> std::unique_ptr<llvm::Module> {
    auto llvmModule = impl->lowerToLLVMIR(cast<ModuleOp>(op), llvmContext,
                                          machineRef, options, "");
    if (!llvmModule) {
      buildError = llvmModule.takeError();
      return nullptr;
    }
    return std::move(*llvmModule);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.llvmModuleBuilder = buildModule;
  engineOptions.jitCodeGenOptLevel = machineRef.getOptLevel();
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;

  struct JitTables {
    ExecutionEngine *engine;
    void *abi;
    void *info;
  };
  auto tables = impl->timeStage(options, "generate machine code", [&] {
    using Result = llvm::Expected<JitTables>;
    auto engine =
        ExecutionEngine::create(**lowered, engineOptions, std::move(*machine));
    if (buildError)
      return Result(std::move(buildError));
    if (!engine)
      return Result(engine.takeError());
    // Runs the module's constructors: a CUDA module's registers its PTX with
    // the runtime (mgpuModuleLoadJIT) there.
    (*engine)->initialize();
    auto abi = (*engine)->lookup(KILN_ABI_SYMBOL);
    if (!abi)
      return Result(abi.takeError());
    auto info = (*engine)->lookup(KILN_MODULE_INFO_SYMBOL);
    if (!info)
      return Result(info.takeError());
    return Result(JitTables{engine->release(), *abi, *info});
  });
  consumeError(std::move(buildError));
  if (!tables)
    return tables.takeError();
  try {
    return rt::Module::fromTables(
        static_cast<const kiln_abi_module *>(tables->abi),
        static_cast<const kiln_abi_module_info *>(tables->info), tables->engine,
        releaseEngine);
  } catch (const rt::Error &error) {
    return llvm::createStringError(
        Twine("the runtime rejected the compiled module: ") + error.what());
  }
}

namespace {

/// What compileToFile() will write besides its main output, worked out (and
/// checked) before anything is compiled.
struct FilePlan {
  std::string moduleName;
  std::string weightsPath;     ///< empty with embedded weights
  std::string weightsFileName; ///< its file name, recorded in the module
  std::string tablePrefix;     ///< for objects and archives
};

bool isLinkedKind(OutputKind kind) {
  return kind == OutputKind::Object || kind == OutputKind::StaticArchive;
}

llvm::Expected<FilePlan> planFiles(StringRef outputPath, OutputKind kind,
                                   const CompileOptions &options) {
  FilePlan plan;
  plan.moduleName =
      options.moduleName.empty()
          ? defaultModuleName(outputPath, kind == OutputKind::StaticArchive)
          : options.moduleName;
  if (!isCIdentifier(plan.moduleName))
    return llvm::createStringError(
        "the model name '" + plan.moduleName +
        "' is not a C identifier (letters, digits and '_', starting with a "
        "letter)");
  if (isLinkedKind(kind))
    plan.tablePrefix = plan.moduleName + "_";

  bool header = !options.headerPath.empty();
  if (header && kind != OutputKind::SharedLibrary && !isLinkedKind(kind))
    return llvm::createStringError(
        "a header describes a compiled library: use it with --emit=shared, "
        "object or static");
  if (kind == OutputKind::PTX && options.target != Target::Cuda)
    return llvm::createStringError(
        "PTX is the code of GPU kernels: use --emit=ptx with --target=cuda");
  if (options.weights == WeightsStorage::File) {
    if (kind == OutputKind::KilnMLIR || kind == OutputKind::PTX ||
        isLinkedKind(kind))
      return llvm::createStringError(
          "weights in a file need a shared library (--emit=shared, or llvm / "
          "llvm-dialect to inspect): an object or archive linked into a "
          "program has no folder to read them from, and --emit=mlir has no "
          "code yet");
    llvm::SmallString<256> path(outputPath);
    llvm::sys::path::replace_extension(path, ".weights");
    plan.weightsPath = path.str().str();
    plan.weightsFileName = llvm::sys::path::filename(path).str();
    if (plan.weightsPath == outputPath)
      return llvm::createStringError("the output '" + outputPath +
                                     "' would be overwritten by its weights "
                                     "file; choose another name");
    if (StringRef(plan.weightsFileName).find_first_of("'\"{}") !=
        StringRef::npos)
      return llvm::createStringError("the weights file name '" +
                                     plan.weightsFileName +
                                     "' may not contain quotes or braces");
  }
  return plan;
}

/// The PTX text of the kernels of a CUDA module lowered to the LLVM dialect
/// (kiln-merge-gpu-modules leaves one gpu.binary).
llvm::Expected<std::string> extractPtx(ModuleOp lowered) {
  std::string ptx;
  for (auto binary : lowered.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects())
      if (auto object = dyn_cast<gpu::ObjectAttr>(attr);
          object && object.getFormat() == gpu::CompilationTarget::Assembly)
        ptx += object.getObject().getValue();
  if (ptx.empty())
    return llvm::createStringError(
        "the module has no GPU kernels: nothing to write as PTX");
  return ptx;
}

/// A .a archive holding `object` as its one member.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
makeArchive(llvm::ArrayRef<char> object, StringRef memberName) {
  llvm::NewArchiveMember member(llvm::MemoryBufferRef(
      StringRef(object.data(), object.size()), memberName));
  return llvm::writeArchiveToBuffer(
      {std::move(member)}, llvm::SymtabWritingMode::NormalSymtab,
      llvm::object::Archive::K_GNU, /*Deterministic=*/true, /*Thin=*/false);
}

} // namespace

llvm::Error Compiler::compileToFile(ModuleOp module, StringRef outputPath,
                                    OutputKind kind,
                                    const CompileOptions &options) {
  auto plan = planFiles(outputPath, kind, options);
  if (!plan)
    return plan.takeError();
  Impl::Lowering lowering;
  lowering.graphOnly = kind == OutputKind::KilnMLIR;
  lowering.ptxOnly = kind == OutputKind::PTX;
  lowering.weightsFileName = plan->weightsFileName;
  lowering.tablePrefix = plan->tablePrefix;
  auto lowered = impl->lowerToLLVMDialect(module, options, lowering);
  if (!lowered)
    return lowered.takeError();

  // The main output is added first, so that it appears last on commit.
  OutputFiles outputs;
  auto mainOutput = outputs.add(outputPath);
  if (!mainOutput)
    return mainOutput.takeError();
  auto writeMain = [&](llvm::function_ref<void(llvm::raw_ostream &)> writer) {
    std::error_code error;
    llvm::raw_fd_ostream stream(*mainOutput, error);
    if (!error) {
      writer(stream);
      stream.close();
      error = stream.error();
    }
    if (error)
      return llvm::createStringError(error, "cannot write '" + outputPath +
                                                "': " + error.message());
    return outputs.commit();
  };

  if (std::optional<WeightsBlob> weights = takeWeightsBlob(**lowered))
    if (llvm::Error error = outputs.write(plan->weightsPath, weights->bytes))
      return error;
  if (!options.headerPath.empty()) {
    ModelHeaderOptions header;
    header.moduleName = plan->moduleName;
    header.linkage = isLinkedKind(kind) ? HeaderLinkage::Linked
                                        : HeaderLinkage::SharedLibrary;
    header.sourceName = module.getName().value_or("").str();
    if (auto location = dyn_cast<FileLineColLoc>(module.getLoc()))
      header.sourceName = llvm::sys::path::filename(location.getFilename());
    header.outputName = llvm::sys::path::filename(outputPath).str();
    header.producer = getProducerString();
    header.functions = lowering.signatures;
    auto text = generateModelHeader(header);
    if (!text)
      return text.takeError();
    if (llvm::Error error =
            outputs.write(options.headerPath,
                          llvm::ArrayRef<char>(text->data(), text->size())))
      return error;
  }

  if (kind == OutputKind::KilnMLIR || kind == OutputKind::LLVMDialect)
    return writeMain([&](llvm::raw_ostream &os) { (*lowered)->print(os); });
  if (kind == OutputKind::PTX) {
    auto ptx = extractPtx(**lowered);
    if (!ptx)
      return ptx.takeError();
    return writeMain([&](llvm::raw_ostream &os) { os << *ptx; });
  }

  auto machine = createTargetMachine(getTargetOptions(options));
  if (!machine)
    return machine.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule = impl->lowerToLLVMIR(**lowered, llvmContext, **machine,
                                        options, plan->tablePrefix);
  if (!llvmModule)
    return llvmModule.takeError();
  if (kind == OutputKind::LLVMIR)
    return writeMain(
        [&](llvm::raw_ostream &os) { (*llvmModule)->print(os, nullptr); });

  auto object = impl->timeStage(options, "generate machine code", [&] {
    return emitObjectCode(**llvmModule, **machine);
  });
  if (!object)
    return object.takeError();
  if (kind == OutputKind::Object)
    return writeMain([&](llvm::raw_ostream &os) {
      os.write(object->data(), object->size());
    });
  if (kind == OutputKind::StaticArchive) {
    auto archive = makeArchive(*object, plan->moduleName + ".o");
    if (!archive)
      return archive.takeError();
    return writeMain(
        [&](llvm::raw_ostream &os) { os << (*archive)->getBuffer(); });
  }
  // Library kernels, the heap of generated code, the string helpers and the
  // CUDA backend are kernel_abi.h's and string_abi.h's functions, in
  // libkiln_runtime.
  bool needsRuntime = llvm::any_of(
      (*llvmModule)->functions(), [](const llvm::Function &function) {
        return function.isDeclaration() &&
               (function.getName().starts_with("kiln_kernel_") ||
                function.getName().starts_with("kiln_cuda_") ||
                function.getName().starts_with("mgpu") ||
                function.getName().starts_with("mlirAsyncRuntim") ||
                function.getName().starts_with("_mlir_memref_to_llvm_") ||
                function.getName().starts_with("kiln_string_"));
      });
  if (llvm::Error error = impl->timeStage(options, "link shared library", [&] {
        return linkSharedLibrary(*object, *mainOutput, options.linker,
                                 needsRuntime);
      }))
    return error;
  return outputs.commit();
}

} // namespace kiln::driver
