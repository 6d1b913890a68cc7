//===- PlaceBuffersOnDevice.cpp - The kiln-place-buffers-on-device pass ---===//
//
// A module compiled for CUDA keeps every tensor in device memory: its host
// code only allocates, frees and copies buffers and launches kernels. This
// pass moves the buffers of host code there.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/CUDA/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPLACEBUFFERSONDEVICEPASS
#include "kiln/Codegen/CUDA/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Whether `op` runs on the host: not inside a kernel or a GPU launch.
bool isHostCode(Operation *op) {
  return !op->getParentOfType<gpu::GPUModuleOp>() &&
         !op->getParentOfType<gpu::LaunchOp>();
}

/// gpu.memcpy copies bytes: both sides must be dense and row-major.
bool isDense(Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  return type && type.getLayout().isIdentity();
}

struct PlaceBuffersOnDevicePass
    : impl::KilnPlaceBuffersOnDevicePassBase<PlaceBuffersOnDevicePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    llvm::SetVector<Attribute> constants;
    WalkResult result = module.walk([&](Operation *op) -> WalkResult {
      if (!isHostCode(op))
        return WalkResult::skip();
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        rewriter.setInsertionPoint(alloc);
        auto device = gpu::AllocOp::create(
            rewriter, alloc.getLoc(), alloc.getType(),
            /*asyncToken=*/Type(), /*asyncDependencies=*/ValueRange(),
            alloc.getDynamicSizes(), alloc.getSymbolOperands(),
            /*hostShared=*/false);
        rewriter.replaceOp(alloc, device.getMemref());
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        rewriter.setInsertionPoint(dealloc);
        gpu::DeallocOp::create(rewriter, dealloc.getLoc(), /*asyncToken=*/Type(),
                               ValueRange(), dealloc.getMemref());
        rewriter.eraseOp(dealloc);
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        if (!isDense(copy.getSource()) || !isDense(copy.getTarget())) {
          copy.emitError("a strided copy on the host: run "
                         "kiln-lower-strided-copies first");
          return WalkResult::interrupt();
        }
        rewriter.setInsertionPoint(copy);
        gpu::MemcpyOp::create(rewriter, copy.getLoc(), /*asyncToken=*/Type(),
                              ValueRange(), copy.getTarget(), copy.getSource());
        rewriter.eraseOp(copy);
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        auto definition =
            SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
                global, global.getNameAttr());
        if (!definition || !definition->hasAttr(kHostOnlyAttrName))
          constants.insert(global.getNameAttr());
      } else if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
        alloca.emitError("a buffer on the host's stack, which GPU kernels "
                         "cannot read: the cuda target does not support this "
                         "op yet");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    if (!constants.empty())
      module->setAttr(kDeviceConstantsAttrName,
                      ArrayAttr::get(&getContext(), constants.getArrayRef()));
  }
};

} // namespace
} // namespace kiln
