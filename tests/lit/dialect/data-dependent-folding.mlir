// Folders of the data-dependent ops (KilnDataDependentOps.cpp): a constant
// operand is evaluated when the result type states the sizes the values give;
// with a dynamic result type (what inference gives) the op stays, since a
// constant would change the result's type (the ONNX importer evaluates such
// ops itself and uses the constant's own type).
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @fold_nonzero
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[0, 1, 1], [1, 0, 2]]> : tensor<2x3xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_nonzero() -> tensor<2x3xi64> {
  %c = kiln.constant dense<[[0.0, 1.0, 0.0], [-2.0, -0.0, 0x7FC00000]]> : tensor<2x3xf32>
  %0 = kiln.nonzero %c : (tensor<2x3xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @keep_nonzero_dynamic_result
// CHECK: kiln.nonzero
func.func @keep_nonzero_dynamic_result() -> tensor<1x?xi64> {
  %c = kiln.constant dense<[0, 3, 0, 4]> : tensor<4xi32>
  %0 = kiln.nonzero %c : (tensor<4xi32>) -> tensor<1x?xi64>
  return %0 : tensor<1x?xi64>
}

// -----

// The declared count (3) is not what the values give (2): no fold; the
// lowering checks the count at run time.
// CHECK-LABEL: func.func @keep_nonzero_wrong_count
// CHECK: kiln.nonzero
func.func @keep_nonzero_wrong_count() -> tensor<1x3xi64> {
  %c = kiln.constant dense<[0, 3, 0, 4]> : tensor<4xi32>
  %0 = kiln.nonzero %c : (tensor<4xi32>) -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_compress
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[1, 3], [4, 6]]> : tensor<2x2xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_compress() -> tensor<2x2xi64> {
  %c = kiln.constant dense<[[1, 2, 3, 9], [4, 5, 6, 9]]> : tensor<2x4xi64>
  %k = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %0 = kiln.compress %c, %k {axis = 1 : i64} : (tensor<2x4xi64>, tensor<3xi1>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @keep_compress_run_time_condition
// CHECK: kiln.compress
func.func @keep_compress_run_time_condition(%k: tensor<3xi1>) -> tensor<2x2xi64> {
  %c = kiln.constant dense<[[1, 2, 3, 9], [4, 5, 6, 9]]> : tensor<2x4xi64>
  %0 = kiln.compress %c, %k {axis = 1 : i64} : (tensor<2x4xi64>, tensor<3xi1>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// Sorted: values [1, 2, 3]; 3 first at 0, 1 at 1, 2 at 3.
// CHECK-LABEL: func.func @fold_unique
// CHECK-DAG: %[[V:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[I:.*]] = kiln.constant dense<[1, 3, 0]> : tensor<3xi64>
// CHECK-DAG: %[[R:.*]] = kiln.constant dense<[2, 0, 0, 1, 2]> : tensor<5xi64>
// CHECK-DAG: %[[N:.*]] = kiln.constant dense<[2, 1, 2]> : tensor<3xi64>
// CHECK: return %[[V]], %[[I]], %[[R]], %[[N]]
func.func @fold_unique() -> (tensor<3xf32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>) {
  %c = kiln.constant dense<[3.0, 1.0, 1.0, 2.0, 3.0]> : tensor<5xf32>
  %0:4 = kiln.unique %c {axis = 0 : i64}
      : (tensor<5xf32>) -> (tensor<3xf32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<3xf32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>
}

// -----

// In order of first occurrence, along axis 1: columns [1, 4], [2, 5], [1, 4].
// CHECK-LABEL: func.func @fold_unique_columns
// CHECK-DAG: kiln.constant dense<{{\[}}[1, 2], [4, 5]]> : tensor<2x2xi32>
// CHECK-DAG: kiln.constant dense<[0, 1]> : tensor<2xi64>
// CHECK-DAG: kiln.constant dense<[0, 1, 0]> : tensor<3xi64>
// CHECK-DAG: kiln.constant dense<[2, 1]> : tensor<2xi64>
func.func @fold_unique_columns() -> (tensor<2x2xi32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>) {
  %c = kiln.constant dense<[[1, 2, 1], [4, 5, 4]]> : tensor<2x3xi32>
  %0:4 = kiln.unique %c {axis = 1 : i64, sorted = false}
      : (tensor<2x3xi32>) -> (tensor<2x2xi32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x2xi32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @keep_unique_dynamic_results
// CHECK: kiln.unique
func.func @keep_unique_dynamic_results() -> tensor<?xf32> {
  %c = kiln.constant dense<[3.0, 1.0, 1.0]> : tensor<3xf32>
  %0:4 = kiln.unique %c {axis = 0 : i64}
      : (tensor<3xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<3xi64>, tensor<?xi64>)
  return %0#0 : tensor<?xf32>
}

// -----

// Booleans sort false first (as a signed i1, true would be -1).
// CHECK-LABEL: func.func @fold_unique_bool
// CHECK-DAG: kiln.constant dense<[false, true]> : tensor<2xi1>
// CHECK-DAG: kiln.constant dense<[1, 0]> : tensor<2xi64>
// CHECK-DAG: kiln.constant dense<[1, 0, 1]> : tensor<3xi64>
func.func @fold_unique_bool() -> (tensor<2xi1>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>) {
  %c = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %0:4 = kiln.unique %c {axis = 0 : i64} : (tensor<3xi1>) -> (tensor<2xi1>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2xi1>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>
}
