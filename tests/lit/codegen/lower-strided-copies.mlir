// RUN: kiln-opt %s -kiln-lower-strided-copies | FileCheck %s

// A copy into a subview (what a bufferized tensor.pad writes) becomes linalg.copy.
// CHECK-LABEL: func.func @into_subview
// CHECK-SAME: (%[[SOURCE:.+]]: memref<4x4xf32>, %[[TARGET:.+]]: memref<6x6xf32>)
// CHECK: %[[VIEW:.+]] = memref.subview %[[TARGET]][1, 1] [4, 4] [1, 1]
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[SOURCE]] : memref<4x4xf32>) outs(%[[VIEW]] : memref<4x4xf32, strided<[6, 1], offset: 7>>)
func.func @into_subview(%source: memref<4x4xf32>, %target: memref<6x6xf32>) {
  %view = memref.subview %target[1, 1] [4, 4] [1, 1] : memref<6x6xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  memref.copy %source, %view : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  return
}

// A contiguous copy stays a memref.copy, which becomes a memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy %{{.+}}, %{{.+}} : memref<8xf32> to memref<8xf32>
// CHECK-NOT: linalg.copy
func.func @contiguous(%source: memref<8xf32>, %target: memref<8xf32>) {
  memref.copy %source, %target : memref<8xf32> to memref<8xf32>
  return
}
