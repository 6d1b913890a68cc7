// A two-layer perceptron that computes XOR, with weights set by hand:
//   h = relu(x W1 + b1),  y = sigmoid(10 * (h W2 - 0.5))
// h1 = relu(x1 + x2) and h2 = relu(x1 + x2 - 1), so h W2 = h1 - 2 h2 is exactly
// x1 XOR x2, and the sigmoid turns it into a confident probability.
//
//   kiln-run examples/embed/model/xor.mlir --input x=0,0,0,1,1,0,1,1
//
// (A copy of examples/xor/xor.mlir, so that this example stands alone.)
func.func @predict(%x: tensor<4x2xf32> {kiln.name = "x"})
    -> (tensor<4x1xf32> {kiln.name = "p"}) {
  %w1 = kiln.constant dense<[[1.0, 1.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %b1 = kiln.constant dense<[0.0, -1.0]> : tensor<2xf32>
  %w2 = kiln.constant dense<[[1.0], [-2.0]]> : tensor<2x1xf32>
  %half = kiln.constant dense<0.5> : tensor<1xf32>
  %scale = kiln.constant dense<10.0> : tensor<1xf32>
  %0 = kiln.matmul %x, %w1 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = kiln.add %0, %b1 : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %h = kiln.relu %1 : tensor<4x2xf32>
  %2 = kiln.matmul %h, %w2 : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
  %3 = kiln.sub %2, %half : (tensor<4x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
  %4 = kiln.mul %3, %scale : (tensor<4x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
  %p = kiln.sigmoid %4 : tensor<4x1xf32>
  return %p : tensor<4x1xf32>
}
