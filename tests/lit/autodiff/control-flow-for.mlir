// kiln-differentiate through scf.for of a trip count known at compile time
// (ONNX Loop with a constant M): the loop is unrolled in @forward_vjp, so that
// the reverse sweep has every iteration's intermediates; @forward keeps its loop.
// RUN: kiln-opt %s -split-input-file -kiln-differentiate | FileCheck %s

// h = tanh(h @ W + x), three times.
// CHECK-LABEL: func.func @forward(
// CHECK: scf.for
// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>, %[[W:[^:]+]]: tensor<3x3xf32>, %[[H0:[^:]+]]: tensor<2x3xf32>, %[[SEED:[^:]+]]: tensor<2x3xf32>)
// CHECK-NOT: scf.for
// Iteration 0, 1, 2 of the forward recurrence.
// CHECK: %[[M0:.+]] = kiln.matmul %[[H0]], %[[W]]
// CHECK-NEXT: %[[A0:.+]] = kiln.add %[[M0]], %[[X]]
// CHECK-NEXT: %[[H1:.+]] = kiln.tanh %[[A0]]
// CHECK: %[[M1:.+]] = kiln.matmul %[[H1]], %[[W]]
// CHECK-NEXT: %[[A1:.+]] = kiln.add %[[M1]], %[[X]]
// CHECK-NEXT: %[[H2:.+]] = kiln.tanh %[[A1]]
// CHECK: %[[M2:.+]] = kiln.matmul %[[H2]], %[[W]]
// CHECK-NEXT: %[[A2:.+]] = kiln.add %[[M2]], %[[X]]
// CHECK-NEXT: %[[H3:.+]] = kiln.tanh %[[A2]]
// The sweep back: W's gradient takes each iteration's input state.
// CHECK: kiln.transpose %[[H2]]
// CHECK: kiln.transpose %[[H1]]
// CHECK: kiln.transpose %[[H0]]
// CHECK-NOT: scf.for
// CHECK: return %[[H3]],
func.func @forward(%x: tensor<2x3xf32>, %w: tensor<3x3xf32>, %h0: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %h = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %h0) -> (tensor<2x3xf32>) {
    %0 = kiln.matmul %acc, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %1 = kiln.add %0, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %2 = kiln.tanh %1 : tensor<2x3xf32>
    scf.yield %2 : tensor<2x3xf32>
  }
  return %h : tensor<2x3xf32>
}

// -----

// Nested loops (2 x 2 iterations) unroll into four steps; the iteration numbers
// become constants. A loop that reads no argument's value stays a loop.
// CHECK-LABEL: func.func @forward_vjp(
// CHECK: scf.for
// CHECK-COUNT-4: kiln.sin
// CHECK-NOT: kiln.sin
// CHECK-NOT: scf.for
// CHECK: return
func.func @forward(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %k = kiln.constant dense<1.0> : tensor<3xf32>
  %still = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %k) -> (tensor<3xf32>) {
    %0 = kiln.exp %acc : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  }
  %h = scf.for %i = %c0 to %c2 step %c1 iter_args(%outer = %x) -> (tensor<3xf32>) {
    %inner = scf.for %j = %c0 to %c2 step %c1 iter_args(%acc = %outer) -> (tensor<3xf32>) {
      %0 = kiln.sin %acc : tensor<3xf32>
      scf.yield %0 : tensor<3xf32>
    }
    scf.yield %inner : tensor<3xf32>
  }
  return %h, %still : tensor<3xf32>, tensor<3xf32>
}

// -----

// Zero iterations: the result is the initial value, whose gradient is the seed.
// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3xf32>, %[[SEED:[^:]+]]: tensor<3xf32>)
// CHECK-NOT: scf.for
// CHECK-NOT: kiln.sin
// CHECK: return %[[X]], %[[SEED]]
func.func @forward(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = scf.for %i = %c0 to %c0 step %c1 iter_args(%acc = %x) -> (tensor<3xf32>) {
    %0 = kiln.sin %acc : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  }
  return %h : tensor<3xf32>
}
