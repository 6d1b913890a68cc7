// Round trip of the ops with run-time shape operands (KilnDynamicShapeOps.td)
// through the custom and the generic assembly forms: inferred dims are `?` where the
// operand's values decide them, a declared type may be more static, and default
// attributes are elided.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshapes
// CHECK: kiln.shape_of %{{.+}} : (tensor<?x3xf32>) -> tensor<2xi64>
// CHECK: kiln.dynamic_reshape %{{.+}}, %{{.+}} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK: kiln.dynamic_reshape %{{.+}}, %{{.+}} {allow_zero = true} : (tensor<?x3xf32>, tensor<3xi32>) -> tensor<3x?x2xf32>
// CHECK: kiln.unsqueeze %{{.+}}, %{{.+}} : (tensor<?x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
// CHECK: kiln.squeeze %{{.+}}, %{{.+}} : (tensor<1x3x1xf32>, tensor<2xi64>) -> tensor<3xf32>
func.func @reshapes(%x: tensor<?x3xf32>, %s: tensor<2xi64>, %s3: tensor<3xi32>, %a: tensor<1xi64>, %y: tensor<1x3x1xf32>, %a2: tensor<2xi64>) -> (tensor<2xi64>, tensor<?x?xf32>, tensor<3x?x2xf32>, tensor<?x?x?xf32>, tensor<3xf32>) {
  %0 = kiln.shape_of %x : (tensor<?x3xf32>) -> tensor<2xi64>
  %1 = kiln.dynamic_reshape %x, %s : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %2 = kiln.dynamic_reshape %x, %s3 {allow_zero = true} : (tensor<?x3xf32>, tensor<3xi32>) -> tensor<3x?x2xf32>
  %3 = kiln.unsqueeze %x, %a : (tensor<?x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %4 = kiln.squeeze %y, %a2 : (tensor<1x3x1xf32>, tensor<2xi64>) -> tensor<3xf32>
  return %0, %1, %2, %3, %4 : tensor<2xi64>, tensor<?x?xf32>, tensor<3x?x2xf32>, tensor<?x?x?xf32>, tensor<3xf32>
}

// -----

// dynamic_broadcast_to infers the input's dims other than 1.
// CHECK-LABEL: func.func @data_movement
// CHECK: kiln.dynamic_broadcast_to %{{.+}}, %{{.+}} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
// CHECK: kiln.tile %{{.+}}, %{{.+}} : (tensor<2x0xf32>, tensor<2xi64>) -> tensor<?x0xf32>
// CHECK: kiln.dynamic_slice %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>) -> tensor<?x?xf32>
// CHECK: kiln.split %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x4xf32>)
func.func @data_movement(%x: tensor<3x1xf32>, %s: tensor<3xi64>, %e: tensor<2x0xf32>, %r: tensor<2xi64>, %big: tensor<20x10xf32>, %starts: tensor<1xi64>, %ends: tensor<1xi64>, %axes: tensor<1xi32>, %steps: tensor<1xi64>, %w: tensor<2x6xf32>) -> (tensor<?x3x?xf32>, tensor<?x0xf32>, tensor<?x?xf32>, tensor<2x?xf32>, tensor<2x4xf32>) {
  %0 = kiln.dynamic_broadcast_to %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
  %1 = kiln.tile %e, %r : (tensor<2x0xf32>, tensor<2xi64>) -> tensor<?x0xf32>
  %2 = kiln.dynamic_slice %big, %starts, %ends, %axes, %steps : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi32>, tensor<1xi64>) -> tensor<?x?xf32>
  %3:2 = kiln.split %w, %r {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x4xf32>)
  return %0, %1, %2, %3#0, %3#1 : tensor<?x3x?xf32>, tensor<?x0xf32>, tensor<?x?xf32>, tensor<2x?xf32>, tensor<2x4xf32>
}

// -----

// The pad value is optional; the default mode is elided.
// CHECK-LABEL: func.func @pads
// CHECK: kiln.dynamic_pad %{{.+}}, %{{.+}}, %{{.+}} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
// CHECK: kiln.dynamic_pad %{{.+}}, %{{.+}} {mode = "reflect"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x?xf32>
func.func @pads(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> (tensor<?x?xf32>, tensor<2x?xf32>) {
  %0 = kiln.dynamic_pad %x, %p, %v {mode = "constant"} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  %1 = kiln.dynamic_pad %x, %p {mode = "reflect"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x?xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @generators
// CHECK: kiln.constant_of_shape %{{.+}} {value = 1 : i32} : (tensor<2xi64>) -> tensor<?x?xi32>
// CHECK: kiln.range %{{.+}}, %{{.+}}, %{{.+}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
// CHECK: kiln.range %{{.+}}, %{{.+}}, %{{.+}} : (tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<4xi32>
func.func @generators(%s: tensor<2xi64>, %a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>, %i: tensor<1xi32>) -> (tensor<?x?xi32>, tensor<?xf32>, tensor<4xi32>) {
  %0 = kiln.constant_of_shape %s {value = 1 : i32} : (tensor<2xi64>) -> tensor<?x?xi32>
  %1 = kiln.range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %2 = kiln.range %i, %i, %i : (tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<?x?xi32>, tensor<?xf32>, tensor<4xi32>
}

// -----

// A reduction keeps dims of size 1 static; cumsum keeps its input's type.
// CHECK-LABEL: func.func @reductions
// CHECK: kiln.dynamic_reduce_sum %{{.+}}, %{{.+}} : (tensor<3x1x2xf32>, tensor<1xi64>) -> tensor<?x1x?xf32>
// CHECK: kiln.dynamic_cumsum %{{.+}}, %{{.+}} {exclusive = true} : (tensor<2x3xf64>, tensor<i32>) -> tensor<2x3xf64>
func.func @reductions(%x: tensor<3x1x2xf32>, %a: tensor<1xi64>, %y: tensor<2x3xf64>, %axis: tensor<i32>) -> (tensor<?x1x?xf32>, tensor<2x3xf64>) {
  %0 = kiln.dynamic_reduce_sum %x, %a : (tensor<3x1x2xf32>, tensor<1xi64>) -> tensor<?x1x?xf32>
  %1 = kiln.dynamic_cumsum %y, %axis {exclusive = true} : (tensor<2x3xf64>, tensor<i32>) -> tensor<2x3xf64>
  return %0, %1 : tensor<?x1x?xf32>, tensor<2x3xf64>
}

// -----

// CHECK-LABEL: func.func @resizes
// CHECK: kiln.dynamic_resize %{{.+}} scales(%{{.+}}) {mode = "linear"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
// CHECK: kiln.dynamic_resize %{{.+}} sizes(%{{.+}}) roi(%{{.+}}) {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.000000e+01 : f64} : (tensor<?x4xf32>, tensor<2xi64>, tensor<4xf32>) -> tensor<?x3xf32>
func.func @resizes(%x: tensor<1x1x2x2xf32>, %s: tensor<4xf32>, %y: tensor<?x4xf32>, %z: tensor<2xi64>, %roi: tensor<4xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x3xf32>) {
  %0 = kiln.dynamic_resize %x scales(%s) {mode = "linear"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  %1 = kiln.dynamic_resize %y sizes(%z) roi(%roi) {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0 : f64} : (tensor<?x4xf32>, tensor<2xi64>, tensor<4xf32>) -> tensor<?x3xf32>
  return %0, %1 : tensor<?x?x?x?xf32>, tensor<?x3xf32>
}

// -----

// The seed defaults to 0; the result takes the shape of its operand in f64.
// CHECK-LABEL: func.func @random
// CHECK: kiln.random_uniform_like %{{.+}} : (tensor<?x3xf32>) -> tensor<?x3xf64>
// CHECK: kiln.random_uniform_like %{{.+}} {seed = 42 : i64} : (tensor<2xi1>) -> tensor<2xf64>
func.func @random(%x: tensor<?x3xf32>, %b: tensor<2xi1>) -> (tensor<?x3xf64>, tensor<2xf64>) {
  %0 = kiln.random_uniform_like %x : (tensor<?x3xf32>) -> tensor<?x3xf64>
  %1 = kiln.random_uniform_like %b {seed = 42 : i64} : (tensor<2xi1>) -> tensor<2xf64>
  return %0, %1 : tensor<?x3xf64>, tensor<2xf64>
}
