// At -O1 and up the CPU pipeline computes f32 exp (here inside sigmoid) and tanh
// with polynomials (kiln-approximate-math), which LLVM vectorizes, instead of
// libm's expf and tanhf; f64 keeps the intrinsic, and so does everything at -O0.
// RUN: kiln-opt %s -kiln-cpu-pipeline | FileCheck %s --check-prefix=OPT \
// RUN:   --implicit-check-not=llvm.intr.exp --implicit-check-not='{{llvm.intr.tanh.*f32}}'
// RUN: kiln-opt %s -kiln-cpu-pipeline=opt-level=0 | FileCheck %s --check-prefix=O0

// OPT-DAG: llvm.intr.fma
// OPT-DAG: llvm.intr.tanh(%{{.+}}) : (f64) -> f64

// O0-DAG: llvm.intr.exp(%{{.+}}) : (f32) -> f32
// O0-DAG: llvm.intr.tanh(%{{.+}}) : (f32) -> f32
// O0-DAG: llvm.intr.tanh(%{{.+}}) : (f64) -> f64
func.func @gates(%x: tensor<512xf32>, %d: tensor<8xf64>) -> (tensor<512xf32>, tensor<8xf64>) {
  %0 = kiln.sigmoid %x : tensor<512xf32>
  %1 = kiln.tanh %0 : tensor<512xf32>
  %2 = kiln.tanh %d : tensor<8xf64>
  return %1, %2 : tensor<512xf32>, tensor<8xf64>
}
