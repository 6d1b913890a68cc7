// Casts between floats and strings lower to calls of the runtime's helpers
// (string_abi.h) inside the elementwise generic. String tensors become i64 tensors (the
// bits of each `const char *`), since builtin memrefs cannot hold `!llvm.ptr`; each
// parsing cast passes a module constant that names it for the run's error message.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func.func private @kiln_string_from_f32(f32) -> !llvm.ptr
// CHECK-LABEL: func.func @to_string
// CHECK-SAME: (%{{.+}}: tensor<3xf32>) -> tensor<3xi64>
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: i64):
// CHECK-NEXT: %[[TEXT:.+]] = func.call @kiln_string_from_f32(%[[IN]]) : (f32) -> !llvm.ptr
// CHECK-NEXT: %[[BITS:.+]] = llvm.ptrtoint %[[TEXT]] : !llvm.ptr to i64
// CHECK-NEXT: linalg.yield %[[BITS]] : i64
func.func @to_string(%x: tensor<3xf32>) -> tensor<3x!kiln.string> {
  %0 = kiln.cast %x to !kiln.string : tensor<3xf32>
  return %0 : tensor<3x!kiln.string>
}

// -----

// CHECK: llvm.mlir.global internal constant @[[SITE:__kiln_string_site_0]]("kiln.cast (node_7)\00")
// CHECK: func.func private @kiln_string_to_f64(!llvm.ptr, !llvm.ptr) -> f64
// CHECK-LABEL: func.func @from_string
// CHECK-SAME: (%{{.+}}: tensor<?xi64>) -> tensor<?xf64>
// CHECK: ^bb0(%[[IN:.+]]: i64, %{{.+}}: f64):
// CHECK-NEXT: %[[TEXT:.+]] = llvm.inttoptr %[[IN]] : i64 to !llvm.ptr
// CHECK-NEXT: %[[NAME:.+]] = llvm.mlir.addressof @[[SITE]] : !llvm.ptr
// CHECK-NEXT: %[[VALUE:.+]] = func.call @kiln_string_to_f64(%[[TEXT]], %[[NAME]])
// CHECK-NEXT: linalg.yield %[[VALUE]] : f64
func.func @from_string(%s: tensor<?x!kiln.string>) -> tensor<?xf64> {
  %0 = kiln.cast %s to f64 : tensor<?x!kiln.string> loc("node_7")
  return %0 : tensor<?xf64>
}

// -----

// Two parsing casts get a site each; the helper is declared once.
// CHECK-DAG: llvm.mlir.global internal constant @__kiln_string_site_1("kiln.cast (second)\00")
// CHECK-DAG: llvm.mlir.global internal constant @__kiln_string_site_0("kiln.cast (first)\00")
// CHECK-COUNT-1: func.func private @kiln_string_to_f32
// CHECK-LABEL: func.func @two_sites
func.func @two_sites(%s: tensor<2x!kiln.string>) -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = kiln.cast %s to f32 : tensor<2x!kiln.string> loc("first")
  %1 = kiln.cast %s to f32 : tensor<2x!kiln.string> loc("second")
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Integers: formatted as 64-bit ones (extended by their signedness), parsed as
// int64 and truncated.
// CHECK-LABEL: func.func @integers
// CHECK: ^bb0(%[[U8:.+]]: i8, %{{.+}}: i64):
// CHECK-NEXT: %[[WIDE:.+]] = arith.extui %[[U8]] : i8 to i64
// CHECK-NEXT: func.call @kiln_string_from_u64(%[[WIDE]]) : (i64) -> !llvm.ptr
// CHECK: ^bb0(%[[I32:.+]]: i32, %{{.+}}: i64):
// CHECK-NEXT: %[[SWIDE:.+]] = arith.extsi %[[I32]] : i32 to i64
// CHECK-NEXT: func.call @kiln_string_from_i64(%[[SWIDE]]) : (i64) -> !llvm.ptr
// CHECK: ^bb0(%[[S:.+]]: i64, %{{.+}}: i16):
// CHECK: %[[PARSED:.+]] = func.call @kiln_string_to_i64(%{{.+}}, %{{.+}}) : (!llvm.ptr, !llvm.ptr) -> i64
// CHECK-NEXT: %[[NARROW:.+]] = arith.trunci %[[PARSED]] : i64 to i16
// CHECK-NEXT: linalg.yield %[[NARROW]] : i16
func.func @integers(%x: tensor<2xui8>, %y: tensor<2xi32>) -> (tensor<2x!kiln.string>, tensor<2x!kiln.string>, tensor<2xi16>) {
  %0 = kiln.cast %x to !kiln.string : tensor<2xui8>
  %1 = kiln.cast %y to !kiln.string : tensor<2xi32>
  %2 = kiln.cast %1 to i16 : tensor<2x!kiln.string>
  return %0, %1, %2 : tensor<2x!kiln.string>, tensor<2x!kiln.string>, tensor<2xi16>
}

// -----

// Ops that only move elements take strings as their i64 bits.
// CHECK-LABEL: func.func @reshape_strings
// CHECK-SAME: (%{{.+}}: tensor<2x3xi64>) -> tensor<6xi64>
// CHECK: tensor.collapse_shape %{{.+}} : tensor<2x3xi64> into tensor<6xi64>
func.func @reshape_strings(%s: tensor<2x3x!kiln.string>) -> tensor<6x!kiln.string> {
  %0 = kiln.reshape %s {shape = array<i64: 6>} : (tensor<2x3x!kiln.string>) -> tensor<6x!kiln.string>
  return %0 : tensor<6x!kiln.string>
}
