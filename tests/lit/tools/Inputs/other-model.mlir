// A model with a `predict` function whose signature is not XOR's.
func.func @predict(%x: tensor<3xf32> {kiln.name = "x"})
    -> (tensor<3xf32> {kiln.name = "p"}) {
  %0 = kiln.relu %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
