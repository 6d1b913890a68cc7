//===- KilnNNOps.td - Matmul, convolution, pooling and softmax --*- tablegen -*-===//
//
// Part of KilnOps.td: Matmul, convolution, pooling and softmax.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNNNOPS
#define KILN_DIALECT_KILN_IR_KILNNNOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

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

def Kiln_Conv2DTransposeOp : Kiln_Op<"conv2d_transpose",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "2-D transposed convolution, NCHW input and CFHW filter";
  let description = [{
    The gradient of `kiln.conv2d` with respect to its input, as ONNX's ConvTranspose:
    every input element `input[n, c, h, w]` scatters `input * filter[c, f, kh, kw]` to
    output position `(h * stride_h + kh * dilation_h - pad_top,
    w * stride_w + kw * dilation_w - pad_left)` of channel `f` in its group. `input`
    is `[N, C, H, W]`, `filter` is `[C, F / groups, KH, KW]` and the result
    `[N, F, HO, WO]` with

        HO = (H - 1) * stride_h - pad_top - pad_bottom + dilation_h * (KH - 1)
             + output_padding_h + 1

    and likewise for WO. `padding` is `[top, left, bottom, right]` and removes output
    rows and columns; `output_padding` (`[h, w]`) adds rows and columns at the bottom
    and right. With `groups = G`, channels and filters split into G groups as in
    `kiln.conv2d`. A bias is a separate `kiln.add`.

    ```mlir
    %y = kiln.conv2d_transpose %x, %w {strides = array<i64: 2, 2>}
        : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x17x17xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$filter,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
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

#endif // KILN_DIALECT_KILN_IR_KILNNNOPS
