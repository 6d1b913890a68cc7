// Verifier rules of kiln.random_uniform_like's optional seed_offset: a
// rank-0 tensor of signless i64, read at run time.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @offset_not_rank_0(%x: tensor<3xf32>, %offset: tensor<1xi64>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op seed_offset must be a rank-0 tensor<i64>, got 'tensor<1xi64>'}}
  %0 = kiln.random_uniform_like %x, %offset : (tensor<3xf32>, tensor<1xi64>) -> tensor<3xf64>
  return
}

// -----

func.func @offset_i32(%x: tensor<3xf32>, %offset: tensor<i32>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op seed_offset must be a rank-0 tensor<i64>, got 'tensor<i32>'}}
  %0 = kiln.random_uniform_like %x, %offset {seed = 3 : i64} : (tensor<3xf32>, tensor<i32>) -> tensor<3xf64>
  return
}

// -----

func.func @offset_unsigned(%x: tensor<3xf32>, %offset: tensor<ui64>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op seed_offset must be a rank-0 tensor<i64>, got 'tensor<ui64>'}}
  %0 = kiln.random_uniform_like %x, %offset : (tensor<3xf32>, tensor<ui64>) -> tensor<3xf64>
  return
}

// -----

func.func @offset_float(%x: tensor<3xf32>, %offset: tensor<f64>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op seed_offset must be a rank-0 tensor<i64>, got 'tensor<f64>'}}
  %0 = kiln.random_uniform_like %x, %offset : (tensor<3xf32>, tensor<f64>) -> tensor<3xf64>
  return
}

// -----

// The seed attribute keeps its range with an offset.
func.func @seed_too_large(%x: tensor<3xf32>, %offset: tensor<i64>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op seed must be in [0, 2^32), got 4294967296}}
  %0 = kiln.random_uniform_like %x, %offset {seed = 4294967296 : i64} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf64>
  return
}
