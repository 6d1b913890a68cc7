//===- NNGradCheckTest.cpp - NN rules vs finite differences ---------------===//
//
// Every rule of NNGradients.cpp against central differences, in f64 (where
// kiln-expand-filter-gradients computes the filter gradients of convolutions
// in generated loops), and the convolutions, matrix products and pooling
// again in f32, where oneDNN's kernels run them (filter gradients on its
// backward-weights kernel). The window attributes cover what ResNet-18,
// MobileNetV2 and a DCGAN use (strides 2, padding 1, kernels 3 and 4, depthwise
// groups, overlapping pooling windows) plus dilation, asymmetric padding,
// positions the forward op leaves unused, ceil mode, and 1-D and 3-D ops.
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

using kiln::gradcheck::checkGradients;
using kiln::gradcheck::Options;
using kiln::gradcheck::Range;

namespace {

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, MatMul2D) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a: tensor<3x4xf64>, %b: tensor<4x5xf64>) -> tensor<3x5xf64> {
      %0 = kiln.matmul %a, %b : (tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
      return %0 : tensor<3x5xf64>
    })"));
}

TEST(NNGradCheck, MatMulBatchedWithBroadcastRhs) {
  // A weight shared across the batch: its gradient sums over it.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a: tensor<2x3x4x5xf64>, %b: tensor<5x2xf64>) -> tensor<2x3x4x2xf64> {
      %0 = kiln.matmul %a, %b : (tensor<2x3x4x5xf64>, tensor<5x2xf64>) -> tensor<2x3x4x2xf64>
      return %0 : tensor<2x3x4x2xf64>
    })"));
}

TEST(NNGradCheck, MatMulBatchDimsBroadcastBothWays) {
  // [2, 1] and [3] batch dims broadcast to [2, 3]; lhs is broadcast along
  // its size-1 dim, rhs along the missing leading one.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a: tensor<2x1x3x4xf64>, %b: tensor<3x4x2xf64>) -> tensor<2x3x3x2xf64> {
      %0 = kiln.matmul %a, %b : (tensor<2x1x3x4xf64>, tensor<3x4x2xf64>) -> tensor<2x3x3x2xf64>
      return %0 : tensor<2x3x3x2xf64>
    })"));
}

TEST(NNGradCheck, MatMulSameOperandTwice) {
  // x @ x: both gradients reach x and add up.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x4xf64>) -> tensor<2x4x4xf64> {
      %0 = kiln.matmul %x, %x : (tensor<2x4x4xf64>, tensor<2x4x4xf64>) -> tensor<2x4x4xf64>
      return %0 : tensor<2x4x4xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, Conv2DPadding1) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x5x5xf64>, %w: tensor<4x3x3x3xf64>) -> tensor<2x4x5x5xf64> {
      %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x3x5x5xf64>, tensor<4x3x3x3xf64>) -> tensor<2x4x5x5xf64>
      return %0 : tensor<2x4x5x5xf64>
    })"));
}

TEST(NNGradCheck, Conv2DStride2AsymmetricPadding) {
  // Rows: (7 + 1 + 2 - 3) / 2 + 1 = 4 with one padded row unused; columns:
  // (6 + 0 + 1 - 2) / 2 + 1 = 3 with one unused.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x7x6xf64>, %w: tensor<3x2x3x2xf64>) -> tensor<2x3x4x3xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 0, 2, 1>}
          : (tensor<2x2x7x6xf64>, tensor<3x2x3x2xf64>) -> tensor<2x3x4x3xf64>
      return %0 : tensor<2x3x4x3xf64>
    })"));
}

TEST(NNGradCheck, Conv2DStride2Padding1ResNetDownsample) {
  // ResNet's 3x3 stride-2 convolutions and its 1x1 stride-2 shortcuts.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x8x8xf64>, %w: tensor<4x3x3x3xf64>, %s: tensor<4x3x1x1xf64>)
        -> (tensor<2x4x4x4xf64>, tensor<2x4x4x4xf64>) {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x3x8x8xf64>, tensor<4x3x3x3xf64>) -> tensor<2x4x4x4xf64>
      %1 = kiln.conv %x, %s {strides = array<i64: 2, 2>}
          : (tensor<2x3x8x8xf64>, tensor<4x3x1x1xf64>) -> tensor<2x4x4x4xf64>
      return %0, %1 : tensor<2x4x4x4xf64>, tensor<2x4x4x4xf64>
    })"));
}

TEST(NNGradCheck, Conv2DDilation2) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x7x8xf64>, %w: tensor<2x2x3x3xf64>) -> tensor<1x2x3x4xf64> {
      %0 = kiln.conv %x, %w {dilations = array<i64: 2, 2>}
          : (tensor<1x2x7x8xf64>, tensor<2x2x3x3xf64>) -> tensor<1x2x3x4xf64>
      return %0 : tensor<1x2x3x4xf64>
    })"));
}

TEST(NNGradCheck, Conv2DStride2Dilation2Padding) {
  // Rows: (9 + 2 + 1 - 4 - 1) / 2 + 1 = 4, one padded row unused.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x9x9xf64>, %w: tensor<3x2x3x3xf64>) -> tensor<1x3x4x3xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>,
                             padding = array<i64: 2, 1, 1, 0>}
          : (tensor<1x2x9x9xf64>, tensor<3x2x3x3xf64>) -> tensor<1x3x4x3xf64>
      return %0 : tensor<1x3x4x3xf64>
    })"));
}

TEST(NNGradCheck, Conv1DStride2Dilation2AsymmetricPadding) {
  // (11 + 2 + 1 - 4 - 1) / 2 + 1 = 5, one position unused.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x11xf64>, %w: tensor<4x3x3xf64>) -> tensor<2x4x5xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2>, dilations = array<i64: 2>,
                             padding = array<i64: 2, 1>}
          : (tensor<2x3x11xf64>, tensor<4x3x3xf64>) -> tensor<2x4x5xf64>
      return %0 : tensor<2x4x5xf64>
    })"));
}

TEST(NNGradCheck, Conv1DStride3LeavesTwoPositionsUnused) {
  // (10 - 2) / 3 + 1 = 3: windows cover positions 0..7, the last two input
  // positions get zero gradient.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x10xf64>, %w: tensor<2x2x2xf64>) -> tensor<1x2x3xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 3>}
          : (tensor<1x2x10xf64>, tensor<2x2x2xf64>) -> tensor<1x2x3xf64>
      return %0 : tensor<1x2x3xf64>
    })"));
}

TEST(NNGradCheck, Conv2DGroups2) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x6x6xf64>, %w: tensor<6x2x3x3xf64>) -> tensor<2x6x3x3xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
                             groups = 2 : i64}
          : (tensor<2x4x6x6xf64>, tensor<6x2x3x3xf64>) -> tensor<2x6x3x3xf64>
      return %0 : tensor<2x6x3x3xf64>
    })"));
}

TEST(NNGradCheck, Conv2DGroupsStrideDilationAsymmetricPadding) {
  // 2 groups of 2 input and 3 output channels, stride 2, dilation 2 and
  // asymmetric padding in 2-D: (9 + 1 + 1 - 5) / 2 + 1 = 4 rows and
  // (9 + 2 + 0 - 5) / 2 + 1 = 4 columns; the filter's gradient is a
  // kiln.conv_filter_gradient with all four attributes.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x9x9xf64>, %w: tensor<6x2x3x3xf64>) -> tensor<2x6x4x4xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>,
                             padding = array<i64: 1, 2, 1, 0>, groups = 2 : i64}
          : (tensor<2x4x9x9xf64>, tensor<6x2x3x3xf64>) -> tensor<2x6x4x4xf64>
      return %0 : tensor<2x6x4x4xf64>
    })"));
}

TEST(NNGradCheck, Conv2DDepthwise) {
  // MobileNetV2's depthwise 3x3 convolutions, stride 1 and 2.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x5x5xf64>, %w: tensor<3x1x3x3xf64>, %v: tensor<3x1x3x3xf64>)
        -> (tensor<2x3x5x5xf64>, tensor<2x3x3x3xf64>) {
      %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>, groups = 3 : i64}
          : (tensor<2x3x5x5xf64>, tensor<3x1x3x3xf64>) -> tensor<2x3x5x5xf64>
      %1 = kiln.conv %x, %v {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
                             groups = 3 : i64}
          : (tensor<2x3x5x5xf64>, tensor<3x1x3x3xf64>) -> tensor<2x3x3x3xf64>
      return %0, %1 : tensor<2x3x5x5xf64>, tensor<2x3x3x3xf64>
    })"));
}

TEST(NNGradCheck, Conv1DGroupsDilationStride) {
  // Groups with a channel multiplier (2 input and 3 output channels per
  // group), stride 2 and dilation 2.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x9xf64>, %w: tensor<6x2x2xf64>) -> tensor<2x6x4xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2>, dilations = array<i64: 2>,
                             padding = array<i64: 0, 1>, groups = 2 : i64}
          : (tensor<2x4x9xf64>, tensor<6x2x2xf64>) -> tensor<2x6x4xf64>
      return %0 : tensor<2x6x4xf64>
    })"));
}

TEST(NNGradCheck, Conv3D) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x4x5x4xf64>, %w: tensor<2x2x2x3x2xf64>) -> tensor<1x2x2x2x3xf64> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2, 1>, padding = array<i64: 0, 1, 0, 0, 0, 0>}
          : (tensor<1x2x4x5x4xf64>, tensor<2x2x2x3x2xf64>) -> tensor<1x2x2x2x3xf64>
      return %0 : tensor<1x2x2x2x3xf64>
    })"));
}

TEST(NNGradCheck, ConvReluChain) {
  // Two layers with an activation between them and a broadcast bias.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x6x6xf64>, %w1: tensor<3x2x3x3xf64>, %b1: tensor<3x1x1xf64>,
                       %w2: tensor<2x3x3x3xf64>) -> tensor<1x2x2x2xf64> {
      %0 = kiln.conv %x, %w1 {padding = array<i64: 1, 1, 1, 1>}
          : (tensor<1x2x6x6xf64>, tensor<3x2x3x3xf64>) -> tensor<1x3x6x6xf64>
      %1 = kiln.add %0, %b1 : (tensor<1x3x6x6xf64>, tensor<3x1x1xf64>) -> tensor<1x3x6x6xf64>
      %2 = kiln.tanh %1 : tensor<1x3x6x6xf64>
      %3 = kiln.conv %2, %w2 {strides = array<i64: 2, 2>}
          : (tensor<1x3x6x6xf64>, tensor<2x3x3x3xf64>) -> tensor<1x2x2x2xf64>
      return %3 : tensor<1x2x2x2xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, ConvTransposeDCGANKernel4Stride2Padding1) {
  // (3 - 1) * 2 - 2 + 3 + 1 = 6: a DCGAN generator's upsampling layer.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x3x3xf64>, %w: tensor<4x2x4x4xf64>) -> tensor<2x2x6x6xf64> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x4x3x3xf64>, tensor<4x2x4x4xf64>) -> tensor<2x2x6x6xf64>
      return %0 : tensor<2x2x6x6xf64>
    })"));
}

TEST(NNGradCheck, ConvTransposeDCGANFirstLayer) {
  // The generator's first layer: 1x1 latent to 4x4, no padding.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%z: tensor<2x3x1x1xf64>, %w: tensor<3x2x4x4xf64>) -> tensor<2x2x4x4xf64> {
      %0 = kiln.conv_transpose %z, %w
          : (tensor<2x3x1x1xf64>, tensor<3x2x4x4xf64>) -> tensor<2x2x4x4xf64>
      return %0 : tensor<2x2x4x4xf64>
    })"));
}

TEST(NNGradCheck, ConvTransposeStride2OutputPadding) {
  // (4 - 1) * 2 - 2 + 2 + 1 + 1 = 8.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4x4xf64>, %w: tensor<3x2x3x3xf64>) -> tensor<2x2x8x8xf64> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
                                       output_padding = array<i64: 1, 1>}
          : (tensor<2x3x4x4xf64>, tensor<3x2x3x3xf64>) -> tensor<2x2x8x8xf64>
      return %0 : tensor<2x2x8x8xf64>
    })"));
}

TEST(NNGradCheck, ConvTranspose1DGroupsDilationAsymmetricPadding) {
  // (5 - 1) * 2 - 1 - 2 + 2 * 2 + 1 + 1 = 11, 2 groups of 2 -> 3 channels.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x5xf64>, %w: tensor<4x3x3xf64>) -> tensor<2x6x11xf64> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2>, dilations = array<i64: 2>,
                                       padding = array<i64: 1, 2>, output_padding = array<i64: 1>,
                                       groups = 2 : i64}
          : (tensor<2x4x5xf64>, tensor<4x3x3xf64>) -> tensor<2x6x11xf64>
      return %0 : tensor<2x6x11xf64>
    })"));
}

TEST(NNGradCheck, ConvTransposeOutputPaddingBeyondStride) {
  // An output padding of a stride or more (allowed up to the dilation by
  // ONNX): (4 - 1) * 2 + 3 * 2 + 2 + 1 = 15; the positions it adds past the
  // last window get no input.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x4xf64>, %w: tensor<2x2x3xf64>) -> tensor<1x2x15xf64> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2>, dilations = array<i64: 3>,
                                       output_padding = array<i64: 2>}
          : (tensor<1x2x4xf64>, tensor<2x2x3xf64>) -> tensor<1x2x15xf64>
      return %0 : tensor<1x2x15xf64>
    })"));
}

TEST(NNGradCheck, ConvTransposeOutputPaddingBeyondStrideWithEndPadding) {
  // Output padding 2 = one stride: rows (3 - 1) * 2 - 0 - 2 + 3 * 2 + 2 + 1
  // = 11, columns (3 - 1) * 2 + 3 * 2 + 2 + 1 = 13. The filter's gradient is
  // the filter gradient of the convolution from 11x13 to 3x3 + 1 extra
  // position per dim: along the rows the end padding (2) gives one stride
  // back, along the columns a zero column is appended to the input.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x3x3xf64>, %w: tensor<2x2x3x3xf64>) -> tensor<1x2x11x13xf64> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 3, 3>,
                                       padding = array<i64: 0, 0, 2, 0>,
                                       output_padding = array<i64: 2, 2>}
          : (tensor<1x2x3x3xf64>, tensor<2x2x3x3xf64>) -> tensor<1x2x11x13xf64>
      return %0 : tensor<1x2x11x13xf64>
    })"));
}

TEST(NNGradCheck, ConvTransposeDepthwise) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x3x3x3xf64>, %w: tensor<3x1x4x4xf64>) -> tensor<1x3x6x6xf64> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
                                       groups = 3 : i64}
          : (tensor<1x3x3x3xf64>, tensor<3x1x4x4xf64>) -> tensor<1x3x6x6xf64>
      return %0 : tensor<1x3x6x6xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// max_pool
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, MaxPoolKernel2Stride2) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4x4xf64>) -> tensor<2x3x2x2xf64> {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
          : (tensor<2x3x4x4xf64>) -> tensor<2x3x2x2xf64>
      return %0 : tensor<2x3x2x2xf64>
    })"));
}

TEST(NNGradCheck, MaxPoolOverlappingWindowsWithPadding) {
  // Kernel 3, stride 1, padding 1: an element that is the maximum of several
  // windows gets all their gradients.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x5x5xf64>) -> tensor<1x2x5x5xf64> {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<1x2x5x5xf64>) -> tensor<1x2x5x5xf64>
      return %0 : tensor<1x2x5x5xf64>
    })"));
}

TEST(NNGradCheck, MaxPoolResNetStem) {
  // Kernel 3, stride 2, padding 1 (ResNet's stem), and the same in ceil mode.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x7x6xf64>) -> (tensor<2x2x4x3xf64>, tensor<2x2x3x3xf64>) {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x2x7x6xf64>) -> tensor<2x2x4x3xf64>
      %1 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             ceil_mode = true}
          : (tensor<2x2x7x6xf64>) -> tensor<2x2x3x3xf64>
      return %0, %1 : tensor<2x2x4x3xf64>, tensor<2x2x3x3xf64>
    })"));
}

TEST(NNGradCheck, MaxPoolGlobal) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4x5xf64>) -> tensor<2x3x1x1xf64> {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 4, 5>}
          : (tensor<2x3x4x5xf64>) -> tensor<2x3x1x1xf64>
      return %0 : tensor<2x3x1x1xf64>
    })"));
}

TEST(NNGradCheck, MaxPool1DDilated) {
  // (12 + 1 - 2 * 2 - 1) / 2 + 1 = 5.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x12xf64>) -> tensor<2x2x5xf64> {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 3>, strides = array<i64: 2>,
                             dilations = array<i64: 2>, padding = array<i64: 1, 0>}
          : (tensor<2x2x12xf64>) -> tensor<2x2x5xf64>
      return %0 : tensor<2x2x5xf64>
    })"));
}

TEST(NNGradCheck, MaxPool3D) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x4x4x4xf64>) -> tensor<1x2x2x2x2xf64> {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>}
          : (tensor<1x2x4x4x4xf64>) -> tensor<1x2x2x2x2xf64>
      return %0 : tensor<1x2x2x2x2xf64>
    })"));
}

TEST(NNGradCheck, MaxPoolWithIndicesValues) {
  // The values' gradient; row-major and column-major indices alike.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x5x5xf64>)
        -> (tensor<1x2x3x3xf64>, tensor<1x2x3x3xi64>, tensor<1x2x2x2xf64>) {
      %v, %i = kiln.max_pool_with_indices %x {kernel_size = array<i64: 3, 3>,
          strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<1x2x5x5xf64>) -> (tensor<1x2x3x3xf64>, tensor<1x2x3x3xi64>)
      %w, %j = kiln.max_pool_with_indices %x {kernel_size = array<i64: 3, 2>,
          strides = array<i64: 2, 3>, column_major = true}
          : (tensor<1x2x5x5xf64>) -> (tensor<1x2x2x2xf64>, tensor<1x2x2x2xi64>)
      return %v, %i, %w : tensor<1x2x3x3xf64>, tensor<1x2x3x3xi64>, tensor<1x2x2x2xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// avg_pool
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, AvgPoolKernel2Stride2) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4x6xf64>) -> tensor<2x3x2x3xf64> {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
          : (tensor<2x3x4x6xf64>) -> tensor<2x3x2x3xf64>
      return %0 : tensor<2x3x2x3xf64>
    })"));
}

TEST(NNGradCheck, AvgPoolOverlappingWindowsWithPadding) {
  // Kernel 3, stride 1, padding 1, with and without the padding in the
  // divisor.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x5x4xf64>) -> (tensor<1x2x5x4xf64>, tensor<1x2x5x4xf64>) {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<1x2x5x4xf64>) -> tensor<1x2x5x4xf64>
      %1 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>,
                             count_include_pad = true}
          : (tensor<1x2x5x4xf64>) -> tensor<1x2x5x4xf64>
      return %0, %1 : tensor<1x2x5x4xf64>, tensor<1x2x5x4xf64>
    })"));
}

TEST(NNGradCheck, AvgPoolStride2AsymmetricPaddingUnusedEnd) {
  // Rows: (8 + 1 + 0 - 3) / 2 + 1 = 4, the last row in no window; columns:
  // (7 + 0 + 2 - 3) / 2 + 1 = 4.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x8x7xf64>) -> (tensor<1x2x4x4xf64>, tensor<1x2x4x4xf64>) {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 0, 0, 2>}
          : (tensor<1x2x8x7xf64>) -> tensor<1x2x4x4xf64>
      %1 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 0, 0, 2>, count_include_pad = true}
          : (tensor<1x2x8x7xf64>) -> tensor<1x2x4x4xf64>
      return %0, %1 : tensor<1x2x4x4xf64>, tensor<1x2x4x4xf64>
    })"));
}

TEST(NNGradCheck, AvgPoolCeilMode) {
  // (5 + 1 - 2) / 2 rounded up + 1 = 3 per dim: the last window reaches past
  // the padding, and its positions there never count.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x5x5xf64>) -> (tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>,
                                                    tensor<1x2x3x3xf64>) {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                             ceil_mode = true}
          : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
      %1 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 0, 0>, ceil_mode = true,
                             count_include_pad = true}
          : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
      %2 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 0, 0>, ceil_mode = true}
          : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
      return %0, %1, %2 : tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>
    })"));
}

TEST(NNGradCheck, AvgPoolGlobal) {
  // ResNet's head: the mean of each 4x5 plane.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4x5xf64>) -> tensor<2x3x1x1xf64> {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 4, 5>}
          : (tensor<2x3x4x5xf64>) -> tensor<2x3x1x1xf64>
      return %0 : tensor<2x3x1x1xf64>
    })"));
}

TEST(NNGradCheck, AvgPool1DAnd3D) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x9xf64>, %v: tensor<1x2x4x5x3xf64>)
        -> (tensor<2x2x4xf64>, tensor<1x2x2x3x2xf64>) {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 3>, strides = array<i64: 2>,
                             padding = array<i64: 0, 1>}
          : (tensor<2x2x9xf64>) -> tensor<2x2x4xf64>
      %1 = kiln.avg_pool %v {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 1>,
                             padding = array<i64: 0, 1, 0, 0, 0, 0>}
          : (tensor<1x2x4x5x3xf64>) -> tensor<1x2x2x3x2xf64>
      return %0, %1 : tensor<2x2x4xf64>, tensor<1x2x2x3x2xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, Softmax) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4x5xf64>) -> (tensor<3x4x5xf64>, tensor<3x4x5xf64>) {
      %0 = kiln.softmax %x {axis = 1 : i64} : tensor<3x4x5xf64>
      %1 = kiln.softmax %x {axis = 2 : i64} : tensor<3x4x5xf64>
      return %0, %1 : tensor<3x4x5xf64>, tensor<3x4x5xf64>
    })"));
}

TEST(NNGradCheck, SoftmaxOfLogitsFromMatMul) {
  // A linear classifier's probabilities, with large logits.
  Options options;
  options.ranges = {Range{-3, 3}, Range{-2, 2}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<4x6xf64>, %w: tensor<6x5xf64>) -> tensor<4x5xf64> {
      %0 = kiln.matmul %x, %w : (tensor<4x6xf64>, tensor<6x5xf64>) -> tensor<4x5xf64>
      %1 = kiln.softmax %0 {axis = 1 : i64} : tensor<4x5xf64>
      return %1 : tensor<4x5xf64>
    })",
                             options));
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, ResizeNearestUpsample) {
  // PyTorch's nearest upsampling (asymmetric, floor) by 2, and ONNX's default
  // (half_pixel, round_prefer_floor) by 1.5 along W.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x3x4xf64>) -> (tensor<1x2x6x8xf64>, tensor<1x2x3x6xf64>) {
      %0 = kiln.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric",
                           nearest_mode = "floor", scales = array<f64: 1.0, 1.0, 2.0, 2.0>,
                           sizes = array<i64: 1, 2, 6, 8>}
          : (tensor<1x2x3x4xf64>) -> tensor<1x2x6x8xf64>
      %1 = kiln.resize %x {mode = "nearest", scales = array<f64: 1.0, 1.0, 1.0, 1.5>,
                           sizes = array<i64: 1, 2, 3, 6>}
          : (tensor<1x2x3x4xf64>) -> tensor<1x2x3x6xf64>
      return %0, %1 : tensor<1x2x6x8xf64>, tensor<1x2x3x6xf64>
    })"));
}

TEST(NNGradCheck, ResizeNearestDownsample) {
  // Input elements no output reads get no gradient.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x1x6x5xf64>) -> tensor<2x1x3x2xf64> {
      %0 = kiln.resize %x {mode = "nearest", nearest_mode = "round_prefer_ceil",
                           scales = array<f64: 1.0, 1.0, 0.5, 0.4>, sizes = array<i64: 2, 1, 3, 2>}
          : (tensor<2x1x6x5xf64>) -> tensor<2x1x3x2xf64>
      return %0 : tensor<2x1x3x2xf64>
    })"));
}

TEST(NNGradCheck, ResizeLinear) {
  // Bilinear upsampling (half_pixel, whose edge taps clamp; align_corners)
  // and downsampling (pytorch_half_pixel).
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x3x4xf64>)
        -> (tensor<1x2x6x8xf64>, tensor<1x2x5x7xf64>, tensor<1x2x2x2xf64>) {
      %0 = kiln.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel",
                           scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 2, 6, 8>}
          : (tensor<1x2x3x4xf64>) -> tensor<1x2x6x8xf64>
      %1 = kiln.resize %x {mode = "linear", coordinate_transformation_mode = "align_corners",
                           scales = array<f64: 1.0, 1.0, 1.6666666666666667, 1.75>,
                           sizes = array<i64: 1, 2, 5, 7>}
          : (tensor<1x2x3x4xf64>) -> tensor<1x2x5x7xf64>
      %2 = kiln.resize %x {mode = "linear", coordinate_transformation_mode = "pytorch_half_pixel",
                           scales = array<f64: 1.0, 1.0, 0.6666666666666666, 0.5>,
                           sizes = array<i64: 1, 2, 2, 2>}
          : (tensor<1x2x3x4xf64>) -> tensor<1x2x2x2xf64>
      return %0, %1, %2 : tensor<1x2x6x8xf64>, tensor<1x2x5x7xf64>, tensor<1x2x2x2xf64>
    })"));
}

TEST(NNGradCheck, ResizeCubicAndCropAndResize) {
  // Bicubic with exclude_outside, a 1-D linear resize, and tf_crop_and_resize,
  // whose positions outside the input hold extrapolation_value.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x1x4x4xf64>, %v: tensor<5xf64>)
        -> (tensor<1x1x6x6xf64>, tensor<8xf64>, tensor<1x1x3x3xf64>) {
      %0 = kiln.resize %x {mode = "cubic", exclude_outside = true,
                           scales = array<f64: 1.0, 1.0, 1.5, 1.5>, sizes = array<i64: 1, 1, 6, 6>}
          : (tensor<1x1x4x4xf64>) -> tensor<1x1x6x6xf64>
      %1 = kiln.resize %v {mode = "linear", scales = array<f64: 1.6>, sizes = array<i64: 8>}
          : (tensor<5xf64>) -> tensor<8xf64>
      %2 = kiln.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize",
                           roi = array<f64: 0.0, 0.0, 0.4, -0.2, 1.0, 1.0, 1.2, 0.6>,
                           extrapolation_value = 2.0,
                           scales = array<f64: 1.0, 1.0, 0.75, 0.75>, sizes = array<i64: 1, 1, 3, 3>}
          : (tensor<1x1x4x4xf64>) -> tensor<1x1x3x3xf64>
      return %0, %1, %2 : tensor<1x1x6x6xf64>, tensor<8xf64>, tensor<1x1x3x3xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// dft
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, DFTRealAndComplex) {
  // A real signal along axis 1 (full and onesided spectra, even and odd
  // lengths) and a complex one along axis 0, forward and inverse.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x6x3x1xf64>, %z: tensor<5x2x2xf64>, %o: tensor<2x5x1xf64>)
        -> (tensor<2x6x3x2xf64>, tensor<2x4x3x2xf64>, tensor<5x2x2xf64>, tensor<5x2x2xf64>,
            tensor<2x3x2xf64>, tensor<2x3x2xf64>) {
      %0 = kiln.dft %x {axis = 1 : i64} : (tensor<2x6x3x1xf64>) -> tensor<2x6x3x2xf64>
      %1 = kiln.dft %x {axis = 1 : i64, onesided = true} : (tensor<2x6x3x1xf64>) -> tensor<2x4x3x2xf64>
      %2 = kiln.dft %z {axis = 0 : i64} : (tensor<5x2x2xf64>) -> tensor<5x2x2xf64>
      %3 = kiln.dft %z {axis = 0 : i64, inverse = true} : (tensor<5x2x2xf64>) -> tensor<5x2x2xf64>
      %4 = kiln.dft %o {axis = 1 : i64, onesided = true} : (tensor<2x5x1xf64>) -> tensor<2x3x2xf64>
      %5 = kiln.dft %o {axis = 1 : i64, onesided = true, inverse = true}
          : (tensor<2x5x1xf64>) -> tensor<2x3x2xf64>
      return %0, %1, %2, %3, %4, %5 : tensor<2x6x3x2xf64>, tensor<2x4x3x2xf64>, tensor<5x2x2xf64>,
                                      tensor<5x2x2xf64>, tensor<2x3x2xf64>, tensor<2x3x2xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// det
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, Det) {
  // A batch of 4x4 and 3x3 matrices, 2x2 and 1x1 ones.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a: tensor<2x3x4x4xf64>, %b: tensor<3x3xf64>, %c: tensor<2x2xf64>,
                       %d: tensor<3x1x1xf64>)
        -> (tensor<2x3xf64>, tensor<f64>, tensor<f64>, tensor<3xf64>) {
      %0 = kiln.det %a : (tensor<2x3x4x4xf64>) -> tensor<2x3xf64>
      %1 = kiln.det %b : (tensor<3x3xf64>) -> tensor<f64>
      %2 = kiln.det %c : (tensor<2x2xf64>) -> tensor<f64>
      %3 = kiln.det %d : (tensor<3x1x1xf64>) -> tensor<3xf64>
      return %0, %1, %2, %3 : tensor<2x3xf64>, tensor<f64>, tensor<f64>, tensor<3xf64>
    })"));
}

TEST(NNGradCheck, DetOfSingularMatrix) {
  // U V with U 3x2 and V 2x3 has rank 2: its det is 0, but the gradient (the
  // cofactor matrix) is not, and reaches U and V through the matmul.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%u: tensor<3x2xf64>, %v: tensor<2x3xf64>) -> tensor<f64> {
      %0 = kiln.matmul %u, %v : (tensor<3x2xf64>, tensor<2x3xf64>) -> tensor<3x3xf64>
      %1 = kiln.det %0 : (tensor<3x3xf64>) -> tensor<f64>
      return %1 : tensor<f64>
    })"));
}

//===----------------------------------------------------------------------===//
// f32, where convolutions and matrix products (the forward ones and those of
// the gradients) run in oneDNN's kernels, with fused bias epilogues. The
// functions are linear in each argument, so a large step is exact up to f32
// rounding.
//===----------------------------------------------------------------------===//

Options linearF32() {
  Options options;
  options.step = 0.5;
  options.rtol = 1e-4;
  options.atol = 1e-4;
  return options;
}

TEST(NNGradCheck, F32ConvWithBiasThroughOneDNN) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4x1x1xf32>)
        -> tensor<2x4x4x4xf32> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32>
      %1 = kiln.add %0, %b : (tensor<2x4x4x4xf32>, tensor<4x1x1xf32>) -> tensor<2x4x4x4xf32>
      return %1 : tensor<2x4x4x4xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32DepthwiseAndPointwiseConvThroughOneDNN) {
  // A MobileNetV2 block's depthwise 3x3 stride-2 conv, then a 1x1 conv.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x7x7xf32>, %d: tensor<4x1x3x3xf32>, %p: tensor<3x4x1x1xf32>)
        -> tensor<2x3x4x4xf32> {
      %0 = kiln.conv %x, %d {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>,
                             groups = 4 : i64}
          : (tensor<2x4x7x7xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x4x4xf32>
      %1 = kiln.conv %0, %p : (tensor<2x4x4x4xf32>, tensor<3x4x1x1xf32>) -> tensor<2x3x4x4xf32>
      return %1 : tensor<2x3x4x4xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32ConvTransposeDCGAN) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x4x4xf32>, %w: tensor<4x3x4x4xf32>) -> tensor<2x3x8x8xf32> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x4x4x4xf32>, tensor<4x3x4x4xf32>) -> tensor<2x3x8x8xf32>
      return %0 : tensor<2x3x8x8xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32GroupedStridedDilatedConvThroughOneDNN) {
  // The filter gradient on oneDNN's backward-weights kernel with groups,
  // stride 2, dilation 2 and asymmetric padding, batch 3.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4x9x9xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<3x6x4x4xf32> {
      %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>,
                             padding = array<i64: 1, 2, 1, 0>, groups = 2 : i64}
          : (tensor<3x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<3x6x4x4xf32>
      return %0 : tensor<3x6x4x4xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32ConvTransposeOutputPaddingBeyondStrideThroughOneDNN) {
  // The transposed convolution itself stays in generated loops (oneDNN
  // cannot take its output padding), its filter gradient goes to oneDNN.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x3x3xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<2x2x11x13xf32> {
      %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 3, 3>,
                                       padding = array<i64: 0, 0, 2, 0>,
                                       output_padding = array<i64: 2, 2>}
          : (tensor<2x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<2x2x11x13xf32>
      return %0 : tensor<2x2x11x13xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32LinearLayerThroughOneDNN) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<4x6xf32>, %w: tensor<6x5xf32>, %b: tensor<5xf32>,
                       %q: tensor<2x3x4x6xf32>) -> (tensor<4x5xf32>, tensor<2x3x4x5xf32>) {
      %0 = kiln.matmul %x, %w : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
      %1 = kiln.add %0, %b : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
      %2 = kiln.matmul %q, %w : (tensor<2x3x4x6xf32>, tensor<6x5xf32>) -> tensor<2x3x4x5xf32>
      return %1, %2 : tensor<4x5xf32>, tensor<2x3x4x5xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32AvgPool) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x7x7xf32>) -> (tensor<2x3x4x4xf32>, tensor<2x3x1x1xf32>) {
      %0 = kiln.avg_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x3x7x7xf32>) -> tensor<2x3x4x4xf32>
      %1 = kiln.avg_pool %x {kernel_size = array<i64: 7, 7>}
          : (tensor<2x3x7x7xf32>) -> tensor<2x3x1x1xf32>
      return %0, %1 : tensor<2x3x4x4xf32>, tensor<2x3x1x1xf32>
    })",
                             linearF32()));
}

TEST(NNGradCheck, F32MaxPool) {
  // Piecewise linear: a step of 1e-3 changes no window's arg-max unless two
  // of its values are that close; f32 rounding needs the loose tolerance.
  Options options;
  options.step = 1e-3;
  options.rtol = 1e-2;
  options.atol = 1e-2;
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
      %0 = kiln.max_pool %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             padding = array<i64: 1, 1, 1, 1>}
          : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
      return %0 : tensor<1x2x4x4xf32>
    })",
                             options));
}

//===----------------------------------------------------------------------===//
// A small CNN
//===----------------------------------------------------------------------===//

TEST(NNGradCheck, ConvPoolChain) {
  // conv -> relu -> max_pool -> depthwise conv -> avg_pool.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x8x8xf64>, %w: tensor<4x2x3x3xf64>, %d: tensor<4x1x3x3xf64>)
        -> tensor<2x4x1x1xf64> {
      %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>}
          : (tensor<2x2x8x8xf64>, tensor<4x2x3x3xf64>) -> tensor<2x4x8x8xf64>
      %1 = kiln.relu %0 : tensor<2x4x8x8xf64>
      %2 = kiln.max_pool %1 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
          : (tensor<2x4x8x8xf64>) -> tensor<2x4x4x4xf64>
      %3 = kiln.conv %2, %d {padding = array<i64: 1, 1, 1, 1>, groups = 4 : i64}
          : (tensor<2x4x4x4xf64>, tensor<4x1x3x3xf64>) -> tensor<2x4x4x4xf64>
      %4 = kiln.avg_pool %3 {kernel_size = array<i64: 4, 4>}
          : (tensor<2x4x4x4xf64>) -> tensor<2x4x1x1xf64>
      return %4 : tensor<2x4x1x1xf64>
    })"));
}

} // namespace
