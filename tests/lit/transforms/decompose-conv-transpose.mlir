// RUN: kiln-opt %s -kiln-decompose-conv-transpose -split-input-file | FileCheck %s

// DCGAN's upsampling: a 4x4 transposed convolution of stride 2 and padding 1
// is four 2x2 convolutions, one per output phase (oy mod 2, ox mod 2). Phase
// 0 of a dim takes the taps 3 and 1 (flipped) with a begin pad, phase 1 the
// taps 2 and 0 with an end pad. The per-channel addition and the ReLU after
// the transposed convolution go to every phase; the phases interleave by a
// reshape of their concatenation, channels last (where the kernels' own
// layout transposes cancel these).
// CHECK-LABEL: func.func @dcgan_layer
// CHECK-DAG: %[[W00:.+]] = kiln.constant dense<{{\[\[\[\[}}1.500000e+01, 1.300000e+01], [7.000000e+00, 5.000000e+00]], {{\[\[}}3.100000e+01, 2.900000e+01], [2.300000e+01, 2.100000e+01]]]]> : tensor<1x2x2x2xf32>
// CHECK-DAG: %[[W01:.+]] = kiln.constant dense<{{\[\[\[\[}}1.400000e+01, 1.200000e+01], [6.000000e+00, 4.000000e+00]], {{.*}} : tensor<1x2x2x2xf32>
// CHECK-DAG: %[[W10:.+]] = kiln.constant dense<{{\[\[\[\[}}1.100000e+01, 9.000000e+00], [3.000000e+00, 1.000000e+00]], {{.*}} : tensor<1x2x2x2xf32>
// CHECK-DAG: %[[W11:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+01, 8.000000e+00], [2.000000e+00, 0.000000e+00]], {{.*}} : tensor<1x2x2x2xf32>
// CHECK-DAG: %[[BIAS:.+]] = kiln.constant dense<5.000000e-01> : tensor<1x1x1x1xf32>
// CHECK: %[[P00:.+]] = kiln.conv %arg0, %[[W00]] {{{.*}}padding = array<i64: 1, 1, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
// CHECK: %[[A00:.+]] = kiln.add %[[P00]], %[[BIAS]]
// CHECK: %[[R00:.+]] = kiln.relu %[[A00]]
// CHECK: %[[T00:.+]] = kiln.transpose %[[R00]] {permutation = array<i64: 0, 2, 3, 1>}
// CHECK: %[[S00:.+]] = kiln.reshape %[[T00]] {shape = array<i64: 1, 2, 1, 2, 1, 1>}
// CHECK: kiln.conv %arg0, %[[W01]] {{{.*}}padding = array<i64: 1, 0, 0, 1>
// CHECK: %[[ROW0:.+]] = kiln.concat %[[S00]], %{{.+}} {axis = 4 : i64} : {{.*}} -> tensor<1x2x1x2x2x1xf32>
// CHECK: kiln.conv %arg0, %[[W10]] {{{.*}}padding = array<i64: 0, 1, 1, 0>
// CHECK: kiln.conv %arg0, %[[W11]] {{{.*}}padding = array<i64: 0, 0, 1, 1>
// CHECK: %[[ROW1:.+]] = kiln.concat %{{.+}}, %{{.+}} {axis = 4 : i64}
// CHECK: %[[ALL:.+]] = kiln.concat %[[ROW0]], %[[ROW1]] {axis = 2 : i64} : {{.*}} -> tensor<1x2x2x2x2x1xf32>
// CHECK: %[[NHWC:.+]] = kiln.reshape %[[ALL]] {shape = array<i64: 1, 4, 4, 1>}
// CHECK: %[[OUT:.+]] = kiln.transpose %[[NHWC]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
// CHECK-NOT: kiln.conv_transpose
func.func @dcgan_layer(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %w = kiln.constant dense<[[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0]]],
                            [[[16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0], [28.0, 29.0, 30.0, 31.0]]]]> : tensor<2x1x4x4xf32>
  %b = kiln.constant dense<0.5> : tensor<1x1x1x1xf32>
  %y = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %z = kiln.add %y, %b : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %r = kiln.relu %z : tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

// Stride 1 (DCGAN's first layer, from a 1x1 image): one phase, the filter
// flipped, padded by kernel - 1 - pad on both ends; the reshapes that would
// interleave one phase fold away.
// CHECK-LABEL: func.func @stride_one
// CHECK: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}3.000000e+00, 2.000000e+00], [1.000000e+00, 0.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK: %[[P:.+]] = kiln.conv %arg0, %[[W]] {{{.*}}padding = array<i64: 1, 1, 1, 1>{{.*}} -> tensor<1x1x2x2xf32>
// CHECK: return %[[P]]
func.func @stride_one(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %w = kiln.constant dense<[[[[0.0, 1.0], [2.0, 3.0]]]]> : tensor<1x1x2x2xf32>
  %y = kiln.conv_transpose %x, %w : (tensor<1x1x1x1xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Left alone: a filter known only at run time (a training step's), a kernel
// that is no multiple of the stride, and a residual addition that stops the
// epilogue from moving.
// CHECK-LABEL: func.func @left_alone
// CHECK: kiln.conv_transpose %arg0, %arg1
// CHECK: kiln.conv_transpose %arg0, %{{.+}} {{{.*}}strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<2x1x3x3xf32>)
// CHECK-NOT: kiln.conv_transpose
// CHECK: %[[Y:.+]] = kiln.transpose %{{.+}} {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: kiln.add %[[Y]], %arg2
func.func @left_alone(%x: tensor<1x2x2x2xf32>, %w: tensor<2x1x4x4xf32>, %res: tensor<1x1x4x4xf32>)
    -> (tensor<1x1x4x4xf32>, tensor<1x1x5x5xf32>, tensor<1x1x4x4xf32>) {
  %a = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %w3 = kiln.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<2x1x3x3xf32>
  %b = kiln.conv_transpose %x, %w3 {strides = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>, tensor<2x1x3x3xf32>) -> tensor<1x1x5x5xf32>
  %w4 = kiln.constant dense<[[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0]]],
                             [[[16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0], [28.0, 29.0, 30.0, 31.0]]]]> : tensor<2x1x4x4xf32>
  %c = kiln.conv_transpose %x, %w4 {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %d = kiln.add %c, %res : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %a, %b, %d : tensor<1x1x4x4xf32>, tensor<1x1x5x5xf32>, tensor<1x1x4x4xf32>
}
