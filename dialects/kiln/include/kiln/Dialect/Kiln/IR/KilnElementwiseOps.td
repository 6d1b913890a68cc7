//===- KilnElementwiseOps.td - Constants and elementwise ops --*- tablegen -*-===//
//
// Part of KilnOps.td: Constants and elementwise ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNELEMENTWISEOPS
#define KILN_DIALECT_KILN_IR_KILNELEMENTWISEOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor";
  let description = [{
    Produces a tensor whose elements are given by `value` (dense, splat or resource
    elements). Weights of a model are constants until training turns them into
    parameters. The shape must be static.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %z = kiln.constant dense<0.0> : tensor<64xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops, with NumPy broadcasting
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Kiln_Op<mnemonic, traits # [Pure, SameOperandsElementType,
                                  SameOperandsAndResultElementType,
                                  InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Elementwise " # formula # " with NumPy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise. The operand shapes are broadcast as NumPy
    does: aligned at the trailing dimension, a dimension of size 1 stretches to match the
    other operand, and missing leading dimensions count as 1. Both operands have the same
    element type (floating point or signless integer).

    ```mlir
    %0 = kiln.}] # mnemonic # [{ %a, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "lhs - rhs">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def Kiln_DivOp : Kiln_BinaryOp<"div", "lhs / rhs">;

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Kiln_UnaryFloatOp<string mnemonic, string formula>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  // SameOperandsAndResultType also gives the op InferTypeOpInterface.
  let summary = "Elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element of a floating-point tensor.

    ```mlir
    %0 = kiln.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Kiln_ReluOp : Kiln_UnaryFloatOp<"relu", "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryFloatOp<"sigmoid", "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryFloatOp<"tanh", "tanh(x)">;
def Kiln_ExpOp : Kiln_UnaryFloatOp<"exp", "exp(x)">;
def Kiln_LogOp : Kiln_UnaryFloatOp<"log", "log(x) (natural logarithm)">;

#endif // KILN_DIALECT_KILN_IR_KILNELEMENTWISEOPS
