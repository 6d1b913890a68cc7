// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// Static reshapes are a collapse to 1-D and an expand: views, no copy.
// CHECK-LABEL: func.func @reshape_static
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
func.func @reshape_static(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = kiln.reshape %x {shape = array<i64: -1, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Rank 0 in and out.
// CHECK-LABEL: func.func @reshape_from_scalar
// CHECK: tensor.expand_shape %{{.+}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
func.func @reshape_from_scalar(%x: tensor<f32>) -> tensor<1x1xf32> {
  %0 = kiln.reshape %x {shape = array<i64: 1, 1>} : (tensor<f32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// CHECK-LABEL: func.func @reshape_to_scalar
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<1x1xf32> into tensor<1xf32>
// CHECK: tensor.collapse_shape %{{.+}} [] : tensor<1xf32> into tensor<f32>
func.func @reshape_to_scalar(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = kiln.reshape %x {shape = array<i64>} : (tensor<1x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A dynamic reshape computes the -1 entry at run time, after checking that the
// element count is a multiple of the known part.
// CHECK-LABEL: func.func @reshape_dynamic
// CHECK: %[[TWELVE:.+]] = arith.constant 12 : index
// CHECK: %[[REM:.+]] = arith.remui %[[COUNT:.+]], %[[TWELVE]] : index
// CHECK: %[[FITS:.+]] = arith.cmpi eq, %[[REM]], %{{.+}} : index
// CHECK: cf.assert %[[FITS]], "kiln.reshape ({{.+}}lower-to-linalg-shapes.mlir:{{[0-9]+}}:{{[0-9]+}}): the input's element count does not fit the target shape at run time"
// CHECK: arith.divui %[[COUNT]], %[[TWELVE]] : index
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %{{.+}}, %{{.+}} : tensor<2xi64>
// CHECK: tensor.reshape %{{.+}}(%[[SHAPE]]) : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x12xf32>
func.func @reshape_dynamic(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %0 = kiln.reshape %x {shape = array<i64: -1, 12>} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Each input lands at the running offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x5xf32>, %[[C:.+]]: tensor<2x1xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x9xf32>
// CHECK: %[[S0:.+]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0, 0] [2, 3] [1, 1]
// CHECK: %[[S1:.+]] = tensor.insert_slice %[[B]] into %[[S0]][0, 3] [2, 5] [1, 1]
// CHECK: tensor.insert_slice %[[C]] into %[[S1]][0, 8] [2, 1] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<2x1xf32>) -> tensor<2x9xf32> {
  %0 = kiln.concat %a, %b, %c {axis = 1} : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}
