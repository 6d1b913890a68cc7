// RUN: kiln-opt %s -one-shot-bufferize="bufferize-function-boundaries" -split-input-file | FileCheck %s

// A kernel that accumulates into its init reads it. When nothing reads the
// residual afterwards (a ResNet shortcut), the result is written into its
// buffer: one allocation for the two kernels, no copy.
// CHECK-LABEL: func.func @shortcut_in_place
// CHECK: %[[A:.+]] = memref.alloc() {{.+}} : memref<1x8x8x4xf32>
// CHECK-NOT: memref.alloc
// CHECK: kiln_rt.conv2d %arg0, %arg1 outs(%[[A]])
// CHECK-NOT: memref.copy
// CHECK: kiln_rt.conv2d %arg0, %arg2 outs(%[[A]]) {accumulate, activation = "relu", layout = "nhwc"}
// CHECK: return %[[A]]
func.func @shortcut_in_place(%x: tensor<1x8x8x4xf32>, %w1: tensor<4x4x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x8x8x4xf32> {
  %init = tensor.empty() : tensor<1x8x8x4xf32>
  %r = kiln_rt.conv2d %x, %w1 outs(%init) {layout = "nhwc"} : (tensor<1x8x8x4xf32>, tensor<4x4x1x1xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  %y = kiln_rt.conv2d %x, %w2 outs(%r) {accumulate, activation = "relu", layout = "nhwc"} : (tensor<1x8x8x4xf32>, tensor<4x4x1x1xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

// A residual that is also the kernel's input (or is read later) keeps its
// values: the kernel accumulates into a copy.
// CHECK-LABEL: func.func @residual_is_input
// CHECK: %[[R:.+]] = memref.alloc() {{.+}} : memref<1x8x8x4xf32>
// CHECK: kiln_rt.conv2d %arg0, %arg1 outs(%[[R]])
// CHECK: %[[COPY:.+]] = memref.alloc() {{.+}} : memref<1x8x8x4xf32>
// CHECK: memref.copy %[[R]], %[[COPY]]
// CHECK: kiln_rt.conv2d %[[R]], %arg2 outs(%[[COPY]]) {accumulate, layout = "nhwc"}
// CHECK: return %[[COPY]]
func.func @residual_is_input(%x: tensor<1x8x8x4xf32>, %w1: tensor<4x4x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x8x8x4xf32> {
  %init = tensor.empty() : tensor<1x8x8x4xf32>
  %a = kiln_rt.conv2d %x, %w1 outs(%init) {layout = "nhwc"} : (tensor<1x8x8x4xf32>, tensor<4x4x1x1xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  %y = kiln_rt.conv2d %a, %w2 outs(%a) {accumulate, layout = "nhwc"} : (tensor<1x8x8x4xf32>, tensor<4x4x1x1xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

// Without `accumulate` the init is not read: when its buffer cannot be
// written (it is returned as well), the result gets a fresh one, with no copy.
// CHECK-LABEL: func.func @overwrite
// CHECK: %[[Y:.+]] = memref.alloc() {{.+}} : memref<4x8xf32>
// CHECK-NOT: memref.copy
// CHECK: kiln_rt.matmul %arg0, %arg1 outs(%[[Y]])
// CHECK: return %[[Y]], %arg2
func.func @overwrite(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %y = kiln_rt.matmul %a, %b outs(%c) : (tensor<4x16xf32>, tensor<16x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y, %c : tensor<4x8xf32>, tensor<4x8xf32>
}
