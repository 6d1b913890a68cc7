// RUN: kiln-opt %s -split-input-file -kiln-emit-module-info="target=cuda target-arch=sm_90" | FileCheck %s
// RUN: not kiln-opt %s -kiln-emit-module-info="target=cuda" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOARCH
// RUN: not kiln-opt %s -kiln-emit-module-info="target=tpu target-arch=v4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// A CUDA module records its target (1) and its architecture string.
// CHECK: llvm.mlir.global internal constant @__kiln_target_arch("sm_90\00")
// CHECK: llvm.mlir.global external constant @kiln_module_info_v1()
// CHECK: %[[CUDA:.+]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.insertvalue %[[CUDA]], %{{.+}}[6]
// CHECK: %[[ARCH:.+]] = llvm.mlir.addressof @__kiln_target_arch : !llvm.ptr
// CHECK: llvm.insertvalue %[[ARCH]], %{{.+}}[7]

// NOARCH: target 'cuda' with architecture '' is not cpu (no architecture) or cuda (with one)
// UNKNOWN: target 'tpu' with architecture 'v4' is not cpu (no architecture) or cuda (with one)
module {
}
