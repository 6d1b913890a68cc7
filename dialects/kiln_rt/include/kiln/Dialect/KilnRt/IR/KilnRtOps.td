//===- KilnRtOps.td - Calls into the runtime's library kernels -*- tablegen -*-===//
//
// The `kiln_rt` dialect: operations that the CPU back end does not generate
// code for but hands to a library kernel of Kiln's runtime (oneDNN). They are
// destination-passing style ops, like linalg's: on tensors they return the
// filled `init`; after bufferization they take buffers and return nothing, and
// kiln-lower-kernel-calls turns them into calls of the runtime's kernel entry
// points (runtime/include/kiln/kernel_abi.h).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNRT_IR_KILNRTOPS
#define KILN_DIALECT_KILNRT_IR_KILNRTOPS

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def KilnRt_Dialect : Dialect {
  let name = "kiln_rt";
  let cppNamespace = "::kiln::rt";
  let summary = "Library kernels of Kiln's runtime, called from generated code";
  let description = [{
    Kernel selection (`kiln-select-kernels`) replaces a kiln convolution (plain
    or transposed) or matrix product, together with the epilogue it can absorb
    (bias, a residual addition, an activation), by one `kiln_rt` op, and a
    convolution's filter gradient by `kiln_rt.conv2d_backward_filter`. The runtime
    implements it with oneDNN: the primitive is created when the module loads,
    constant weights are reordered once to the layout the primitive prefers, and
    the epilogue runs as oneDNN post-ops on the output while it is still in
    cache.
  }];
}

class KilnRt_Op<string mnemonic, list<Trait> traits = []>
    : Op<KilnRt_Dialect, mnemonic, traits>;

def KilnRt_F32Shaped : AnyTypeOf<[RankedTensorOf<[F32]>, MemRefOf<[F32]>]>;

// Activations that oneDNN applies as an eltwise post-op: `alpha` is the
// negative slope of leaky_relu and the lower bound of clip, `beta` the upper
// bound of clip.
defvar KilnRt_ActivationDoc = [{
    `activation` is one of `none`, `relu`, `leaky_relu` (slope `alpha`), `clip`
    (to `[alpha, beta]`), `sigmoid` or `tanh`, applied last.
}];

def KilnRt_Conv2DOp : KilnRt_Op<"conv2d", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "2-D convolution or transposed convolution (NCHW or NHWC) with a fused epilogue";
  let description = [{
    `init = activation(conv(input, filter) + bias + residual)`, where the
    convolution is a 2-D `kiln.conv`'s (same attributes) or, with `transposed`,
    a 2-D `kiln.conv_transpose`'s (same attributes, `output_padding` included);
    `bias` has shape `[F]` and is added to every output channel, and `residual`
    has the result's shape. With `layout = "nhwc"` the input, `residual` and
    `init` hold their channels last (`[N, H, W, C]`), the layout oneDNN's direct
    convolutions read and write without reordering. The filter is as in the kiln
    op either way: `[F, C / groups, KH, KW]`, or `[C, F / groups, KH, KW]` when
    `transposed`. `output_padding` is zero unless `transposed`.
    With `accumulate`, `init` is read: it holds the values to add in place of
    `residual` (which is then absent), and the kernel adds its result into
    them (oneDNN's sum post-op; cuDNN's and cuBLAS's beta = 1). Bufferization
    then writes the residual's own buffer when nothing reads it afterwards,
    and copies it otherwise; oneDNN picks faster kernels for a sum than for a
    binary addition of another buffer (ResNet-50's residual 1x1 convolutions:
    brgconv_1x1 instead of jit_1x1).
  }] # KilnRt_ActivationDoc # [{

    ```mlir
    %y = kiln_rt.conv2d %x, %w bias(%b) outs(%init)
        {padding = array<i64: 1, 1, 1, 1>, activation = "relu"}
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1x4x8x8xf32>)
        -> tensor<1x4x8x8xf32>
    %u = kiln_rt.conv2d %x, %v outs(%up)
        {transposed, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
         output_padding = array<i64: 1, 1>, groups = 3 : i64, activation = "tanh"}
        : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>, tensor<1x6x16x16xf32>)
        -> tensor<1x6x16x16xf32>
    ```
  }];
  let arguments = (ins
    KilnRt_F32Shaped:$input,
    KilnRt_F32Shaped:$filter,
    Optional<KilnRt_F32Shaped>:$bias,
    Optional<KilnRt_F32Shaped>:$residual,
    KilnRt_F32Shaped:$init,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    UnitAttr:$transposed,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
    DefaultValuedStrAttr<StrAttr, "nchw">:$layout,
    UnitAttr:$accumulate,
    DefaultValuedStrAttr<StrAttr, "none">:$activation,
    DefaultValuedAttr<F32Attr, "0.0f">:$alpha,
    DefaultValuedAttr<F32Attr, "0.0f">:$beta
  );
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    $input `,` $filter (`bias` `(` $bias^ `)`)? (`residual` `(` $residual^ `)`)?
    `outs` `(` $init `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def KilnRt_Conv2DBackwardFilterOp : KilnRt_Op<"conv2d_backward_filter", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Filter gradient of a 2-D convolution (NCHW or NHWC activations)";
  let description = [{
    `init = conv_filter_gradient(input, output_gradient)`: the gradient of the
    filter of a 2-D `kiln.conv` with these attributes, from its input
    (`[N, C, H, W]`) and the gradient of its result (`[N, F, OH, OW]`, the
    convolution's output size), as `kiln.conv_filter_gradient` computes it.
    `init` is the plain `[F, C / groups, KH, KW]` filter gradient, whose shape
    gives the kernel size. With `layout = "nhwc"` the input and the output
    gradient hold their channels last (`[N, H, W, C]`, `[N, OH, OW, F]`), the
    layout oneDNN's backward-weights kernels read without reordering.

    ```mlir
    %dw = kiln_rt.conv2d_backward_filter %x, %dy outs(%init)
        {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, layout = "nhwc"}
        : (tensor<8x32x32x16xf32>, tensor<8x16x16x32xf32>, tensor<32x16x3x3xf32>)
        -> tensor<32x16x3x3xf32>
    ```
  }];
  let arguments = (ins
    KilnRt_F32Shaped:$input,
    KilnRt_F32Shaped:$output_gradient,
    KilnRt_F32Shaped:$init,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedStrAttr<StrAttr, "nchw">:$layout
  );
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    $input `,` $output_gradient `outs` `(` $init `)` attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def KilnRt_MatMulOp : KilnRt_Op<"matmul", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Matrix product [M, K] x [K, N] (or a batch of them) with a fused epilogue";
  let description = [{
    `init = activation(lhs x rhs + bias + residual)` with `lhs` `[M, K]`, `rhs`
    `[K, N]`, `bias` `[N]` (added to every row) and `residual` `[M, N]`; or
    `B` independent products of `[B, M, K]` and `[B, K, N]` into `[B, M, N]`.
    `accumulate` is as for `kiln_rt.conv2d`.
  }] # KilnRt_ActivationDoc # [{

    ```mlir
    %y = kiln_rt.matmul %a, %b bias(%c) outs(%init)
        : (tensor<?x512xf32>, tensor<512x10xf32>, tensor<10xf32>, tensor<?x10xf32>)
        -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins
    KilnRt_F32Shaped:$lhs,
    KilnRt_F32Shaped:$rhs,
    Optional<KilnRt_F32Shaped>:$bias,
    Optional<KilnRt_F32Shaped>:$residual,
    KilnRt_F32Shaped:$init,
    UnitAttr:$accumulate,
    DefaultValuedStrAttr<StrAttr, "none">:$activation,
    DefaultValuedAttr<F32Attr, "0.0f">:$alpha,
    DefaultValuedAttr<F32Attr, "0.0f">:$beta
  );
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`bias` `(` $bias^ `)`)? (`residual` `(` $residual^ `)`)?
    `outs` `(` $init `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

#endif // KILN_DIALECT_KILNRT_IR_KILNRTOPS
