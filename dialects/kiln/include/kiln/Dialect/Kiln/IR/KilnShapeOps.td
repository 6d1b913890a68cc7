//===- KilnShapeOps.td - Reshaping and data movement --*- tablegen -*-===//
//
// Part of KilnOps.td: Reshaping and data movement.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNSHAPEOPS
#define KILN_DIALECT_KILN_IR_KILNSHAPEOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Kiln_ReshapeOp : Kiln_Op<"reshape",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Reinterprets a tensor with a new shape of the same size";
  let description = [{
    Returns the elements of `input`, in row-major order, with shape `shape`. At most one
    entry of `shape` may be -1: it is inferred from the element count. (ONNX's "0 copies
    the input dimension" is resolved by the frontend.)

    ```mlir
    %y = kiln.reshape %x {shape = array<i64: 1, -1>} : (tensor<1x16x4x4xf32>) -> tensor<1x256xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.

    ```mlir
    %y = kiln.transpose %x {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Joins tensors along one dimension";
  let description = [{
    Concatenates `inputs` along dimension `axis` (in `[0, rank)`). All inputs have the
    same rank, element type, and sizes in every other dimension.

    ```mlir
    %y = kiln.concat %a, %b {axis = 1 : i64}
        : (tensor<1x16x8x8xf32>, tensor<1x32x8x8xf32>) -> tensor<1x48x8x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

#endif // KILN_DIALECT_KILN_IR_KILNSHAPEOPS
