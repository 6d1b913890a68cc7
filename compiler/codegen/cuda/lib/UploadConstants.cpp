//===- UploadConstants.cpp - The kiln-upload-constants pass ---------------===//
//
// Constant tensors (weights) are globals in the module's host memory; kernels
// need them in device memory. Host code asks the runtime for a device copy
// each time it takes a constant's address; the runtime makes the copy once,
// keeping its address in a pointer-sized slot the pass adds per constant.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CUDA/Passes.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_KILNUPLOADCONSTANTSPASS
#include "kiln/Codegen/CUDA/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct UploadConstantsPass
    : impl::KilnUploadConstantsPassBase<UploadConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto listed = module->getAttrOfType<ArrayAttr>(kDeviceConstantsAttrName);
    if (!listed)
      return;
    module->removeAttr(kDeviceConstantsAttrName);
    llvm::SmallDenseSet<StringAttr> names;
    for (Attribute entry : listed) {
      auto symbol = dyn_cast<FlatSymbolRefAttr>(entry);
      if (!symbol || !module.lookupSymbol<LLVM::GlobalOp>(symbol)) {
        module.emitError() << "'" << kDeviceConstantsAttrName
                           << "' lists " << entry
                           << ", which is not an LLVM global of the module";
        return signalPassFailure();
      }
      names.insert(symbol.getAttr());
    }

    MLIRContext *context = &getContext();
    Location loc = module.getLoc();
    Type ptrType = LLVM::LLVMPointerType::get(context);
    Type i64Type = IntegerType::get(context, 64);
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
    LLVM::LLVMFuncOp upload =
        module.lookupSymbol<LLVM::LLVMFuncOp>(kCudaConstantFunctionName);
    if (!upload)
      upload = LLVM::LLVMFuncOp::create(
          moduleBuilder, loc, kCudaConstantFunctionName,
          LLVM::LLVMFunctionType::get(ptrType, {ptrType, ptrType, i64Type}));

    DataLayout layout(module);
    llvm::DenseMap<StringAttr, LLVM::GlobalOp> slots;
    auto slotFor = [&](LLVM::GlobalOp global) {
      LLVM::GlobalOp &slot = slots[global.getSymNameAttr()];
      if (!slot) {
        // Zero-initialized: NULL until the first run uploads the constant.
        slot = LLVM::GlobalOp::create(
            moduleBuilder, loc, ptrType, /*isConstant=*/false,
            LLVM::Linkage::Internal, (global.getSymName() + "__device").str(),
            Attribute());
        OpBuilder init(context);
        init.setInsertionPointToStart(
            init.createBlock(&slot.getInitializerRegion()));
        LLVM::ReturnOp::create(init, loc,
                               LLVM::ZeroOp::create(init, loc, ptrType));
      }
      return slot;
    };

    SmallVector<LLVM::AddressOfOp> uses;
    module.walk([&](LLVM::AddressOfOp address) {
      if (names.contains(address.getGlobalNameAttr().getAttr()) &&
          address->getParentOfType<LLVM::LLVMFuncOp>())
        uses.push_back(address);
    });
    for (LLVM::AddressOfOp address : uses) {
      auto global = module.lookupSymbol<LLVM::GlobalOp>(
          address.getGlobalNameAttr());
      OpBuilder builder(address);
      Value slot = LLVM::AddressOfOp::create(builder, loc, slotFor(global));
      Value bytes = LLVM::ConstantOp::create(
          builder, loc, i64Type,
          static_cast<int64_t>(layout.getTypeSize(global.getGlobalType())));
      Value host = LLVM::AddressOfOp::create(builder, loc, global);
      auto call = LLVM::CallOp::create(builder, address.getLoc(), upload,
                                       ValueRange{slot, host, bytes});
      address.replaceAllUsesWith(call.getResult());
      address.erase();
    }
  }
};

} // namespace
} // namespace kiln
