// Three convolutions in a row with a residual addition around the last two:
// kiln-compile --report shows their intermediate buffers sharing an arena.
func.func @forward(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %w = arith.constant dense<0.01> : tensor<8x8x3x3xf32>
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %1 = kiln.relu %0 : tensor<1x8x16x16xf32>
  %2 = kiln.conv %1, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %3 = kiln.relu %2 : tensor<1x8x16x16xf32>
  %4 = kiln.conv %3, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %5 = kiln.add %4, %1 : (tensor<1x8x16x16xf32>, tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %6 = kiln.sigmoid %5 : tensor<1x8x16x16xf32>
  return %6 : tensor<1x8x16x16xf32>
}
