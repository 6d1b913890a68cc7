// RUN: kiln-opt %s -split-input-file -kiln-emit-module-info | FileCheck %s

// Without an arena size or weights table: arena 0, weights NULL.
// CHECK-LABEL: module {
// CHECK: llvm.mlir.global external constant @kiln_module_info_v1() {{.*}} : !llvm.struct<(i32, i32, i64, ptr)>
// CHECK: llvm.mlir.constant(1179535691 : i32) : i32
// CHECK: llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.insertvalue %[[NULL]], %{{.+}}[3]
module {
}

// -----

// A planned arena size and the weights table are recorded.
// CHECK-LABEL: module attributes {kiln.arena_size = 4096 : i64}
// CHECK: llvm.mlir.global external constant @kiln_module_info_v1()
// CHECK: llvm.mlir.constant(4096 : i64) : i64
// CHECK: %[[WEIGHTS:.+]] = llvm.mlir.addressof @__kiln_weights : !llvm.ptr
// CHECK: llvm.insertvalue %[[WEIGHTS]], %{{.+}}[3]
module attributes {kiln.arena_size = 4096 : i64} {
  llvm.mlir.global internal constant @__kiln_weights(0 : i32) {addr_space = 0 : i32} : i32
}
