// Round trip of string tensors (`!kiln.string` elements) through the custom and the
// generic assembly forms: casts between floats and strings, and shape ops, which accept
// any element type.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @float_to_string
// CHECK-SAME: (%{{.+}}: tensor<3x4xf32>) -> tensor<3x4x!kiln.string>
// CHECK: kiln.cast %{{.+}} to !kiln.string : tensor<3x4xf32>
func.func @float_to_string(%x: tensor<3x4xf32>) -> tensor<3x4x!kiln.string> {
  %0 = kiln.cast %x to !kiln.string : tensor<3x4xf32>
  return %0 : tensor<3x4x!kiln.string>
}

// -----

// CHECK-LABEL: func.func @string_to_double
// CHECK: kiln.cast %{{.+}} to f64 : tensor<?x!kiln.string>
func.func @string_to_double(%s: tensor<?x!kiln.string>) -> tensor<?xf64> {
  %0 = kiln.cast %s to f64 : tensor<?x!kiln.string>
  return %0 : tensor<?xf64>
}

// -----

// CHECK-LABEL: func.func @integers_and_strings
// CHECK: kiln.cast %{{.+}} to !kiln.string : tensor<2xui8>
// CHECK: kiln.cast %{{.+}} to i16 : tensor<2x!kiln.string>
func.func @integers_and_strings(%x: tensor<2xui8>) -> tensor<2xi16> {
  %0 = kiln.cast %x to !kiln.string : tensor<2xui8>
  %1 = kiln.cast %0 to i16 : tensor<2x!kiln.string>
  return %1 : tensor<2xi16>
}

// -----

// CHECK-LABEL: func.func @reshape_strings
// CHECK: kiln.reshape %{{.+}} {shape = array<i64: 6>} : (tensor<2x3x!kiln.string>) -> tensor<6x!kiln.string>
func.func @reshape_strings(%s: tensor<2x3x!kiln.string>) -> tensor<6x!kiln.string> {
  %0 = kiln.reshape %s {shape = array<i64: 6>} : (tensor<2x3x!kiln.string>) -> tensor<6x!kiln.string>
  return %0 : tensor<6x!kiln.string>
}

// -----

// A cast from strings to strings folds away.
// CHECK-LABEL: func.func @string_to_string
// CHECK: kiln.cast %{{.+}} to !kiln.string : tensor<2x!kiln.string>
// RUN: kiln-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=FOLD
// FOLD-LABEL: func.func @string_to_string
// FOLD-NEXT: return %arg0
func.func @string_to_string(%s: tensor<2x!kiln.string>) -> tensor<2x!kiln.string> {
  %0 = kiln.cast %s to !kiln.string : tensor<2x!kiln.string>
  return %0 : tensor<2x!kiln.string>
}
