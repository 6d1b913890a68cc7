// RUN: kiln-opt %s -kiln-select-kernels -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-select-kernels=kernels=codegen -split-input-file | FileCheck %s --check-prefix=CODEGEN
// RUN: not kiln-opt %s -kiln-select-kernels=kernels=gpu 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown kernels 'gpu' (expected auto, onednn, cuda or codegen)

// A convolution absorbs its bias (flattened to one value per channel), a
// residual addition (the kernel accumulates into the residual, its init) and
// the activation; the batch may be dynamic. The kernel
// works in NHWC between transposes (which cancel between consecutive
// kernels once canonicalized).
// CHECK-LABEL: func.func @conv_bias_residual_relu
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<1x4x1x1xf32>, %[[R:.+]]: tensor<?x4x8x8xf32>)
// CHECK: %[[FLAT:.+]] = kiln.reshape %[[B]] {shape = array<i64: 4>}
// CHECK: %[[XT:.+]] = kiln.transpose %[[X]] {permutation = array<i64: 0, 2, 3, 1>} : (tensor<?x3x8x8xf32>) -> tensor<?x8x8x3xf32>
// CHECK: %[[RT:.+]] = kiln.transpose %[[R]] {permutation = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: tensor.empty
// CHECK: %[[Y:.+]] = kiln_rt.conv2d %[[XT]], %[[W]] bias(%[[FLAT]]) outs(%[[RT]])
// CHECK-SAME: accumulate, activation = "relu", layout = "nhwc", padding = array<i64: 1, 1, 1, 1>
// CHECK-NOT: kiln.relu
// CHECK: %[[YT:.+]] = kiln.transpose %[[Y]] {permutation = array<i64: 0, 3, 1, 2>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x8x8xf32>
// CHECK: return %[[YT]]
// CODEGEN-LABEL: func.func @conv_bias_residual_relu
// CODEGEN-NOT: kiln_rt
// CODEGEN: kiln.conv
func.func @conv_bias_residual_relu(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4x1x1xf32>, %r: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  %1 = kiln.add %0, %b : (tensor<?x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %2 = kiln.add %r, %1 : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %3 = kiln.relu %2 : tensor<?x4x8x8xf32>
  return %3 : tensor<?x4x8x8xf32>
}

// -----

// Clip(0, 6) (ReLU6), imported as min(max(x, 0), 6), is one clip activation;
// two per-channel biases are summed.
// CHECK-LABEL: func.func @conv_two_biases_relu6
// CHECK: %[[B1:.+]] = kiln.reshape %{{.+}} {shape = array<i64: 2>}
// CHECK: %[[B2:.+]] = kiln.reshape %{{.+}} {shape = array<i64: 2>}
// CHECK: %[[SUM:.+]] = kiln.add %[[B1]], %[[B2]]
// CHECK: kiln_rt.conv2d %{{.+}}, %{{.+}} bias(%[[SUM]]) outs(
// CHECK-SAME: activation = "clip"
// CHECK-SAME: beta = 6.000000e+00 : f32
// CHECK-SAME: groups = 2 : i64, layout = "nhwc", strides = array<i64: 2, 2>
// CHECK-NOT: kiln.max
// CHECK-NOT: kiln.min
func.func @conv_two_biases_relu6(%x: tensor<1x2x8x8xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2x1x1xf32>, %c: tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %six = arith.constant dense<6.0> : tensor<f32>
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, groups = 2 : i64} : (tensor<1x2x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.add %0, %b : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %2 = kiln.add %1, %c : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %3 = kiln.max %2, %zero : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %4 = kiln.min %3, %six : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  return %4 : tensor<1x2x3x3xf32>
}

// -----

// A transposed convolution becomes a kiln_rt.conv2d marked `transposed`, with
// its filter as it is ([C, F / groups, KH, KW]), its strides, padding, output
// padding and groups, and the same epilogue and NHWC layout as a convolution.
// CHECK-LABEL: func.func @conv_transpose_bias_tanh
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x5x5xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<1x6x1x1xf32>)
// CHECK: %[[FLAT:.+]] = kiln.reshape %[[B]] {shape = array<i64: 6>}
// CHECK: %[[XT:.+]] = kiln.transpose %[[X]] {permutation = array<i64: 0, 2, 3, 1>} : (tensor<?x4x5x5xf32>) -> tensor<?x5x5x4xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%{{.+}}) : tensor<?x10x10x6xf32>
// CHECK: %[[Y:.+]] = kiln_rt.conv2d %[[XT]], %[[W]] bias(%[[FLAT]]) outs(%[[INIT]])
// CHECK-SAME: {activation = "tanh", groups = 2 : i64, layout = "nhwc", output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, transposed}
// CHECK-SAME: (tensor<?x5x5x4xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>, tensor<?x10x10x6xf32>) -> tensor<?x10x10x6xf32>
// CHECK-NOT: kiln.tanh
// CHECK: %[[YT:.+]] = kiln.transpose %[[Y]] {permutation = array<i64: 0, 3, 1, 2>} : (tensor<?x10x10x6xf32>) -> tensor<?x6x10x10xf32>
// CHECK: return %[[YT]]
// CODEGEN-LABEL: func.func @conv_transpose_bias_tanh
// CODEGEN-NOT: kiln_rt
// CODEGEN: kiln.conv_transpose
func.func @conv_transpose_bias_tanh(%x: tensor<?x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x6x1x1xf32>) -> tensor<?x6x10x10xf32> {
  %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<?x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x6x10x10xf32>
  %1 = kiln.add %0, %b : (tensor<?x6x10x10xf32>, tensor<1x6x1x1xf32>) -> tensor<?x6x10x10xf32>
  %2 = kiln.tanh %1 : tensor<?x6x10x10xf32>
  return %2 : tensor<?x6x10x10xf32>
}

// -----

// A residual addition is not absorbed by a transposed convolution (oneDNN's
// binary post-op makes its backward-data kernels several times slower), so
// the addition and the relu after it stay generated loops (DCGAN's first
// layer: a 1x1 latent to a 4x4 image; default attributes stay implicit).
// CHECK-LABEL: func.func @conv_transpose_residual_relu
// CHECK: %[[Y:.+]] = kiln_rt.conv2d %{{.+}}, %{{.+}} outs(%{{.+}}) {layout = "nhwc", transposed} : (tensor<1x1x1x8xf32>, tensor<8x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: kiln.add %{{.+}}, %arg2
// CHECK: kiln.relu
func.func @conv_transpose_residual_relu(%x: tensor<1x8x1x1xf32>, %w: tensor<8x4x4x4xf32>, %r: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = kiln.conv_transpose %x, %w : (tensor<1x8x1x1xf32>, tensor<8x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = kiln.add %0, %r : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %2 = kiln.relu %1 : tensor<1x4x4x4xf32>
  return %2 : tensor<1x4x4x4xf32>
}

// -----

// Not selected: a 1-D or f64 transposed convolution, and one whose output
// padding exceeds its end padding by a stride or more (oneDNN checks a
// transposed convolution as the convolution it inverts, whose end padding,
// here 0 - 2, must exceed -stride, here -1).
// CHECK-LABEL: func.func @conv_transpose_not_selected
// CHECK-NOT: kiln_rt
// CHECK-COUNT-3: kiln.conv_transpose
func.func @conv_transpose_not_selected(%x: tensor<1x2x4xf32>, %w: tensor<2x2x3xf32>, %y: tensor<1x2x4x4xf64>, %v: tensor<2x2x3x3xf64>, %z: tensor<1x2x4x4xf32>, %u: tensor<2x2x3x3xf32>) -> (tensor<1x2x6xf32>, tensor<1x2x6x6xf64>, tensor<1x2x12x12xf32>) {
  %0 = kiln.conv_transpose %x, %w : (tensor<1x2x4xf32>, tensor<2x2x3xf32>) -> tensor<1x2x6xf32>
  %1 = kiln.conv_transpose %y, %v : (tensor<1x2x4x4xf64>, tensor<2x2x3x3xf64>) -> tensor<1x2x6x6xf64>
  %2 = kiln.conv_transpose %z, %u {dilations = array<i64: 3, 3>, output_padding = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x12x12xf32>
  return %0, %1, %2 : tensor<1x2x6xf32>, tensor<1x2x6x6xf64>, tensor<1x2x12x12xf32>
}

// -----

// The filter gradient of a convolution (kiln.conv_filter_gradient, which the
// conv rules of autodiff build) becomes a kiln_rt.conv2d_backward_filter: the
// input and the output gradient go to NHWC, as the forward and input-gradient
// kernels read them (the transposes are shared or cancel there), and the
// result is the plain [F, C / groups, KH, KW] filter gradient. The batch may
// be dynamic.
// CHECK-LABEL: func.func @conv_filter_gradient
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x8x8xf32>, %[[DY:.+]]: tensor<?x6x4x4xf32>)
// CHECK: %[[XT:.+]] = kiln.transpose %[[X]] {permutation = array<i64: 0, 2, 3, 1>} : (tensor<?x4x8x8xf32>) -> tensor<?x8x8x4xf32>
// CHECK: %[[DYT:.+]] = kiln.transpose %[[DY]] {permutation = array<i64: 0, 2, 3, 1>} : (tensor<?x6x4x4xf32>) -> tensor<?x4x4x6xf32>
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<6x2x3x3xf32>
// CHECK: %[[DW:.+]] = kiln_rt.conv2d_backward_filter %[[XT]], %[[DYT]] outs(%[[INIT]]) {groups = 2 : i64, layout = "nhwc", padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x8x4xf32>, tensor<?x4x4x6xf32>, tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
// CHECK-NOT: kiln.conv_filter_gradient
// CHECK: return %[[DW]]
// CODEGEN-LABEL: func.func @conv_filter_gradient
// CODEGEN-NOT: kiln_rt
// CODEGEN: kiln.conv_filter_gradient
func.func @conv_filter_gradient(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x6x4x4xf32>) -> tensor<6x2x3x3xf32> {
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64}
      : (tensor<?x4x8x8xf32>, tensor<?x6x4x4xf32>) -> tensor<6x2x3x3xf32>
  return %0 : tensor<6x2x3x3xf32>
}

// -----

// Not selected: 1-D, 3-D and f64 filter gradients (kiln-expand-filter-gradients
// turns them into generated loops).
// CHECK-LABEL: func.func @conv_filter_gradient_not_selected
// CHECK-NOT: kiln_rt
// CHECK-COUNT-3: kiln.conv_filter_gradient
func.func @conv_filter_gradient_not_selected(%x: tensor<2x3x10xf32>, %dx: tensor<2x4x8xf32>, %y: tensor<1x2x4x4x4xf32>, %dy: tensor<1x2x3x3x3xf32>, %z: tensor<2x3x8x8xf64>, %dz: tensor<2x4x6x6xf64>) -> (tensor<4x3x3xf32>, tensor<2x2x2x2x2xf32>, tensor<4x3x3x3xf64>) {
  %0 = kiln.conv_filter_gradient %x, %dx {kernel = array<i64: 3>} : (tensor<2x3x10xf32>, tensor<2x4x8xf32>) -> tensor<4x3x3xf32>
  %1 = kiln.conv_filter_gradient %y, %dy {kernel = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>, tensor<1x2x3x3x3xf32>) -> tensor<2x2x2x2x2xf32>
  %2 = kiln.conv_filter_gradient %z, %dz {kernel = array<i64: 3, 3>} : (tensor<2x3x8x8xf64>, tensor<2x4x6x6xf64>) -> tensor<4x3x3x3xf64>
  return %0, %1, %2 : tensor<4x3x3xf32>, tensor<2x2x2x2x2xf32>, tensor<4x3x3x3xf64>
}

// -----

// A product whose result has another user keeps its epilogue in generated
// code; a bias along the wrong dim ([8] broadcasts along W) is not absorbed.
// CHECK-LABEL: func.func @shared_result
// CHECK: kiln_rt.conv2d %{{.+}}, %{{.+}} outs(
// CHECK-NOT: bias(
// CHECK: %[[Y:.+]] = kiln.transpose
// CHECK: kiln.add %[[Y]]
// CHECK-LABEL: func.func @wrong_bias_dim
// CHECK: kiln_rt.conv2d %{{.+}}, %{{.+}} outs(
// CHECK: %[[Y:.+]] = kiln.transpose
// CHECK: kiln.add %[[Y]]
func.func @shared_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x1x1xf32>, %b: tensor<1x4x1x1xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.add %0, %b : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}
func.func @wrong_bias_dim(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x1x1xf32>, %b: tensor<8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.add %0, %b : (tensor<1x4x8x8xf32>, tensor<8xf32>) -> tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// -----

// Matrix products with a row bias and sigmoid; rows may be dynamic. Batched
// products with a dynamic dim or broadcast batch dims, 3-D convolutions and
// f64 stay in generated code.
// CHECK-LABEL: func.func @matmul_bias_sigmoid
// CHECK-NOT: kiln.reshape
// CHECK: kiln_rt.matmul %{{.+}}, %{{.+}} bias(%{{.+}}) outs(%{{.+}}) {activation = "sigmoid"} : (tensor<?x16xf32>, tensor<16x10xf32>, tensor<10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK-LABEL: func.func @not_selected
// CHECK-NOT: kiln_rt
// CHECK: kiln.matmul
// CHECK: kiln.conv
// CHECK: kiln.conv
func.func @matmul_bias_sigmoid(%a: tensor<?x16xf32>, %b: tensor<16x10xf32>, %c: tensor<10xf32>) -> tensor<?x10xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x16xf32>, tensor<16x10xf32>) -> tensor<?x10xf32>
  %1 = kiln.add %0, %c : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %2 = kiln.sigmoid %1 : tensor<?x10xf32>
  return %2 : tensor<?x10xf32>
}
func.func @not_selected(%a: tensor<?x4x16xf32>, %b: tensor<1x16x10xf32>, %x: tensor<1x1x4x4x4xf32>, %w: tensor<1x1x2x2x2xf32>, %y: tensor<1x1x4x4xf64>, %v: tensor<1x1x2x2xf64>) -> (tensor<?x4x10xf32>, tensor<1x1x3x3x3xf32>, tensor<1x1x3x3xf64>) {
  %0 = kiln.matmul %a, %b : (tensor<?x4x16xf32>, tensor<1x16x10xf32>) -> tensor<?x4x10xf32>
  %1 = kiln.conv %x, %w : (tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  %2 = kiln.conv %y, %v : (tensor<1x1x4x4xf64>, tensor<1x1x2x2xf64>) -> tensor<1x1x3x3xf64>
  return %0, %1, %2 : tensor<?x4x10xf32>, tensor<1x1x3x3x3xf32>, tensor<1x1x3x3xf64>
}

// -----

// A Linear layer on a sequence ([B, S, K] x [K, N]) folds the leading dims
// into the rows of one product and restores them after.
// CHECK-LABEL: func.func @linear_on_sequence
// CHECK: %[[ROWS:.+]] = kiln.reshape %arg0 {shape = array<i64: -1, 16>} : (tensor<?x5x16xf32>) -> tensor<?x16xf32>
// CHECK: %[[RES:.+]] = kiln.reshape %arg3 {shape = array<i64: -1, 8>} : (tensor<?x5x8xf32>) -> tensor<?x8xf32>
// CHECK: %[[Y:.+]] = kiln_rt.matmul %[[ROWS]], %arg1 bias(%arg2) outs(%[[RES]]) {accumulate} : (tensor<?x16xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
// CHECK: kiln.reshape %[[Y]] {shape = array<i64: -1, 5, 8>} : (tensor<?x8xf32>) -> tensor<?x5x8xf32>
func.func @linear_on_sequence(%x: tensor<?x5x16xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>, %r: tensor<?x5x8xf32>) -> tensor<?x5x8xf32> {
  %0 = kiln.matmul %x, %w : (tensor<?x5x16xf32>, tensor<16x8xf32>) -> tensor<?x5x8xf32>
  %1 = kiln.add %0, %b : (tensor<?x5x8xf32>, tensor<8xf32>) -> tensor<?x5x8xf32>
  %2 = kiln.add %1, %r : (tensor<?x5x8xf32>, tensor<?x5x8xf32>) -> tensor<?x5x8xf32>
  return %2 : tensor<?x5x8xf32>
}

// -----

// Attention's batched products ([1, heads, S, D] x [1, heads, D, S]) fold
// their leading dims into one batch of a single kernel.
// CHECK-LABEL: func.func @attention_scores
// CHECK: %[[Q:.+]] = kiln.reshape %arg0 {shape = array<i64: 4, 8, 16>} : (tensor<1x4x8x16xf32>) -> tensor<4x8x16xf32>
// CHECK: %[[K:.+]] = kiln.reshape %arg1 {shape = array<i64: 4, 16, 8>} : (tensor<1x4x16x8xf32>) -> tensor<4x16x8xf32>
// CHECK: %[[S:.+]] = kiln_rt.matmul %[[Q]], %[[K]] outs(%{{.+}}) : (tensor<4x8x16xf32>, tensor<4x16x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
// CHECK: kiln.reshape %[[S]] {shape = array<i64: 1, 4, 8, 8>} : (tensor<4x8x8xf32>) -> tensor<1x4x8x8xf32>
func.func @attention_scores(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.matmul %q, %k : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}
