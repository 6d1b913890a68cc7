// Every verifier rule of the data movement ops (slice, pad, broadcast_to, the gathers
// and scatters, resize), one case each, with the message it reports.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

func.func @slice_wrong_length(%x: tensor<6x4xf32>) {
  // expected-error @+2 {{kiln.slice offsets, sizes and steps must have one entry per dimension (2), got 1, 2 and 2}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: 1, 1>, steps = array<i64: 1, 1>} : (tensor<6x4xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<6xf32>) {
  // expected-error @+2 {{kiln.slice step of dimension 0 is 0}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: 1>, steps = array<i64: 0>} : (tensor<6xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @slice_past_the_end(%x: tensor<6xf32>) {
  // The last element read would be 1 + 3 * 2 = 7.
  // expected-error @+2 {{kiln.slice reads outside dimension 0 of size 6: offset 1, size 4, step 2}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 1>, sizes = array<i64: 4>, steps = array<i64: 2>} : (tensor<6xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @slice_backwards_past_the_start(%x: tensor<6xf32>) {
  // expected-error @+2 {{kiln.slice reads outside dimension 0 of size 6: offset 2, size 4, step -1}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 2>, sizes = array<i64: 4>, steps = array<i64: -1>} : (tensor<6xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @slice_offset_outside(%x: tensor<6xf32>) {
  // expected-error @+2 {{kiln.slice reads outside dimension 0 of size 6: offset 6, size 1, step 1}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 6>, sizes = array<i64: 1>, steps = array<i64: 1>} : (tensor<6xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @slice_overflowing_step(%x: tensor<6xf32>) {
  // 1 * 9223372036854775807 overflows nothing, but offset + it does.
  // expected-error @+2 {{kiln.slice reads outside dimension 0 of size 6}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 5>, sizes = array<i64: 2>, steps = array<i64: 9223372036854775807>} : (tensor<6xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @slice_whole_needs_unit_step(%x: tensor<6xf32>) {
  // expected-error @+2 {{kiln.slice size -1 (the whole dimension 0) needs offset 0 and step 1, got offset 0 and step 2}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: -1>, steps = array<i64: 2>} : (tensor<6xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @slice_negative_size(%x: tensor<6xf32>) {
  // expected-error @+2 {{kiln.slice size of dimension 0 must be -1 or non-negative, got -2}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: -2>, steps = array<i64: 1>} : (tensor<6xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @slice_part_of_dynamic_dim(%x: tensor<?xf32>) {
  // expected-error @+2 {{kiln.slice dimension 0 is dynamic: it can only be taken whole (size -1), its bounds cannot be checked}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 1>, sizes = array<i64: 2>, steps = array<i64: 1>} : (tensor<?xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @slice_wrong_result(%x: tensor<6xf32>) {
  // expected-error @+2 {{'kiln.slice' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: 3>, steps = array<i64: 2>} : (tensor<6xf32>) -> tensor<2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.pad 'low' entries must be at least 0, got -1}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0, -1>, high = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @pad_wrong_length(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.pad 'high' must have 2 entries, got 1}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @pad_unknown_mode(%x: tensor<3xf32>) {
  // expected-error @+2 {{kiln.pad mode must be "constant", "reflect" or "edge", got "wrap"}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 1>, mode = "wrap"} : (tensor<3xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @pad_reflect_too_far(%x: tensor<3xf32>) {
  // Reflection does not repeat the edge, so 3 elements reflect at most 2.
  // expected-error @+2 {{kiln.pad reflect pad 3 of dimension 0 must be smaller than its size 3}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 3>, high = array<i64: 0>, mode = "reflect"} : (tensor<3xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @pad_edge_of_empty(%x: tensor<0xf32>) {
  // expected-error @+2 {{kiln.pad cannot pad empty dimension 0 with its edge}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0>, high = array<i64: 2>, mode = "edge"} : (tensor<0xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @pad_value_wrong_type(%x: tensor<3xf32>) {
  // expected-error @+2 {{kiln.pad value type 'f64' differs from the element type 'f32'}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 1>, value = 1.0 : f64} : (tensor<3xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @pad_value_with_reflect(%x: tensor<3xf32>) {
  // expected-error @+2 {{kiln.pad value is only used by mode "constant", not "reflect"}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 1>, mode = "reflect", value = 1.0 : f32} : (tensor<3xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @pad_overflow(%x: tensor<3xf32>) {
  // expected-error @+2 {{kiln.pad size of dimension 0 overflows int64}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 9223372036854775807>, high = array<i64: 0>} : (tensor<3xf32>) -> tensor<?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// broadcast_to
//===----------------------------------------------------------------------===//

func.func @broadcast_incompatible(%x: tensor<3x2xf32>) {
  // expected-error @+2 {{kiln.broadcast_to cannot broadcast [3, 2] to [3, 4]}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 3, 4>} : (tensor<3x2xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @broadcast_to_lower_rank(%x: tensor<1x3xf32>) {
  // expected-error @+2 {{kiln.broadcast_to cannot broadcast rank 2 to the lower rank 1}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 3>} : (tensor<1x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_dynamic_input(%x: tensor<?xf32>) {
  // expected-error @+2 {{kiln.broadcast_to input [?] must have a static shape}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 4>} : (tensor<?xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @broadcast_negative_shape(%x: tensor<1xf32>) {
  // expected-error @+2 {{kiln.broadcast_to 'shape' entries must be at least 0, got -1}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: -1>} : (tensor<1xf32>) -> tensor<?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// gather, gather_elements, gather_nd
//===----------------------------------------------------------------------===//

func.func @gather_axis_out_of_range(%x: tensor<3x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{kiln.gather axis 2 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.gather' op failed to infer returned types}}
  %0 = kiln.gather %x, %i {axis = 2} : (tensor<3x5xf32>, tensor<2xi64>) -> tensor<3x5x2xf32>
  return
}

// -----

func.func @gather_float_indices(%x: tensor<3xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = kiln.gather %x, %i {axis = 0} : (tensor<3xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_from_empty(%x: tensor<0x2xf32>, %i: tensor<1xi64>) {
  // No index, not even a clamped one, can address an empty dimension.
  // expected-error @+2 {{kiln.gather cannot take indices of empty dimension 0}}
  // expected-error @+1 {{'kiln.gather' op failed to infer returned types}}
  %0 = kiln.gather %x, %i {axis = 0} : (tensor<0x2xf32>, tensor<1xi64>) -> tensor<1x2xf32>
  return
}

// -----

func.func @gather_wrong_result(%x: tensor<3x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.gather' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x5xf32>'}}
  // expected-error @+1 {{'kiln.gather' op failed to infer returned types}}
  %0 = kiln.gather %x, %i {axis = 1} : (tensor<3x5xf32>, tensor<2xi64>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<3x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{kiln.gather_elements indices [2] must have the rank of data [3, 5]}}
  // expected-error @+1 {{'kiln.gather_elements' op failed to infer returned types}}
  %0 = kiln.gather_elements %x, %i {axis = 0} : (tensor<3x5xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_elements_larger(%x: tensor<3x5xf32>, %i: tensor<4x5xi64>) {
  // Only the gathered axis may be larger.
  // expected-error @+2 {{kiln.gather_elements indices [4, 5] are larger than data [3, 5] in dimension 0}}
  // expected-error @+1 {{'kiln.gather_elements' op failed to infer returned types}}
  %0 = kiln.gather_elements %x, %i {axis = 1} : (tensor<3x5xf32>, tensor<4x5xi64>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gather_nd_depth(%x: tensor<2x3xf32>, %i: tensor<4x3xi64>) {
  // expected-error @+2 {{kiln.gather_nd the last dimension of indices [4, 3] must be static and in [1, 2]}}
  // expected-error @+1 {{'kiln.gather_nd' op failed to infer returned types}}
  %0 = kiln.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_nd_dynamic_depth(%x: tensor<2x3xf32>, %i: tensor<4x?xi64>) {
  // expected-error @+2 {{kiln.gather_nd the last dimension of indices [4, ?] must be static and in [1, 2]}}
  // expected-error @+1 {{'kiln.gather_nd' op failed to infer returned types}}
  %0 = kiln.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x?xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_nd_batch_dims(%x: tensor<2x3xf32>, %i: tensor<2x1xi64>) {
  // expected-error @+2 {{kiln.gather_nd batch_dims 2 must be in [0, min(rank(data), rank(indices)))}}
  // expected-error @+1 {{'kiln.gather_nd' op failed to infer returned types}}
  %0 = kiln.gather_nd %x, %i {batch_dims = 2} : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_batch_mismatch(%x: tensor<2x3xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+2 {{kiln.gather_nd batch dimension 0 differs between data [2, 3] and indices [3, 1]}}
  // expected-error @+1 {{'kiln.gather_nd' op failed to infer returned types}}
  %0 = kiln.gather_nd %x, %i {batch_dims = 1} : (tensor<2x3xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// scatter_elements, scatter_nd
//===----------------------------------------------------------------------===//

func.func @scatter_elements_reduction(%x: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{kiln.scatter_elements reduction must be "none", "add" or "mul", got "max"}}
  // expected-error @+1 {{'kiln.scatter_elements' op failed to infer returned types}}
  %0 = kiln.scatter_elements %x, %i, %u {axis = 0, reduction = "max"} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @scatter_elements_shapes(%x: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<3xf32>) {
  // expected-error @+2 {{kiln.scatter_elements updates [3] and indices [2] must have the same shape}}
  // expected-error @+1 {{'kiln.scatter_elements' op failed to infer returned types}}
  %0 = kiln.scatter_elements %x, %i, %u {axis = 0} : (tensor<3xf32>, tensor<2xi64>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @scatter_elements_types(%x: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf16>) {
  // expected-error @+2 {{kiln.scatter_elements updates element type 'f16' differs from data's 'f32'}}
  // expected-error @+1 {{'kiln.scatter_elements' op failed to infer returned types}}
  %0 = kiln.scatter_elements %x, %i, %u {axis = 0} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @scatter_elements_axis(%x: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{kiln.scatter_elements axis -1 is out of range for rank 1 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.scatter_elements' op failed to infer returned types}}
  %0 = kiln.scatter_elements %x, %i, %u {axis = -1} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @scatter_nd_updates_shape(%x: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+2 {{kiln.scatter_nd updates [2, 3] must have shape indices.shape[:-1] + data.shape[k:] = [2, 4]}}
  // expected-error @+1 {{'kiln.scatter_nd' op failed to infer returned types}}
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @scatter_nd_depth(%x: tensor<4xf32>, %i: tensor<2x2xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{kiln.scatter_nd the last dimension of indices [2, 2] must be static and in [1, 1]}}
  // expected-error @+1 {{'kiln.scatter_nd' op failed to infer returned types}}
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<4xf32>, tensor<2x2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

func.func @resize_mode(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.resize mode must be "nearest", "linear" or "cubic", got "area"}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {mode = "area", scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_linear_integers(%x: tensor<4xi32>) {
  // expected-error @+2 {{kiln.resize mode "linear" needs a floating-point element type, got 'i32'}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {mode = "linear", scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xi32>) -> tensor<8xi32>
  return
}

// -----

func.func @resize_transform(%x: tensor<4xf32>) {
  // half_pixel_symmetric came with opset 18.
  // expected-error @+2 {{kiln.resize coordinate_transformation_mode "half_pixel_symmetric" is not one of half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {coordinate_transformation_mode = "half_pixel_symmetric", scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_nearest_mode(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.resize nearest_mode "round" is not one of round_prefer_floor, round_prefer_ceil, floor, ceil}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {nearest_mode = "round", scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_dynamic(%x: tensor<?xf32>) {
  // expected-error @+2 {{kiln.resize input [?] must have a static shape}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<?xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_scale(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.resize scales must be positive and finite, got 0}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {scales = array<f64: 0.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_sizes(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.resize 'sizes' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {scales = array<f64: 1.0>, sizes = array<i64: 0>} : (tensor<4xf32>) -> tensor<0xf32>
  return
}

// -----

func.func @resize_scales_length(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.resize 'scales' must have 1 entries, got 2}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_crop_without_roi(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.resize tf_crop_and_resize needs 'roi' with 2 entries (starts, then ends)}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {coordinate_transformation_mode = "tf_crop_and_resize", scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @resize_empty(%x: tensor<0xf32>) {
  // expected-error @+2 {{kiln.resize cannot resize empty dimension 0}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {scales = array<f64: 2.0>, sizes = array<i64: 2>} : (tensor<0xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @broadcast_too_many_elements(%x: tensor<1xf32>) {
  // expected-error @+2 {{kiln.broadcast_to result shape [4294967296, 4294967296] has more elements than int64 can count}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 4294967296, 4294967296>} : (tensor<1xf32>) -> tensor<4294967296x4294967296xf32>
  return
}

// -----

func.func @pad_too_many_elements(%x: tensor<1x1xf32>) {
  // expected-error @+2 {{kiln.pad result shape [4294967297, 4294967297] has more elements than int64 can count}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 4294967296, 4294967296>, high = array<i64: 0, 0>} : (tensor<1x1xf32>) -> tensor<4294967297x4294967297xf32>
  return
}

// -----

func.func @scatter_add_unsigned(%x: tensor<3xui8>, %i: tensor<2xi64>, %u: tensor<2xui8>) {
  // expected-error @+2 {{kiln.scatter_elements reduction "add" needs a float or signless integer element type, got 'ui8'}}
  // expected-error @+1 {{'kiln.scatter_elements' op failed to infer returned types}}
  %0 = kiln.scatter_elements %x, %i, %u {axis = 0, reduction = "add"} : (tensor<3xui8>, tensor<2xi64>, tensor<2xui8>) -> tensor<3xui8>
  return
}

// -----

func.func @resize_index_elements(%x: tensor<4xindex>) {
  // expected-error @+2 {{kiln.resize needs an integer or float element type, got 'index'}}
  // expected-error @+1 {{'kiln.resize' op failed to infer returned types}}
  %0 = kiln.resize %x {scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xindex>) -> tensor<8xindex>
  return
}
