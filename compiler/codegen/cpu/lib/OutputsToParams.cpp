//===- OutputsToParams.cpp - The kiln-outputs-to-params pass --------------===//
//
// Upstream's buffer-results-to-out-params turns every memref result into an
// out-parameter; Kiln's ABI wants that only for results of fixed shape, since
// the caller cannot size a buffer whose shape depends on the inputs' values. So
// this pass does the same rewrite, result by result.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/StringSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNOUTPUTSTOPARAMSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Whether result `value` of static shape can be computed straight into the
/// out-parameter: it is a fresh allocation of this function that is returned
/// once and never deallocated by hand.
bool canWriteInPlace(Value value, func::ReturnOp ret) {
  auto alloc = value.getDefiningOp<memref::AllocOp>();
  if (!alloc || llvm::count(ret.getOperands(), value) != 1)
    return false;
  return llvm::none_of(value.getUsers(), [](Operation *user) {
    return isa<memref::DeallocOp>(user);
  });
}

LogicalResult convertFunction(func::FuncOp func) {
  if (func.isExternal())
    return success();
  SmallVector<unsigned> staticResults;
  for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref)
      return func.emitError()
             << "result #" << index << " is not a buffer after bufferization";
    if (memref.hasStaticShape())
      staticResults.push_back(index);
  }
  if (staticResults.empty())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError("entry points must have one block to return outputs");

  // New parameters, one per static result, after the existing arguments.
  Block &body = func.getBody().front();
  SmallVector<Value> parameters;
  for (unsigned index : staticResults)
    parameters.push_back(
        body.addArgument(func.getResultTypes()[index], func.getLoc()));

  auto ret = cast<func::ReturnOp>(body.getTerminator());
  OpBuilder builder(ret);
  llvm::SmallDenseSet<unsigned> isStatic(staticResults.begin(),
                                         staticResults.end());
  for (auto [index, parameter] : llvm::zip(staticResults, parameters)) {
    Value value = ret.getOperand(index);
    if (canWriteInPlace(value, ret)) {
      Operation *alloc = value.getDefiningOp();
      value.replaceAllUsesWith(parameter);
      alloc->erase();
    } else {
      memref::CopyOp::create(builder, ret.getLoc(), value, parameter);
    }
  }
  SmallVector<Value> remaining;
  for (auto [index, operand] : llvm::enumerate(ret.getOperands()))
    if (!isStatic.contains(index))
      remaining.push_back(operand);
  ret->setOperands(remaining);

  SmallVector<Type> argumentTypes(body.getArgumentTypes());
  func.setType(FunctionType::get(func.getContext(), argumentTypes,
                                 ValueRange(remaining).getTypes()));
  // The argument attributes now need one (empty) entry per new parameter; the
  // result attributes of the moved results are dropped.
  SmallVector<Attribute> argAttrs;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    argAttrs.push_back(i < func.getNumArguments() - parameters.size() &&
                               func.getArgAttrDict(i)
                           ? Attribute(func.getArgAttrDict(i))
                           : Attribute(DictionaryAttr::get(func.getContext())));
  func.setAllArgAttrs(argAttrs);
  func.removeResAttrsAttr();
  return success();
}

struct OutputsToParamsPass
    : impl::KilnOutputsToParamsPassBase<OutputsToParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entryPoints = module->getAttrOfType<ArrayAttr>(kEntryPointsAttrName);
    if (!entryPoints)
      return; // nothing is an entry point
    for (Attribute attr : entryPoints) {
      auto name = cast<StringAttr>(cast<DictionaryAttr>(attr).get("name"));
      auto func = module.lookupSymbol<func::FuncOp>(name);
      if (!func) {
        module.emitError() << "entry point @" << name.getValue()
                           << " is missing";
        return signalPassFailure();
      }
      if (failed(convertFunction(func)))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace kiln
