// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// Max pooling pads with -inf; ceil mode adds the padding the last window needs.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: %[[NEG_INF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG_INF]]
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2x3x3xf32>)
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%{{.+}}, %[[WINDOW]] : tensor<1x2x6x6xf32>, tensor<2x2xf32>)
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Average pooling sums, then divides by how many positions each window covers
// (padding excluded by default): corners 4, edges 6, inside 9.
// CHECK-LABEL: func.func @avg_pool_excluding_padding
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum
// CHECK: %[[COUNTS:.+]] = arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<4x4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[COUNTS]] : tensor<1x2x4x4xf32>, tensor<4x4xf32>)
// CHECK: arith.divf
func.func @avg_pool_excluding_padding(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// With count_include_pad every full window counts 9.
// CHECK-LABEL: func.func @avg_pool_including_padding
// CHECK: arith.constant dense<9.000000e+00> : tensor<4x4xf32>
func.func @avg_pool_including_padding(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = true}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}
