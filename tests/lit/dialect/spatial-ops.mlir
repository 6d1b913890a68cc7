// Round trip of the spatial family's ops through the custom and the generic
// assembly forms: N-D conv, conv_filter_gradient, conv_transpose and pooling
// (1-D, 3-D, grouped, integer max pooling), max_pool_with_indices, grid_sample, roi_align, dft and
// det. Empty window attributes (the defaults) are elided, explicit ones kept,
// dynamic dims survive, and inferred result types are accepted.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @conv_ranks
// CHECK: kiln.conv %{{.+}}, %{{.+}} : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x8xf32>
// CHECK: kiln.conv %{{.+}}, %{{.+}} {dilations = array<i64: 2>, padding = array<i64: 1, 2>, strides = array<i64: 3>} : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x3xf32>
// CHECK: kiln.conv %{{.+}}, %{{.+}} {groups = 2 : i64, padding = array<i64: 1, 0, 0, 1, 0, 0>, strides = array<i64: 1, 2, 1>} : (tensor<1x4x5x6x7xf32>, tensor<6x2x3x3x3xf32>) -> tensor<1x6x5x2x5xf32>
// CHECK: kiln.conv %{{.+}}, %{{.+}} : (tensor<?x4x5x6x7xf32>, tensor<2x4x1x1x1xf32>) -> tensor<?x2x5x6x7xf32>
// CHECK: kiln.conv %{{.+}}, %{{.+}} {strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x4x4xf32>
func.func @conv_ranks(%x1: tensor<2x3x10xf32>, %w1: tensor<4x3x3xf32>, %x3: tensor<1x4x5x6x7xf32>,
                      %w3: tensor<6x2x3x3x3xf32>, %d3: tensor<?x4x5x6x7xf32>, %p3: tensor<2x4x1x1x1xf32>,
                      %x2: tensor<1x4x6x6xf32>, %w2: tensor<2x4x3x3xf32>)
    -> (tensor<2x4x8xf32>, tensor<2x4x3xf32>, tensor<1x6x5x2x5xf32>, tensor<?x2x5x6x7xf32>, tensor<1x2x4x4xf32>) {
  %0 = kiln.conv %x1, %w1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x8xf32>
  %1 = kiln.conv %x1, %w1 {strides = array<i64: 3>, padding = array<i64: 1, 2>, dilations = array<i64: 2>}
      : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x3xf32>
  %2 = kiln.conv %x3, %w3 {groups = 2 : i64, strides = array<i64: 1, 2, 1>, padding = array<i64: 1, 0, 0, 1, 0, 0>}
      : (tensor<1x4x5x6x7xf32>, tensor<6x2x3x3x3xf32>) -> tensor<1x6x5x2x5xf32>
  %3 = kiln.conv %d3, %p3 : (tensor<?x4x5x6x7xf32>, tensor<2x4x1x1x1xf32>) -> tensor<?x2x5x6x7xf32>
  // Explicit defaults are kept as written (they are not the empty default).
  %4 = kiln.conv %x2, %w2 {strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1, %2, %3, %4 : tensor<2x4x8xf32>, tensor<2x4x3xf32>, tensor<1x6x5x2x5xf32>, tensor<?x2x5x6x7xf32>, tensor<1x2x4x4xf32>
}

// -----

// The filter gradient of a convolution: [F, C / groups, kernel...] from the
// input and the output gradient, with kiln.conv's window attributes.
// CHECK-LABEL: func.func @conv_filter_gradient_ranks
// CHECK: kiln.conv_filter_gradient %{{.+}}, %{{.+}} {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<8x16x32x32xf32>, tensor<8x32x16x16xf32>) -> tensor<32x16x3x3xf32>
// CHECK: kiln.conv_filter_gradient %{{.+}}, %{{.+}} {groups = 2 : i64, kernel = array<i64: 3>} : (tensor<4x4x10xf32>, tensor<4x6x8xf32>) -> tensor<6x2x3xf32>
// CHECK: kiln.conv_filter_gradient %{{.+}}, %{{.+}} {dilations = array<i64: 2, 1, 1>, kernel = array<i64: 2, 2, 2>, padding = array<i64: 0, 1, 0, 0, 0, 1>} : (tensor<?x3x5x4x4xf64>, tensor<?x2x3x4x4xf64>) -> tensor<2x3x2x2x2xf64>
func.func @conv_filter_gradient_ranks(%x: tensor<8x16x32x32xf32>, %dy: tensor<8x32x16x16xf32>,
                                      %s: tensor<4x4x10xf32>, %g: tensor<4x6x8xf32>,
                                      %v: tensor<?x3x5x4x4xf64>, %h: tensor<?x2x3x4x4xf64>)
    -> (tensor<32x16x3x3xf32>, tensor<6x2x3xf32>, tensor<2x3x2x2x2xf64>) {
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<8x16x32x32xf32>, tensor<8x32x16x16xf32>) -> tensor<32x16x3x3xf32>
  %1 = kiln.conv_filter_gradient %s, %g {kernel = array<i64: 3>, groups = 2 : i64}
      : (tensor<4x4x10xf32>, tensor<4x6x8xf32>) -> tensor<6x2x3xf32>
  // A dynamic batch; O = (5 - 2 * 1 - 1) + 1 = 3, (4 + 1 - 1 - 1) + 1 = 4 twice.
  %2 = kiln.conv_filter_gradient %v, %h {kernel = array<i64: 2, 2, 2>, dilations = array<i64: 2, 1, 1>, padding = array<i64: 0, 1, 0, 0, 0, 1>}
      : (tensor<?x3x5x4x4xf64>, tensor<?x2x3x4x4xf64>) -> tensor<2x3x2x2x2xf64>
  return %0, %1, %2 : tensor<32x16x3x3xf32>, tensor<6x2x3xf32>, tensor<2x3x2x2x2xf64>
}

// -----

// CHECK-LABEL: func.func @conv_transpose_ranks
// CHECK: kiln.conv_transpose %{{.+}}, %{{.+}} : (tensor<1x1x3x4x5xf32>, tensor<1x2x3x3x3xf32>) -> tensor<1x2x5x6x7xf32>
// CHECK: kiln.conv_transpose %{{.+}}, %{{.+}} {output_padding = array<i64: 1>, padding = array<i64: 1, 0>, strides = array<i64: 2>} : (tensor<1x4x3xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7xf32>
func.func @conv_transpose_ranks(%x: tensor<1x1x3x4x5xf32>, %w: tensor<1x2x3x3x3xf32>,
                                %y: tensor<1x4x3xf32>, %v: tensor<4x2x3xf32>)
    -> (tensor<1x2x5x6x7xf32>, tensor<1x2x7xf32>) {
  %0 = kiln.conv_transpose %x, %w : (tensor<1x1x3x4x5xf32>, tensor<1x2x3x3x3xf32>) -> tensor<1x2x5x6x7xf32>
  // (3 - 1) * 2 - 1 - 0 + (3 - 1) + 1 + 1 = 7
  %1 = kiln.conv_transpose %y, %v {strides = array<i64: 2>, padding = array<i64: 1, 0>, output_padding = array<i64: 1>}
      : (tensor<1x4x3xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7xf32>
  return %0, %1 : tensor<1x2x5x6x7xf32>, tensor<1x2x7xf32>
}

// -----

// CHECK-LABEL: func.func @pool_ranks
// CHECK: kiln.max_pool %{{.+}} {kernel_size = array<i64: 3>, strides = array<i64: 2>} : (tensor<1x2x9xf32>) -> tensor<1x2x4xf32>
// CHECK: kiln.max_pool %{{.+}} {ceil_mode = true, dilations = array<i64: 1, 2, 1>, kernel_size = array<i64: 2, 2, 2>, padding = array<i64: 0, 1, 0, 0, 1, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x5x5x5xf32>) -> tensor<1x2x3x3x3xf32>
// CHECK: kiln.max_pool %{{.+}} {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8>
// CHECK: kiln.avg_pool %{{.+}} {count_include_pad = true, kernel_size = array<i64: 3, 3, 3>, padding = array<i64: 1, 1, 1, 1, 1, 1>} : (tensor<?x2x4x4x4xf32>) -> tensor<?x2x4x4x4xf32>
func.func @pool_ranks(%x1: tensor<1x2x9xf32>, %x3: tensor<1x2x5x5x5xf32>, %u: tensor<1x1x4x4xui8>,
                      %d3: tensor<?x2x4x4x4xf32>)
    -> (tensor<1x2x4xf32>, tensor<1x2x3x3x3xf32>, tensor<1x1x3x3xui8>, tensor<?x2x4x4x4xf32>) {
  %0 = kiln.max_pool %x1 {kernel_size = array<i64: 3>, strides = array<i64: 2>} : (tensor<1x2x9xf32>) -> tensor<1x2x4xf32>
  %1 = kiln.max_pool %x3 {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, padding = array<i64: 0, 1, 0, 0, 1, 0>,
                          dilations = array<i64: 1, 2, 1>, ceil_mode = true}
      : (tensor<1x2x5x5x5xf32>) -> tensor<1x2x3x3x3xf32>
  %2 = kiln.max_pool %u {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8>
  %3 = kiln.avg_pool %d3 {kernel_size = array<i64: 3, 3, 3>, padding = array<i64: 1, 1, 1, 1, 1, 1>, count_include_pad = true}
      : (tensor<?x2x4x4x4xf32>) -> tensor<?x2x4x4x4xf32>
  return %0, %1, %2, %3 : tensor<1x2x4xf32>, tensor<1x2x3x3x3xf32>, tensor<1x1x3x3xui8>, tensor<?x2x4x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool_with_indices
// CHECK: kiln.max_pool_with_indices %{{.+}} {column_major = true, kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
// CHECK: kiln.max_pool_with_indices %{{.+}} {kernel_size = array<i64: 3>, padding = array<i64: 1, 1>} : (tensor<2x3x8xi8>) -> (tensor<2x3x8xi8>, tensor<2x3x8xi64>)
func.func @max_pool_with_indices(%x: tensor<1x1x5x5xf32>, %i: tensor<2x3x8xi8>)
    -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<2x3x8xi8>, tensor<2x3x8xi64>) {
  %0:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, column_major = true}
      : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  %1:2 = kiln.max_pool_with_indices %i {kernel_size = array<i64: 3>, padding = array<i64: 1, 1>, column_major = false}
      : (tensor<2x3x8xi8>) -> (tensor<2x3x8xi8>, tensor<2x3x8xi64>)
  return %0#0, %0#1, %1#0, %1#1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<2x3x8xi8>, tensor<2x3x8xi64>
}

// -----

// CHECK-LABEL: func.func @grid_sample
// CHECK: kiln.grid_sample %{{.+}}, %{{.+}} : (tensor<1x3x8x8xf32>, tensor<1x4x5x2xf32>) -> tensor<1x3x4x5xf32>
// CHECK: kiln.grid_sample %{{.+}}, %{{.+}} {align_corners = true, mode = "bicubic", padding_mode = "reflection"} : (tensor<?x3x8x8xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
func.func @grid_sample(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x5x2xf32>, %d: tensor<?x3x8x8xf32>, %h: tensor<2x4x5x2xf32>)
    -> (tensor<1x3x4x5xf32>, tensor<2x3x4x5xf32>) {
  %0 = kiln.grid_sample %x, %g {mode = "bilinear", padding_mode = "zeros", align_corners = false}
      : (tensor<1x3x8x8xf32>, tensor<1x4x5x2xf32>) -> tensor<1x3x4x5xf32>
  // The batch size comes from the grid when the input's is dynamic.
  %1 = kiln.grid_sample %d, %h {mode = "bicubic", padding_mode = "reflection", align_corners = true}
      : (tensor<?x3x8x8xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  return %0, %1 : tensor<1x3x4x5xf32>, tensor<2x3x4x5xf32>
}

// -----

// CHECK-LABEL: func.func @roi_align
// CHECK: kiln.roi_align %{{.+}}, %{{.+}}, %{{.+}} {half_pixel = false, output_height = 5 : i64, output_width = 4 : i64, sampling_ratio = 2 : i64} : (tensor<1x2x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x5x4xf32>
// CHECK: kiln.roi_align %{{.+}}, %{{.+}}, %{{.+}} {mode = "max", spatial_scale = 5.000000e-01 : f64} : (tensor<1x2x10x10xf32>, tensor<?x4xf32>, tensor<?xi32>) -> tensor<?x2x1x1xf32>
func.func @roi_align(%x: tensor<1x2x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>,
                     %dr: tensor<?x4xf32>, %db: tensor<?xi32>) -> (tensor<3x2x5x4xf32>, tensor<?x2x1x1xf32>) {
  %0 = kiln.roi_align %x, %r, %b {output_height = 5 : i64, output_width = 4 : i64, sampling_ratio = 2 : i64, half_pixel = false}
      : (tensor<1x2x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x5x4xf32>
  %1 = kiln.roi_align %x, %dr, %db {mode = "max", spatial_scale = 0.5 : f64}
      : (tensor<1x2x10x10xf32>, tensor<?x4xf32>, tensor<?xi32>) -> tensor<?x2x1x1xf32>
  return %0, %1 : tensor<3x2x5x4xf32>, tensor<?x2x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @dft
// CHECK: kiln.dft %{{.+}} {axis = 1 : i64} : (tensor<1x10x10x1xf32>) -> tensor<1x10x10x2xf32>
// CHECK: kiln.dft %{{.+}} {axis = 1 : i64, onesided = true} : (tensor<1x10x10x1xf32>) -> tensor<1x6x10x2xf32>
// CHECK: kiln.dft %{{.+}} {axis = 0 : i64, inverse = true} : (tensor<7x?x2xf64>) -> tensor<7x?x2xf64>
func.func @dft(%x: tensor<1x10x10x1xf32>, %c: tensor<7x?x2xf64>)
    -> (tensor<1x10x10x2xf32>, tensor<1x6x10x2xf32>, tensor<7x?x2xf64>) {
  %0 = kiln.dft %x {axis = 1 : i64} : (tensor<1x10x10x1xf32>) -> tensor<1x10x10x2xf32>
  %1 = kiln.dft %x {axis = 1 : i64, onesided = true, inverse = false} : (tensor<1x10x10x1xf32>) -> tensor<1x6x10x2xf32>
  %2 = kiln.dft %c {axis = 0 : i64, inverse = true} : (tensor<7x?x2xf64>) -> tensor<7x?x2xf64>
  return %0, %1, %2 : tensor<1x10x10x2xf32>, tensor<1x6x10x2xf32>, tensor<7x?x2xf64>
}

// -----

// CHECK-LABEL: func.func @det
// CHECK: kiln.det %{{.+}} : (tensor<2x2xf32>) -> tensor<f32>
// CHECK: kiln.det %{{.+}} : (tensor<2x3x4x4xf64>) -> tensor<2x3xf64>
// CHECK: kiln.det %{{.+}} : (tensor<?x?x?xf32>) -> tensor<?xf32>
func.func @det(%x: tensor<2x2xf32>, %y: tensor<2x3x4x4xf64>, %z: tensor<?x?x?xf32>)
    -> (tensor<f32>, tensor<2x3xf64>, tensor<?xf32>) {
  %0 = kiln.det %x : (tensor<2x2xf32>) -> tensor<f32>
  %1 = kiln.det %y : (tensor<2x3x4x4xf64>) -> tensor<2x3xf64>
  %2 = kiln.det %z : (tensor<?x?x?xf32>) -> tensor<?xf32>
  return %0, %1, %2 : tensor<f32>, tensor<2x3xf64>, tensor<?xf32>
}
