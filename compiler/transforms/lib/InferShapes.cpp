//===- InferShapes.cpp - The kiln-infer-shapes pass -----------------------===//
//
// Kiln ops infer their result types when they are built; once argument types change
// (shape specialization), the recorded types are stale. This pass recomputes them in
// program order, so every op sees its operands' refined types.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

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
  for (auto [a, b] : llvm::zip(declaredTensor.getShape(), inferredTensor.getShape()))
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
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(), op->getRegions(),
          inferred)))
    return failure();
  for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
    if (failed(verifyCompatibleShape(result.getType(), type)))
      return op->emitOpError("declared result type ")
             << result.getType() << " contradicts the inferred type " << type;
    result.setType(refine(result.getType(), type));
  }
  return success();
}

struct InferShapesPass : impl::KilnInferShapesPassBase<InferShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    WalkResult walk = func.walk<WalkOrder::PreOrder>([](Operation *op) {
      return failed(reinferResultTypes(op)) ? WalkResult::interrupt()
                                            : WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // The function returns whatever its terminator now returns.
    if (func.isExternal())
      return;
    Operation *terminator = func.getBody().back().getTerminator();
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   terminator->getOperandTypes()));
  }
};

} // namespace
} // namespace kiln
