// Round trip of the data movement ops (slice, pad, broadcast_to, the gathers and
// scatters, resize) through the custom and the generic assembly forms: default
// attributes are elided, inferred result types are checked, dynamic dims survive.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @slices
// CHECK: kiln.slice %{{.+}} {offsets = array<i64: 1, 3>, sizes = array<i64: 2, 4>, steps = array<i64: 2, -1>} : (tensor<6x4xf32>) -> tensor<2x4xf32>
// CHECK: kiln.slice %{{.+}} {offsets = array<i64: 0, 1>, sizes = array<i64: -1, 2>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<?x2xf32>
// CHECK: kiln.slice %{{.+}} {offsets = array<i64: 0>, sizes = array<i64: 0>, steps = array<i64: 3>} : (tensor<5xi64>) -> tensor<0xi64>
func.func @slices(%x: tensor<6x4xf32>, %d: tensor<?x4xf32>, %i: tensor<5xi64>) -> (tensor<2x4xf32>, tensor<?x2xf32>, tensor<0xi64>) {
  %0 = kiln.slice %x {offsets = array<i64: 1, 3>, sizes = array<i64: 2, 4>, steps = array<i64: 2, -1>} : (tensor<6x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.slice %d {offsets = array<i64: 0, 1>, sizes = array<i64: -1, 2>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<?x2xf32>
  %2 = kiln.slice %i {offsets = array<i64: 0>, sizes = array<i64: 0>, steps = array<i64: 3>} : (tensor<5xi64>) -> tensor<0xi64>
  return %0, %1, %2 : tensor<2x4xf32>, tensor<?x2xf32>, tensor<0xi64>
}

// -----

// The default mode (constant) and an absent value are elided.
// CHECK-LABEL: func.func @pads
// CHECK: kiln.pad %{{.+}} {high = array<i64: 0, 2>, low = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
// CHECK: kiln.pad %{{.+}} {high = array<i64: 1, 0>, low = array<i64: 1, 0>, value = 1.500000e+00 : f32} : (tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK: kiln.pad %{{.+}} {high = array<i64: 0, 2>, low = array<i64: 0, 2>, mode = "reflect"} : (tensor<2x3xf32>) -> tensor<2x7xf32>
// CHECK: kiln.pad %{{.+}} {high = array<i64: 3>, low = array<i64: 0>, mode = "edge"} : (tensor<?xi32>) -> tensor<?xi32>
// CHECK: kiln.pad %{{.+}} {high = array<i64: 1>, low = array<i64: 0>, value = -7 : i64} : (tensor<2xi64>) -> tensor<3xi64>
func.func @pads(%x: tensor<2x3xf32>, %d: tensor<?xi32>, %i: tensor<2xi64>) -> (tensor<2x6xf32>, tensor<4x3xf32>, tensor<2x7xf32>, tensor<?xi32>, tensor<3xi64>) {
  %0 = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 2>, mode = "constant"} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  %1 = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 1, 0>, value = 1.5 : f32} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  %2 = kiln.pad %x {low = array<i64: 0, 2>, high = array<i64: 0, 2>, mode = "reflect"} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  %3 = kiln.pad %d {low = array<i64: 0>, high = array<i64: 3>, mode = "edge"} : (tensor<?xi32>) -> tensor<?xi32>
  %4 = kiln.pad %i {low = array<i64: 0>, high = array<i64: 1>, value = -7 : i64} : (tensor<2xi64>) -> tensor<3xi64>
  return %0, %1, %2, %3, %4 : tensor<2x6xf32>, tensor<4x3xf32>, tensor<2x7xf32>, tensor<?xi32>, tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @broadcasts
// CHECK: kiln.broadcast_to %{{.+}} {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
// CHECK: kiln.broadcast_to %{{.+}} {shape = array<i64: 0, 5>} : (tensor<f32>) -> tensor<0x5xf32>
func.func @broadcasts(%x: tensor<3x1xf32>, %s: tensor<f32>) -> (tensor<2x3x4xf32>, tensor<0x5xf32>) {
  %0 = kiln.broadcast_to %x {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %1 = kiln.broadcast_to %s {shape = array<i64: 0, 5>} : (tensor<f32>) -> tensor<0x5xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<0x5xf32>
}

// -----

// CHECK-LABEL: func.func @gathers
// CHECK: kiln.gather %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<3x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2xf32>
// CHECK: kiln.gather %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<3x5xf32>, tensor<i32>) -> tensor<5xf32>
// CHECK: kiln.gather_elements %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<3x5xf32>, tensor<2x7xi64>) -> tensor<2x7xf32>
// CHECK: kiln.gather_nd %{{.+}}, %{{.+}} : (tensor<2x2x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
// CHECK: kiln.gather_nd %{{.+}}, %{{.+}} {batch_dims = 1 : i64} : (tensor<2x2x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
// CHECK: kiln.gather %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<?x5xf32>, tensor<?xi64>) -> tensor<?x5xf32>
func.func @gathers(%x: tensor<3x5xf32>, %i: tensor<2x2xi64>, %s: tensor<i32>, %e: tensor<2x7xi64>, %n: tensor<2x2x3xf32>, %t: tensor<4x2xi64>, %b: tensor<2x1xi64>, %d: tensor<?x5xf32>, %di: tensor<?xi64>) -> (tensor<3x2x2xf32>, tensor<5xf32>, tensor<2x7xf32>, tensor<4x3xf32>, tensor<2x3xf32>, tensor<?x5xf32>) {
  %0 = kiln.gather %x, %i {axis = 1} : (tensor<3x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2xf32>
  %1 = kiln.gather %x, %s {axis = 0} : (tensor<3x5xf32>, tensor<i32>) -> tensor<5xf32>
  %2 = kiln.gather_elements %x, %e {axis = 1} : (tensor<3x5xf32>, tensor<2x7xi64>) -> tensor<2x7xf32>
  %3 = kiln.gather_nd %n, %t : (tensor<2x2x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
  %4 = kiln.gather_nd %n, %b {batch_dims = 1} : (tensor<2x2x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  %5 = kiln.gather %d, %di {axis = 0} : (tensor<?x5xf32>, tensor<?xi64>) -> tensor<?x5xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<3x2x2xf32>, tensor<5xf32>, tensor<2x7xf32>, tensor<4x3xf32>, tensor<2x3xf32>, tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func.func @scatters
// CHECK: kiln.scatter_elements %{{.+}}, %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK: kiln.scatter_elements %{{.+}}, %{{.+}}, %{{.+}} {axis = 1 : i64, reduction = "add"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK: kiln.scatter_nd %{{.+}}, %{{.+}}, %{{.+}} {reduction = "mul"} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
// CHECK: kiln.scatter_nd %{{.+}}, %{{.+}}, %{{.+}} : (tensor<4x4xf32>, tensor<3x2xi32>, tensor<3xf32>) -> tensor<4x4xf32>
func.func @scatters(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>, %y: tensor<4x4xf32>, %t: tensor<2x1xi64>, %v: tensor<2x4xf32>, %p: tensor<3x2xi32>, %w: tensor<3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %0 = kiln.scatter_elements %x, %i, %u {axis = 0, reduction = "none"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %1 = kiln.scatter_elements %x, %i, %u {axis = 1, reduction = "add"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %2 = kiln.scatter_nd %y, %t, %v {reduction = "mul"} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %3 = kiln.scatter_nd %y, %p, %w : (tensor<4x4xf32>, tensor<3x2xi32>, tensor<3xf32>) -> tensor<4x4xf32>
  return %0, %1, %2, %3 : tensor<3x3xf32>, tensor<3x3xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @resizes
// CHECK: kiln.resize %{{.+}} {scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64: 1, 3, 8, 8>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
// CHECK: kiln.resize %{{.+}} {coordinate_transformation_mode = "align_corners", cubic_coeff_a = -5.000000e-01 : f64, exclude_outside = true, mode = "cubic", scales = array<f64: 2.500000e+00>, sizes = array<i64: 10>} : (tensor<4xf64>) -> tensor<10xf64>
// CHECK: kiln.resize %{{.+}} {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.000000e+01 : f64, mode = "linear", roi = array<f64: 0.000000e+00, 4.000000e-01, 6.000000e-01, 1.200000e+00>, scales = array<f64: 1.000000e+00, 7.500000e-01>, sizes = array<i64: 3, 3>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
// CHECK: kiln.resize %{{.+}} {nearest_mode = "ceil", scales = array<f64: 5.000000e-01>, sizes = array<i64: 2>} : (tensor<4xi8>) -> tensor<2xi8>
func.func @resizes(%x: tensor<1x3x4x4xf32>, %v: tensor<4xf64>, %c: tensor<3x4xf32>, %i: tensor<4xi8>) -> (tensor<1x3x8x8xf32>, tensor<10xf64>, tensor<3x3xf32>, tensor<2xi8>) {
  %0 = kiln.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 3, 8, 8>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  %1 = kiln.resize %v {mode = "cubic", coordinate_transformation_mode = "align_corners", cubic_coeff_a = -0.5, exclude_outside = true, scales = array<f64: 2.5>, sizes = array<i64: 10>} : (tensor<4xf64>) -> tensor<10xf64>
  %2 = kiln.resize %c {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0, roi = array<f64: 0.0, 0.4, 0.6, 1.2>, scales = array<f64: 1.0, 0.75>, sizes = array<i64: 3, 3>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
  %3 = kiln.resize %i {nearest_mode = "ceil", scales = array<f64: 0.5>, sizes = array<i64: 2>} : (tensor<4xi8>) -> tensor<2xi8>
  return %0, %1, %2, %3 : tensor<1x3x8x8xf32>, tensor<10xf64>, tensor<3x3xf32>, tensor<2xi8>
}
