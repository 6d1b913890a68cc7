// Round trip of every kiln op through the custom and the generic assembly forms:
// attributes equal to their defaults are elided, dynamic dims and integer element
// types survive, and declared result types may be more (or less) static than the
// inferred ones as long as they are compatible.
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @constants
// CHECK: kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: kiln.constant dense<0.000000e+00> : tensor<64xf32>
// CHECK: kiln.constant dense<[1, -2, 3]> : tensor<3xi32>
// CHECK: kiln.constant dense<true> : tensor<2x3xi1>
// CHECK: kiln.constant dense<1.500000e+00> : tensor<f16>
func.func @constants() -> (tensor<2x2xf32>, tensor<64xf32>, tensor<3xi32>, tensor<2x3xi1>, tensor<f16>) {
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %1 = kiln.constant dense<0.0> : tensor<64xf32>
  %2 = kiln.constant dense<[1, -2, 3]> : tensor<3xi32>
  %3 = kiln.constant dense<true> : tensor<2x3xi1>
  %4 = kiln.constant dense<1.5> : tensor<f16>
  return %0, %1, %2, %3, %4 : tensor<2x2xf32>, tensor<64xf32>, tensor<3xi32>, tensor<2x3xi1>, tensor<f16>
}

// -----

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:[^:]*]]: tensor<8x16xf32>, %[[B:[^:]*]]: tensor<16xf32>, %[[C:[^:]*]]: tensor<8x1xf32>)
// CHECK: kiln.add %[[A]], %[[B]] : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
// CHECK: kiln.sub %[[B]], %[[A]] : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK: kiln.mul %[[C]], %[[B]] : (tensor<8x1xf32>, tensor<16xf32>) -> tensor<8x16xf32>
// CHECK: kiln.div %[[A]], %[[A]] : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
func.func @binary(%a: tensor<8x16xf32>, %b: tensor<16xf32>, %c: tensor<8x1xf32>) {
  %0 = kiln.add %a, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %1 = kiln.sub %b, %a : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %2 = kiln.mul %c, %b : (tensor<8x1xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %3 = kiln.div %a, %a : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return
}

// -----

// Integer element types, rank-0 operands and dynamic dims.
// CHECK-LABEL: func.func @binary_integer_dynamic
// CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x4xi32>, tensor<i32>) -> tensor<?x4xi32>
// CHECK: kiln.sub %{{.*}}, %{{.*}} : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
// CHECK: kiln.mul %{{.*}}, %{{.*}} : (tensor<?x1xi8>, tensor<1x?xi8>) -> tensor<?x?xi8>
// CHECK: kiln.div %{{.*}}, %{{.*}} : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
// CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?xf32>, tensor<3xf32>) -> tensor<3xf32>
func.func @binary_integer_dynamic(%a: tensor<?x4xi32>, %s: tensor<i32>, %b: tensor<?x1xi8>,
                                  %c: tensor<1x?xi8>, %v: tensor<4xi32>, %d: tensor<?xf32>,
                                  %e: tensor<3xf32>) {
  %0 = kiln.add %a, %s : (tensor<?x4xi32>, tensor<i32>) -> tensor<?x4xi32>
  %1 = kiln.sub %a, %a : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
  %2 = kiln.mul %b, %c : (tensor<?x1xi8>, tensor<1x?xi8>) -> tensor<?x?xi8>
  %3 = kiln.div %a, %v : (tensor<?x4xi32>, tensor<4xi32>) -> tensor<?x4xi32>
  // A dynamic dim broadcast against a static one (> 1) infers the static size.
  %4 = kiln.add %d, %e : (tensor<?xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Declared result types only need to be compatible with the inferred ones.
// CHECK-LABEL: func.func @compatible_result_types
// CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<?x?xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<3x5xf32>
// CHECK: kiln.reshape %{{.*}} {shape = array<i64: -1>} : (tensor<?x4xf32>) -> tensor<8xf32>
func.func @compatible_result_types(%a: tensor<?x4xf32>, %b: tensor<4xf32>, %c: tensor<2x4xf32>,
                                   %d: tensor<4x?xf32>) {
  %0 = kiln.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = kiln.add %c, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<?x?xf32>
  %2 = kiln.matmul %a, %d : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<3x5xf32>
  %3 = kiln.reshape %a {shape = array<i64: -1>} : (tensor<?x4xf32>) -> tensor<8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x?xf32>, %[[H:[^:]*]]: tensor<2xbf16>)
// CHECK: %[[R:.*]] = kiln.relu %[[X]] : tensor<4x?xf32>
// CHECK: kiln.sigmoid %[[R]] : tensor<4x?xf32>
// CHECK: kiln.tanh %[[X]] : tensor<4x?xf32>
// CHECK: kiln.exp %[[X]] : tensor<4x?xf32>
// CHECK: kiln.log %[[H]] : tensor<2xbf16>
func.func @unary(%x: tensor<4x?xf32>, %h: tensor<2xbf16>) {
  %0 = kiln.relu %x : tensor<4x?xf32>
  %1 = kiln.sigmoid %0 : tensor<4x?xf32>
  %2 = kiln.tanh %x : tensor<4x?xf32>
  %3 = kiln.exp %x : tensor<4x?xf32>
  %4 = kiln.log %h : tensor<2xbf16>
  return
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<32x784xf32>, tensor<784x128xf32>) -> tensor<32x128xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<4x8x64x32xf32>, tensor<32x64xf32>) -> tensor<4x8x64x64xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<4x1x3x5xf32>, tensor<6x5x7xf32>) -> tensor<4x6x3x7xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<?x?x3xi32>, tensor<?x3x?xi32>) -> tensor<?x?x?xi32>
func.func @matmul(%x: tensor<32x784xf32>, %w: tensor<784x128xf32>, %q: tensor<4x8x64x32xf32>,
                  %k: tensor<32x64xf32>, %a: tensor<4x1x3x5xf32>, %b: tensor<6x5x7xf32>,
                  %c: tensor<?x?x3xi32>, %d: tensor<?x3x?xi32>) {
  %0 = kiln.matmul %x, %w : (tensor<32x784xf32>, tensor<784x128xf32>) -> tensor<32x128xf32>
  %1 = kiln.matmul %q, %k : (tensor<4x8x64x32xf32>, tensor<32x64xf32>) -> tensor<4x8x64x64xf32>
  %2 = kiln.matmul %a, %b : (tensor<4x1x3x5xf32>, tensor<6x5x7xf32>) -> tensor<4x6x3x7xf32>
  %3 = kiln.matmul %c, %d : (tensor<?x?x3xi32>, tensor<?x3x?xi32>) -> tensor<?x?x?xi32>
  return
}

// -----

// Default attributes (empty window attributes, one group) are elided; explicit
// strides 1, no padding and dilation 1 are kept as written.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x3x32x32xf32>, %[[W:[^:]*]]: tensor<16x3x3x3xf32>, %[[Y:[^:]*]]: tensor<2x8x10x10xf32>, %[[DW:[^:]*]]: tensor<8x1x3x3xf32>, %[[Z:[^:]*]]: tensor<?x8x?x?xf32>, %[[GW:[^:]*]]: tensor<6x4x3x3xf32>)
// CHECK: kiln.conv %[[X]], %[[W]] : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
// CHECK: kiln.conv %[[X]], %[[W]] {dilations = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
// CHECK: kiln.conv %[[X]], %[[W]] {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x16x16xf32>
// CHECK: kiln.conv %[[X]], %[[W]] {dilations = array<i64: 2, 3>, padding = array<i64: 0, 1, 2, 3>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
// CHECK: kiln.conv %[[Y]], %[[DW]] {groups = 8 : i64} : (tensor<2x8x10x10xf32>, tensor<8x1x3x3xf32>) -> tensor<2x8x8x8xf32>
// CHECK: kiln.conv %[[Z]], %[[GW]] {groups = 2 : i64} : (tensor<?x8x?x?xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x?x?xf32>
func.func @conv2d(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %y: tensor<2x8x10x10xf32>,
                  %dw: tensor<8x1x3x3xf32>, %z: tensor<?x8x?x?xf32>, %gw: tensor<6x4x3x3xf32>) {
  %0 = kiln.conv %x, %w : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  %1 = kiln.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64}
      : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  %2 = kiln.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x16x16xf32>
  // H: 32 + 0 + 2 - 2 * 2 - 1 + 1 = 30; W: 32 + 1 + 3 - 3 * 2 - 1 + 1 = 30.
  %3 = kiln.conv %x, %w {dilations = array<i64: 2, 3>, padding = array<i64: 0, 1, 2, 3>}
      : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x30x30xf32>
  // Depthwise.
  %4 = kiln.conv %y, %dw {groups = 8 : i64} : (tensor<2x8x10x10xf32>, tensor<8x1x3x3xf32>) -> tensor<2x8x8x8xf32>
  %5 = kiln.conv %z, %gw {groups = 2 : i64} : (tensor<?x8x?x?xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @pooling
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x16x32x32xf32>, %[[S:[^:]*]]: tensor<1x1x6x6xf32>, %[[Y:[^:]*]]: tensor<1x16x8x8xf32>, %[[D:[^:]*]]: tensor<?x3x?x5xf32>)
// CHECK: kiln.max_pool %[[X]] {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x32x32xf32>) -> tensor<1x16x16x16xf32>
// CHECK: kiln.max_pool %[[X]] {dilations = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x32x32xf32>) -> tensor<1x16x31x31xf32>
// CHECK: kiln.max_pool %[[S]] {ceil_mode = true, kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32>
// CHECK: kiln.max_pool %[[S]] {dilations = array<i64: 2, 2>, kernel_size = array<i64: 3, 3>, padding = array<i64: 2, 2, 2, 2>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32>
// CHECK: kiln.avg_pool %[[Y]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
// CHECK: kiln.avg_pool %[[Y]] {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>} : (tensor<1x16x8x8xf32>) -> tensor<1x16x6x6xf32>
// CHECK: kiln.avg_pool %[[D]] {ceil_mode = true, count_include_pad = true, kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x?x5xf32>) -> tensor<?x3x?x3xf32>
func.func @pooling(%x: tensor<1x16x32x32xf32>, %s: tensor<1x1x6x6xf32>, %y: tensor<1x16x8x8xf32>,
                   %d: tensor<?x3x?x5xf32>) {
  %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x16x32x32xf32>) -> tensor<1x16x16x16xf32>
  %1 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = false, dilations = array<i64: 1, 1>}
      : (tensor<1x16x32x32xf32>) -> tensor<1x16x31x31xf32>
  // ceil((6 - 3) / 2) + 1 = 3.
  %2 = kiln.max_pool %s {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true}
      : (tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32>
  %3 = kiln.max_pool %s {kernel_size = array<i64: 3, 3>, padding = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>}
      : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32>
  %4 = kiln.avg_pool %y {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %5 = kiln.avg_pool %y {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, count_include_pad = false, ceil_mode = false}
      : (tensor<1x16x8x8xf32>) -> tensor<1x16x6x6xf32>
  // W: ceil((5 + 1 + 1 - 2) / 2) + 1 = 4, but the fourth window would start at 6, in
  // the end padding (input + top padding = 6), so ceil mode drops it: 3.
  %6 = kiln.avg_pool %d {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = true}
      : (tensor<?x3x?x5xf32>) -> tensor<?x3x?x3xf32>
  return
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x16x4x4xf32>, %[[D:[^:]*]]: tensor<?x4xi64>, %[[B:[^:]*]]: tensor<2x3xi1>)
// CHECK: kiln.reshape %[[X]] {shape = array<i64: 1, -1>} : (tensor<1x16x4x4xf32>) -> tensor<1x256xf32>
// CHECK: kiln.reshape %[[X]] {shape = array<i64: 16, 16>} : (tensor<1x16x4x4xf32>) -> tensor<16x16xf32>
// CHECK: kiln.reshape %[[D]] {shape = array<i64: 2, -1, 2>} : (tensor<?x4xi64>) -> tensor<2x?x2xi64>
// CHECK: kiln.reshape %[[D]] {shape = array<i64: 8>} : (tensor<?x4xi64>) -> tensor<8xi64>
// CHECK: kiln.reshape %[[B]] {shape = array<i64: 6>} : (tensor<2x3xi1>) -> tensor<6xi1>
func.func @reshape(%x: tensor<1x16x4x4xf32>, %d: tensor<?x4xi64>, %b: tensor<2x3xi1>) {
  %0 = kiln.reshape %x {shape = array<i64: 1, -1>} : (tensor<1x16x4x4xf32>) -> tensor<1x256xf32>
  %1 = kiln.reshape %x {shape = array<i64: 16, 16>} : (tensor<1x16x4x4xf32>) -> tensor<16x16xf32>
  %2 = kiln.reshape %d {shape = array<i64: 2, -1, 2>} : (tensor<?x4xi64>) -> tensor<2x?x2xi64>
  // With a dynamic input the element count is not checked.
  %3 = kiln.reshape %d {shape = array<i64: 8>} : (tensor<?x4xi64>) -> tensor<8xi64>
  %4 = kiln.reshape %b {shape = array<i64: 6>} : (tensor<2x3xi1>) -> tensor<6xi1>
  return
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x8xf32>, %[[Y:[^:]*]]: tensor<?x3x5xi32>)
// CHECK: kiln.transpose %[[X]] {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
// CHECK: kiln.transpose %[[Y]] {permutation = array<i64: 2, 0, 1>} : (tensor<?x3x5xi32>) -> tensor<5x?x3xi32>
// CHECK: kiln.transpose %[[Y]] {permutation = array<i64: 0, 1, 2>} : (tensor<?x3x5xi32>) -> tensor<7x3x5xi32>
func.func @transpose(%x: tensor<4x8xf32>, %y: tensor<?x3x5xi32>) {
  %0 = kiln.transpose %x {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %1 = kiln.transpose %y {permutation = array<i64: 2, 0, 1>} : (tensor<?x3x5xi32>) -> tensor<5x?x3xi32>
  %2 = kiln.transpose %y {permutation = array<i64: 0, 1, 2>} : (tensor<?x3x5xi32>) -> tensor<7x3x5xi32>
  return
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[^:]*]]: tensor<1x16x8x8xf32>, %[[B:[^:]*]]: tensor<1x32x8x8xf32>, %[[C:[^:]*]]: tensor<?x4xi8>, %[[D:[^:]*]]: tensor<3x?xi8>)
// CHECK: kiln.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<1x16x8x8xf32>, tensor<1x32x8x8xf32>) -> tensor<1x48x8x8xf32>
// CHECK: kiln.concat %[[A]] {axis = 0 : i64} : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
// CHECK: kiln.concat %[[C]], %[[D]], %[[C]] {axis = 0 : i64} : (tensor<?x4xi8>, tensor<3x?xi8>, tensor<?x4xi8>) -> tensor<?x4xi8>
// CHECK: kiln.concat %[[D]], %[[C]] {axis = 1 : i64} : (tensor<3x?xi8>, tensor<?x4xi8>) -> tensor<3x?xi8>
func.func @concat(%a: tensor<1x16x8x8xf32>, %b: tensor<1x32x8x8xf32>, %c: tensor<?x4xi8>,
                  %d: tensor<3x?xi8>) {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x16x8x8xf32>, tensor<1x32x8x8xf32>) -> tensor<1x48x8x8xf32>
  %1 = kiln.concat %a {axis = 0 : i64} : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  // A dynamic size along the axis makes the sum dynamic; other dims take the static size.
  %2 = kiln.concat %c, %d, %c {axis = 0 : i64} : (tensor<?x4xi8>, tensor<3x?xi8>, tensor<?x4xi8>) -> tensor<?x4xi8>
  %3 = kiln.concat %d, %c {axis = 1 : i64} : (tensor<3x?xi8>, tensor<?x4xi8>) -> tensor<3x?xi8>
  return
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x64x7x7xf32>, %[[Y:[^:]*]]: tensor<?x5xi32>)
// CHECK: kiln.reduce_sum %[[X]] {axes = array<i64: 2, 3>, keep_dims = true} : (tensor<1x64x7x7xf32>) -> tensor<1x64x1x1xf32>
// CHECK: kiln.reduce_sum %[[X]] {axes = array<i64: 2, 3>} : (tensor<1x64x7x7xf32>) -> tensor<1x64xf32>
// CHECK: kiln.reduce_mean %[[X]] {axes = array<i64: 0, 1, 2, 3>} : (tensor<1x64x7x7xf32>) -> tensor<f32>
// CHECK: kiln.reduce_max %[[X]] {axes = array<i64: 1>, keep_dims = true} : (tensor<1x64x7x7xf32>) -> tensor<1x1x7x7xf32>
// CHECK: kiln.reduce_sum %[[Y]] {axes = array<i64: 1>} : (tensor<?x5xi32>) -> tensor<?xi32>
// CHECK: kiln.reduce_max %[[Y]] {axes = array<i64: 0>, keep_dims = true} : (tensor<?x5xi32>) -> tensor<1x5xi32>
func.func @reductions(%x: tensor<1x64x7x7xf32>, %y: tensor<?x5xi32>) {
  %0 = kiln.reduce_sum %x {axes = array<i64: 2, 3>, keep_dims = true} : (tensor<1x64x7x7xf32>) -> tensor<1x64x1x1xf32>
  %1 = kiln.reduce_sum %x {axes = array<i64: 2, 3>, keep_dims = false} : (tensor<1x64x7x7xf32>) -> tensor<1x64xf32>
  %2 = kiln.reduce_mean %x {axes = array<i64: 0, 1, 2, 3>} : (tensor<1x64x7x7xf32>) -> tensor<f32>
  %3 = kiln.reduce_max %x {axes = array<i64: 1>, keep_dims = true} : (tensor<1x64x7x7xf32>) -> tensor<1x1x7x7xf32>
  %4 = kiln.reduce_sum %y {axes = array<i64: 1>} : (tensor<?x5xi32>) -> tensor<?xi32>
  %5 = kiln.reduce_max %y {axes = array<i64: 0>, keep_dims = true} : (tensor<?x5xi32>) -> tensor<1x5xi32>
  return
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: kiln.softmax %{{[^ ]*}} {axis = 1 : i64} : tensor<32x10xf32>
// CHECK: kiln.softmax %{{[^ ]*}} {axis = 0 : i64} : tensor<?xf16>
func.func @softmax(%x: tensor<32x10xf32>, %y: tensor<?xf16>) {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<32x10xf32>
  %1 = kiln.softmax %y {axis = 0 : i64} : tensor<?xf16>
  return
}
