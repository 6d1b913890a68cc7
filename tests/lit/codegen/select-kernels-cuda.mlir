// RUN: kiln-opt %s -kiln-select-kernels=kernels=cuda -split-input-file | FileCheck %s

// For CUDA modules the kernels (cuDNN) work in NCHW: no transposes; bias,
// residual and relu are absorbed as for oneDNN.
// CHECK-LABEL: func.func @conv_bias_residual_relu
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<1x4x1x1xf32>, %[[R:.+]]: tensor<?x4x8x8xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: %[[FLAT:.+]] = kiln.reshape %[[B]] {shape = array<i64: 4>}
// CHECK: %[[Y:.+]] = kiln_rt.conv2d %[[X]], %[[W]] bias(%[[FLAT]]) outs(%[[R]])
// CHECK-SAME: accumulate, activation = "relu"
// CHECK-NOT: layout = "nhwc"
// CHECK-NOT: kiln.transpose
// CHECK: return %[[Y]]
func.func @conv_bias_residual_relu(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4x1x1xf32>, %r: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  %1 = kiln.add %0, %b : (tensor<?x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %2 = kiln.add %r, %1 : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %3 = kiln.relu %2 : tensor<?x4x8x8xf32>
  return %3 : tensor<?x4x8x8xf32>
}

// -----

// cuDNN clips from 0 only: a clip from -1 stays generated code after the
// kernel.
// CHECK-LABEL: func.func @conv_clip_from_minus_one
// CHECK: %[[Y:.+]] = kiln_rt.conv2d %arg0, %arg1 outs(%{{.+}}) :
// CHECK: kiln.max %[[Y]]
// CHECK: kiln.min
func.func @conv_clip_from_minus_one(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %lo = kiln.constant dense<-1.0> : tensor<f32>
  %hi = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.max %0, %lo : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.min %1, %hi : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Filter gradients go to cuDNN's backward-filter kernel in NCHW.
// CHECK-LABEL: func.func @filter_gradient
// CHECK-NOT: kiln.transpose
// CHECK: kiln_rt.conv2d_backward_filter %arg0, %arg1
// CHECK-NOT: layout = "nhwc"
func.func @filter_gradient(%x: tensor<2x3x8x8xf32>, %dy: tensor<2x4x8x8xf32>) -> tensor<4x3x3x3xf32> {
  %0 = kiln.conv_filter_gradient %x, %dy {padding = array<i64: 1, 1, 1, 1>, kernel = array<i64: 3, 3>} : (tensor<2x3x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}
