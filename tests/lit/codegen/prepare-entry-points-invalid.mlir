// Signatures the runtime cannot call are rejected with the function's location.
// RUN: kiln-opt %s -kiln-prepare-entry-points -split-input-file -verify-diagnostics

// expected-error @+1 {{input #0 of @wrong_dim_names has 1 kiln.dim_names for rank 2}}
func.func @wrong_dim_names(%x: tensor<?x10xf32> {kiln.dim_names = ["batch"]}) -> tensor<?x10xf32> {
  return %x : tensor<?x10xf32>
}

// -----

// expected-error @+1 {{input #0 of @scalar_argument has type 'f32'; entry points take and return ranked tensors}}
func.func @scalar_argument(%x: f32) -> tensor<1xf32> {
  %0 = tensor.from_elements %x : tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// expected-error @+1 {{input #0 of @complex_input has element type 'complex<f32>', which the runtime does not support}}
func.func @complex_input(%x: tensor<2xcomplex<f32>>) -> tensor<2xcomplex<f32>> {
  return %x : tensor<2xcomplex<f32>>
}

// -----

// expected-error @+1 {{two inputs of @same_names are both named 'x'}}
func.func @same_names(%a: tensor<2xf32> {kiln.name = "x"}, %b: tensor<2xf32> {kiln.name = "x"}) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

// -----

// expected-error @+1 {{input #0 of @too_high_rank has rank 17; the runtime supports up to 16}}
func.func @too_high_rank(%x: tensor<1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1xf32>) -> tensor<1xf32> {
  %0 = tensor.empty() : tensor<1xf32>
  return %0 : tensor<1xf32>
}
