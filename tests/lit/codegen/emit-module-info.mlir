// RUN: kiln-opt %s -split-input-file -kiln-emit-module-info | FileCheck %s

// Without an arena size, weights table or kernels: arena 0, weights NULL, no
// kernels, the CPU target, no planned arena (version 4 of the table).
// CHECK-LABEL: module {
// CHECK: llvm.mlir.global external constant @kiln_module_info_v1() {{.*}} : !llvm.struct<(i32, i32, i64, ptr, i32, ptr, i32, ptr, i64)>
// CHECK: llvm.mlir.constant(1179535691 : i32) : i32
// CHECK: llvm.mlir.constant(4 : i32) : i32
// CHECK: llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.insertvalue %[[NULL]], %{{.+}}[3]
// CHECK: %[[NONE:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: llvm.insertvalue %[[NONE]], %{{.+}}[4]
// CHECK: %[[NOKERNELS:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.insertvalue %[[NOKERNELS]], %{{.+}}[5]
// CHECK: %[[CPU:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: llvm.insertvalue %[[CPU]], %{{.+}}[6]
// CHECK: %[[NOARCH:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.insertvalue %[[NOARCH]], %{{.+}}[7]
// CHECK: %[[NOPLAN:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.insertvalue %[[NOPLAN]], %{{.+}}[8]
module {
}

// -----

// The largest arena kiln-plan-memory planned goes to planned_arena_size.
// CHECK-LABEL: module attributes {kiln.planned_arena_size = 3756288 : i64}
// CHECK: %[[PLANNED:.+]] = llvm.mlir.constant(3756288 : i64) : i64
// CHECK: llvm.insertvalue %[[PLANNED]], %{{.+}}[8]
module attributes {kiln.planned_arena_size = 3756288 : i64} {
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

// -----

// The call sites of kiln-lower-kernel-calls become the kernel table: kind,
// parameter count and the addresses of each site's parameters and state.
// CHECK-LABEL: module {
// CHECK: llvm.mlir.global internal constant @__kiln_kernel_table() {{.*}} : !llvm.array<2 x struct<(i32, i32, ptr, ptr)>>
// CHECK: llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.mlir.constant(22 : i32) : i32
// CHECK: llvm.mlir.addressof @params0 : !llvm.ptr
// CHECK: llvm.mlir.addressof @state0 : !llvm.ptr
// CHECK: llvm.insertvalue %{{.+}}, %{{.+}}[0]
// CHECK: llvm.mlir.constant(2 : i32) : i32
// CHECK: llvm.mlir.constant(7 : i32) : i32
// CHECK: llvm.mlir.addressof @params1 : !llvm.ptr
// CHECK: llvm.mlir.addressof @state1 : !llvm.ptr
// CHECK: llvm.insertvalue %{{.+}}, %{{.+}}[1]
// CHECK: llvm.mlir.global external constant @kiln_module_info_v1()
// CHECK: llvm.insertvalue %{{.+}}, %{{.+}}[3]
// CHECK: %[[COUNT:.+]] = llvm.mlir.constant(2 : i32) : i32
// CHECK: llvm.insertvalue %[[COUNT]], %{{.+}}[4]
// CHECK: %[[TABLE:.+]] = llvm.mlir.addressof @__kiln_kernel_table : !llvm.ptr
// CHECK: llvm.insertvalue %[[TABLE]], %{{.+}}[5]
module attributes {kiln.kernels = [
    {kind = 1 : i32, num_params = 22 : i32, params = @params0, state = @state0},
    {kind = 2 : i32, num_params = 7 : i32, params = @params1, state = @state1}]} {
  llvm.mlir.global private constant @params0(dense<0> : tensor<22xi64>) : !llvm.array<22 x i64>
  llvm.mlir.global private @state0(dense<0> : tensor<1xi64>) : !llvm.array<1 x i64>
  llvm.mlir.global private constant @params1(dense<0> : tensor<7xi64>) : !llvm.array<7 x i64>
  llvm.mlir.global private @state1(dense<0> : tensor<1xi64>) : !llvm.array<1 x i64>
}
