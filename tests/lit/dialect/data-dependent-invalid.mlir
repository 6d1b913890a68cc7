// Every verifier rule of the data-dependent ops (nonzero, compress, unique),
// one case each, with the message it reports.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @nonzero_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{kiln.nonzero input must have rank 1 or more (reshape a scalar to [1] first)}}
  // expected-error @+1 {{'kiln.nonzero' op failed to infer returned types}}
  %0 = kiln.nonzero %x : (tensor<f32>) -> tensor<0x?xi64>
  return
}

// -----

func.func @nonzero_wrong_rows(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.nonzero' op inferred type(s) 'tensor<2x?xi64>' are incompatible with return type(s) of operation 'tensor<3x?xi64>'}}
  // expected-error @+1 {{'kiln.nonzero' op failed to infer returned types}}
  %0 = kiln.nonzero %x : (tensor<2x3xf32>) -> tensor<3x?xi64>
  return
}

// -----

func.func @nonzero_result_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.nonzero' op result #0 must be ranked tensor of 64-bit signless integer values}}
  %0 = "kiln.nonzero"(%x) : (tensor<2x3xf32>) -> tensor<2x?xi32>
  return
}

// -----

func.func @compress_axis(%x: tensor<3x2xf32>, %c: tensor<2xi1>) {
  // expected-error @+2 {{kiln.compress axis 2 is out of range for rank 2 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.compress' op failed to infer returned types}}
  %0 = kiln.compress %x, %c {axis = 2 : i64} : (tensor<3x2xf32>, tensor<2xi1>) -> tensor<3x?xf32>
  return
}

// -----

func.func @compress_condition_rank(%x: tensor<3x2xf32>, %c: tensor<1x2xi1>) {
  // expected-error @+2 {{kiln.compress condition must be 1-D, got shape [1, 2]}}
  // expected-error @+1 {{'kiln.compress' op failed to infer returned types}}
  %0 = kiln.compress %x, %c {axis = 1 : i64} : (tensor<3x2xf32>, tensor<1x2xi1>) -> tensor<3x?xf32>
  return
}

// -----

func.func @compress_condition_too_long(%x: tensor<3x2xf32>, %c: tensor<3xi1>) {
  // expected-error @+2 {{kiln.compress condition has 3 entries but dimension 1 of [3, 2] has only 2}}
  // expected-error @+1 {{'kiln.compress' op failed to infer returned types}}
  %0 = kiln.compress %x, %c {axis = 1 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<3x?xf32>
  return
}

// -----

func.func @compress_condition_type(%x: tensor<3x2xf32>, %c: tensor<2xi8>) {
  // expected-error @+1 {{'kiln.compress' op operand #1 must be ranked tensor of 1-bit signless integer values}}
  %0 = "kiln.compress"(%x, %c) <{axis = 1 : i64}> : (tensor<3x2xf32>, tensor<2xi8>) -> tensor<3x?xf32>
  return
}

// -----

func.func @unique_axis(%x: tensor<6xf32>) {
  // expected-error @+2 {{kiln.unique axis -1 is out of range for rank 1 (must be in [0, rank))}}
  // expected-error @+1 {{'kiln.unique' op failed to infer returned types}}
  %0:4 = kiln.unique %x {axis = -1 : i64}
      : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  return
}

// -----

func.func @unique_inverse_size(%x: tensor<6xf32>) {
  // expected-error @+2 {{'kiln.unique' op inferred type(s) 'tensor<?xf32>', 'tensor<?xi64>', 'tensor<6xi64>', 'tensor<?xi64>' are incompatible with return type(s) of operation 'tensor<?xf32>', 'tensor<?xi64>', 'tensor<5xi64>', 'tensor<?xi64>'}}
  // expected-error @+1 {{'kiln.unique' op failed to infer returned types}}
  %0:4 = kiln.unique %x {axis = 0 : i64}
      : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>)
  return
}
