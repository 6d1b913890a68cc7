// RUN: kiln-opt %s -split-input-file -kiln-lower-to-linalg | FileCheck %s

// The data-dependent ops lower to scf loops on tensors: a counting pass, an
// allocation of the counted size, then a filling pass. Where the generated
// code relies on a size (a declared static result size, compress's condition
// fitting the input), a cf.assert names the op.

// nonzero: one loop nest counts, the second writes each nonzero element's
// coordinates into column `count`.
// CHECK-LABEL: func.func @nonzero
// CHECK: %[[COUNT:.+]] = scf.for
// CHECK:   scf.for
// CHECK:     tensor.extract %arg0
// CHECK:     arith.cmpf une
// CHECK:     arith.select
// CHECK-NOT: cf.assert
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[COUNT]]) : tensor<2x?xi64>
// CHECK: %[[FILLED:.+]]:2 = scf.for {{.+}} iter_args(%{{.+}} = %[[EMPTY]], %{{.+}} = %c0)
// CHECK:   scf.for
// CHECK:     scf.if
// CHECK:       tensor.insert
// CHECK:       tensor.insert
// CHECK: return %[[FILLED]]#0 : tensor<2x?xi64>
func.func @nonzero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  %0 = kiln.nonzero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// A count declared static is checked once counted, before anything is written.
// CHECK-LABEL: func.func @nonzero_declared
// CHECK: %[[COUNT:.+]] = scf.for
// CHECK: arith.cmpi ne
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[COUNT]], %c3 : index
// CHECK: cf.assert %[[SAME]], "kiln.nonzero (node 2 'nz' (NonZero)): the number of nonzero elements (3 in the declared result type) differs at run time"
// CHECK: tensor.empty(%[[COUNT]]) : tensor<1x?xi64>
// CHECK: %[[CAST:.+]] = tensor.cast %{{.+}} : tensor<1x?xi64> to tensor<1x3xi64>
// CHECK: return %[[CAST]]
func.func @nonzero_declared(%x: tensor<4xi32>) -> tensor<1x3xi64> {
  %0 = kiln.nonzero %x : (tensor<4xi32>) -> tensor<1x3xi64> loc("node 2 'nz' (NonZero)")
  return %0 : tensor<1x3xi64>
}

// -----

// compress: a condition of run-time length must fit the input's run-time dim;
// kept slices are copied with extract_slice / insert_slice.
// CHECK-LABEL: func.func @compress
// CHECK: %[[LENGTH:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?xi1>
// CHECK: %[[SIZE:.+]] = tensor.dim %arg0, %{{.+}} : tensor<3x?xf32>
// CHECK: %[[FITS:.+]] = arith.cmpi ule, %[[LENGTH]], %[[SIZE]] : index
// CHECK: cf.assert %[[FITS]], "kiln.compress ({{.+}}): the condition has more entries than dimension 1 of the input at run time"
// CHECK: %[[COUNT:.+]] = scf.for %{{.+}} = %c0 to %[[LENGTH]]
// CHECK: tensor.empty(%[[COUNT]]) : tensor<3x?xf32>
// CHECK: scf.for %{{.+}} = %c0 to %[[LENGTH]]
// CHECK:   scf.if
// CHECK:     tensor.extract_slice %arg0[0, %{{.+}}] [3, 1] [1, 1]
// CHECK:     tensor.insert_slice
func.func @compress(%x: tensor<3x?xf32>, %c: tensor<?xi1>) -> tensor<3x?xf32> {
  %0 = kiln.compress %x, %c {axis = 1 : i64} : (tensor<3x?xf32>, tensor<?xi1>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// Static sizes that fit need no check.
// CHECK-LABEL: func.func @compress_static
// CHECK-NOT: cf.assert
// CHECK: return
func.func @compress_static(%x: tensor<5xi64>, %c: tensor<3xi1>) -> tensor<?xi64> {
  %0 = kiln.compress %x, %c {axis = 0 : i64} : (tensor<5xi64>, tensor<3xi1>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// unique along axis 1: the input is transposed to put the axis first (a
// [5, 2] table), every pair of rows is compared (NaN-aware), and the four
// results are filled in one last loop; values are transposed back.
// CHECK-LABEL: func.func @unique
// CHECK: %[[TABLE:.+]] = linalg.transpose ins(%arg0 : tensor<2x5xf32>) {{.+}} permutation = [1, 0]
// CHECK: %[[FIRSTS:.+]]:2 = scf.for
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       arith.cmpf uno
// CHECK:       arith.cmpf olt
// CHECK:       arith.cmpf ogt
// In order of first occurrence (sorted = false), a distinct row's place is
// the number of distinct rows before it.
// CHECK: arith.cmpi ult
// CHECK: tensor.empty(%[[FIRSTS]]#1) : tensor<?x2xf32>
// CHECK: %[[FILLED:.+]]:4 = scf.for
// CHECK:   scf.if
// CHECK:     tensor.extract_slice %[[TABLE]]
// CHECK: %[[VALUES:.+]] = linalg.transpose ins(%[[FILLED]]#0 : tensor<?x2xf32>) {{.+}} permutation = [1, 0]
// CHECK: %[[INVERSE:.+]] = tensor.cast %[[FILLED]]#2 {kiln.checked} : tensor<?xi64> to tensor<5xi64>
// CHECK: return %[[VALUES]], %[[FILLED]]#1, %[[INVERSE]], %[[FILLED]]#3
func.func @unique(%x: tensor<2x5xf32>) -> (tensor<2x?xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>) {
  %0:4 = kiln.unique %x {axis = 1 : i64, sorted = false} : (tensor<2x5xf32>) -> (tensor<2x?xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x?xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>
}

// -----

// Sorted: a row's place counts the distinct rows that compare less (-1).
// A 3-D input is collapsed to a [n, s] table, and expanded back.
// CHECK-LABEL: func.func @unique_sorted_3d
// CHECK: %[[TABLE:.+]] = tensor.collapse_shape %arg0 {{\[\[}}0], [1, 2]] : tensor<4x2x3xi32> into tensor<4x6xi32>
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sgt
// CHECK: %[[LESS:.+]] = arith.cmpi eq, %{{.+}}, %c-1_i32
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [%{{.+}}, 2, 3] : tensor<?x6xi32> into tensor<?x2x3xi32>
func.func @unique_sorted_3d(%x: tensor<4x2x3xi32>) -> (tensor<?x2x3xi32>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>) {
  %0:4 = kiln.unique %x {axis = 0 : i64} : (tensor<4x2x3xi32>) -> (tensor<?x2x3xi32>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<?x2x3xi32>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>
}

// -----

// Dims that take the input's size are checked when only the declared result
// type knows them: compress's other dims, unique's values and inverse indices.
// CHECK-LABEL: func.func @declared_dims
// CHECK: %[[ROWS:.+]] = tensor.dim %arg0, %c0
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[ROWS]], %c3
// CHECK: cf.assert %[[SAME]], "kiln.compress ({{.+}}): dimension 0 of the result (3 in the declared type) differs at run time"
// CHECK: cf.assert %{{.+}}, "kiln.unique ({{.+}}): dimension 1 of the values (2 in the declared type) differs at run time"
// CHECK: cf.assert %{{.+}}, "kiln.unique ({{.+}}): dimension 0 of the inverse indices (5 in the declared type) differs at run time"
func.func @declared_dims(%x: tensor<?x4xf32>, %c: tensor<2xi1>, %y: tensor<?x?xf32>)
    -> (tensor<3x?xf32>, tensor<?x2xf32>, tensor<5xi64>) {
  %0 = kiln.compress %x, %c {axis = 1 : i64} : (tensor<?x4xf32>, tensor<2xi1>) -> tensor<3x?xf32>
  %1:4 = kiln.unique %y {axis = 0 : i64} : (tensor<?x?xf32>) -> (tensor<?x2xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>)
  return %0, %1#0, %1#2 : tensor<3x?xf32>, tensor<?x2xf32>, tensor<5xi64>
}
