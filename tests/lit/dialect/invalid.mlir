// Every verifier rule of the kiln ops, one case each, with the message it reports.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// constant
//===----------------------------------------------------------------------===//

func.func @constant_dynamic_shape() {
  // A constant's shape must be static: a dynamic one cannot even be written.
  // expected-error @+1 {{elements literal type must have static shape}}
  %0 = kiln.constant dense<1.0> : tensor<?xf32>
  return
}

// -----

func.func @constant_result_type_differs() {
  // expected-error @+1 {{'kiln.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "kiln.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<?xf32>
  return
}

// -----

func.func @constant_not_a_tensor() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be ranked tensor of any type values, but got 'vector<2xf32>'}}
  %0 = kiln.constant dense<1.0> : vector<2xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

// -----

func.func @add_broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{kiln.add operand shapes [2, 3] and [4] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @sub_broadcast_mismatch(%a: tensor<?x3xf32>, %b: tensor<5x2xf32>) {
  // expected-error @+2 {{kiln.sub operand shapes [?, 3] and [5, 2] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.sub' op failed to infer returned types}}
  %0 = kiln.sub %a, %b : (tensor<?x3xf32>, tensor<5x2xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @mul_broadcast_mismatch(%a: tensor<3x1xi32>, %b: tensor<2x4xi32>) {
  // expected-error @+2 {{kiln.mul operand shapes [3, 1] and [2, 4] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.mul' op failed to infer returned types}}
  %0 = kiln.mul %a, %b : (tensor<3x1xi32>, tensor<2x4xi32>) -> tensor<3x4xi32>
  return
}

// -----

func.func @div_broadcast_mismatch(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{kiln.div operand shapes [2] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.div' op failed to infer returned types}}
  %0 = kiln.div %a, %b : (tensor<2xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @add_result_shape_incompatible(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @add_result_rank_incompatible(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<1x2x3xf32>'}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x2x3xf32>
  return
}

// -----

func.func @add_operand_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.add' op requires the same element type for all operands}}
  %0 = kiln.add %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @mul_result_element_type_differs(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.mul' op requires the same element type for all operands and results}}
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @sub_unranked(%a: tensor<*xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.sub' op operand #0 must be ranked tensor of floating-point or signless integer or unsigned integer values, but got 'tensor<*xf32>'}}
  %0 = kiln.sub %a, %b : (tensor<*xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @div_index_elements(%a: tensor<4xindex>, %b: tensor<4xindex>) {
  // expected-error @+1 {{'kiln.div' op operand #0 must be ranked tensor of floating-point or signless integer or unsigned integer values, but got 'tensor<4xindex>'}}
  %0 = kiln.div %a, %b : (tensor<4xindex>, tensor<4xindex>) -> tensor<4xindex>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops: floating point only
//===----------------------------------------------------------------------===//

// -----

func.func @tanh_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.tanh' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.tanh %x : tensor<4xi32>
  return
}

// -----

func.func @sigmoid_integer(%x: tensor<4xi8>) {
  // expected-error @+1 {{'kiln.sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = kiln.sigmoid %x : tensor<4xi8>
  return
}

// -----

func.func @tanh_integer(%x: tensor<4xi1>) {
  // expected-error @+1 {{'kiln.tanh' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi1>'}}
  %0 = kiln.tanh %x : tensor<4xi1>
  return
}

// -----

func.func @exp_integer(%x: tensor<4xi64>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = kiln.exp %x : tensor<4xi64>
  return
}

// -----

func.func @log_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.log' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.log %x : tensor<4xi32>
  return
}

// -----

func.func @relu_result_type_differs(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.relu' op requires the same type for all operands and results}}
  %0 = "kiln.relu"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @exp_result_element_type_differs(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.exp' op requires the same type for all operands and results}}
  %0 = "kiln.exp"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_rank_1(%a: tensor<4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{kiln.matmul operands must have rank 2 or more, got 1 and 2}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @matmul_rank_0_rhs(%a: tensor<3x4xf32>, %b: tensor<f32>) {
  // expected-error @+2 {{kiln.matmul operands must have rank 2 or more, got 2 and 0}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @matmul_contraction_mismatch(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+2 {{kiln.matmul contraction sizes differ: lhs [3, 4] has K = 4, rhs [5, 6] has K = 5}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) {
  // expected-error @+2 {{kiln.matmul batch dimensions of [2, 3, 4] and [5, 4, 6] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x3x6xf32>
  return
}

// -----

func.func @matmul_result_incompatible(%a: tensor<3x4xf32>, %b: tensor<4x6xf32>) {
  // expected-error @+2 {{'kiln.matmul' op inferred type(s) 'tensor<3x6xf32>' are incompatible with return type(s) of operation 'tensor<6x3xf32>'}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<6x3xf32>
  return
}

// -----

func.func @matmul_element_types_differ(%a: tensor<3x4xf32>, %b: tensor<4x6xf16>) {
  // expected-error @+1 {{'kiln.matmul' op requires the same element type for all operands and results}}
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x6xf16>) -> tensor<3x6xf32>
  return
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv2d_rank(%x: tensor<3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv expects an [N, C, spatial...] input with at least one spatial dimension and a [F, C / groups, kernel...] filter of the same rank}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<16x30x30xf32>
  return
}

// -----

func.func @conv2d_channel_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv input has 4 channels but the filter expects 3 x 1 groups = 3}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<1x4x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_channel_mismatch(%x: tensor<1x8x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv input has 8 channels but the filter expects 2 x 2 groups = 4}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {groups = 2 : i64} : (tensor<1x8x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_filters_not_divisible_by_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 6 filters cannot be split into 4 groups}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_overflow(%x: tensor<1x4x8x8xf32>, %w: tensor<0x4x3x3xf32>) {
  // 4 x (2^62 + 1) wraps around to 4 in int64: it must not match the 4 channels.
  // expected-error @+2 {{kiln.conv input has 4 channels but the filter expects 4 x 4611686018427387905 groups, which overflows int64}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {groups = 4611686018427387905 : i64} : (tensor<1x4x8x8xf32>, tensor<0x4x3x3xf32>) -> tensor<1x0x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+2 {{kiln.conv groups must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'strides' must have 2 entries, got 3}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'strides' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_padding_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'padding' must have 4 entries, got 2}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv2d_padding_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'padding' entries must be at least 0, got -1}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {padding = array<i64: 0, 0, 0, -1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x5xf32>
  return
}

// -----

func.func @conv2d_dilations_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'dilations' must have 2 entries, got 1}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @conv2d_dilations_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'dilations' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_filter_does_not_fit(%x: tensor<1x3x4x8xf32>, %w: tensor<4x3x5x3xf32>) {
  // expected-error @+2 {{kiln.conv filter [4, 3, 5, 3] does not fit the padded input [1, 3, 4, 8] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<1x3x4x8xf32>, tensor<4x3x5x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

func.func @conv2d_dilated_filter_does_not_fit(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // The dilated filter spans 4 * (3 - 1) + 1 = 9 columns, more than the input's 8.
  // expected-error @+2 {{kiln.conv filter [4, 3, 3, 3] does not fit the padded input [1, 3, 8, 8] in spatial dimension 1}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 4>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x1xf32>
  return
}

// -----

func.func @conv2d_huge_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // dilation * (kernel - 1) overflows int64: the filter cannot fit.
  // expected-error @+2 {{kiln.conv filter [4, 3, 3, 3] does not fit the padded input [1, 3, 8, 8] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 4611686018427387904, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32>
  return
}

// -----

func.func @conv2d_huge_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // input + padding overflows int64.
  // expected-error @+2 {{kiln.conv filter [4, 3, 3, 3] does not fit the padded input [1, 3, 8, 8] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {padding = array<i64: 9223372036854775807, 0, 9223372036854775807, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32>
  return
}

// -----

func.func @conv2d_result_incompatible(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x8x8xf32>'}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv2d_integer(%x: tensor<1x3x8x8xi32>, %w: tensor<4x3x3x3xi32>) {
  // expected-error @+1 {{'kiln.conv' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x3x8x8xi32>'}}
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8xi32>, tensor<4x3x3x3xi32>) -> tensor<1x4x6x6xi32>
  return
}

// -----

func.func @conv2d_element_types_differ(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{'kiln.conv' op requires the same element type for all operands and results}}
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

//===----------------------------------------------------------------------===//
// max_pool2d and avg_pool2d
//===----------------------------------------------------------------------===//

// -----

func.func @max_pool2d_rank(%x: tensor<16x8xf32>) {
  // expected-error @+2 {{kiln.max_pool expects an [N, C, spatial...] input with at least one spatial dimension}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>} : (tensor<16x8xf32>) -> tensor<16x7x7xf32>
  return
}

// -----

func.func @max_pool2d_missing_kernel_size(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool' op requires attribute 'kernel_size'}}
  %0 = kiln.max_pool %x : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  return
}

// -----

func.func @max_pool2d_kernel_size_length(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'kernel_size' must have 2 entries, got 1}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @max_pool2d_kernel_size_zero(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'kernel_size' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x9xf32>
  return
}

// -----

func.func @max_pool2d_strides_length(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'strides' must have 2 entries, got 4}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1, 2, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @max_pool2d_strides_negative(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'strides' entries must be at least 1, got -2}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: -2, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @max_pool2d_padding_length(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'padding' must have 4 entries, got 2}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  return
}

// -----

func.func @max_pool2d_dilations_length(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'dilations' must have 2 entries, got 3}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, dilations = array<i64: 1, 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @max_pool2d_dilations_zero(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool 'dilations' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, dilations = array<i64: 0, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @max_pool2d_padding_not_smaller_than_window(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.max_pool padding [0, 2, 0, 0] must be smaller than the window (2) in spatial dimension 1}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 2, 0, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x9xf32>
  return
}

// -----

func.func @max_pool2d_dilation_widens_window(%x: tensor<1x1x8x8xf32>) {
  // Padding 2 is allowed with a dilated window of 2 * (2 - 1) + 1 = 3 (the first op),
  // but not with an undilated one of 2 (the second).
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 2, 0, 2, 0>, dilations = array<i64: 2, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x10x7xf32>
  // expected-error @+2 {{kiln.max_pool padding [2, 0, 2, 0] must be smaller than the window (2) in spatial dimension 0}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %1 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 2, 0, 2, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x11x7xf32>
  return
}

// -----

func.func @max_pool2d_window_does_not_fit(%x: tensor<1x1x2x8xf32>) {
  // expected-error @+2 {{kiln.max_pool window [3, 3] does not fit the padded input [1, 1, 2, 8] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>} : (tensor<1x1x2x8xf32>) -> tensor<1x1x1x6xf32>
  return
}

// -----

func.func @max_pool2d_huge_dilation(%x: tensor<1x1x8x8xf32>) {
  // dilation * (kernel - 1) overflows int64: the window cannot fit.
  // expected-error @+2 {{kiln.max_pool window [3, 3] does not fit the padded input [1, 1, 8, 8] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, dilations = array<i64: 4611686018427387904, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x?x6xf32>
  return
}

// -----

func.func @max_pool2d_ceil_mode_result(%x: tensor<1x1x6x6xf32>) {
  // Ceil mode adds a window: ceil((6 - 3) / 2) + 1 = 3, not 2.
  // expected-error @+2 {{'kiln.max_pool' op inferred type(s) 'tensor<1x1x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x1x2x2xf32>'}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x6x6xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @avg_pool2d_rank(%x: tensor<8x8xf32>) {
  // expected-error @+2 {{kiln.avg_pool expects an [N, C, spatial...] input with at least one spatial dimension}}
  // expected-error @+1 {{'kiln.avg_pool' op failed to infer returned types}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2>} : (tensor<8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @avg_pool2d_padding_negative(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.avg_pool 'padding' entries must be at least 0, got -1}}
  // expected-error @+1 {{'kiln.avg_pool' op failed to infer returned types}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: -1, 0, 0, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x6x7xf32>
  return
}

// -----

func.func @avg_pool2d_padding_not_smaller_than_window(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{kiln.avg_pool padding [0, 0, 3, 0] must be smaller than the window (3) in spatial dimension 0}}
  // expected-error @+1 {{'kiln.avg_pool' op failed to infer returned types}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 0, 0, 3, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x9x6xf32>
  return
}

// -----

func.func @avg_pool2d_window_does_not_fit(%x: tensor<1x1x8x3xf32>) {
  // expected-error @+2 {{kiln.avg_pool window [2, 5] does not fit the padded input [1, 1, 8, 3] in spatial dimension 1}}
  // expected-error @+1 {{'kiln.avg_pool' op failed to infer returned types}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 5>, padding = array<i64: 0, 0, 0, 1>} : (tensor<1x1x8x3xf32>) -> tensor<1x1x7x1xf32>
  return
}

// -----

func.func @avg_pool2d_result_incompatible(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{'kiln.avg_pool' op inferred type(s) 'tensor<1x1x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x2x4x4xf32>'}}
  // expected-error @+1 {{'kiln.avg_pool' op failed to infer returned types}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x8x8xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_integer(%x: tensor<1x1x8x8xi8>) {
  // expected-error @+1 {{'kiln.avg_pool' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x1x8x8xi8>'}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x8x8xi8>) -> tensor<1x1x7x7xi8>
  return
}

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_two_inferred_dims(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.reshape shape [-1, 2, -1] has more than one -1}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: -1, 2, -1>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  return
}

// -----

func.func @reshape_wrong_element_count(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.reshape input [2, 3, 4] has 24 elements but shape [5, 5] has 25}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 5, 5>} : (tensor<2x3x4xf32>) -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_inferred_dim_not_integral(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.reshape cannot infer the -1 in [5, -1] for 24 elements}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 5, -1>} : (tensor<2x3x4xf32>) -> tensor<5x?xf32>
  return
}

// -----

func.func @reshape_inferred_dim_next_to_zero(%x: tensor<0x3xf32>) {
  // Any size would do for the -1: it is ambiguous.
  // expected-error @+2 {{kiln.reshape cannot infer the -1 in [0, -1] for 0 elements}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 0, -1>} : (tensor<0x3xf32>) -> tensor<0x?xf32>
  return
}

// -----

func.func @reshape_negative_entry(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.reshape shape entries must be -1 or non-negative, got -2}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: -2, -3>} : (tensor<2x3xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @reshape_shape_overflows(%x: tensor<?xf32>) {
  // expected-error @+2 {{kiln.reshape shape [4294967296, 4294967296] overflows int64}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 4294967296, 4294967296>} : (tensor<?xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_missing_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op requires attribute 'shape'}}
  %0 = kiln.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @reshape_result_incompatible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reshape' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 3, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_element_type_differs(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op requires the same element type for all operands and results}}
  %0 = kiln.reshape %x {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xi32>
  return
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_permutation_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.transpose permutation has 2 entries for rank 3}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  return
}

// -----

func.func @transpose_repeated_entry(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.transpose permutation [0, 2, 0] is not a permutation of [0, 3)}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x {permutation = array<i64: 0, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<2x4x2xf32>
  return
}

// -----

func.func @transpose_entry_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.transpose permutation [2, 0] is not a permutation of [0, 2)}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x {permutation = array<i64: 2, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_negative_entry(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.transpose permutation [-1, 0] is not a permutation of [0, 2)}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x {permutation = array<i64: -1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_result_incompatible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

// -----

func.func @concat_no_inputs() {
  // expected-error @+1 {{'kiln.concat' op expected 1 or more operands, but found 0}}
  %0 = kiln.concat {axis = 0 : i64} : () -> tensor<0xf32>
  return
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.concat axis 2 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_axis_negative(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.concat axis -1 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) {
  // expected-error @+2 {{kiln.concat input 1 does not have rank 2}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x?xf32>, %c: tensor<2x4xf32>) {
  // expected-error @+2 {{kiln.concat input 2 shape [2, 4] differs from the others in dimension 1}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b, %c {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x?xf32>, tensor<2x4xf32>) -> tensor<6x3xf32>
  return
}

// -----

func.func @concat_element_types_differ(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{'kiln.concat' op requires the same element type for all operands and results}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_result_incompatible(%a: tensor<2x3xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op inferred type(s) 'tensor<7x3xf32>' are incompatible with return type(s) of operation 'tensor<6x3xf32>'}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<6x3xf32>
  return
}

// -----

func.func @concat_size_overflows(%a: tensor<4611686018427387904xf32>) {
  // expected-error @+2 {{kiln.concat size of dimension 0 overflows int64}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %a, %a {axis = 0 : i64} : (tensor<4611686018427387904xf32>, tensor<4611686018427387904xf32>, tensor<4611686018427387904xf32>) -> tensor<?xf32>
  return
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_sum_empty_axes(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.reduce_sum axes must not be empty}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_sum_unsorted_axes(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.reduce_sum axes [2, 0] must be strictly increasing}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @reduce_mean_repeated_axes(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.reduce_mean axes [1, 1] must be strictly increasing}}
  // expected-error @+1 {{'kiln.reduce_mean' op failed to infer returned types}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @reduce_mean_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.reduce_mean axis 2 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.reduce_mean' op failed to infer returned types}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 0, 2>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @reduce_max_negative_axis(%x: tensor<2x3xi32>) {
  // expected-error @+2 {{kiln.reduce_max axis -1 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.reduce_max' op failed to infer returned types}}
  %0 = kiln.reduce_max %x {axes = array<i64: -1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  return
}

// -----

func.func @reduce_max_keep_dims_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reduce_max' op inferred type(s) 'tensor<2x1xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{'kiln.reduce_max' op failed to infer returned types}}
  %0 = kiln.reduce_max %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reduce_sum_result_incompatible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reduce_sum' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @reduce_mean_integer(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'kiln.reduce_mean' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi32>'}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  return
}

// -----

func.func @reduce_sum_element_type_differs(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'kiln.reduce_sum' op requires the same element type for all operands and results}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi64>
  return
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_axis_out_of_range(%x: tensor<32x10xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for rank 2 (must be in [0, rank))}}
  %0 = kiln.softmax %x {axis = 2 : i64} : tensor<32x10xf32>
  return
}

// -----

func.func @softmax_axis_negative(%x: tensor<32x10xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis -1 is out of range for rank 2 (must be in [0, rank))}}
  %0 = kiln.softmax %x {axis = -1 : i64} : tensor<32x10xf32>
  return
}

// -----

func.func @softmax_rank_0(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 0 is out of range for rank 0 (must be in [0, rank))}}
  %0 = kiln.softmax %x {axis = 0 : i64} : tensor<f32>
  return
}

// -----

func.func @softmax_integer(%x: tensor<4x10xi32>) {
  // expected-error @+1 {{'kiln.softmax' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4x10xi32>'}}
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<4x10xi32>
  return
}

// -----

func.func @softmax_result_type_differs(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'kiln.softmax' op requires the same type for all operands and results}}
  %0 = "kiln.softmax"(%x) <{axis = 1 : i64}> : (tensor<4x10xf32>) -> tensor<4x11xf32>
  return
}
