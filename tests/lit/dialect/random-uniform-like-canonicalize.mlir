// A constant seed_offset of kiln.random_uniform_like moves into the seed,
// (seed + offset) mod 2^32, so that the generator's state is computed when
// compiling; an offset read at run time stays.
// RUN: kiln-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @constant_offset
// CHECK-NOT: kiln.constant
// CHECK: %[[A:.+]] = kiln.random_uniform_like %arg0 {seed = 7 : i64} : (tensor<3xf32>) -> tensor<3xf64>
// CHECK: %[[B:.+]] = kiln.random_uniform_like %arg0 {seed = 4294967295 : i64} : (tensor<3xf32>) -> tensor<3xf64>
// CHECK: %[[C:.+]] = kiln.random_uniform_like %arg0 {seed = 1 : i64} : (tensor<3xf32>) -> tensor<3xf64>
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @constant_offset(%x: tensor<3xf32>) -> (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) {
  %four = kiln.constant dense<4> : tensor<i64>
  %minus_four = kiln.constant dense<-4> : tensor<i64>
  %big = kiln.constant dense<4294967298> : tensor<i64>
  %0 = kiln.random_uniform_like %x, %four {seed = 3 : i64} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf64>
  %1 = kiln.random_uniform_like %x, %minus_four {seed = 3 : i64} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf64>
  %2 = kiln.random_uniform_like %x, %big {seed = 4294967295 : i64} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf64>
  return %0, %1, %2 : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>
}

// -----

// CHECK-LABEL: func.func @run_time_offset
// CHECK: kiln.random_uniform_like %arg0, %arg1 {seed = 3 : i64} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf64>
func.func @run_time_offset(%x: tensor<3xf32>, %offset: tensor<i64>) -> tensor<3xf64> {
  %0 = kiln.random_uniform_like %x, %offset {seed = 3 : i64} : (tensor<3xf32>, tensor<i64>) -> tensor<3xf64>
  return %0 : tensor<3xf64>
}
