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
  ::testing::AssertionResult result = checkGradients(R"(
    func.func @forward(%x: tensor<3xf64>) -> tensor<3xf64> {
      %0 = kiln.floor %x : tensor<3xf64>
      return %0 : tensor<3xf64>
    })");
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("'kiln.floor' has no gradient "
                                               "rule"),
            std::string::npos)
      << result.message();
}

} // namespace
