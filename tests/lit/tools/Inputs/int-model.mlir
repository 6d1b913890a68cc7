// Doubles an i32 vector.
func.func @double(%a: tensor<3xi32> {kiln.name = "a"})
    -> (tensor<3xi32> {kiln.name = "b"}) {
  %0 = kiln.add %a, %a : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
