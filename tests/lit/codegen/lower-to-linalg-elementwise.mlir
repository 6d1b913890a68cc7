// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// Broadcasting maps a missing leading dim away and a stretched unit dim to 0.
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x8xf32>, tensor<8xf32>) outs(%[[EMPTY]] : tensor<4x8xf32>)
// CHECK: arith.addf
// CHECK-NOT: kiln.
func.func @add_broadcast(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Integers use integer arithmetic; a dynamic dim is read from the operand that has it.
// CHECK-DAG: #[[UNIT:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @mul_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x8xi32>, %[[B:.+]]: tensor<1x8xi32>)
// CHECK: %[[DIM:.+]] = tensor.dim %[[A]], %c0
// CHECK: tensor.empty(%[[DIM]]) : tensor<?x8xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[UNIT]], #{{.+}}]
// CHECK: arith.muli
func.func @mul_dynamic(%a: tensor<?x8xi32>, %b: tensor<1x8xi32>) -> tensor<?x8xi32> {
  %0 = kiln.mul %a, %b : (tensor<?x8xi32>, tensor<1x8xi32>) -> tensor<?x8xi32>
  return %0 : tensor<?x8xi32>
}

// -----

// CHECK-LABEL: func.func @sub_div
// CHECK: arith.subf
// CHECK: arith.divf
func.func @sub_div(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = kiln.sub %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.div %0, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf %{{.+}}, %[[ZERO]] : f32
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.divf
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
func.func @unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  %1 = kiln.sigmoid %0 : tensor<4xf32>
  %2 = kiln.tanh %1 : tensor<4xf32>
  %3 = kiln.exp %2 : tensor<4xf32>
  %4 = kiln.log %3 : tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Unsigned types become signless in signatures, constants (the bits stay: 200 is -56
// as i8) and bodies; the arithmetic is the unsigned one, chosen from the kiln types.
// Integer division guards a zero divisor instead of trapping.
// CHECK-LABEL: func.func @unsigned_elementwise
// CHECK-SAME: (%[[A:.+]]: tensor<4xi8>, %[[B:.+]]: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xi8>, tensor<4xf32>, tensor<4xi32>)
// CHECK: %[[C:.+]] = arith.constant dense<[1, 2, -56, -1]> : tensor<4xi8>
// CHECK: ins(%[[A]], %[[C]] : tensor<4xi8>, tensor<4xi8>)
// CHECK: %[[ZERO:.+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : i8
// CHECK: %[[DIVISOR:.+]] = arith.select %[[ZERO]], %{{.+}}, %{{.+}} : i8
// CHECK: %[[Q:.+]] = arith.divui %{{.+}}, %[[DIVISOR]] : i8
// CHECK: arith.select %[[ZERO]], %{{.+}}, %[[Q]] : i8
// CHECK: arith.cmpi ult
// CHECK: arith.maxui
// CHECK: arith.uitofp %{{.+}} : i8 to f32
// CHECK: arith.extui %{{.+}} : i8 to i32
// CHECK-NOT: ui8
func.func @unsigned_elementwise(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>, tensor<4xui8>, tensor<4xf32>, tensor<4xi32>) {
  %c = kiln.constant dense<[1, 2, 200, 255]> : tensor<4xui8>
  %0 = kiln.div %a, %c : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = kiln.compare lt, %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %2 = kiln.max %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %3 = kiln.cast %a to f32 : tensor<4xui8>
  %4 = kiln.cast %a to i32 : tensor<4xui8>
  return %0, %1, %2, %3, %4 : tensor<4xui8>, tensor<4xi1>, tensor<4xui8>, tensor<4xf32>, tensor<4xi32>
}

// -----

// Calls convert with the signatures; ops of other families whose result does not
// depend on signedness are retyped and lowered as usual.
// CHECK-LABEL: func.func @callee
// CHECK-SAME: (%{{.+}}: tensor<2x3xi16>) -> tensor<2x3xi16>
// CHECK-LABEL: func.func @caller
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xi16>) -> tensor<3x2xi16>
// CHECK: %[[Y:.+]] = call @callee(%[[X]]) : (tensor<2x3xi16>) -> tensor<2x3xi16>
// CHECK: linalg.transpose ins(%[[Y]] : tensor<2x3xi16>)
// CHECK-NOT: ui16
func.func @callee(%x: tensor<2x3xui16>) -> tensor<2x3xui16> {
  return %x : tensor<2x3xui16>
}
func.func @caller(%x: tensor<2x3xui16>) -> tensor<3x2xui16> {
  %0 = call @callee(%x) : (tensor<2x3xui16>) -> tensor<2x3xui16>
  %1 = kiln.transpose %0 {permutation = array<i64: 1, 0>} : (tensor<2x3xui16>) -> tensor<3x2xui16>
  return %1 : tensor<3x2xui16>
}

// -----

// Signed division and remainder guard both a zero divisor and -1 (whose quotient is
// the wrapped negation); Python's mod adds the divisor when the signs differ.
// CHECK-LABEL: func.func @signed_division
// CHECK: %[[MINUS_ONE:.+]] = arith.cmpi eq, %{{.+}}, %c-1_i32 : i32
// CHECK: %[[GUARD:.+]] = arith.ori %{{.+}}, %[[MINUS_ONE]] : i1
// CHECK: %[[DIVISOR:.+]] = arith.select %[[GUARD]], %c1_i32, %{{.+}} : i32
// CHECK: arith.divsi %{{.+}}, %[[DIVISOR]] : i32
// CHECK: arith.subi %c0_i32, %{{.+}} : i32
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK-NOT: arith.addi
// CHECK: return
func.func @signed_division(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %0 = kiln.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = kiln.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = kiln.mod %a, %b {fmod = true} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// Shifts by the width or more are answered without shifting (arith would give
// poison); integer pow loops over the exponent's bits; float pow is math.powf.
// CHECK-LABEL: func.func @shifts_and_pow
// CHECK: %[[FAR:.+]] = arith.cmpi uge, %{{.+}}, %c16_i16 : i16
// CHECK: arith.shli
// CHECK: arith.select %[[FAR]], %c0_i16, %{{.+}} : i16
// CHECK: arith.select %{{.+}}, %c15_i16, %{{.+}} : i16
// CHECK: arith.shrsi
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c1 iter_args
// CHECK: arith.muli
// CHECK: math.powf
func.func @shifts_and_pow(%a: tensor<4xui16>, %b: tensor<4xi16>, %x: tensor<4xf32>) -> (tensor<4xui16>, tensor<4xi16>, tensor<4xi16>, tensor<4xf32>) {
  %0 = kiln.bit_shift left, %a, %a : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  %1 = kiln.bit_shift right, %b, %b : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %2 = kiln.pow %b, %b : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %3 = kiln.pow %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xui16>, tensor<4xi16>, tensor<4xi16>, tensor<4xf32>
}

// -----

// Select broadcasts three operands in one generic; not is xor with true.
// CHECK-DAG: #[[COLUMN:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select_and_logic
// CHECK: linalg.generic {indexing_maps = [#[[COLUMN]], #[[ROW]], #[[SCALAR]], #{{.+}}]
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK: %[[TRUE:.+]] = arith.constant true
// CHECK: arith.xori %{{.+}}, %[[TRUE]] : i1
func.func @select_and_logic(%c: tensor<4x1xi1>, %a: tensor<8xf32>, %b: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x1xi1>) {
  %0 = kiln.select %c, %a, %b : (tensor<4x1xi1>, tensor<8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %1 = kiln.not %c : tensor<4x1xi1>
  return %0, %1 : tensor<4x8xf32>, tensor<4x1xi1>
}

// -----

// Half precision math runs in f32; f16 to bf16 goes through f32; is_nan is an unordered
// self-comparison, is_inf compares |x| with +inf, and x != 0 as i1 is true for NaN.
// CHECK-LABEL: func.func @half_precision_and_classes
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK-NEXT: math.asinh %{{.+}} : f32
// CHECK-NEXT: arith.truncf %{{.+}} : f32 to f16
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK-NEXT: arith.truncf %{{.+}} : f32 to bf16
// CHECK: arith.cmpf uno, %[[X:.+]], %[[X]] : f32
// CHECK: math.absf
// CHECK: arith.cmpf oeq, %{{.+}}, %{{.+}} : f32
// CHECK: arith.cmpf une
func.func @half_precision_and_classes(%h: tensor<4xf16>, %x: tensor<4xf32>) -> (tensor<4xf16>, tensor<4xbf16>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.asinh %h : tensor<4xf16>
  %1 = kiln.cast %0 to bf16 : tensor<4xf16>
  %2 = kiln.is_nan %x : tensor<4xf32>
  %3 = kiln.is_inf %x : tensor<4xf32>
  %4 = kiln.cast %x to i1 : tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf16>, tensor<4xbf16>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}
