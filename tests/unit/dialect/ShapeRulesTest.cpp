//===- ShapeRulesTest.cpp - Tests of the kiln dialect's shared shape rules ===//
//
// kiln::computeWindowedOutputSize and kiln::broadcastShapes are used by the op
// verifiers, the frontends and the lowerings alike; these pin their edge cases.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using kiln::broadcastShapes;
using kiln::computeWindowedOutputSize;

namespace {

constexpr int64_t kDyn = mlir::ShapedType::kDynamic;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

/// The output size, or -1 for failure, so that EXPECT_EQ prints both.
int64_t windowed(int64_t input, int64_t kernel, int64_t stride,
                 int64_t dilation, int64_t padBegin, int64_t padEnd,
                 bool ceilMode) {
  llvm::FailureOr<int64_t> size = computeWindowedOutputSize(
      input, kernel, stride, dilation, padBegin, padEnd, ceilMode);
  return mlir::succeeded(size) ? *size : -1;
}

TEST(WindowedOutputSize, MatchesTheConvolutionFormula) {
  EXPECT_EQ(windowed(32, 3, 1, 1, 0, 0, false), 30);
  EXPECT_EQ(windowed(32, 3, 2, 1, 1, 1, false), 16);
  EXPECT_EQ(windowed(32, 1, 1, 1, 0, 0, false), 32);
  // Asymmetric padding: (7 + 0 + 2 - 3) / 2 + 1 = 4.
  EXPECT_EQ(windowed(7, 3, 2, 1, 0, 2, false), 4);
}

TEST(WindowedOutputSize, DilationWidensTheWindow) {
  // The window spans 2 * (3 - 1) + 1 = 5 positions.
  EXPECT_EQ(windowed(8, 3, 1, 2, 0, 0, false), 4);
  EXPECT_EQ(windowed(5, 3, 1, 2, 0, 0, false), 1);
  EXPECT_EQ(windowed(4, 3, 1, 2, 0, 0, false), -1);
}

TEST(WindowedOutputSize, ExactFitGivesOneWindow) {
  EXPECT_EQ(windowed(3, 3, 1, 1, 0, 0, false), 1);
  EXPECT_EQ(windowed(3, 3, 7, 1, 0, 0, true), 1);
}

TEST(WindowedOutputSize, StrideLargerThanInput) {
  EXPECT_EQ(windowed(4, 1, 10, 1, 0, 0, false), 1);
  // Ceil mode would add a window starting at 10, past the input: dropped.
  EXPECT_EQ(windowed(4, 1, 10, 1, 0, 0, true), 1);
}

TEST(WindowedOutputSize, CeilModeAddsAPartialWindow) {
  // (6 - 3) / 2 = 1.5: floor gives 2 windows, ceil gives 3 (the third starts at
  // 4, inside the input).
  EXPECT_EQ(windowed(6, 3, 2, 1, 0, 0, false), 2);
  EXPECT_EQ(windowed(6, 3, 2, 1, 0, 0, true), 3);
  // Without a remainder both modes agree.
  EXPECT_EQ(windowed(7, 3, 2, 1, 0, 0, true), 3);
  EXPECT_EQ(windowed(7, 3, 2, 1, 0, 0, false), 3);
}

TEST(WindowedOutputSize, CeilModeDropsAWindowStartingInEndPadding) {
  // Input 5 padded by 1 on both sides, kernel 2, stride 2: ceil(5 / 2) + 1 = 4
  // windows would start at 0, 2, 4 and 6 (in padded coordinates), but 6 is past
  // input + leading padding = 6, so the last one is dropped (as PyTorch does).
  EXPECT_EQ(windowed(5, 2, 2, 1, 1, 1, true), 3);
  EXPECT_EQ(windowed(5, 2, 2, 1, 1, 1, false), 3);
  // A partial last window that starts on the input's last element is kept:
  // input 6 after one leading pad, kernel 2, stride 2: windows at 0, 2, 4 and 6
  // (< 6 + 1).
  EXPECT_EQ(windowed(6, 2, 2, 1, 1, 0, true), 4);
  EXPECT_EQ(windowed(6, 2, 2, 1, 1, 0, false), 3);
}

TEST(WindowedOutputSize, DynamicInputOrKernelIsDynamic) {
  EXPECT_EQ(windowed(kDyn, 3, 1, 1, 0, 0, false), kDyn);
  EXPECT_EQ(windowed(kDyn, 3, 2, 1, 1, 1, true), kDyn);
  EXPECT_EQ(windowed(8, kDyn, 1, 1, 0, 0, false), kDyn);
}

TEST(WindowedOutputSize, WindowThatDoesNotFitFails) {
  EXPECT_EQ(windowed(2, 3, 1, 1, 0, 0, false), -1);
  EXPECT_EQ(windowed(2, 3, 1, 1, 0, 0, true), -1);
  EXPECT_EQ(windowed(0, 1, 1, 1, 0, 0, false), -1);
  // Padding can make it fit.
  EXPECT_EQ(windowed(2, 3, 1, 1, 1, 0, false), 1);
  EXPECT_EQ(windowed(0, 1, 1, 1, 0, 1, false), 1);
}

TEST(WindowedOutputSize, OverflowingWindowOrPaddingFails) {
  // dilation * (kernel - 1) + 1 and input + padding do not fit in int64.
  EXPECT_EQ(windowed(8, 3, 1, int64_t(1) << 62, 0, 0, false), -1);
  EXPECT_EQ(windowed(8, 2, 1, kMax, 0, 0, false), -1);
  EXPECT_EQ(windowed(8, 3, 1, 1, kMax, 0, false), -1);
  EXPECT_EQ(windowed(8, 3, 1, 1, kMax / 2, kMax / 2, false), -1);
  // Large values that do fit still compute: (kMax - 1) / kMax + 1 = 1.
  EXPECT_EQ(windowed(8, 1, kMax, 1, 0, kMax - 8, false), 1);
}

/// The broadcast shape, or {-1} for failure.
llvm::SmallVector<int64_t> broadcast(llvm::ArrayRef<int64_t> lhs,
                                     llvm::ArrayRef<int64_t> rhs) {
  auto shape = broadcastShapes(lhs, rhs);
  if (mlir::failed(shape))
    return {-1};
  return *shape;
}

using Shape = llvm::SmallVector<int64_t>;

TEST(BroadcastShapes, StaticShapes) {
  EXPECT_EQ(broadcast({2, 3}, {2, 3}), Shape({2, 3}));
  EXPECT_EQ(broadcast({2, 3}, {3}), Shape({2, 3}));
  EXPECT_EQ(broadcast({8, 1}, {16}), Shape({8, 16}));
  EXPECT_EQ(broadcast({4, 1, 3}, {5, 1}), Shape({4, 5, 3}));
  EXPECT_EQ(broadcast({}, {4, 2}), Shape({4, 2}));
  EXPECT_EQ(broadcast({}, {}), Shape({}));
}

TEST(BroadcastShapes, ZeroSizedDims) {
  EXPECT_EQ(broadcast({0}, {1}), Shape({0}));
  EXPECT_EQ(broadcast({2, 0}, {0}), Shape({2, 0}));
  EXPECT_EQ(broadcast({0}, {3}), Shape({-1}));
}

TEST(BroadcastShapes, MismatchFails) {
  EXPECT_EQ(broadcast({2}, {3}), Shape({-1}));
  EXPECT_EQ(broadcast({2, 3}, {4}), Shape({-1}));
  EXPECT_EQ(broadcast({3, 1}, {2, 4}), Shape({-1}));
}

TEST(BroadcastShapes, DynamicDims) {
  // A dynamic dim against a static one greater than 1 must be that size.
  EXPECT_EQ(broadcast({kDyn}, {3}), Shape({3}));
  EXPECT_EQ(broadcast({3}, {kDyn}), Shape({3}));
  // Against 1 it stays unknown; against another unknown too.
  EXPECT_EQ(broadcast({kDyn}, {1}), Shape({kDyn}));
  EXPECT_EQ(broadcast({kDyn}, {kDyn}), Shape({kDyn}));
  EXPECT_EQ(broadcast({1, kDyn}, {5, 1}), Shape({5, kDyn}));
  EXPECT_EQ(broadcast({kDyn, 4}, {4}), Shape({kDyn, 4}));
  // Dynamic dims never make broadcasting fail; static ones still do.
  EXPECT_EQ(broadcast({kDyn, 2}, {3, 3}), Shape({-1}));
}

} // namespace
