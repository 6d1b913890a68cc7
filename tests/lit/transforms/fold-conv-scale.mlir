// RUN: kiln-opt %s -kiln-fold-conv-scale -split-input-file | FileCheck %s

// Inference BatchNorm after a convolution, `(conv(x, W) + c) * k + d` with
// per-channel constants, leaves a convolution with filter W * k (computed
// here: filter f scaled by k[f]) followed by the per-channel additions (c * k folded too).
// CHECK-LABEL: func.func @batchnorm
// CHECK-DAG: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}-1.500000e+00, -2.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[CK:.+]] = kiln.constant dense<{{\[\[\[\[}}5.000000e-01]], {{\[\[}}-1.250000e-01]]]]> : tensor<1x2x1x1xf32>
// CHECK: %[[CONV:.+]] = kiln.conv %arg0, %[[W]]
// CHECK: %[[BIASED:.+]] = kiln.add %[[CONV]], %[[CK]]
// CHECK: kiln.add %[[BIASED]], %{{.+}}
// CHECK-NOT: kiln.mul
func.func @batchnorm(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %c = arith.constant dense<[[[[0.5]], [[0.25]]]]> : tensor<1x2x1x1xf32>
  %k = arith.constant dense<[[[[1.0]], [[-0.5]]]]> : tensor<1x2x1x1xf32>
  %d = arith.constant dense<[[[[2.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %1 = kiln.add %0, %c : (tensor<1x2x4x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x3xf32>
  %2 = kiln.mul %1, %k : (tensor<1x2x4x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x3xf32>
  %3 = kiln.add %2, %d : (tensor<1x2x4x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x3xf32>
  return %3 : tensor<1x2x4x3xf32>
}

// -----

// Not folded: a scale that varies along W, a filter that is not a constant,
// and a convolution with another user.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: kiln.mul
func.func @not_folded(%x: tensor<1x1x4x4xf32>, %v: tensor<2x1x1x2xf32>) -> (tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x1x1x2xf32>
  %along_w = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %k = arith.constant dense<[[[[1.0]], [[-0.5]]]]> : tensor<1x2x1x1xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %1 = kiln.mul %0, %along_w : (tensor<1x2x4x3xf32>, tensor<3xf32>) -> tensor<1x2x4x3xf32>
  %2 = kiln.conv %x, %v : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %3 = kiln.mul %2, %k : (tensor<1x2x4x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x3xf32>
  %4 = kiln.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %5 = kiln.mul %4, %k : (tensor<1x2x4x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x3xf32>
  return %1, %3, %4, %5 : tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>
}

// -----

// After a transposed convolution (DCGAN's generator), the filter is
// [C, F / groups, K...]: the weight at [c, j] feeds output channel
// (c / (C / groups)) * (F / groups) + j and is scaled by that channel's k.
// With 2 groups, rows 0 and 1 feed channels 0 and 1, rows 2 and 3 channels 2
// and 3.
// CHECK-LABEL: func.func @batchnorm_after_conv_transpose
// CHECK: %[[W:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}3.000000e+00]], {{\[\[}}8.000000e+00]]], {{\[\[\[}}1.500000e+01]], {{\[\[}}2.400000e+01]]], {{\[\[\[}}2.100000e+01]], {{\[\[}}3.200000e+01]]]]> : tensor<4x2x1x1xf32>
// CHECK: %[[CONV:.+]] = kiln.conv_transpose %arg0, %[[W]] {groups = 2 : i64}
// CHECK: kiln.add %[[CONV]], %{{.+}}
// CHECK-NOT: kiln.mul
func.func @batchnorm_after_conv_transpose(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]]]> : tensor<4x2x1x1xf32>
  %k = arith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]]> : tensor<1x4x1x1xf32>
  %c = arith.constant dense<[[[[0.5]], [[0.25]], [[1.0]], [[2.0]]]]> : tensor<1x4x1x1xf32>
  %0 = kiln.conv_transpose %x, %w {groups = 2 : i64} : (tensor<1x4x2x2xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x2x2xf32>
  %1 = kiln.mul %0, %k : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %2 = kiln.add %1, %c : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  return %2 : tensor<1x4x2x2xf32>
}
