// RUN: kiln-opt %s -split-input-file -kiln-outputs-to-params | FileCheck %s

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

// -----

// An image written as a matrix: bufferization returns the allocation through
// a collapse_shape and the expand_shape that undoes it (@image), or an
// allocation of the matrix's shape through an expand_shape (@matrix). Either
// way the product writes straight into the out-parameter, viewed as the
// matrix, and nothing is copied.
// CHECK-LABEL: func.func @image(
// CHECK-SAME: %[[OUT:.+]]: memref<1x4x2x2xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[VIEW:.+]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2, 3]] : memref<1x4x2x2xf32> into memref<4x4xf32>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[VIEW]] : memref<4x4xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
// CHECK-LABEL: func.func @matrix(
// CHECK-SAME: %[[OUT:.+]]: memref<1x4x2x2xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[VIEW:.+]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2, 3]] : memref<1x4x2x2xf32> into memref<4x4xf32>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[VIEW]] : memref<4x4xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
module attributes {kiln.entry_points = [{name = "image", inputs = [], outputs = []},
                                        {name = "matrix", inputs = [], outputs = []}]} {
  func.func @image() -> memref<1x4x2x2xf32> {
    %zero = arith.constant 0.0 : f32
    %a = memref.alloc() : memref<1x4x2x2xf32>
    %m = memref.collapse_shape %a [[0, 1], [2, 3]] : memref<1x4x2x2xf32> into memref<4x4xf32>
    linalg.fill ins(%zero : f32) outs(%m : memref<4x4xf32>)
    %r = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 4, 2, 2] : memref<4x4xf32> into memref<1x4x2x2xf32>
    return %r : memref<1x4x2x2xf32>
  }
  func.func @matrix() -> memref<1x4x2x2xf32> {
    %zero = arith.constant 0.0 : f32
    %m = memref.alloc() : memref<4x4xf32>
    linalg.fill ins(%zero : f32) outs(%m : memref<4x4xf32>)
    %r = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 4, 2, 2] : memref<4x4xf32> into memref<1x4x2x2xf32>
    return %r : memref<1x4x2x2xf32>
  }
}

// -----

// The allocation is returned both as it is and reshaped: only one of the two
// outputs can be it, so the reshaped one is copied.
// CHECK-LABEL: func.func @twice(
// CHECK-SAME: %[[FIRST:.+]]: memref<4x4xf32>, %[[SECOND:.+]]: memref<1x4x2x2xf32>)
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[FIRST]] : memref<4x4xf32>)
// CHECK: %[[VIEW:.+]] = memref.expand_shape %[[FIRST]]
// CHECK: memref.copy %[[VIEW]], %[[SECOND]]
module attributes {kiln.entry_points = [{name = "twice", inputs = [], outputs = []}]} {
  func.func @twice() -> (memref<4x4xf32>, memref<1x4x2x2xf32>) {
    %zero = arith.constant 0.0 : f32
    %m = memref.alloc() : memref<4x4xf32>
    linalg.fill ins(%zero : f32) outs(%m : memref<4x4xf32>)
    %r = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 4, 2, 2] : memref<4x4xf32> into memref<1x4x2x2xf32>
    return %m, %r : memref<4x4xf32>, memref<1x4x2x2xf32>
  }
}
