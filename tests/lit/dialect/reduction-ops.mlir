// Round trip of the reduction family's ops (reduce_min, reduce_prod, arg_max,
// arg_min, cumsum, top_k) and conv2d_transpose through the custom and the generic
// assembly forms: defaults are elided, integer element types and dynamic dims
// survive, and inferred result types are accepted.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reduce_min_prod
// CHECK: kiln.reduce_min %{{.+}} {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK: kiln.reduce_prod %{{.+}} {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x3xi32>) -> tensor<1x1xi32>
// CHECK: kiln.reduce_min %{{.+}} {axes = array<i64: 0>} : (tensor<?x3xi64>) -> tensor<3xi64>
func.func @reduce_min_prod(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %d: tensor<?x3xi64>)
    -> (tensor<2xf32>, tensor<1x1xi32>, tensor<3xi64>) {
  %0 = kiln.reduce_min %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = kiln.reduce_prod %i {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x3xi32>) -> tensor<1x1xi32>
  %2 = kiln.reduce_min %d {axes = array<i64: 0>} : (tensor<?x3xi64>) -> tensor<3xi64>
  return %0, %1, %2 : tensor<2xf32>, tensor<1x1xi32>, tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @arg_reductions
// CHECK: kiln.arg_max %{{.+}} {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
// CHECK: kiln.arg_min %{{.+}} {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<4x10xi8>) -> tensor<1x10xi64>
// CHECK: kiln.arg_max %{{.+}} {axis = 1 : i64} : (tensor<?x?xf16>) -> tensor<?xi64>
func.func @arg_reductions(%x: tensor<4x10xf32>, %i: tensor<4x10xi8>, %d: tensor<?x?xf16>)
    -> (tensor<4xi64>, tensor<1x10xi64>, tensor<?xi64>) {
  %0 = kiln.arg_max %x {axis = 1 : i64, select_last_index = false} : (tensor<4x10xf32>) -> tensor<4xi64>
  %1 = kiln.arg_min %i {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<4x10xi8>) -> tensor<1x10xi64>
  %2 = kiln.arg_max %d {axis = 1 : i64} : (tensor<?x?xf16>) -> tensor<?xi64>
  return %0, %1, %2 : tensor<4xi64>, tensor<1x10xi64>, tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @cumsum
// CHECK: kiln.cumsum %{{.+}} {axis = 1 : i64} : tensor<2x5xf32>
// CHECK: kiln.cumsum %{{.+}} {axis = 0 : i64, exclusive = true, reverse = true} : tensor<?x3xi32>
func.func @cumsum(%x: tensor<2x5xf32>, %i: tensor<?x3xi32>) -> (tensor<2x5xf32>, tensor<?x3xi32>) {
  %0 = kiln.cumsum %x {axis = 1 : i64, exclusive = false} : tensor<2x5xf32>
  %1 = kiln.cumsum %i {axis = 0 : i64, exclusive = true, reverse = true} : tensor<?x3xi32>
  return %0, %1 : tensor<2x5xf32>, tensor<?x3xi32>
}

// -----

// CHECK-LABEL: func.func @top_k
// CHECK: kiln.top_k %{{.+}} {axis = 1 : i64, k = 3 : i64} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
// CHECK: kiln.top_k %{{.+}} {axis = 0 : i64, k = 0 : i64, largest = false, sorted = false} : (tensor<?x4xi32>) -> (tensor<0x4xi32>, tensor<0x4xi64>)
func.func @top_k(%x: tensor<2x10xf32>, %i: tensor<?x4xi32>)
    -> (tensor<2x3xf32>, tensor<2x3xi64>, tensor<0x4xi32>, tensor<0x4xi64>) {
  %0:2 = kiln.top_k %x {k = 3 : i64, axis = 1 : i64, largest = true} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  %1:2 = kiln.top_k %i {k = 0 : i64, axis = 0 : i64, largest = false, sorted = false} : (tensor<?x4xi32>) -> (tensor<0x4xi32>, tensor<0x4xi64>)
  return %0#0, %0#1, %1#0, %1#1 : tensor<2x3xf32>, tensor<2x3xi64>, tensor<0x4xi32>, tensor<0x4xi64>
}

// -----

// CHECK-LABEL: func.func @conv2d_transpose
// CHECK: kiln.conv_transpose %{{.+}}, %{{.+}} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
// CHECK: kiln.conv_transpose %{{.+}}, %{{.+}} {dilations = array<i64: 2, 1>, groups = 2 : i64, output_padding = array<i64: 1, 0>, padding = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 3>} : (tensor<?x4x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<?x6x9x8xf32>
func.func @conv2d_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>,
                            %y: tensor<?x4x3x3xf32>, %v: tensor<4x3x3x3xf32>)
    -> (tensor<1x2x5x5xf32>, tensor<?x6x9x8xf32>) {
  %0 = kiln.conv_transpose %x, %w {strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  %1 = kiln.conv_transpose %y, %v {strides = array<i64: 2, 3>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 2, 1>, output_padding = array<i64: 1, 0>, groups = 2 : i64} : (tensor<?x4x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<?x6x9x8xf32>
  return %0, %1 : tensor<1x2x5x5xf32>, tensor<?x6x9x8xf32>
}

// -----

// Declared result types may be less static than the inferred ones.
// CHECK-LABEL: func.func @compatible_results
// CHECK: kiln.reduce_prod %{{.+}} {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<?xf32>
// CHECK: kiln.top_k %{{.+}} {axis = 0 : i64, k = 1 : i64} : (tensor<2x3xf32>) -> (tensor<?x3xf32>, tensor<1x?xi64>)
func.func @compatible_results(%x: tensor<2x3xf32>) -> (tensor<?xf32>, tensor<?x3xf32>, tensor<1x?xi64>) {
  %0 = kiln.reduce_prod %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<?xf32>
  %1:2 = kiln.top_k %x {k = 1 : i64, axis = 0 : i64} : (tensor<2x3xf32>) -> (tensor<?x3xf32>, tensor<1x?xi64>)
  return %0, %1#0, %1#1 : tensor<?xf32>, tensor<?x3xf32>, tensor<1x?xi64>
}
