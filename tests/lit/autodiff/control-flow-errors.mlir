// Loops that kiln-differentiate cannot unroll are errors at the loop: an scf.for
// of a run-time trip count, an scf.while (ONNX Loop whose body computes its
// condition), and a loop too large to unroll. A loop that no gradient passes
// through is no error.
// RUN: kiln-opt %s -split-input-file -kiln-differentiate -verify-diagnostics | FileCheck %s

func.func @forward(%x: tensor<3xf32>, %n: index) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{Kiln differentiates ONNX Loop only with a trip count known at compile time (this loop's trip count is computed at run time)}}
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> (tensor<3xf32>) {
    %0 = kiln.sin %acc : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  }
  return %h : tensor<3xf32>
}

// -----

func.func @forward(%x: tensor<3xf32>, %limit: i64) -> tensor<3xf32> {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  // expected-error @below {{Kiln differentiates ONNX Loop only with a trip count known at compile time (this loop's body computes whether it goes on, so its trip count is known only at run time)}}
  %r:2 = scf.while (%i = %c0, %acc = %x) : (i64, tensor<3xf32>) -> (i64, tensor<3xf32>) {
    %go = arith.cmpi slt, %i, %limit : i64
    scf.condition(%go) %i, %acc : i64, tensor<3xf32>
  } do {
  ^bb0(%j: i64, %h: tensor<3xf32>):
    %next = arith.addi %j, %c1 : i64
    %0 = kiln.sin %h : tensor<3xf32>
    scf.yield %next, %0 : i64, tensor<3xf32>
  }
  return %r#1 : tensor<3xf32>
}

// -----

// The while loop reads only the captured weight w here.
func.func @forward(%x: tensor<3xf32>, %w: tensor<3xf32>, %limit: i64) -> tensor<3xf32> {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %k = kiln.constant dense<1.0> : tensor<3xf32>
  // expected-error @below {{Kiln differentiates ONNX Loop only with a trip count known at compile time}}
  %r:2 = scf.while (%i = %c0, %acc = %k) : (i64, tensor<3xf32>) -> (i64, tensor<3xf32>) {
    %go = arith.cmpi slt, %i, %limit : i64
    scf.condition(%go) %i, %acc : i64, tensor<3xf32>
  } do {
  ^bb0(%j: i64, %h: tensor<3xf32>):
    %next = arith.addi %j, %c1 : i64
    %0 = kiln.mul %h, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    scf.yield %next, %0 : i64, tensor<3xf32>
  }
  %out = kiln.add %r#1, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %out : tensor<3xf32>
}

// -----

// 60000 iterations of two ops: past the limit, checked before unrolling.
func.func @forward(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %big = arith.constant 60000 : index
  // expected-error @below {{Kiln unrolls loops to differentiate them, and this loop's 60000 iterations of 2 ops would take it past its limit of 100000 unrolled ops}}
  %h = scf.for %i = %c0 to %big step %c1 iter_args(%acc = %x) -> (tensor<3xf32>) {
    %0 = kiln.sin %acc : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  }
  return %h : tensor<3xf32>
}

// -----

// A while loop that only integers go through, and one whose result gets no
// gradient, are left alone.
// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3xf32>, %{{[^:]+}}: i64, %[[SEED:[^:]+]]: tensor<3xf32>, %{{[^:]+}}: i64)
// CHECK-COUNT-2: scf.while
// CHECK: %[[DX:.+]] = kiln.neg %[[SEED]]
// CHECK: return %{{.+}}, %{{.+}}, %[[DX]]
func.func @forward(%x: tensor<3xf32>, %limit: i64) -> (tensor<3xf32>, i64) {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %count = scf.while (%i = %c0) : (i64) -> i64 {
    %go = arith.cmpi slt, %i, %limit : i64
    scf.condition(%go) %i : i64
  } do {
  ^bb0(%j: i64):
    %next = arith.addi %j, %c1 : i64
    scf.yield %next : i64
  }
  %unused:2 = scf.while (%i = %c0, %acc = %x) : (i64, tensor<3xf32>) -> (i64, tensor<3xf32>) {
    %go = arith.cmpi slt, %i, %limit : i64
    scf.condition(%go) %i, %acc : i64, tensor<3xf32>
  } do {
  ^bb0(%j: i64, %h: tensor<3xf32>):
    %next = arith.addi %j, %c1 : i64
    %0 = kiln.sin %h : tensor<3xf32>
    scf.yield %next, %0 : i64, tensor<3xf32>
  }
  %y = kiln.neg %x : tensor<3xf32>
  return %y, %count : tensor<3xf32>, i64
}
