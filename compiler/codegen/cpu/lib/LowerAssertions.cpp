//===- LowerAssertions.cpp - The kiln-lower-assertions pass ---------------===//
//
// Checks in generated code (emitted as cf.assert by the lowering of ops whose
// shapes come from input values) fail a call instead of aborting the process.
// Each entry point with checks gains a trailing `memref<64xi64>` argument, the
// storage of the jmp_buf its runtime entry arms with setjmp (see
// kiln-emit-runtime-abi), and each check becomes a guarded call of
// `__kiln_fail(buffer, k)`, which longjmps back so that the entry returns k.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERASSERTIONSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

func::FuncOp getOrCreateFailFunction(ModuleOp module) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(kFailFunctionName))
    return existing;
  OpBuilder builder(module.getBodyRegion());
  builder.setInsertionPointToStart(module.getBody());
  auto type =
      builder.getFunctionType({builder.getI64Type(), builder.getI32Type()}, {});
  auto func =
      func::FuncOp::create(builder, module.getLoc(), kFailFunctionName, type);
  func.setPrivate();
  return func;
}

/// Rewrites the asserts of `func`; returns their messages in order.
SmallVector<Attribute> lowerAssertions(func::FuncOp func, func::FuncOp fail) {
  SmallVector<cf::AssertOp> asserts;
  func.walk([&](cf::AssertOp op) { asserts.push_back(op); });
  if (asserts.empty())
    return {};

  MLIRContext *context = func.getContext();
  auto contextType = MemRefType::get({64}, IntegerType::get(context, 64));
  Block &entry = func.getBody().front();
  BlockArgument buffer = entry.addArgument(contextType, func.getLoc());
  SmallVector<Type> argumentTypes(entry.getArgumentTypes());
  func.setType(
      FunctionType::get(context, argumentTypes, func.getResultTypes()));

  OpBuilder builder = OpBuilder::atBlockBegin(&entry);
  Location loc = func.getLoc();
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
  Value address64 =
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(), address);

  SmallVector<Attribute> messages;
  for (auto [index, op] : llvm::enumerate(asserts)) {
    builder.setInsertionPoint(op);
    Location assertLoc = op.getLoc();
    Value isTrue = arith::ConstantIntOp::create(builder, assertLoc, 1, 1);
    Value failed =
        arith::XOrIOp::create(builder, assertLoc, op.getArg(), isTrue);
    auto ifOp =
        scf::IfOp::create(builder, assertLoc, failed, /*withElseRegion=*/false);
    builder.setInsertionPointToStart(ifOp.thenBlock());
    Value code =
        arith::ConstantIntOp::create(builder, assertLoc, index + 1, 32);
    func::CallOp::create(builder, assertLoc, fail, ValueRange{address64, code});
    messages.push_back(op.getMsgAttr());
    op.erase();
  }
  return messages;
}

struct LowerAssertionsPass
    : impl::KilnLowerAssertionsPassBase<LowerAssertionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entryPoints = module->getAttrOfType<ArrayAttr>(kEntryPointsAttrName);
    if (!entryPoints)
      return;
    SmallVector<Attribute> updated;
    func::FuncOp fail;
    for (Attribute attr : entryPoints) {
      auto entryPoint = cast<DictionaryAttr>(attr);
      auto name = cast<StringAttr>(entryPoint.get("name"));
      auto func = module.lookupSymbol<func::FuncOp>(name);
      bool hasAsserts =
          func && !func.isExternal() &&
          func.walk([](cf::AssertOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      if (!hasAsserts) {
        updated.push_back(entryPoint);
        continue;
      }
      if (!fail)
        fail = getOrCreateFailFunction(module);
      SmallVector<Attribute> messages = lowerAssertions(func, fail);
      NamedAttrList fields(entryPoint);
      fields.set("errors", ArrayAttr::get(&getContext(), messages));
      updated.push_back(fields.getDictionary(&getContext()));
    }
    module->setAttr(kEntryPointsAttrName,
                    ArrayAttr::get(&getContext(), updated));
  }
};

} // namespace
} // namespace kiln
