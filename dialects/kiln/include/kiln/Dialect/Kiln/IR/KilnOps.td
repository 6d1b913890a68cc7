//===- KilnOps.td - Operations of the kiln dialect ---------*- tablegen -*-===//
//
// Every op: a summary, a description with an example, a verifier (through type
// inference and, where attributes need it, `hasVerifier`), result-type inference, and a
// folder where one makes sense.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNOPS
#define KILN_DIALECT_KILN_IR_KILNOPS

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

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatMulOp : Kiln_Op<"matmul",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Batched matrix product with broadcast batch dimensions";
  let description = [{
    Multiplies the matrices held in the last two dimensions: `lhs` is `[..., M, K]`,
    `rhs` is `[..., K, N]` and the result `[..., M, N]`. Both operands have rank 2 or
    more; their leading (batch) dimensions broadcast as NumPy does.

    ```mlir
    %0 = kiln.matmul %x, %w : (tensor<32x784xf32>, tensor<784x128xf32>) -> tensor<32x128xf32>
    %1 = kiln.matmul %q, %k : (tensor<4x8x64x32xf32>, tensor<32x64xf32>) -> tensor<4x8x64x64xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Kiln_Conv2DOp : Kiln_Op<"conv2d",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "2-D convolution, NCHW input and FCHW filter";
  let description = [{
    Cross-correlates `input` (`[N, C, H, W]`) with `filter` (`[F, C / groups, KH, KW]`)
    and produces `[N, F, HO, WO]` with

        HO = floor((H + pad_top + pad_bottom - dilation_h * (KH - 1) - 1) / stride_h) + 1

    and likewise for WO. `padding` is `[top, left, bottom, right]` (zeros are padded).
    With `groups = G`, input channels and filters are split into G groups and group g of
    the filters sees only group g of the channels (depthwise convolution: G = C = F).
    A bias is a separate `kiln.add`.

    ```mlir
    %y = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$filter,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $filter attr-dict `:` functional-type(operands, results)";
}

class Kiln_Pool2DOp<string mnemonic, string reduction, dag extraArgs>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultElementType,
                         InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "2-D " # reduction # " pooling over NCHW windows";
  let arguments = !con((ins
    Kiln_FloatTensor:$input,
    DenseI64ArrayAttr:$kernel_size,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode), extraArgs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_MaxPool2DOp : Kiln_Pool2DOp<"max_pool2d", "max",
    (ins DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations)> {
  let description = [{
    Takes the maximum of each `kernel_size` window of `input` (`[N, C, H, W]`).
    `padding` is `[top, left, bottom, right]`; padded positions never win. The output
    size is computed like `kiln.conv2d`'s, rounding up instead of down when `ceil_mode`
    is set (a window must still start inside the input or its top/left padding).

    ```mlir
    %y = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x16x32x32xf32>) -> tensor<1x16x16x16xf32>
    ```
  }];
}

def Kiln_AvgPool2DOp : Kiln_Pool2DOp<"avg_pool2d", "average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let description = [{
    Averages each `kernel_size` window of `input` (`[N, C, H, W]`). Padded positions add
    zero to the sum; they count in the divisor only when `count_include_pad` is set.
    Positions added by `ceil_mode` beyond the padding never count. Output sizes follow
    `kiln.max_pool2d`.

    ```mlir
    %y = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
}

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

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string reduction, Type elementTensor>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultElementType,
                         InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The " # reduction # " over some dimensions";
  let description = [{
    Reduces `input` with the }] # reduction # [{ over the dimensions listed in `axes`
    (non-empty, strictly increasing, each in `[0, rank)`). With `keep_dims` the reduced
    dimensions stay as size 1; otherwise they are removed.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keep_dims = true}
        : (tensor<1x64x7x7xf32>) -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins elementTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs elementTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum", Kiln_NumericTensor>;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "mean", Kiln_FloatTensor>;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "maximum", Kiln_NumericTensor>;

def Kiln_SoftmaxOp : Kiln_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one dimension";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))`, with the max and the sum taken along
    dimension `axis` (in `[0, rank)`).

    ```mlir
    %p = kiln.softmax %logits {axis = 1 : i64} : tensor<32x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // KILN_DIALECT_KILN_IR_KILNOPS
