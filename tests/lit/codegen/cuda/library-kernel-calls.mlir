// RUN: kiln-opt %s -kiln-lower-kernel-calls=function-prefix=kiln_cuda_ | FileCheck %s
// RUN: kiln-opt %s -kiln-lower-kernel-calls=function-prefix=kiln_cuda_ -kiln-place-buffers-on-device | FileCheck %s --check-prefix=DEVICE

// In a CUDA module a convolution calls the CUDA backend's kiln_cuda_conv2d
// (cuDNN) with the same parameters as oneDNN's; its parameter vector and
// state word stay in host memory, while the filter gets a device copy.
// CHECK-DAG: memref.global "private" @__kiln_kernel_state : memref<1xi64> = dense<0> {{{.*}}kiln.host_only
// CHECK-DAG: memref.global "private" constant @__kiln_kernel_params : memref<22xi64> = dense<{{.+}}> {{{.*}}kiln.host_only
// CHECK-DAG: func.func private @kiln_cuda_conv2d(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: call @kiln_cuda_conv2d(
// CHECK: cf.assert %{{.+}}, "kiln_rt.conv2d ({{.+}}): the cuDNN/cuBLAS kernel failed"
// DEVICE: module attributes {kiln.device_constants = [@filter]
// DEVICE-NOT: __kiln_kernel_params]
memref.global "private" constant @filter : memref<4x3x3x3xf32> = dense<1.0>
func.func @conv(%x: memref<?x3x8x8xf32>, %b: memref<4xf32>, %r: memref<?x4x8x8xf32>, %y: memref<?x4x8x8xf32>) {
  %w = memref.get_global @filter : memref<4x3x3x3xf32>
  kiln_rt.conv2d %x, %w bias(%b) residual(%r) outs(%y) {padding = array<i64: 1, 1, 1, 1>, activation = "relu"} : (memref<?x3x8x8xf32>, memref<4x3x3x3xf32>, memref<4xf32>, memref<?x4x8x8xf32>, memref<?x4x8x8xf32>) -> ()
  return
}
