//===- Registration.cpp - Everything Kiln's compiler registers ------------===//

#include "kiln/Driver/Registration.h"

#include "kiln/Autodiff/Autodiff.h"
#include "kiln/Autodiff/Passes.h"
#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/CPU/Pipeline.h"
#include "kiln/Codegen/CUDA/Passes.h"
#include "kiln/Codegen/CUDA/Pipeline.h"
#include "kiln/Codegen/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

namespace kiln {

void registerKilnDialects(mlir::DialectRegistry &registry) {
  registry.insert<KilnDialect, rt::KilnRtDialect>();
  rt::registerBufferizableOpInterfaceExternalModels(registry);
  registerGradientRules(registry);
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  // CUDA modules: kernels compile to PTX through the NVVM target, and their
  // embedded binaries and launches translate with the host code.
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  mlir::registerNVVMDialectTranslation(registry);
  mlir::registerGPUDialectTranslation(registry);
  mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
}

void registerKilnPasses() {
  static bool registered = [] {
    mlir::registerAllPasses();
    registerKilnTransformsPasses();
    registerKilnAutodiffPasses();
    registerKilnCodegenPasses();
    registerKilnCpuPasses();
    registerCpuPipeline();
    registerKilnCudaPasses();
    registerCudaPipeline();
    return true;
  }();
  (void)registered;
}

} // namespace kiln
