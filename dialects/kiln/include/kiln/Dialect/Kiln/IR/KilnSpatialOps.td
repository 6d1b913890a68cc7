//===- KilnSpatialOps.td - Sampling, transforms and spatial indices -*- tablegen -*-===//
//
// Part of KilnOps.td: max pooling with indices, grid sampling, RoI alignment,
// the discrete Fourier transform and the determinant. The N-D convolution and
// pooling ops themselves are in KilnNNOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNSPATIALOPS
#define KILN_DIALECT_KILN_IR_KILNSPATIALOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "kiln/Dialect/Kiln/IR/KilnNNOps.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_SpatialIndexTensor : RankedTensorOf<[I64]>;
def Kiln_BatchIndexTensor : RankedTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Max pooling with the position of each maximum
//===----------------------------------------------------------------------===//

def Kiln_MaxPoolWithIndicesOp : Kiln_Op<"max_pool_with_indices",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "N-D max pooling that also returns where each maximum is";
  let description = [{
    `values` is `kiln.max_pool` of `input` with the same attributes. `indices` (i64, the
    same shape) holds, for every window, the position of its maximum in `input` as one
    flat index, as ONNX's MaxPool computes it: for input `[N, C, D1, ..., Dk]` and the
    maximum at `(n, c, p1, ..., pk)`,

        (n * C + c) * D1 * ... * Dk + p1 * D2 * ... * Dk + ... + pk       (row-major)
        (n * C + c) * D1 * ... * Dk + p1 + p2 * D1 + ... + pk * D1 * ... * Dk-1
                                                                 (`column_major`)

    so with `column_major` (ONNX's `storage_order = 1`) the first spatial dim varies
    fastest. Among equal maxima the first one in row-major
    window order wins; padded positions never do (a window always holds at least one
    input element).

    ```mlir
    %values, %indices = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>,
        strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
    ```
  }];
  let arguments = (ins
    Kiln_MaxPoolTensor:$input,
    DenseI64ArrayAttr:$kernel_size,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
    DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
    DefaultValuedAttr<BoolAttr, "false">:$column_major
  );
  let results = (outs Kiln_MaxPoolTensor:$values,
                      Kiln_SpatialIndexTensor:$indices);
  let extraClassDeclaration = !strconcat(kilnWindowAccessors, kilnDilationAccessor);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Sampling
//===----------------------------------------------------------------------===//

def Kiln_GridSampleOp : Kiln_Op<"grid_sample",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Samples an NCHW image at the normalized positions of a grid";
  let description = [{
    ONNX's GridSample (opset 16) and PyTorch's `grid_sample`: `input` is `[N, C, H, W]`,
    `grid` is `[N, HO, WO, 2]` and the result `[N, C, HO, WO]`. Output `(n, c, h, w)`
    samples channel `c` of image `n` at `x = grid[n, h, w, 0]` (along W) and
    `y = grid[n, h, w, 1]` (along H), normalized so that -1 and 1 are the outer edges of
    the image (or, with `align_corners`, the centers of its corner pixels).

    * `mode`: `"bilinear"` (4 taps), `"nearest"` (ties to even) or `"bicubic"`
      (16 taps, cubic convolution with a = -0.75).
    * `padding_mode`: what positions outside the image read: `"zeros"`, `"border"`
      (the position is clamped to the image), or `"reflection"` (mirrored at the
      edges, then clamped).

    ```mlir
    %y = kiln.grid_sample %x, %grid {mode = "bicubic", padding_mode = "border"}
        : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$grid,
    DefaultValuedStrAttr<StrAttr, "bilinear">:$mode,
    DefaultValuedStrAttr<StrAttr, "zeros">:$padding_mode,
    DefaultValuedAttr<BoolAttr, "false">:$align_corners
  );
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $grid attr-dict `:` functional-type(operands, results)";
}

def Kiln_RoiAlignOp : Kiln_Op<"roi_align",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Pools regions of interest of an NCHW image to a fixed size";
  let description = [{
    ONNX's RoiAlign (opset 16): `input` is `[N, C, H, W]`, `rois` is `[R, 4]` with one
    `(x1, y1, x2, y2)` box per row in input coordinates times `spatial_scale`, and
    `batch_indices` (`[R]`) names the image of each box. The result is
    `[R, C, output_height, output_width]`: each box is split into that many bins, and
    each bin averages (`mode = "avg"`) or takes the maximum (`"max"`) of
    `sampling_ratio` x `sampling_ratio` bilinearly interpolated samples (or, with
    `sampling_ratio = 0`, `ceil(bin height)` x `ceil(bin width)` of them). With
    `half_pixel` the box is shifted by half a pixel (coordinate transformation mode
    `half_pixel`); without it (`output_half_pixel`) it is not, and boxes are at least
    one pixel wide and high. Samples more than one pixel outside the image read 0. As
    in ONNX Runtime, the maximum is taken over the samples' largest weighted tap. A
    batch index outside `[0, N)` is clamped into it.

    ```mlir
    %y = kiln.roi_align %x, %rois, %batch {output_height = 5 : i64, output_width = 5 : i64,
        sampling_ratio = 2 : i64}
        : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    Kiln_FloatTensor:$rois,
    Kiln_BatchIndexTensor:$batch_indices,
    DefaultValuedStrAttr<StrAttr, "avg">:$mode,
    DefaultValuedAttr<I64Attr, "1">:$output_height,
    DefaultValuedAttr<I64Attr, "1">:$output_width,
    DefaultValuedAttr<I64Attr, "0">:$sampling_ratio,
    DefaultValuedAttr<F64Attr, "1.0">:$spatial_scale,
    DefaultValuedAttr<BoolAttr, "true">:$half_pixel
  );
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `,` $rois `,` $batch_indices attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Transforms
//===----------------------------------------------------------------------===//

def Kiln_DFTOp : Kiln_Op<"dft",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Discrete Fourier transform along one dimension";
  let description = [{
    `input` holds real (last dim 1) or complex (last dim 2: real, imaginary) signals
    along dimension `axis` (not the last one), of length L. The result holds complex
    values (last dim 2):

        result[..., k, ...] = sum_j input[..., j, ...] * exp(-2 pi i j k / L)

    or, with `inverse`, `1 / L` times the sum with `exp(+2 pi i j k / L)`. With
    `onesided` (real input only) only the `L / 2 + 1` non-redundant frequencies
    `k = 0 ... L / 2` are returned. Padding or cutting the signal to another DFT length
    is a separate `kiln.pad` or `kiln.slice`.

    ```mlir
    %y = kiln.dft %x {axis = 1 : i64} : (tensor<1x10x10x1xf32>) -> tensor<1x10x10x2xf32>
    %z = kiln.dft %x {axis = 1 : i64, onesided = true} : (tensor<1x10x10x1xf32>) -> tensor<1x6x10x2xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$input,
    I64Attr:$axis,
    DefaultValuedAttr<BoolAttr, "false">:$inverse,
    DefaultValuedAttr<BoolAttr, "false">:$onesided
  );
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_DetOp : Kiln_Op<"det",
    [Pure, SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Determinants of a batch of square matrices";
  let description = [{
    `input` is `[..., M, M]`; the result `[...]` holds the determinant of every matrix,
    computed by LU decomposition with partial pivoting (a zero pivot column makes the
    determinant 0).

    ```mlir
    %d = kiln.det %x : (tensor<3x4x4xf32>) -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_KILN_IR_KILNSPATIALOPS
