// kiln-expand-filter-gradients needs static channel and spatial sizes (as the
// gradient rules that build the op do); the batch may be dynamic.
// RUN: kiln-opt %s -kiln-expand-filter-gradients -split-input-file -verify-diagnostics

func.func @dynamic_spatial(%x: tensor<1x3x?x8xf32>, %dy: tensor<1x4x?x6xf32>) -> tensor<4x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv_filter_gradient' op cannot be expanded: it needs static channel and spatial sizes, got 'tensor<1x3x?x8xf32>' and 'tensor<1x4x?x6xf32>'}}
  %0 = kiln.conv_filter_gradient %x, %dy {kernel = array<i64: 3, 3>}
      : (tensor<1x3x?x8xf32>, tensor<1x4x?x6xf32>) -> tensor<4x3x3x3xf32>
  return %0 : tensor<4x3x3x3xf32>
}
