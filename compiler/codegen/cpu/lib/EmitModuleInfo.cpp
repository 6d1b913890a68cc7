//===- EmitModuleInfo.cpp - The kiln-emit-module-info pass ----------------===//
//
// Emits `kiln_module_info_v1`, the runtime's optional table of what a module
// says about itself beyond its functions: the arena size, the weights and
// kernel tables, and the target its code runs on. Its layout mirrors kiln_abi_module_info in
// runtime/include/kiln/module_abi.h.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/CPU/Weights.h"
#include "kiln/module_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_KILNEMITMODULEINFOPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct EmitModuleInfoPass
    : impl::KilnEmitModuleInfoPassBase<EmitModuleInfoPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module.lookupSymbol(KILN_MODULE_INFO_SYMBOL)) {
      module.emitError() << "the module already defines "
                         << KILN_MODULE_INFO_SYMBOL;
      return signalPassFailure();
    }
    uint32_t targetKind;
    if (target == "cpu" && targetArch.empty()) {
      targetKind = KILN_TARGET_CPU;
    } else if (target == "cuda" && !targetArch.empty()) {
      targetKind = KILN_TARGET_CUDA;
    } else {
      module.emitError() << "kiln-emit-module-info: target '" << target
                         << "' with architecture '" << targetArch
                         << "' is not cpu (no architecture) or cuda (with one)";
      return signalPassFailure();
    }
    int64_t arenaSize = 0;
    if (Attribute attr = module->getAttr(kArenaSizeAttrName)) {
      auto size = dyn_cast<IntegerAttr>(attr);
      if (!size || size.getValue().isNegative()) {
        module.emitError() << "'" << kArenaSizeAttrName
                           << "' must be a non-negative integer, got " << attr;
        return signalPassFailure();
      }
      arenaSize = size.getInt();
    }
    int64_t plannedArenaSize = 0;
    if (auto size =
            module->getAttrOfType<IntegerAttr>(kPlannedArenaSizeAttrName))
      plannedArenaSize = size.getInt();
    auto weights = module.lookupSymbol<LLVM::GlobalOp>(kWeightsTableSymbol);

    MLIRContext *context = &getContext();
    Location loc = module.getLoc();
    Type i32Type = IntegerType::get(context, 32);
    Type i64Type = IntegerType::get(context, 64);
    Type ptrType = LLVM::LLVMPointerType::get(context);
    LLVM::GlobalOp kernels = emitKernelTable(module);
    if (!kernels && module->hasAttr(kKernelsAttrName))
      return signalPassFailure();
    int64_t numKernels = 0;
    if (kernels)
      numKernels =
          cast<LLVM::LLVMArrayType>(kernels.getGlobalType()).getNumElements();
    // struct kiln_abi_module_info { uint32_t magic, version;
    //   uint64_t arena_size; const kiln_abi_weights *weights;
    //   int32_t num_kernels; const kiln_abi_kernel *kernels;
    //   uint32_t target; const char *target_arch;
    //   uint64_t planned_arena_size; }
    auto infoType = LLVM::LLVMStructType::getLiteral(
        context, {i32Type, i32Type, i64Type, ptrType, i32Type, ptrType, i32Type,
                  ptrType, i64Type});
    LLVM::GlobalOp archString;
    if (!targetArch.empty()) {
      OpBuilder stringBuilder(context);
      stringBuilder.setInsertionPointToEnd(module.getBody());
      std::string bytes = targetArch + '\0';
      archString = LLVM::GlobalOp::create(
          stringBuilder, loc,
          LLVM::LLVMArrayType::get(IntegerType::get(context, 8), bytes.size()),
          /*isConstant=*/true, LLVM::Linkage::Internal,
          "__kiln_target_arch", stringBuilder.getStringAttr(bytes));
    }
    OpBuilder builder(context);
    builder.setInsertionPointToEnd(module.getBody());
    auto info =
        LLVM::GlobalOp::create(builder, loc, infoType,
                               /*isConstant=*/true, LLVM::Linkage::External,
                               KILN_MODULE_INFO_SYMBOL, Attribute());
    OpBuilder b(context);
    b.setInsertionPointToStart(b.createBlock(&info.getInitializerRegion()));
    auto constant = [&](Type type, int64_t value) -> Value {
      return LLVM::ConstantOp::create(b, loc, type,
                                      IntegerAttr::get(type, value));
    };
    auto insert = [&](Value container, Value value, int64_t position) {
      return LLVM::InsertValueOp::create(b, loc, container, value,
                                         ArrayRef<int64_t>{position});
    };
    Value table = LLVM::UndefOp::create(b, loc, infoType);
    table = insert(table, constant(i32Type, KILN_MODULE_INFO_MAGIC), 0);
    table = insert(table, constant(i32Type, KILN_MODULE_INFO_VERSION), 1);
    table = insert(table, constant(i64Type, arenaSize), 2);
    Value weightsPointer =
        weights ? Value(LLVM::AddressOfOp::create(b, loc, weights))
                : Value(LLVM::ZeroOp::create(b, loc, ptrType));
    table = insert(table, weightsPointer, 3);
    table = insert(table, constant(i32Type, numKernels), 4);
    Value kernelsPointer =
        kernels ? Value(LLVM::AddressOfOp::create(b, loc, kernels))
                : Value(LLVM::ZeroOp::create(b, loc, ptrType));
    table = insert(table, kernelsPointer, 5);
    table = insert(table, constant(i32Type, targetKind), 6);
    Value archPointer =
        archString ? Value(LLVM::AddressOfOp::create(b, loc, archString))
                   : Value(LLVM::ZeroOp::create(b, loc, ptrType));
    table = insert(table, archPointer, 7);
    table = insert(table, constant(i64Type, plannedArenaSize), 8);
    LLVM::ReturnOp::create(b, loc, table);
  }

  /// Emits the array of kiln_abi_kernel that the `kiln.kernels` attribute
  /// describes (null without kernels, or after reporting a malformed entry).
  LLVM::GlobalOp emitKernelTable(ModuleOp module) {
    auto sites = module->getAttrOfType<ArrayAttr>(kKernelsAttrName);
    if (!sites || sites.empty())
      return nullptr;
    MLIRContext *context = &getContext();
    Location loc = module.getLoc();
    Type i32Type = IntegerType::get(context, 32);
    Type ptrType = LLVM::LLVMPointerType::get(context);
    // struct kiln_abi_kernel { int32_t kind, num_params; const int64_t
    //   *params; void **state; }
    auto kernelType = LLVM::LLVMStructType::getLiteral(
        context, {i32Type, i32Type, ptrType, ptrType});
    auto tableType = LLVM::LLVMArrayType::get(kernelType, sites.size());
    OpBuilder builder(context);
    builder.setInsertionPointToEnd(module.getBody());
    auto table = LLVM::GlobalOp::create(builder, loc, tableType,
                                        /*isConstant=*/true,
                                        LLVM::Linkage::Internal,
                                        "__kiln_kernel_table", Attribute());
    OpBuilder b(context);
    b.setInsertionPointToStart(b.createBlock(&table.getInitializerRegion()));
    Value array = LLVM::UndefOp::create(b, loc, tableType);
    for (auto [index, site] : llvm::enumerate(sites)) {
      auto entry = dyn_cast<DictionaryAttr>(site);
      auto kind = entry ? entry.getAs<IntegerAttr>("kind") : nullptr;
      auto count = entry ? entry.getAs<IntegerAttr>("num_params") : nullptr;
      auto params = entry ? entry.getAs<FlatSymbolRefAttr>("params") : nullptr;
      auto state = entry ? entry.getAs<FlatSymbolRefAttr>("state") : nullptr;
      auto paramsGlobal =
          params ? module.lookupSymbol<LLVM::GlobalOp>(params) : nullptr;
      auto stateGlobal =
          state ? module.lookupSymbol<LLVM::GlobalOp>(state) : nullptr;
      if (!kind || !count || !paramsGlobal || !stateGlobal) {
        module.emitError() << "'" << kKernelsAttrName << "' entry " << index
                           << " is not {kind, num_params, params, state} "
                              "naming two LLVM globals: "
                           << site;
        table.erase();
        return nullptr;
      }
      Value entryValue = LLVM::UndefOp::create(b, loc, kernelType);
      auto insert = [&](Value value, int64_t position) {
        entryValue = LLVM::InsertValueOp::create(b, loc, entryValue, value,
                                                 ArrayRef<int64_t>{position});
      };
      insert(LLVM::ConstantOp::create(b, loc, i32Type, kind), 0);
      insert(LLVM::ConstantOp::create(b, loc, i32Type, count), 1);
      insert(LLVM::AddressOfOp::create(b, loc, paramsGlobal), 2);
      insert(LLVM::AddressOfOp::create(b, loc, stateGlobal), 3);
      array = LLVM::InsertValueOp::create(
          b, loc, array, entryValue,
          ArrayRef<int64_t>{static_cast<int64_t>(index)});
    }
    LLVM::ReturnOp::create(b, loc, array);
    module->removeAttr(kKernelsAttrName);
    return table;
  }
};

} // namespace
} // namespace kiln
