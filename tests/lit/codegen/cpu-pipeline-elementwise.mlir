// The elementwise family through the whole CPU pipeline: math ops LLVM has no
// intrinsic for become libm calls (in f32 for f16), except erf, which at -O1
// and up is a polynomial approximation (kiln-approximate-math); integer pow's
// loop and unsigned types lower to plain LLVM, and nothing of the kiln, linalg,
// math or scf dialects (or an unsigned type) is left.
// RUN: kiln-opt %s -kiln-cpu-pipeline | FileCheck %s --check-prefixes=CHECK,OPT \
// RUN:   --implicit-check-not=kiln. --implicit-check-not=linalg. --implicit-check-not=math. \
// RUN:   --implicit-check-not=scf. --implicit-check-not=ui8 --implicit-check-not=erff
// RUN: kiln-opt %s -kiln-cpu-pipeline=opt-level=0 | FileCheck %s --check-prefixes=CHECK,O0 \
// RUN:   --implicit-check-not=kiln. --implicit-check-not=linalg. --implicit-check-not=math. \
// RUN:   --implicit-check-not=scf. --implicit-check-not=ui8

// CHECK-DAG: llvm.call @asinhf(%{{.+}}) : (f32) -> f32
// CHECK-DAG: llvm.call @acoshf(%{{.+}}) : (f32) -> f32
// CHECK-DAG: llvm.call @atanhf(%{{.+}}) : (f32) -> f32
// O0-DAG: llvm.call @erff(%{{.+}}) : (f32) -> f32
// O0-DAG: llvm.func @erff(f32) -> f32
// OPT-DAG: llvm.intr.fma
// CHECK-DAG: llvm.intr.tan
// CHECK-DAG: llvm.intr.roundeven
// CHECK-DAG: llvm.lshr
// CHECK-DAG: llvm.icmp "ugt"
// CHECK: llvm.mlir.global external constant @kiln_module_abi_v1()
func.func @elementwise(%x: tensor<8xf32>, %h: tensor<8xf16>, %u: tensor<8xui8>, %i: tensor<8xi32>) -> (tensor<8xf32>, tensor<8xf16>, tensor<8xui8>, tensor<8xi32>, tensor<8xi1>) {
  %0 = kiln.asinh %x : tensor<8xf32>
  %1 = kiln.acosh %0 : tensor<8xf32>
  %2 = kiln.atanh %1 : tensor<8xf32>
  %3 = kiln.erf %2 : tensor<8xf32>
  %4 = kiln.tan %3 : tensor<8xf32>
  %5 = kiln.round %4 : tensor<8xf32>
  %6 = kiln.erf %h : tensor<8xf16>
  %7 = kiln.bit_shift right, %u, %u : (tensor<8xui8>, tensor<8xui8>) -> tensor<8xui8>
  %8 = kiln.pow %i, %i : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
  %9 = kiln.compare gt, %u, %7 : (tensor<8xui8>, tensor<8xui8>) -> tensor<8xi1>
  return %5, %6, %7, %8, %9 : tensor<8xf32>, tensor<8xf16>, tensor<8xui8>, tensor<8xi32>, tensor<8xi1>
}
