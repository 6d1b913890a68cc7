//===- Passes.td - Graph-level passes on the kiln dialect --*- tablegen -*-===//

#ifndef KILN_TRANSFORMS_PASSES
#define KILN_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def KilnInferShapesPass : Pass<"kiln-infer-shapes", "mlir::ModuleOp"> {
  let summary = "Propagate refined shapes through a kiln graph";
  let description = [{
    Re-infers the result type of every kiln op from its operands, in order, keeping
    the more precise of the declared and inferred shapes, then updates the function's
    result types. Run it after refining argument types (for example when a dynamic
    batch dimension is specialized to a fixed size) so that every shape downstream
    becomes static. An op whose operands no longer fit its rules is reported.

    A function that is called keeps its signature, so its callers stay valid: its
    refined results are cast back to the declared types with `tensor.cast`.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def KilnFoldConvScalePass : Pass<"kiln-fold-conv-scale", "mlir::ModuleOp"> {
  let summary = "Fold per-channel scales (inference BatchNorm) into (transposed) convolution filters";
  let description = [{
    `kiln.mul(kiln.conv(x, W), k)` with a constant filter `W` and a constant `k`
    that varies only along the channel dim becomes `kiln.conv(x, W * k)`, the
    filter computed when compiling (each weight scaled by the `k` of the output
    channel it feeds), and likewise for `kiln.conv_transpose`; `(conv + c) * k`
    first becomes `conv * k + c * k`. Inference BatchNormalization, imported as
    `x * k + c`, thus leaves a convolution followed by a per-channel bias, which
    the back ends fuse. The convolution must have no other user.
  }];
}

def KilnSplitConcatConsumersPass
    : Pass<"kiln-split-concat-consumers", "mlir::ModuleOp"> {
  let summary = "Let the reader of a channel concatenation read its branches instead";
  let description = [{
    A `kiln.concat` along dim 1 (channels) of statically shaped tensors whose
    only reader is a `kiln.conv` (one group, static shapes) disappears: the
    convolution becomes one per branch, each with the filter's input
    channels of that branch (computed here for a constant filter, else a
    `kiln.slice`), summed with `kiln.add`: `conv(b, W[:, B]) + conv(a,
    W[:, A])`. When the convolution's only reader adds a per-channel constant
    (a bias), it is added to the first partial convolution instead, so that
    kernel selection gives each kernel its bias or the previous partial sum
    as the residual it accumulates into. A `kiln.max_pool` whose input is such
    a concatenation pools each branch and concatenates the results, which
    moves the concatenation on to the pooling's reader.

    Concatenations that something else also reads (a training step's
    gradients) stay: the copy is needed anyway.
  }];
}

def KilnDecomposeConvTransposePass
    : Pass<"kiln-decompose-conv-transpose", "mlir::ModuleOp"> {
  let summary = "Split a strided transposed convolution into one convolution per output phase";
  let description = [{
    A 2-D `kiln.conv_transpose` of stride s (one group, no dilation, a
    constant filter, static shapes, each kernel size and output size a
    multiple of its stride) becomes s*s ordinary `kiln.conv`s of stride 1,
    one per output phase (oy mod sy, ox mod sx): phase r of a dim reads the
    taps k = k0 + s*j, k0 = (r + pad) mod s, flipped, with the padding that
    lines its outputs up (none negative, else the op stays). Their filters
    are computed here. The phases are transposed to channels last, reshaped
    to [N, Qy, 1, Qx, 1, F], concatenated along dims 4 and 2, reshaped to
    [N, Oy, Ox, F] and transposed back: the interleaving, in the layout of
    the convolution kernels, whose own transposes cancel these. Per-channel constant additions (a folded BatchNorm's shift)
    and `kiln.relu`, `kiln.tanh` and `kiln.sigmoid` that read only the
    transposed convolution are applied to each phase instead, so that kernel
    selection fuses them into the phases' kernels.
  }];
}

#endif // KILN_TRANSFORMS_PASSES
