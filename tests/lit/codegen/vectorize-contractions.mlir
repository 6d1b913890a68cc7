// RUN: kiln-opt %s -split-input-file -kiln-vectorize-contractions="tile-rows=32 reduction-tile=64" -canonicalize | FileCheck %s

// A product of 64x128 by 128x256: two output tiles of 32x256, a task each
// (the zero-fill fused into them), slices of 64 of the reduction, and an 8x32
// register tile
// whose accumulators are loop-carried vectors of the innermost loop over the
// reduction, each step one row of B and eight broadcast FMAs.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs
// CHECK: linalg.fill {{.*}} -> tensor<32x256xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c128 step %c64
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c8
// CHECK: scf.for %{{.+}} = %c0 to %c256 step %c32
// CHECK: vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (vector<8x32xf32>)
// CHECK: vector.transfer_read {{.*}} vector<32xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.yield {{.*}} : vector<8x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x256xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x256xf32>) -> tensor<64x256xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x256xf32>) outs(%init : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %0 : tensor<64x256xf32>
}

// -----

// Odd sizes: row tiles shrink to a divisor (7 of 35 rows), the 20 columns
// are padded to 32 (the accumulator, a function argument, too), so every
// register tile is static; the 300-long reduction is sliced by 64, the last
// slice shorter.
// CHECK-LABEL: func.func @odd_sizes
// CHECK: %[[INIT:.+]] = tensor.pad %arg2 low[0, 0] high[0, 12]
// CHECK: scf.forall (%{{.+}}) in (5) shared_outs(%{{.+}} = %[[INIT]])
// CHECK-NOT: linalg.fill
// CHECK: scf.for %{{.+}} = %c0 to %c300 step %c64 iter_args({{.*}}) -> (vector<7x32xf32>)
// CHECK: affine.min
// CHECK: scf.for {{.*}} -> (vector<7x32xf32>)
// CHECK-COUNT-7: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: linalg.matmul
func.func @odd_sizes(%a: tensor<35x300xf32>, %b: tensor<300x20xf32>, %c: tensor<35x20xf32>) -> tensor<35x20xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<35x300xf32>, tensor<300x20xf32>) outs(%c : tensor<35x20xf32>) -> tensor<35x20xf32>
  return %0 : tensor<35x20xf32>
}

// -----

// Batched products get a task per batch entry and output tile.
// CHECK-LABEL: func.func @batch_matmul
// CHECK: scf.forall (%{{.+}}) in (3) shared_outs
// CHECK: scf.for {{.*}} -> (vector<1x8x16xf32>)
// CHECK-COUNT-8: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @batch_matmul(%a: tensor<3x16x8xf32>, %b: tensor<3x8x16xf32>, %c: tensor<3x16x16xf32>) -> tensor<3x16x16xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<3x16x8xf32>, tensor<3x8x16xf32>) outs(%c : tensor<3x16x16xf32>) -> tensor<3x16x16xf32>
  return %0 : tensor<3x16x16xf32>
}

// -----

// Not scheduled: dynamic shapes, other element types and transposed operands
// keep linalg's default lowering.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<?x8xf32>, tensor<8x8xf32>)
// CHECK: linalg.matmul ins(%arg3, %arg4 : tensor<8x8xf64>, tensor<8x8xf64>)
// CHECK: linalg.matmul indexing_maps
// CHECK-NOT: vector.
func.func @left_alone(%a: tensor<?x8xf32>, %b: tensor<8x8xf32>, %c: tensor<?x8xf32>,
                      %d: tensor<8x8xf64>, %e: tensor<8x8xf64>, %f: tensor<8x8xf64>,
                      %g: tensor<8x8xf32>, %h: tensor<8x8xf32>) -> (tensor<?x8xf32>, tensor<8x8xf64>, tensor<8x8xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<?x8xf32>, tensor<8x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  %1 = linalg.matmul ins(%d, %e : tensor<8x8xf64>, tensor<8x8xf64>) outs(%f : tensor<8x8xf64>) -> tensor<8x8xf64>
  %2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
       ins(%g, %h : tensor<8x8xf32>, tensor<8x8xf32>) outs(%h : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0, %1, %2 : tensor<?x8xf32>, tensor<8x8xf64>, tensor<8x8xf32>
}

// -----

// Columns that are not whole vectors (20) are padded with zero columns to 32,
// rows without a divisor from 4 to 8 (97) with zero rows to 104; a fill is
// recreated at the padded size, and the result is the original part.
// CHECK-LABEL: func.func @padded
// CHECK: tensor.pad %arg0 low[0, 0] high[7, 0]
// CHECK: tensor.pad %arg1 low[0, 0] high[0, 12]
// CHECK: linalg.fill {{.*}} -> tensor<{{[0-9]+}}x32xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: tensor.extract_slice %{{.+}}[0, 0] [97, 20] [1, 1] : tensor<104x32xf32> to tensor<97x20xf32>
func.func @padded(%a: tensor<97x64xf32>, %b: tensor<64x20xf32>) -> tensor<97x20xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<97x20xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<97x20xf32>) -> tensor<97x20xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<97x64xf32>, tensor<64x20xf32>) outs(%init : tensor<97x20xf32>) -> tensor<97x20xf32>
  return %0 : tensor<97x20xf32>
}

// -----

// 52 columns starting from a fill are split, not padded: products of 32, 16
// and 4 columns of B (slices, no copy), each with its own fill and register
// tile, inserted into their columns of the result.
// CHECK-LABEL: func.func @split_columns
// CHECK: %[[B0:.+]] = tensor.extract_slice %arg1[0, 0] [64, 32] [1, 1]
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: %[[R0:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0] [8, 32] [1, 1]
// CHECK: tensor.extract_slice %arg1[0, 32] [64, 16] [1, 1]
// CHECK-COUNT-8: vector.fma {{.*}} : vector<16xf32>
// CHECK: %[[R1:.+]] = tensor.insert_slice %{{.+}} into %[[R0]][0, 32] [8, 16] [1, 1]
// CHECK: tensor.extract_slice %arg1[0, 48] [64, 4] [1, 1]
// CHECK-COUNT-8: vector.fma {{.*}} : vector<4xf32>
// CHECK: %[[R2:.+]] = tensor.insert_slice %{{.+}} into %[[R1]][0, 48] [8, 4] [1, 1]
// CHECK: return %[[R2]]
// CHECK-NOT: tensor.pad
func.func @split_columns(%a: tensor<8x64xf32>, %b: tensor<64x52xf32>) -> tensor<8x52xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x52xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x52xf32>) -> tensor<8x52xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x52xf32>) outs(%init : tensor<8x52xf32>) -> tensor<8x52xf32>
  return %0 : tensor<8x52xf32>
}
