// RUN: kiln-opt %s -kiln-split-concat-consumers -split-input-file | FileCheck %s

// A convolution of a channel concatenation convolves each branch with its
// input channels of the filter (computed here) and sums the partial results;
// the reader's bias goes to the first partial convolution.
// CHECK-LABEL: func.func @conv_of_concat
// CHECK-SAME: (%[[A:.+]]: tensor<1x1x2x2xf32>, %[[B:.+]]: tensor<1x2x2x2xf32>)
// CHECK-DAG: %[[WA:.+]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[WB:.+]] = kiln.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}3.000000e+00]]], {{\[\[\[}}5.000000e+00]], {{\[\[}}6.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK: %[[CA:.+]] = kiln.conv %[[A]], %[[WA]]
// CHECK: %[[BIASED:.+]] = kiln.add %[[CA]], %{{.+}} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>)
// CHECK: %[[CB:.+]] = kiln.conv %[[B]], %[[WB]]
// CHECK: %[[SUM:.+]] = kiln.add %[[CB]], %[[BIASED]]
// CHECK: %[[OUT:.+]] = kiln.relu %[[SUM]]
// CHECK-NOT: kiln.concat
// CHECK: return %[[OUT]]
func.func @conv_of_concat(%a: tensor<1x1x2x2xf32>, %b: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]], [[3.0]]], [[[4.0]], [[5.0]], [[6.0]]]]> : tensor<2x3x1x1xf32>
  %bias = arith.constant dense<[[[[0.5]], [[0.25]]]]> : tensor<1x2x1x1xf32>
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x3x2x2xf32>
  %1 = kiln.conv %0, %w : (tensor<1x3x2x2xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x2x2xf32>
  %2 = kiln.add %1, %bias : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %3 = kiln.relu %2 : tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// A filter that is not a constant is sliced by kiln.slice; no bias: the
// partial sums replace the convolution itself.
// CHECK-LABEL: func.func @filter_argument
// CHECK: %[[WA:.+]] = kiln.slice %arg2 {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: 4, 2, 3, 3>, steps = array<i64: 1, 1, 1, 1>}
// CHECK: %[[CA:.+]] = kiln.conv %arg0, %[[WA]] {{.*}}padding = array<i64: 1, 1, 1, 1>
// CHECK: %[[WB:.+]] = kiln.slice %arg2 {offsets = array<i64: 0, 2, 0, 0>, sizes = array<i64: 4, 2, 3, 3>, steps = array<i64: 1, 1, 1, 1>}
// CHECK: %[[CB:.+]] = kiln.conv %arg1, %[[WB]]
// CHECK: %[[SUM:.+]] = kiln.add %[[CB]], %[[CA]]
// CHECK: return %[[SUM]]
func.func @filter_argument(%a: tensor<1x2x5x5xf32>, %b: tensor<1x2x5x5xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<1x2x5x5xf32>) -> tensor<1x4x5x5xf32>
  %1 = kiln.conv %0, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %1 : tensor<1x4x5x5xf32>
}

// -----

// A max pooling of a concatenation pools each branch; the concatenation of
// the pooled branches then feeds the convolution, which splits in turn.
// CHECK-LABEL: func.func @pool_then_conv
// CHECK: %[[PA:.+]] = kiln.max_pool %arg0 {{.+}} -> tensor<1x2x2x2xf32>
// CHECK: %[[PB:.+]] = kiln.max_pool %arg1 {{.+}} -> tensor<1x3x2x2xf32>
// CHECK-NOT: kiln.concat
// CHECK: kiln.conv %[[PA]]
// CHECK: kiln.conv %[[PB]]
func.func @pool_then_conv(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>, %w: tensor<1x5x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  %1 = kiln.max_pool %0 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x5x4x4xf32>) -> tensor<1x5x2x2xf32>
  %2 = kiln.conv %1, %w : (tensor<1x5x2x2xf32>, tensor<1x5x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %2 : tensor<1x1x2x2xf32>
}

// -----

// Left alone: a concatenation with another reader, one along another axis,
// and a grouped convolution.
// CHECK-LABEL: func.func @not_split
// CHECK-COUNT-3: kiln.concat
// CHECK-NOT: kiln.slice
func.func @not_split(%a: tensor<1x2x4x4xf32>, %w: tensor<1x4x1x1xf32>, %v: tensor<1x2x1x1xf32>, %g: tensor<4x2x1x1xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x1x4x8xf32>, tensor<1x4x4x4xf32>) {
  %0 = kiln.concat %a, %a {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = kiln.conv %0, %w : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x4x4xf32>
  %2 = kiln.concat %a, %a {axis = 3 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x8xf32>
  %4 = kiln.conv %2, %v : (tensor<1x2x4x8xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x8xf32>
  %5 = kiln.concat %a, %a {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %6 = kiln.conv %5, %g {groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %1, %0, %4, %6 : tensor<1x1x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x1x4x8xf32>, tensor<1x4x4x4xf32>
}
