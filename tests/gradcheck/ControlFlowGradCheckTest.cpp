//===- ControlFlowGradCheckTest.cpp - scf.if and scf.for vs differences ---===//
//
// The reverse sweep through control flow (ControlFlowGradients.cpp) against
// central differences, in f64: scf.if on a run-time condition, taken each
// way; an RNN-like scf.for (unrolled for the sweep); an if inside a for; the
// slices that collect a loop's scan outputs; and the loops Kiln rejects.
// The conditions come from an i64 argument, so that they are only known when
// the function runs.
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

using kiln::gradcheck::checkGradients;
using kiln::gradcheck::Options;

namespace {

/// Options that pass `values` as the one integer argument.
Options withInteger(std::vector<int64_t> values) {
  Options options;
  options.integerArguments = {std::move(values)};
  return options;
}

// The branches use the captured weights differently (x * w, sin(x) + b) and
// x is used after the if too: the gradients of the branch not taken are
// zeros, and the two gradients of x add up.
constexpr const char *kIf = R"(
  func.func @forward(%x: tensor<2x3xf64>, %w: tensor<3xf64>, %b: tensor<2x3xf64>, %n: tensor<i64>) -> tensor<2x3xf64> {
    %v = tensor.extract %n[] : tensor<i64>
    %zero = arith.constant 0 : i64
    %c = arith.cmpi sgt, %v, %zero : i64
    %r = scf.if %c -> (tensor<2x3xf64>) {
      %0 = kiln.mul %x, %w : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
      %1 = kiln.mul %0, %0 : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
      scf.yield %1 : tensor<2x3xf64>
    } else {
      %0 = kiln.sin %x : tensor<2x3xf64>
      %1 = kiln.add %0, %b : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
      scf.yield %1 : tensor<2x3xf64>
    }
    %out = kiln.mul %r, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
    return %out : tensor<2x3xf64>
  })";

TEST(ControlFlowGradCheck, IfTakesThenBranch) {
  EXPECT_TRUE(checkGradients(kIf, withInteger({1})));
}

TEST(ControlFlowGradCheck, IfTakesElseBranch) {
  EXPECT_TRUE(checkGradients(kIf, withInteger({-1})));
}

TEST(ControlFlowGradCheck, IfWithSeveralResultsAndAnOuterValueYielded) {
  // The then branch yields w itself and the else branch a constant; the
  // second result reaches the output through tanh.
  constexpr const char *source = R"(
    func.func @forward(%x: tensor<4xf64>, %w: tensor<4xf64>, %n: tensor<i64>) -> tensor<4xf64> {
      %v = tensor.extract %n[] : tensor<i64>
      %zero = arith.constant 0 : i64
      %c = arith.cmpi sgt, %v, %zero : i64
      %r:2 = scf.if %c -> (tensor<4xf64>, tensor<4xf64>) {
        %0 = kiln.exp %x : tensor<4xf64>
        scf.yield %0, %w : tensor<4xf64>, tensor<4xf64>
      } else {
        %0 = kiln.constant dense<0.5> : tensor<4xf64>
        %1 = kiln.mul %x, %w : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
        scf.yield %1, %0 : tensor<4xf64>, tensor<4xf64>
      }
      %t = kiln.tanh %r#1 : tensor<4xf64>
      %out = kiln.add %r#0, %t : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
      return %out : tensor<4xf64>
    })";
  EXPECT_TRUE(checkGradients(source, withInteger({1})));
  EXPECT_TRUE(checkGradients(source, withInteger({0})));
}

TEST(ControlFlowGradCheck, NestedIf) {
  // The inner if's backward op sits in a branch of the outer one's.
  constexpr const char *source = R"(
    func.func @forward(%x: tensor<3xf64>, %w: tensor<3xf64>, %n: tensor<i64>) -> tensor<3xf64> {
      %v = tensor.extract %n[] : tensor<i64>
      %zero = arith.constant 0 : i64
      %two = arith.constant 2 : i64
      %outer = arith.cmpi sgt, %v, %zero : i64
      %inner = arith.cmpi sgt, %v, %two : i64
      %r = scf.if %outer -> (tensor<3xf64>) {
        %0 = kiln.mul %x, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
        %1 = scf.if %inner -> (tensor<3xf64>) {
          %2 = kiln.sin %0 : tensor<3xf64>
          scf.yield %2 : tensor<3xf64>
        } else {
          %2 = kiln.mul %0, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
          scf.yield %2 : tensor<3xf64>
        }
        scf.yield %1 : tensor<3xf64>
      } else {
        scf.yield %x : tensor<3xf64>
      }
      return %r : tensor<3xf64>
    })";
  for (int64_t n : {0, 1, 3})
    EXPECT_TRUE(checkGradients(source, withInteger({n}))) << "n = " << n;
}

TEST(ControlFlowGradCheck, RecurrenceThroughFor) {
  // h' = tanh(h @ W + x), four times: an RNN cell over a constant trip count.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%x: tensor<2x3xf64>, %w: tensor<3x3xf64>, %h0: tensor<2x3xf64>) -> tensor<2x3xf64> {
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c1 = arith.constant 1 : index
      %h = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %h0) -> (tensor<2x3xf64>) {
        %0 = kiln.matmul %acc, %w : (tensor<2x3xf64>, tensor<3x3xf64>) -> tensor<2x3xf64>
        %1 = kiln.add %0, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
        %2 = kiln.tanh %1 : tensor<2x3xf64>
        scf.yield %2 : tensor<2x3xf64>
      }
      return %h : tensor<2x3xf64>
    })"));
}

TEST(ControlFlowGradCheck, ForWithStepAndTwoCarriedValues) {
  // Bounds 1, 7, step 2: three iterations; the iteration number scales one
  // carried value, and an integer carried along gets no gradient.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a0: tensor<3xf64>, %w: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>) {
      %c1 = arith.constant 1 : index
      %c7 = arith.constant 7 : index
      %c2 = arith.constant 2 : index
      %k0 = kiln.constant dense<0> : tensor<i64>
      %r:3 = scf.for %i = %c1 to %c7 step %c2 iter_args(%a = %a0, %b = %w, %k = %k0) -> (tensor<3xf64>, tensor<3xf64>, tensor<i64>) {
        %n = arith.index_cast %i : index to i64
        %f = arith.sitofp %n : i64 to f64
        %s = tensor.from_elements %f : tensor<f64>
        %0 = kiln.mul %a, %b : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
        %1 = kiln.mul %0, %s : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
        %2 = kiln.sin %1 : tensor<3xf64>
        %3 = kiln.add %b, %2 : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
        scf.yield %2, %3, %k : tensor<3xf64>, tensor<3xf64>, tensor<i64>
      }
      return %r#0, %r#1 : tensor<3xf64>, tensor<3xf64>
    })"));
}

TEST(ControlFlowGradCheck, IfInsideFor) {
  // Iterations before n take the RNN step, later ones h * x + sin(h): the
  // if's condition is known only at run time, in every unrolled iteration.
  constexpr const char *source = R"(
    func.func @forward(%x: tensor<2x3xf64>, %w: tensor<3x3xf64>, %h0: tensor<2x3xf64>, %n: tensor<i64>) -> tensor<2x3xf64> {
      %c0 = arith.constant 0 : index
      %c3 = arith.constant 3 : index
      %c1 = arith.constant 1 : index
      %limit = tensor.extract %n[] : tensor<i64>
      %h = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %h0) -> (tensor<2x3xf64>) {
        %iteration = arith.index_cast %i : index to i64
        %early = arith.cmpi slt, %iteration, %limit : i64
        %next = scf.if %early -> (tensor<2x3xf64>) {
          %0 = kiln.matmul %acc, %w : (tensor<2x3xf64>, tensor<3x3xf64>) -> tensor<2x3xf64>
          %1 = kiln.add %0, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
          %2 = kiln.tanh %1 : tensor<2x3xf64>
          scf.yield %2 : tensor<2x3xf64>
        } else {
          %0 = kiln.mul %acc, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
          %1 = kiln.sin %acc : tensor<2x3xf64>
          %2 = kiln.add %0, %1 : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
          scf.yield %2 : tensor<2x3xf64>
        }
        scf.yield %next : tensor<2x3xf64>
      }
      return %h : tensor<2x3xf64>
    })";
  for (int64_t n : {0, 2, 3})
    EXPECT_TRUE(checkGradients(source, withInteger({n}))) << "n = " << n;
}

TEST(ControlFlowGradCheck, ForInsideIf) {
  // The loop in the branch is unrolled in the backward if's copy of it.
  constexpr const char *source = R"(
    func.func @forward(%x: tensor<3xf64>, %w: tensor<3xf64>, %n: tensor<i64>) -> tensor<3xf64> {
      %v = tensor.extract %n[] : tensor<i64>
      %zero = arith.constant 0 : i64
      %c = arith.cmpi sgt, %v, %zero : i64
      %r = scf.if %c -> (tensor<3xf64>) {
        %c0 = arith.constant 0 : index
        %c3 = arith.constant 3 : index
        %c1 = arith.constant 1 : index
        %h = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %x) -> (tensor<3xf64>) {
          %0 = kiln.mul %acc, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
          %1 = kiln.tanh %0 : tensor<3xf64>
          scf.yield %1 : tensor<3xf64>
        }
        scf.yield %h : tensor<3xf64>
      } else {
        %0 = kiln.add %x, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
        scf.yield %0 : tensor<3xf64>
      }
      return %r : tensor<3xf64>
    })";
  EXPECT_TRUE(checkGradients(source, withInteger({1})));
  EXPECT_TRUE(checkGradients(source, withInteger({0})));
}

TEST(ControlFlowGradCheck, ScanOutputsThroughSlices) {
  // What ONNX Loop and Scan make of scan inputs and outputs: a row of xs per
  // iteration (tensor.extract_slice), each iteration's state collected into
  // a stack (tensor.insert_slice), the final state returned too.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%xs: tensor<3x2xf64>, %h0: tensor<2xf64>) -> (tensor<3x2xf64>, tensor<2xf64>) {
      %c0 = arith.constant 0 : index
      %c3 = arith.constant 3 : index
      %c1 = arith.constant 1 : index
      %empty = tensor.empty() : tensor<3x2xf64>
      %r:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %h0, %stack = %empty) -> (tensor<2xf64>, tensor<3x2xf64>) {
        %x = tensor.extract_slice %xs[%i, 0] [1, 2] [1, 1] : tensor<3x2xf64> to tensor<2xf64>
        %0 = kiln.mul %h, %x : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
        %1 = kiln.add %0, %x : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
        %2 = kiln.tanh %1 : tensor<2xf64>
        %3 = tensor.insert_slice %2 into %stack[%i, 0] [1, 2] [1, 1] : tensor<2xf64> into tensor<3x2xf64>
        scf.yield %2, %3 : tensor<2xf64>, tensor<3x2xf64>
      }
      return %r#1, %r#0 : tensor<3x2xf64>, tensor<2xf64>
    })"));
}

TEST(ControlFlowGradCheck, OverwrittenRowsGetNoGradient) {
  // Row 1 of the input is overwritten: its gradient is zero.
  EXPECT_TRUE(checkGradients(R"(
    func.func @forward(%a: tensor<3x2xf64>, %b: tensor<2xf64>) -> tensor<3x2xf64> {
      %0 = tensor.insert_slice %b into %a[1, 0] [1, 2] [1, 1] : tensor<2xf64> into tensor<3x2xf64>
      %1 = kiln.mul %0, %0 : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
      return %1 : tensor<3x2xf64>
    })"));
}

//===----------------------------------------------------------------------===//
// What Kiln rejects
//===----------------------------------------------------------------------===//

/// Checks that differentiating `source` fails with `message`.
void expectRejected(const char *source, const std::string &message) {
  ::testing::AssertionResult result = checkGradients(source, withInteger({3}));
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find(message), std::string::npos)
      << result.message();
}

TEST(ControlFlowGradCheck, RunTimeTripCountIsAnError) {
  expectRejected(R"(
    func.func @forward(%x: tensor<3xf64>, %n: tensor<i64>) -> tensor<3xf64> {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %v = tensor.extract %n[] : tensor<i64>
      %count = arith.index_cast %v : i64 to index
      %h = scf.for %i = %c0 to %count step %c1 iter_args(%acc = %x) -> (tensor<3xf64>) {
        %0 = kiln.sin %acc : tensor<3xf64>
        scf.yield %0 : tensor<3xf64>
      }
      return %h : tensor<3xf64>
    })",
                 "Kiln differentiates ONNX Loop only with a trip count known "
                 "at compile time (this loop's trip count is computed at run "
                 "time)");
}

TEST(ControlFlowGradCheck, WhileLoopIsAnError) {
  expectRejected(R"(
    func.func @forward(%x: tensor<3xf64>, %n: tensor<i64>) -> tensor<3xf64> {
      %c0 = arith.constant 0 : i64
      %c1 = arith.constant 1 : i64
      %limit = tensor.extract %n[] : tensor<i64>
      %r:2 = scf.while (%i = %c0, %acc = %x) : (i64, tensor<3xf64>) -> (i64, tensor<3xf64>) {
        %go = arith.cmpi slt, %i, %limit : i64
        scf.condition(%go) %i, %acc : i64, tensor<3xf64>
      } do {
      ^bb0(%j: i64, %h: tensor<3xf64>):
        %next = arith.addi %j, %c1 : i64
        %0 = kiln.sin %h : tensor<3xf64>
        scf.yield %next, %0 : i64, tensor<3xf64>
      }
      return %r#1 : tensor<3xf64>
    })",
                 "Kiln differentiates ONNX Loop only with a trip count known "
                 "at compile time (this loop's body computes whether it goes "
                 "on");
}

} // namespace
