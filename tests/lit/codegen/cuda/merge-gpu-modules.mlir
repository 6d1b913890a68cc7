// RUN: kiln-opt %s -split-input-file -kiln-merge-gpu-modules -verify-diagnostics | FileCheck %s

// Outlining names every kernel after its function; merged, each takes its
// module's (unique) name, and launches follow.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.launch_func @kiln_kernels::@forward_kernel blocks
// CHECK: gpu.launch_func @kiln_kernels::@forward_kernel_0 blocks
// CHECK: gpu.module @kiln_kernels [#nvvm.target<chip = "sm_90">]
// CHECK-DAG: gpu.func @forward_kernel(%{{.+}}: memref<4xf32>) kernel
// CHECK-DAG: gpu.func @forward_kernel_0(%{{.+}}: memref<4xf32>) kernel
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @forward(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @forward_kernel::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @forward_kernel_0::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
  gpu.module @forward_kernel [#nvvm.target<chip = "sm_90">] {
    gpu.func @forward_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @forward_kernel_0 [#nvvm.target<chip = "sm_90">] {
    gpu.func @forward_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Kernels for different targets stay apart: that is an error.
module attributes {gpu.container_module} {
  gpu.module @a [#nvvm.target<chip = "sm_90">] {
  }
  // expected-error @+1 {{kernels for different targets cannot be merged}}
  gpu.module @b [#nvvm.target<chip = "sm_80">] {
  }
}
