// RUN: kiln-opt %s -split-input-file -kiln-place-buffers-on-device -verify-diagnostics | FileCheck %s

// Host allocations, frees and dense copies move to the device; the constants
// host code reads are listed for kiln-upload-constants.
// CHECK-LABEL: module attributes {kiln.device_constants = [@weights]}
// CHECK-LABEL: func.func @forward
// CHECK: %[[W:.+]] = memref.get_global @weights
// CHECK: %[[BUFFER:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[BUFFER]], %[[W]] : memref<4xf32>, memref<4xf32>
// CHECK: gpu.memcpy %arg1, %[[BUFFER]]
// CHECK: gpu.dealloc %[[BUFFER]] : memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.dealloc
module {
  memref.global "private" constant @weights : memref<4xf32> = dense<1.0>
  func.func @forward(%arg0: memref<4xf32>, %arg1: memref<4xf32>) {
    %w = memref.get_global @weights : memref<4xf32>
    %buffer = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
    memref.copy %w, %buffer : memref<4xf32> to memref<4xf32>
    memref.copy %buffer, %arg1 : memref<4xf32> to memref<4xf32>
    memref.dealloc %buffer : memref<4xf32>
    return
  }
}

// -----

// Sizes known at run time carry over.
// CHECK-LABEL: func.func @dynamic
// CHECK: gpu.alloc (%arg0) : memref<?x8xf32>
func.func @dynamic(%n: index) {
  %buffer = memref.alloc(%n) : memref<?x8xf32>
  memref.dealloc %buffer : memref<?x8xf32>
  return
}

// -----

// Strided copies must be loops (kernels) by now.
func.func @strided(%a: memref<2x4xf32>, %b: memref<2x2xf32, strided<[4, 1]>>) {
  %view = memref.subview %a[0, 0] [2, 2] [1, 1] : memref<2x4xf32> to memref<2x2xf32, strided<[4, 1]>>
  // expected-error @+1 {{a strided copy on the host: run kiln-lower-strided-copies first}}
  memref.copy %view, %b : memref<2x2xf32, strided<[4, 1]>> to memref<2x2xf32, strided<[4, 1]>>
  return
}

// -----

func.func @stack() {
  // expected-error @+1 {{a buffer on the host's stack, which GPU kernels cannot read}}
  %buffer = memref.alloca() : memref<4xf32>
  return
}
