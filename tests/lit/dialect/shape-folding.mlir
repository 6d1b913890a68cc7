// Folders of the data movement ops (KilnShapeFolders.cpp): constant operands are
// evaluated, so that ONNX shape computations (Shape -> Gather -> Unsqueeze -> Concat
// -> Reshape) become constants at import; identities disappear; large results and
// run-time operands are left alone.
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @fold_slice_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[6, 8], [0, 2]]> : tensor<2x2xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_slice_constant() -> tensor<2x2xi64> {
  %c = kiln.constant dense<[[0, 1, 2], [3, 4, 5], [6, 7, 8]]> : tensor<3x3xi64>
  %0 = kiln.slice %c {offsets = array<i64: 2, 0>, sizes = array<i64: 2, 2>, steps = array<i64: -2, 2>} : (tensor<3x3xi64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @fold_slice_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @fold_slice_identity(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: -1, 4>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A reversal keeps the shape but is no identity.
// CHECK-LABEL: func.func @keep_slice_reversal
// CHECK: kiln.slice
func.func @keep_slice_reversal(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 3>, sizes = array<i64: 4>, steps = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @fold_slice_splat
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.500000e+00> : tensor<2xf32>
func.func @fold_slice_splat() -> tensor<2xf32> {
  %c = kiln.constant dense<2.5> : tensor<8xf32>
  %0 = kiln.slice %c {offsets = array<i64: 1>, sizes = array<i64: 2>, steps = array<i64: 3>} : (tensor<8xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_pad_modes
// CHECK-DAG: kiln.constant dense<[9, 1, 2, 3, 9, 9]> : tensor<6xi64>
// CHECK-DAG: kiln.constant dense<[3, 2, 1, 2, 3, 2]> : tensor<6xi64>
// CHECK-DAG: kiln.constant dense<[1, 1, 1, 2, 3, 3]> : tensor<6xi64>
// CHECK-NOT: kiln.pad
func.func @fold_pad_modes() -> (tensor<6xi64>, tensor<6xi64>, tensor<6xi64>) {
  %c = kiln.constant dense<[1, 2, 3]> : tensor<3xi64>
  %0 = kiln.pad %c {low = array<i64: 1>, high = array<i64: 2>, value = 9 : i64} : (tensor<3xi64>) -> tensor<6xi64>
  %1 = kiln.pad %c {low = array<i64: 2>, high = array<i64: 1>, mode = "reflect"} : (tensor<3xi64>) -> tensor<6xi64>
  %2 = kiln.pad %c {low = array<i64: 2>, high = array<i64: 1>, mode = "edge"} : (tensor<3xi64>) -> tensor<6xi64>
  return %0, %1, %2 : tensor<6xi64>, tensor<6xi64>, tensor<6xi64>
}

// -----

// CHECK-LABEL: func.func @fold_pad_2d_default_zero
// CHECK-NEXT: kiln.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 2.000000e+00, 0.000000e+00]]> : tensor<2x3xf32>
func.func @fold_pad_2d_default_zero() -> tensor<2x3xf32> {
  %c = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %0 = kiln.pad %c {low = array<i64: 1, 0>, high = array<i64: 0, 1>} : (tensor<1x2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_pad_identity
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @fold_pad_identity(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = kiln.pad %x {low = array<i64: 0>, high = array<i64: 0>, mode = "edge"} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_broadcast
// CHECK-DAG: kiln.constant dense<{{\[}}[1, 1, 1], [2, 2, 2]]> : tensor<2x3xi32>
// CHECK-DAG: kiln.constant dense<7.000000e+00> : tensor<1000x1000xf32>
// CHECK-NOT: kiln.broadcast_to
func.func @fold_broadcast() -> (tensor<2x3xi32>, tensor<1000x1000xf32>) {
  %c = kiln.constant dense<[[1], [2]]> : tensor<2x1xi32>
  %0 = kiln.broadcast_to %c {shape = array<i64: 2, 3>} : (tensor<2x1xi32>) -> tensor<2x3xi32>
  %s = kiln.constant dense<7.0> : tensor<1xf32>
  %1 = kiln.broadcast_to %s {shape = array<i64: 1000, 1000>} : (tensor<1xf32>) -> tensor<1000x1000xf32>
  return %0, %1 : tensor<2x3xi32>, tensor<1000x1000xf32>
}

// -----

// Broadcasting a non-splat constant multiplies its size: beyond shape-sized results
// it is left to run time.
// CHECK-LABEL: func.func @keep_large_broadcast
// CHECK: kiln.broadcast_to
func.func @keep_large_broadcast() -> tensor<5000x2xf32> {
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.broadcast_to %c {shape = array<i64: 5000, 2>} : (tensor<2xf32>) -> tensor<5000x2xf32>
  return %0 : tensor<5000x2xf32>
}

// -----

// Negative indices count from the end, out-of-range ones clamp (as at run time).
// CHECK-LABEL: func.func @fold_gather
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[30, 10], [50, 50]]> : tensor<2x2xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_gather() -> tensor<2x2xi64> {
  %data = kiln.constant dense<[10, 20, 30, 40, 50]> : tensor<5xi64>
  %i = kiln.constant dense<[[2, 0], [-1, 9]]> : tensor<2x2xi32>
  %0 = kiln.gather %data, %i {axis = 0} : (tensor<5xi64>, tensor<2x2xi32>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @fold_gather_inner_axis
// CHECK-NEXT: kiln.constant dense<{{\[}}[2.000000e+00], [5.000000e+00]]> : tensor<2x1xf32>
func.func @fold_gather_inner_axis() -> tensor<2x1xf32> {
  %data = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %i = kiln.constant dense<[-2]> : tensor<1xi64>
  %0 = kiln.gather %data, %i {axis = 1} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// CHECK-LABEL: func.func @keep_gather_runtime_indices
// CHECK: kiln.gather
func.func @keep_gather_runtime_indices(%i: tensor<2xi64>) -> tensor<2xi64> {
  %data = kiln.constant dense<[10, 20, 30]> : tensor<3xi64>
  %0 = kiln.gather %data, %i {axis = 0} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @fold_concat
// CHECK-NEXT: kiln.constant dense<{{\[}}[1, 2, 5], [3, 4, 6]]> : tensor<2x3xi64>
func.func @fold_concat() -> tensor<2x3xi64> {
  %a = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = kiln.constant dense<[[5], [6]]> : tensor<2x1xi64>
  %0 = kiln.concat %a, %b {axis = 1} : (tensor<2x2xi64>, tensor<2x1xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// The ONNX idiom: Shape -> Gather -> Unsqueeze -> Concat gives a Reshape target.
// CHECK-LABEL: func.func @fold_shape_chain
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[2, -1]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_shape_chain() -> tensor<2xi64> {
  %shape = kiln.constant dense<[2, 3, 4]> : tensor<3xi64>
  %zero = kiln.constant dense<0> : tensor<i64>
  %batch = kiln.gather %shape, %zero {axis = 0} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %unsqueezed = kiln.reshape %batch {shape = array<i64: 1>} : (tensor<i64>) -> tensor<1xi64>
  %rest = kiln.constant dense<[-1]> : tensor<1xi64>
  %0 = kiln.concat %unsqueezed, %rest {axis = 0} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @keep_concat_runtime
// CHECK: kiln.concat
func.func @keep_concat_runtime(%x: tensor<1xi64>) -> tensor<2xi64> {
  %a = kiln.constant dense<[1]> : tensor<1xi64>
  %0 = kiln.concat %a, %x {axis = 0} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
