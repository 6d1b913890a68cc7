// RUN: kiln-opt %s -kiln-prepare-entry-points | FileCheck %s

// Run-time dims are numbered per function and recorded as -(symbol + 1): dims
// with the same kiln.dim_names entry share a symbol (the runtime checks that
// they agree on every call), unnamed ones get a symbol each, outputs included.
// CHECK: kiln.entry_points = [{inputs = [
// CHECK-SAME: {dtype = 1 : i32, name = "x", shape = array<i64: -1, 3, -2>},
// CHECK-SAME: {dtype = 1 : i32, name = "z", shape = array<i64: -1, -3>}],
// CHECK-SAME: name = "f", outputs = [
// CHECK-SAME: {dtype = 1 : i32, name = "y", shape = array<i64: -1, -4>}]}]

// The names are consumed with the signature.
// CHECK-NOT: kiln.dim_names
func.func @f(%x: tensor<?x3x?xf32> {kiln.name = "x", kiln.dim_names = ["batch", "", "len"]},
             %z: tensor<?x?xf32> {kiln.name = "z", kiln.dim_names = ["batch", ""]})
    -> (tensor<?x?xf32> {kiln.name = "y", kiln.dim_names = ["batch", "other"]}) {
  return %z : tensor<?x?xf32>
}
