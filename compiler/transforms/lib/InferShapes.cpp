//===- InferShapes.cpp - The kiln-infer-shapes pass -----------------------===//
//
// Kiln ops infer their result types when they are built; once argument types
// change (shape specialization), the recorded types are stale. This pass
// recomputes them in program order, so every op sees its operands' refined
// types.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace kiln {
#define GEN_PASS_DEF_KILNINFERSHAPESPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The more precise of two compatible tensor types: static dims win.
static Type refine(Type declared, Type inferred) {
  auto declaredTensor = dyn_cast<RankedTensorType>(declared);
  auto inferredTensor = dyn_cast<RankedTensorType>(inferred);
  if (!declaredTensor || !inferredTensor ||
      declaredTensor.getRank() != inferredTensor.getRank())
    return inferred;
  SmallVector<int64_t> shape;
  for (auto [a, b] :
       llvm::zip(declaredTensor.getShape(), inferredTensor.getShape()))
    shape.push_back(ShapedType::isDynamic(b) ? a : b);
  return RankedTensorType::get(shape, inferredTensor.getElementType());
}

static LogicalResult reinferResultTypes(Operation *op) {
  auto inferable = dyn_cast<InferTypeOpInterface>(op);
  if (!inferable || !isa<KilnDialect>(op->getDialect()))
    return success();
  SmallVector<Type> inferred;
  if (failed(inferable.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), inferred)))
    return failure();
  for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
    if (failed(verifyCompatibleShape(result.getType(), type)))
      return op->emitOpError("declared result type ")
             << result.getType() << " contradicts the inferred type " << type;
    result.setType(refine(result.getType(), type));
  }
  return success();
}

/// Makes the function's result types match what it returns: by changing its
/// type, or, when calls to it exist, by casting the refined values back to the
/// declared types so that callers stay valid.
static void updateResultTypes(func::FuncOp func, ModuleOp module) {
  Operation *terminator = func.getBody().back().getTerminator();
  TypeRange returned = terminator->getOperandTypes();
  if (returned == func.getResultTypes())
    return;
  if (SymbolTable::symbolKnownUseEmpty(func, module)) {
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   returned));
    return;
  }
  OpBuilder builder(terminator);
  for (auto [index, declared] : llvm::enumerate(func.getResultTypes())) {
    Value value = terminator->getOperand(index);
    if (value.getType() != declared)
      terminator->setOperand(index, tensor::CastOp::create(builder,
                                                           terminator->getLoc(),
                                                           declared, value));
  }
}

struct InferShapesPass : impl::KilnInferShapesPassBase<InferShapesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      WalkResult walk = func.walk<WalkOrder::PreOrder>([](Operation *op) {
        return failed(reinferResultTypes(op)) ? WalkResult::interrupt()
                                              : WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
      if (!func.isExternal())
        updateResultTypes(func, module);
    }
  }
};

} // namespace
} // namespace kiln
