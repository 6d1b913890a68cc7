//===- KilnNNOps.td - Matmul, convolution, pooling and softmax --*- tablegen -*-===//
//
// Part of KilnOps.td: Matmul, N-D convolution and pooling, and softmax.
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
// Convolution and pooling (N-D: [N, C, spatial...] with 1 or more spatial dims)
//===----------------------------------------------------------------------===//

// The window attributes of convolution and pooling ops hold one entry per
// spatial dim (padding: the begin pads of every spatial dim, then the end pads).
// An empty array, the default, means 1 for strides and dilations and 0 for
// padding and output padding, whatever the spatial rank; the
// getSpatial<Attribute>() accessors fill it in.
defvar kilnWindowAccessors = [{
  /// The number of spatial dims: the input's rank minus 2 (N and C).
  int64_t getSpatialRank() {
    return llvm::cast<mlir::RankedTensorType>(getInput().getType()).getRank() - 2;
  }
  /// One stride per spatial dim (1 where `strides` is empty).
  llvm::SmallVector<int64_t> getSpatialStrides() {
    return ::kiln::fillWindowAttribute(getStrides(), getSpatialRank(), 1);
  }
  /// The begin pads of every spatial dim, then the end pads (0 where `padding`
  /// is empty).
  llvm::SmallVector<int64_t> getSpatialPadding() {
    return ::kiln::fillWindowAttribute(getPadding(), 2 * getSpatialRank(), 0);
  }
}];
defvar kilnDilationAccessor = [{
  /// One dilation per spatial dim (1 where `dilations` is empty).
  llvm::SmallVector<int64_t> getSpatialDilations() {
    return ::kiln::fillWindowAttribute(getDilations(), getSpatialRank(), 1);
  }
}];

class Kiln_WindowOp<string mnemonic> : Kiln_Op<mnemonic,
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let extraClassDeclaration = !strconcat(kilnWindowAccessors, kilnDilationAccessor);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_ConvOp : Kiln_WindowOp<"conv"> {
  let summary = "N-D convolution: [N, C, spatial...] input, [F, C / groups, kernel...] filter";
  let description = [{
    Cross-correlates `input` (`[N, C, D1, ..., Dk]`, k >= 1 spatial dims) with `filter`
    (`[F, C / groups, K1, ..., Kk]`) and produces `[N, F, O1, ..., Ok]` with

        Oi = floor((Di + pad_begin_i + pad_end_i - dilation_i * (Ki - 1) - 1) / stride_i) + 1

    `strides` and `dilations` have k entries, `padding` 2k: the begin pads of every
    spatial dim, then the end pads (for 2-D: `[top, left, bottom, right]`, as ONNX's
    `pads`); empty arrays (the default) mean strides and dilations of 1 and no padding.
    Zeros are padded. With `groups = G`, input channels and filters are split into G
    groups and group g of the filters sees only group g of the channels (depthwise
    convolution: G = C = F). A bias is a separate `kiln.add`.

    ```mlir
    %y = kiln.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x16x16xf32>
    %v = kiln.conv %s, %k {groups = 2 : i64}
        : (tensor<1x4x8x8x8xf32>, tensor<6x2x3x3x3xf32>) -> tensor<1x6x6x6x6xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$filter,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs Kiln_FloatTensor:$result);
}

def Kiln_ConvFilterGradientOp : Kiln_WindowOp<"conv_filter_gradient"> {
  let summary = "Gradient of a kiln.conv's filter: [N, C, spatial...] input, [N, F, spatial...] output gradient";
  let description = [{
    The gradient with respect to the filter `W` of `sum(kiln.conv(input, W) *
    output_gradient)`, for a `kiln.conv` with the same `strides`, `padding`,
    `dilations` and `groups` and a filter of spatial size `kernel`: `input` is
    `[N, C, D1, ..., Dk]` (k >= 1 spatial dims), `output_gradient` is `[N, F, O1, ...,
    Ok]`, where each `Oi` must be the convolution's output size for `Di` (as in
    `kiln.conv`), and the result is `[F, C / groups, K1, ..., Kk]` with

        result[f, c, j...] = sum over n, o... of output_gradient[n, f, o...]
            * input[n, g * C / groups + c, o * stride + j * dilation - pad_begin ...]

    where `g = f / (F / groups)` is the group of filter `f` and padded positions read
    zero. Both `C` and `F` must split into `groups` groups. The autodiff rules of
    `kiln.conv` and `kiln.conv_transpose` build it; kernel selection runs 2-D f32 ones
    on oneDNN's backward-weights convolution, and `kiln-expand-filter-gradients`
    rewrites the others into a `kiln.conv` of the transposed operands (its stride and
    dilation swapped), a slice and a transpose.

    ```mlir
    %dw = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>,
                                            strides = array<i64: 2, 2>,
                                            padding = array<i64: 1, 1, 1, 1>}
        : (tensor<8x16x32x32xf32>, tensor<8x32x16x16xf32>) -> tensor<32x16x3x3xf32>
    %dv = kiln.conv_filter_gradient %s, %g {kernel = array<i64: 3>, groups = 2 : i64}
        : (tensor<4x4x10xf32>, tensor<4x6x8xf32>) -> tensor<6x2x3xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$output_gradient,
    DenseI64ArrayAttr:$kernel,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs Kiln_FloatTensor:$result);
}

def Kiln_ConvTransposeOp : Kiln_WindowOp<"conv_transpose"> {
  let summary = "N-D transposed convolution: [N, C, spatial...] input, [C, F / groups, kernel...] filter";
  let description = [{
    The gradient of `kiln.conv` with respect to its input, as ONNX's ConvTranspose:
    every input element `input[n, c, i1, ..., ik]` scatters `input * filter[c, f, j1,
    ..., jk]` to output position `(i1 * stride_1 + j1 * dilation_1 - pad_begin_1, ...)`
    of channel `f` in its group. `input` is `[N, C, D1, ..., Dk]` (k >= 1), `filter` is
    `[C, F / groups, K1, ..., Kk]` and the result `[N, F, O1, ..., Ok]` with

        Oi = (Di - 1) * stride_i - pad_begin_i - pad_end_i + dilation_i * (Ki - 1)
             + output_padding_i + 1

    `padding` (begin pads, then end pads, as in `kiln.conv`) removes output positions;
    `output_padding` (k entries) adds positions at the end of each spatial dim. Empty
    arrays (the default) mean strides and dilations of 1 and no padding. With
    `groups = G`, channels and filters split into G groups as in `kiln.conv`. A bias is
    a separate `kiln.add`.

    ```mlir
    %y = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>}
        : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x17x17xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$filter,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$output_padding,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs Kiln_FloatTensor:$result);
  let extraClassDeclaration = !strconcat(kilnWindowAccessors, kilnDilationAccessor, [{
    /// One output padding per spatial dim (0 where `output_padding` is empty).
    llvm::SmallVector<int64_t> getSpatialOutputPadding() {
      return ::kiln::fillWindowAttribute(getOutputPadding(), getSpatialRank(), 0);
    }
  }]);
}

// Max pooling takes floats and integers of 8 bits and more (a boolean max
// would need its own neutral element and comparison).
def Kiln_MaxPoolTensor : RankedTensorOf<[AnyFloat, I8, I16, I32, I64, UI8, UI16,
                                         UI32, UI64]>;

// Pooling over `kernel_size` windows of every spatial dim.
class Kiln_PoolOp<string mnemonic, string reduction, Type elementTensor,
                  dag extraArgs>
    : Kiln_WindowOp<mnemonic> {
  let summary = "N-D " # reduction # " pooling over [N, C, spatial...] windows";
  let arguments = !con((ins
    elementTensor:$input,
    DenseI64ArrayAttr:$kernel_size,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode), extraArgs);
  let results = (outs elementTensor:$result);
}

def Kiln_MaxPoolOp : Kiln_PoolOp<"max_pool", "max", Kiln_MaxPoolTensor,
    (ins DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations)> {
  let description = [{
    Takes the maximum of each `kernel_size` window of `input` (`[N, C, D1, ..., Dk]`,
    k >= 1 spatial dims; floats or signless integers). `kernel_size`, `strides` and
    `dilations` have k entries, `padding` 2k (begin pads, then end pads); padded
    positions never win. The output size is computed like `kiln.conv`'s, rounding up
    instead of down when `ceil_mode` is set (a window must still start inside the input
    or its begin padding). A NaN in a window makes its maximum NaN.

    Canonicalization takes the maxima from a `kiln.max_pool_with_indices` of the
    same input and window in the same block (the one a training step's gradient
    of this pooling builds), so they are computed once.

    ```mlir
    %y = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x16x32x32xf32>) -> tensor<1x16x16x16xf32>
    %z = kiln.max_pool %v {kernel_size = array<i64: 3, 3, 3>}
        : (tensor<1x4x8x8x8xf32>) -> tensor<1x4x6x6x6xf32>
    ```
  }];
  let hasCanonicalizeMethod = 1;
}

def Kiln_AvgPoolOp : Kiln_PoolOp<"avg_pool", "average", Kiln_FloatTensor,
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let description = [{
    Averages each `kernel_size` window of `input` (`[N, C, D1, ..., Dk]`, k >= 1
    spatial dims). Padded positions add zero to the sum; they count in the divisor only
    when `count_include_pad` is set. Positions added by `ceil_mode` beyond the padding
    never count. Attributes and output sizes follow `kiln.max_pool` (without dilation).

    ```mlir
    %y = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let extraClassDeclaration = kilnWindowAccessors;
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
