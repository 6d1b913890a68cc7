// kiln-lower-to-linalg on the data movement ops: slices, pads, broadcasts, gathers,
// scatters and resizes (LowerShapeOps.cpp, LowerIndexingOps.cpp, LowerResize.cpp).
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s
// Every case also goes all the way to the LLVM dialect.
// RUN: kiln-opt %s -kiln-cpu-pipeline -split-input-file | FileCheck %s --check-prefix=LLVM

// LLVM-NOT: kiln.
// LLVM-NOT: linalg.
// LLVM-NOT: tensor.
// LLVM-NOT: scf.

// Positive steps: a strided view.
// CHECK-LABEL: func.func @slice_positive_steps
// CHECK: tensor.extract_slice %{{.+}}[1, 0] [2, 2] [2, 3] : tensor<6x4xf32> to tensor<2x2xf32>
// CHECK-NOT: linalg.generic
func.func @slice_positive_steps(%x: tensor<6x4xf32>) -> tensor<2x2xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 2>, steps = array<i64: 2, 3>} : (tensor<6x4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A negative step is a negative coefficient in the input map.
// CHECK: #[[SLICE:.+]] = affine_map<(d0, d1) -> (d0 * 2 + 1, -d1 + 3)>
// CHECK-LABEL: func.func @slice_negative_step
// CHECK: linalg.generic {indexing_maps = [#[[SLICE]], #{{.+}}], iterator_types = ["parallel", "parallel"]} ins(%{{.+}} : tensor<6x4xf32>) outs(%{{.+}} : tensor<2x4xf32>)
func.func @slice_negative_step(%x: tensor<6x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 1, 3>, sizes = array<i64: 2, 4>, steps = array<i64: 2, -1>} : (tensor<6x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A dynamic dim taken whole keeps its run-time size (private: entry points must be
// static).
// CHECK-LABEL: func.func private @slice_dynamic_whole
// CHECK: %[[DIM:.+]] = tensor.dim %{{.+}}, %{{.+}} : tensor<?x4xf32>
// CHECK: tensor.extract_slice %{{.+}}[0, 1] [%[[DIM]], 2] [1, 1] : tensor<?x4xf32> to tensor<?x2xf32>
func.func private @slice_dynamic_whole(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: -1, 2>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[VALUE:.+]] = arith.constant 1.500000e+00 : f32
// CHECK: tensor.pad %{{.+}} low[1, 0] high[1, 2]
// CHECK: tensor.yield %[[VALUE]] : f32
// CHECK: tensor<2x3xf32> to tensor<4x5xf32>
func.func @pad_constant(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %0 = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 1, 2>, value = 1.5 : f32} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Without a value, zero of the element type.
// CHECK-LABEL: func.func @pad_constant_default
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: tensor.yield %[[ZERO]] : i32
func.func @pad_constant_default(%x: tensor<3xi32>) -> tensor<4xi32> {
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 0>} : (tensor<3xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Reflect: mirror before the start (-i) and after the end (2 * last - i), then a
// clamp; dims without padding read their own index.
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic {indexing_maps = [#{{.+}}], iterator_types = ["parallel", "parallel"]} outs(%{{.+}} : tensor<2x7xf32>)
// CHECK: %[[ROW:.+]] = linalg.index 0 : index
// CHECK: %[[COL:.+]] = linalg.index 1 : index
// CHECK: arith.subi %[[COL]]
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: arith.cmpi sgt
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: %[[SOURCE:.+]] = arith.minsi
// CHECK: tensor.extract %{{.+}}[%[[ROW]], %[[SOURCE]]] : tensor<2x3xf32>
func.func @pad_reflect(%x: tensor<2x3xf32>) -> tensor<2x7xf32> {
  %0 = kiln.pad %x {low = array<i64: 0, 2>, high = array<i64: 0, 2>, mode = "reflect"} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

// Edge: only the clamp.
// CHECK-LABEL: func.func @pad_edge
// CHECK: linalg.index 0
// CHECK-NOT: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract
func.func @pad_edge(%x: tensor<3xf32>) -> tensor<6xf32> {
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 2>, mode = "edge"} : (tensor<3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// CHECK: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<3x1xf32>) outs(%{{.+}} : tensor<2x3x4xf32>)
func.func @broadcast_to(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.broadcast_to %x {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// The index tensor is read through a map over the result dims it spans; the index
// wraps when negative and is clamped into [0, 5).
// CHECK: #[[INDICES:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[DATA:.+]]: tensor<3x5xf32>, %[[I:.+]]: tensor<2x2xi64>)
// CHECK: %[[FIVE:.+]] = arith.constant 5 : index
// CHECK: linalg.generic {indexing_maps = [#[[INDICES]], #{{.+}}], {{.+}}} ins(%[[I]] : tensor<2x2xi64>) outs(%{{.+}} : tensor<3x2x2xf32>)
// CHECK: ^bb0(%[[IN:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[ROW:.+]] = linalg.index 0 : index
// CHECK: %[[CAST:.+]] = arith.index_cast %[[IN]] : i64 to index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[CAST]]
// CHECK: %[[WRAPPED:.+]] = arith.addi %[[CAST]], %[[FIVE]]
// CHECK: %[[SELECTED:.+]] = arith.select %[[NEG]], %[[WRAPPED]], %[[CAST]]
// CHECK: %[[LOW:.+]] = arith.minsi %[[SELECTED]]
// CHECK: %[[POS:.+]] = arith.maxsi %[[LOW]]
// CHECK: tensor.extract %[[DATA]][%[[ROW]], %[[POS]]] : tensor<3x5xf32>
func.func @gather(%x: tensor<3x5xf32>, %i: tensor<2x2xi64>) -> tensor<3x2x2xf32> {
  %0 = kiln.gather %x, %i {axis = 1} : (tensor<3x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2xf32>
  return %0 : tensor<3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<2x7xi32>) outs(%{{.+}} : tensor<2x7xf32>)
// CHECK: %[[ROW:.+]] = linalg.index 0 : index
// CHECK: arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[COL:.+]] = arith.maxsi
// CHECK: tensor.extract %{{.+}}[%[[ROW]], %[[COL]]] : tensor<3x5xf32>
func.func @gather_elements(%x: tensor<3x5xf32>, %e: tensor<2x7xi32>) -> tensor<2x7xf32> {
  %0 = kiln.gather_elements %x, %e {axis = 1} : (tensor<3x5xf32>, tensor<2x7xi32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

// Each result element reads its index tuple with tensor.extract; the batch dim is
// shared.
// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME: (%[[DATA:.+]]: tensor<2x2x3xf32>, %[[I:.+]]: tensor<2x1xi64>)
// CHECK: linalg.generic {indexing_maps = [#{{.+}}], iterator_types = ["parallel", "parallel"]} outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: %[[BATCH:.+]] = linalg.index 0 : index
// CHECK: %[[ZERO:.+]] = arith.constant 0 : index
// CHECK: tensor.extract %[[I]][%[[BATCH]], %[[ZERO]]] : tensor<2x1xi64>
// CHECK: %[[ROW:.+]] = arith.maxsi
// CHECK: %[[COL:.+]] = linalg.index 1 : index
// CHECK: tensor.extract %[[DATA]][%[[BATCH]], %[[ROW]], %[[COL]]] : tensor<2x2x3xf32>
func.func @gather_nd(%n: tensor<2x2x3xf32>, %b: tensor<2x1xi64>) -> tensor<2x3xf32> {
  %0 = kiln.gather_nd %n, %b {batch_dims = 1} : (tensor<2x2x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Updates are applied in order by a loop nest carrying the result; an index out of
// range skips its update. Along an axis after the first, updates in different rows
// never meet: the rows are an scf.forall, each scattering into its own slice.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-SAME: (%[[DATA:.+]]: tensor<3x3xf32>, %[[I:.+]]: tensor<2x3xi64>, %[[U:.+]]: tensor<2x3xf32>)
// CHECK: scf.forall (%[[R:.+]]) in (2) shared_outs(%[[OUT:.+]] = %[[DATA]]) -> (tensor<3x3xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[OUT]][%[[R]], 0] [1, 3] [1, 1] : tensor<3x3xf32> to tensor<3xf32>
// CHECK: %[[SCATTERED:.+]] = scf.for %[[C:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[ROW]]) -> (tensor<3xf32>)
// CHECK: tensor.extract %[[I]][%[[R]], %[[C]]]
// CHECK: %[[UPDATE:.+]] = tensor.extract %[[U]][%[[R]], %[[C]]]
// CHECK: %[[POS:.+]] = arith.select
// CHECK: %[[OK:.+]] = arith.andi
// CHECK: scf.if %[[OK]] -> (tensor<3xf32>)
// CHECK: %[[OLD:.+]] = tensor.extract %[[ACC]][%[[POS]]]
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]], %[[UPDATE]] : f32
// CHECK: tensor.insert %[[NEW]] into %[[ACC]][%[[POS]]]
// CHECK: } else {
// CHECK: scf.yield %[[ACC]]
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[SCATTERED]] into %[[OUT]][%[[R]], 0] [1, 3] [1, 1]
func.func @scatter_elements_add(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %0 = kiln.scatter_elements %x, %i, %u {axis = 1, reduction = "add"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Without reduction the update replaces the element.
// CHECK-LABEL: func.func @scatter_elements_none
// CHECK: scf.if
// CHECK-NOT: arith.addf
// CHECK: tensor.insert
func.func @scatter_elements_none(%x: tensor<3xf32>, %i: tensor<2xi32>, %u: tensor<2xf32>) -> tensor<3xf32> {
  %0 = kiln.scatter_elements %x, %i, %u {axis = 0} : (tensor<3xf32>, tensor<2xi32>, tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// The outer loop reads and checks each index tuple once; the inner loop writes
// the slice it addresses.
// CHECK-LABEL: func.func @scatter_nd_mul
// CHECK-SAME: (%[[DATA:.+]]: tensor<4x4xf32>, %[[I:.+]]: tensor<2x1xi64>, %[[U:.+]]: tensor<2x4xf32>)
// CHECK: scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[OUTER:.+]] = %[[DATA]])
// CHECK: tensor.extract %[[I]][%[[T]], %{{.+}}] : tensor<2x1xi64>
// CHECK: %[[OK:.+]] = arith.andi
// CHECK: scf.for %[[S:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[OUTER]])
// CHECK: tensor.extract %[[U]][%[[T]], %[[S]]]
// CHECK: scf.if %[[OK]]
// CHECK: arith.mulf
// CHECK: tensor.insert
func.func @scatter_nd_mul(%y: tensor<4x4xf32>, %t: tensor<2x1xi64>, %v: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %0 = kiln.scatter_nd %y, %t, %v {reduction = "mul"} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Nearest: one table of source indices per resized dim, computed at compile time
// (half_pixel, round_prefer_floor: 4 -> 8 reads 0, 0, 1, 1, 2, 2, 3, 3); N and C
// are identities and read their own index.
// CHECK: #[[H:.+]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK: #[[W:.+]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @resize_nearest
// CHECK: %[[HT:.+]] = arith.constant dense<[0, 0, 1, 1, 2, 2, 3, 3]> : tensor<8xi64>
// CHECK: %[[WT:.+]] = arith.constant dense<[0, 0, 1, 1, 2, 2, 3, 3]> : tensor<8xi64>
// CHECK: linalg.generic {indexing_maps = [#[[H]], #[[W]], #{{.+}}], {{.+}}} ins(%[[HT]], %[[WT]] : tensor<8xi64>, tensor<8xi64>) outs(%{{.+}} : tensor<1x3x8x8xf32>)
// CHECK: %[[N:.+]] = linalg.index 0 : index
// CHECK: %[[C:.+]] = linalg.index 1 : index
// CHECK: tensor.extract %{{.+}}[%[[N]], %[[C]], %{{.+}}, %{{.+}}] : tensor<1x3x4x4xf32>
func.func @resize_nearest(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %0 = kiln.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 3, 8, 8>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Linear: one two-tap pass per resized dim, the last dim first. align_corners
// 2 -> 3 puts output 1 at input 0.5.
// CHECK-LABEL: func.func @resize_linear
// CHECK: arith.constant dense<0> : tensor<3xi64>
// CHECK: arith.constant dense<[0, 1, 1]> : tensor<3xi64>
// CHECK: arith.constant dense<[0.000000e+00, 5.000000e-01, 0.000000e+00]> : tensor<3xf32>
// CHECK: arith.constant dense<[1.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK: %[[COLS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<2x3xf32>)
// CHECK-COUNT-2: arith.mulf
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<3x3xf32>)
// CHECK: tensor.extract %[[COLS]]
func.func @resize_linear(%x: tensor<2x2xf32>) -> tensor<3x3xf32> {
  %0 = kiln.resize %x {mode = "linear", coordinate_transformation_mode = "align_corners", scales = array<f64: 1.5, 1.5>, sizes = array<i64: 3, 3>} : (tensor<2x2xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// f16 interpolates in f32.
// CHECK-LABEL: func.func @resize_cubic_f16
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK-COUNT-3: arith.addf %{{.+}} : f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @resize_cubic_f16(%x: tensor<4xf16>) -> tensor<8xf16> {
  %0 = kiln.resize %x {mode = "cubic", scales = array<f64: 2.0>, sizes = array<i64: 8>} : (tensor<4xf16>) -> tensor<8xf16>
  return %0 : tensor<8xf16>
}

// -----

// tf_crop_and_resize marks positions outside the input with index -1, replaced by
// the extrapolation value.
// CHECK-LABEL: func.func @resize_crop
// CHECK: %[[TABLE:.+]] = arith.constant dense<[1, 2, -1]> : tensor<3xi64>
// CHECK: ^bb0(%[[MARK:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[EXTRA:.+]] = arith.constant 1.000000e+01 : f32
// CHECK: %[[OUT:.+]] = arith.cmpi slt, %[[MARK]], %{{.+}} : i64
// CHECK: arith.select %[[OUT]], %[[EXTRA]], %{{.+}} : f32
func.func @resize_crop(%x: tensor<4xf32>) -> tensor<3xf32> {
  %0 = kiln.resize %x {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0, roi = array<f64: 0.4, 1.2>, scales = array<f64: 0.75>, sizes = array<i64: 3>} : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A resize that changes nothing is a copy of nothing: no table, no pass.
// CHECK-LABEL: func.func @resize_identity
// CHECK-NOT: linalg.generic
// CHECK: return %arg0
func.func @resize_identity(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.resize %x {mode = "linear", scales = array<f64: 1.0, 1.0>, sizes = array<i64: 2, 4>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// An empty slice reads nothing, whatever its step; a one-element dim's step is
// irrelevant, so the slice stays a view.
// CHECK-LABEL: func.func @slice_empty_and_single
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x0xf32>
// CHECK: tensor.extract_slice %{{.+}}[0, 3] [2, 1] [1, 1] : tensor<2x4xf32> to tensor<2x1xf32>
// CHECK: return %[[EMPTY]]
func.func @slice_empty_and_single(%x: tensor<2x4xf32>) -> (tensor<2x0xf32>, tensor<2x1xf32>) {
  %0 = kiln.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 2, 0>, steps = array<i64: 1, -9223372036854775808>} : (tensor<2x4xf32>) -> tensor<2x0xf32>
  %1 = kiln.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: 2, 1>, steps = array<i64: 1, -5>} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  return %0, %1 : tensor<2x0xf32>, tensor<2x1xf32>
}

// -----

// Unsigned types become signless ones of the same width; pad and extrapolation
// values keep their bits.
// CHECK-LABEL: func.func @unsigned_constants
// CHECK-SAME: (%{{.+}}: tensor<4xi8>) -> (tensor<6xi8>, tensor<3xi8>)
// CHECK: %[[PAD:.+]] = arith.constant 7 : i8
// CHECK: tensor.yield %[[PAD]] : i8
// CHECK: %[[EXTRA:.+]] = arith.constant 3 : i8
// CHECK: arith.select %{{.+}}, %[[EXTRA]], %{{.+}} : i8
func.func @unsigned_constants(%x: tensor<4xui8>) -> (tensor<6xui8>, tensor<3xui8>) {
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 1>, value = 7 : ui8} : (tensor<4xui8>) -> tensor<6xui8>
  %1 = kiln.resize %x {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 3.0, roi = array<f64: 0.4, 1.2>, scales = array<f64: 0.75>, sizes = array<i64: 3>} : (tensor<4xui8>) -> tensor<3xui8>
  return %0, %1 : tensor<6xui8>, tensor<3xui8>
}
