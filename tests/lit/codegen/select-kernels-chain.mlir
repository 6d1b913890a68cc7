// RUN: kiln-opt %s -kiln-select-kernels -canonicalize | FileCheck %s

// Between consecutive convolution kernels the layout transposes cancel: the
// activations stay NHWC from the first kernel to the last, also where a value
// feeds both a convolution and a residual addition.
// CHECK-LABEL: func.func @chain
// CHECK: %[[IN:.+]] = kiln.transpose %arg0 {permutation = array<i64: 0, 2, 3, 1>}
// CHECK: %[[A:.+]] = kiln_rt.conv2d %[[IN]], %{{.+}} outs(%{{.+}}) {activation = "relu", layout = "nhwc"
// CHECK-NOT: kiln.transpose
// CHECK: %[[B:.+]] = kiln_rt.conv2d %[[A]], %{{.+}} outs(%[[A]]) {accumulate, activation = "relu", layout = "nhwc"
// CHECK: %[[OUT:.+]] = kiln.transpose %[[B]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
func.func @chain(%x: tensor<1x4x8x8xf32>, %w1: tensor<4x4x3x3xf32>, %w2: tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.conv %x, %w1 {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.relu %0 : tensor<1x4x8x8xf32>
  %2 = kiln.conv %1, %w2 {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %3 = kiln.add %2, %1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %4 = kiln.relu %3 : tensor<1x4x8x8xf32>
  return %4 : tensor<1x4x8x8xf32>
}

// In a training step the filter gradient of a convolution reads the NHWC
// output of the kernel before it as it is: the transposes between the two
// cancel.
// CHECK-LABEL: func.func @filter_gradient_of_chain
// CHECK: %[[A:.+]] = kiln_rt.conv2d %{{.+}}, %{{.+}} outs(%{{.+}}) {activation = "relu", layout = "nhwc"
// CHECK: %[[DY:.+]] = kiln.transpose %arg2 {permutation = array<i64: 0, 2, 3, 1>}
// CHECK: %[[DW:.+]] = kiln_rt.conv2d_backward_filter %[[A]], %[[DY]] outs(%{{.+}}) {layout = "nhwc", padding = array<i64: 1, 1, 1, 1>} : (tensor<2x8x8x4xf32>, tensor<2x8x8x4xf32>, tensor<4x4x3x3xf32>) -> tensor<4x4x3x3xf32>
// CHECK: return %[[DW]]
func.func @filter_gradient_of_chain(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %dy: tensor<2x4x8x8xf32>) -> tensor<4x4x3x3xf32> {
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %1 = kiln.relu %0 : tensor<2x4x8x8xf32>
  %2 = kiln.conv_filter_gradient %1, %dy {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<4x4x3x3xf32>
  return %2 : tensor<4x4x3x3xf32>
}

// A concat of two kernels' outputs (SqueezeNet's fire module) concatenates
// them in NHWC (channels are axis 3 there), so the next kernel reads it
// without a layout change in between.
// CHECK-LABEL: func.func @fire
// CHECK: %[[S:.+]] = kiln_rt.conv2d
// CHECK: %[[E1:.+]] = kiln_rt.conv2d %[[S]]
// CHECK: %[[E3:.+]] = kiln_rt.conv2d %[[S]]
// CHECK: %[[CAT:.+]] = kiln.concat %[[E1]], %[[E3]] {axis = 3 : i64} : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NOT: kiln.transpose
// CHECK: kiln_rt.conv2d %[[CAT]]
func.func @fire(%x: tensor<1x4x8x8xf32>, %ws: tensor<2x4x1x1xf32>, %w1: tensor<4x2x1x1xf32>, %w3: tensor<4x2x3x3xf32>, %wn: tensor<4x8x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %s = kiln.conv %x, %ws : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x8x8xf32>
  %e1 = kiln.conv %s, %w1 : (tensor<1x2x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x8x8xf32>
  %e3 = kiln.conv %s, %w3 {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32>
  %cat = kiln.concat %e1, %e3 {axis = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
  %n = kiln.conv %cat, %wn : (tensor<1x8x8x8xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %n : tensor<1x4x8x8xf32>
}

// Global average pooling after the last kernel reduces the NHWC tensor over
// H and W (axes 1 and 2 there); only the [1, 1, 1, C] result is transposed.
// CHECK-LABEL: func.func @global_pool
// CHECK: %[[Y:.+]] = kiln_rt.conv2d
// CHECK: %[[M:.+]] = kiln.reduce_mean %[[Y]] {axes = array<i64: 1, 2>, keep_dims = true} : (tensor<1x8x8x4xf32>) -> tensor<1x1x1x4xf32>
// CHECK: kiln.transpose %[[M]] {permutation = array<i64: 0, 3, 1, 2>} : (tensor<1x1x1x4xf32>) -> tensor<1x4x1x1xf32>
func.func @global_pool(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.reduce_mean %0 {axes = array<i64: 2, 3>, keep_dims = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  return %1 : tensor<1x4x1x1xf32>
}

// DCGAN's generator: transposed convolutions, each with its folded BatchNorm
// bias and relu, then tanh. Between the kernels the activations stay NHWC.
// CHECK-LABEL: func.func @generator
// CHECK: %[[IN:.+]] = kiln.transpose %arg0 {permutation = array<i64: 0, 2, 3, 1>}
// CHECK: %[[A:.+]] = kiln_rt.conv2d %[[IN]], %{{.+}} bias(%{{.+}}) outs(%{{.+}}) {activation = "relu", layout = "nhwc", transposed}
// CHECK-NOT: kiln.transpose
// CHECK: %[[B:.+]] = kiln_rt.conv2d %[[A]], %{{.+}} outs(%{{.+}}) {activation = "tanh", layout = "nhwc", padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, transposed}
// CHECK: %[[OUT:.+]] = kiln.transpose %[[B]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
func.func @generator(%z: tensor<1x8x1x1xf32>, %w1: tensor<8x4x4x4xf32>, %b1: tensor<1x4x1x1xf32>, %w2: tensor<4x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %0 = kiln.conv_transpose %z, %w1 : (tensor<1x8x1x1xf32>, tensor<8x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = kiln.add %0, %b1 : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %2 = kiln.relu %1 : tensor<1x4x4x4xf32>
  %3 = kiln.conv_transpose %2, %w2 {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  %4 = kiln.tanh %3 : tensor<1x3x8x8xf32>
  return %4 : tensor<1x3x8x8xf32>
}
