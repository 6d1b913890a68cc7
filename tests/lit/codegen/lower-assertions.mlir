// RUN: kiln-opt %s -kiln-lower-assertions | FileCheck %s

// Each check of an entry point becomes a guarded call of __kiln_fail with its
// number (from 1), through the jmp_buf storage the function now takes last; the
// messages become the function's error table.
// CHECK: kiln.entry_points = [{errors = ["rows must match", "rows must be even"], inputs = [], name = "check", outputs = []}, {inputs = [], name = "plain", outputs = []}]
// CHECK: func.func private @__kiln_fail(i64, i32)
// CHECK-LABEL: func.func @check(
// CHECK-SAME: %{{.+}}: memref<?xf32>, %{{.+}}: memref<?xf32>, %[[BUF:.+]]: memref<64xi64>)
// CHECK: %[[ADDR:.+]] = memref.extract_aligned_pointer_as_index %[[BUF]]
// CHECK: %[[ADDR64:.+]] = arith.index_cast %[[ADDR]] : index to i64
// CHECK: %[[SAME:.+]] = arith.cmpi eq
// CHECK: %[[BAD:.+]] = arith.xori %[[SAME]], %true
// CHECK: scf.if %[[BAD]] {
// CHECK:   %[[ONE:.+]] = arith.constant 1 : i32
// CHECK:   func.call @__kiln_fail(%[[ADDR64]], %[[ONE]])
// CHECK: scf.if
// CHECK:   arith.constant 2 : i32
// CHECK:   func.call @__kiln_fail(%[[ADDR64]],
// CHECK-NOT: cf.assert

// An entry point without checks keeps its signature.
// CHECK-LABEL: func.func @plain(%{{.+}}: memref<2xf32>)
module attributes {kiln.entry_points = [{name = "check", inputs = [], outputs = []},
                                        {name = "plain", inputs = [], outputs = []}]} {
  func.func @check(%a: memref<?xf32>, %b: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %n = memref.dim %a, %c0 : memref<?xf32>
    %m = memref.dim %b, %c0 : memref<?xf32>
    %same = arith.cmpi eq, %n, %m : index
    cf.assert %same, "rows must match"
    %rem = arith.remui %n, %c2 : index
    %even = arith.cmpi eq, %rem, %c0 : index
    cf.assert %even, "rows must be even"
    return
  }
  func.func @plain(%a: memref<2xf32>) {
    return
  }
}
