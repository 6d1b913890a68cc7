// kiln-infer-shapes: result types are re-inferred in program order from operand
// types, keeping the more static of the declared and inferred dims, and the
// function's result types follow what it returns. Contradictions are errors.
// RUN: kiln-opt %s -split-input-file -kiln-infer-shapes -verify-diagnostics | FileCheck %s

// Static arguments make every downstream dim static.
// CHECK-LABEL: func.func @refine_chain
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3xf32>, %[[W:[^:]*]]: tensor<3x4xf32>) -> (tensor<8xf32>, tensor<2x4xf32>)
// CHECK: %[[M:.*]] = kiln.matmul %[[X]], %[[W]] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[R:.*]] = kiln.relu %[[M]] : tensor<2x4xf32>
// CHECK: %[[F:.*]] = kiln.reshape %[[R]] {shape = array<i64: -1>} : (tensor<2x4xf32>) -> tensor<8xf32>
// CHECK: %[[T:.*]] = kiln.transpose %[[W]] {permutation = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<4x3xf32>
// CHECK: %[[S:.*]] = kiln.reduce_sum %[[T]] {axes = array<i64: 1>} : (tensor<4x3xf32>) -> tensor<4xf32>
// CHECK: %[[A:.*]] = kiln.add %[[R]], %[[S]] : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[F]], %[[A]] : tensor<8xf32>, tensor<2x4xf32>
func.func @refine_chain(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> (tensor<?xf32>, tensor<?x?xf32>) {
  %0 = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<?x?xf32>
  %1 = kiln.relu %0 : tensor<?x?xf32>
  %2 = kiln.reshape %1 {shape = array<i64: -1>} : (tensor<?x?xf32>) -> tensor<?xf32>
  %3 = kiln.transpose %w {permutation = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<?x?xf32>
  %4 = kiln.reduce_sum %3 {axes = array<i64: 1>} : (tensor<?x?xf32>) -> tensor<?xf32>
  %5 = kiln.add %1, %4 : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %2, %5 : tensor<?xf32>, tensor<?x?xf32>
}

// -----

// Convolution, pooling and concatenation refine too.
// CHECK-LABEL: func.func @refine_cnn
// CHECK-SAME: -> tensor<1x16x8x8xf32>
// CHECK: kiln.conv {{.*}} -> tensor<1x8x16x16xf32>
// CHECK: kiln.max_pool {{.*}} -> tensor<1x8x8x8xf32>
// CHECK: kiln.concat {{.*}} -> tensor<1x16x8x8xf32>
// CHECK: kiln.softmax %{{.*}} {axis = 1 : i64} : tensor<1x16x8x8xf32>
func.func @refine_cnn(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x?x?x?xf32> {
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  %1 = kiln.max_pool %0 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %2 = kiln.concat %1, %1 {axis = 1 : i64} : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %3 = kiln.softmax %2 {axis = 1 : i64} : tensor<?x?x?x?xf32>
  return %3 : tensor<?x?x?x?xf32>
}

// -----

// Dims that stay unknown stay dynamic; declared dims more static than the inferred
// ones are kept; results of other dialects' ops are left alone.
// CHECK-LABEL: func.func @keep_declared_static_dims
// CHECK-SAME: (%{{[^:]*}}: tensor<?x4xf32>, %{{[^:]*}}: tensor<4xf32>) -> (tensor<?x?xf32>, tensor<2x4xf32>)
// CHECK: kiln.relu %{{.*}} : tensor<?x4xf32>
// CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: tensor.cast %{{.*}} : tensor<?x4xf32> to tensor<?x?xf32>
func.func @keep_declared_static_dims(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> (tensor<?x?xf32>, tensor<2x?xf32>) {
  %0 = kiln.relu %x : tensor<?x4xf32>
  %1 = "kiln.add"(%0, %b) : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<2x?xf32>
  %2 = tensor.cast %0 : tensor<?x4xf32> to tensor<?x?xf32>
  return %2, %1 : tensor<?x?xf32>, tensor<2x?xf32>
}

// -----

// A function without kiln ops keeps its type.
// CHECK-LABEL: func.func @no_kiln_ops
// CHECK-SAME: (%{{[^:]*}}: tensor<2xf32>) -> tensor<?xf32>
// CHECK: tensor.cast
func.func @no_kiln_ops(%x: tensor<2xf32>) -> tensor<?xf32> {
  %0 = tensor.cast %x : tensor<2xf32> to tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Once %0 is known to hold 8 elements, the second reshape makes 4x2, not 3x2.
func.func @contradicts_declared_type(%x: tensor<2x4xf32>) -> tensor<3x2xf32> {
  %0 = kiln.reshape %x {shape = array<i64: -1>} : (tensor<2x4xf32>) -> tensor<?xf32>
  // expected-error @+1 {{'kiln.reshape' op declared result type 'tensor<3x2xf32>' contradicts the inferred type 'tensor<4x2xf32>'}}
  %1 = kiln.reshape %0 {shape = array<i64: -1, 2>} : (tensor<?xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// Once %0 is known to have 4 elements, it no longer broadcasts with %y.
func.func @operands_no_longer_fit(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<?xf32> {
  %0 = "kiln.relu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.reshape %0 {shape = array<i64: -1>} : (tensor<4xf32>) -> tensor<?xf32>
  %2 = kiln.relu %1 : tensor<?xf32>
  // expected-error @+1 {{kiln.add operand shapes [4] and [3] are not broadcast-compatible}}
  %3 = kiln.add %2, %y : (tensor<?xf32>, tensor<3xf32>) -> tensor<?xf32>
  return %3 : tensor<?xf32>
}

// -----

// A called function keeps its signature so that its callers stay valid: the refined
// result is cast back to the declared type.
// CHECK-LABEL: func.func private @callee
// CHECK-SAME: (%{{[^:]*}}: tensor<2x3xf32>) -> tensor<?x3xf32>
// CHECK: %[[R:.*]] = kiln.reshape %{{.*}} -> tensor<2x3xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<2x3xf32> to tensor<?x3xf32>
// CHECK: return %[[C]] : tensor<?x3xf32>
// CHECK-LABEL: func.func @caller
// CHECK: call @callee(%{{.*}}) : (tensor<2x3xf32>) -> tensor<?x3xf32>
func.func private @callee(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %0 = kiln.reshape %x {shape = array<i64: -1, 3>} : (tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
func.func @caller(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %0 = call @callee(%x) : (tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
