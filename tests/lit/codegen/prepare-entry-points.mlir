// RUN: kiln-opt %s -kiln-prepare-entry-points -allow-unregistered-dialect | FileCheck %s

// The signature record: given names where kiln.name says so, input_<i>/output_<i>
// otherwise, runtime dtypes (f32 = 1, i64 = 8, bool = 10) and shapes.
// Private functions are not entry points.
// CHECK: module attributes {kiln.entry_points = [{inputs = [
// CHECK-SAME: {dtype = 1 : i32, name = "x", shape = array<i64: 4, 2>},
// CHECK-SAME: {dtype = 8 : i32, name = "input_1", shape = array<i64: 5, 3>}],
// CHECK-SAME: name = "f", outputs = [
// CHECK-SAME: {dtype = 1 : i32, name = "p", shape = array<i64: 4, 1>},
// CHECK-SAME: {dtype = 10 : i32, name = "output_1", shape = array<i64>}]}]}

// Inputs become read-only for bufferization, names move into the record, and the C
// interface is requested.
// CHECK: func.func @f(%{{.+}}: tensor<4x2xf32> {bufferization.writable = false}, %{{.+}}: tensor<5x3xi64> {bufferization.writable = false})
// CHECK-SAME: -> (tensor<4x1xf32>, tensor<i1>) attributes {llvm.emit_c_interface}
func.func @f(%x: tensor<4x2xf32> {kiln.name = "x"}, %y: tensor<5x3xi64>)
    -> (tensor<4x1xf32> {kiln.name = "p"}, tensor<i1>) {
  %0 = "test.op"() : () -> tensor<4x1xf32>
  %1 = "test.op"() : () -> tensor<i1>
  return %0, %1 : tensor<4x1xf32>, tensor<i1>
}

// CHECK: func.func private @helper(%{{.+}}: tensor<4xf32>) -> tensor<4xf32> {
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
