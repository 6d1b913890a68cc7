//===- KilnDynamicShapeOps.td - Shapes known at run time --*- tablegen -*-===//
//
// Part of KilnOps.td: ops whose shape-like operands (a target shape, axes,
// starts and ends, pads, repeats, sizes, a count) are tensors computed at run
// time instead of attributes. Their results have dims `?` where the operand
// decides them; a result type may be declared more static than inferred (the
// ONNX importer gives the model's declared output type), and the lowering then
// checks at run time that the computed size equals the declared one. Every run-time
// value that could make the generated code read or write out of bounds is
// checked by the lowering (an error return of the call, naming the op).
// Each op has a canonicalization to the static op of the same meaning when the
// operand is a constant.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDYNAMICSHAPEOPS
#define KILN_DIALECT_KILN_IR_KILNDYNAMICSHAPEOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// A 1-D list of sizes, axes or offsets of static length (i32 or i64; the
// lowering sign-extends i32).
def Kiln_ShapeOperand : RankedTensorOf<[I32, I64]>;

class Kiln_DynamicShapeOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptorWithIsCompatible],
                                    traits)> {
  let hasCanonicalizeMethod = 1;
}

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

def Kiln_ShapeOfOp : Kiln_Op<"shape_of", [Pure,
    InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The dims of a tensor as a 1-D i64 tensor";
  let description = [{
    Returns the sizes of `input`'s dimensions (ONNX's `Shape`), read at run time for
    dims that are `?`. The folder turns it into a constant when the input's shape is
    static, so that shape arithmetic on static tensors folds away.

    ```mlir
    %s = kiln.shape_of %x : (tensor<?x3xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_DynamicReshapeOp : Kiln_DynamicShapeOp<"dynamic_reshape",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reshape to a target shape computed at run time";
  let description = [{
    ONNX's `Reshape`: returns the elements of `input` in row-major order with the
    shape held by the 1-D integer tensor `shape`, whose static length is the result
    rank. An entry of -1 (at most one) is inferred from the element count; an entry
    of 0 copies the input's dimension at the same position unless `allow_zero` is
    set (then it is a real 0). Result dims are `?` unless declared.

    Checked at run time: entries are -1 or non-negative, at most one -1, a 0 that
    copies has an input dimension to copy, the element counts are equal (without
    overflow), and declared static result dims match.

    ```mlir
    %y = kiln.dynamic_reshape %x, %shape
        : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$shape,
                   DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input `,` $shape attr-dict `:` functional-type(operands, results)";
}

def Kiln_UnsqueezeOp : Kiln_DynamicShapeOp<"unsqueeze",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Inserts dims of size 1 at positions computed at run time";
  let description = [{
    ONNX's `Unsqueeze` with its `axes` as an operand: the result has rank
    `rank(input) + len(axes)`; result dimension `a` for every (normalized) `a` in
    `axes` is 1 and the other result dims are the input's, in order. Axes may be
    negative (counting from the end of the result) and in any order. Checked at run
    time: every axis is in `[-result rank, result rank)` and none repeats.

    ```mlir
    %y = kiln.unsqueeze %x, %axes : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$axes);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input `,` $axes attr-dict `:` functional-type(operands, results)";
}

def Kiln_SqueezeOp : Kiln_DynamicShapeOp<"squeeze",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Removes dims of size 1 chosen at run time";
  let description = [{
    ONNX's `Squeeze` with its `axes` as an operand: removes input dimension `a` for
    every (normalized) `a` in `axes`; the result has rank `rank(input) - len(axes)`.
    Checked at run time: every axis is in `[-rank, rank)`, none repeats, and every
    removed dimension has size 1.

    ```mlir
    %y = kiln.squeeze %x, %axes : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$axes);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input `,` $axes attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Kiln_DynamicBroadcastToOp : Kiln_DynamicShapeOp<"dynamic_broadcast_to",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Broadcasts a tensor with a shape computed at run time";
  let description = [{
    ONNX's `Expand`: the result shape is the NumPy broadcast of `input`'s shape and
    the 1-D integer tensor `shape` (aligned at the trailing end; the result rank is
    the larger of the two). A dim of 1 on either side stretches to the other side's.
    Result dims are `?` except where a static input dim other than 1 decides them.

    Checked at run time: `shape` entries are non-negative, every pair of aligned
    dims is equal or has a 1, the element count fits in int64.

    ```mlir
    %y = kiln.dynamic_broadcast_to %x, %shape
        : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$shape);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input `,` $shape attr-dict `:` functional-type(operands, results)";
}

def Kiln_TileOp : Kiln_DynamicShapeOp<"tile",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Repeats a tensor along every dimension";
  let description = [{
    ONNX's `Tile`: result dimension `d` is `dim(input, d) * repeats[d]`, and
    `result[i] = input[i mod dim(input)]` elementwise. `repeats` is a 1-D integer
    tensor with one entry per input dimension. Checked at run time: repeats are
    non-negative and the element count fits in int64.

    ```mlir
    %y = kiln.tile %x, %repeats : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$repeats);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
}

def Kiln_DynamicSliceOp : Kiln_DynamicShapeOp<"dynamic_slice",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "A strided window whose bounds are computed at run time";
  let description = [{
    ONNX's `Slice` with every operand known only at run time. `starts`, `ends`,
    `axes` and `steps` are 1-D integer tensors of one static length `n`; entry `i`
    slices dimension `axes[i]` (negative axes count from the end) from `starts[i]`
    towards `ends[i]` by `steps[i]`. Dims not named in `axes` are taken whole.
    Exactly as ONNX says, negative starts and ends count from the end of the dim,
    then both are clamped: to `[0, dim]` for positive steps, to `[0, dim - 1]` and
    `[-1, dim - 1]` for negative ones; the result has
    `max(0, ceil((end - start) / step))` elements. Result dims are `?` unless
    declared.

    Checked at run time: steps are not 0, axes are in range and do not repeat.

    ```mlir
    %y = kiln.dynamic_slice %x, %starts, %ends, %axes, %steps
        : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>,
           tensor<1xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$starts,
                   Kiln_ShapeOperand:$ends, Kiln_ShapeOperand:$axes,
                   Kiln_ShapeOperand:$steps);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input `,` $starts `,` $ends `,` $axes `,` $steps "
                       "attr-dict `:` functional-type(operands, results)";
}

def Kiln_SplitOp : Kiln_DynamicShapeOp<"split"> {
  let summary = "Splits a tensor into parts of sizes computed at run time";
  let description = [{
    ONNX's `Split` with its `split` input: `sizes` is a 1-D integer tensor with one
    entry per result; result `i` holds the `sizes[i]` elements of dimension `axis`
    that follow those of the results before it. The other dimensions are the
    input's. Checked at run time: sizes are non-negative and add up to the
    dimension.

    ```mlir
    %a, %b = kiln.split %x, %sizes {axis = 0 : i64}
        : (tensor<6xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$sizes,
                   I64Attr:$axis);
  let results = (outs Variadic<Kiln_AnyTensor>:$results);
  let assemblyFormat =
      "$input `,` $sizes attr-dict `:` functional-type(operands, results)";
}

def Kiln_DynamicPadOp : Kiln_DynamicShapeOp<"dynamic_pad",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Pads a tensor by amounts computed at run time";
  let description = [{
    ONNX's `Pad` with its `pads` (and constant value) known only at run time. `pads`
    is a 1-D integer tensor of `2 * rank` entries: all the amounts added before each
    dimension, then all those added after. A negative amount removes elements. `mode`
    is `"constant"` (new elements are `value`, a one-element tensor of the element
    type, or zero without it), `"reflect"` or `"edge"` as in `kiln.pad`.

    Checked at run time: every padded size is non-negative and fits in int64,
    reflect pads are smaller than the dimension, edge padding has an element to
    repeat.

    ```mlir
    %y = kiln.dynamic_pad %x, %pads, %value {mode = "constant"}
        : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_ShapeOperand:$pads,
                   Optional<Kiln_AnyTensor>:$value,
                   DefaultValuedStrAttr<StrAttr, "constant">:$mode);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input `,` $pads (`,` $value^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Generators
//===----------------------------------------------------------------------===//

def Kiln_ConstantOfShapeOp : Kiln_Op<"constant_of_shape",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "A tensor of a run-time shape filled with one value";
  let description = [{
    ONNX's `ConstantOfShape`: a tensor whose shape is held by the 1-D integer tensor
    `shape` (its static length is the rank), every element equal to `value` (whose
    type is the element type). Checked at run time: sizes are non-negative and the
    element count fits in int64. With a constant `shape` the folder makes it a splat
    constant.

    ```mlir
    %y = kiln.constant_of_shape %shape {value = 1.0 : f32}
        : (tensor<3xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_ShapeOperand:$shape, TypedAttrInterface:$value);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_RangeOp : Kiln_Op<"range",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The sequence start, start + delta, ... below limit";
  let description = [{
    ONNX's `Range`: `start`, `limit` and `delta` are one-element tensors (rank 0 or
    1) of one numeric type; the result is 1-D with
    `max(ceil((limit - start) / delta), 0)` elements, element `i` being
    `start + i * delta` in the element type. Integer counts are computed exactly,
    float counts in double precision. Checked at run time: `delta` is not 0 and
    the count fits in int64 (and is finite). With constant operands the folder
    evaluates it.

    ```mlir
    %y = kiln.range %start, %limit, %delta
        : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$start, Kiln_NumericTensor:$limit,
                   Kiln_NumericTensor:$delta);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_RandomUniformLikeOp : Kiln_Op<"random_uniform_like",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Reproducible uniform numbers in [0, 1) of a tensor's shape";
  let description = [{
    A tensor of f64 with the shape of `like` (whose values are not read): element
    `i` in row-major order is draw `i` of NumPy's legacy
    `RandomState(seed).random_sample()`, i.e. 53-bit numbers
    `((a >> 5) * 2^26 + (b >> 6)) / 2^53` from consecutive 32-bit outputs `a`, `b`
    of MT19937 seeded with `seed` (Matsumoto and Nishimura's `init_genrand`). ONNX's
    reference implementation of Dropout draws its mask this way, so Kiln
    reproduces its results. The draws are sequential, about 10 ns per element.

    Without `seed_offset`, every call gives the same numbers (the op is pure):
    a call-to-call random stream would need state the compiled function does not
    have, and the generator's initial state is computed when compiling. The
    optional `seed_offset`, a rank-0 `tensor<i64>` read at run time (a training
    step counter, say), makes the seed `(seed + seed_offset) mod 2^32`: offset 0
    gives the numbers of `seed` alone, and seed `s` with offset `k` those of seed
    `s + k`, so each step draws a different, reproducible mask. The generator is
    then seeded at run time, 624 words of `init_genrand` per call; a constant
    `seed_offset` canonicalizes into `seed`.

    ```mlir
    %u = kiln.random_uniform_like %x {seed = 0 : i64}
        : (tensor<3x4xf32>) -> tensor<3x4xf64>
    %v = kiln.random_uniform_like %x, %step {seed = 3 : i64}
        : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf64>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$like,
                   Optional<Kiln_AnyTensor>:$seed_offset,
                   DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs RankedTensorOf<[F64]>:$result);
  let assemblyFormat = "$like (`,` $seed_offset^)? attr-dict `:` "
                       "functional-type(operands, results)";
  // The draws of `seed` alone, as before `seed_offset` existed (the generated
  // builders take the optional operand, which may be null, before the seed).
  let builders = [
    OpBuilder<(ins "::mlir::Value":$like, CArg<"uint64_t", "0">:$seed), [{
      build($_builder, $_state, like, /*seed_offset=*/::mlir::Value(), seed);
    }]>,
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$like,
                   CArg<"uint64_t", "0">:$seed), [{
      build($_builder, $_state, result, like, /*seed_offset=*/::mlir::Value(),
            seed);
    }]>
  ];
  let hasVerifier = 1;
  let hasCanonicalizeMethod = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and scans along run-time axes
//===----------------------------------------------------------------------===//

def Kiln_DynamicReduceSumOp : Kiln_DynamicShapeOp<"dynamic_reduce_sum",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Sum over dimensions chosen at run time, keeping them";
  let description = [{
    ONNX's `ReduceSum` with `keepdims` and a non-empty `axes` operand: sums `input`
    over the dimensions listed in the 1-D integer tensor `axes` (negative axes count
    from the end), which stay as size 1; the result has the input's rank. ONNX's
    `keepdims = 0` is this op followed by `kiln.squeeze` with the same axes. Checked
    at run time: axes are in range and do not repeat. Integer sums wrap.

    ```mlir
    %y = kiln.dynamic_reduce_sum %x, %axes
        : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_ShapeOperand:$axes);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$input `,` $axes attr-dict `:` functional-type(operands, results)";
}

def Kiln_DynamicCumSumOp : Kiln_Op<"dynamic_cumsum",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  // AllTypesMatch also gives the op InferTypeOpInterface.
  let summary = "Cumulative sum along a dimension chosen at run time";
  let description = [{
    `kiln.cumsum` with its axis a one-element integer tensor (ONNX's `CumSum`;
    negative axes count from the end). Checked at run time: the axis is in range.

    ```mlir
    %y = kiln.dynamic_cumsum %x, %axis {exclusive = true}
        : (tensor<2x3xf64>, tensor<i32>) -> tensor<2x3xf64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_IndexTensor:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$input `,` $axis attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasCanonicalizeMethod = 1;
}

//===----------------------------------------------------------------------===//
// Resampling
//===----------------------------------------------------------------------===//

def Kiln_DynamicResizeOp : Kiln_DynamicShapeOp<"dynamic_resize",
    [AttrSizedOperandSegments, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "kiln.resize with scales, sizes or roi computed at run time";
  let description = [{
    ONNX's `Resize` (opset 13 to 17) when its `scales`, `sizes` or `roi` are known
    only at run time; the modes and their attributes are those of `kiln.resize`.
    Exactly one of `scales` (1-D float, one entry per dim) and `sizes` (1-D integer)
    is given. With `sizes`, dimension `d` becomes `sizes[d]` and its scale is
    `sizes[d] / dim(input, d)`; with `scales`, it becomes
    `floor(dim(input, d) * scales[d])`. `roi` (1-D float, all starts then all ends)
    is used by `tf_crop_and_resize`, and then required. Coordinates and weights are
    computed at run time in double precision, as `kiln.resize` computes them when
    compiling. Input dims may be `?`.

    Checked at run time: scales are positive and finite, sizes are non-negative,
    the output fits in int64, a non-empty output has a non-empty input.

    ```mlir
    %y = kiln.dynamic_resize %x scales(%s) {mode = "linear"}
        : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
    ```
  }];
  let arguments = (ins
    Kiln_AnyTensor:$input,
    Optional<Kiln_FloatTensor>:$scales,
    Optional<Kiln_ShapeOperand>:$sizes,
    Optional<Kiln_FloatTensor>:$roi,
    DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
    DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
    DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode,
    DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
    DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
    DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value
  );
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input (`scales` `(` $scales^ `)`)? "
                       "(`sizes` `(` $sizes^ `)`)? (`roi` `(` $roi^ `)`)? "
                       "attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_KILN_IR_KILNDYNAMICSHAPEOPS
