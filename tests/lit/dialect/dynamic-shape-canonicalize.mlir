// Ops with run-time shape operands whose operands turn out to be constants
// (after folding, say a Shape -> Gather -> Concat chain on static dims) become
// the static kiln ops of the same meaning; values that would fail a run-time
// check are left to it, which names them.
// RUN: kiln-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @reshapes
// CHECK-DAG: kiln.reshape %arg0 {shape = array<i64: 2, -1>} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
// CHECK-DAG: kiln.reshape %arg0 {shape = array<i64: 1, 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<?x?x?x?xf32>
// CHECK-DAG: kiln.reshape %arg2 {shape = array<i64: 3>} : (tensor<1x3x1xf32>) -> tensor<?xf32>
// A 0 that copies a dim known only at run time stays a run-time reshape.
// CHECK-DAG: kiln.dynamic_reshape %arg1, %{{.+}} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
func.func @reshapes(%x: tensor<2x3x4xf32>, %d: tensor<?x3xf32>, %one: tensor<1x3x1xf32>) -> (tensor<?x?xf32>, tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?x?xf32>) {
  %s = arith.constant dense<[0, -1]> : tensor<2xi64>
  %0 = kiln.dynamic_reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %a = arith.constant dense<[0]> : tensor<1xi64>
  %1 = kiln.unsqueeze %x, %a : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<?x?x?x?xf32>
  %sq = arith.constant dense<[0, -1]> : tensor<2xi64>
  %2 = kiln.squeeze %one, %sq : (tensor<1x3x1xf32>, tensor<2xi64>) -> tensor<?xf32>
  %z = arith.constant dense<[0, 3]> : tensor<2xi64>
  %3 = kiln.dynamic_reshape %d, %z : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?xf32>, tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?x?xf32>
}

// -----

// Slice bounds are clamped as ONNX says: [1, -1) by 2 of a dim of 4 is
// element 1 alone.
// CHECK-LABEL: func.func @data_movement
// CHECK-DAG: kiln.slice %arg0 {offsets = array<i64: 0, 1>, sizes = array<i64: -1, 1>, steps = array<i64: 1, 1>} : (tensor<6x4xf32>) -> tensor<?x?xf32>
// CHECK-DAG: kiln.broadcast_to %arg1 {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<?x?x?xf32>
// CHECK-DAG: kiln.pad %arg1 {high = array<i64: 0, 2>, low = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
// Tile: reshape, broadcast, reshape.
// CHECK-DAG: %[[SPREAD:.+]] = kiln.reshape %arg1 {shape = array<i64: 1, 2, 1, 3>}
// CHECK-DAG: %[[COPIES:.+]] = kiln.broadcast_to %[[SPREAD]] {shape = array<i64: 2, 2, 1, 3>}
// CHECK-DAG: kiln.reshape %[[COPIES]] {shape = array<i64: 4, 3>} : (tensor<2x2x1x3xf32>) -> tensor<?x?xf32>
// CHECK-NOT: kiln.dynamic
// CHECK-NOT: kiln.tile
func.func @data_movement(%y: tensor<6x4xf32>, %x: tensor<2x3xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %st = arith.constant dense<[1]> : tensor<1xi64>
  %en = arith.constant dense<[-1]> : tensor<1xi64>
  %ax = arith.constant dense<[1]> : tensor<1xi64>
  %sp = arith.constant dense<[2]> : tensor<1xi64>
  %0 = kiln.dynamic_slice %y, %st, %en, %ax, %sp : (tensor<6x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %s3 = arith.constant dense<[4, 2, 3]> : tensor<3xi64>
  %1 = kiln.dynamic_broadcast_to %x, %s3 : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %p = arith.constant dense<[1, 0, 0, 2]> : tensor<4xi64>
  %2 = kiln.dynamic_pad %x, %p : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %r = arith.constant dense<[2, 1]> : tensor<2xi64>
  %3 = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// Generators with constant operands and a static result fold to constants.
// CHECK-LABEL: func.func @generators
// CHECK-DAG: kiln.constant dense<[1, 3, 5]> : tensor<3xi64>
// CHECK-DAG: kiln.constant dense<[2, 3]> : tensor<2xi64>
// CHECK-DAG: kiln.constant dense<1.500000e+00> : tensor<2x3xf32>
// CHECK-NOT: kiln.range
// CHECK-NOT: kiln.shape_of
// CHECK-NOT: kiln.constant_of_shape
func.func @generators(%x: tensor<2x3xf32>) -> (tensor<2xi64>, tensor<3xi64>, tensor<2x3xf32>) {
  %0 = kiln.shape_of %x : (tensor<2x3xf32>) -> tensor<2xi64>
  %b = arith.constant dense<1> : tensor<i64>
  %e = arith.constant dense<7> : tensor<i64>
  %st = arith.constant dense<2> : tensor<i64>
  %1 = kiln.range %b, %e, %st : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %shape = arith.constant dense<[2, 3]> : tensor<2xi64>
  %2 = kiln.constant_of_shape %shape {value = 1.5 : f32} : (tensor<2xi64>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2xi64>, tensor<3xi64>, tensor<2x3xf32>
}

// -----

// Reductions along constant axes; an axis out of range stays for the
// run-time check.
// CHECK-LABEL: func.func @reductions
// CHECK-DAG: kiln.cumsum %arg0 {axis = 1 : i64} : tensor<2x3xf32>
// CHECK-DAG: kiln.reduce_sum %arg0 {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<?x?xf32>
// CHECK-DAG: kiln.dynamic_reduce_sum %arg0, %{{.+}} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
func.func @reductions(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %ax = arith.constant dense<-1> : tensor<i64>
  %0 = kiln.dynamic_cumsum %x, %ax : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  %ra = arith.constant dense<[1]> : tensor<1xi64>
  %1 = kiln.dynamic_reduce_sum %x, %ra : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %bad = arith.constant dense<[7]> : tensor<1xi64>
  %2 = kiln.dynamic_reduce_sum %x, %bad : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}
