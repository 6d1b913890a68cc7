// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// What the ONNX importer makes of If and Loop: kiln-lower-to-linalg leaves the
// scf ops (and their tensor iter_args, yields and insert_slices) alone and
// lowers the kiln ops inside their regions.

// CHECK-LABEL: func.func @if_regions
// CHECK: %[[FLAG:.+]] = tensor.extract %arg0[] : tensor<i1>
// CHECK: %[[RESULT:.+]] = scf.if %[[FLAG]] -> (tensor<2x3xf32>) {
// CHECK:   %[[SUM:.+]] = linalg.generic
// CHECK:     arith.addf
// CHECK:   scf.yield %[[SUM]] : tensor<2x3xf32>
// CHECK: } else {
// CHECK:   %[[PRODUCT:.+]] = linalg.generic
// CHECK:     arith.mulf
// CHECK:   scf.yield %[[PRODUCT]] : tensor<2x3xf32>
// CHECK: }
// CHECK: return %[[RESULT]]
// CHECK-NOT: kiln.
func.func @if_regions(%cond: tensor<i1>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %flag = tensor.extract %cond[] : tensor<i1>
  %result = scf.if %flag -> (tensor<2x3xf32>) {
    %sum = kiln.add %x, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    scf.yield %sum : tensor<2x3xf32>
  } else {
    %product = kiln.mul %x, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    scf.yield %product : tensor<2x3xf32>
  }
  return %result : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @loop_with_scan
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<3x2xf32>
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %arg0, %[[SCAN:.+]] = %[[EMPTY]]) -> (tensor<2xf32>, tensor<3x2xf32>) {
// CHECK:   %[[NEXT:.+]] = linalg.generic
// CHECK:     arith.addf
// CHECK:   %[[INSERTED:.+]] = tensor.insert_slice %[[NEXT]] into %[[SCAN]][%[[I]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<3x2xf32>
// CHECK:   scf.yield %[[NEXT]], %[[INSERTED]] : tensor<2xf32>, tensor<3x2xf32>
// CHECK: }
// CHECK: return %[[LOOP]]#0, %[[LOOP]]#1
// CHECK-NOT: kiln.
func.func @loop_with_scan(%acc: tensor<2xf32>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %empty = tensor.empty() : tensor<3x2xf32>
  %result:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%a = %acc, %s = %empty) -> (tensor<2xf32>, tensor<3x2xf32>) {
    %next = kiln.add %a, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %inserted = tensor.insert_slice %next into %s[%i, 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<3x2xf32>
    scf.yield %next, %inserted : tensor<2xf32>, tensor<3x2xf32>
  }
  return %result#0, %result#1 : tensor<2xf32>, tensor<3x2xf32>
}

// -----

// Unsigned tensors crossing scf boundaries become signless ones there too.
// CHECK-LABEL: func.func @unsigned_loop_carried
// CHECK-SAME: (%{{.+}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: scf.for {{.+}} iter_args(%[[V:.+]] = %{{.+}}) -> (tensor<4xi8>) {
// CHECK:   linalg.generic
// CHECK:     arith.addi
// CHECK:   scf.yield %{{.+}} : tensor<4xi8>
// CHECK-NOT: ui8
func.func @unsigned_loop_carried(%v: tensor<4xui8>) -> tensor<4xui8> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %result = scf.for %i = %c0 to %c2 step %c1 iter_args(%a = %v) -> (tensor<4xui8>) {
    %next = kiln.add %a, %a : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
    scf.yield %next : tensor<4xui8>
  }
  return %result : tensor<4xui8>
}
