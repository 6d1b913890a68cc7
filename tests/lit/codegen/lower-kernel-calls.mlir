// RUN: kiln-opt %s -kiln-lower-kernel-calls -split-input-file | FileCheck %s

// A convolution on buffers becomes a call of kiln_kernel_conv2d with the
// buffers' addresses, a constant parameter vector (-1: the batch is an
// argument; flags 7: bias, residual and constant weights; activation 1: relu)
// and a zeroed state word, then a check of the status it returns. The call
// site is listed for the module info table.
// CHECK: module attributes {kiln.kernels = [{kind = 1 : i32, num_params = 22 : i32, params = @__kiln_kernel_params, state = @__kiln_kernel_state}]}
// CHECK-DAG: memref.global "private" @__kiln_kernel_state : memref<1xi64> = dense<0>
// CHECK-DAG: memref.global "private" constant @__kiln_kernel_params : memref<22xi64> = dense<[-1, 3, 8, 8, 4, 3, 3, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7, 1, 0, 0]>
// CHECK-DAG: func.func private @kiln_kernel_conv2d(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK-LABEL: func.func @conv
// CHECK: %[[N:.+]] = memref.dim %arg0, %{{.+}} : memref<?x3x8x8xf32>
// CHECK: %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[STATUS:.+]] = call @kiln_kernel_conv2d(%{{.+}}, %{{.+}}, %[[N64]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: %[[OK:.+]] = arith.cmpi eq, %[[STATUS]], %{{.+}} : i32
// CHECK: cf.assert %[[OK]], "kiln_rt.conv2d ({{.+}}lower-kernel-calls.mlir:{{[0-9]+}}:{{[0-9]+}}): the oneDNN kernel failed"
// CHECK-NOT: kiln_rt.conv2d
memref.global "private" constant @filter : memref<4x3x3x3xf32> = dense<1.0>
func.func @conv(%x: memref<?x3x8x8xf32>, %b: memref<4xf32>, %r: memref<?x4x8x8xf32>, %y: memref<?x4x8x8xf32>) {
  %w = memref.get_global @filter : memref<4x3x3x3xf32>
  kiln_rt.conv2d %x, %w bias(%b) residual(%r) outs(%y) {padding = array<i64: 1, 1, 1, 1>, activation = "relu"} : (memref<?x3x8x8xf32>, memref<4x3x3x3xf32>, memref<4xf32>, memref<?x4x8x8xf32>, memref<?x4x8x8xf32>) -> ()
  return
}

// -----

// Two call sites get their own globals. Operands not in row-major order are
// copied into dense buffers first (and the output copied back); absent
// operands are NULL. The first site has a residual (flags 2) and clips to
// [0, 6] (activation 3, beta's bits 0x40c00000); in neither are the weights a
// module constant.
// CHECK: module attributes {kiln.kernels = [{kind = 2 : i32, num_params = 8 : i32, params = @__kiln_kernel_params{{.*}}, state = @__kiln_kernel_state{{.*}}}, {kind = 2 : i32, num_params = 8 : i32, params = @__kiln_kernel_params{{.*}}, state = @__kiln_kernel_state{{.*}}}]}
// CHECK-DAG: dense<[4, 16, 10, 2, 3, 0, 1086324736, 0]>
// CHECK-DAG: dense<[4, 10, 16, 0, 0, 0, 0, 0]>
// CHECK-LABEL: func.func @matmuls
// CHECK: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: call @kiln_kernel_matmul(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[NULL]], %{{.+}}, %{{.+}})
// CHECK: %[[DENSE:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x10xf32>
// CHECK: memref.copy %{{.+}}, %[[DENSE]] : memref<4x10xf32, strided<[20, 1]>> to memref<4x10xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x16xf32>
// CHECK: call @kiln_kernel_matmul
// CHECK: cf.assert
// CHECK: memref.copy %[[OUT]], %{{.+}} : memref<4x16xf32> to memref<4x16xf32, strided<[32, 1]>>
func.func @matmuls(%a: memref<4x16xf32>, %b: memref<16x10xf32>, %c: memref<4x10xf32>, %t: memref<4x20xf32>, %u: memref<10x16xf32>, %o: memref<4x32xf32>) {
  kiln_rt.matmul %a, %b residual(%c) outs(%c) {activation = "clip", beta = 6.0 : f32} : (memref<4x16xf32>, memref<16x10xf32>, memref<4x10xf32>, memref<4x10xf32>) -> ()
  %s = memref.subview %t[0, 0] [4, 10] [1, 1] : memref<4x20xf32> to memref<4x10xf32, strided<[20, 1]>>
  %w = memref.subview %o[0, 0] [4, 16] [1, 1] : memref<4x32xf32> to memref<4x16xf32, strided<[32, 1]>>
  kiln_rt.matmul %s, %u outs(%w) : (memref<4x10xf32, strided<[20, 1]>>, memref<10x16xf32>, memref<4x16xf32, strided<[32, 1]>>) -> ()
  return
}

// -----

// A contiguous view at an offset (a step's row of an unrolled recurrent
// layer's input projection, here its bias, and rows of the output) is passed
// as the address of its first element, without a copy: the aligned pointer
// plus the offset in bytes.
// CHECK-LABEL: func.func @contiguous_views
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: %{{[^ ,]+}}, %[[OFFSET:[^ ,]+]], {{.+}} = memref.extract_strided_metadata %[[BIAS:[^ ]+]] :
// CHECK: %[[ALIGNED:[^ ]+]] = memref.extract_aligned_pointer_as_index %[[BIAS]]
// CHECK: %[[FOUR:[^ ]+]] = arith.constant 4 : index
// CHECK: %[[BYTES:[^ ]+]] = arith.muli %[[OFFSET]], %[[FOUR]] : index
// CHECK: arith.addi %[[ALIGNED]], %[[BYTES]] : index
// CHECK: call @kiln_kernel_matmul
// CHECK-NOT: memref.copy
func.func @contiguous_views(%x: memref<1x16xf32>, %w: memref<16x8xf32>, %projection: memref<4x8xf32>, %y: memref<4x8xf32>) {
  %bias = memref.subview %projection[2, 0] [1, 8] [1, 1] : memref<4x8xf32> to memref<8xf32, strided<[1], offset: 16>>
  %row = memref.subview %y[3, 0] [1, 8] [1, 1] : memref<4x8xf32> to memref<1x8xf32, strided<[8, 1], offset: 24>>
  kiln_rt.matmul %x, %w bias(%bias) outs(%row) : (memref<1x16xf32>, memref<16x8xf32>, memref<8xf32, strided<[1], offset: 16>>, memref<1x8xf32, strided<[8, 1], offset: 24>>) -> ()
  return
}

// -----

// A batch of products passes its batch as the last parameter (4 products of
// [8, 16] x [16, 8]).
// CHECK: memref.global "private" constant @__kiln_kernel_params : memref<8xi64> = dense<[8, 16, 8, 0, 0, 0, 0, 4]>
// CHECK-LABEL: func.func @batched
// CHECK: call @kiln_kernel_matmul
func.func @batched(%a: memref<4x8x16xf32>, %b: memref<4x16x8xf32>, %o: memref<4x8x8xf32>) {
  kiln_rt.matmul %a, %b outs(%o) : (memref<4x8x16xf32>, memref<4x16x8xf32>, memref<4x8x8xf32>) -> ()
  return
}

// -----

// A transposed convolution is a kernel of kind 3 with a convolution's
// parameters, CHANNELS the input's (4) and FILTERS the output's (6: 2 groups
// of 3); its output padding shows only in the output size (10 = (5 - 1) * 2 -
// 2 + 3 + 1). Flags 9: bias, NHWC; activation 5: tanh.
// CHECK: module attributes {kiln.kernels = [{kind = 3 : i32, num_params = 22 : i32, params = @__kiln_kernel_params, state = @__kiln_kernel_state}]}
// CHECK-DAG: memref.global "private" constant @__kiln_kernel_params : memref<22xi64> = dense<[-1, 4, 5, 5, 6, 3, 3, 10, 10, 2, 2, 1, 1, 1, 1, 1, 1, 2, 9, 5, 0, 0]>
// CHECK-DAG: func.func private @kiln_kernel_conv_transpose2d(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK-LABEL: func.func @conv_transpose
// CHECK: call @kiln_kernel_conv_transpose2d
// CHECK: cf.assert %{{.+}}, "kiln_rt.conv2d ({{.+}}): the oneDNN kernel failed"
func.func @conv_transpose(%x: memref<?x5x5x4xf32>, %w: memref<4x3x3x3xf32>, %b: memref<6xf32>, %y: memref<?x10x10x6xf32>) {
  kiln_rt.conv2d %x, %w bias(%b) outs(%y) {transposed, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64, layout = "nhwc", activation = "tanh"} : (memref<?x5x5x4xf32>, memref<4x3x3x3xf32>, memref<6xf32>, memref<?x10x10x6xf32>) -> ()
  return
}

// -----

// The filter gradient of a convolution is a kernel of kind 4 with a
// convolution's parameters: the input's shape (NHWC: flags 8), FILTERS and
// OUT_H/W the output gradient's, the kernel the filter gradient's. Its entry
// point takes the input, the output gradient and the filter gradient.
// CHECK: module attributes {kiln.kernels = [{kind = 4 : i32, num_params = 22 : i32, params = @__kiln_kernel_params, state = @__kiln_kernel_state}]}
// CHECK-DAG: memref.global "private" constant @__kiln_kernel_params : memref<22xi64> = dense<[-1, 4, 8, 8, 6, 3, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 2, 8, 0, 0, 0]>
// CHECK-DAG: func.func private @kiln_kernel_conv2d_backward_filter(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK-LABEL: func.func @backward_filter
// CHECK: %[[N:.+]] = memref.dim %arg0, %{{.+}} : memref<?x8x8x4xf32>
// CHECK: %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[STATUS:.+]] = call @kiln_kernel_conv2d_backward_filter(%{{.+}}, %{{.+}}, %[[N64]], %{{.+}}, %{{.+}}, %{{.+}}) : (!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: cf.assert %{{.+}}, "kiln_rt.conv2d_backward_filter ({{.+}}): the oneDNN kernel failed"
// CHECK-NOT: kiln_rt.conv2d_backward_filter
func.func @backward_filter(%x: memref<?x8x8x4xf32>, %dy: memref<?x4x4x6xf32>, %dw: memref<6x2x3x3xf32>) {
  kiln_rt.conv2d_backward_filter %x, %dy outs(%dw) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64, layout = "nhwc"} : (memref<?x8x8x4xf32>, memref<?x4x4x6xf32>, memref<6x2x3x3xf32>) -> ()
  return
}

// -----

// A kernel that accumulates into its output (flags 16 | 8: NHWC) passes no
// residual; an output not in row-major order is copied into the dense buffer
// before the call as well as back after it, since the kernel adds to it.
// CHECK: memref.global "private" constant @__kiln_kernel_params : memref<22xi64> = dense<[1, 4, 8, 8, 4, 1, 1, 8, 8, 1, 1, 0, 0, 0, 0, 1, 1, 1, 24, 0, 0, 0]>
// CHECK-LABEL: func.func @accumulate
// CHECK: %[[NO_BIAS:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[NO_RESIDUAL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[DENSE:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x4xf32>
// CHECK: memref.copy %arg2, %[[DENSE]]
// CHECK: call @kiln_kernel_conv2d(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[NO_BIAS]], %[[NO_RESIDUAL]], %{{.+}})
// CHECK: cf.assert
// CHECK: memref.copy %[[DENSE]], %arg2
func.func @accumulate(%x: memref<1x8x8x4xf32>, %w: memref<4x4x1x1xf32>, %y: memref<1x8x8x4xf32, strided<[512, 64, 8, 1]>>) {
  kiln_rt.conv2d %x, %w outs(%y) {accumulate, layout = "nhwc"} : (memref<1x8x8x4xf32>, memref<4x4x1x1xf32>, memref<1x8x8x4xf32, strided<[512, 64, 8, 1]>>) -> ()
  return
}
