// RUN: kiln-opt %s -kiln-lower-to-linalg -canonicalize -split-input-file | FileCheck %s

// Max pooling between library convolutions (which work in NHWC) pools the
// channels-last activations directly: ceil mode's extra -inf row and column
// pad H and W (dims 1 and 2), and the transposes to channels first and back
// fold away. The loops run (n, oh, kh, kw, ow, c): each window position
// updates a whole output row, channels innermost.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d2, d4 * 2 + d3, d5)>
// CHECK-DAG: #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d2, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>
// CHECK-LABEL: func.func @between_convolutions
// CHECK-SAME: (%[[X:.+]]: tensor<1x112x112x64xf32>)
// CHECK: %[[PADDED:.+]] = tensor.pad %[[X]] low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK: yield %cst
// CHECK: %[[POOL:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[WINDOW]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]} ins(%[[PADDED]], %{{.+}} : tensor<1x113x113x64xf32>, tensor<3x3xf32>) outs(%{{.+}} : tensor<1x56x56x64xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: linalg.transpose
// CHECK: return %[[POOL]] : tensor<1x56x56x64xf32>
func.func @between_convolutions(%x: tensor<1x112x112x64xf32>) -> tensor<1x56x56x64xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 0, 3, 1, 2>} : (tensor<1x112x112x64xf32>) -> tensor<1x64x112x112xf32>
  %1 = kiln.max_pool %0 {ceil_mode = true, kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %2 = kiln.transpose %1 {permutation = array<i64: 0, 2, 3, 1>} : (tensor<1x64x56x56xf32>) -> tensor<1x56x56x64xf32>
  return %2 : tensor<1x56x56x64xf32>
}

// -----

// A pooling of a channels-first input keeps linalg.pooling_nchw_max.
// CHECK-LABEL: func.func @channels_first
// CHECK: linalg.pooling_nchw_max
// CHECK-NOT: linalg.generic
func.func @channels_first(%x: tensor<1x64x8x8xf32>) -> tensor<1x64x4x4xf32> {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x64x8x8xf32>) -> tensor<1x64x4x4xf32>
  return %0 : tensor<1x64x4x4xf32>
}
