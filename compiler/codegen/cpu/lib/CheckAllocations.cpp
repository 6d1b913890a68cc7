//===- CheckAllocations.cpp - The kiln-check-allocations pass -------------===//
//
// A buffer whose size comes from input values (a ConstantOfShape of [2^50], a
// Loop of 2^50 iterations) can be larger than any memory: the heap then
// returns NULL, and the generated code would write through it. Each
// allocation in an entry point is followed by a run-time check that it
// succeeded, which kiln-lower-assertions turns into an error return of the
// call ("out of memory ..."), never a crash.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/Passes.h"
#include "kiln/Codegen/RunTimeChecks.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCHECKALLOCATIONSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The message of the check after `alloc`.
std::string describeAllocation(memref::AllocOp alloc) {
  std::string type;
  llvm::raw_string_ostream os(type);
  os << alloc.getType();
  std::string where = describeForCheck(alloc);
  // describeForCheck names the op first ("memref.alloc (model.onnx:3:7)");
  // keep only where it came from.
  size_t open = where.find(" (");
  std::string origin = open == std::string::npos ? "" : where.substr(open);
  return "out of memory: cannot allocate a buffer of " + type + origin;
}

/// Checks after `alloc` that the heap gave memory (or that none was asked
/// for: an empty buffer may come back as NULL).
void checkAllocation(memref::AllocOp alloc) {
  OpBuilder builder(alloc->getContext());
  builder.setInsertionPointAfter(alloc);
  Location loc = alloc.getLoc();
  MemRefType type = alloc.getType();
  Value elements = arith::ConstantIndexOp::create(builder, loc, 1);
  unsigned dynamicIndex = 0;
  for (int64_t size : type.getShape()) {
    Value dim = ShapedType::isDynamic(size)
                    ? alloc.getDynamicSizes()[dynamicIndex++]
                    : arith::ConstantIndexOp::create(builder, loc, size);
    elements = arith::MulIOp::create(builder, loc, elements, dim);
  }
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value empty = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                      elements, zero);
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, alloc);
  Value allocated = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::ne, address, zero);
  Value fine = arith::OrIOp::create(builder, loc, empty, allocated);
  emitRunTimeCheck(builder, loc, fine, describeAllocation(alloc));
}

struct CheckAllocationsPass
    : impl::KilnCheckAllocationsPassBase<CheckAllocationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entryPoints = module->getAttrOfType<ArrayAttr>(kEntryPointsAttrName);
    if (!entryPoints)
      return;
    for (Attribute attr : entryPoints) {
      auto entryPoint = dyn_cast<DictionaryAttr>(attr);
      auto name = entryPoint ? entryPoint.getAs<StringAttr>("name") : nullptr;
      auto func = name ? module.lookupSymbol<func::FuncOp>(name) : nullptr;
      if (!func || func.isExternal())
        continue;
      SmallVector<memref::AllocOp> allocs;
      func.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
      for (memref::AllocOp alloc : allocs)
        checkAllocation(alloc);
    }
  }
};

} // namespace
} // namespace kiln
