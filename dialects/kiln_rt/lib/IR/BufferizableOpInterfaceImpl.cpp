//===- BufferizableOpInterfaceImpl.cpp - Bufferizing kiln_rt ops -----------===//
//
// kiln_rt ops are destination-passing style: on buffers they write the buffer
// of `init`, which their tensor result aliases. The kernels overwrite all of
// it, so `init` is not read (a tensor.empty needs no copy), unless they
// accumulate into it (`accumulate`): then bufferization writes the buffer of
// the values added when nothing reads them later, and a copy of them
// otherwise.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace kiln::rt {
namespace {

template <typename OpTy>
struct KernelOpInterface
    : DstBufferizableOpInterfaceExternalModel<KernelOpInterface<OpTy>, OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand) ||
           accumulatesIntoInit(op);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (OpOperand &operand : op->getOpOperands()) {
      FailureOr<Value> buffer =
          getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    OperationState bufferized(op->getLoc(), op->getName(), buffers,
                              /*types=*/TypeRange(), op->getAttrs());
    rewriter.create(bufferized);
    auto dps = cast<DestinationStyleOpInterface>(op);
    Value initBuffer =
        buffers[dps.getDpsInitsMutable().begin()->getOperandNumber()];
    replaceOpWithBufferizedValues(rewriter, op, initBuffer);
    return success();
  }
};

} // namespace

void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, KilnRtDialect *) {
    Conv2DOp::attachInterface<KernelOpInterface<Conv2DOp>>(*context);
    Conv2DBackwardFilterOp::attachInterface<
        KernelOpInterface<Conv2DBackwardFilterOp>>(*context);
    MatMulOp::attachInterface<KernelOpInterface<MatMulOp>>(*context);
  });
}

} // namespace kiln::rt
