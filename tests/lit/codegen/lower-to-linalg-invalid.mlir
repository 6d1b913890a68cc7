// An op the lowering cannot handle fails the pass with its location, never silently.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file -verify-diagnostics

func.func @conv_dynamic_spatial(%x: tensor<1x4x?x?xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x?x?xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.conv'}}
  %0 = kiln.conv %x, %w : (tensor<1x4x?x?xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x?x?xf32>
  return %0 : tensor<1x6x?x?xf32>
}

// -----

func.func @pool_dynamic_spatial(%x: tensor<1x4x?x8xf32>) -> tensor<1x4x?x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.max_pool'}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x?x8xf32>) -> tensor<1x4x?x4xf32>
  return %0 : tensor<1x4x?x4xf32>
}
