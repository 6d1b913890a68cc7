//===- DynamicShapeHelpers.cpp - Converters with run-time shape operands --===//

#include "DynamicShapeHelpers.h"

using namespace mlir;

namespace kiln::onnx_import {

Value refineToDeclared(NodeContext &context, Value value, size_t output) {
  RankedTensorType declared = context.inferredOutputType(output);
  auto built = dyn_cast<RankedTensorType>(value.getType());
  Operation *op = value.getDefiningOp();
  if (!declared || !built || !op || !value.use_empty() ||
      op->getNumResults() != 1 ||
      !isa<DynamicReshapeOp, UnsqueezeOp, SqueezeOp, DynamicBroadcastToOp,
           TileOp, DynamicSliceOp, DynamicPadOp, ConstantOfShapeOp, RangeOp,
           DynamicReduceSumOp, DynamicResizeOp>(op) ||
      declared.getRank() != built.getRank() ||
      declared.getElementType() != built.getElementType())
    return value;
  SmallVector<int64_t> shape(built.getShape());
  for (int64_t d = 0; d < built.getRank(); ++d)
    if (built.isDynamicDim(d))
      shape[d] = declared.getDimSize(d);
  // Only `?` dims change: the op's type inference accepts a declared type
  // that is more static than the one it infers.
  value.setType(RankedTensorType::get(shape, built.getElementType()));
  return value;
}

bool isRunTimeInput(NodeContext &context, size_t i) {
  return context.hasInput(i) && !context.constantInts(i) &&
         !context.constantInput(i);
}

llvm::Expected<int64_t> requireStaticLength(NodeContext &context, size_t i,
                                            llvm::StringRef what) {
  RankedTensorType type = context.inputType(i);
  if (type.getRank() != 1)
    return context.invalid(what + " (input " + llvm::Twine(i) +
                           ") must be 1-D");
  if (type.isDynamicDim(0))
    return context.unsupported(what + " (input " + llvm::Twine(i) +
                               ") of a length known only at run time");
  return type.getDimSize(0);
}

Value int64Vector(NodeContext &context, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    context.builder.getI64Type());
  return context.constant(DenseIntElementsAttr::get(type, values));
}

} // namespace kiln::onnx_import
