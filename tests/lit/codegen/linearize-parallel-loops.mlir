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

// -----

// A parallel loop inside another (the channels of a global average pooling in
// NHWC, after the loops over H and W) becomes sequential: only the outer loop
// is split into tasks, not the inner one once per iteration around it.
// CHECK-LABEL: func.func @nested
// CHECK: scf.parallel (%[[N:.+]]) =
// CHECK: scf.for %[[H:.+]] =
// CHECK: scf.for %[[C:.+]] =
// CHECK: memref.load %arg0[%[[N]], %[[H]], %[[C]]]
// CHECK-NOT: scf.parallel
func.func @nested(%x: memref<2x13x8xf32>, %sum: memref<2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c13 = arith.constant 13 : index
  scf.parallel (%n) = (%c0) to (%c2) step (%c1) {
    scf.for %h = %c0 to %c13 step %c1 {
      scf.parallel (%c) = (%c0) to (%c8) step (%c1) {
        %v = memref.load %x[%n, %h, %c] : memref<2x13x8xf32>
        %s = memref.load %sum[%n, %c] : memref<2x8xf32>
        %t = arith.addf %v, %s : f32
        memref.store %t, %sum[%n, %c] : memref<2x8xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// -----

// A loop whose body runs loops of its own (a pooling's window, inside the
// loops over N and H) puts every dimension into the parallel index: with
// N = 1, keeping H sequential would leave one task.
// CHECK-LABEL: func.func @body_with_loops
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK: scf.parallel (%[[ROW:.+]]) = (%{{.+}}) to (%[[C4]])
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}}
// CHECK-NOT: scf.for
// CHECK: memref.store
func.func @body_with_loops(%a: memref<1x4x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%n, %h) = (%c0, %c0) to (%c1, %c4) step (%c1, %c1) {
    scf.for %w = %c0 to %c3 step %c1 {
      memref.store %zero, %a[%n, %h, %w] : memref<1x4x3xf32>
    }
    scf.reduce
  }
  return
}
