// RUN: kiln-opt %s -split-input-file -kiln-lower-to-linalg -verify-diagnostics

// A range's element count divides by delta, which depends on signedness: on
// unsigned types it is rejected with the usual message rather than computed
// as if signed.
func.func @range_unsigned(%a: tensor<ui8>, %b: tensor<ui8>, %c: tensor<ui8>) -> tensor<?xui8> {
  // expected-error @+1 {{'kiln.range' op on unsigned integer types is not supported by the CPU lowering yet; cast the operands to a signed type first}}
  %0 = kiln.range %a, %b, %c : (tensor<ui8>, tensor<ui8>, tensor<ui8>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

