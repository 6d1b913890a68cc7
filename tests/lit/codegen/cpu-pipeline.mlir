// The whole CPU pipeline, kiln to the LLVM dialect, on a small MLP layer.
// RUN: kiln-opt %s -kiln-cpu-pipeline | FileCheck %s
// RUN: kiln-opt %s -kiln-cpu-pipeline=opt-level=0 | FileCheck %s

// Nothing but the LLVM dialect remains, the output became an out-parameter of the
// C interface, and the module table is exported.
// CHECK-NOT: kiln.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK: llvm.func @dense(
// CHECK: llvm.func @_mlir_ciface_dense(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// CHECK: llvm.call @dense(
// CHECK: llvm.func internal @__kiln_abi_f0_entry(
// CHECK: llvm.call @_mlir_ciface_dense(
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_name("dense\00")
// CHECK: llvm.mlir.global external constant @kiln_module_abi_v1()
func.func @dense(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = kiln.constant dense<0.5> : tensor<3x4xf32>
  %b = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.add %0, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %2 = kiln.softmax %1 {axis = 1} : tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}
