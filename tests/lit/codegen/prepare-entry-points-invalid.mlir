// Signatures the runtime cannot call are rejected with the function's location.
// RUN: kiln-opt %s -kiln-prepare-entry-points -split-input-file -verify-diagnostics

// Generated code does not check yet that dynamic dims agree at run time.
// expected-error @+1 {{input #0 of @dynamic_input has type 'tensor<?x10xf32>' with a dynamic shape; the CPU back end needs static shapes for now: specialize the dynamic dimensions}}
func.func @dynamic_input(%x: tensor<?x10xf32>) -> tensor<4x10xf32> {
  %0 = tensor.cast %x : tensor<?x10xf32> to tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// expected-error @+1 {{output #0 of @dynamic_output has type 'tensor<?x10xf32>' with a dynamic shape}}
func.func @dynamic_output(%x: tensor<4x10xf32>) -> tensor<?x10xf32> {
  %0 = tensor.cast %x : tensor<4x10xf32> to tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
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
