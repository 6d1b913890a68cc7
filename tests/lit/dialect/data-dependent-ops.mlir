// Round trip of the data-dependent ops (nonzero, compress, unique) through the
// custom and the generic assembly forms: the data-dependent dims stay dynamic,
// a declared static size is accepted, and the default of `sorted` is elided.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @nonzero
// CHECK: kiln.nonzero %{{.+}} : (tensor<2x3xf32>) -> tensor<2x?xi64>
// CHECK: kiln.nonzero %{{.+}} : (tensor<?xi1>) -> tensor<1x?xi64>
// CHECK: kiln.nonzero %{{.+}} : (tensor<4xi32>) -> tensor<1x4xi64>
func.func @nonzero(%x: tensor<2x3xf32>, %b: tensor<?xi1>, %i: tensor<4xi32>)
    -> (tensor<2x?xi64>, tensor<1x?xi64>, tensor<1x4xi64>) {
  %0 = kiln.nonzero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
  %1 = kiln.nonzero %b : (tensor<?xi1>) -> tensor<1x?xi64>
  %2 = kiln.nonzero %i : (tensor<4xi32>) -> tensor<1x4xi64>
  return %0, %1, %2 : tensor<2x?xi64>, tensor<1x?xi64>, tensor<1x4xi64>
}

// -----

// CHECK-LABEL: func.func @compress
// CHECK: kiln.compress %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<3x2xf32>, tensor<2xi1>) -> tensor<3x?xf32>
// CHECK: kiln.compress %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<?xui8>, tensor<?xi1>) -> tensor<?xui8>
func.func @compress(%x: tensor<3x2xf32>, %c: tensor<2xi1>, %u: tensor<?xui8>, %d: tensor<?xi1>)
    -> (tensor<3x?xf32>, tensor<?xui8>) {
  %0 = kiln.compress %x, %c {axis = 1 : i64} : (tensor<3x2xf32>, tensor<2xi1>) -> tensor<3x?xf32>
  %1 = kiln.compress %u, %d {axis = 0 : i64} : (tensor<?xui8>, tensor<?xi1>) -> tensor<?xui8>
  return %0, %1 : tensor<3x?xf32>, tensor<?xui8>
}

// -----

// CHECK-LABEL: func.func @unique
// CHECK: kiln.unique %{{.+}} {axis = 0 : i64} : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
// CHECK: kiln.unique %{{.+}} {axis = 1 : i64, sorted = false} : (tensor<2x?x3xi64>) -> (tensor<2x?x3xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
func.func @unique(%x: tensor<6xf32>, %y: tensor<2x?x3xi64>) {
  %0:4 = kiln.unique %x {axis = 0 : i64, sorted = true}
      : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  %1:4 = kiln.unique %y {axis = 1 : i64, sorted = false}
      : (tensor<2x?x3xi64>) -> (tensor<2x?x3xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return
}
