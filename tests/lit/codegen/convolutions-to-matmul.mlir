// RUN: kiln-opt %s -split-input-file -kiln-convolutions-to-matmul -canonicalize | FileCheck %s

// A 3x3 convolution of stride 2: the patches are copied into
// [C, KH, KW, N, OH, OW] (rows 2*oh + kh, columns 2*ow + kw of the padded
// input), viewed as a 36x49 matrix that the 8x36 filter multiplies.
// CHECK-DAG: #[[READ:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d4 * 2 + d1, d5 * 2 + d2)>
// CHECK-LABEL: func.func @conv3x3
// CHECK: %[[PATCHES:.+]] = linalg.generic {indexing_maps = [#[[READ]], #{{.+}}]{{.*}} ins(%arg0 : tensor<1x4x16x16xf32>) outs(%{{.+}} : tensor<4x3x3x1x7x7xf32>)
// CHECK: %[[MATRIX:.+]] = tensor.collapse_shape %[[PATCHES]] {{\[}}[0, 1, 2], [3, 4, 5]] : tensor<4x3x3x1x7x7xf32> into tensor<36x49xf32>
// CHECK: %[[FILTER:.+]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]] : tensor<8x4x3x3xf32> into tensor<8x36xf32>
// CHECK: %[[INIT:.+]] = tensor.collapse_shape %arg2 {{\[}}[0, 1], [2, 3]] : tensor<1x8x7x7xf32> into tensor<8x49xf32>
// CHECK: %[[PRODUCT:.+]] = linalg.matmul ins(%[[FILTER]], %[[MATRIX]] : tensor<8x36xf32>, tensor<36x49xf32>) outs(%[[INIT]] : tensor<8x49xf32>)
// CHECK: tensor.expand_shape %[[PRODUCT]] {{\[}}[0, 1], [2, 3]] output_shape [1, 8, 7, 7]
// CHECK-NOT: linalg.conv
func.func @conv3x3(%x: tensor<1x4x16x16xf32>, %w: tensor<8x4x3x3xf32>, %init: tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
       ins(%x, %w : tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

// A 1x1 convolution of stride 1 of one image is the product itself: the
// input is already the [C, H*W] matrix.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: linalg.generic
// CHECK: %[[INPUT:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2, 3]] : tensor<1x16x5x5xf32> into tensor<16x25xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %[[INPUT]] : tensor<32x16xf32>, tensor<16x25xf32>)
func.func @pointwise(%x: tensor<1x16x5x5xf32>, %w: tensor<32x16x1x1xf32>, %init: tensor<1x32x5x5xf32>) -> tensor<1x32x5x5xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x16x5x5xf32>, tensor<32x16x1x1xf32>) outs(%init : tensor<1x32x5x5xf32>) -> tensor<1x32x5x5xf32>
  return %0 : tensor<1x32x5x5xf32>
}

// -----

// Two images: the output is transposed to [F, N, OH, OW] for the product
// and back; dilation 2 spaces the taps.
// CHECK-DAG: #[[READ:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d4 + d1 * 2, d5 + d2 * 2)>
// CHECK-LABEL: func.func @batch_of_two
// CHECK: linalg.generic {indexing_maps = [#[[READ]], #{{.+}}]
// CHECK: linalg.transpose ins(%arg2 : tensor<2x8x4x4xf32>) outs(%{{.+}} : tensor<8x2x4x4xf32>) permutation = [1, 0, 2, 3]
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x36xf32>, tensor<36x32xf32>) outs(%{{.+}} : tensor<8x32xf32>)
// CHECK: linalg.transpose ins(%{{.+}} : tensor<8x2x4x4xf32>) outs(%{{.+}} : tensor<2x8x4x4xf32>) permutation = [1, 0, 2, 3]
func.func @batch_of_two(%x: tensor<2x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %init: tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<2x4x8x8xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  return %0 : tensor<2x8x4x4xf32>
}

// -----

// Dynamic shapes and other element types keep linalg's convolution.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.matmul
func.func @left_alone(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %init: tensor<?x8x6x6xf32>,
                      %xd: tensor<1x4x8x8xf64>, %wd: tensor<8x4x3x3xf64>, %id: tensor<1x8x6x6xf64>) -> (tensor<?x8x6x6xf32>, tensor<1x8x6x6xf64>) {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32>
  %1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%xd, %wd : tensor<1x4x8x8xf64>, tensor<8x4x3x3xf64>) outs(%id : tensor<1x8x6x6xf64>) -> tensor<1x8x6x6xf64>
  return %0, %1 : tensor<?x8x6x6xf32>, tensor<1x8x6x6xf64>
}

// -----

// A stride-1 convolution with a constant filter and 4.02 MiB of patches
// (9 taps x 342x342 positions): no copy of patches, but 9 products (one per
// tap of the filter, reordered at compile time to [9, F, C]) of views of the
// input flattened to [C, Hp*Wp], shifted by kh*344 + kw, accumulating into
// [F, 342*344 rounded up to 117664]; the valid 342 of every 344 columns are
// the result. The input gets one zero row at the bottom for the last tap's
// overrun.
// CHECK-LABEL: func.func @shifted_products
// CHECK: arith.constant dense<{{\[}}{{\[}}[1.000000e+00], [1.000000e+01]], {{\[}}[2.000000e+00], [1.100000e+01]], {{.*}} : tensor<9x2x1xf32>
// CHECK: %[[PADDED:.+]] = tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 0]
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[PADDED]] {{\[}}[0, 1], [2, 3]] : tensor<1x1x345x344xf32> into tensor<1x118680xf32>
// CHECK: %[[ACC:.+]] = linalg.fill {{.*}} -> tensor<2x117664xf32>
// CHECK: %[[VIEW0:.+]] = tensor.extract_slice %[[FLAT]][0, 0] [1, 117664] [1, 1]
// CHECK: %[[P0:.+]] = linalg.matmul ins(%{{.+}}, %[[VIEW0]] : tensor<2x1xf32>, tensor<1x117664xf32>) outs(%[[ACC]] : tensor<2x117664xf32>)
// CHECK: tensor.extract_slice %[[FLAT]][0, 1] [1, 117664] [1, 1]
// CHECK: tensor.extract_slice %[[FLAT]][0, 2] [1, 117664] [1, 1]
// CHECK: tensor.extract_slice %[[FLAT]][0, 344] [1, 117664] [1, 1]
// CHECK: tensor.extract_slice %[[FLAT]][0, 690] [1, 117664] [1, 1]
// CHECK: %[[LAST:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x1xf32>, tensor<1x117664xf32>)
// CHECK: %[[USED:.+]] = tensor.extract_slice %[[LAST]][0, 0] [2, 117648] [1, 1]
// CHECK: %[[ROWS:.+]] = tensor.expand_shape %[[USED]] {{\[}}[0], [1, 2]] output_shape [2, 342, 344]
// CHECK: tensor.extract_slice %[[ROWS]][0, 0, 0] [2, 342, 342] [1, 1, 1] : tensor<2x342x344xf32> to tensor<2x342x342xf32>
// CHECK-NOT: linalg.generic
func.func @shifted_products(%x: tensor<1x1x344x344xf32>) -> tensor<1x2x342x342xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]],
                             [[[10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]]]> : tensor<2x1x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2x342x342xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2x342x342xf32>) -> tensor<1x2x342x342xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x1x344x344xf32>, tensor<2x1x3x3xf32>) outs(%init : tensor<1x2x342x342xf32>) -> tensor<1x2x342x342xf32>
  return %0 : tensor<1x2x342x342xf32>
}

// -----

// A 7x7 image with a constant filter is the transposed product: patches in
// [OH, OW, C, KH, KW] as a 49x2 matrix, times the filter reordered at compile
// time to [C*KH*KW, F] = 2x3, transposed back to channels first.
// CHECK-DAG: #[[READ:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d2, d0 + d3, d1 + d4)>
// CHECK-LABEL: func.func @transposed_product
// CHECK-DAG: %[[FILTER:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK: %[[COPY:.+]] = linalg.generic {indexing_maps = [#[[READ]], #{{.+}}]{{.*}} ins(%arg0 : tensor<1x2x7x7xf32>) outs(%{{.+}} : tensor<7x7x2x1x1xf32>)
// CHECK: %[[PATCHES:.+]] = tensor.collapse_shape %[[COPY]] {{\[}}[0, 1], [2, 3, 4]] : tensor<7x7x2x1x1xf32> into tensor<49x2xf32>
// CHECK: %[[PRODUCT:.+]] = linalg.matmul ins(%[[PATCHES]], %[[FILTER]] : tensor<49x2xf32>, tensor<2x3xf32>) outs(%{{.+}} : tensor<49x3xf32>)
// CHECK: %[[BACK:.+]] = linalg.transpose ins(%[[PRODUCT]] : tensor<49x3xf32>) outs(%{{.+}} : tensor<3x49xf32>) permutation = [1, 0]
// CHECK: tensor.expand_shape %[[BACK]] {{\[}}[0, 1], [2, 3]] output_shape [1, 3, 7, 7]
func.func @transposed_product(%x: tensor<1x2x7x7xf32>) -> tensor<1x3x7x7xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]]]> : tensor<3x2x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x3x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x3x7x7xf32>) -> tensor<1x3x7x7xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x2x7x7xf32>, tensor<3x2x1x1xf32>) outs(%init : tensor<1x3x7x7xf32>) -> tensor<1x3x7x7xf32>
  return %0 : tensor<1x3x7x7xf32>
}

// -----

// 1 MiB of patches (9 x 56x512 positions), more than stay in cache: one
// product per band of 28 output rows (512 KiB of patches, 14336 positions),
// each gathering its band's patches from the input rows it reads (30 of 58)
// just before it, and writing its rows of the result. With stride 1 the
// patches are copied tap by tap: tap (kh, kw) is the band's 28x512 slice
// from row kh and column kw on.
// CHECK-LABEL: func.func @banded_products
// CHECK-NOT: linalg.generic
// CHECK: %[[BAND0:.+]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 1, 30, 514] [1, 1, 1, 1]
// CHECK: %[[TAP:.+]] = tensor.extract_slice %[[BAND0]][0, 0, 0, 0] [1, 1, 28, 512] [1, 1, 1, 1] : tensor<1x1x30x514xf32> to tensor<1x28x512xf32>
// CHECK: tensor.insert_slice %[[TAP]] into %{{.+}}[0, 0, 0, 0, 0, 0] [1, 1, 1, 1, 28, 512] [1, 1, 1, 1, 1, 1] : tensor<1x28x512xf32> into tensor<1x3x3x1x28x512xf32>
// CHECK: tensor.extract_slice %[[BAND0]][0, 0, 1, 2] [1, 1, 28, 512] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[BAND0]][0, 0, 2, 2] [1, 1, 28, 512] [1, 1, 1, 1]
// CHECK: %[[PATCHES0:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 2, 2, 0, 0, 0]
// CHECK: %[[MATRIX0:.+]] = tensor.collapse_shape %[[PATCHES0]] {{.*}} into tensor<9x14336xf32>
// CHECK: %[[PRODUCT0:.+]] = linalg.matmul ins(%{{.+}}, %[[MATRIX0]] : tensor<4x9xf32>, tensor<9x14336xf32>) outs(%{{.+}} : tensor<4x14336xf32>)
// CHECK: %[[ROWS0:.+]] = tensor.expand_shape %[[PRODUCT0]] {{.*}} output_shape [1, 4, 28, 512]
// CHECK: %[[FIRST:.+]] = tensor.insert_slice %[[ROWS0]] into %{{.+}}[0, 0, 0, 0] [1, 4, 28, 512] [1, 1, 1, 1]
// CHECK: %[[BAND1:.+]] = tensor.extract_slice %arg0[0, 0, 28, 0] [1, 1, 30, 514] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[BAND1]][0, 0, 0, 0] [1, 1, 28, 512] [1, 1, 1, 1]
// CHECK: %[[PRODUCT1:.+]] = linalg.matmul
// CHECK: %[[ROWS1:.+]] = tensor.expand_shape %[[PRODUCT1]]
// CHECK: tensor.insert_slice %[[ROWS1]] into %[[FIRST]][0, 0, 28, 0] [1, 4, 28, 512] [1, 1, 1, 1]
// CHECK-NOT: linalg.matmul
func.func @banded_products(%x: tensor<1x1x58x514xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x56x512xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x56x512xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x56x512xf32>) -> tensor<1x4x56x512xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x1x58x514xf32>, tensor<4x1x3x3xf32>) outs(%init : tensor<1x4x56x512xf32>) -> tensor<1x4x56x512xf32>
  return %0 : tensor<1x4x56x512xf32>
}

// -----

// A transposed product of 1024 output channels: the reordered filter's rows
// would be 4 KiB apart, so it is stored in rows of 1040 and read through a
// [C, 1024] slice.
// CHECK-LABEL: func.func @padded_filter_rows
// CHECK: %[[STORED:.+]] = arith.constant dense<{{.*}}> : tensor<2x1040xf32>
// CHECK: %[[FILTER:.+]] = tensor.extract_slice %[[STORED]][0, 0] [2, 1024] [1, 1] : tensor<2x1040xf32> to tensor<2x1024xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %[[FILTER]] : tensor<4x2xf32>, tensor<2x1024xf32>) outs(%{{.+}} : tensor<4x1024xf32>)
func.func @padded_filter_rows(%x: tensor<1x2x2x2xf32>) -> tensor<1x1024x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1024x2x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x1024x2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x1024x2x2xf32>) -> tensor<1x1024x2x2xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
       ins(%x, %w : tensor<1x2x2x2xf32>, tensor<1024x2x1x1xf32>) outs(%init : tensor<1x1024x2x2xf32>) -> tensor<1x1024x2x2xf32>
  return %0 : tensor<1x1024x2x2xf32>
}
