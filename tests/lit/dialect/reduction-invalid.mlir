// Every verifier rule of the reduction family's ops and of conv2d_transpose, one
// case each, with the message it reports.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// reduce_min, reduce_prod
//===----------------------------------------------------------------------===//

func.func @reduce_min_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.reduce_min axis 2 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.reduce_min' op failed to infer returned types}}
  %0 = kiln.reduce_min %x {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reduce_prod_unsorted_axes(%x: tensor<2x3x4xi32>) {
  // expected-error @+2 {{kiln.reduce_prod axes [1, 0] must be strictly increasing}}
  // expected-error @+1 {{'kiln.reduce_prod' op failed to infer returned types}}
  %0 = kiln.reduce_prod %x {axes = array<i64: 1, 0>} : (tensor<2x3x4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @reduce_prod_element_type(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'kiln.reduce_prod' op requires the same element type for all operands and results}}
  %0 = "kiln.reduce_prod"(%x) <{axes = array<i64: 1>, keep_dims = false}> : (tensor<2x3xi32>) -> tensor<2xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// arg_max, arg_min
//===----------------------------------------------------------------------===//

func.func @arg_max_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.arg_max axis -1 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.arg_max' op failed to infer returned types}}
  %0 = kiln.arg_max %x {axis = -1 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return
}

// -----

func.func @arg_min_empty_dim(%x: tensor<2x0xf32>) {
  // expected-error @+2 {{kiln.arg_min dimension 1 of [2, 0] is empty: there is no element to pick}}
  // expected-error @+1 {{'kiln.arg_min' op failed to infer returned types}}
  %0 = kiln.arg_min %x {axis = 1 : i64} : (tensor<2x0xf32>) -> tensor<2xi64>
  return
}

// -----

func.func @arg_max_result_not_i64(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.arg_max' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = kiln.arg_max %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi32>
  return
}

// -----

func.func @arg_max_keep_dims_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.arg_max' op inferred type(s) 'tensor<2x1xi64>' are incompatible with return type(s) of operation 'tensor<2xi64>'}}
  // expected-error @+1 {{'kiln.arg_max' op failed to infer returned types}}
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = true} : (tensor<2x3xf32>) -> tensor<2xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// cumsum
//===----------------------------------------------------------------------===//

func.func @cumsum_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.cumsum' op axis 2 is out of range for rank 2 (must be in [0, rank))}}
  %0 = kiln.cumsum %x {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @cumsum_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.cumsum' op axis 0 is out of range for rank 0 (must be in [0, rank))}}
  %0 = kiln.cumsum %x {axis = 0 : i64} : tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// top_k
//===----------------------------------------------------------------------===//

func.func @top_k_too_many(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.top_k k = 4 must be in [0, 3], the size of dimension 1 of [2, 3]}}
  // expected-error @+1 {{'kiln.top_k' op failed to infer returned types}}
  %0:2 = kiln.top_k %x {k = 4 : i64, axis = 1 : i64} : (tensor<2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xi64>)
  return
}

// -----

func.func @top_k_negative(%x: tensor<2x?xf32>) {
  // expected-error @+2 {{kiln.top_k k = -1 must not be negative}}
  // expected-error @+1 {{'kiln.top_k' op failed to infer returned types}}
  %0:2 = kiln.top_k %x {k = -1 : i64, axis = 1 : i64} : (tensor<2x?xf32>) -> (tensor<2x?xf32>, tensor<2x?xi64>)
  return
}

// -----

func.func @top_k_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.top_k axis 2 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.top_k' op failed to infer returned types}}
  %0:2 = kiln.top_k %x {k = 1 : i64, axis = 2 : i64} : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x1xi64>)
  return
}

// -----

func.func @top_k_indices_type(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.top_k' op inferred type(s) 'tensor<2x1xf32>', 'tensor<2x1xi64>' are incompatible with return type(s) of operation 'tensor<2x1xf32>', 'tensor<2x2xi64>'}}
  // expected-error @+1 {{'kiln.top_k' op failed to infer returned types}}
  %0:2 = kiln.top_k %x {k = 1 : i64, axis = 1 : i64} : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xi64>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// conv2d_transpose
//===----------------------------------------------------------------------===//

func.func @conv2d_transpose_rank(%x: tensor<1x4x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose expects an [N, C, spatial...] input with at least one spatial dimension and a [C, F / groups, kernel...] filter of the same rank}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w : (tensor<1x4x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv2d_transpose_channels(%x: tensor<1x4x3x3xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose input has 4 channels but the filter is for 3}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w : (tensor<1x4x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv2d_transpose_groups(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose 4 channels cannot be split into 3 groups}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {groups = 3 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x6x5x5xf32>
  return
}

// -----

func.func @conv2d_transpose_zero_groups(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose groups must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {groups = 0 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv2d_transpose_negative_output_padding(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose 'output_padding' entries must be at least 0, got -1}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {output_padding = array<i64: -1, 0>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x4x5xf32>
  return
}

// -----

func.func @conv2d_transpose_zero_stride(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose 'strides' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {strides = array<i64: 0, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x3x5xf32>
  return
}

// -----

func.func @conv2d_transpose_padding_eats_output(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose padding [3, 0, 2, 0] leaves no output of input [1, 4, 3, 3] and filter [4, 2, 3, 3] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {padding = array<i64: 3, 0, 2, 0>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x1x5xf32>
  return
}

// -----

func.func @conv2d_transpose_overflow(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose padding [0, 0, 0, 0] leaves no output of input [1, 4, 3, 3] and filter [4, 2, 3, 3] in spatial dimension 1}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {strides = array<i64: 1, 9223372036854775807>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv2d_transpose_integer(%x: tensor<1x4x3x3xi32>, %w: tensor<4x2x3x3xi32>) {
  // expected-error @+1 {{'kiln.conv_transpose' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x4x3x3xi32>'}}
  %0 = kiln.conv_transpose %x, %w : (tensor<1x4x3x3xi32>, tensor<4x2x3x3xi32>) -> tensor<1x2x5x5xi32>
  return
}
