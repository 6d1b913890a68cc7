//===- ReductionGradCheckTest.cpp - Reduction rules vs finite differences -===//

#include "GradCheck.h"

using kiln::gradcheck::checkGradients;
using kiln::gradcheck::Options;
using kiln::gradcheck::Range;

namespace {

TEST(ReductionGradCheck, SumWithAndWithoutKeptDims) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4xf64>) -> (tensor<2x1x1xf64>, tensor<3xf64>, tensor<f64>) {
      %0 = kiln.reduce_sum %x {axes = array<i64: 1, 2>, keep_dims = true} : (tensor<2x3x4xf64>) -> tensor<2x1x1xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x1x1xf64>, tensor<2x1x1xf64>) -> tensor<2x1x1xf64>
      %2 = kiln.reduce_sum %x {axes = array<i64: 0, 2>} : (tensor<2x3x4xf64>) -> tensor<3xf64>
      %3 = kiln.reduce_sum %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
      return %1, %2, %3 : tensor<2x1x1xf64>, tensor<3xf64>, tensor<f64>
    })"));
}

TEST(ReductionGradCheck, Mean) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4xf64>) -> (tensor<2x4xf64>, tensor<1x3x1xf64>) {
      %0 = kiln.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3x4xf64>) -> tensor<2x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
      %2 = kiln.reduce_mean %x {axes = array<i64: 0, 2>, keep_dims = true} : (tensor<2x3x4xf64>) -> tensor<1x3x1xf64>
      return %1, %2 : tensor<2x4xf64>, tensor<1x3x1xf64>
    })"));
}

TEST(ReductionGradCheck, MaxAndMin) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x5xf64>) -> (tensor<3xf64>, tensor<1x5xf64>, tensor<f64>) {
      %0 = kiln.reduce_max %x {axes = array<i64: 1>} : (tensor<3x5xf64>) -> tensor<3xf64>
      %1 = kiln.mul %0, %0 : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
      %2 = kiln.reduce_min %x {axes = array<i64: 0>, keep_dims = true} : (tensor<3x5xf64>) -> tensor<1x5xf64>
      %3 = kiln.reduce_max %x {axes = array<i64: 0, 1>} : (tensor<3x5xf64>) -> tensor<f64>
      return %1, %2, %3 : tensor<3xf64>, tensor<1x5xf64>, tensor<f64>
    })"));
}

TEST(ReductionGradCheck, TiedExtremesShareTheGradient) {
  // The two elements of %x (both 0.5) tie for the maximum of each row, and
  // the two elements of %z (both -0.5) for the minimum: each gets half, which
  // is what a central difference measures with two tied elements.
  Options options;
  options.ranges = {Range{0.5, 0.5}, Range{-0.4, 0.4}, Range{-0.5, -0.5}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x2xf64>, %y: tensor<3x3xf64>, %z: tensor<3x2xf64>) -> (tensor<3xf64>, tensor<3xf64>) {
      %0 = kiln.concat %x, %y, %z {axis = 1 : i64} : (tensor<3x2xf64>, tensor<3x3xf64>, tensor<3x2xf64>) -> tensor<3x7xf64>
      %1 = kiln.reduce_max %0 {axes = array<i64: 1>} : (tensor<3x7xf64>) -> tensor<3xf64>
      %2 = kiln.reduce_min %0 {axes = array<i64: 1>} : (tensor<3x7xf64>) -> tensor<3xf64>
      return %1, %2 : tensor<3xf64>, tensor<3xf64>
    })",
                             options));
}

TEST(ReductionGradCheck, ProdWithoutZeros) {
  Options options;
  options.ranges = {Range{-1.5, 1.5}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>) -> (tensor<3xf64>, tensor<1x4xf64>) {
      %0 = kiln.reduce_prod %x {axes = array<i64: 1>} : (tensor<3x4xf64>) -> tensor<3xf64>
      %1 = kiln.reduce_prod %x {axes = array<i64: 0>, keep_dims = true} : (tensor<3x4xf64>) -> tensor<1x4xf64>
      return %0, %1 : tensor<3xf64>, tensor<1x4xf64>
    })",
                             options));
}

TEST(ReductionGradCheck, ProdWithOneZeroAndWithTwoZeros) {
  // Row products of [x | z]: with one zero (%z, 2x1) the zero gets the
  // product of the rest and the others 0; with two (%w, 2x2) all get 0.
  Options options;
  options.ranges = {Range{0.5, 1.5}, Range{0, 0}, Range{0, 0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %z: tensor<2x1xf64>, %w: tensor<2x2xf64>) -> (tensor<2xf64>, tensor<2xf64>) {
      %0 = kiln.concat %x, %z {axis = 1 : i64} : (tensor<2x3xf64>, tensor<2x1xf64>) -> tensor<2x4xf64>
      %1 = kiln.reduce_prod %0 {axes = array<i64: 1>} : (tensor<2x4xf64>) -> tensor<2xf64>
      %2 = kiln.concat %w, %x {axis = 1 : i64} : (tensor<2x2xf64>, tensor<2x3xf64>) -> tensor<2x5xf64>
      %3 = kiln.reduce_prod %2 {axes = array<i64: 1>} : (tensor<2x5xf64>) -> tensor<2xf64>
      return %1, %3 : tensor<2xf64>, tensor<2xf64>
    })",
                             options));
}

TEST(ReductionGradCheck, DynamicDims) {
  // tensor.cast hides dims: counts and broadcasts are read at run time.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>) -> (tensor<4xf64>, tensor<3xf64>, tensor<f64>) {
      %d = tensor.cast %x : tensor<3x4xf64> to tensor<?x?xf64>
      %0 = kiln.reduce_mean %d {axes = array<i64: 0>} : (tensor<?x?xf64>) -> tensor<?xf64>
      %1 = kiln.mul %0, %0 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
      %2 = tensor.cast %1 : tensor<?xf64> to tensor<4xf64>
      %3 = kiln.reduce_max %d {axes = array<i64: 1>} : (tensor<?x?xf64>) -> tensor<?xf64>
      %4 = tensor.cast %3 : tensor<?xf64> to tensor<3xf64>
      %5 = kiln.reduce_sum %d {axes = array<i64: 0, 1>} : (tensor<?x?xf64>) -> tensor<f64>
      %6 = kiln.mul %5, %5 : (tensor<f64>, tensor<f64>) -> tensor<f64>
      return %2, %4, %6 : tensor<4xf64>, tensor<3xf64>, tensor<f64>
    })"));
}

TEST(ReductionGradCheck, SeveralDynamicDimsAroundAReducedOne) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3x4xf64>) -> tensor<2x4xf64> {
      %d = tensor.cast %x : tensor<2x3x4xf64> to tensor<?x?x?xf64>
      %0 = kiln.reduce_min %d {axes = array<i64: 1>} : (tensor<?x?x?xf64>) -> tensor<?x?xf64>
      %1 = kiln.mul %0, %0 : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
      %2 = tensor.cast %1 : tensor<?x?xf64> to tensor<2x4xf64>
      return %2 : tensor<2x4xf64>
    })"));
}

TEST(ReductionGradCheck, CumSumInEveryDirection) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) {
      %0 = kiln.cumsum %x {axis = 1 : i64} : tensor<3x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %2 = kiln.cumsum %x {axis = 1 : i64, exclusive = true} : tensor<3x4xf64>
      %3 = kiln.cumsum %x {axis = 0 : i64, reverse = true} : tensor<3x4xf64>
      %4 = kiln.cumsum %x {axis = 0 : i64, exclusive = true, reverse = true} : tensor<3x4xf64>
      return %1, %2, %3, %4 : tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>
    })"));
}

TEST(ReductionGradCheck, RunTimeAxes) {
  Options options;
  options.integerArguments = {{-1}, {0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>, %axis: tensor<i64>, %axes: tensor<1xi64>) -> (tensor<3x4xf64>, tensor<1x4xf64>) {
      %0 = kiln.dynamic_cumsum %x, %axis {exclusive = true} : (tensor<3x4xf64>, tensor<i64>) -> tensor<3x4xf64>
      %1 = kiln.mul %0, %x : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %2 = kiln.dynamic_reduce_sum %x, %axes : (tensor<3x4xf64>, tensor<1xi64>) -> tensor<1x4xf64>
      %3 = kiln.mul %2, %2 : (tensor<1x4xf64>, tensor<1x4xf64>) -> tensor<1x4xf64>
      return %1, %3 : tensor<3x4xf64>, tensor<1x4xf64>
    })",
                             options));
}

} // namespace
