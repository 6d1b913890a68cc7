// A kiln op on unsigned integers whose lowering would read them as signed is rejected
// before anything is rewritten, with a message that says what to do.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file -verify-diagnostics

func.func @reduce_max_unsigned(%x: tensor<4x8xui8>) -> tensor<4xui8> {
  // expected-error @+1 {{'kiln.reduce_max' op on unsigned integer types is not supported by the CPU lowering yet; cast the operands to a signed type first}}
  %0 = kiln.reduce_max %x {axes = array<i64: 1>} : (tensor<4x8xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}
