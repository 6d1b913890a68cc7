// Ops whose shape-like operands are inputs of the call (kiln-run-dynamic-shapes.test):
// the output sizes come from those values, and bad values are errors.
func.func @reshape(%x: tensor<2x3xf32> {kiln.name = "x"},
                   %shape: tensor<2xi64> {kiln.name = "shape"})
    -> (tensor<?x?xf32> {kiln.name = "y"}) {
  %0 = kiln.dynamic_reshape %x, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @expand(%x: tensor<3x1xf32> {kiln.name = "x"},
                  %shape: tensor<2xi64> {kiln.name = "shape"})
    -> (tensor<?x?xf32> {kiln.name = "y"}) {
  %0 = kiln.dynamic_broadcast_to %x, %shape : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @slice(%x: tensor<6xf32> {kiln.name = "x"},
                 %starts: tensor<1xi64> {kiln.name = "starts"},
                 %ends: tensor<1xi64> {kiln.name = "ends"},
                 %axes: tensor<1xi64> {kiln.name = "axes"},
                 %steps: tensor<1xi64> {kiln.name = "steps"})
    -> (tensor<?xf32> {kiln.name = "y"}) {
  %0 = kiln.dynamic_slice %x, %starts, %ends, %axes, %steps : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

func.func @range(%start: tensor<i64> {kiln.name = "start"},
                 %limit: tensor<i64> {kiln.name = "limit"},
                 %delta: tensor<i64> {kiln.name = "delta"})
    -> (tensor<?xi64> {kiln.name = "y"}) {
  %0 = kiln.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

func.func @split(%x: tensor<5xf32> {kiln.name = "x"},
                 %sizes: tensor<2xi64> {kiln.name = "sizes"})
    -> (tensor<?xf32> {kiln.name = "a"}, tensor<?xf32> {kiln.name = "b"}) {
  %0:2 = kiln.split %x, %sizes {axis = 0 : i64} : (tensor<5xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

func.func @squeeze(%x: tensor<?x3xf32> {kiln.name = "x"},
                   %axes: tensor<1xi64> {kiln.name = "axes"})
    -> (tensor<?xf32> {kiln.name = "y"}) {
  %0 = kiln.squeeze %x, %axes : (tensor<?x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

func.func @tile(%x: tensor<2xf32> {kiln.name = "x"},
                %repeats: tensor<1xi64> {kiln.name = "repeats"})
    -> (tensor<?xf32> {kiln.name = "y"}) {
  %0 = kiln.tile %x, %repeats : (tensor<2xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

func.func @pad(%x: tensor<3xf32> {kiln.name = "x"},
               %pads: tensor<2xi64> {kiln.name = "pads"})
    -> (tensor<?xf32> {kiln.name = "y"}) {
  %0 = kiln.dynamic_pad %x, %pads {mode = "reflect"} : (tensor<3xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// The declared size 4 is checked against the one the shape gives.
func.func @declared(%shape: tensor<1xi64> {kiln.name = "shape"})
    -> (tensor<4xf32> {kiln.name = "y"}) {
  %0 = kiln.constant_of_shape %shape {value = 2.0 : f32} : (tensor<1xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
