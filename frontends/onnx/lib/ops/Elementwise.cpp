//===- Elementwise.cpp - ONNX elementwise ops to kiln ---------------------===//
//
// Arithmetic with NumPy broadcasting and unary math, one kiln op each.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

template <typename OpTy> llvm::Error convertBinary(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<OpTy>(lhs, rhs));
  context.setOutput(0, result);
  return llvm::Error::success();
}

template <typename OpTy> llvm::Error convertUnary(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<OpTy>(input));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertIdentity(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  context.setOutput(0, input);
  return llvm::Error::success();
}

} // namespace

void registerElementwiseConverters(ConverterRegistry &registry) {
  registry.add("", "Add", convertBinary<AddOp>);
  registry.add("", "Sub", convertBinary<SubOp>);
  registry.add("", "Mul", convertBinary<MulOp>);
  registry.add("", "Div", convertBinary<DivOp>);
  registry.add("", "Relu", convertUnary<ReluOp>);
  registry.add("", "Sigmoid", convertUnary<SigmoidOp>);
  registry.add("", "Tanh", convertUnary<TanhOp>);
  registry.add("", "Exp", convertUnary<ExpOp>);
  registry.add("", "Log", convertUnary<LogOp>);
  registry.add("", "Identity", convertIdentity);
}

} // namespace kiln::onnx_import
