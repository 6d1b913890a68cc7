// Every verifier rule of the elementwise family's ops, one case each, with the message
// it reports.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @add_signed_integers(%a: tensor<4xsi8>) {
  // Explicitly signed integers are not a kiln element type (signless ones are).
  // expected-error @+1 {{'kiln.add' op operand #0 must be ranked tensor of floating-point or signless integer or unsigned integer values, but got 'tensor<4xsi8>'}}
  %0 = kiln.add %a, %a : (tensor<4xsi8>, tensor<4xsi8>) -> tensor<4xsi8>
  return
}

// -----

func.func @add_mixed_signedness(%a: tensor<4xui8>, %b: tensor<4xi8>) {
  // expected-error @+1 {{'kiln.add' op requires the same element type for all operands}}
  %0 = kiln.add %a, %b : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xui8>
  return
}

// -----

func.func @max_broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{kiln.max operand shapes [2, 3] and [2] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.max' op failed to infer returned types}}
  %0 = kiln.max %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @min_wrong_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.min' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'kiln.min' op failed to infer returned types}}
  %0 = kiln.min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @mod_float_without_fmod(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.mod' op on floats requires fmod = true (C fmod semantics), got element type 'f32'}}
  %0 = kiln.mod %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @bit_shift_float(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.bit_shift' op operand #0 must be ranked tensor of signless integer or unsigned integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.bit_shift left, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @bit_shift_bad_direction(%a: tensor<4xui8>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'direction' [left, right]}}
  %0 = kiln.bit_shift up, %a, %a : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return
}

// -----

func.func @and_on_integers(%a: tensor<4xi8>) {
  // expected-error @+1 {{'kiln.and' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = kiln.and %a, %a : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @not_on_floats(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.not %a : tensor<4xf32>
  return
}

// -----

func.func @compare_mixed_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'kiln.compare' op requires the same element type for all operands}}
  %0 = kiln.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xi1>
  return
}

// -----

func.func @compare_float_result(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.compare' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.compare lt, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_bad_predicate(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, lt, le, gt, ge]}}
  %0 = kiln.compare ne, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @select_condition_not_bool(%c: tensor<4xi8>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = kiln.select %c, %a, %a : (tensor<4xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_value_types_differ(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.select' op failed to verify that all of {true_value, false_value, result} have same element type}}
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_broadcast_mismatch(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{kiln.select operand shapes [2], [3] and [4] are not broadcast-compatible}}
  // expected-error @+1 {{'kiln.select' op failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<2xi1>, tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_to_signed(%a: tensor<4xf32>) {
  // expected-error @+1 {{kiln.cast target must be a float, a signless or unsigned integer type or !kiln.string, got 'si32'}}
  %0 = kiln.cast %a to si32 : tensor<4xf32>
  return
}

// -----

func.func @cast_to_index(%a: tensor<4xf32>) {
  // expected-error @+1 {{kiln.cast target must be a float, a signless or unsigned integer type or !kiln.string, got 'index'}}
  %0 = kiln.cast %a to index : tensor<4xf32>
  return
}

// -----

func.func @cast_wrong_result(%a: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.cast' op inferred type(s) 'tensor<4xi32>' are incompatible with return type(s) of operation 'tensor<4xi64>'}}
  // expected-error @+1 {{'kiln.cast' op failed to infer returned types}}
  %0 = "kiln.cast"(%a) {to = i32} : (tensor<4xf32>) -> tensor<4xi64>
  return
}

// -----

func.func @sqrt_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.sqrt' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.sqrt %a : tensor<4xi32>
  return
}

// -----

func.func @is_nan_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.is_nan' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.is_nan %a : tensor<4xi32>
  return
}

// -----

func.func @is_inf_float_result(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.is_inf' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = "kiln.is_inf"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @neg_index(%a: tensor<4xindex>) {
  // expected-error @+1 {{'kiln.neg' op operand #0 must be ranked tensor of floating-point or signless integer or unsigned integer values, but got 'tensor<4xindex>'}}
  %0 = kiln.neg %a : tensor<4xindex>
  return
}
