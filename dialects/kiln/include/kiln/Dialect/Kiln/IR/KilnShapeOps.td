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
  let extraClassDeclaration = [{
    /// The concatenation of constant `inputs` (null when one is not a constant
    /// or the result is too large to fold).
    ::mlir::OpFoldResult foldConstantInputs(::llvm::ArrayRef<::mlir::Attribute> inputs);
  }];
}

//===----------------------------------------------------------------------===//
// Slicing, padding and broadcasting
//===----------------------------------------------------------------------===//

def Kiln_SliceOp : Kiln_Op<"slice",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "A strided window of a tensor; steps may be negative";
  let description = [{
    Result dimension `d` has `sizes[d]` elements; its element `j` is input element
    `offsets[d] + j * steps[d]` of dimension `d`. A negative step walks backwards (a
    reversal is `offsets = n - 1, steps = -1`). A size of -1 takes the whole dimension
    and needs offset 0 and step 1: it is the only way to keep a dynamic dimension. Every
    element read must lie inside the input; the frontend resolves ONNX's clamping of
    starts and ends to these exact values.

    ```mlir
    // x[1:5:2, ::-1] of a 6x4 tensor
    %y = kiln.slice %x {offsets = array<i64: 1, 3>, sizes = array<i64: 2, 4>,
                        steps = array<i64: 2, -1>} : (tensor<6x4xf32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$offsets,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_Op<"pad",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Pads a tensor with a constant, its reflection or its edge";
  let description = [{
    Adds `low[d]` elements before and `high[d]` elements after dimension `d` (both
    non-negative; the frontend turns ONNX's negative pads into a `kiln.slice`). `mode`
    says what the new elements hold:

    * `"constant"`: `value` (zero when absent; its type is the element type).
    * `"reflect"`: the input mirrored at its first and last element, which is not
      repeated (`[a, b, c]` padded by 2 on both sides is `[c, b, a, b, c, b, a]`). Pads
      must be smaller than the dimension.
    * `"edge"`: the first or last element repeated. The dimension must not be empty.

    ```mlir
    %y = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 2>, mode = "reflect"}
        : (tensor<2x3xf32>) -> tensor<2x6xf32>
    %z = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 1, 0>, value = 1.5 : f32}
        : (tensor<2x3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$low,
                   DenseI64ArrayAttr:$high,
                   DefaultValuedStrAttr<StrAttr, "constant">:$mode,
                   OptionalAttr<TypedAttrInterface>:$value);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_BroadcastToOp : Kiln_Op<"broadcast_to",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "NumPy-broadcasts a tensor to a static shape";
  let description = [{
    Returns `input` broadcast to `shape` (static, non-negative): dimensions are aligned
    at the trailing end, an input dimension of size 1 stretches, missing leading
    dimensions are added, every other input dimension must equal the target. Input
    dimensions must be static, so that it is known which ones stretch. ONNX's `Expand`
    is this op with the broadcast of the input shape and its `shape` operand.

    ```mlir
    %y = kiln.broadcast_to %x {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;

def Kiln_GatherOp : Kiln_Op<"gather", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Takes slices of `data` at `indices` along one dimension";
  let description = [{
    With `data` of shape `[d0, ..., d(axis), ..., dn]` and `indices` of shape `I`, the
    result has shape `[d0, ..., d(axis-1)] + I + [d(axis+1), ..., dn]` and

        result[a..., i..., b...] = data[a..., k, b...],  k = indices[i...]

    An index in `[-d(axis), 0)` counts from the end. Indices are checked at run time:
    one still outside `[0, d(axis))` after that is clamped to the nearest valid index,
    so no index ever reads outside `data`.

    ```mlir
    %y = kiln.gather %data, %indices {axis = 1 : i64}
        : (tensor<3x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_GatherElementsOp : Kiln_Op<"gather_elements",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Picks one element of `data` per index along one dimension";
  let description = [{
    `indices` has the rank of `data` and is no larger in any dimension but `axis`; the
    result has the shape of `indices` and

        result[p] = data[p with p[axis] replaced by indices[p]]

    Negative indices count from the end and indices still out of range are clamped, as
    in `kiln.gather`.

    ```mlir
    %y = kiln.gather_elements %data, %indices {axis = 1 : i64}
        : (tensor<2x4xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Kiln_GatherNDOp : Kiln_Op<"gather_nd",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Gathers slices of `data` addressed by index tuples";
  let description = [{
    The last dimension of `indices` (static, `k` in `[1, rank(data) - batch_dims]`)
    holds index tuples into the dimensions `[batch_dims, batch_dims + k)` of `data`. The
    first `batch_dims` dimensions of both operands are shared batch dimensions. The
    result has shape `indices.shape[:-1] + data.shape[batch_dims + k:]` and

        result[b..., i..., s...] = data[b..., indices[b..., i..., 0..k), s...]

    Negative indices count from the end and out-of-range ones are clamped, as in
    `kiln.gather`.

    ```mlir
    %y = kiln.gather_nd %data, %indices {batch_dims = 0 : i64}
        : (tensor<2x2x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Kiln_ScatterElementsOp : Kiln_Op<"scatter_elements",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Writes `updates` into a copy of `data` at per-element indices";
  let description = [{
    The inverse of `kiln.gather_elements`: `indices` and `updates` have the same shape,
    the rank of `data`, and are no larger than `data` in any dimension but `axis`. The
    result is `data` with, for every position `p` of `updates` in row-major order,

        result[p with p[axis] replaced by indices[p]] = updates[p]

    or, with `reduction` `"add"` or `"mul"`, that element plus or times `updates[p]`.
    Updates are applied in row-major order, so of duplicate indices without reduction
    the last one wins. Negative indices count from the end; an update whose index is
    still out of range is skipped.

    ```mlir
    %y = kiln.scatter_elements %data, %indices, %updates {axis = 0 : i64, reduction = "add"}
        : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   Kiln_AnyTensor:$updates, I64Attr:$axis,
                   DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` "
                       "functional-type(operands, results)";
}

def Kiln_ScatterNDOp : Kiln_Op<"scatter_nd",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Writes slices of `updates` into a copy of `data` at index tuples";
  let description = [{
    The inverse of `kiln.gather_nd` without batch dimensions: the last dimension of
    `indices` (static, `k` in `[1, rank(data)]`) holds index tuples into the leading `k`
    dimensions of `data`, and `updates` has shape `indices.shape[:-1] + data.shape[k:]`.
    The result is `data` with, for every tuple `i` in row-major order,

        result[indices[i, 0..k), s...] = updates[i, s...]

    or, with `reduction` `"add"` or `"mul"`, those elements plus or times the update.
    Updates are applied in order, so of duplicate tuples without reduction the last one
    wins. Negative indices count from the end; a tuple still out of range is skipped.

    ```mlir
    %y = kiln.scatter_nd %data, %indices, %updates {reduction = "mul"}
        : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$data, Kiln_IndexTensor:$indices,
                   Kiln_AnyTensor:$updates,
                   DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Resampling
//===----------------------------------------------------------------------===//

def Kiln_ResizeOp : Kiln_Op<"resize",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Resamples a tensor of any rank (ONNX Resize, opset 13 to 17)";
  let description = [{
    Resizes every dimension `d` of the statically shaped `input` (size `n`) to
    `sizes[d]`, with `scales[d]` (positive) the scale of the coordinate transformation.
    For output coordinate `x` the input coordinate is, by
    `coordinate_transformation_mode` (with `L = scales[d] * n`, which is the output size
    when the frontend derived the scale from it):

    * `"half_pixel"`: `(x + 0.5) / scale - 0.5`
    * `"pytorch_half_pixel"`: as `half_pixel`, but `-0.5` when `L == 1`
    * `"align_corners"`: `x * (n - 1) / (L - 1)`, and 0 when `L == 1`
    * `"asymmetric"`: `x / scale`
    * `"tf_half_pixel_for_nn"`: `(x + 0.5) / scale`
    * `"tf_crop_and_resize"`: `roi_start * (n - 1) + x * (roi_end - roi_start) * (n - 1)
      / (L - 1)` (`roi` holds all starts then all ends); positions outside `[0, n - 1]`
      get `extrapolation_value`.

    `mode` `"nearest"` takes the input element nearest to the coordinate, rounding a
    fraction by `nearest_mode` (`"round_prefer_floor"`, `"round_prefer_ceil"`,
    `"floor"`, `"ceil"`); `"linear"` interpolates between the two neighbours and
    `"cubic"` between four, with the cubic convolution coefficient `cubic_coeff_a`.
    Neighbours outside the input repeat its edge, or get weight zero with the weights
    renormalized when `exclude_outside` is set. Linear and cubic modes interpolate one
    dimension after the other (which is exact in real arithmetic), so N-linear and
    bicubic resizes of any rank are supported; they need a floating-point element type,
    nearest works on any integer or float type.

    ```mlir
    %y = kiln.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel",
                         scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 3, 8, 8>}
        : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins
    Kiln_AnyTensor:$input,
    DenseI64ArrayAttr:$sizes,
    DenseF64ArrayAttr:$scales,
    DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
    DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
    DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode,
    DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
    DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
    DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value,
    OptionalAttr<DenseF64ArrayAttr>:$roi
  );
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_KILN_IR_KILNSHAPEOPS
