//===- LLVMCodegen.cpp - From the LLVM dialect to native object code ------===//

#include "kiln/Codegen/CPU/LLVMCodegen.h"

#include "kiln/module_abi.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace kiln {

static void initializeNativeTarget() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options) {
  initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no LLVM target for " + triple.str() + ": " +
                                   error);

  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "host") {
    cpu = llvm::sys::getHostCPUName().str();
    std::vector<std::string> enabled;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      enabled.push_back((feature.second ? "+" : "-") + feature.first().str());
    features = llvm::join(enabled, ",");
  }

  auto level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, llvm::TargetOptions(),
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return llvm::createStringError("could not create a target machine for " +
                                   triple.str() + " (" + cpu + ")");
  if (!machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return llvm::createStringError("unknown target CPU '" + options.cpu +
                                   "' for " + triple.str() +
                                   " (use 'host' or an LLVM CPU name such as "
                                   "x86-64-v3)");
  return std::move(machine);
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &targetMachine) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "kiln_module");
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(targetMachine.getTargetTriple());
  llvmModule->setDataLayout(targetMachine.createDataLayout());
  return std::move(llvmModule);
}

void finalizeModuleSymbols(llvm::Module &module, llvm::StringRef tablePrefix) {
  for (llvm::GlobalValue &value : module.global_values()) {
    llvm::StringRef name = value.getName();
    if (value.isDeclaration() || value.hasAppendingLinkage() ||
        name.starts_with("llvm."))
      continue;
    if (name == KILN_ABI_SYMBOL || name == KILN_MODULE_INFO_SYMBOL) {
      value.setVisibility(llvm::GlobalValue::DefaultVisibility);
      if (!tablePrefix.empty())
        value.setName(tablePrefix + name);
      continue;
    }
    if (!value.hasLocalLinkage())
      value.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
}

llvm::Error optimizeLLVMModule(llvm::Module &module,
                               llvm::TargetMachine &targetMachine,
                               unsigned optLevel) {
  if (optLevel == 0)
    return llvm::Error::success();
  auto transformer = makeOptimizingTransformer(std::min(optLevel, 3u),
                                               /*sizeLevel=*/0, &targetMachine);
  return transformer(&module);
}

llvm::Expected<llvm::SmallVector<char, 0>>
emitObjectCode(llvm::Module &module, llvm::TargetMachine &targetMachine) {
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager passes;
  if (targetMachine.addPassesToEmitFile(passes, stream, nullptr,
                                        llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit object files");
  passes.run(module);
  return std::move(object);
}

} // namespace kiln
