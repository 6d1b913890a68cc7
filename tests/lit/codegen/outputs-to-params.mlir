// RUN: kiln-opt %s -kiln-outputs-to-params | FileCheck %s

// Outputs of fixed shape become out-parameters after the inputs, in output
// order: a fresh allocation is replaced by the parameter, anything else (here a
// constant global) is copied into it. The output sized at run time stays a
// result, for the runtime to take over.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[X:.+]]: memref<?x3xf32>, %[[B:.+]]: memref<3xf32>, %[[C:.+]]: memref<2xf32>) -> memref<?x3xf32>
// CHECK: %[[A:.+]] = memref.alloc(%{{.+}}) : memref<?x3xf32>
// CHECK-NOT: memref.alloc()
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[B]] : memref<3xf32>)
// CHECK: %[[TABLE:.+]] = memref.get_global @table
// CHECK: memref.copy %[[TABLE]], %[[C]]
// CHECK: return %[[A]] : memref<?x3xf32>

// Functions that are not entry points keep their results.
// CHECK-LABEL: func.func private @helper(
// CHECK-SAME: -> memref<2xf32>
module attributes {kiln.entry_points = [{name = "f", inputs = [], outputs = []}]} {
  func.func @f(%x: memref<?x3xf32>) -> (memref<?x3xf32>, memref<3xf32>, memref<2xf32>) {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = memref.dim %x, %c0 : memref<?x3xf32>
    %a = memref.alloc(%n) : memref<?x3xf32>
    %b = memref.alloc() : memref<3xf32>
    linalg.fill ins(%zero : f32) outs(%b : memref<3xf32>)
    %cst = memref.get_global @table : memref<2xf32>
    return %a, %b, %cst : memref<?x3xf32>, memref<3xf32>, memref<2xf32>
  }
  memref.global "private" constant @table : memref<2xf32> = dense<[1.0, 2.0]>
  func.func private @helper(%x: memref<2xf32>) -> memref<2xf32> {
    return %x : memref<2xf32>
  }
}
