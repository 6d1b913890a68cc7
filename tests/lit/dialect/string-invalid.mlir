// The verifier's rules for string tensors, one case each: strings convert only to and
// from f32, f64 and integers of 8 to 64 bits, arithmetic does not take them, and the type has no parameters.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @bool_to_string(%x: tensor<4xi1>) {
  // expected-error @+1 {{kiln.cast converts strings only to and from f32, f64 and integers of 8 to 64 bits, not 'i1'}}
  %0 = kiln.cast %x to !kiln.string : tensor<4xi1>
  return
}

// -----

func.func @string_to_bool(%s: tensor<4x!kiln.string>) {
  // expected-error @+1 {{kiln.cast converts strings only to and from f32, f64 and integers of 8 to 64 bits, not 'i1'}}
  %0 = kiln.cast %s to i1 : tensor<4x!kiln.string>
  return
}

// -----

func.func @string_to_half(%s: tensor<4x!kiln.string>) {
  // expected-error @+1 {{kiln.cast converts strings only to and from f32, f64 and integers of 8 to 64 bits, not 'f16'}}
  %0 = kiln.cast %s to f16 : tensor<4x!kiln.string>
  return
}

// -----

func.func @add_strings(%s: tensor<4x!kiln.string>) {
  // expected-error @+1 {{'kiln.add' op operand #0 must be ranked tensor of floating-point or signless integer or unsigned integer values, but got 'tensor<4x!kiln.string>'}}
  %0 = kiln.add %s, %s : (tensor<4x!kiln.string>, tensor<4x!kiln.string>) -> tensor<4x!kiln.string>
  return
}

// -----

// expected-error @+1 {{unknown  type `strin` in dialect `kiln`}}
func.func @misspelled(%s: tensor<4x!kiln.strin>) {
  return
}
