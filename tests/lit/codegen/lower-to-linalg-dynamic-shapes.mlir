// RUN: kiln-opt %s -split-input-file -kiln-lower-to-linalg | FileCheck %s

// The ops of KilnDynamicShapeOps.td compute their result sizes from operands
// read at run time, in scalar i64 code, and check every value that would make
// the generated code read or write out of bounds (cf.assert with the op and
// its origin); then the data moves with tensor.reshape, tensor.extract_slice,
// linalg.fill or a linalg.generic over the result.

// Reshape: ONNX's 0 copies the input dim, -1 is inferred from the element
// count, and the element counts must agree.
// CHECK-LABEL: func.func @reshape
// CHECK: %[[FIRST:.+]] = tensor.extract %arg1[%{{.+}}] : tensor<2xi64>
// CHECK: %[[ZERO:.+]] = arith.cmpi eq, %[[FIRST]], %{{.+}} : i64
// CHECK: %[[ROWS:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x3xf32>
// CHECK: %[[ROWS64:.+]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK: arith.select %[[ZERO]], %[[ROWS64]], %[[FIRST]] : i64
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_reshape (node 1 'r' (Reshape)): shape entry 0 is negative (other than -1)"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_reshape (node 1 'r' (Reshape)): shape entry 1 is negative (other than -1)"
// CHECK: arith.mulsi_extended
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_reshape (node 1 'r' (Reshape)): the target shape's element count overflows int64"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_reshape (node 1 'r' (Reshape)): the target shape has more than one -1"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_reshape (node 1 'r' (Reshape)): the input's element count does not fit the target shape at run time"
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %{{.+}}, %{{.+}} : tensor<2xi64>
// CHECK: %[[R:.+]] = tensor.reshape %arg0(%[[SHAPE]]) : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK: return %[[R]]
func.func @reshape(%x: tensor<?x3xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = kiln.dynamic_reshape %x, %s : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("node 1 'r' (Reshape)")
  return %0 : tensor<?x?xf32>
}

// -----

// With allow_zero, a 0 is a real 0: no dim is copied.
// CHECK-LABEL: func.func @reshape_allow_zero
// CHECK-NOT: tensor.dim
// CHECK: tensor.reshape
func.func @reshape_allow_zero(%x: tensor<2x3xf32>, %s: tensor<2xi32>) -> tensor<?x?xf32> {
  %0 = kiln.dynamic_reshape %x, %s {allow_zero = true} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A declared static result dim is checked against the computed size.
// CHECK-LABEL: func.func @declared
// CHECK: cf.assert %{{.+}}, "kiln.constant_of_shape {{.*}}: shape entry 0 is negative"
// CHECK: cf.assert %{{.+}}, "kiln.constant_of_shape {{.*}}: shape entry 1 is negative"
// CHECK: cf.assert %{{.+}}, "kiln.constant_of_shape {{.*}}: the result's size in bytes overflows int64"
// CHECK: cf.assert %{{.+}}, "kiln.constant_of_shape {{.*}}: dimension 0 of the result differs at run time from its declared size 2"
// CHECK-NOT: dimension 1 of the result
// CHECK: %[[EMPTY:.+]] = tensor.empty(%{{.+}}) : tensor<2x?xf32>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<2x?xf32>)
func.func @declared(%s: tensor<2xi64>) -> tensor<2x?xf32> {
  %0 = kiln.constant_of_shape %s {value = 1.0 : f32} : (tensor<2xi64>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// Unsqueeze and squeeze: axes normalized and checked, then a reshape.
// CHECK-LABEL: func.func @unsqueeze_squeeze
// CHECK: cf.assert %{{.+}}, "kiln.unsqueeze {{.*}}: axes entry 0 is out of range for rank 3"
// CHECK: tensor.reshape %arg0(%{{.+}}) : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
// CHECK: cf.assert %{{.+}}, "kiln.squeeze {{.*}}: axes entry 0 is out of range for rank 3"
// CHECK: cf.assert %{{.+}}, "kiln.squeeze {{.*}}: axes entry 1 is out of range for rank 3"
// CHECK: cf.assert %{{.+}}, "kiln.squeeze {{.*}}: axes repeat an axis"
// CHECK: cf.assert %{{.+}}, "kiln.squeeze {{.*}}: dimension 0 is removed but its size is not 1 at run time"
// CHECK: cf.assert %{{.+}}, "kiln.squeeze {{.*}}: dimension 2 is removed but its size is not 1 at run time"
// CHECK: tensor.reshape %arg2(%{{.+}}) : (tensor<?x3x?xf32>, tensor<1xi64>) -> tensor<?xf32>
func.func @unsqueeze_squeeze(%x: tensor<?x3xf32>, %a: tensor<1xi64>, %y: tensor<?x3x?xf32>, %b: tensor<2xi64>) -> (tensor<?x?x?xf32>, tensor<?xf32>) {
  %0 = kiln.unsqueeze %x, %a : (tensor<?x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %1 = kiln.squeeze %y, %b : (tensor<?x3x?xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0, %1 : tensor<?x?x?xf32>, tensor<?xf32>
}

// -----

// Expand: an input dim that is 1 at run time stretches (index 0 is read).
// CHECK-LABEL: func.func @broadcast
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_broadcast_to {{.*}}: shape entry 0 is negative"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_broadcast_to {{.*}}: dimension 1 of the shape cannot broadcast the input's at run time (neither is 1 and they differ)"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_broadcast_to {{.*}}: the result's size in bytes overflows int64"
// CHECK: %[[EMPTY:.+]] = tensor.empty(%{{.+}}, %{{.+}}, %{{.+}}) : tensor<?x?x?xf32>
// CHECK: linalg.generic {{.+}} outs(%[[EMPTY]] : tensor<?x?x?xf32>)
// CHECK: %[[I1:.+]] = linalg.index 1 : index
// CHECK: %[[ROW:.+]] = arith.select %{{.+}}, %c0{{.*}}, %[[I1]] : index
// CHECK: tensor.extract %arg0[%[[ROW]], %c0{{.*}}] : tensor<?x1xf32>
func.func @broadcast(%x: tensor<?x1xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %0 = kiln.dynamic_broadcast_to %x, %s : (tensor<?x1xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Tile reads input element index mod dim.
// CHECK-LABEL: func.func @tile
// CHECK: cf.assert %{{.+}}, "kiln.tile {{.*}}: repeats entry 0 is negative"
// CHECK: cf.assert %{{.+}}, "kiln.tile {{.*}}: a tiled dimension overflows int64"
// CHECK: linalg.generic
// CHECK: arith.remui %{{.+}}, %{{.+}} : index
// CHECK: tensor.extract %arg0
func.func @tile(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = kiln.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Slice with constant unit steps is a view; other steps read through a
// generic.
// CHECK-LABEL: func.func @slice_unit_steps
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_slice {{.*}}: axes entry 0 is out of range for rank 2"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_slice {{.*}}: steps entry 0 is 0"
// CHECK: tensor.extract_slice %arg0[%{{.+}}, %{{.+}}] [%{{.+}}, %{{.+}}] [1, 1] : tensor<20x10xf32> to tensor<?x?xf32>
// CHECK-NOT: linalg.generic
func.func @slice_unit_steps(%x: tensor<20x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  %one = arith.constant dense<1> : tensor<1xi64>
  %0 = kiln.dynamic_slice %x, %s, %e, %a, %one : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @slice_steps
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_slice {{.*}}: steps entry 0 is 0"
// CHECK: arith.divui
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic
// CHECK: arith.muli %{{.+}}, %{{.+}} : index
// CHECK: tensor.extract %arg0
func.func @slice_steps(%x: tensor<20x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %a: tensor<1xi64>, %st: tensor<1xi64>) -> tensor<?x?xf32> {
  %0 = kiln.dynamic_slice %x, %s, %e, %a, %st : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Split: the parts are views, and the sizes must add up to the dim.
// CHECK-LABEL: func.func @split
// CHECK: cf.assert %{{.+}}, "kiln.split {{.*}}: sizes entry 0 is negative"
// CHECK: cf.assert %{{.+}}, "kiln.split {{.*}}: sizes entry 1 is negative"
// CHECK: cf.assert %{{.+}}, "kiln.split {{.*}}: the sizes add up to more than int64 holds"
// CHECK: cf.assert %{{.+}}, "kiln.split {{.*}}: the sizes do not add up to dimension 0 at run time"
// CHECK: tensor.extract_slice %arg0[%{{.+}}, 0] [%{{.+}}, 2] [1, 1] : tensor<6x2xf32> to tensor<?x2xf32>
// CHECK: tensor.extract_slice %arg0[%{{.+}}, 0] [%{{.+}}, 2] [1, 1] : tensor<6x2xf32> to tensor<?x2xf32>
func.func @split(%x: tensor<6x2xf32>, %s: tensor<2xi64>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %0:2 = kiln.split %x, %s {axis = 0 : i64} : (tensor<6x2xf32>, tensor<2xi64>) -> (tensor<?x2xf32>, tensor<?x2xf32>)
  return %0#0, %0#1 : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Pad: negative pads may not remove more than the dim; reflect pads must be
// smaller than the dim.
// CHECK-LABEL: func.func @pad_reflect
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_pad {{.*}}: the pads of dimension 0 remove more elements than it has"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_pad {{.*}}: a reflect pad of dimension 0 is not smaller than the dimension"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_pad {{.*}}: a padded size overflows int64"
// CHECK: linalg.generic
func.func @pad_reflect(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %0 = kiln.dynamic_pad %x, %p {mode = "reflect"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Constant padding reads the input only inside it (scf.if), the value
// elsewhere.
// CHECK-LABEL: func.func @pad_constant
// CHECK-NOT: reflect pad
// CHECK: linalg.generic
// CHECK: scf.if %{{.+}} -> (f32)
// CHECK: tensor.extract %arg0
func.func @pad_constant(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> tensor<?x?xf32> {
  %0 = kiln.dynamic_pad %x, %p, %v : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Integer range: the count is computed exactly in i64, with the overflows
// and the zero delta checked before the division.
// CHECK-LABEL: func.func @range_int
// CHECK: cf.assert %{{.+}}, "kiln.range {{.*}}: delta is 0"
// CHECK: cf.assert %{{.+}}, "kiln.range {{.*}}: limit - start overflows int64"
// CHECK: cf.assert %{{.+}}, "kiln.range {{.*}}: the element count overflows int64"
// CHECK: arith.divsi
// CHECK: %[[EMPTY:.+]] = tensor.empty(%{{.+}}) : tensor<?xi32>
// CHECK: linalg.generic {{.+}} outs(%[[EMPTY]] : tensor<?xi32>)
func.func @range_int(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<?xi32> {
  %0 = kiln.range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// Float range: the count in double precision, NaN and infinities rejected.
// CHECK-LABEL: func.func @range_float
// CHECK: arith.extf %{{.+}} : f32 to f64
// CHECK: math.ceil
// CHECK: cf.assert %{{.+}}, "kiln.range {{.*}}: delta is 0 or NaN"
// CHECK: cf.assert %{{.+}}, "kiln.range {{.*}}: the element count is not finite or overflows int64"
// CHECK: arith.fptosi
func.func @range_float(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = kiln.range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Sum over run-time axes: each result element sums its box with scf.for.
// CHECK-LABEL: func.func @reduce_sum
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_reduce_sum {{.*}}: axes entry 0 is out of range for rank 3"
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.addf
func.func @reduce_sum(%x: tensor<3x2x2xf32>, %a: tensor<1xi64>) -> tensor<?x?x?xf32> {
  %0 = kiln.dynamic_reduce_sum %x, %a : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Cumsum on a run-time axis dispatches to the static cumsum of each axis.
// CHECK-LABEL: func.func @cumsum
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_cumsum {{.*}}: the axis is out of range for rank 2"
// CHECK: scf.index_switch %{{.+}} -> tensor<2x3xf32>
// CHECK: case 0 {
// CHECK: case 1 {
// CHECK: default {
// CHECK-NOT: kiln.
func.func @cumsum(%x: tensor<2x3xf32>, %a: tensor<i64>) -> tensor<2x3xf32> {
  %0 = kiln.dynamic_cumsum %x, %a : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// shape_of reads the `?` dims; static ones are constants.
// CHECK-LABEL: func.func @shape_of
// CHECK: %[[ROWS:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x3xf32>
// CHECK: %[[ROWS64:.+]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK: tensor.from_elements %[[ROWS64]], %c3_i64 : tensor<2xi64>
func.func @shape_of(%x: tensor<?x3xf32>) -> tensor<2xi64> {
  %0 = kiln.shape_of %x : (tensor<?x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Resize with run-time scales: tap tables computed by a 1-D generic per dim,
// and each interpolation pass skipped at run time when its dim is the
// identity.
// CHECK-LABEL: func.func @resize_scales
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_resize {{.*}}: scales entry 0 is not positive and finite"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_resize {{.*}}: the resized dimension 0 overflows int64"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_resize {{.*}}: dimension 0 is empty and cannot be resized"
// CHECK: cf.assert %{{.+}}, "kiln.dynamic_resize {{.*}}: the result's size in bytes overflows int64"
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel"]} outs({{.+}} : tensor<?xi64>, tensor<?xi64>, tensor<?xf32>, tensor<?xf32>)
// CHECK: scf.if %{{.+}} -> (tensor<1x1x2x?xf32>)
// CHECK: scf.if %{{.+}} -> (tensor<1x1x?x?xf32>)
func.func @resize_scales(%x: tensor<1x1x2x2xf32>, %s: tensor<4xf32>) -> tensor<?x?x?x?xf32> {
  %0 = kiln.dynamic_resize %x scales(%s) {mode = "linear"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// A cast that makes a run-time dim static is checked before it is trusted.
// CHECK-LABEL: func.func @checked_cast
// CHECK: cf.assert %{{.+}}, "tensor.cast {{.*}}: dimension 0 differs at run time from the static size 4 of its result type"
// CHECK: tensor.cast %arg0 {kiln.checked} : tensor<?x3xf32> to tensor<4x3xf32>
func.func @checked_cast(%x: tensor<?x3xf32>) -> tensor<4x3xf32> {
  %0 = tensor.cast %x : tensor<?x3xf32> to tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A cast that only forgets sizes needs no check.
// CHECK-LABEL: func.func @unchecked_cast
// CHECK-NOT: cf.assert
// CHECK: tensor.cast %arg0 : tensor<4x3xf32> to tensor<?x3xf32>
func.func @unchecked_cast(%x: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %0 = tensor.cast %x : tensor<4x3xf32> to tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// MT19937 draws are sequential: one scf.for over the elements carries the
// state (seeded when compiling: word 0 is the seed, word 1 is
// 1812433253 * (seed ^ (seed >> 30)) + 1 = 472231674 = 0x1C25AEFA, printed
// as little-endian hex), twists it every 624 words, and combines two tempered
// words into one double.
// CHECK-LABEL: func.func @random_uniform_like
// CHECK: %[[SEEDED:.+]] = arith.constant dense<"0x05000000FAAE251C{{[0-9A-F]+}}"> : tensor<624xi32>
// CHECK: %[[FLAT:.+]] = tensor.empty(%{{.+}}) : tensor<?xf64>
// CHECK: %[[LOOP:.+]]:3 = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[SEEDED]], %{{.+}} = %c624{{.*}}, %{{.+}} = %[[FLAT]])
// CHECK: scf.if %{{.+}} -> (tensor<624xi32>)
// CHECK: scf.for
// CHECK: arith.constant -1727483681 : i32
// CHECK: arith.shrui
// CHECK: arith.uitofp %{{.+}} : i32 to f64
// CHECK: arith.divf %{{.+}}, %{{.+}} : f64
// CHECK: tensor.insert %{{.+}} into %{{.+}}[%{{.+}}] : tensor<?xf64>
// CHECK: tensor.reshape %[[LOOP]]#2(%{{.+}}) : (tensor<?xf64>, tensor<2xi64>) -> tensor<?x3xf64>
func.func @random_uniform_like(%x: tensor<?x3xf32>) -> tensor<?x3xf64> {
  %0 = kiln.random_uniform_like %x {seed = 5 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf64>
  return %0 : tensor<?x3xf64>
}

// -----

// Data movement does not depend on signedness: unsigned tensors are retyped
// to signless ones and lowered as usual (a range would not be: its count
// divides).
// CHECK-LABEL: func.func @unsigned_data
// CHECK-SAME: (%arg0: tensor<2x3xi8>, %arg1: tensor<2xi64>) -> tensor<?x?xi8>
// CHECK: tensor.reshape %arg0(%{{.+}}) : (tensor<2x3xi8>, tensor<2xi64>) -> tensor<?x?xi8>
func.func @unsigned_data(%x: tensor<2x3xui8>, %s: tensor<2xi64>) -> tensor<?x?xui8> {
  %0 = kiln.dynamic_reshape %x, %s : (tensor<2x3xui8>, tensor<2xi64>) -> tensor<?x?xui8>
  return %0 : tensor<?x?xui8>
}

// -----

// CHECK-LABEL: func.func @unsigned_fill
// CHECK: linalg.fill ins(%{{.+}} : i8) outs(%{{.+}} : tensor<?xi8>)
func.func @unsigned_fill(%s: tensor<1xi64>) -> tensor<?xui8> {
  %0 = kiln.constant_of_shape %s {value = 200 : ui8} : (tensor<1xi64>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}
