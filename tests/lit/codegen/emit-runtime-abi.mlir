// RUN: kiln-opt %s -kiln-emit-runtime-abi='producer=kiln-test' | FileCheck %s

// The entry point unpacks the descriptor array and calls the C interface.
// CHECK: llvm.func internal @__kiln_abi_f0_entry(%[[DESCRIPTORS:.+]]: !llvm.ptr) -> i32
// CHECK: %[[P0:.+]] = llvm.getelementptr %[[DESCRIPTORS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.+]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.+]] = llvm.getelementptr %[[DESCRIPTORS]][1]
// CHECK: %[[D1:.+]] = llvm.load %[[P1]]
// CHECK: llvm.call @_mlir_ciface_predict(%[[D0]], %[[D1]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK: %[[OK:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: llvm.return %[[OK]] : i32

// Names, dims (-(s+1) for a run-time dim of symbol s; none for rank 0) and the
// value tables.
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_name("predict\00")
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_inputs_0_name("x\00")
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_inputs_0_dims(dense<[-1, 2]> : tensor<2xi64>) {{.*}} : !llvm.array<2 x i64>
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_inputs() {{.*}} : !llvm.array<1 x struct<(ptr, i32, i32, ptr)>>
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_outputs_0_name("y\00")
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_outputs() {{.*}} : !llvm.array<1 x struct<(ptr, i32, i32, ptr)>>
// CHECK: llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.mlir.global internal constant @__kiln_abi_functions() {{.*}} : !llvm.array<1 x struct<(ptr, ptr, i32, i32, ptr, ptr, i32, ptr)>>
// CHECK: llvm.mlir.addressof @__kiln_abi_f0_entry

// The one exported symbol: magic "KILN", ABI version 2, one function, the producer.
// CHECK: llvm.mlir.global internal constant @__kiln_abi_producer("kiln-test\00")
// CHECK: llvm.mlir.global external constant @kiln_module_abi_v1() {{.*}} : !llvm.struct<(i32, i32, i32, ptr, ptr)>
// CHECK: llvm.mlir.constant(1313622347 : i32) : i32
// CHECK: llvm.mlir.constant(2 : i32) : i32
// CHECK: llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.mlir.addressof @__kiln_abi_functions

// The signature record is consumed.
// CHECK-NOT: kiln.entry_points
module attributes {kiln.entry_points = [{name = "predict",
    inputs = [{name = "x", dtype = 1 : i32, shape = array<i64: -1, 2>}],
    outputs = [{name = "y", dtype = 1 : i32, shape = array<i64>}]}]} {
  llvm.func @_mlir_ciface_predict(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
    llvm.return
  }
}
