// RUN: kiln-opt %s -split-input-file -kiln-emit-runtime-abi='producer=kiln-test' | FileCheck %s

// Run-time checks: __kiln_fail gets its body, a _longjmp back to the entry.
// CHECK: llvm.func @_longjmp(!llvm.ptr, i32) attributes {passthrough = ["noreturn"]}
// CHECK: llvm.func @_setjmp(!llvm.ptr) -> i32 attributes {passthrough = ["returns_twice"]}
// CHECK: llvm.func internal @__kiln_fail(%[[BUF:.+]]: i64, %[[CODE:.+]]: i32)
// CHECK:   %[[P:.+]] = llvm.inttoptr %[[BUF]] : i64 to !llvm.ptr
// CHECK:   llvm.call @_longjmp(%[[P]], %[[CODE]])
// CHECK:   llvm.unreachable

// The entry: the output sized at run time (y, slot 1) is the C interface's
// result pointer and comes first; then the input (slot 0), the output of fixed
// shape (slot 2), and a memref<64xi64> over a jmp_buf armed with _setjmp. A
// failed check comes back from _setjmp with its number, which the entry returns.
// CHECK: llvm.func internal @__kiln_abi_f0_entry(%[[DESCRIPTORS:.+]]: !llvm.ptr) -> i32
// CHECK: %[[P1:.+]] = llvm.getelementptr %[[DESCRIPTORS]][1]
// CHECK: %[[Y:.+]] = llvm.load %[[P1]]
// CHECK: %[[P0:.+]] = llvm.getelementptr %[[DESCRIPTORS]][0]
// CHECK: %[[X:.+]] = llvm.load %[[P0]]
// CHECK: %[[P2:.+]] = llvm.getelementptr %[[DESCRIPTORS]][2]
// CHECK: %[[S:.+]] = llvm.load %[[P2]]
// CHECK: %[[JMPBUF:.+]] = llvm.alloca %{{.+}} x !llvm.array<64 x i64> {alignment = 16 : i64}
// CHECK: %[[CONTEXT:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK: %[[STATUS:.+]] = llvm.call @_setjmp(%[[JMPBUF]])
// CHECK: %[[ARMED:.+]] = llvm.icmp "eq" %[[STATUS]]
// CHECK: llvm.cond_br %[[ARMED]], ^[[CALL:.+]], ^[[FAILED:[^ ]+]]
// CHECK: ^[[FAILED]]:
// CHECK:   llvm.return %[[STATUS]] : i32
// CHECK: ^[[CALL]]:
// CHECK:   llvm.call @_mlir_ciface_grow(%[[Y]], %[[X]], %[[S]], %[[CONTEXT]])

// Symbols: x's rows are symbol 0 (-1), y's are symbol 1 (-2).
// CHECK: @__kiln_abi_f0_inputs_0_dims(dense<[-1, 2]> : tensor<2xi64>)
// CHECK: @__kiln_abi_f0_outputs_0_dims(dense<[-2, 2]> : tensor<2xi64>)
// The error table, and its count and address in the function record.
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_errors_0("rows must be even\00")
// CHECK: llvm.mlir.global internal constant @__kiln_abi_f0_errors() {{.*}} : !llvm.array<1 x ptr>
// CHECK: @__kiln_abi_functions()
// CHECK: [0, 5]
// CHECK: %[[NUM:.+]] = llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.insertvalue %[[NUM]], %{{.+}}[0, 6]
// CHECK: %[[ERRORS:.+]] = llvm.mlir.addressof @__kiln_abi_f0_errors : !llvm.ptr
// CHECK: llvm.insertvalue %[[ERRORS]], %{{.+}}[0, 7]
module attributes {kiln.entry_points = [{name = "grow",
    errors = ["rows must be even"],
    inputs = [{name = "x", dtype = 1 : i32, shape = array<i64: -1, 2>}],
    outputs = [{name = "y", dtype = 1 : i32, shape = array<i64: -2, 2>},
               {name = "s", dtype = 1 : i32, shape = array<i64: 2>}]}]} {
  llvm.func @__kiln_fail(i64, i32)
  llvm.func @_mlir_ciface_grow(%results: !llvm.ptr, %x: !llvm.ptr, %s: !llvm.ptr, %context: !llvm.ptr) {
    llvm.return
  }
}

// -----

// Several outputs sized at run time: the C interface fills a struct of their
// descriptors, which the entry copies into the output slots after the call.
// CHECK: module {
// CHECK: llvm.func internal @__kiln_abi_f0_entry(
// CHECK: %[[RESULTS:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: llvm.call @_mlir_ciface_split(%[[RESULTS]], %{{.+}})
// CHECK: %[[A:.+]] = llvm.getelementptr %[[RESULTS]][0, 0]
// CHECK: %[[AV:.+]] = llvm.load %[[A]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK: llvm.store %[[AV]], %{{.+}}
// CHECK: %[[B:.+]] = llvm.getelementptr %[[RESULTS]][0, 1]
// CHECK: %[[BV:.+]] = llvm.load %[[B]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.store %[[BV]], %{{.+}}
// CHECK: llvm.return
module attributes {kiln.entry_points = [{name = "split",
    inputs = [{name = "x", dtype = 1 : i32, shape = array<i64: -1>}],
    outputs = [{name = "a", dtype = 1 : i32, shape = array<i64: -2>},
               {name = "b", dtype = 1 : i32, shape = array<i64: -3, 2>}]}]} {
  llvm.func @_mlir_ciface_split(%results: !llvm.ptr, %x: !llvm.ptr) {
    llvm.return
  }
}
