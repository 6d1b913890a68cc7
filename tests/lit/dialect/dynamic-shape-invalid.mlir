// Verifier rules of the ops with run-time shape operands, one case each, with the
// message it reports. What only the operand's values decide is checked at run time
// instead (tests/lit/tools/kiln-run-dynamic-shapes.test).
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @reshape_shape_not_1d(%x: tensor<6xf32>, %s: tensor<2x1xi64>) {
  // expected-error @+2 {{kiln.dynamic_reshape shape must be a 1-D tensor of static length, got 'tensor<2x1xi64>'}}
  // expected-error @+1 {{'kiln.dynamic_reshape' op failed to infer returned types}}
  %0 = kiln.dynamic_reshape %x, %s : (tensor<6xf32>, tensor<2x1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_shape_dynamic_length(%x: tensor<6xf32>, %s: tensor<?xi64>) {
  // expected-error @+2 {{kiln.dynamic_reshape shape must be a 1-D tensor of static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{'kiln.dynamic_reshape' op failed to infer returned types}}
  %0 = kiln.dynamic_reshape %x, %s : (tensor<6xf32>, tensor<?xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @reshape_wrong_rank(%x: tensor<6xf32>, %s: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.dynamic_reshape' op inferred type(s) 'tensor<?x?xf32>' are incompatible with return type(s) of operation 'tensor<?x?x?xf32>'}}
  // expected-error @+1 {{'kiln.dynamic_reshape' op failed to infer returned types}}
  %0 = kiln.dynamic_reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?x?xf32>
  return
}

// -----

func.func @reshape_shape_float(%x: tensor<6xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.dynamic_reshape %x, %s : (tensor<6xf32>, tensor<2xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @squeeze_too_many_axes(%x: tensor<1xf32>, %a: tensor<2xi64>) {
  // expected-error @+2 {{kiln.squeeze cannot remove 2 dims from rank 1}}
  // expected-error @+1 {{'kiln.squeeze' op failed to infer returned types}}
  %0 = kiln.squeeze %x, %a : (tensor<1xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @broadcast_static_conflict(%x: tensor<3x1xf32>, %s: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.dynamic_broadcast_to' op inferred type(s) 'tensor<3x?xf32>' are incompatible with return type(s) of operation 'tensor<4x?xf32>'}}
  // expected-error @+1 {{'kiln.dynamic_broadcast_to' op failed to infer returned types}}
  %0 = kiln.dynamic_broadcast_to %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<4x?xf32>
  return
}

// -----

func.func @tile_wrong_length(%x: tensor<2x3xf32>, %r: tensor<3xi64>) {
  // expected-error @+2 {{kiln.tile repeats has 3 entries for rank 2}}
  // expected-error @+1 {{'kiln.tile' op failed to infer returned types}}
  %0 = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_lengths_differ(%x: tensor<4x4xf32>, %a: tensor<1xi64>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.dynamic_slice starts, ends, axes and steps must have the same length}}
  // expected-error @+1 {{'kiln.dynamic_slice' op failed to infer returned types}}
  %0 = kiln.dynamic_slice %x, %a, %a, %b, %a : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_too_many_axes(%x: tensor<4xf32>, %a: tensor<2xi64>) {
  // expected-error @+2 {{kiln.dynamic_slice slices 2 axes of a rank-1 tensor}}
  // expected-error @+1 {{'kiln.dynamic_slice' op failed to infer returned types}}
  %0 = kiln.dynamic_slice %x, %a, %a, %a, %a : (tensor<4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @split_axis_out_of_range(%x: tensor<6xf32>, %s: tensor<2xi64>) {
  // expected-error @+2 {{kiln.split axis 1 is out of range for rank 1}}
  // expected-error @+1 {{'kiln.split' op failed to infer returned types}}
  %0:2 = kiln.split %x, %s {axis = 1 : i64} : (tensor<6xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_result_count(%x: tensor<6xf32>, %s: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.split' op inferred type(s) 'tensor<?xf32>', 'tensor<?xf32>' are incompatible with return type(s) of operation 'tensor<?xf32>', 'tensor<?xf32>', 'tensor<?xf32>'}}
  // expected-error @+1 {{'kiln.split' op failed to infer returned types}}
  %0:3 = kiln.split %x, %s {axis = 0 : i64} : (tensor<6xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @pad_wrong_length(%x: tensor<2x3xf32>, %p: tensor<2xi64>) {
  // expected-error @+2 {{kiln.dynamic_pad pads has 2 entries for rank 2 (needs 2 * rank)}}
  // expected-error @+1 {{'kiln.dynamic_pad' op failed to infer returned types}}
  %0 = kiln.dynamic_pad %x, %p : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_value_with_reflect(%x: tensor<3xf32>, %p: tensor<2xi64>, %v: tensor<f32>) {
  // expected-error @+2 {{kiln.dynamic_pad value is only used by mode "constant"}}
  // expected-error @+1 {{'kiln.dynamic_pad' op failed to infer returned types}}
  %0 = kiln.dynamic_pad %x, %p, %v {mode = "reflect"} : (tensor<3xf32>, tensor<2xi64>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @pad_value_two_elements(%x: tensor<3xf32>, %p: tensor<2xi64>, %v: tensor<2xf32>) {
  // expected-error @+2 {{kiln.dynamic_pad value must be a tensor of one element (rank 0 or [1]), got 'tensor<2xf32>'}}
  // expected-error @+1 {{'kiln.dynamic_pad' op failed to infer returned types}}
  %0 = kiln.dynamic_pad %x, %p, %v : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @pad_bad_mode(%x: tensor<3xf32>, %p: tensor<2xi64>) {
  // expected-error @+2 {{kiln.dynamic_pad mode must be "constant", "reflect" or "edge", got "wrap"}}
  // expected-error @+1 {{'kiln.dynamic_pad' op failed to infer returned types}}
  %0 = kiln.dynamic_pad %x, %p {mode = "wrap"} : (tensor<3xf32>, tensor<2xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @constant_of_shape_type(%s: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.constant_of_shape' op inferred type(s) 'tensor<?x?xf32>' are incompatible with return type(s) of operation 'tensor<?x?xi32>'}}
  // expected-error @+1 {{'kiln.constant_of_shape' op failed to infer returned types}}
  %0 = kiln.constant_of_shape %s {value = 0.0 : f32} : (tensor<2xi64>) -> tensor<?x?xi32>
  return
}

// -----

func.func @range_mixed_types(%a: tensor<f32>, %b: tensor<i32>) {
  // expected-error @+2 {{kiln.range start, limit and delta must have the same element type}}
  // expected-error @+1 {{'kiln.range' op failed to infer returned types}}
  %0 = kiln.range %a, %b, %a : (tensor<f32>, tensor<i32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @range_not_scalar(%a: tensor<2xf32>) {
  // expected-error @+2 {{kiln.range start must be a tensor of one element (rank 0 or [1]), got 'tensor<2xf32>'}}
  // expected-error @+1 {{'kiln.range' op failed to infer returned types}}
  %0 = kiln.range %a, %a, %a : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @reduce_no_axes(%x: tensor<3x2xf32>, %a: tensor<0xi64>) {
  // expected-error @+2 {{kiln.dynamic_reduce_sum needs 1 to 2 axes, got 0}}
  // expected-error @+1 {{'kiln.dynamic_reduce_sum' op failed to infer returned types}}
  %0 = kiln.dynamic_reduce_sum %x, %a : (tensor<3x2xf32>, tensor<0xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @cumsum_two_axes(%x: tensor<2x3xf32>, %a: tensor<2xi64>) {
  // expected-error @+1 {{kiln.dynamic_cumsum axis must be a tensor of one element (rank 0 or [1]), got 'tensor<2xi64>'}}
  %0 = kiln.dynamic_cumsum %x, %a : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @cumsum_scalar(%x: tensor<f32>, %a: tensor<i64>) {
  // expected-error @+1 {{'kiln.dynamic_cumsum' op needs an input of rank 1 or more}}
  %0 = kiln.dynamic_cumsum %x, %a : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @resize_scales_and_sizes(%x: tensor<4xf32>, %s: tensor<1xf32>, %z: tensor<1xi64>) {
  // expected-error @+2 {{kiln.dynamic_resize needs exactly one of scales and sizes}}
  // expected-error @+1 {{'kiln.dynamic_resize' op failed to infer returned types}}
  %0 = kiln.dynamic_resize %x scales(%s) sizes(%z) : (tensor<4xf32>, tensor<1xf32>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @resize_crop_without_roi(%x: tensor<4xf32>, %z: tensor<1xi64>) {
  // expected-error @+2 {{kiln.dynamic_resize tf_crop_and_resize needs roi}}
  // expected-error @+1 {{'kiln.dynamic_resize' op failed to infer returned types}}
  %0 = kiln.dynamic_resize %x sizes(%z) {coordinate_transformation_mode = "tf_crop_and_resize"} : (tensor<4xf32>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @resize_linear_integers(%x: tensor<4xi32>, %z: tensor<1xi64>) {
  // expected-error @+2 {{kiln.dynamic_resize mode "linear" cannot resize elements of type 'i32'}}
  // expected-error @+1 {{'kiln.dynamic_resize' op failed to infer returned types}}
  %0 = kiln.dynamic_resize %x sizes(%z) {mode = "linear"} : (tensor<4xi32>, tensor<1xi64>) -> tensor<?xi32>
  return
}

// -----

func.func @resize_wrong_length(%x: tensor<4x4xf32>, %z: tensor<1xi64>) {
  // expected-error @+2 {{kiln.dynamic_resize needs 2 scales or sizes, got 1}}
  // expected-error @+1 {{'kiln.dynamic_resize' op failed to infer returned types}}
  %0 = kiln.dynamic_resize %x sizes(%z) : (tensor<4x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @random_seed_too_large(%x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op seed must be in [0, 2^32), got 4294967296}}
  %0 = kiln.random_uniform_like %x {seed = 4294967296 : i64} : (tensor<3xf32>) -> tensor<3xf64>
  return
}

// -----

func.func @random_not_f64(%x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.random_uniform_like' op result #0 must be ranked tensor of 64-bit float values, but got 'tensor<3xf32>'}}
  %0 = kiln.random_uniform_like %x : (tensor<3xf32>) -> tensor<3xf32>
  return
}
