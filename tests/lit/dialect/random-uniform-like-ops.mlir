// kiln.random_uniform_like with and without its optional run-time seed_offset
// (a rank-0 tensor<i64>), through the custom and the generic assembly forms:
// the offset follows the tensor whose shape the draws take, and appears in
// the functional type only when present.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @seed_offset
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[OFFSET:.+]]: tensor<i64>)
// CHECK: kiln.random_uniform_like %[[X]], %[[OFFSET]] {seed = 3 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf64>
// CHECK: kiln.random_uniform_like %[[X]], %[[OFFSET]] : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf64>
// CHECK: kiln.random_uniform_like %[[X]] {seed = 3 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf64>
func.func @seed_offset(%x: tensor<3x4xf32>, %offset: tensor<i64>) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
  %0 = kiln.random_uniform_like %x, %offset {seed = 3 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf64>
  %1 = kiln.random_uniform_like %x, %offset : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf64>
  %2 = kiln.random_uniform_like %x {seed = 3 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf64>
  return %0, %1, %2 : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
}

// -----

// The result takes the shape of the first operand, never of the offset.
// CHECK-LABEL: func.func @dynamic_like
// CHECK: kiln.random_uniform_like %{{.+}}, %{{.+}} {seed = 4294967295 : i64} : (tensor<?x2xi1>, tensor<i64>) -> tensor<?x2xf64>
func.func @dynamic_like(%x: tensor<?x2xi1>, %offset: tensor<i64>) -> tensor<?x2xf64> {
  %0 = kiln.random_uniform_like %x, %offset {seed = 4294967295 : i64} : (tensor<?x2xi1>, tensor<i64>) -> tensor<?x2xf64>
  return %0 : tensor<?x2xf64>
}
