// The folders of the reduce ops (KilnReductionOps.cpp): small constants are
// evaluated in the element type, keep-dims reductions over unit dims vanish, and
// the cases that must be left alone are.
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @fold_sum_rows
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[6.000000e+00, 1.500000e+01]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_sum_rows() -> tensor<2xf32> {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Shape arithmetic: the element count of a shape, as ONNX models compute it.
// CHECK-LABEL: func.func @fold_prod_of_shape
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<96> : tensor<1xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_prod_of_shape() -> tensor<1xi64> {
  %shape = kiln.constant dense<[2, 3, 16]> : tensor<3xi64>
  %0 = kiln.reduce_prod %shape {axes = array<i64: 0>, keep_dims = true} : (tensor<3xi64>) -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// Integer products wrap: 16 * 16 = 256 = 0 in i8.
// CHECK-LABEL: func.func @fold_prod_wraps
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<0> : tensor<i8>
// CHECK-NEXT: return %[[C]]
func.func @fold_prod_wraps() -> tensor<i8> {
  %x = kiln.constant dense<16> : tensor<2xi8>
  %0 = kiln.reduce_prod %x {axes = array<i64: 0>} : (tensor<2xi8>) -> tensor<i8>
  return %0 : tensor<i8>
}

// -----

// Columns of a column-major view: the reduced dim is the leading one.
// CHECK-LABEL: func.func @fold_min_max_columns
// CHECK-DAG: kiln.constant dense<{{\[}}[1, -5, 2]]> : tensor<1x3xi32>
// CHECK-DAG: kiln.constant dense<[4, 0, 7]> : tensor<3xi32>
// CHECK-NOT: kiln.reduce
func.func @fold_min_max_columns() -> (tensor<1x3xi32>, tensor<3xi32>) {
  %x = kiln.constant dense<[[1, 0, 7], [4, -5, 2]]> : tensor<2x3xi32>
  %0 = kiln.reduce_min %x {axes = array<i64: 0>, keep_dims = true} : (tensor<2x3xi32>) -> tensor<1x3xi32>
  %1 = kiln.reduce_max %x {axes = array<i64: 0>} : (tensor<2x3xi32>) -> tensor<3xi32>
  return %0, %1 : tensor<1x3xi32>, tensor<3xi32>
}

// -----

// Float max and min propagate NaN, as the generated code does.
// CHECK-LABEL: func.func @fold_max_nan
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[0x7FC00000, 3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_max_nan() -> tensor<2xf32> {
  %x = kiln.constant dense<[[1.0, 0x7FC00000], [3.0, -1.0]]> : tensor<2x2xf32>
  %0 = kiln.reduce_max %x {axes = array<i64: 1>} : (tensor<2x2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_mean_all
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.500000e+00> : tensor<1x1xf64>
// CHECK-NEXT: return %[[C]]
func.func @fold_mean_all() -> tensor<1x1xf64> {
  %x = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf64>
  %0 = kiln.reduce_mean %x {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x2xf64>) -> tensor<1x1xf64>
  return %0 : tensor<1x1xf64>
}

// -----

// A splat folds like any other constant: the sum of four 0.5s.
// CHECK-LABEL: func.func @fold_splat
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_splat() -> tensor<3xf32> {
  %x = kiln.constant dense<0.5> : tensor<3x4xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Reducing unit dims and keeping them is the identity.
// CHECK-LABEL: func.func @identity_unit_dims
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x3x1xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_unit_dims(%x: tensor<2x1x3x1xf32>)
    -> (tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>) {
  %0 = kiln.reduce_sum %x {axes = array<i64: 1, 3>, keep_dims = true} : (tensor<2x1x3x1xf32>) -> tensor<2x1x3x1xf32>
  %1 = kiln.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x1x3x1xf32>) -> tensor<2x1x3x1xf32>
  %2 = kiln.reduce_max %x {axes = array<i64: 3>, keep_dims = true} : (tensor<2x1x3x1xf32>) -> tensor<2x1x3x1xf32>
  %3 = kiln.reduce_min %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x1x3x1xf32>) -> tensor<2x1x3x1xf32>
  %4 = kiln.reduce_prod %x {axes = array<i64: 1, 3>, keep_dims = true} : (tensor<2x1x3x1xf32>) -> tensor<2x1x3x1xf32>
  return %0, %1, %2, %3, %4 : tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>
}

// -----

// Left alone: a reduced dim that is not 1 (or not known to be), unit dims that
// are dropped (the type changes), an input that is not constant.
// CHECK-LABEL: func.func @not_folded
// CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 1>, keep_dims = true} : (tensor<2x?xf32>) -> tensor<2x1xf32>
// CHECK: kiln.reduce_max %{{.*}} {axes = array<i64: 1>} : (tensor<2x1xf32>) -> tensor<2xf32>
// CHECK: kiln.reduce_prod %{{.*}} {axes = array<i64: 0>} : (tensor<2x1xf32>) -> tensor<1xf32>
func.func @not_folded(%x: tensor<2x?xf32>, %y: tensor<2x1xf32>) -> (tensor<2x1xf32>, tensor<2xf32>, tensor<1xf32>) {
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x?xf32>) -> tensor<2x1xf32>
  %1 = kiln.reduce_max %y {axes = array<i64: 1>} : (tensor<2x1xf32>) -> tensor<2xf32>
  %2 = kiln.reduce_prod %y {axes = array<i64: 0>} : (tensor<2x1xf32>) -> tensor<1xf32>
  return %0, %1, %2 : tensor<2x1xf32>, tensor<2xf32>, tensor<1xf32>
}

// -----

// Constants beyond 65536 elements are left to run time.
// CHECK-LABEL: func.func @large_constant_not_folded
// CHECK: kiln.reduce_sum
func.func @large_constant_not_folded() -> tensor<f32> {
  %x = kiln.constant dense<1.0> : tensor<65537xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 0>} : (tensor<65537xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
