// One f32 output and one bf16 output (which .npy has no dtype for).
func.func @halves(%x: tensor<2xf32> {kiln.name = "x"}, %y: tensor<2xbf16> {kiln.name = "y"})
    -> (tensor<2xf32> {kiln.name = "f"}, tensor<2xbf16> {kiln.name = "h"}) {
  %0 = kiln.relu %x : tensor<2xf32>
  %1 = kiln.relu %y : tensor<2xbf16>
  return %0, %1 : tensor<2xf32>, tensor<2xbf16>
}
