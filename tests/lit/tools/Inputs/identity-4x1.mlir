// Returns its [4, 1] input (through a relu, which leaves XOR's outputs as
// they are).
func.func @same(%y: tensor<4x1xf32> {kiln.name = "y"})
    -> (tensor<4x1xf32> {kiln.name = "z"}) {
  %0 = kiln.relu %y : tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}
