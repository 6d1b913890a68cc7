// Folders of the elementwise family (KilnElementwiseFolders.cpp): constant folding with
// the semantics of the generated code, broadcasting included, and exact identities.
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// Casts: float to int truncates toward zero, int to int wraps or extends by the
// source's signedness (ui8 200 stays 200), anything to i1 is != 0 (NaN too), f64 to f16
// rounds to nearest (65520 overflows to inf).
// CHECK-LABEL: func.func @cast_folds
// CHECK-NEXT: %0 = kiln.constant dense<[-2, 2, 0]> : tensor<3xi32>
// CHECK-NEXT: %1 = kiln.constant dense<[44, 255]> : tensor<2xui8>
// CHECK-NEXT: %2 = kiln.constant dense<[200, 255]> : tensor<2xi32>
// CHECK-NEXT: %3 = kiln.constant dense<[-56, 127]> : tensor<2xi32>
// CHECK-NEXT: %4 = kiln.constant dense<[false, false, true, true]> : tensor<4xi1>
// CHECK-NEXT: %5 = kiln.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %6 = kiln.constant dense<[0.000000e+00, 0x7C00]> : tensor<2xf16>
// CHECK-NEXT: %7 = kiln.constant dense<[2.000000e+02, 2.550000e+02]> : tensor<2xf32>
// CHECK-NEXT: return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<3xi32>, tensor<2xui8>, tensor<2xi32>, tensor<2xi32>, tensor<4xi1>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>
// CHECK-NEXT: }
func.func @cast_folds() -> (tensor<3xi32>, tensor<2xui8>, tensor<2xi32>, tensor<2xi32>, tensor<4xi1>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>) {
  %f = kiln.constant dense<[-2.7, 2.7, 0.5]> : tensor<3xf32>
  %0 = kiln.cast %f to i32 : tensor<3xf32>
  %i = kiln.constant dense<[300, -1]> : tensor<2xi32>
  %1 = kiln.cast %i to ui8 : tensor<2xi32>
  %u = kiln.constant dense<[200, 255]> : tensor<2xui8>
  %2 = kiln.cast %u to i32 : tensor<2xui8>
  %s = kiln.constant dense<[-56, 127]> : tensor<2xi8>
  %3 = kiln.cast %s to i32 : tensor<2xi8>
  %z = kiln.constant dense<[0.0, -0.0, 0x7FC00000, 2.0]> : tensor<4xf32>
  %4 = kiln.cast %z to i1 : tensor<4xf32>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  %5 = kiln.cast %b to f32 : tensor<2xi1>
  %d = kiln.constant dense<[1.0e-8, 65520.0]> : tensor<2xf64>
  %6 = kiln.cast %d to f16 : tensor<2xf64>
  %7 = kiln.cast %u to f32 : tensor<2xui8>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<3xi32>, tensor<2xui8>, tensor<2xi32>, tensor<2xi32>, tensor<4xi1>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>
}

// -----

// A float out of the target's range has no specified value: left to run time. A cast
// to the same type is the input.
// CHECK-LABEL: func.func @cast_no_fold
// CHECK-NEXT: %0 = kiln.constant dense<[1.000000e+10, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %1 = kiln.cast %0 to i32 : tensor<2xf32>
// CHECK-NEXT: return %1, %arg0 : tensor<2xi32>, tensor<2xf32>
// CHECK-NEXT: }
func.func @cast_no_fold(%x: tensor<2xf32>) -> (tensor<2xi32>, tensor<2xf32>) {
  %f = kiln.constant dense<[1.0e10, 1.0]> : tensor<2xf32>
  %0 = kiln.cast %f to i32 : tensor<2xf32>
  %1 = kiln.cast %x to f32 : tensor<2xf32>
  return %0, %1 : tensor<2xi32>, tensor<2xf32>
}

// -----

// Comparisons: signless is signed, unsigned is unsigned, NaN compares false, -0 == +0;
// broadcast operands fold too.
// CHECK-LABEL: func.func @compare_folds
// CHECK-NEXT: %0 = kiln.constant dense<[true, false]> : tensor<2xi1>
// CHECK-NEXT: %1 = kiln.constant dense<false> : tensor<2xi1>
// CHECK-NEXT: %2 = kiln.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-NEXT: %3 = kiln.constant dense<{{\[}}[false, true], [true, true]]> : tensor<2x2xi1>
// CHECK-NEXT: return %0, %1, %2, %3 : tensor<2xi1>, tensor<2xi1>, tensor<3xi1>, tensor<2x2xi1>
// CHECK-NEXT: }
func.func @compare_folds() -> (tensor<2xi1>, tensor<2xi1>, tensor<3xi1>, tensor<2x2xi1>) {
  %a = kiln.constant dense<[-1, 5]> : tensor<2xi8>
  %b = kiln.constant dense<[1, 5]> : tensor<2xi8>
  %0 = kiln.compare lt, %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi1>
  %ua = kiln.constant dense<[255, 5]> : tensor<2xui8>
  %ub = kiln.constant dense<[1, 5]> : tensor<2xui8>
  %1 = kiln.compare lt, %ua, %ub : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xi1>
  %f = kiln.constant dense<[0x7FC00000, 1.0, -0.0]> : tensor<3xf32>
  %g = kiln.constant dense<[0x7FC00000, 2.0, 0.0]> : tensor<3xf32>
  %2 = kiln.compare le, %f, %g : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %r = kiln.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %c = kiln.constant dense<[2, 1]> : tensor<2xi64>
  %3 = kiln.compare ge, %r, %c : (tensor<2x1xi64>, tensor<2xi64>) -> tensor<2x2xi1>
  return %0, %1, %2, %3 : tensor<2xi1>, tensor<2xi1>, tensor<3xi1>, tensor<2x2xi1>
}

// -----

// A uniform condition picks an operand; constants fold through the 3-way broadcast.
// CHECK-LABEL: func.func @select_folds
// CHECK-NEXT: %0 = kiln.constant dense<{{\[}}[1, 7], [2, 7]]> : tensor<2x2xi32>
// CHECK-NEXT: return %arg0, %arg1, %0 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xi32>
// CHECK-NEXT: }
func.func @select_folds(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xi32>) {
  %t = kiln.constant dense<true> : tensor<3xi1>
  %0 = kiln.select %t, %x, %y : (tensor<3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %f = kiln.constant dense<false> : tensor<i1>
  %1 = kiln.select %f, %x, %y : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = kiln.constant dense<[true, false]> : tensor<2xi1>
  %a = kiln.constant dense<[[1], [2]]> : tensor<2x1xi32>
  %b = kiln.constant dense<7> : tensor<i32>
  %2 = kiln.select %c, %a, %b : (tensor<2xi1>, tensor<2x1xi32>, tensor<i32>) -> tensor<2x2xi32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xi32>
}

// -----

// Integer division truncates (unsigned for ui8); mod follows Python without fmod and C
// with it; integer pow wraps and a negative exponent truncates 1/x^n; max is unsigned
// on ui8; min propagates NaN and orders -0 below +0; shifts past the width shift
// everything out (an arithmetic right shift leaves the sign).
// CHECK-LABEL: func.func @arith_folds
// CHECK-NEXT: %0 = kiln.constant dense<[3, -3]> : tensor<2xi32>
// CHECK-NEXT: %1 = kiln.constant dense<83> : tensor<1xui8>
// CHECK-NEXT: %2 = kiln.constant dense<[2, -2, -1, 1]> : tensor<4xi32>
// CHECK-NEXT: %3 = kiln.constant dense<[-1, 1, -1, 1]> : tensor<4xi32>
// CHECK-NEXT: %4 = kiln.constant dense<[4, 7]> : tensor<2xui8>
// CHECK-NEXT: %5 = kiln.constant dense<[-1.500000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK-NEXT: %6 = kiln.constant dense<[1024, 0, -1]> : tensor<3xi32>
// CHECK-NEXT: %7 = kiln.constant dense<5.625000e+01> : tensor<2xf32>
// CHECK-NEXT: %8 = kiln.constant dense<200> : tensor<2xui8>
// CHECK-NEXT: %9 = kiln.constant dense<[0x7FC00000, -0.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %10 = kiln.constant dense<[8, 0]> : tensor<2xui8>
// CHECK-NEXT: %11 = kiln.constant dense<[-16, -1]> : tensor<2xi8>
// CHECK-NEXT: return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 : tensor<2xi32>, tensor<1xui8>, tensor<4xi32>, tensor<4xi32>, tensor<2xui8>, tensor<2xf32>, tensor<3xi32>, tensor<2xf32>, tensor<2xui8>, tensor<2xf32>, tensor<2xui8>, tensor<2xi8>
// CHECK-NEXT: }
func.func @arith_folds() -> (tensor<2xi32>, tensor<1xui8>, tensor<4xi32>, tensor<4xi32>, tensor<2xui8>, tensor<2xf32>, tensor<3xi32>, tensor<2xf32>, tensor<2xui8>, tensor<2xf32>, tensor<2xui8>, tensor<2xi8>) {
  %a = kiln.constant dense<[7, -7]> : tensor<2xi32>
  %two = kiln.constant dense<2> : tensor<i32>
  %0 = kiln.div %a, %two : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  %u = kiln.constant dense<[250]> : tensor<1xui8>
  %three = kiln.constant dense<[3]> : tensor<1xui8>
  %1 = kiln.div %u, %three : (tensor<1xui8>, tensor<1xui8>) -> tensor<1xui8>
  %m = kiln.constant dense<[-7, 7, -7, 7]> : tensor<4xi32>
  %n = kiln.constant dense<[3, -3, -3, 3]> : tensor<4xi32>
  %2 = kiln.mod %m, %n : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %3 = kiln.mod %m, %n {fmod = true} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %p = kiln.constant dense<[200, 7]> : tensor<2xui8>
  %q = kiln.constant dense<[7, 200]> : tensor<2xui8>
  %4 = kiln.mod %p, %q : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %x = kiln.constant dense<[-7.5, 7.5]> : tensor<2xf32>
  %y = kiln.constant dense<2.0> : tensor<f32>
  %5 = kiln.mod %x, %y {fmod = true} : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %b = kiln.constant dense<[2, 3, -1]> : tensor<3xi32>
  %e = kiln.constant dense<[10, -1, 3]> : tensor<3xi32>
  %6 = kiln.pow %b, %e : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %7 = kiln.pow %x, %y : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %8 = kiln.max %p, %q : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %nan = kiln.constant dense<[0x7FC00000, -0.0]> : tensor<2xf32>
  %zero = kiln.constant dense<0.0> : tensor<f32>
  %9 = kiln.min %nan, %zero : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %s = kiln.constant dense<[1, 255]> : tensor<2xui8>
  %t = kiln.constant dense<[3, 8]> : tensor<2xui8>
  %10 = kiln.bit_shift left, %s, %t : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %v = kiln.constant dense<[-128, -128]> : tensor<2xi8>
  %w = kiln.constant dense<[3, 9]> : tensor<2xi8>
  %11 = kiln.bit_shift right, %v, %w : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 : tensor<2xi32>, tensor<1xui8>, tensor<4xi32>, tensor<4xi32>, tensor<2xui8>, tensor<2xf32>, tensor<3xi32>, tensor<2xf32>, tensor<2xui8>, tensor<2xf32>, tensor<2xui8>, tensor<2xi8>
}

// -----

// Unary ops: integers wrap (neg and abs of the minimum), round is half to even, sign
// keeps NaN and -0, and the classifications give i1.
// CHECK-LABEL: func.func @unary_folds
// CHECK-NEXT: %0 = kiln.constant dense<[3, 0, -2147483648]> : tensor<3xi32>
// CHECK-NEXT: %1 = kiln.constant dense<[-1, 0, -1]> : tensor<3xi32>
// CHECK-NEXT: %2 = kiln.constant dense<0> : tensor<3xi32>
// CHECK-NEXT: %3 = kiln.constant dense<[0.000000e+00, 2.000000e+00, 2.000000e+00, -0.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %4 = kiln.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, -1.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %5 = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, -0.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %6 = kiln.constant dense<[0x7FC00000, -1.000000e+00, -0.000000e+00, 1.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %7 = kiln.constant dense<[true, false, false, false]> : tensor<4xi1>
// CHECK-NEXT: %8 = kiln.constant dense<[false, true, false, false]> : tensor<4xi1>
// CHECK-NEXT: %9 = kiln.constant dense<[2.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %10 = kiln.constant dense<[false, true]> : tensor<2xi1>
// CHECK-NEXT: %11 = kiln.constant dense<[0, 1]> : tensor<2xui8>
// CHECK-NEXT: return %0, %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>, tensor<2xf32>, tensor<2xi1>, tensor<2xui8>
// CHECK-NEXT: }
func.func @unary_folds() -> (tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>, tensor<2xf32>, tensor<2xi1>, tensor<2xui8>) {
  %i = kiln.constant dense<[-3, 0, -2147483648]> : tensor<3xi32>
  %0 = kiln.neg %i : tensor<3xi32>
  %1 = kiln.abs %i : tensor<3xi32>
  %2 = kiln.sign %i : tensor<3xi32>
  %3 = kiln.relu %i : tensor<3xi32>
  %f = kiln.constant dense<[0.5, 1.5, 2.5, -0.5]> : tensor<4xf32>
  %4 = kiln.round %f : tensor<4xf32>
  %5 = kiln.floor %f : tensor<4xf32>
  %6 = kiln.ceil %f : tensor<4xf32>
  %g = kiln.constant dense<[0x7FC00000, 0xFF800000, -0.0, 3.0]> : tensor<4xf32>
  %7 = kiln.sign %g : tensor<4xf32>
  %8 = kiln.is_nan %g : tensor<4xf32>
  %9 = kiln.is_inf %g : tensor<4xf32>
  %h = kiln.constant dense<[4.0, 0.0]> : tensor<2xf32>
  %10 = kiln.sqrt %h : tensor<2xf32>
  %l = kiln.constant dense<[true, false]> : tensor<2xi1>
  %m = kiln.constant dense<true> : tensor<i1>
  %11 = kiln.xor %l, %m : (tensor<2xi1>, tensor<i1>) -> tensor<2xi1>
  %u = kiln.constant dense<[0, 200]> : tensor<2xui8>
  %12 = kiln.sign %u : tensor<2xui8>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>, tensor<2xf32>, tensor<2xi1>, tensor<2xui8>
}

// -----

// Exact identities.
// CHECK-LABEL: func.func @identities
// CHECK-NEXT: return %arg0, %arg1, %arg2, %arg0, %arg0 : tensor<4xf32>, tensor<4xi1>, tensor<4xui8>, tensor<4xf32>, tensor<4xf32>
// CHECK-NEXT: }
func.func @identities(%x: tensor<4xf32>, %p: tensor<4xi1>, %u: tensor<4xui8>) -> (tensor<4xf32>, tensor<4xi1>, tensor<4xui8>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.neg %x : tensor<4xf32>
  %1 = kiln.neg %0 : tensor<4xf32>
  %2 = kiln.not %p : tensor<4xi1>
  %3 = kiln.not %2 : tensor<4xi1>
  %4 = kiln.abs %u : tensor<4xui8>
  %5 = kiln.max %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %6 = kiln.pow %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %1, %3, %4, %5, %6 : tensor<4xf32>, tensor<4xi1>, tensor<4xui8>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Splats fold whatever their size.
// CHECK-LABEL: func.func @large_splats
// CHECK-NEXT: %0 = kiln.constant dense<2> : tensor<1024x1024xi64>
// CHECK-NEXT: return %0 : tensor<1024x1024xi64>
// CHECK-NEXT: }
func.func @large_splats() -> tensor<1024x1024xi64> {
  %a = kiln.constant dense<5> : tensor<1024x1024xi64>
  %b = kiln.constant dense<3> : tensor<1024xi64>
  %0 = kiln.mod %a, %b : (tensor<1024x1024xi64>, tensor<1024xi64>) -> tensor<1024x1024xi64>
  return %0 : tensor<1024x1024xi64>
}
