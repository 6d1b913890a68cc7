// RUN: kiln-opt %s -kiln-approximate-math | FileCheck %s

// f32 exp and tanh become arithmetic: no math.exp or math.tanh (which would be
// libm calls) is left, only ops LLVM vectorizes.
// CHECK-LABEL: func.func @exp_and_tanh
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: arith.mulf
// CHECK: return
func.func @exp_and_tanh(%x: f32) -> (f32, f32) {
  %e = math.exp %x : f32
  %t = math.tanh %x : f32
  return %e, %t : f32, f32
}

// Inside a loop, as the generated elementwise code has them.
// CHECK-LABEL: func.func @sigmoid_loop
// CHECK: scf.for
// CHECK-NOT: math.exp
// CHECK: arith.divf
func.func @sigmoid_loop(%in: memref<512xf32>, %out: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c512 step %c1 {
    %x = memref.load %in[%i] : memref<512xf32>
    %n = arith.negf %x : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %one, %d : f32
    memref.store %s, %out[%i] : memref<512xf32>
  }
  return
}

// f64 keeps libm's exp, tanh and erf; other math ops stay too.
// CHECK-LABEL: func.func @others_stay
// CHECK: math.exp %{{.+}} : f64
// CHECK: math.tanh %{{.+}} : f64
// CHECK: math.erf %{{.+}} : f64
// CHECK: math.log %{{.+}} : f32
func.func @others_stay(%x: f64, %y: f32) -> (f64, f64, f64, f32) {
  %e = math.exp %x : f64
  %t = math.tanh %x : f64
  %r = math.erf %x : f64
  %l = math.log %y : f32
  return %e, %t, %r, %l : f64, f64, f64, f32
}

// f32 erf (GELU) is approximated too: a rational function per range of |x|,
// its coefficients picked with selects.
// CHECK-LABEL: func.func @erf
// CHECK-NOT: math.erf
// CHECK: arith.select
// CHECK: math.fma
// CHECK: arith.divf
// CHECK-NOT: math.erf
// CHECK: return
func.func @erf(%x: vector<16xf32>) -> vector<16xf32> {
  %r = math.erf %x : vector<16xf32>
  return %r : vector<16xf32>
}
