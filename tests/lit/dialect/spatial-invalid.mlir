// Every verifier rule of the spatial family's ops that the 2-D cases in
// invalid.mlir do not already cover, one case each, with the message it
// reports.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// conv, conv_transpose and pooling in N-D
//===----------------------------------------------------------------------===//

func.func @conv_no_spatial_dim(%x: tensor<1x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{kiln.conv expects an [N, C, spatial...] input with at least one spatial dimension and a [F, C / groups, kernel...] filter of the same rank}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @conv_filter_rank(%x: tensor<1x3x8x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv expects an [N, C, spatial...] input with at least one spatial dimension and a [F, C / groups, kernel...] filter of the same rank}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6x6xf32>
  return
}

// -----

func.func @conv_3d_strides_length(%x: tensor<1x3x8x8x8xf32>, %w: tensor<4x3x3x3x3xf32>) {
  // A 2-D window on a 3-D input.
  // expected-error @+2 {{kiln.conv 'strides' must have 3 entries, got 2}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<1x3x8x8x8xf32>, tensor<4x3x3x3x3xf32>) -> tensor<1x4x3x3x3xf32>
  return
}

// -----

func.func @conv_1d_padding_length(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{kiln.conv 'padding' must have 2 entries, got 4}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @conv_3d_does_not_fit(%x: tensor<1x3x8x8x2xf32>, %w: tensor<4x3x3x3x3xf32>) {
  // expected-error @+2 {{kiln.conv filter [4, 3, 3, 3, 3] does not fit the padded input [1, 3, 8, 8, 2] in spatial dimension 2}}
  // expected-error @+1 {{'kiln.conv' op failed to infer returned types}}
  %0 = kiln.conv %x, %w : (tensor<1x3x8x8x2xf32>, tensor<4x3x3x3x3xf32>) -> tensor<1x4x6x6x1xf32>
  return
}

// -----

func.func @conv_filter_gradient_rank(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient expects an [N, C, spatial...] input with at least one spatial dimension and an [N, F, spatial...] output gradient of the same rank}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>}
      : (tensor<1x3x8x8xf32>, tensor<1x4x6xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_kernel_length(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x6x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient 'kernel' must have 2 entries, got 1}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3>}
      : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_kernel_zero(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x9x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient 'kernel' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 0, 3>}
      : (tensor<1x3x8x8xf32>, tensor<1x4x9x6xf32>) -> tensor<4x3x0x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_groups_zero(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x6x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient groups must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, groups = 0 : i64}
      : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_batch(%x: tensor<2x3x8x8xf32>, %dy: tensor<3x4x6x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient input has batch 2 but the output gradient has batch 3}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>}
      : (tensor<2x3x8x8xf32>, tensor<3x4x6x6xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_input_channels_groups(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x6x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient input has 3 channels, which cannot be split into 2 groups}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, groups = 2 : i64}
      : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x1x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_filters_groups(%x: tensor<1x4x8x8xf32>, %dy: tensor<1x3x6x6xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient output gradient has 3 channels (filters), which cannot be split into 2 groups}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, groups = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<1x3x6x6xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_does_not_fit(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x1x1xf32>) {
  // expected-error @+2 {{kiln.conv_filter_gradient kernel [9, 9] does not fit the padded input [1, 3, 8, 8] in spatial dimension 0}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 9, 9>}
      : (tensor<1x3x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<4x3x9x9xf32>
  return
}

// -----

func.func @conv_filter_gradient_output_size(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x8x8xf32>) {
  // The output gradient of a 3x3 stride-2 convolution of 8x8 with padding 1 is 4x4.
  // expected-error @+2 {{kiln.conv_filter_gradient output gradient [1, 4, 8, 8] has 8 positions in spatial dimension 0 but the convolution of input [1, 3, 8, 8] has 4}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_filter_gradient_result_type(%x: tensor<1x4x8x8xf32>, %dy: tensor<1x6x6x6xf32>) {
  // The result is [F, C / groups, kernel...].
  // expected-error @+2 {{'kiln.conv_filter_gradient' op inferred type(s) 'tensor<6x2x3x3xf32>' are incompatible with return type(s) of operation 'tensor<6x4x3x3xf32>'}}
  // expected-error @+1 {{'kiln.conv_filter_gradient' op failed to infer returned types}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>, groups = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<1x6x6x6xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @conv_transpose_filter_rank(%x: tensor<1x4x3x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose expects an [N, C, spatial...] input with at least one spatial dimension and a [C, F / groups, kernel...] filter of the same rank}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w : (tensor<1x4x3x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5x5xf32>
  return
}

// -----

func.func @conv_transpose_output_padding_length(%x: tensor<1x4x3xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+2 {{kiln.conv_transpose 'output_padding' must have 1 entries, got 2}}
  // expected-error @+1 {{'kiln.conv_transpose' op failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {output_padding = array<i64: 1, 0>} : (tensor<1x4x3xf32>, tensor<4x2x3xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @max_pool_no_spatial_dim(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{kiln.max_pool expects an [N, C, spatial...] input with at least one spatial dimension}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4x7xf32>
  return
}

// -----

func.func @max_pool_3d_kernel_length(%x: tensor<1x1x4x4x4xf32>) {
  // expected-error @+2 {{kiln.max_pool 'kernel_size' must have 3 entries, got 2}}
  // expected-error @+1 {{'kiln.max_pool' op failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x3x3xf32>
  return
}

// -----

func.func @max_pool_bool(%x: tensor<1x1x4x4xi1>) {
  // expected-error @+1 {{'kiln.max_pool' op operand #0 must be ranked tensor of floating-point or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values, but got 'tensor<1x1x4x4xi1>'}}
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4xi1>) -> tensor<1x1x3x3xi1>
  return
}

// -----

func.func @avg_pool_3d_padding_too_large(%x: tensor<1x1x4x4x4xf32>) {
  // expected-error @+2 {{kiln.avg_pool padding [0, 0, 2, 0, 0, 0] must be smaller than the window (2) in spatial dimension 2}}
  // expected-error @+1 {{'kiln.avg_pool' op failed to infer returned types}}
  %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2, 2>, padding = array<i64: 0, 0, 2, 0, 0, 0>} : (tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x3x5xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// max_pool_with_indices
//===----------------------------------------------------------------------===//

func.func @max_pool_with_indices_window(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{kiln.max_pool_with_indices 'strides' entries must be at least 1, got 0}}
  // expected-error @+1 {{'kiln.max_pool_with_indices' op failed to infer returned types}}
  %0:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 0, 1>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xi64>)
  return
}

// -----

func.func @max_pool_with_indices_index_type(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{'kiln.max_pool_with_indices' op result #1 must be ranked tensor of 64-bit signless integer values, but got 'tensor<1x1x3x3xi32>'}}
  %0:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xi32>)
  return
}

// -----

func.func @max_pool_with_indices_result_shape(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'kiln.max_pool_with_indices' op inferred type(s) 'tensor<1x1x3x3xf32>', 'tensor<1x1x3x3xi64>' are incompatible with return type(s) of operation 'tensor<1x1x3x3xf32>', 'tensor<1x1x2x2xi64>'}}
  // expected-error @+1 {{'kiln.max_pool_with_indices' op failed to infer returned types}}
  %0:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x2x2xi64>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// grid_sample
//===----------------------------------------------------------------------===//

func.func @grid_sample_rank(%x: tensor<1x1x4x4x4xf32>, %g: tensor<1x2x2x2xf32>) {
  // expected-error @+2 {{kiln.grid_sample expects an [N, C, H, W] input and an [N, HO, WO, 2] grid}}
  // expected-error @+1 {{'kiln.grid_sample' op failed to infer returned types}}
  %0 = kiln.grid_sample %x, %g : (tensor<1x1x4x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @grid_sample_components(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x3xf32>) {
  // expected-error @+2 {{kiln.grid_sample grid must end in a dimension of 2 (x, y), got [1, 2, 2, 3]}}
  // expected-error @+1 {{'kiln.grid_sample' op failed to infer returned types}}
  %0 = kiln.grid_sample %x, %g : (tensor<1x1x4x4xf32>, tensor<1x2x2x3xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @grid_sample_batch(%x: tensor<2x1x4x4xf32>, %g: tensor<3x2x2x2xf32>) {
  // expected-error @+2 {{kiln.grid_sample input [2, 1, 4, 4] and grid [3, 2, 2, 2] have different batch sizes}}
  // expected-error @+1 {{'kiln.grid_sample' op failed to infer returned types}}
  %0 = kiln.grid_sample %x, %g : (tensor<2x1x4x4xf32>, tensor<3x2x2x2xf32>) -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @grid_sample_mode(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) {
  // expected-error @+2 {{kiln.grid_sample mode must be "bilinear", "nearest" or "bicubic", got "linear"}}
  // expected-error @+1 {{'kiln.grid_sample' op failed to infer returned types}}
  %0 = kiln.grid_sample %x, %g {mode = "linear"} : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @grid_sample_padding_mode(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) {
  // expected-error @+2 {{kiln.grid_sample padding_mode must be "zeros", "border" or "reflection", got "edge"}}
  // expected-error @+1 {{'kiln.grid_sample' op failed to infer returned types}}
  %0 = kiln.grid_sample %x, %g {padding_mode = "edge"} : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @grid_sample_element_types(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf16>) {
  // expected-error @+1 {{'kiln.grid_sample' op requires the same element type for all operands and results}}
  %0 = kiln.grid_sample %x, %g : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf16>) -> tensor<1x1x2x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// roi_align
//===----------------------------------------------------------------------===//

func.func @roi_align_rank(%x: tensor<1x1x4x4xf32>, %r: tensor<4xf32>, %b: tensor<1xi64>) {
  // expected-error @+2 {{kiln.roi_align expects an [N, C, H, W] input, [R, 4] rois and [R] batch indices}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b : (tensor<1x1x4x4xf32>, tensor<4xf32>, tensor<1xi64>) -> tensor<1x1x1x1xf32>
  return
}

// -----

func.func @roi_align_columns(%x: tensor<1x1x4x4xf32>, %r: tensor<2x5xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.roi_align rois must have 4 columns (x1, y1, x2, y2), got [2, 5]}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b : (tensor<1x1x4x4xf32>, tensor<2x5xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return
}

// -----

func.func @roi_align_box_count(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<3xi64>) {
  // expected-error @+2 {{kiln.roi_align has 2 rois but 3 batch indices}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x1x1x1xf32>
  return
}

// -----

func.func @roi_align_roi_type(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf64>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.roi_align rois must have the input's element type}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b : (tensor<1x1x4x4xf32>, tensor<2x4xf64>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return
}

// -----

func.func @roi_align_mode(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.roi_align mode must be "avg" or "max", got "sum"}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {mode = "sum"} : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return
}

// -----

func.func @roi_align_output_size(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.roi_align output_height and output_width must be at least 1, got 0 and 2}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {output_height = 0 : i64, output_width = 2 : i64} : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x0x2xf32>
  return
}

// -----

func.func @roi_align_sampling_ratio(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.roi_align sampling_ratio must not be negative, got -1}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {sampling_ratio = -1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return
}

// -----

func.func @roi_align_spatial_scale(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{kiln.roi_align spatial_scale must be positive and finite, got 0}}
  // expected-error @+1 {{'kiln.roi_align' op failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {spatial_scale = 0.0 : f64} : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return
}

// -----

func.func @roi_align_batch_index_type(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.roi_align' op operand #2 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = kiln.roi_align %x, %r, %b : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x1x1x1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// dft
//===----------------------------------------------------------------------===//

func.func @dft_rank(%x: tensor<8xf32>) {
  // expected-error @+2 {{kiln.dft expects an input of rank 2 or more whose last dimension holds real or complex values}}
  // expected-error @+1 {{'kiln.dft' op failed to infer returned types}}
  %0 = kiln.dft %x {axis = 0 : i64} : (tensor<8xf32>) -> tensor<8x2xf32>
  return
}

// -----

func.func @dft_components(%x: tensor<8x3xf32>) {
  // expected-error @+2 {{kiln.dft input's last dimension must be 1 (real) or 2 (complex), got [8, 3]}}
  // expected-error @+1 {{'kiln.dft' op failed to infer returned types}}
  %0 = kiln.dft %x {axis = 0 : i64} : (tensor<8x3xf32>) -> tensor<8x2xf32>
  return
}

// -----

func.func @dft_axis_is_last(%x: tensor<8x2xf32>) {
  // expected-error @+2 {{kiln.dft axis 1 is out of range for rank 2 (must be in [0, rank - 1): the last dimension holds the components)}}
  // expected-error @+1 {{'kiln.dft' op failed to infer returned types}}
  %0 = kiln.dft %x {axis = 1 : i64} : (tensor<8x2xf32>) -> tensor<8x2xf32>
  return
}

// -----

func.func @dft_onesided_complex(%x: tensor<8x2xf32>) {
  // expected-error @+2 {{kiln.dft onesided needs a real input (last dimension 1): a complex signal's spectrum has no redundant half}}
  // expected-error @+1 {{'kiln.dft' op failed to infer returned types}}
  %0 = kiln.dft %x {axis = 0 : i64, onesided = true} : (tensor<8x2xf32>) -> tensor<5x2xf32>
  return
}

// -----

func.func @dft_empty_signal(%x: tensor<0x1xf32>) {
  // expected-error @+2 {{kiln.dft the signal along axis 0 is empty}}
  // expected-error @+1 {{'kiln.dft' op failed to infer returned types}}
  %0 = kiln.dft %x {axis = 0 : i64} : (tensor<0x1xf32>) -> tensor<0x2xf32>
  return
}

// -----

func.func @dft_integer(%x: tensor<8x1xi32>) {
  // expected-error @+1 {{'kiln.dft' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<8x1xi32>'}}
  %0 = kiln.dft %x {axis = 0 : i64} : (tensor<8x1xi32>) -> tensor<8x2xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// det
//===----------------------------------------------------------------------===//

func.func @det_rank(%x: tensor<4xf32>) {
  // expected-error @+2 {{kiln.det expects [..., M, M] square matrices}}
  // expected-error @+1 {{'kiln.det' op failed to infer returned types}}
  %0 = kiln.det %x : (tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @det_not_square(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{kiln.det expects square matrices, got [2, 3, 4]}}
  // expected-error @+1 {{'kiln.det' op failed to infer returned types}}
  %0 = kiln.det %x : (tensor<2x3x4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @det_result_shape(%x: tensor<2x3x3xf32>) {
  // expected-error @+2 {{'kiln.det' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'kiln.det' op failed to infer returned types}}
  %0 = kiln.det %x : (tensor<2x3x3xf32>) -> tensor<3xf32>
  return
}
