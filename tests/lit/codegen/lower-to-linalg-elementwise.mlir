// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// Broadcasting maps a missing leading dim away and a stretched unit dim to 0.
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x8xf32>, tensor<8xf32>) outs(%[[EMPTY]] : tensor<4x8xf32>)
// CHECK: arith.addf
// CHECK-NOT: kiln.
func.func @add_broadcast(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Integers use integer arithmetic; a dynamic dim is read from the operand that has it.
// CHECK-DAG: #[[UNIT:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @mul_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x8xi32>, %[[B:.+]]: tensor<1x8xi32>)
// CHECK: %[[DIM:.+]] = tensor.dim %[[A]], %c0
// CHECK: tensor.empty(%[[DIM]]) : tensor<?x8xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[UNIT]], #{{.+}}]
// CHECK: arith.muli
func.func @mul_dynamic(%a: tensor<?x8xi32>, %b: tensor<1x8xi32>) -> tensor<?x8xi32> {
  %0 = kiln.mul %a, %b : (tensor<?x8xi32>, tensor<1x8xi32>) -> tensor<?x8xi32>
  return %0 : tensor<?x8xi32>
}

// -----

// CHECK-LABEL: func.func @sub_div
// CHECK: arith.subf
// CHECK: arith.divf
func.func @sub_div(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = kiln.sub %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.div %0, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf %{{.+}}, %[[ZERO]] : f32
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.divf
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
func.func @unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  %1 = kiln.sigmoid %0 : tensor<4xf32>
  %2 = kiln.tanh %1 : tensor<4xf32>
  %3 = kiln.exp %2 : tensor<4xf32>
  %4 = kiln.log %3 : tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
