// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @mixed(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: memref<1x4x6x6xf32>) {
  // expected-error @+1 {{takes tensors or buffers, not a mix of the two}}
  kiln_rt.conv2d %x, %w outs(%y) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, memref<1x4x6x6xf32>) -> ()
  return
}

// -----

func.func @unknown_activation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{has unknown activation 'gelu'}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) {activation = "gelu"} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>, %y: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{input channels 3 do not match 1 groups of filters with 2 channels}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4x1x1xf32>, %y: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{bias must be one value per output channel}}
  %0 = kiln_rt.conv2d %x, %w bias(%b) outs(%y) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4x1x1xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @output_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{init has 8 positions in spatial dim 0, expected 6}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @output_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{has output padding but is not transposed}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) {output_padding = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// A transposed filter is [C, F / groups, KH, KW].
func.func @transposed_filter_rows(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x3x10x10xf32>) -> tensor<1x3x10x10xf32> {
  // expected-error @+1 {{transposed filter must have one row per input channel}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) {transposed} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x3x10x10xf32>) -> tensor<1x3x10x10xf32>
  return %0 : tensor<1x3x10x10xf32>
}

// -----

func.func @transposed_outputs(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x3x10x10xf32>) -> tensor<1x3x10x10xf32> {
  // expected-error @+1 {{output channels 3 do not match 2 groups of transposed filters with 3 outputs}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) {transposed, groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x3x10x10xf32>) -> tensor<1x3x10x10xf32>
  return %0 : tensor<1x3x10x10xf32>
}

// -----

func.func @transposed_output_size(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x3x16x16xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+1 {{init has 16 positions in spatial dim 0, expected 15}}
  %0 = kiln_rt.conv2d %x, %w outs(%y) {transposed, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x3x16x16xf32>) -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// -----

func.func @result_type(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %o: tensor<3x5xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{on tensors returns one result of init's type 'tensor<3x5xf32>'}}
  %0 = kiln_rt.matmul %a, %b outs(%o) : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @inner(%a: memref<3x4xf32>, %b: memref<5x5xf32>, %o: memref<3x5xf32>) {
  // expected-error @+1 {{lhs has 4 columns but rhs has 5 rows}}
  kiln_rt.matmul %a, %b outs(%o) : (memref<3x4xf32>, memref<5x5xf32>, memref<3x5xf32>) -> ()
  return
}

// -----

func.func @residual(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %r: memref<5x3xf32>, %o: memref<3x5xf32>) {
  // expected-error @+1 {{residual must have the shape of the result}}
  kiln_rt.matmul %a, %b residual(%r) outs(%o) : (memref<3x4xf32>, memref<4x5xf32>, memref<5x3xf32>, memref<3x5xf32>) -> ()
  return
}

// -----

func.func @accumulate_and_residual(%x: memref<1x8x8x4xf32>, %w: memref<4x4x1x1xf32>, %r: memref<1x8x8x4xf32>, %y: memref<1x8x8x4xf32>) {
  // expected-error @+1 {{accumulates into init: it takes no residual}}
  kiln_rt.conv2d %x, %w residual(%r) outs(%y) {accumulate, layout = "nhwc"} : (memref<1x8x8x4xf32>, memref<4x4x1x1xf32>, memref<1x8x8x4xf32>, memref<1x8x8x4xf32>) -> ()
  return
}

// -----

func.func @backward_filter_batch(%x: memref<2x3x8x8xf32>, %dy: memref<3x4x6x6xf32>, %dw: memref<4x3x3x3xf32>) {
  // expected-error @+1 {{input and output gradient must have the same batch}}
  kiln_rt.conv2d_backward_filter %x, %dy outs(%dw) : (memref<2x3x8x8xf32>, memref<3x4x6x6xf32>, memref<4x3x3x3xf32>) -> ()
  return
}

// -----

func.func @backward_filter_filters(%x: memref<2x3x8x8xf32>, %dy: memref<2x4x6x6xf32>, %dw: memref<5x3x3x3xf32>) {
  // expected-error @+1 {{init must have one filter per output gradient channel}}
  kiln_rt.conv2d_backward_filter %x, %dy outs(%dw) : (memref<2x3x8x8xf32>, memref<2x4x6x6xf32>, memref<5x3x3x3xf32>) -> ()
  return
}

// -----

func.func @backward_filter_channels(%x: memref<2x8x8x4xf32>, %dy: memref<2x6x6x4xf32>, %dw: memref<4x4x3x3xf32>) {
  // expected-error @+1 {{input channels 4 do not match 2 groups of filters with 4 channels}}
  kiln_rt.conv2d_backward_filter %x, %dy outs(%dw) {groups = 2 : i64, layout = "nhwc"} : (memref<2x8x8x4xf32>, memref<2x6x6x4xf32>, memref<4x4x3x3xf32>) -> ()
  return
}

// -----

func.func @backward_filter_positions(%x: memref<2x3x8x8xf32>, %dy: memref<2x4x8x8xf32>, %dw: memref<4x3x3x3xf32>) {
  // expected-error @+1 {{output gradient has 8 positions in spatial dim 0, expected 6}}
  kiln_rt.conv2d_backward_filter %x, %dy outs(%dw) : (memref<2x3x8x8xf32>, memref<2x4x8x8xf32>, memref<4x3x3x3xf32>) -> ()
  return
}

// -----

func.func @backward_filter_result(%x: tensor<2x3x8x8xf32>, %dy: tensor<2x4x6x6xf32>, %dw: tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32> {
  // expected-error @+1 {{on tensors returns one result of init's type 'tensor<4x3x3x3xf32>'}}
  %0 = kiln_rt.conv2d_backward_filter %x, %dy outs(%dw) : (tensor<2x3x8x8xf32>, tensor<2x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x2x2xf32>
  return %dw : tensor<4x3x3x3xf32>
}
