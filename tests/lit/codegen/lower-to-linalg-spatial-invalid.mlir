// The spatial family's lowerings that need static shapes fail the pass with the
// op's location when they get dynamic ones, and max pooling on unsigned
// integers (which the lowering would compare as signed) is rejected up front.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file -verify-diagnostics

func.func @conv_3d_grouped_dynamic_spatial(%x: tensor<1x4x?x5x5xf32>, %w: tensor<4x2x3x3x3xf32>) -> tensor<1x4x?x3x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.conv'}}
  %0 = kiln.conv %x, %w {groups = 2 : i64} : (tensor<1x4x?x5x5xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x?x3x3xf32>
  return %0 : tensor<1x4x?x3x3xf32>
}

// -----

func.func @avg_pool_3d_dynamic_spatial(%x: tensor<1x1x?x4x4xf32>) -> tensor<1x1x?x3x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.avg_pool'}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2, 2>} : (tensor<1x1x?x4x4xf32>) -> tensor<1x1x?x3x3xf32>
  return %0 : tensor<1x1x?x3x3xf32>
}

// -----

func.func @max_pool_with_indices_dynamic(%x: tensor<?x1x4x4xf32>) -> (tensor<?x1x3x3xf32>, tensor<?x1x3x3xi64>) {
  // expected-error @+1 {{failed to legalize operation 'kiln.max_pool_with_indices'}}
  %0:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>} : (tensor<?x1x4x4xf32>) -> (tensor<?x1x3x3xf32>, tensor<?x1x3x3xi64>)
  return %0#0, %0#1 : tensor<?x1x3x3xf32>, tensor<?x1x3x3xi64>
}

// -----

func.func @grid_sample_dynamic(%x: tensor<1x1x?x4xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.grid_sample'}}
  %0 = kiln.grid_sample %x, %g : (tensor<1x1x?x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @roi_align_dynamic(%x: tensor<1x1x4x4xf32>, %r: tensor<?x4xf32>, %b: tensor<?xi64>) -> tensor<?x1x1x1xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.roi_align'}}
  %0 = kiln.roi_align %x, %r, %b : (tensor<1x1x4x4xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x1x1x1xf32>
  return %0 : tensor<?x1x1x1xf32>
}

// -----

func.func @dft_dynamic(%x: tensor<?x8x1xf32>) -> tensor<?x8x2xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.dft'}}
  %0 = kiln.dft %x {axis = 1 : i64} : (tensor<?x8x1xf32>) -> tensor<?x8x2xf32>
  return %0 : tensor<?x8x2xf32>
}

// -----

func.func @det_dynamic(%x: tensor<?x3x3xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.det'}}
  %0 = kiln.det %x : (tensor<?x3x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @max_pool_unsigned(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8> {
  // expected-error @+1 {{'kiln.max_pool' op on unsigned integer types is not supported by the CPU lowering yet; cast the operands to a signed type first}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8>
  return %0 : tensor<1x1x3x3xui8>
}
