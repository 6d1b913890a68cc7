// kiln-differentiate through scf.if (ONNX If): the backward op is an scf.if on the
// same condition; each branch recomputes its forward ops, sweeps back from the
// value it yields, and yields the gradient of every active float value the if
// captures, zeros where the branch does not read it.
// RUN: kiln-opt %s -split-input-file -kiln-differentiate | FileCheck %s

// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3xf32>, %[[W:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<3xf32>, %[[FLAG:[^:]+]]: tensor<i1>, %[[SEED:[^:]+]]: tensor<3xf32>)
// CHECK: %[[COND:.+]] = tensor.extract %[[FLAG]][]
// CHECK: %[[R:.+]] = scf.if %[[COND]] -> (tensor<3xf32>)
// CHECK: %[[Y:.+]] = kiln.tanh %[[R]]
// tanh's rule gives the if's result its gradient.
// CHECK: %[[DR:.+]] = kiln.mul %[[SEED]], %{{.+}}
// One gradient per captured float value: x, w and b.
// CHECK: %[[D:.+]]:3 = scf.if %[[COND]] -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
// The then branch: x * w recomputed, mul's rule, no gradient for b.
// CHECK-NEXT: kiln.mul %[[X]], %[[W]]
// CHECK-NEXT: %[[DX_THEN:.+]] = kiln.mul %[[DR]], %[[W]]
// CHECK-NEXT: %[[DW_THEN:.+]] = kiln.mul %[[DR]], %[[X]]
// CHECK-NEXT: %[[ZEROS_THEN:.+]] = kiln.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT: scf.yield %[[DX_THEN]], %[[DW_THEN]], %[[ZEROS_THEN]]
// CHECK-NEXT: } else {
// The else branch: sin(x) + b recomputed, cos for x, the gradient itself for b,
// none for w.
// CHECK-NEXT: kiln.sin %[[X]]
// CHECK-NEXT: kiln.add
// CHECK-NEXT: %[[COS:.+]] = kiln.cos %[[X]]
// CHECK-NEXT: %[[DX_ELSE:.+]] = kiln.mul %[[DR]], %[[COS]]
// CHECK-NEXT: %[[ZEROS_ELSE:.+]] = kiln.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT: scf.yield %[[DX_ELSE]], %[[ZEROS_ELSE]], %[[DR]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[Y]], %[[D]]#0, %[[D]]#1, %[[D]]#2
func.func @forward(%x: tensor<3xf32>, %w: tensor<3xf32>, %b: tensor<3xf32>, %flag: tensor<i1>) -> tensor<3xf32> {
  %c = tensor.extract %flag[] : tensor<i1>
  %r = scf.if %c -> (tensor<3xf32>) {
    %0 = kiln.mul %x, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  } else {
    %0 = kiln.sin %x : tensor<3xf32>
    %1 = kiln.add %0, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    scf.yield %1 : tensor<3xf32>
  }
  %out = kiln.tanh %r : tensor<3xf32>
  return %out : tensor<3xf32>
}

// -----

// Nested ifs: the inner if's backward op is in a branch of the outer one's, and
// a captured value that is not active (a constant) gets nothing. The gradient of
// x adds the if's to the direct one.
// CHECK-LABEL: func.func @forward_vjp(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3xf32>, %[[C:[^:]+]]: i1, %[[SEED:[^:]+]]: tensor<3xf32>)
// CHECK: %[[K:.+]] = kiln.constant dense<2.000000e+00>
// CHECK: %[[OUTER:.+]] = scf.if %[[C]] -> (tensor<3xf32>)
// mul's rule: the gradient of the if's result, and of x directly.
// CHECK: %[[DR:.+]] = kiln.mul %[[SEED]], %[[X]]
// CHECK-NEXT: %[[DX_DIRECT:.+]] = kiln.mul %[[SEED]], %[[OUTER]]
// CHECK-NEXT: %[[DOUTER:.+]] = scf.if %[[C]] -> (tensor<3xf32>) {
// The branch's copy of the inner forward if, then the inner backward if.
// CHECK-NEXT: scf.if %[[C]]
// CHECK: %[[DINNER:.+]] = scf.if %[[C]] -> (tensor<3xf32>) {
// CHECK: kiln.mul %[[DR]], %[[K]]
// CHECK: } else {
// CHECK: kiln.cos
// CHECK: }
// CHECK-NEXT: scf.yield %[[DINNER]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[DR]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[DX:.+]] = kiln.add %[[DX_DIRECT]], %[[DOUTER]]
// CHECK-NEXT: return %{{.+}}, %[[DX]]
func.func @forward(%x: tensor<3xf32>, %c: i1) -> tensor<3xf32> {
  %k = kiln.constant dense<2.0> : tensor<3xf32>
  %r = scf.if %c -> (tensor<3xf32>) {
    %inner = scf.if %c -> (tensor<3xf32>) {
      %0 = kiln.mul %x, %k : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      scf.yield %0 : tensor<3xf32>
    } else {
      %0 = kiln.sin %x : tensor<3xf32>
      scf.yield %0 : tensor<3xf32>
    }
    scf.yield %inner : tensor<3xf32>
  } else {
    scf.yield %x : tensor<3xf32>
  }
  %out = kiln.mul %r, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %out : tensor<3xf32>
}

// -----

// An if that reads no argument's value has no backward op.
// CHECK-LABEL: func.func @forward_vjp(
// CHECK: scf.if
// CHECK-NOT: scf.if
// CHECK: return
func.func @forward(%x: tensor<3xf32>, %c: i1) -> tensor<3xf32> {
  %r = scf.if %c -> (tensor<3xf32>) {
    %0 = kiln.constant dense<1.0> : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  } else {
    %0 = kiln.constant dense<2.0> : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  }
  %out = kiln.mul %r, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %out : tensor<3xf32>
}
