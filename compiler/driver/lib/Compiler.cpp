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
#include "kiln/Driver/Registration.h"
#include "kiln/Driver/Version.h"
#include "kiln/Frontends/ONNX/Import.h"
#include "kiln/module_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
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

  llvm::Error runStage(ModuleOp module, CpuStage stage,
                       const CompileOptions &options);
  llvm::Expected<OwningOpRef<ModuleOp>>
  lowerToLLVMDialect(ModuleOp module, const CompileOptions &options,
                     bool graphOnly = false);
  llvm::Expected<std::unique_ptr<llvm::Module>>
  lowerToLLVMIR(ModuleOp llvmDialectModule, llvm::LLVMContext &llvmContext,
                llvm::TargetMachine &machine, const CompileOptions &options);

  MLIRContext context;
};

static CpuPipelineOptions getPipelineOptions(const CompileOptions &options) {
  CpuPipelineOptions pipeline;
  pipeline.optLevel = options.optLevel;
  pipeline.producer = getProducerString();
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

llvm::Error Compiler::Impl::runStage(ModuleOp module, CpuStage stage,
                                     const CompileOptions &options) {
  return timeStage(options, getCpuStageName(stage), [&]() -> llvm::Error {
    DiagnosticCollector diagnostics(&context);
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(addCpuStagePasses(pm, stage, getPipelineOptions(options))))
      return llvm::createStringError("internal error: invalid pass pipeline");
    if (failed(pm.run(module)))
      return diagnostics.takeError(Twine("compilation failed in stage '") +
                                   getCpuStageName(stage) + "'");
    return llvm::Error::success();
  });
}

llvm::Expected<OwningOpRef<ModuleOp>> Compiler::Impl::lowerToLLVMDialect(
    ModuleOp module, const CompileOptions &options, bool graphOnly) {
  if (llvm::Error error = checkHasEntryPoints(module))
    return std::move(error);
  OwningOpRef<ModuleOp> lowered = module.clone();
  for (CpuStage stage : kCpuStages) {
    if (llvm::Error error = runStage(*lowered, stage, options))
      return std::move(error);
    if (graphOnly)
      break;
  }
  return std::move(lowered);
}

llvm::Expected<std::unique_ptr<llvm::Module>> Compiler::Impl::lowerToLLVMIR(
    ModuleOp llvmDialectModule, llvm::LLVMContext &llvmContext,
    llvm::TargetMachine &machine, const CompileOptions &options) {
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
  if (llvm::Error error = timeStage(options, "optimize LLVM IR", [&] {
        return optimizeLLVMModule(**llvmModule, machine, options.optLevel);
      }))
    return std::move(error);
  return llvmModule;
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
  if (!options.inputShapes.empty())
    return llvm::createStringError(
        "input shapes can only be given for ONNX models; write the shapes into "
        "the .mlir function signature instead");
  return parseFile(path);
}

llvm::Expected<std::vector<UnsupportedNode>>
Compiler::findUnsupportedNodes(StringRef path, const ImportOptions &options) {
  if (llvm::sys::path::extension(path) != ".onnx")
    return llvm::createStringError("cannot check '" + path +
                                   "': --list-unsupported needs an .onnx model");
  onnx_import::ImportOptions importOptions;
  importOptions.inputShapes = options.inputShapes;
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
  auto lowered = impl->lowerToLLVMDialect(module, options);
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
                                          machineRef, options);
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

  auto abi = impl->timeStage(options, "generate machine code", [&] {
    auto engine =
        ExecutionEngine::create(**lowered, engineOptions, std::move(*machine));
    if (buildError)
      return llvm::Expected<std::pair<ExecutionEngine *, void *>>(
          std::move(buildError));
    if (!engine)
      return llvm::Expected<std::pair<ExecutionEngine *, void *>>(
          engine.takeError());
    auto symbol = (*engine)->lookup(KILN_ABI_SYMBOL);
    if (!symbol)
      return llvm::Expected<std::pair<ExecutionEngine *, void *>>(
          symbol.takeError());
    return llvm::Expected<std::pair<ExecutionEngine *, void *>>(
        std::make_pair(engine->release(), *symbol));
  });
  consumeError(std::move(buildError));
  if (!abi)
    return abi.takeError();
  try {
    return rt::Module::fromAbi(
        static_cast<const kiln_abi_module *>(abi->second), abi->first,
        releaseEngine);
  } catch (const rt::Error &error) {
    return llvm::createStringError(
        Twine("the runtime rejected the compiled module: ") + error.what());
  }
}

llvm::Error Compiler::compileToFile(ModuleOp module, StringRef outputPath,
                                    OutputKind kind,
                                    const CompileOptions &options) {
  auto lowered =
      impl->lowerToLLVMDialect(module, options, kind == OutputKind::KilnMLIR);
  if (!lowered)
    return lowered.takeError();
  if (kind == OutputKind::KilnMLIR || kind == OutputKind::LLVMDialect)
    return llvm::writeToOutput(outputPath, [&](llvm::raw_ostream &os) {
      (*lowered)->print(os);
      return llvm::Error::success();
    });

  auto machine = createTargetMachine(getTargetOptions(options));
  if (!machine)
    return machine.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      impl->lowerToLLVMIR(**lowered, llvmContext, **machine, options);
  if (!llvmModule)
    return llvmModule.takeError();
  if (kind == OutputKind::LLVMIR)
    return llvm::writeToOutput(outputPath, [&](llvm::raw_ostream &os) {
      (*llvmModule)->print(os, nullptr);
      return llvm::Error::success();
    });

  auto object = impl->timeStage(options, "generate machine code", [&] {
    return emitObjectCode(**llvmModule, **machine);
  });
  if (!object)
    return object.takeError();
  if (kind == OutputKind::Object)
    return llvm::writeToOutput(outputPath, [&](llvm::raw_ostream &os) {
      os.write(object->data(), object->size());
      return llvm::Error::success();
    });
  return impl->timeStage(options, "link shared library", [&] {
    return linkSharedLibrary(*object, outputPath, options.linker);
  });
}

} // namespace kiln::driver
