//===- Reduction.cpp - ONNX reductions to kiln ----------------------------===//
//
// At opset 17 ReduceSum takes its axes as an input and the others as an
// attribute. No axes means every axis (or, with noop_with_empty_axes, no
// reduction at all).
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The normalized axes to reduce, or nothing when the node is a no-op.
llvm::Expected<std::optional<SmallVector<int64_t>>>
reductionAxes(NodeContext &context, bool axesFromInput) {
  int64_t rank = context.inputType(0).getRank();
  SmallVector<int64_t> axes;
  if (axesFromInput) {
    if (context.hasInput(1)) {
      KILN_ASSIGN_OR_RETURN(axes, context.requireConstantInts(1, "the axes"));
    }
  } else {
    axes = context.intsAttribute("axes");
  }
  if (axes.empty()) {
    if (context.intAttribute("noop_with_empty_axes", 0) != 0)
      return std::optional<SmallVector<int64_t>>();
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> normalized,
                        normalizeAxes(context, axes, rank));
  return std::optional<SmallVector<int64_t>>(normalized);
}

template <typename OpTy, bool axesFromInput>
llvm::Error convertReduce(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(auto axes, reductionAxes(context, axesFromInput));
  if (!axes) {
    context.setOutput(0, input);
    return llvm::Error::success();
  }
  if (context.inputType(0).getRank() == 0) {
    context.setOutput(0, input); // reducing a scalar leaves it as it is
    return llvm::Error::success();
  }
  bool keepDims = context.intAttribute("keepdims", 1) != 0;
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<OpTy>(input, *axes, keepDims));
  context.setOutput(0, result);
  return llvm::Error::success();
}

} // namespace

void registerReductionConverters(ConverterRegistry &registry) {
  registry.add("", "ReduceSum", convertReduce<ReduceSumOp, true>);
  registry.add("", "ReduceMean", convertReduce<ReduceMeanOp, false>);
  registry.add("", "ReduceMax", convertReduce<ReduceMaxOp, false>);
}

} // namespace kiln::onnx_import
