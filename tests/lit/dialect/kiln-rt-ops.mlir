// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// kiln_rt ops print and parse back, on tensors (returning init's type) and on
// buffers (returning nothing), with and without their optional operands.
// CHECK-LABEL: func.func @on_tensors
// CHECK: kiln_rt.conv2d %{{.+}}, %{{.+}} bias(%{{.+}}) residual(%{{.+}}) outs(%{{.+}}) {activation = "leaky_relu", alpha = 1.000000e-01 : f32, padding = array<i64: 1, 1, 1, 1>}
// CHECK: kiln_rt.matmul %{{.+}}, %{{.+}} outs(%{{.+}}) {accumulate} : (tensor<?x16xf32>, tensor<16x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
func.func @on_tensors(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %r: tensor<1x4x8x8xf32>, %a: tensor<?x16xf32>, %m: tensor<16x10xf32>, %i: tensor<?x10xf32>) -> (tensor<1x4x8x8xf32>, tensor<?x10xf32>) {
  %init = tensor.empty() : tensor<1x4x8x8xf32>
  %0 = kiln_rt.conv2d %x, %w bias(%b) residual(%r) outs(%init) {padding = array<i64: 1, 1, 1, 1>, activation = "leaky_relu", alpha = 0.1 : f32, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln_rt.matmul %a, %m outs(%i) {accumulate} : (tensor<?x16xf32>, tensor<16x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<?x10xf32>
}

// CHECK-LABEL: func.func @on_buffers
// CHECK: kiln_rt.conv2d %{{.+}}, %{{.+}} outs(%{{.+}}) {groups = 2 : i64, strides = array<i64: 2, 2>} : (memref<2x4x9x9xf32>, memref<6x2x3x3xf32>, memref<2x6x4x4xf32>) -> ()
// CHECK: kiln_rt.matmul %{{.+}}, %{{.+}} bias(%{{.+}}) outs(%{{.+}}) {activation = "tanh"} : (memref<3x4xf32>, memref<4x5xf32>, memref<5xf32>, memref<3x5xf32>) -> ()
func.func @on_buffers(%x: memref<2x4x9x9xf32>, %w: memref<6x2x3x3xf32>, %y: memref<2x6x4x4xf32>, %a: memref<3x4xf32>, %b: memref<4x5xf32>, %c: memref<5xf32>, %o: memref<3x5xf32>) {
  kiln_rt.conv2d %x, %w outs(%y) {strides = array<i64: 2, 2>, groups = 2 : i64} : (memref<2x4x9x9xf32>, memref<6x2x3x3xf32>, memref<2x6x4x4xf32>) -> ()
  kiln_rt.matmul %a, %b bias(%c) outs(%o) {activation = "tanh"} : (memref<3x4xf32>, memref<4x5xf32>, memref<5xf32>, memref<3x5xf32>) -> ()
  return
}

// A transposed convolution: the filter is [C, F / groups, KH, KW] and the
// output grows by the output padding.
// CHECK-LABEL: func.func @transposed
// CHECK: kiln_rt.conv2d %{{.+}}, %{{.+}} bias(%{{.+}}) outs(%{{.+}}) {groups = 2 : i64, layout = "nhwc", output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, transposed} : (memref<3x5x5x4xf32>, memref<4x3x3x3xf32>, memref<6xf32>, memref<3x10x10x6xf32>) -> ()
func.func @transposed(%x: memref<3x5x5x4xf32>, %w: memref<4x3x3x3xf32>, %b: memref<6xf32>, %y: memref<3x10x10x6xf32>) {
  kiln_rt.conv2d %x, %w bias(%b) outs(%y) {transposed, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64, layout = "nhwc"} : (memref<3x5x5x4xf32>, memref<4x3x3x3xf32>, memref<6xf32>, memref<3x10x10x6xf32>) -> ()
  return
}

// The filter gradient of a convolution: the input and the output gradient
// (NHWC here) in, the plain [F, C / groups, KH, KW] filter gradient out.
// CHECK-LABEL: func.func @backward_filter
// CHECK: kiln_rt.conv2d_backward_filter %{{.+}}, %{{.+}} outs(%{{.+}}) {groups = 2 : i64, layout = "nhwc", padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x8x4xf32>, tensor<?x4x4x6xf32>, tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
// CHECK: kiln_rt.conv2d_backward_filter %{{.+}}, %{{.+}} outs(%{{.+}}) {dilations = array<i64: 2, 2>} : (memref<2x3x9x9xf32>, memref<2x4x5x5xf32>, memref<4x3x3x3xf32>) -> ()
func.func @backward_filter(%x: tensor<?x8x8x4xf32>, %dy: tensor<?x4x4x6xf32>, %a: memref<2x3x9x9xf32>, %b: memref<2x4x5x5xf32>, %c: memref<4x3x3x3xf32>) -> tensor<6x2x3x3xf32> {
  %init = tensor.empty() : tensor<6x2x3x3xf32>
  %0 = kiln_rt.conv2d_backward_filter %x, %dy outs(%init) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64, layout = "nhwc"} : (tensor<?x8x8x4xf32>, tensor<?x4x4x6xf32>, tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
  kiln_rt.conv2d_backward_filter %a, %b outs(%c) {dilations = array<i64: 2, 2>} : (memref<2x3x9x9xf32>, memref<2x4x5x5xf32>, memref<4x3x3x3xf32>) -> ()
  return %0 : tensor<6x2x3x3xf32>
}
