// The reduction family's lowering refuses what it cannot handle with the op's
// location, never silently.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file -verify-diagnostics

func.func @conv2d_transpose_dynamic_spatial(%x: tensor<1x4x?x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x?x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.conv_transpose'}}
  %0 = kiln.conv_transpose %x, %w : (tensor<1x4x?x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x?x5xf32>
  return %0 : tensor<1x2x?x5xf32>
}

// -----

func.func @conv2d_transpose_dynamic_filter(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x?x3xf32>) -> tensor<1x2x?x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.conv_transpose'}}
  %0 = kiln.conv_transpose %x, %w : (tensor<1x4x3x3xf32>, tensor<4x2x?x3xf32>) -> tensor<1x2x?x5xf32>
  return %0 : tensor<1x2x?x5xf32>
}

// -----

func.func @conv2d_transpose_grouped_dynamic_batch(%x: tensor<?x4x3x3xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<?x2x5x5xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.conv_transpose'}}
  %0 = kiln.conv_transpose %x, %w {groups = 2 : i64} : (tensor<?x4x3x3xf32>, tensor<4x1x3x3xf32>) -> tensor<?x2x5x5xf32>
  return %0 : tensor<?x2x5x5xf32>
}
