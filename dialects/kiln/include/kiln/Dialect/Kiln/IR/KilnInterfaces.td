//===- KilnInterfaces.td - Interfaces of the kiln dialect --*- tablegen -*-===//
//
// The gradient interface lets autodiff ask any op for its gradient rule. Ops do not
// declare it: compiler/autodiff attaches one external model per op
// (`Op::attachInterface<...>`), so rules are added without touching op definitions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNINTERFACES
#define KILN_DIALECT_KILN_IR_KILNINTERFACES

include "mlir/IR/OpBase.td"

def Kiln_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let description = [{
    An op whose reverse-mode gradient Kiln knows how to build.

    Given the gradients of the loss with respect to each result of the op (null where a
    result does not reach the loss), `buildGradients` emits ops at the builder's
    insertion point computing the gradient with respect to each operand, and appends one
    value per operand to `operandGradients` (a null value for operands that are not
    differentiable, such as integer indices).
  }];
  let cppNamespace = "::kiln";

  let methods = [
    InterfaceMethod<
      /*desc=*/"Builds the gradients of the operands from those of the results.",
      /*retTy=*/"::llvm::LogicalResult",
      /*methodName=*/"buildGradients",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                    "::mlir::ValueRange":$resultGradients,
                    "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)
    >,
    InterfaceMethod<
      /*desc=*/"Whether operand `index` can carry a gradient.",
      /*retTy=*/"bool",
      /*methodName=*/"isOperandDifferentiable",
      /*args=*/(ins "unsigned":$index),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{
        return ::mlir::isa<::mlir::FloatType>(
            ::mlir::getElementTypeOrSelf($_op->getOperand(index).getType()));
      }]
    >,
  ];
}

#endif // KILN_DIALECT_KILN_IR_KILNINTERFACES
