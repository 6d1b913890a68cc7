// Every folder of the kiln ops (KilnFolders.cpp): constant folding, exact identities,
// and the cases that must be left alone.
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

//===----------------------------------------------------------------------===//
// Constant folding of binary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fold_add_constants
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_add_constants() -> tensor<2xf32> {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = kiln.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_add_integer_splats
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<7> : tensor<2x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @fold_add_integer_splats() -> tensor<2x2xi32> {
  %a = kiln.constant dense<3> : tensor<2x2xi32>
  %b = kiln.constant dense<4> : tensor<2x2xi32>
  %0 = kiln.add %a, %b : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_sub_constants
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[-2.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_sub_constants() -> tensor<2xf32> {
  %a = kiln.constant dense<[1.0, 2.5]> : tensor<2xf32>
  %b = kiln.constant dense<[3.0, 2.0]> : tensor<2xf32>
  %0 = kiln.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integer arithmetic wraps around in the element width.
// CHECK-LABEL: func.func @fold_sub_integer_wraps
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[127, -1]> : tensor<2xi8>
// CHECK-NEXT: return %[[C]]
func.func @fold_sub_integer_wraps() -> tensor<2xi8> {
  %a = kiln.constant dense<[-128, 2]> : tensor<2xi8>
  %b = kiln.constant dense<[1, 3]> : tensor<2xi8>
  %0 = kiln.sub %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0 : tensor<2xi8>
}

// -----

// CHECK-LABEL: func.func @fold_mul_constants
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[2, -6], [12, 0]]> : tensor<2x2xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_mul_constants() -> tensor<2x2xi64> {
  %a = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = kiln.constant dense<[[2, -3], [4, 0]]> : tensor<2x2xi64>
  %0 = kiln.mul %a, %b : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @fold_div_float_constants
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[2.500000e-01, 0x7F800000]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_div_float_constants() -> tensor<2xf32> {
  %a = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %b = kiln.constant dense<[4.0, 0.0]> : tensor<2xf32>
  %0 = kiln.div %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integer division is never constant folded (division by zero has no value).
// CHECK-LABEL: func.func @no_fold_div_integer_constants
// CHECK: %[[R:.*]] = kiln.div
// CHECK: return %[[R]]
func.func @no_fold_div_integer_constants() -> tensor<2xi32> {
  %a = kiln.constant dense<[6, 1]> : tensor<2xi32>
  %b = kiln.constant dense<[3, 0]> : tensor<2xi32>
  %0 = kiln.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Constants of different shapes fold through the broadcast.
// CHECK-LABEL: func.func @fold_broadcasting_constants
// CHECK: %[[R:.*]] = kiln.constant dense<{{\[}}[4.000000e+00, 5.000000e+00], [4.000000e+00, 5.000000e+00], [4.000000e+00, 5.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: kiln.add
// CHECK: return %[[R]]
func.func @fold_broadcasting_constants() -> tensor<3x2xf32> {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.constant dense<3.0> : tensor<3x2xf32>
  %0 = kiln.add %a, %b : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_constant_with_argument
// CHECK: %[[R:.*]] = kiln.mul
// CHECK: return %[[R]]
func.func @no_fold_constant_with_argument(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.mul %x, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// Constant folding of unary ops
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @fold_unary_constants
// CHECK-DAG: %[[RELU:.*]] = kiln.constant dense<[0.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[SIGMOID:.*]] = kiln.constant dense<5.000000e-01> : tensor<3xf32>
// CHECK-DAG: %[[TANH:.*]] = kiln.constant dense<[0.000000e+00, 0.761594176]> : tensor<2xf32>
// CHECK-DAG: %[[EXP:.*]] = kiln.constant dense<[1.000000e+00, 2.71828175]> : tensor<2xf32>
// CHECK-DAG: %[[LOG:.*]] = kiln.constant dense<[0.000000e+00, 0xFF800000]> : tensor<2xf32>
// CHECK-NOT: kiln.relu
// CHECK-NOT: kiln.sigmoid
// CHECK-NOT: kiln.tanh
// CHECK-NOT: kiln.exp
// CHECK-NOT: kiln.log
// CHECK: return %[[RELU]], %[[SIGMOID]], %[[TANH]], %[[EXP]], %[[LOG]]
func.func @fold_unary_constants() -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[-1.0, 2.0]> : tensor<2xf32>
  %z = kiln.constant dense<0.0> : tensor<3xf32>
  %b = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %c = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %0 = kiln.relu %a : tensor<2xf32>
  %1 = kiln.sigmoid %z : tensor<3xf32>
  %2 = kiln.tanh %b : tensor<2xf32>
  %3 = kiln.exp %b : tensor<2xf32>
  %4 = kiln.log %c : tensor<2xf32>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Narrow types are evaluated in double and rounded once.
// CHECK-LABEL: func.func @fold_unary_half
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 7.390630e+00]> : tensor<2xf16>
// CHECK-NEXT: return %[[C]]
func.func @fold_unary_half() -> tensor<2xf16> {
  %a = kiln.constant dense<[0.0, 2.0]> : tensor<2xf16>
  %0 = kiln.exp %a : tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// CHECK-LABEL: func.func @no_fold_unary_argument
// CHECK: kiln.exp
func.func @no_fold_unary_argument(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.exp %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// Identities of binary ops
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @mul_by_one
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3xf32>)
// CHECK-NOT: kiln.mul
// CHECK: return %[[X]], %[[X]]
func.func @mul_by_one(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.mul %one, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A lower-rank or size-1 neutral operand does not change the shape.
// CHECK-LABEL: func.func @mul_by_broadcast_one
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x3xi32>)
// CHECK-NOT: kiln.mul
// CHECK: return %[[X]], %[[X]]
func.func @mul_by_broadcast_one(%x: tensor<?x3xi32>) -> (tensor<?x3xi32>, tensor<?x3xi32>) {
  %one = kiln.constant dense<1> : tensor<3xi32>
  %ones = kiln.constant dense<1> : tensor<1x1xi32>
  %0 = kiln.mul %x, %one : (tensor<?x3xi32>, tensor<3xi32>) -> tensor<?x3xi32>
  %1 = kiln.mul %ones, %x : (tensor<1x1xi32>, tensor<?x3xi32>) -> tensor<?x3xi32>
  return %0, %1 : tensor<?x3xi32>, tensor<?x3xi32>
}

// -----

// x * 1 broadcast to a larger shape is not x.
// CHECK-LABEL: func.func @no_fold_mul_by_one_that_broadcasts
// CHECK: %[[R:.*]] = kiln.mul
// CHECK: return %[[R]]
func.func @no_fold_mul_by_one_that_broadcasts(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The result type equals x's, but a dynamic dim of x may be 1 and broadcast to 4:
// x * 1 is not x.
// CHECK-LABEL: func.func @no_fold_mul_by_one_into_dynamic_dim
// CHECK: %[[R:.*]] = kiln.mul
// CHECK: return %[[R]]
func.func @no_fold_mul_by_one_into_dynamic_dim(%x: tensor<?xf32>) -> tensor<?xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.mul %x, %one : (tensor<?xf32>, tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_mul_by_two
// CHECK: %[[R:.*]] = kiln.mul
// CHECK: return %[[R]]
func.func @no_fold_mul_by_two(%x: tensor<2xf32>) -> tensor<2xf32> {
  %two = kiln.constant dense<2.0> : tensor<2xf32>
  %0 = kiln.mul %x, %two : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A rank-0 one broadcasts into any shape without changing it.
// CHECK-LABEL: func.func @div_by_one
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4xf32>, %[[Y:[^:]*]]: tensor<2xi32>)
// CHECK-NOT: kiln.div
// CHECK: return %[[X]], %[[Y]]
func.func @div_by_one(%x: tensor<4xf32>, %y: tensor<2xi32>) -> (tensor<4xf32>, tensor<2xi32>) {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %ione = kiln.constant dense<1> : tensor<2xi32>
  %0 = kiln.div %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.div %y, %ione : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0, %1 : tensor<4xf32>, tensor<2xi32>
}

// -----

// 2^64 + 1 is not 1, though its low 64 bits are.
// CHECK-LABEL: func.func @no_fold_mul_by_wide_integer
// CHECK: %[[R:.*]] = kiln.mul
// CHECK: return %[[R]]
func.func @no_fold_mul_by_wide_integer(%x: tensor<2xi128>) -> tensor<2xi128> {
  %c = kiln.constant dense<18446744073709551617> : tensor<2xi128>
  %0 = kiln.mul %x, %c : (tensor<2xi128>, tensor<2xi128>) -> tensor<2xi128>
  return %0 : tensor<2xi128>
}

// -----

// 1 / x is not x.
// CHECK-LABEL: func.func @no_fold_one_div_x
// CHECK: %[[R:.*]] = kiln.div
// CHECK: return %[[R]]
func.func @no_fold_one_div_x(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.div %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sub_zero
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4xf32>, %[[Y:[^:]*]]: tensor<4xi8>)
// CHECK-NOT: kiln.sub
// CHECK: return %[[X]], %[[Y]]
func.func @sub_zero(%x: tensor<4xf32>, %y: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi8>) {
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %izero = kiln.constant dense<0> : tensor<1xi8>
  %0 = kiln.sub %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.sub %y, %izero : (tensor<4xi8>, tensor<1xi8>) -> tensor<4xi8>
  return %0, %1 : tensor<4xf32>, tensor<4xi8>
}

// -----

// 0 - x is not x, and x - (-0.0) is x + 0.0, which turns -0.0 into +0.0.
// CHECK-LABEL: func.func @no_fold_sub
// CHECK: %[[A:.*]] = kiln.sub
// CHECK: %[[B:.*]] = kiln.sub
// CHECK: return %[[A]], %[[B]]
func.func @no_fold_sub(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %negzero = kiln.constant dense<-0.0> : tensor<4xf32>
  %0 = kiln.sub %zero, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.sub %x, %negzero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @add_zero_integer
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x?xi32>)
// CHECK-NOT: kiln.add
// CHECK: return %[[X]], %[[X]]
func.func @add_zero_integer(%x: tensor<2x?xi32>) -> (tensor<2x?xi32>, tensor<2x?xi32>) {
  %zero = kiln.constant dense<0> : tensor<1xi32>
  %0 = kiln.add %x, %zero : (tensor<2x?xi32>, tensor<1xi32>) -> tensor<2x?xi32>
  %1 = kiln.add %zero, %x : (tensor<1xi32>, tensor<2x?xi32>) -> tensor<2x?xi32>
  return %0, %1 : tensor<2x?xi32>, tensor<2x?xi32>
}

// -----

// Float x + 0 is not folded: (-0.0) + 0.0 = +0.0.
// CHECK-LABEL: func.func @no_fold_add_zero_float
// CHECK: %[[A:.*]] = kiln.add
// CHECK: %[[B:.*]] = kiln.add
// CHECK: return %[[A]], %[[B]]
func.func @no_fold_add_zero_float(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.add %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.add %zero, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_add_zero_that_broadcasts
// CHECK: %[[R:.*]] = kiln.add
// CHECK: return %[[R]]
func.func @no_fold_add_zero_that_broadcasts(%x: tensor<1xi32>) -> tensor<5xi32> {
  %zero = kiln.constant dense<0> : tensor<5xi32>
  %0 = kiln.add %x, %zero : (tensor<1xi32>, tensor<5xi32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

//===----------------------------------------------------------------------===//
// relu
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @relu_of_relu
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[R]], %[[R]]
func.func @relu_of_relu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.relu %x : tensor<4xf32>
  %1 = kiln.relu %0 : tensor<4xf32>
  %2 = kiln.relu %1 : tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_relu_of_other
// CHECK: kiln.sigmoid
// CHECK: kiln.relu
func.func @no_fold_relu_of_other(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.sigmoid %x : tensor<4xf32>
  %1 = kiln.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]] {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %1 = kiln.reshape %0 {shape = array<i64: 6, 4>} : (tensor<24xf32>) -> tensor<6x4xf32>
  %2 = kiln.reshape %1 {shape = array<i64: 4, -1>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// -----

// A reshape chain back to the input's type disappears.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3xi8>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xi8>) -> tensor<2x3xi8> {
  %0 = kiln.reshape %x {shape = array<i64: 6>} : (tensor<2x3xi8>) -> tensor<6xi8>
  %1 = kiln.reshape %0 {shape = array<i64: 2, 3>} : (tensor<6xi8>) -> tensor<2x3xi8>
  return %1 : tensor<2x3xi8>
}

// -----

// CHECK-LABEL: func.func @reshape_to_same_type
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3xf32>, %[[Y:[^:]*]]: tensor<?x6xf32>)
// CHECK-NOT: kiln.reshape
// CHECK: return %[[X]], %[[Y]]
func.func @reshape_to_same_type(%x: tensor<2x3xf32>, %y: tensor<?x6xf32>) -> (tensor<2x3xf32>, tensor<?x6xf32>) {
  %0 = kiln.reshape %x {shape = array<i64: 2, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.reshape %y {shape = array<i64: -1, 6>} : (tensor<?x6xf32>) -> tensor<?x6xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<?x6xf32>
}

// -----

// With two dynamic dims the same type does not mean the same shape: a 2x3 input
// gives a 1x6 result.
// CHECK-LABEL: func.func @no_fold_reshape_same_dynamic_type
// CHECK: %[[R:.*]] = kiln.reshape
// CHECK: return %[[R]]
func.func @no_fold_reshape_same_dynamic_type(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln.reshape %x {shape = array<i64: -1, 6>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Nor does it with a zero-sized dim: a 0x2 input gives a 0x5 result.
// CHECK-LABEL: func.func @no_fold_reshape_same_empty_type
// CHECK: %[[R:.*]] = kiln.reshape
// CHECK: return %[[R]]
func.func @no_fold_reshape_same_empty_type(%x: tensor<0x?xf32>) -> tensor<0x?xf32> {
  %0 = kiln.reshape %x {shape = array<i64: 0, 5>} : (tensor<0x?xf32>) -> tensor<0x?xf32>
  return %0 : tensor<0x?xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_constant
// CHECK-DAG: %[[A:.*]] = kiln.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<5.000000e-01> : tensor<3x1x2xf32>
// CHECK-NOT: kiln.reshape
// CHECK: return %[[A]], %[[B]]
func.func @reshape_of_constant() -> (tensor<2x3xi32>, tensor<3x1x2xf32>) {
  %c = kiln.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
  %0 = kiln.reshape %c {shape = array<i64: 2, 3>} : (tensor<6xi32>) -> tensor<2x3xi32>
  %s = kiln.constant dense<0.5> : tensor<6xf32>
  %1 = kiln.reshape %s {shape = array<i64: 3, 1, -1>} : (tensor<6xf32>) -> tensor<3x1x2xf32>
  return %0, %1 : tensor<2x3xi32>, tensor<3x1x2xf32>
}

// -----

// A result type with a dynamic dim cannot hold a constant.
// CHECK-LABEL: func.func @no_fold_reshape_of_constant_to_dynamic
// CHECK: %[[R:.*]] = kiln.reshape
// CHECK: return %[[R]]
func.func @no_fold_reshape_of_constant_to_dynamic() -> tensor<?xi32> {
  %c = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %0 = kiln.reshape %c {shape = array<i64: -1>} : (tensor<2x2xi32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x?x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_identity(%x: tensor<2x?x4xf32>) -> tensor<2x?x4xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 0, 1, 2>} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  return %0 : tensor<2x?x4xf32>
}

// -----

// An identity permutation whose declared result type is more static than the input
// is kept: removing it would change the type.
// CHECK-LABEL: func.func @no_fold_transpose_identity_refining_type
// CHECK: %[[R:.*]] = kiln.transpose
// CHECK: return %[[R]]
func.func @no_fold_transpose_identity_refining_type(%x: tensor<?x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 0, 1>} : (tensor<?x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// transpose(transpose(x, [1, 2, 0]), [2, 0, 1]) = transpose(x, [0, 1, 2]) = x.
// CHECK-LABEL: func.func @transpose_of_transpose_cancels
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_of_transpose_cancels(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 {permutation = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// transpose(transpose(x, [1, 2, 0]), [1, 0, 2]) = transpose(x, [2, 1, 0]).
// CHECK-LABEL: func.func @transpose_of_transpose_composes
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.transpose %[[X]] {permutation = array<i64: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @transpose_of_transpose_composes(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 {permutation = array<i64: 1, 0, 2>} : (tensor<3x4x2xf32>) -> tensor<4x3x2xf32>
  return %1 : tensor<4x3x2xf32>
}

// -----

// The inner transpose has another user: it stays, and the outer one still composes.
// CHECK-LABEL: func.func @transpose_of_shared_transpose
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[T:.*]] = kiln.transpose %[[X]] {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[T]], %[[X]]
func.func @transpose_of_shared_transpose(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %0 = kiln.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = kiln.transpose %0 {permutation = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @concat_of_one_input
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x?xf32>)
// CHECK-NEXT: return %[[X]]
func.func @concat_of_one_input(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = kiln.concat %x {axis = 1 : i64} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_concat_of_two_inputs
// CHECK: %[[R:.*]] = kiln.concat
// CHECK: return %[[R]]
func.func @no_fold_concat_of_two_inputs(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

//===----------------------------------------------------------------------===//
// Ops without folders, and dead code
//===----------------------------------------------------------------------===//

// -----

// Kiln ops are pure: unused ones are erased.
// CHECK-LABEL: func.func @dead_ops_erased
// CHECK-NEXT: return
func.func @dead_ops_erased(%x: tensor<2x3xf32>) {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  %1 = kiln.transpose %0 {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %2 = kiln.matmul %x, %1 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

// A max pooling whose window a training step's gradient pools again with
// indices takes its maxima from that op, moved up to it: the window is pooled
// once.
// CHECK-LABEL: func.func @max_pool_from_with_indices
// CHECK: %[[V:.+]], %[[I:.+]] = kiln.max_pool_with_indices %arg0
// CHECK-NOT: kiln.max_pool
// CHECK: kiln.relu %[[V]]
// CHECK: return %{{.+}}, %[[I]]
func.func @max_pool_from_with_indices(%x: tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>) {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.relu %0 : tensor<1x2x3x3xf32>
  %2:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
  return %1, %2#1 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>
}

// -----

// A pooling with indices of another window (other strides) or with column-major
// indices leaves the max pooling alone.
// CHECK-LABEL: func.func @max_pool_other_window
// CHECK: %[[Y:.+]] = kiln.max_pool %arg0
// CHECK: kiln.max_pool_with_indices %arg0 {kernel_size = array<i64: 2, 2>}
// CHECK: kiln.max_pool_with_indices %arg0 {column_major = true
// CHECK: return %[[Y]]
func.func @max_pool_other_window(%x: tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x5x5xi64>, tensor<1x2x3x3xi64>) {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  %1:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> (tensor<1x2x5x5xf32>, tensor<1x2x5x5xi64>)
  %2:2 = kiln.max_pool_with_indices %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, column_major = true} : (tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
  return %0, %1#1, %2#1 : tensor<1x2x3x3xf32>, tensor<1x2x5x5xi64>, tensor<1x2x3x3xi64>
}
