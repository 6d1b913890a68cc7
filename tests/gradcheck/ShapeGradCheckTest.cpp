//===- ShapeGradCheckTest.cpp - Shape rules vs finite differences ---------===//

#include "GradCheck.h"

using kiln::gradcheck::checkGradients;
using kiln::gradcheck::Options;

namespace {

/// The message of a failed check, for tests of rules that refuse an op.
std::string failureOf(const std::string &source, const Options &options = {}) {
  ::testing::AssertionResult result = checkGradients(source, options);
  return result ? std::string("(the check passed)")
                : std::string(result.message());
}

TEST(ShapeGradCheck, ReshapeTransposeConcat) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4xf64>, %y: tensor<4x2xf64>) -> tensor<4x8xf64> {
      %0 = kiln.reshape %x {shape = array<i64: 6, -1>} : (tensor<2x3x4xf64>) -> tensor<6x4xf64>
      %1 = kiln.transpose %0 {permutation = array<i64: 1, 0>} : (tensor<6x4xf64>) -> tensor<4x6xf64>
      %2 = kiln.concat %1, %y {axis = 1 : i64} : (tensor<4x6xf64>, tensor<4x2xf64>) -> tensor<4x8xf64>
      %3 = kiln.mul %2, %2 : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
      return %3 : tensor<4x8xf64>
    })"));
}

TEST(ShapeGradCheck, TransposeOfRankThreeAndConcatOfOneInputTwice) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4xf64>) -> tensor<4x2x6xf64> {
      %0 = kiln.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
      %1 = kiln.concat %0, %0 {axis = 2 : i64} : (tensor<4x2x3xf64>, tensor<4x2x3xf64>) -> tensor<4x2x6xf64>
      return %1 : tensor<4x2x6xf64>
    })"));
}

TEST(ShapeGradCheck, SlicesWithUnitStrideAndWholeDims) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<5x6xf64>) -> (tensor<2x6xf64>, tensor<1x3xf64>) {
      %0 = kiln.slice %x {offsets = array<i64: 2, 0>, sizes = array<i64: 2, -1>, steps = array<i64: 1, 1>} : (tensor<5x6xf64>) -> tensor<2x6xf64>
      %1 = kiln.slice %x {offsets = array<i64: 4, 1>, sizes = array<i64: 1, 3>, steps = array<i64: 1, 1>} : (tensor<5x6xf64>) -> tensor<1x3xf64>
      %2 = kiln.mul %1, %1 : (tensor<1x3xf64>, tensor<1x3xf64>) -> tensor<1x3xf64>
      return %0, %2 : tensor<2x6xf64>, tensor<1x3xf64>
    })"));
}

TEST(ShapeGradCheck, StridedAndReversedSlices) {
  // x[1:6:2, ::-1], x[5:0:-2, 4:0:-3] and a one-element dim with step 3.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<7x5xf64>) -> (tensor<3x5xf64>, tensor<3x2xf64>, tensor<1x2xf64>) {
      %0 = kiln.slice %x {offsets = array<i64: 1, 4>, sizes = array<i64: 3, 5>, steps = array<i64: 2, -1>} : (tensor<7x5xf64>) -> tensor<3x5xf64>
      %1 = kiln.slice %x {offsets = array<i64: 5, 4>, sizes = array<i64: 3, 2>, steps = array<i64: -2, -3>} : (tensor<7x5xf64>) -> tensor<3x2xf64>
      %2 = kiln.slice %x {offsets = array<i64: 6, 0>, sizes = array<i64: 1, 2>, steps = array<i64: 3, 4>} : (tensor<7x5xf64>) -> tensor<1x2xf64>
      %3 = kiln.mul %1, %1 : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
      return %0, %3, %2 : tensor<3x5xf64>, tensor<3x2xf64>, tensor<1x2xf64>
    })"));
}

TEST(ShapeGradCheck, EmptySliceGivesZeros) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<4xf64>) -> (tensor<0xf64>, tensor<4xf64>) {
      %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: 0>, steps = array<i64: 1>} : (tensor<4xf64>) -> tensor<0xf64>
      return %0, %x : tensor<0xf64>, tensor<4xf64>
    })"));
}

TEST(ShapeGradCheck, ConstantReflectAndEdgePadding) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>) -> (tensor<4x7xf64>, tensor<7x6xf64>, tensor<5x9xf64>) {
      %0 = kiln.pad %x {low = array<i64: 1, 2>, high = array<i64: 0, 1>, value = 1.5 : f64} : (tensor<3x4xf64>) -> tensor<4x7xf64>
      %1 = kiln.pad %x {low = array<i64: 2, 1>, high = array<i64: 2, 1>, mode = "reflect"} : (tensor<3x4xf64>) -> tensor<7x6xf64>
      %2 = kiln.pad %x {low = array<i64: 0, 3>, high = array<i64: 2, 2>, mode = "edge"} : (tensor<3x4xf64>) -> tensor<5x9xf64>
      %3 = kiln.mul %1, %1 : (tensor<7x6xf64>, tensor<7x6xf64>) -> tensor<7x6xf64>
      return %0, %3, %2 : tensor<4x7xf64>, tensor<7x6xf64>, tensor<5x9xf64>
    })"));
}

TEST(ShapeGradCheck, BroadcastTo) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x1xf64>, %y: tensor<f64>) -> (tensor<2x3x4xf64>, tensor<2x2xf64>) {
      %0 = kiln.broadcast_to %x {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf64>) -> tensor<2x3x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
      %2 = kiln.broadcast_to %y {shape = array<i64: 2, 2>} : (tensor<f64>) -> tensor<2x2xf64>
      return %1, %2 : tensor<2x3x4xf64>, tensor<2x2xf64>
    })"));
}

TEST(ShapeGradCheck, RunTimeBroadcast) {
  Options options;
  options.integerArguments = {{2, 1, 4}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x1xf64>, %shape: tensor<3xi64>) -> tensor<2x3x4xf64> {
      %0 = kiln.dynamic_broadcast_to %x, %shape : (tensor<3x1xf64>, tensor<3xi64>) -> tensor<2x3x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
      return %1 : tensor<2x3x4xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, EmbeddingGatherWithRepeatedNegativeAndClampedIndices) {
  // Rows 1 and 3 are read twice (3 as -2), row 4 through the clamped 9.
  Options options;
  options.integerArguments = {{1, 3, -2, 0, 9, 1}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%table: tensor<5x3xf64>, %ids: tensor<2x3xi64>) -> tensor<2x3x3xf64> {
      %0 = kiln.gather %table, %ids {axis = 0 : i64} : (tensor<5x3xf64>, tensor<2x3xi64>) -> tensor<2x3x3xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x3x3xf64>, tensor<2x3x3xf64>) -> tensor<2x3x3xf64>
      return %1 : tensor<2x3x3xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, GatherAlongInnerAxes) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4x3xf64>) -> (tensor<2x2x2x3xf64>, tensor<2x4xf64>, tensor<2x4x2xf64>) {
      %i = kiln.constant dense<[[3, -1], [0, 0]]> : tensor<2x2xi32>
      %0 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<2x4x3xf64>, tensor<2x2xi32>) -> tensor<2x2x2x3xf64>
      %s = kiln.constant dense<2> : tensor<i64>
      %1 = kiln.gather %x, %s {axis = 2 : i64} : (tensor<2x4x3xf64>, tensor<i64>) -> tensor<2x4xf64>
      %j = kiln.constant dense<[1, 1]> : tensor<2xi64>
      %2 = kiln.gather %x, %j {axis = 2 : i64} : (tensor<2x4x3xf64>, tensor<2xi64>) -> tensor<2x4x2xf64>
      %3 = kiln.mul %0, %0 : (tensor<2x2x2x3xf64>, tensor<2x2x2x3xf64>) -> tensor<2x2x2x3xf64>
      return %3, %1, %2 : tensor<2x2x2x3xf64>, tensor<2x4xf64>, tensor<2x4x2xf64>
    })"));
}

TEST(ShapeGradCheck, GatherElements) {
  Options options;
  options.integerArguments = {{0, 3, 3, -1, 2, 7}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4xf64>, %i: tensor<2x3xi64>) -> tensor<2x3xf64> {
      %0 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x4xf64>, tensor<2x3xi64>) -> tensor<2x3xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
      return %1 : tensor<2x3xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, GatherND) {
  Options options;
  options.integerArguments = {{0, 1, 1, -1, 0, 1, 5, 0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2x3xf64>, %i: tensor<4x2xi64>) -> tensor<4x3xf64> {
      %0 = kiln.gather_nd %x, %i : (tensor<2x2x3xf64>, tensor<4x2xi64>) -> tensor<4x3xf64>
      %1 = kiln.mul %0, %0 : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<4x3xf64>
      return %1 : tensor<4x3xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, GatherNDWithBatchDims) {
  // Per batch, two tuples of one index into dim 1: [[1], [1]] and [[-3], [2]].
  Options options;
  options.integerArguments = {{1, 1, -3, 2}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x2xf64>, %i: tensor<2x2x1xi64>) -> tensor<2x2x2xf64> {
      %0 = kiln.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x2xf64>, tensor<2x2x1xi64>) -> tensor<2x2x2xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x2x2xf64>, tensor<2x2x2xf64>) -> tensor<2x2x2xf64>
      return %1 : tensor<2x2x2xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, SqueezeAndUnsqueeze) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x1x2xf64>) -> tensor<1x3x2xf64> {
      %a = kiln.constant dense<[1]> : tensor<1xi64>
      %0 = kiln.squeeze %x, %a : (tensor<3x1x2xf64>, tensor<1xi64>) -> tensor<3x2xf64>
      %1 = kiln.mul %0, %0 : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
      %b = kiln.constant dense<[-3]> : tensor<1xi64>
      %2 = kiln.unsqueeze %1, %b : (tensor<3x2xf64>, tensor<1xi64>) -> tensor<1x3x2xf64>
      return %2 : tensor<1x3x2xf64>
    })"));
}

TEST(ShapeGradCheck, RunTimeReshapeSqueezeAndUnsqueeze) {
  // Shapes and axes are arguments: the rules cannot see their values.
  Options options;
  options.integerArguments = {{4, 3}, {0}, {2}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<1x2x6xf64>, %shape: tensor<2xi64>, %s: tensor<1xi64>, %u: tensor<1xi64>)
        -> tensor<4x3x1xf64> {
      %0 = kiln.squeeze %x, %s : (tensor<1x2x6xf64>, tensor<1xi64>) -> tensor<?x?xf64>
      %1 = kiln.dynamic_reshape %0, %shape : (tensor<?x?xf64>, tensor<2xi64>) -> tensor<?x?xf64>
      %2 = kiln.unsqueeze %1, %u : (tensor<?x?xf64>, tensor<1xi64>) -> tensor<4x3x1xf64>
      %3 = kiln.mul %2, %2 : (tensor<4x3x1xf64>, tensor<4x3x1xf64>) -> tensor<4x3x1xf64>
      return %3 : tensor<4x3x1xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, SplitWithAnUnusedPart) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x7xf64>) -> (tensor<2x2xf64>, tensor<2x4xf64>) {
      %sizes = kiln.constant dense<[2, 1, 4]> : tensor<3xi64>
      %a, %b, %c = kiln.split %x, %sizes {axis = 1 : i64}
          : (tensor<2x7xf64>, tensor<3xi64>) -> (tensor<2x2xf64>, tensor<2x1xf64>, tensor<2x4xf64>)
      %0 = kiln.mul %c, %c : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
      return %a, %0 : tensor<2x2xf64>, tensor<2x4xf64>
    })"));
}

TEST(ShapeGradCheck, SplitWithRunTimeSizes) {
  Options options;
  options.integerArguments = {{3, 1}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<4x2xf64>, %sizes: tensor<2xi64>) -> (tensor<3x2xf64>, tensor<1x2xf64>) {
      %a, %b = kiln.split %x, %sizes {axis = 0 : i64}
          : (tensor<4x2xf64>, tensor<2xi64>) -> (tensor<?x2xf64>, tensor<?x2xf64>)
      %0 = kiln.mul %a, %a : (tensor<?x2xf64>, tensor<?x2xf64>) -> tensor<?x2xf64>
      %1 = tensor.cast %0 : tensor<?x2xf64> to tensor<3x2xf64>
      %2 = tensor.cast %b : tensor<?x2xf64> to tensor<1x2xf64>
      return %1, %2 : tensor<3x2xf64>, tensor<1x2xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, DynamicDims) {
  // tensor.cast hides dim 0: the rules read it at run time.
  Options options;
  options.integerArguments = {{2, 0, 1, 2, -1, 0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %y: tensor<2x3xf64>, %i: tensor<3x2xi64>)
        -> (tensor<8xf64>, tensor<3x2xf64>, tensor<4x5xf64>) {
      %d = tensor.cast %x : tensor<2x3xf64> to tensor<?x3xf64>
      %0 = kiln.concat %d, %y {axis = 0 : i64} : (tensor<?x3xf64>, tensor<2x3xf64>) -> tensor<?x3xf64>
      %1 = kiln.slice %0 {offsets = array<i64: 0, 1>, sizes = array<i64: -1, 2>, steps = array<i64: 1, 1>} : (tensor<?x3xf64>) -> tensor<?x2xf64>
      %2 = kiln.reshape %1 {shape = array<i64: -1>} : (tensor<?x2xf64>) -> tensor<?xf64>
      %3 = kiln.mul %2, %2 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
      %4 = tensor.cast %3 : tensor<?xf64> to tensor<8xf64>
      %i32 = kiln.cast %i to i32 : tensor<3x2xi64>
      %5 = kiln.gather_elements %0, %i32 {axis = 0 : i64} : (tensor<?x3xf64>, tensor<3x2xi32>) -> tensor<3x2xf64>
      %6 = kiln.pad %0 {low = array<i64: 0, 1>, high = array<i64: 0, 1>} : (tensor<?x3xf64>) -> tensor<?x5xf64>
      %7 = tensor.cast %6 : tensor<?x5xf64> to tensor<4x5xf64>
      return %4, %5, %7 : tensor<8xf64>, tensor<3x2xf64>, tensor<4x5xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, Tile) {
  Options options;
  options.integerArguments = {{2, 3}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2xf64>, %repeats: tensor<2xi64>) -> tensor<4x6xf64> {
      %0 = kiln.tile %x, %repeats : (tensor<2x2xf64>, tensor<2xi64>) -> tensor<4x6xf64>
      %1 = kiln.mul %0, %0 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
      return %1 : tensor<4x6xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, TileWithADynamicResultIsAnError) {
  Options options;
  options.integerArguments = {{2}};
  std::string message = failureOf(R"(
    func.func @forward(%x: tensor<2xf64>, %repeats: tensor<1xi64>) -> tensor<?xf64> {
      %0 = kiln.tile %x, %repeats : (tensor<2xf64>, tensor<1xi64>) -> tensor<?xf64>
      return %0 : tensor<?xf64>
    })",
                                  options);
  EXPECT_NE(message.find("cannot differentiate 'kiln.tile'"), std::string::npos)
      << message;
}

TEST(ShapeGradCheck, RunTimeSlices) {
  // x[4:0:-2, 1:] with the bounds as arguments, and x[-2:] on dim 1.
  Options options;
  options.integerArguments = {{4, 1}, {0, 100}, {0, 1}, {-2, 1},
                              {-2}, {10}, {1}, {1}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<5x3xf64>, %starts: tensor<2xi64>, %ends: tensor<2xi64>,
                       %axes: tensor<2xi64>, %steps: tensor<2xi64>,
                       %s2: tensor<1xi64>, %e2: tensor<1xi64>, %a2: tensor<1xi64>, %t2: tensor<1xi64>)
        -> (tensor<2x2xf64>, tensor<5x2xf64>) {
      %0 = kiln.dynamic_slice %x, %starts, %ends, %axes, %steps
          : (tensor<5x3xf64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x2xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
      %2 = kiln.dynamic_slice %x, %s2, %e2, %a2, %t2
          : (tensor<5x3xf64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5x2xf64>
      return %1, %2 : tensor<2x2xf64>, tensor<5x2xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, RunTimeConstantPadding) {
  // Pads [low0, low1, high0, high1] = [1, -1, 0, 2]: a row of %v before dim
  // 0; the first column cut and two columns of %v added after dim 1.
  Options options;
  options.integerArguments = {{1, -1, 0, 2}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %pads: tensor<4xi64>, %v: tensor<f64>) -> tensor<3x4xf64> {
      %0 = kiln.dynamic_pad %x, %pads, %v {mode = "constant"}
          : (tensor<2x3xf64>, tensor<4xi64>, tensor<f64>) -> tensor<3x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      return %1 : tensor<3x4xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, ScatterElementsWithoutReductionLastWriteWins) {
  // Column 1 of row 0 is written twice: only the second update counts; the
  // index 5 is out of range and skipped.
  Options options;
  options.integerArguments = {{1, 1, 5, 0, -1, 2}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x4xf64>, %i: tensor<2x3xi64>, %u: tensor<2x3xf64>) -> tensor<2x4xf64> {
      %0 = kiln.scatter_elements %x, %i, %u {axis = 1 : i64}
          : (tensor<2x4xf64>, tensor<2x3xi64>, tensor<2x3xf64>) -> tensor<2x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
      return %1 : tensor<2x4xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, ScatterElementsAdd) {
  Options options;
  options.integerArguments = {{0, 2, 0, -3, 1, 3}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x2xf64>, %i: tensor<3x2xi64>, %u: tensor<3x2xf64>) -> tensor<3x2xf64> {
      %0 = kiln.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = "add"}
          : (tensor<3x2xf64>, tensor<3x2xi64>, tensor<3x2xf64>) -> tensor<3x2xf64>
      %1 = kiln.mul %0, %0 : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
      return %1 : tensor<3x2xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, ScatterNDWithoutReductionAndWithAdd) {
  // Rows 2 (twice, as 2 and -2) and 0; row index 4 is out of range.
  Options options;
  options.integerArguments = {{2, 0, -2, 4}, {2, 0, -2, 4}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<4x3xf64>, %i: tensor<4x1xi64>, %u: tensor<4x3xf64>,
                       %j: tensor<4x1xi64>, %v: tensor<4x3xf64>) -> (tensor<4x3xf64>, tensor<4x3xf64>) {
      %0 = kiln.scatter_nd %x, %i, %u : (tensor<4x3xf64>, tensor<4x1xi64>, tensor<4x3xf64>) -> tensor<4x3xf64>
      %1 = kiln.mul %0, %0 : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<4x3xf64>
      %2 = kiln.scatter_nd %x, %j, %v {reduction = "add"} : (tensor<4x3xf64>, tensor<4x1xi64>, tensor<4x3xf64>) -> tensor<4x3xf64>
      %3 = kiln.mul %2, %2 : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<4x3xf64>
      return %1, %3 : tensor<4x3xf64>, tensor<4x3xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, ScatterNDOfElements) {
  Options options;
  options.integerArguments = {{0, 1, 1, 0, 0, 1}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x2xf64>, %i: tensor<3x2xi64>, %u: tensor<3xf64>) -> tensor<2x2xf64> {
      %0 = kiln.scatter_nd %x, %i, %u : (tensor<2x2xf64>, tensor<3x2xi64>, tensor<3xf64>) -> tensor<2x2xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
      return %1 : tensor<2x2xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, ScatterMulOfConstantUpdates) {
  Options options;
  options.integerArguments = {{1, 1, 0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3xf64>, %i: tensor<3xi64>) -> tensor<3xf64> {
      %u = kiln.constant dense<[2.0, -3.0, 0.5]> : tensor<3xf64>
      %0 = kiln.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = "mul"}
          : (tensor<3xf64>, tensor<3xi64>, tensor<3xf64>) -> tensor<3xf64>
      return %0 : tensor<3xf64>
    })",
                             options));
}

TEST(ShapeGradCheck, ScatterMulOfComputedUpdatesIsAnError) {
  Options options;
  options.integerArguments = {{1, 0}};
  std::string message = failureOf(R"(
    func.func @forward(%x: tensor<3xf64>, %i: tensor<2xi64>, %u: tensor<2xf64>) -> tensor<3xf64> {
      %0 = kiln.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = "mul"}
          : (tensor<3xf64>, tensor<2xi64>, tensor<2xf64>) -> tensor<3xf64>
      return %0 : tensor<3xf64>
    })",
                                  options);
  EXPECT_NE(message.find("cannot differentiate 'kiln.scatter_elements'"),
            std::string::npos)
      << message;
}

} // namespace
