// kiln-expand-filter-gradients: kiln.conv_filter_gradient becomes a kiln.conv
// of the transposed operands (stride and dilation swapped), sliced to the
// kernel where the correlation is longer, and transposed back to
// [F, C / groups, K...]. kiln-lower-to-linalg expands the ones it meets the
// same way.
// RUN: kiln-opt %s -kiln-expand-filter-gradients -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s --check-prefix=LINALG

// Stride 2, padding 1: the forward op's last window ends 1 position before
// the padded input does, so the correlation's end padding is 1 - 1 = 0 and
// its result is exactly 3x3 (no slice). Its dilation is the forward stride.
// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x8x8xf32>, %[[DY:.+]]: tensor<2x4x4x4xf32>)
// CHECK: %[[XT:.+]] = kiln.transpose %[[X]] {permutation = array<i64: 1, 0, 2, 3>} : (tensor<2x3x8x8xf32>) -> tensor<3x2x8x8xf32>
// CHECK: %[[DYT:.+]] = kiln.transpose %[[DY]] {permutation = array<i64: 1, 0, 2, 3>} : (tensor<2x4x4x4xf32>) -> tensor<4x2x4x4xf32>
// CHECK: %[[C:.+]] = kiln.conv %[[XT]], %[[DYT]] {dilations = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, strides = array<i64: 1, 1>} : (tensor<3x2x8x8xf32>, tensor<4x2x4x4xf32>) -> tensor<3x4x3x3xf32>
// CHECK-NOT: kiln.slice
// CHECK: %[[DW:.+]] = kiln.transpose %[[C]] {permutation = array<i64: 1, 0, 2, 3>} : (tensor<3x4x3x3xf32>) -> tensor<4x3x3x3xf32>
// CHECK: return %[[DW]]
// CHECK-NOT: kiln.conv_filter_gradient
// LINALG-LABEL: func.func @strided
// LINALG-NOT: kiln.
// LINALG: linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// LINALG-NOT: kiln.
func.func @strided(%x: tensor<2x3x8x8xf32>, %dy: tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32> {
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x3x8x8xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}

// -----

// Two groups: the input's channels of one group form the batch of the
// correlation ([C / G, G * N, D]), its groups pair them with the filters of
// the same group. Stride 3 leaves 2 positions unused and there is no end
// padding to take them back: the correlation is 4 long and sliced to the
// kernel (2).
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[X:.+]]: tensor<2x4x10xf64>, %[[DY:.+]]: tensor<2x6x3xf64>)
// CHECK: %[[SPLIT:.+]] = kiln.reshape %[[X]] {shape = array<i64: 2, 2, 2, 10>} : (tensor<2x4x10xf64>) -> tensor<2x2x2x10xf64>
// CHECK: %[[MOVED:.+]] = kiln.transpose %[[SPLIT]] {permutation = array<i64: 2, 1, 0, 3>} : (tensor<2x2x2x10xf64>) -> tensor<2x2x2x10xf64>
// CHECK: %[[XT:.+]] = kiln.reshape %[[MOVED]] {shape = array<i64: 2, -1, 10>} : (tensor<2x2x2x10xf64>) -> tensor<2x4x10xf64>
// CHECK: %[[DYT:.+]] = kiln.transpose %[[DY]] {permutation = array<i64: 1, 0, 2>} : (tensor<2x6x3xf64>) -> tensor<6x2x3xf64>
// CHECK: %[[C:.+]] = kiln.conv %[[XT]], %[[DYT]] {dilations = array<i64: 3>, groups = 2 : i64, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<2x4x10xf64>, tensor<6x2x3xf64>) -> tensor<2x6x4xf64>
// CHECK: %[[S:.+]] = kiln.slice %[[C]] {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 2, 6, 2>, steps = array<i64: 1, 1, 1>} : (tensor<2x6x4xf64>) -> tensor<2x6x2xf64>
// CHECK: %[[DW:.+]] = kiln.transpose %[[S]] {permutation = array<i64: 1, 0, 2>} : (tensor<2x6x2xf64>) -> tensor<6x2x2xf64>
// CHECK: return %[[DW]]
// LINALG-LABEL: func.func @grouped
// LINALG-NOT: kiln.
// LINALG: linalg.generic
// LINALG-NOT: kiln.
func.func @grouped(%x: tensor<2x4x10xf64>, %dy: tensor<2x6x3xf64>) -> tensor<6x2x2xf64> {
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 2>, strides = array<i64: 3>, groups = 2 : i64}
      : (tensor<2x4x10xf64>, tensor<2x6x3xf64>) -> tensor<6x2x2xf64>
  return %0 : tensor<6x2x2xf64>
}

// -----

// With a dynamic batch the batch would be among the grouped correlation's
// channels: each group gets its own correlation of its channels and filters
// instead, joined along the filters.
// CHECK-LABEL: func.func @grouped_dynamic_batch
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x10xf64>, %[[DY:.+]]: tensor<?x6x3xf64>)
// CHECK: %[[X0:.+]] = kiln.slice %[[X]] {offsets = array<i64: 0, 0, 0>, sizes = array<i64: -1, 2, 10>, steps = array<i64: 1, 1, 1>} : (tensor<?x4x10xf64>) -> tensor<?x2x10xf64>
// CHECK: %[[DY0:.+]] = kiln.slice %[[DY]] {offsets = array<i64: 0, 0, 0>, sizes = array<i64: -1, 3, 3>, steps = array<i64: 1, 1, 1>} : (tensor<?x6x3xf64>) -> tensor<?x3x3xf64>
// CHECK: %[[XT0:.+]] = kiln.transpose %[[X0]] {permutation = array<i64: 1, 0, 2>}
// CHECK: %[[DYT0:.+]] = kiln.transpose %[[DY0]] {permutation = array<i64: 1, 0, 2>}
// CHECK: %[[C0:.+]] = kiln.conv %[[XT0]], %[[DYT0]] {dilations = array<i64: 3>, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<2x?x10xf64>, tensor<3x?x3xf64>) -> tensor<2x3x4xf64>
// CHECK: %[[S0:.+]] = kiln.slice %[[C0]] {{.*}} : (tensor<2x3x4xf64>) -> tensor<2x3x2xf64>
// CHECK: kiln.slice %[[X]] {offsets = array<i64: 0, 2, 0>, sizes = array<i64: -1, 2, 10>
// CHECK: kiln.slice %[[DY]] {offsets = array<i64: 0, 3, 0>, sizes = array<i64: -1, 3, 3>
// CHECK: %[[C1:.+]] = kiln.conv
// CHECK: %[[S1:.+]] = kiln.slice %[[C1]]
// CHECK: %[[J:.+]] = kiln.concat %[[S0]], %[[S1]] {axis = 1 : i64} : (tensor<2x3x2xf64>, tensor<2x3x2xf64>) -> tensor<2x6x2xf64>
// CHECK: %[[DW:.+]] = kiln.transpose %[[J]] {permutation = array<i64: 1, 0, 2>} : (tensor<2x6x2xf64>) -> tensor<6x2x2xf64>
// CHECK: return %[[DW]]
// LINALG-LABEL: func.func @grouped_dynamic_batch
// LINALG-NOT: kiln.
// LINALG: linalg.conv_1d_ncw_fcw {dilations = dense<3> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
// LINALG: linalg.conv_1d_ncw_fcw {dilations = dense<3> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
// LINALG-NOT: kiln.
func.func @grouped_dynamic_batch(%x: tensor<?x4x10xf64>, %dy: tensor<?x6x3xf64>) -> tensor<6x2x2xf64> {
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 2>, strides = array<i64: 3>, groups = 2 : i64}
      : (tensor<?x4x10xf64>, tensor<?x6x3xf64>) -> tensor<6x2x2xf64>
  return %0 : tensor<6x2x2xf64>
}
