// kiln-lower-to-linalg on the spatial family: N-D convolution and pooling
// (linalg's named ops where they exist, generics elsewhere), transposed 3-D
// convolution, max pooling with indices, grid_sample, roi_align, dft and det.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// 1-D convolution is linalg's NCW convolution, after padding the one spatial dim.
// CHECK-LABEL: func.func @conv_1d
// CHECK: tensor.pad %{{.+}} low[0, 0, 1] high[0, 0, 0]
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>}
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<2x3x11xf32>, tensor<4x3x3xf32>) outs(%{{.+}} : tensor<2x4x5xf32>)
func.func @conv_1d(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x5xf32> {
  %0 = kiln.conv %x, %w {strides = array<i64: 2>, padding = array<i64: 1, 0>}
      : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// 3-D: linalg's NCDHW convolution; no padding, no tensor.pad.
// CHECK-LABEL: func.func @conv_3d
// CHECK-NOT: tensor.pad
// CHECK: linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<[1, 2, 1]> : tensor<3xi64>}
// CHECK-SAME: outs(%{{.+}} : tensor<1x3x3x2x5xf32>)
func.func @conv_3d(%x: tensor<1x2x5x6x7xf32>, %w: tensor<3x2x3x3x3xf32>) -> tensor<1x3x3x2x5xf32> {
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 2, 1>}
      : (tensor<1x2x5x6x7xf32>, tensor<3x2x3x3x3xf32>) -> tensor<1x3x3x2x5xf32>
  return %0 : tensor<1x3x3x2x5xf32>
}

// -----

// Grouped 3-D convolution has no named op: the channels split into [G, C / G]
// and a generic over (n, g, f, o1, o2, o3, c, k1, k2, k3) reads the input at
// o * stride + k * dilation.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7, d4 * 2 + d8, d5 + d9 * 2)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @conv_3d_grouped
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0, 2] high[0, 0, 0, 0, 0]
// CHECK: %[[INPUT:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4], [5]] output_shape [1, 2, 2, 5, 6, 9]
// CHECK: %[[FILTERS:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2], [3], [4], [5]] output_shape [2, 3, 2, 3, 3, 3]
// CHECK: %[[CONV:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[INPUT]], %[[FILTERS]] : tensor<1x2x2x5x6x9xf32>, tensor<2x3x2x3x3x3xf32>) outs(%{{.+}} : tensor<1x2x3x3x2x5xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[CONV]] {{\[}}[0], [1, 2], [3], [4], [5]] : tensor<1x2x3x3x2x5xf32> into tensor<1x6x3x2x5xf32>
func.func @conv_3d_grouped(%x: tensor<1x4x5x6x7xf32>, %w: tensor<6x2x3x3x3xf32>) -> tensor<1x6x3x2x5xf32> {
  %0 = kiln.conv %x, %w {groups = 2 : i64, strides = array<i64: 1, 2, 1>, dilations = array<i64: 1, 1, 2>,
                         padding = array<i64: 0, 0, 2, 0, 0, 0>}
      : (tensor<1x4x5x6x7xf32>, tensor<6x2x3x3x3xf32>) -> tensor<1x6x3x2x5xf32>
  return %0 : tensor<1x6x3x2x5xf32>
}

// -----

// A transposed 3-D convolution spreads, flips and becomes the NCDHW convolution:
// the input sits a full window (2) from each edge of the zeros.
// CHECK-LABEL: func.func @conv_transpose_3d
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 2, 2, 2] [1, 1, 3, 4, 5] [1, 1, 1, 1, 1] : tensor<1x1x3x4x5xf32> into tensor<1x1x7x8x9xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<1x2x3x3x3xf32>) outs(%{{.+}} : tensor<1x2x1x3x3x3xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2], [3], [4], [5]] : tensor<1x2x1x3x3x3xf32> into tensor<2x1x3x3x3xf32>
// CHECK: linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>}
// CHECK-SAME: outs(%{{.+}} : tensor<1x2x5x6x7xf32>)
func.func @conv_transpose_3d(%x: tensor<1x1x3x4x5xf32>, %w: tensor<1x2x3x3x3xf32>) -> tensor<1x2x5x6x7xf32> {
  %0 = kiln.conv_transpose %x, %w : (tensor<1x1x3x4x5xf32>, tensor<1x2x3x3x3xf32>) -> tensor<1x2x5x6x7xf32>
  return %0 : tensor<1x2x5x6x7xf32>
}

// -----

// 1-D pooling is linalg's NCW pooling.
// CHECK-LABEL: func.func @max_pool_1d
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<3xf32>
// CHECK: linalg.pooling_ncw_max {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>}
// CHECK-SAME: ins(%{{.+}}, %[[WINDOW]] : tensor<1x2x9xf32>, tensor<3xf32>)
func.func @max_pool_1d(%x: tensor<1x2x9xf32>) -> tensor<1x2x4xf32> {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 3>, strides = array<i64: 2>} : (tensor<1x2x9xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

// 3-D integer max pooling: pads with the smallest i8 and reduces with maxsi in
// a generic (linalg has no NCDHW pooling).
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7)>
// CHECK-LABEL: func.func @max_pool_3d_integer
// CHECK: %[[LOWEST:.+]] = arith.constant -128 : i8
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1, 1] high[0, 0, 0, 0, 0]
// CHECK: tensor.yield %[[LOWEST]]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WINDOW]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: arith.maxsi
func.func @max_pool_3d_integer(%x: tensor<1x1x4x4x4xi8>) -> tensor<1x1x2x2x2xi8> {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3, 3>, strides = array<i64: 2, 2, 2>, padding = array<i64: 1, 1, 1, 0, 0, 0>}
      : (tensor<1x1x4x4x4xi8>) -> tensor<1x1x2x2x2xi8>
  return %0 : tensor<1x1x2x2x2xi8>
}

// -----

// 3-D average pooling in ceil mode: the sums divide by how many input positions
// each window covers (the ceil-mode padding never counts): 8, 4, 4, 2, ... 1.
// CHECK-LABEL: func.func @avg_pool_3d_ceil
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0, 0] high[0, 0, 1, 1, 1]
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[COUNTS:.+]] = arith.constant dense<{{\[}}{{\[}}[8.000000e+00, 4.000000e+00], [4.000000e+00, 2.000000e+00]], {{\[}}[4.000000e+00, 2.000000e+00], [2.000000e+00, 1.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[COUNTS]] : tensor<1x1x2x2x2xf32>, tensor<2x2x2xf32>)
// CHECK: arith.divf
func.func @avg_pool_3d_ceil(%x: tensor<1x1x3x3x3xf32>) -> tensor<1x1x2x2x2xf32> {
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, ceil_mode = true}
      : (tensor<1x1x3x3x3xf32>) -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

// Max pooling with indices: one generic with two results over (n, c, oh, kh,
// kw, ow), the output row innermost (LLVM vectorizes along it); the unpadded
// input is read at clamped positions, padding never wins, and the index starts
// at -1 (nothing taken yet).
// CHECK-DAG: #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @max_pool_with_indices
// CHECK: %[[NONE:.+]] = arith.constant -1 : i64
// CHECK: linalg.fill ins(%[[NONE]] : i64)
// CHECK: linalg.generic {indexing_maps = [#[[WINDOW]], #[[OUT]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>)
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %{{.+}} : tensor<1x1x5x5xf32>
// CHECK: arith.index_cast %{{.+}} : index to i64
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield %{{.+}}, %{{.+}} : f32, i64
func.func @max_pool_with_indices(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>) {
  %0:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, column_major = true}
      : (tensor<1x1x5x5xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>)
  return %0#0, %0#1 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>
}

// -----

// grid_sample: a generic over the output reads x and y from the grid (its last
// dim pinned to 0 and 1) and the image with tensor.extract.
// CHECK-DAG: #[[GX:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, 0)>
// CHECK-DAG: #[[GY:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, 1)>
// CHECK-LABEL: func.func @grid_sample_bilinear
// CHECK: linalg.generic {indexing_maps = [#[[GX]], #[[GY]], #{{.+}}]
// CHECK-COUNT-2: math.floor
// CHECK-COUNT-4: tensor.extract %{{.+}} : tensor<1x2x4x5xf32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @grid_sample_bilinear(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.grid_sample %x, %g : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Nearest rounds half to even; border padding clamps the coordinates.
// CHECK-LABEL: func.func @grid_sample_nearest_border
// CHECK: linalg.generic
// CHECK-COUNT-2: arith.maxnumf
// CHECK: math.roundeven
// CHECK: math.roundeven
// CHECK-COUNT-1: tensor.extract %{{.+}} : tensor<1x2x4x5xf32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @grid_sample_nearest_border(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.grid_sample %x, %g {mode = "nearest", padding_mode = "border", align_corners = true}
      : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Bicubic reads 16 taps, each mirrored (reflection: remf) on its own.
// CHECK-LABEL: func.func @grid_sample_bicubic_reflection
// CHECK: linalg.generic
// CHECK-COUNT-16: tensor.extract %{{.+}} : tensor<1x2x4x5xf32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @grid_sample_bicubic_reflection(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.grid_sample %x, %g {mode = "bicubic", padding_mode = "reflection"}
      : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// roi_align: a generic over [R, C, OH, OW] reads its box, and two scf.for loops
// (their bounds computed from the box when sampling_ratio is 0) sum 4 taps per
// sample.
// CHECK-LABEL: func.func @roi_align
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %{{.+}} : tensor<3x4xf32>
// CHECK: math.ceil
// CHECK: math.ceil
// CHECK: tensor.extract %{{.+}} : tensor<3xi64>
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-4: tensor.extract %{{.+}} : tensor<1x2x10x10xf32>
// CHECK: arith.divf
// CHECK: linalg.yield
func.func @roi_align(%x: tensor<1x2x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x2x2x2xf32> {
  %0 = kiln.roi_align %x, %r, %b {output_height = 2 : i64, output_width = 2 : i64}
      : (tensor<1x2x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}

// -----

// dft: the twiddle tables hold cos and sin(2 pi m / 4) (the inverse's 1/4 and
// sign folded in), read at (j * k) mod 4 in a contraction over j.
// CHECK-DAG: #[[RE:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d2, 0)>
// CHECK-DAG: #[[IM:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d2, 1)>
// CHECK-LABEL: func.func @dft_inverse
// CHECK: %[[COS:.+]] = arith.constant dense<[2.500000e-01, {{.+}}, -2.500000e-01, {{.+}}]> : tensor<4xf32>
// CHECK: %[[SIN:.+]] = arith.constant dense<[0.000000e+00, 2.500000e-01, {{.+}}, -2.500000e-01]> : tensor<4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[RE]], #[[IM]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.remui
// CHECK: tensor.extract %[[COS]]
// CHECK: tensor.extract %[[SIN]]
func.func @dft_inverse(%x: tensor<1x4x3x2xf32>) -> tensor<1x4x3x2xf32> {
  %0 = kiln.dft %x {axis = 1 : i64, inverse = true} : (tensor<1x4x3x2xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}

// -----

// A onesided real DFT reads only the real part.
// CHECK-LABEL: func.func @dft_onesided
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<2x8x1xf32>) outs(%{{.+}} : tensor<2x5x2xf32>)
func.func @dft_onesided(%x: tensor<2x8x1xf32>) -> tensor<2x5x2xf32> {
  %0 = kiln.dft %x {axis = 1 : i64, onesided = true} : (tensor<2x8x1xf32>) -> tensor<2x5x2xf32>
  return %0 : tensor<2x5x2xf32>
}

// -----

// det: the batch collapses to one dim; each matrix is decomposed in scf loops
// (pivot search, row swap, elimination) and its determinant inserted.
// CHECK-LABEL: func.func @det
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2], [3]] : tensor<2x2x3x3xf32> into tensor<4x3x3xf32>
// CHECK: scf.for
// CHECK: tensor.extract_slice %{{.+}} : tensor<4x3x3xf32> to tensor<3x3xf32>
// CHECK: scf.for
// CHECK: math.absf
// CHECK: arith.negf
// CHECK: arith.divf
// CHECK: tensor.insert %{{.+}} : tensor<4xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [2, 2] : tensor<4xf32> into tensor<2x2xf32>
func.func @det(%x: tensor<2x2x3x3xf32>) -> tensor<2x2xf32> {
  %0 = kiln.det %x : (tensor<2x2x3x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A single matrix: [M, M] -> [1, M, M], result [1] -> [].
// CHECK-LABEL: func.func @det_single
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [1, 2, 2] : tensor<2x2xf32> into tensor<1x2x2xf32>
// CHECK: tensor.collapse_shape %{{.+}} [] : tensor<1xf32> into tensor<f32>
func.func @det_single(%x: tensor<2x2xf32>) -> tensor<f32> {
  %0 = kiln.det %x : (tensor<2x2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// An empty matrix has determinant 1.
// CHECK-LABEL: func.func @det_empty
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ONE]] : f32) outs(%{{.+}} : tensor<3xf32>)
// CHECK-NOT: scf.for
func.func @det_empty(%x: tensor<3x0x0xf32>) -> tensor<3xf32> {
  %0 = kiln.det %x : (tensor<3x0x0xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
