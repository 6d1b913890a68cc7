// Integer inputs passed through a kiln op, for kiln-run-int-inputs.test.
func.func @pass(%x: tensor<2xi64>, %y: tensor<2xi8>, %b: tensor<2xi1>) -> (tensor<2xi64>, tensor<2xi8>, tensor<2xi1>) {
  %0 = kiln.reshape %x {shape = array<i64: 2>} : (tensor<2xi64>) -> tensor<2xi64>
  %1 = kiln.reshape %y {shape = array<i64: 2>} : (tensor<2xi8>) -> tensor<2xi8>
  %2 = kiln.reshape %b {shape = array<i64: 2>} : (tensor<2xi1>) -> tensor<2xi1>
  return %0, %1, %2 : tensor<2xi64>, tensor<2xi8>, tensor<2xi1>
}
