// RUN: kiln-opt %s -kiln-lower-strided-copies | FileCheck %s
// RUN: kiln-opt %s -kiln-lower-strided-copies=vectorize=true | FileCheck %s --check-prefix=VEC

// A copy into a subview (what a bufferized tensor.pad writes) becomes linalg.copy.
// With `vectorize`, each of its rows of 4 is one vector load and store in a
// parallel loop over the rows.
// CHECK-LABEL: func.func @into_subview
// VEC-LABEL: func.func @into_subview
// VEC-SAME: (%[[SOURCE:.+]]: memref<4x4xf32>, %[[TARGET:.+]]: memref<6x6xf32>)
// VEC: %[[VIEW:.+]] = memref.subview %[[TARGET]][1, 1] [4, 4] [1, 1]
// VEC: scf.parallel (%[[ROW:.+]]) =
// VEC: %[[V:.+]] = vector.load %[[SOURCE]][%[[ROW]], %{{.+}}] : memref<4x4xf32>, vector<4xf32>
// VEC: vector.store %[[V]], %[[VIEW]][%[[ROW]], %{{.+}}] : memref<4x4xf32, strided<[6, 1], offset: 7>>, vector<4xf32>
// VEC-NOT: linalg.copy
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

// A row of 100 channels (the NHWC output of a convolution written into its part
// of a concatenation) moves as 16 + 16 + ... + 4 floats: 6 vectors of 16, then 4.
// CHECK-LABEL: func.func @concat_part
// CHECK: linalg.copy
// VEC-LABEL: func.func @concat_part
// VEC: scf.parallel (%[[N:[^,]+]], %[[H:[^,]+]], %[[W:[^)]+]]) =
// VEC-COUNT-6: vector.load %arg0[%[[N]], %[[H]], %[[W]], %{{.+}}] : memref<1x3x3x100xf32>, vector<16xf32>
// VEC: vector.load %arg0[%[[N]], %[[H]], %[[W]], %{{.+}}] : memref<1x3x3x100xf32>, vector<4xf32>
// VEC-NOT: vector.load
func.func @concat_part(%part: memref<1x3x3x100xf32>, %whole: memref<1x3x3x200xf32>) {
  %view = memref.subview %whole[0, 0, 0, 100] [1, 3, 3, 100] [1, 1, 1, 1] : memref<1x3x3x200xf32> to memref<1x3x3x100xf32, strided<[1800, 600, 200, 1], offset: 100>>
  memref.copy %part, %view : memref<1x3x3x100xf32> to memref<1x3x3x100xf32, strided<[1800, 600, 200, 1], offset: 100>>
  return
}

// A copy whose rows are strided keeps linalg.copy.
// VEC-LABEL: func.func @strided_rows
// VEC: linalg.copy
func.func @strided_rows(%source: memref<4x4xf32>, %target: memref<4x8xf32>) {
  %view = memref.subview %target[0, 0] [4, 4] [1, 2] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 2]>>
  memref.copy %source, %view : memref<4x4xf32> to memref<4x4xf32, strided<[8, 2]>>
  return
}

// Rows longer than 1 KiB stay a linalg.copy (a loop LLVM vectorizes as it is).
// VEC-LABEL: func.func @long_rows
// VEC: linalg.copy
func.func @long_rows(%source: memref<2x300xf32>, %target: memref<2x600xf32>) {
  %view = memref.subview %target[0, 0] [2, 300] [1, 1] : memref<2x600xf32> to memref<2x300xf32, strided<[600, 1]>>
  memref.copy %source, %view : memref<2x300xf32> to memref<2x300xf32, strided<[600, 1]>>
  return
}
