// RUN: kiln-opt %s -split-input-file -kiln-upload-constants -verify-diagnostics | FileCheck %s

// Host code takes the device copy of a listed constant from the runtime: one
// slot per constant, the constant's size in bytes.
// CHECK-NOT: kiln.device_constants
// CHECK-LABEL: llvm.func @forward
// CHECK: %[[SLOT:.+]] = llvm.mlir.addressof @weights__device : !llvm.ptr
// CHECK: %[[BYTES:.+]] = llvm.mlir.constant(64 : i64) : i64
// CHECK: %[[HOST:.+]] = llvm.mlir.addressof @weights : !llvm.ptr
// CHECK: %[[DEVICE:.+]] = llvm.call @kiln_cuda_constant(%[[SLOT]], %[[HOST]], %[[BYTES]])
// CHECK: llvm.getelementptr %[[DEVICE]][0, 0]
// CHECK: llvm.mlir.addressof @message
// CHECK: llvm.func @kiln_cuda_constant(!llvm.ptr, !llvm.ptr, i64) -> !llvm.ptr
// CHECK: llvm.mlir.global internal @weights__device() {{.*}} : !llvm.ptr
// CHECK: llvm.mlir.zero : !llvm.ptr
module attributes {kiln.device_constants = [@weights]} {
  llvm.mlir.global private constant @weights(dense<1.0> : tensor<4x4xf32>) : !llvm.array<4 x array<4 x f32>>
  llvm.mlir.global private constant @message("unlisted\00")
  llvm.func @forward() -> !llvm.ptr {
    %0 = llvm.mlir.addressof @weights : !llvm.ptr
    %1 = llvm.getelementptr %0[0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<4 x array<4 x f32>>
    %2 = llvm.mlir.addressof @message : !llvm.ptr
    llvm.return %1 : !llvm.ptr
  }
}

// -----

// expected-error @+1 {{'kiln.device_constants' lists @missing, which is not an LLVM global of the module}}
module attributes {kiln.device_constants = [@missing]} {
}
