// A kiln op on string tensors that has no string lowering is rejected before anything
// is rewritten, with a message naming it (string constants would need the runtime to
// own their text).
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file -verify-diagnostics

func.func @string_constant() -> tensor<2x!kiln.string> {
  // expected-error @+1 {{'kiln.constant' op on string tensors is not supported by the CPU lowering yet (strings convert to and from floats with kiln.cast)}}
  %0 = kiln.constant dense<["a", "b"]> : tensor<2x!kiln.string>
  return %0 : tensor<2x!kiln.string>
}
