// RUN: kiln-opt %s -kiln-check-allocations | FileCheck %s

// Every allocation of an entry point is checked: its address is not NULL, or
// it holds no elements. Functions that are not entry points are left alone.
// CHECK-LABEL: func.func @entry
// CHECK: %[[BUFFER:.+]] = memref.alloc(%arg0) : memref<?x4xf32>
// CHECK: arith.constant 4 : index
// CHECK-NEXT: %[[COUNT:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK: %[[EMPTY:.+]] = arith.cmpi eq, %[[COUNT]], %[[ZERO:.+]] : index
// CHECK: %[[ADDRESS:.+]] = memref.extract_aligned_pointer_as_index %[[BUFFER]]
// CHECK: %[[SOME:.+]] = arith.cmpi ne, %[[ADDRESS]], %[[ZERO]] : index
// CHECK: %[[FINE:.+]] = arith.ori %[[EMPTY]], %[[SOME]] : i1
// CHECK: cf.assert %[[FINE]], "out of memory: cannot allocate a buffer of memref<?x4xf32> ({{.+}}check-allocations.mlir:{{[0-9]+}}:{{[0-9]+}})"
// CHECK-LABEL: func.func @helper
// CHECK-NOT: cf.assert
module attributes {kiln.entry_points = [{name = "entry"}]} {
  func.func @entry(%n: index) -> memref<?x4xf32> {
    %0 = memref.alloc(%n) : memref<?x4xf32>
    return %0 : memref<?x4xf32>
  }
  func.func @helper() -> memref<8xf32> {
    %0 = memref.alloc() : memref<8xf32>
    return %0 : memref<8xf32>
  }
}
