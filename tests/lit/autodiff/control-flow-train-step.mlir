// kiln-build-train-step on a loop (ONNX Loop, constant trip count) over a weight:
// @predict keeps the loop; @train_step's copy is unrolled for the reverse sweep.
// That loop stays, emptied to zero iterations that return the unrolled result
// (train_step returns the prediction it held), until canonicalization folds it.
// RUN: kiln-opt %s -kiln-build-train-step="loss=mse optimizer=sgd" | FileCheck %s
// RUN: kiln-opt %s -kiln-build-train-step="loss=mse optimizer=sgd" -canonicalize | FileCheck %s --check-prefix=FOLDED

// CHECK-LABEL: func.func @predict(
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[C2:.+]] = arith.constant 2 : index
// CHECK: scf.for %{{.+}} = %[[C0]] to %[[C2]]
// CHECK: kiln.matmul
// CHECK: kiln.tanh
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x3xf32> {kiln.name = "x"}
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x3xf32> {kiln.name = "w"}
// CHECK: %[[Z:.+]] = arith.constant 0 : index
// CHECK: %[[M0:.+]] = kiln.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[H1:.+]] = kiln.tanh %[[M0]]
// CHECK: %[[M1:.+]] = kiln.matmul %[[H1]], %[[W]]
// CHECK-NEXT: %[[H2:.+]] = kiln.tanh %[[M1]]
// CHECK-NEXT: %[[P:.+]] = scf.for %{{.+}} = %[[Z]] to %[[Z]] step %{{.+}} iter_args(%{{.+}} = %[[H2]])
// The loss reads the unrolled result.
// CHECK: kiln.sub %[[H2]], %{{.+}}
// W's gradient: from both iterations' inputs.
// CHECK: kiln.transpose %[[H1]]
// CHECK: kiln.transpose %[[X]]
// CHECK: return %{{.+}}, %[[P]], %{{.+}}

// FOLDED-LABEL: func.func @predict(
// FOLDED: scf.for
// FOLDED-LABEL: func.func @train_step(
// FOLDED-NOT: scf.for
// FOLDED: %[[H1:.+]] = kiln.tanh
// FOLDED-NEXT: %[[M1:.+]] = kiln.matmul %[[H1]],
// FOLDED-NEXT: %[[H2:.+]] = kiln.tanh %[[M1]]
// FOLDED-NOT: scf.for
// FOLDED: return %{{.+}}, %[[H2]], %{{.+}}
func.func @forward(%x: tensor<4x3xf32> {kiln.name = "x"}) -> (tensor<4x3xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.initializer = "w"} dense<0.5> : tensor<3x3xf32>
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %h = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %x) -> (tensor<4x3xf32>) {
    %0 = kiln.matmul %acc, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %1 = kiln.tanh %0 : tensor<4x3xf32>
    scf.yield %1 : tensor<4x3xf32>
  }
  return %h : tensor<4x3xf32>
}
