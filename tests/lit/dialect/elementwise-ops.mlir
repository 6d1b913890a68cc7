// Round trip of the elementwise family's ops through the custom and the generic
// assembly forms: enum attributes print as keywords, defaulted attributes are elided,
// unsigned and i1 element types survive, results broadcast (three ways for select).
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @unsigned_arithmetic
// CHECK: kiln.constant dense<[1, 200, 255]> : tensor<3xui8>
// CHECK: kiln.add %{{.+}}, %{{.+}} : (tensor<2x3xui8>, tensor<3xui8>) -> tensor<2x3xui8>
// CHECK: kiln.div %{{.+}}, %{{.+}} : (tensor<2x3xui8>, tensor<2x3xui8>) -> tensor<2x3xui8>
func.func @unsigned_arithmetic(%a: tensor<2x3xui8>) -> tensor<2x3xui8> {
  %c = kiln.constant dense<[1, 200, 255]> : tensor<3xui8>
  %0 = kiln.add %a, %c : (tensor<2x3xui8>, tensor<3xui8>) -> tensor<2x3xui8>
  %1 = kiln.div %0, %a : (tensor<2x3xui8>, tensor<2x3xui8>) -> tensor<2x3xui8>
  return %1 : tensor<2x3xui8>
}

// -----

// CHECK-LABEL: func.func @binary
// CHECK: kiln.max %{{.+}}, %{{.+}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: kiln.min %{{.+}}, %{{.+}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK: kiln.pow %{{.+}}, %{{.+}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: kiln.mod %{{.+}}, %{{.+}} {fmod = true} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: kiln.mod %{{.+}}, %{{.+}} : (tensor<?x3xi32>, tensor<3xi32>) -> tensor<?x3xi32>
// CHECK-NOT: fmod = false
// CHECK: kiln.bit_shift left, %{{.+}}, %{{.+}} : (tensor<3xui16>, tensor<1xui16>) -> tensor<3xui16>
// CHECK: kiln.bit_shift right, %{{.+}}, %{{.+}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
func.func @binary(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %s: tensor<f32>,
                  %i: tensor<?x3xi32>, %j: tensor<3xi32>, %u: tensor<3xui16>,
                  %v: tensor<1xui16>, %w: tensor<3xi64>) {
  %0 = kiln.max %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = kiln.min %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %2 = kiln.pow %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = kiln.mod %a, %b {fmod = true} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %4 = kiln.mod %i, %j {fmod = false} : (tensor<?x3xi32>, tensor<3xi32>) -> tensor<?x3xi32>
  %5 = kiln.bit_shift left, %u, %v : (tensor<3xui16>, tensor<1xui16>) -> tensor<3xui16>
  %6 = kiln.bit_shift right, %w, %w : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return
}

// -----

// CHECK-LABEL: func.func @logic_and_comparisons
// CHECK: kiln.and %{{.+}}, %{{.+}} : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
// CHECK: kiln.or %{{.+}}, %{{.+}} : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
// CHECK: kiln.xor %{{.+}}, %{{.+}} : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
// CHECK: kiln.not %{{.+}} : tensor<3x4xi1>
// CHECK: kiln.compare eq, %{{.+}}, %{{.+}} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
// CHECK: kiln.compare lt, %{{.+}}, %{{.+}} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
// CHECK: kiln.compare le, %{{.+}}, %{{.+}} : (tensor<2xui32>, tensor<2xui32>) -> tensor<2xi1>
// CHECK: kiln.compare gt, %{{.+}}, %{{.+}} : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
// CHECK: kiln.compare ge, %{{.+}}, %{{.+}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
func.func @logic_and_comparisons(%p: tensor<3x4xi1>, %q: tensor<4xi1>, %x: tensor<3x4xf32>,
                                 %y: tensor<4xf32>, %u: tensor<2xui32>, %d: tensor<?x4xf32>) {
  %0 = kiln.and %p, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  %1 = kiln.or %p, %0 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  %2 = kiln.xor %1, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  %3 = kiln.not %2 : tensor<3x4xi1>
  %4 = kiln.compare eq, %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
  %5 = kiln.compare lt, %x, %y : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
  %6 = kiln.compare le, %u, %u : (tensor<2xui32>, tensor<2xui32>) -> tensor<2xi1>
  %7 = kiln.compare gt, %p, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  %8 = kiln.compare ge, %d, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  return
}

// -----

// Select broadcasts its three operands together.
// CHECK-LABEL: func.func @select
// CHECK: kiln.select %{{.+}}, %{{.+}}, %{{.+}} : (tensor<4x1xi1>, tensor<8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK: kiln.select %{{.+}}, %{{.+}}, %{{.+}} : (tensor<i1>, tensor<2x1x3xui8>, tensor<5x1xui8>) -> tensor<2x5x3xui8>
func.func @select(%c: tensor<4x1xi1>, %a: tensor<8xf32>, %b: tensor<f32>, %s: tensor<i1>,
                  %u: tensor<2x1x3xui8>, %v: tensor<5x1xui8>) {
  %0 = kiln.select %c, %a, %b : (tensor<4x1xi1>, tensor<8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %1 = kiln.select %s, %u, %v : (tensor<i1>, tensor<2x1x3xui8>, tensor<5x1xui8>) -> tensor<2x5x3xui8>
  return
}

// -----

// The cast's result type is inferred from `to` (the parser needs no result type).
// CHECK-LABEL: func.func @casts
// CHECK: kiln.cast %{{.+}} to i64 : tensor<2x3xf32>
// CHECK: kiln.cast %{{.+}} to bf16 : tensor<2x3xf32>
// CHECK: kiln.cast %{{.+}} to ui8 : tensor<2x3xf32>
// CHECK: kiln.cast %{{.+}} to f32 : tensor<8xi1>
// CHECK: kiln.cast %{{.+}} to i1 : tensor<?xf16>
func.func @casts(%x: tensor<2x3xf32>, %m: tensor<8xi1>, %h: tensor<?xf16>)
    -> (tensor<2x3xi64>, tensor<2x3xbf16>, tensor<2x3xui8>, tensor<8xf32>, tensor<?xi1>) {
  %0 = kiln.cast %x to i64 : tensor<2x3xf32>
  %1 = kiln.cast %x to bf16 : tensor<2x3xf32>
  %2 = kiln.cast %x to ui8 : tensor<2x3xf32>
  %3 = kiln.cast %m to f32 : tensor<8xi1>
  %4 = kiln.cast %h to i1 : tensor<?xf16>
  return %0, %1, %2, %3, %4 : tensor<2x3xi64>, tensor<2x3xbf16>, tensor<2x3xui8>, tensor<8xf32>, tensor<?xi1>
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK: kiln.relu %{{.+}} : tensor<4xi32>
// CHECK: kiln.neg %{{.+}} : tensor<4xi32>
// CHECK: kiln.abs %{{.+}} : tensor<4xi32>
// CHECK: kiln.sign %{{.+}} : tensor<4xi32>
// CHECK: kiln.abs %{{.+}} : tensor<4xui64>
// CHECK: kiln.sqrt %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.floor %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.ceil %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.round %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.sin %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.cos %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.tan %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.asin %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.acos %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.atan %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.sinh %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.cosh %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.asinh %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.acosh %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.atanh %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.erf %{{.+}} : tensor<2x?xf16>
// CHECK: kiln.is_nan %{{.+}} : tensor<2x?xf32>
// CHECK: kiln.is_inf %{{.+}} : tensor<2x?xf64>
func.func @unary(%i: tensor<4xi32>, %u: tensor<4xui64>, %x: tensor<2x?xf32>, %h: tensor<2x?xf16>,
                 %d: tensor<2x?xf64>) -> (tensor<2x?xi1>, tensor<2x?xi1>) {
  %0 = kiln.relu %i : tensor<4xi32>
  %1 = kiln.neg %0 : tensor<4xi32>
  %2 = kiln.abs %1 : tensor<4xi32>
  %3 = kiln.sign %2 : tensor<4xi32>
  %4 = kiln.abs %u : tensor<4xui64>
  %5 = kiln.sqrt %x : tensor<2x?xf32>
  %6 = kiln.floor %5 : tensor<2x?xf32>
  %7 = kiln.ceil %6 : tensor<2x?xf32>
  %8 = kiln.round %7 : tensor<2x?xf32>
  %9 = kiln.sin %8 : tensor<2x?xf32>
  %10 = kiln.cos %9 : tensor<2x?xf32>
  %11 = kiln.tan %10 : tensor<2x?xf32>
  %12 = kiln.asin %11 : tensor<2x?xf32>
  %13 = kiln.acos %12 : tensor<2x?xf32>
  %14 = kiln.atan %13 : tensor<2x?xf32>
  %15 = kiln.sinh %14 : tensor<2x?xf32>
  %16 = kiln.cosh %15 : tensor<2x?xf32>
  %17 = kiln.asinh %16 : tensor<2x?xf32>
  %18 = kiln.acosh %17 : tensor<2x?xf32>
  %19 = kiln.atanh %18 : tensor<2x?xf32>
  %20 = kiln.erf %h : tensor<2x?xf16>
  %21 = kiln.is_nan %19 : tensor<2x?xf32>
  %22 = kiln.is_inf %d : tensor<2x?xf64>
  return %21, %22 : tensor<2x?xi1>, tensor<2x?xi1>
}
