//===- LLVMCodegen.h - From the LLVM dialect to native object code --------===//
//
// The last steps of the CPU path: translate the LLVM-dialect module to LLVM IR,
// run LLVM's optimization pipeline for the target machine (which vectorizes for
// the host's real features, AVX-512 included), and emit an object file into
// memory.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_LLVMCODEGEN_H
#define KILN_CODEGEN_CPU_LLVMCODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace kiln {

struct TargetOptions {
  /// "host" (this machine's CPU and every feature it has) or an LLVM CPU name
  /// such as "x86-64-v3" or "znver4".
  std::string cpu = "host";
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 2;
};

/// A target machine for this machine's triple, producing position-independent
/// code.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options);

/// Translates a module in the LLVM dialect to LLVM IR for `targetMachine`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &targetMachine);

/// Gives every symbol the module defines internal linkage, except the runtime's
/// tables (KILN_ABI_SYMBOL, KILN_MODULE_INFO_SYMBOL), which stay exported and
/// are renamed to `<tablePrefix><name>` when `tablePrefix` is not empty. A
/// module linked into a program then adds exactly two symbols to it, and
/// several models can be linked together.
void finalizeModuleSymbols(llvm::Module &module, llvm::StringRef tablePrefix);

/// Runs LLVM's default optimization pipeline at `optLevel` (0 runs nothing).
llvm::Error optimizeLLVMModule(llvm::Module &module,
                               llvm::TargetMachine &targetMachine,
                               unsigned optLevel);

/// Emits `module` as a relocatable object file.
llvm::Expected<llvm::SmallVector<char, 0>>
emitObjectCode(llvm::Module &module, llvm::TargetMachine &targetMachine);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_LLVMCODEGEN_H
