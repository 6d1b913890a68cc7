// RUN: kiln-opt %s -split-input-file -kiln-linearize-parallel-loops -cse | FileCheck %s

// A 3-D loop becomes one parallel dimension of 2 * 3 rows, delinearized, around
// a sequential loop over the innermost dimension.
// CHECK-LABEL: func.func @three_d
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK: scf.parallel (%[[ROW:.+]]) = (%[[C0]]) to (%[[C6]]) step (%[[C1]])
// CHECK: %[[J:.+]] = arith.remui %[[ROW]], %[[C3]]
// CHECK: %[[I:.+]] = arith.divui %[[ROW]], %[[C3]]
// CHECK: scf.for %[[K:.+]] = %[[C0]] to %[[C5]] step %[[C1]]
// CHECK: memref.store %{{.+}}, %arg0[%{{.+}}, %{{.+}}, %[[K]]]
// CHECK-NOT: scf.parallel
func.func @three_d(%a: memref<2x3x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %c3, %c5) step (%c1, %c1, %c1) {
    memref.store %zero, %a[%i, %j, %k] : memref<2x3x5xf32>
    scf.reduce
  }
  return
}

// -----

// One-dimensional loops stay as they are.
// CHECK-LABEL: func.func @one_d
// CHECK: scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step (%{{.+}})
// CHECK-NEXT: memref.store
func.func @one_d(%a: memref<7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c7) step (%c1) {
    memref.store %zero, %a[%i] : memref<7xf32>
    scf.reduce
  }
  return
}
