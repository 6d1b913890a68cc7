// kiln.random_uniform_like with a run-time seed offset (a training step, say)
// and with the seed alone (kiln-run-random-seed-offset.test).
func.func @step_draws(%x: tensor<700xf32> {kiln.name = "x"},
                      %step: tensor<i64> {kiln.name = "step"})
    -> (tensor<700xf64> {kiln.name = "u"}) {
  %0 = kiln.random_uniform_like %x, %step {seed = 3 : i64} : (tensor<700xf32>, tensor<i64>) -> tensor<700xf64>
  return %0 : tensor<700xf64>
}

func.func @seed_draws(%x: tensor<700xf32> {kiln.name = "x"})
    -> (tensor<700xf64> {kiln.name = "u"}) {
  %0 = kiln.random_uniform_like %x {seed = 3 : i64} : (tensor<700xf32>) -> tensor<700xf64>
  return %0 : tensor<700xf64>
}
