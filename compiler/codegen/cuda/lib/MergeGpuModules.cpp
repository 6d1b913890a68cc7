//===- MergeGpuModules.cpp - The kiln-merge-gpu-modules pass --------------===//
//
// Moves every kernel that gpu-kernel-outlining put in a gpu.module of its own
// into one module, so that a compiled model carries one PTX module.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CUDA/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMERGEGPUMODULESPASS
#include "kiln/Codegen/CUDA/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct MergeGpuModulesPass
    : impl::KilnMergeGpuModulesPassBase<MergeGpuModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> sources(module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return;
    if (module.lookupSymbol(kMergedGpuModuleName)) {
      module.emitError() << "the module already has a symbol named '"
                         << kMergedGpuModuleName << "'";
      return signalPassFailure();
    }
    OpBuilder builder(sources.front());
    auto merged = gpu::GPUModuleOp::create(builder, sources.front().getLoc(),
                                           kMergedGpuModuleName);
    if (ArrayAttr targets = sources.front().getTargetsAttr())
      merged.setTargetsAttr(targets);
    SymbolTable mergedSymbols(merged);
    // Outlining names a kernel after its function in every module it makes
    // (forward_kernel in @forward_kernel, @forward_kernel_0, ...); the
    // modules' names are unique, so kernels are renamed after them.
    llvm::DenseMap<SymbolRefAttr, StringAttr> renamed;
    for (gpu::GPUModuleOp source : sources) {
      if (source.getTargetsAttr() != merged.getTargetsAttr()) {
        source.emitError("kernels for different targets cannot be merged");
        return signalPassFailure();
      }
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op.remove();
          merged.getBody()->push_back(&op);
          continue;
        }
        if (symbol.isDeclaration() &&
            mergedSymbols.lookup(symbol.getNameAttr())) {
          op.erase(); // A declaration (a libdevice function) is kept once.
          continue;
        }
        StringAttr oldName = symbol.getNameAttr();
        op.remove();
        StringAttr newName = mergedSymbols.insert(&op);
        if (auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
            kernel && kernel.isKernel()) {
          if (failed(mergedSymbols.rename(&op, source.getNameAttr())))
            newName = mergedSymbols.insert(&op);
          newName = kernel.getNameAttr();
        }
        renamed[SymbolRefAttr::get(source.getNameAttr(),
                                   {FlatSymbolRefAttr::get(oldName)})] =
            newName;
      }
    }
    // Launches name their kernel as @module::@kernel.
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(launch.getKernel());
      if (it == renamed.end()) {
        launch.emitError("launches a kernel that is not in an outlined module");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (gpu::GPUModuleOp source : sources)
      source.erase();
  }
};

} // namespace
} // namespace kiln
