// kiln-differentiate: @forward_vjp takes forward's arguments and one cotangent per
// result, and returns the results and the gradient of sum <result, cotangent> for
// each float argument. Rules run in reverse order; a value used twice adds up its
// gradients; a broadcast operand's gradient is summed back to its shape.
// RUN: kiln-opt %s -split-input-file -kiln-differentiate -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: %[[X:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[SEED:.+]]: tensor<2x3xf32>)
// CHECK-SAME: -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>)
// The forward ops, cloned.
// CHECK: %[[SUM:.+]] = kiln.add %[[X]], %[[B]]
// CHECK: %[[TANH:.+]] = kiln.tanh %[[SUM]]
// CHECK: %[[Y:.+]] = kiln.mul %[[TANH]], %[[X]]
// mul's rule: the seed times the other operand, for each.
// CHECK: %[[D_TANH:.+]] = kiln.mul %[[SEED]], %[[X]]
// CHECK: %[[D_X_DIRECT:.+]] = kiln.mul %[[SEED]], %[[TANH]]
// tanh's rule: times 1 - y^2.
// CHECK: %[[SQUARE:.+]] = kiln.mul %[[TANH]], %[[TANH]]
// CHECK: %[[SLOPE:.+]] = kiln.sub %{{.+}}, %[[SQUARE]]
// CHECK: %[[D_SUM:.+]] = kiln.mul %[[D_TANH]], %[[SLOPE]]
// add's rule: b was broadcast along dim 0.
// CHECK: %[[D_B_ROWS:.+]] = kiln.reduce_sum %[[D_SUM]] {axes = array<i64: 0>, keep_dims = true}
// CHECK: %[[D_B:.+]] = kiln.reshape %[[D_B_ROWS]] {shape = array<i64: 3>}
// x is used twice: the two gradients are added.
// CHECK: %[[D_X:.+]] = kiln.add %[[D_X_DIRECT]], %[[D_SUM]]
// CHECK: return %[[Y]], %[[D_X]], %[[D_B]]
func.func @forward(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.add %x, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.tanh %0 : tensor<2x3xf32>
  %2 = kiln.mul %1, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// An argument that no result depends on gets zeros; an integer argument gets no
// gradient result at all.
// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: -> (tensor<4xf32>, tensor<4xf32>, tensor<2xf32>)
// CHECK: %[[ZEROS:.+]] = kiln.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: return %{{.+}}, %{{.+}}, %[[ZEROS]]
func.func @forward(%x: tensor<4xf32>, %unused: tensor<2xf32>, %n: tensor<4xi64>) -> tensor<4xf32> {
  %0 = kiln.neg %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An op without a gradient rule on the path is an error at that op (random draws
// have no derivative with respect to the tensor they take their shape from).
func.func @forward(%x: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @below {{'kiln.random_uniform_like' has no gradient rule, so Kiln cannot differentiate through it}}
  %0 = kiln.random_uniform_like %x {seed = 0 : i64} : (tensor<4xf64>) -> tensor<4xf64>
  %1 = kiln.add %0, %x : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  return %1 : tensor<4xf64>
}
