// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// A mean sums into zeros, divides by the reduced count, and keep_dims re-inserts
// the unit dims.
// CHECK-LABEL: func.func @reduce_mean_keep_dims
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<3xf32>)
// CHECK: %[[SUM:.+]] = linalg.reduce ins(%{{.+}} : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<3xf32>) dimensions = [0, 2]
// CHECK: arith.addf
// CHECK: %[[COUNT:.+]] = arith.uitofp %{{.+}} : i64 to f32
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK: arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: tensor.expand_shape %[[MEAN]] {{\[}}[0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
func.func @reduce_mean_keep_dims(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = kiln.reduce_mean %x {axes = array<i64: 0, 2>, keep_dims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// Integer max starts from the lowest value.
// CHECK-LABEL: func.func @reduce_max_int
// CHECK: %[[LOWEST:.+]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[LOWEST]] : i32)
// CHECK: linalg.reduce
// CHECK: arith.maxsi
func.func @reduce_max_int(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %0 = kiln.reduce_max %x {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Reducing every dim with keep_dims expands from rank 0.
// CHECK-LABEL: func.func @reduce_sum_all
// CHECK: linalg.reduce ins(%{{.+}} : tensor<2x3xf32>) outs(%{{.+}} : tensor<f32>) dimensions = [0, 1]
// CHECK: tensor.expand_shape %{{.+}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @reduce_sum_all(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = kiln.reduce_sum %x {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<2x10xf32>
// CHECK: linalg.softmax dimension(1) ins(%{{.+}} : tensor<2x10xf32>) outs(%[[INIT]] : tensor<2x10xf32>)
func.func @softmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %0 = kiln.softmax %x {axis = 1} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}
