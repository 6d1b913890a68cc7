//===- ElementwiseGradCheckTest.cpp - Elementwise rules vs differences ----===//

#include "GradCheck.h"

using kiln::gradcheck::checkGradients;
using kiln::gradcheck::Options;
using kiln::gradcheck::Range;

namespace {

TEST(ElementwiseGradCheck, BroadcastingArithmetic) {
  // (x + b) * x - x / (b + 3), with b broadcast along dim 0.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %b: tensor<3xf64>) -> tensor<2x3xf64> {
      %three = kiln.constant dense<3.0> : tensor<f64>
      %0 = kiln.add %x, %b : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
      %1 = kiln.mul %0, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
      %2 = kiln.add %b, %three : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
      %3 = kiln.div %x, %2 : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
      %4 = kiln.sub %1, %3 : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
      %5 = kiln.neg %4 : tensor<2x3xf64>
      return %5 : tensor<2x3xf64>
    })"));
}

TEST(ElementwiseGradCheck, Activations) {
  // Two results, and x used by several ops: the gradients add up.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<4x5xf64>) -> (tensor<4x5xf64>, tensor<4x5xf64>) {
      %0 = kiln.tanh %x : tensor<4x5xf64>
      %1 = kiln.sigmoid %x : tensor<4x5xf64>
      %2 = kiln.exp %0 : tensor<4x5xf64>
      %3 = kiln.relu %x : tensor<4x5xf64>
      %4 = kiln.mul %1, %3 : (tensor<4x5xf64>, tensor<4x5xf64>) -> tensor<4x5xf64>
      return %2, %4 : tensor<4x5xf64>, tensor<4x5xf64>
    })"));
}

TEST(ElementwiseGradCheck, LogAndSqrtOnPositiveInputs) {
  Options options;
  options.ranges = {Range{0.5, 2.0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<6xf64>) -> tensor<6xf64> {
      %0 = kiln.log %x : tensor<6xf64>
      %1 = kiln.sqrt %x : tensor<6xf64>
      %2 = kiln.mul %0, %1 : (tensor<6xf64>, tensor<6xf64>) -> tensor<6xf64>
      return %2 : tensor<6xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, MissingRuleIsAnErrorNamingTheOp) {
  // Random draws have no derivative with respect to the tensor they take
  // their shape from: kiln.random_uniform_like never gets a rule.
  ::testing::AssertionResult result = checkGradients(R"(
    func.func @forward(%x: tensor<3xf64>) -> tensor<3xf64> {
      %0 = kiln.random_uniform_like %x {seed = 0 : i64} : (tensor<3xf64>) -> tensor<3xf64>
      %1 = kiln.add %0, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
      return %1 : tensor<3xf64>
    })");
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message())
                .find("'kiln.random_uniform_like' has no gradient rule"),
            std::string::npos)
      << result.message();
}

TEST(ElementwiseGradCheck, BroadcastingMaxAndMin) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>, %b: tensor<4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>) {
      %0 = kiln.max %x, %b : (tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
      %1 = kiln.min %b, %x : (tensor<4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %2 = kiln.mul %1, %x : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      return %0, %2 : tensor<3x4xf64>, tensor<3x4xf64>
    })"));
}

TEST(ElementwiseGradCheck, MaxAndMinSplitTiesEqually) {
  // Every element is 0.5: each operand of a tie gets half the gradient,
  // which is also what a central difference measures at the kink.
  Options options;
  options.ranges = {Range{0.5, 0.5}, Range{0.5, 0.5}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %y: tensor<3xf64>) -> (tensor<2x3xf64>, tensor<2x3xf64>) {
      %0 = kiln.max %x, %y : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
      %1 = kiln.min %x, %y : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
      return %0, %1 : tensor<2x3xf64>, tensor<2x3xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, PowOfBaseAndExponent) {
  Options options;
  options.ranges = {Range{0.5, 2.0}, Range{-1.5, 1.5}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %y: tensor<3xf64>) -> (tensor<2x3xf64>, tensor<3xf64>) {
      %0 = kiln.pow %x, %y : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
      %two = kiln.constant dense<2.0> : tensor<f64>
      %1 = kiln.pow %y, %two : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
      return %0, %1 : tensor<2x3xf64>, tensor<3xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, PowOfAZeroBaseHasAZeroExponentGradient) {
  // d(0^y)/dy is 0 for y >= 0, where x^y * log(x) would be 0 * -inf = NaN.
  Options options;
  options.ranges = {Range{0.5, 2.5}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%y: tensor<4xf64>) -> tensor<4xf64> {
      %zero = kiln.constant dense<0.0> : tensor<f64>
      %0 = kiln.pow %zero, %y : (tensor<f64>, tensor<4xf64>) -> tensor<4xf64>
      %1 = kiln.add %0, %y : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
      return %1 : tensor<4xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, AbsAndPiecewiseConstantOps) {
  Options options;
  options.ranges = {Range{-2.9, 2.9}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xf64>) {
      %0 = kiln.abs %x : tensor<3x4xf64>
      %1 = kiln.floor %x : tensor<3x4xf64>
      %2 = kiln.ceil %x : tensor<3x4xf64>
      %3 = kiln.round %x : tensor<3x4xf64>
      %4 = kiln.sign %x : tensor<3x4xf64>
      %5 = kiln.add %1, %2 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %6 = kiln.add %3, %4 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %7 = kiln.mul %5, %6 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %8 = kiln.mul %7, %x : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      return %0, %8 : tensor<3x4xf64>, tensor<3x4xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, AbsAtZeroHasAZeroGradient) {
  Options options;
  options.ranges = {Range{0, 0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<3xf64>) -> tensor<3xf64> {
      %0 = kiln.abs %x : tensor<3xf64>
      return %0 : tensor<3xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, TrigonometricAndHyperbolicFunctions) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>) -> (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>) {
      %0 = kiln.sin %x : tensor<2x3xf64>
      %1 = kiln.cos %x : tensor<2x3xf64>
      %2 = kiln.tan %x : tensor<2x3xf64>
      %3 = kiln.atan %x : tensor<2x3xf64>
      %4 = kiln.sinh %x : tensor<2x3xf64>
      %5 = kiln.cosh %x : tensor<2x3xf64>
      %6 = kiln.asinh %x : tensor<2x3xf64>
      %7 = kiln.erf %x : tensor<2x3xf64>
      return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>
    })"));
}

TEST(ElementwiseGradCheck, InverseFunctionsInsideTheirDomains) {
  Options options;
  options.ranges = {Range{-0.9, 0.9}, Range{1.5, 3.0}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<5xf64>, %y: tensor<5xf64>) -> (tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) {
      %0 = kiln.asin %x : tensor<5xf64>
      %1 = kiln.acos %x : tensor<5xf64>
      %2 = kiln.atanh %x : tensor<5xf64>
      %3 = kiln.acosh %y : tensor<5xf64>
      return %0, %1, %2, %3 : tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, SelectWithThreeWayBroadcasting) {
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%c: tensor<3x1xf64>, %a: tensor<3x4xf64>, %b: tensor<4xf64>) -> tensor<3x4xf64> {
      %zero = kiln.constant dense<0.0> : tensor<f64>
      %cond = kiln.compare gt, %c, %zero : (tensor<3x1xf64>, tensor<f64>) -> tensor<3x1xi1>
      %0 = kiln.select %cond, %a, %b : (tensor<3x1xi1>, tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
      %1 = kiln.mul %0, %0 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
      %2 = kiln.mul %1, %c : (tensor<3x4xf64>, tensor<3x1xf64>) -> tensor<3x4xf64>
      return %2 : tensor<3x4xf64>
    })"));
}

TEST(ElementwiseGradCheck, CastBetweenFloatsAndThroughIntegers) {
  // f64 -> f32 -> f64 rounds to f32, so the difference step is large. The
  // detour through i64 is piecewise constant (1 on [1.2, 1.8]).
  Options options;
  options.ranges = {Range{1.2, 1.8}};
  options.step = 1e-2;
  options.rtol = 1e-4;
  options.atol = 1e-4;
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>) -> (tensor<2x3xf64>, tensor<2x3xf64>) {
      %0 = kiln.cast %x to f32 : tensor<2x3xf64>
      %1 = kiln.cast %0 to f64 : tensor<2x3xf32>
      %2 = kiln.cast %x to i64 : tensor<2x3xf64>
      %3 = kiln.cast %2 to f64 : tensor<2x3xi64>
      %4 = kiln.mul %3, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
      return %1, %4 : tensor<2x3xf64>, tensor<2x3xf64>
    })",
                             options));
}

TEST(ElementwiseGradCheck, FloatRemainder) {
  Options options;
  options.ranges = {Range{-3, 3}, Range{0.7, 1.3}};
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a: tensor<2x4xf64>, %b: tensor<4xf64>) -> (tensor<2x4xf64>, tensor<2x4xf64>) {
      %0 = kiln.mod %a, %b {fmod = true} : (tensor<2x4xf64>, tensor<4xf64>) -> tensor<2x4xf64>
      %1 = kiln.neg %b : tensor<4xf64>
      %2 = kiln.mod %a, %1 {fmod = true} : (tensor<2x4xf64>, tensor<4xf64>) -> tensor<2x4xf64>
      return %0, %2 : tensor<2x4xf64>, tensor<2x4xf64>
    })",
                             options));
}

} // namespace
