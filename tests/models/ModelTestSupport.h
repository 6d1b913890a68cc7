//===- ModelTestSupport.h - Build, compile and compare kiln functions -----===//
//
// End-to-end tests build a kiln function with MLIR's OpBuilder, compile it with
// the driver (JIT, or ahead of time to a shared library that the runtime
// loads), run it through the runtime, and compare every output with the
// plain-loop reference.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_MODELTESTSUPPORT_H
#define KILN_TESTS_MODELS_MODELTESTSUPPORT_H

#include "ReferenceOps.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.hpp"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <gtest/gtest.h>

namespace kiln::testing {

/// Builds the body of a test function from its arguments.
using BodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange arguments)>;

/// A module with one public function `@main` taking f32 tensors of
/// `inputShapes` and returning what `body` builds.
mlir::OwningOpRef<mlir::ModuleOp>
buildFunction(mlir::MLIRContext &context,
              const std::vector<std::vector<int64_t>> &inputShapes,
              BodyBuilder body);

/// A kiln constant holding `tensor`'s values.
mlir::Value buildConstant(mlir::OpBuilder &builder, mlir::Location loc,
                          const reference::Tensor &tensor);

rt::Tensor toRuntime(const reference::Tensor &tensor);
reference::Tensor fromRuntime(const rt::Tensor &tensor);

/// Runs `function` on `inputs` and returns its outputs as reference tensors.
std::vector<reference::Tensor>
run(const rt::Function &function, const std::vector<reference::Tensor> &inputs);

/// How close compiled results must be to the reference: |a - e| <= atol + rtol
/// * |e|.
/// The compile options of the end-to-end tests: the defaults, with
/// `cpuKernels` taken from $KILN_TEST_CPU_KERNELS when it is set (ctest runs
/// the convolution and matrix-product tests once more with "codegen").
driver::CompileOptions testCompileOptions();

struct Tolerance {
  double rtol;
  double atol;
};

/// rtol 1e-5 as the issue asks; atol 1e-6 covers results near zero, where
/// float32 rounding of the last operation alone is a few 1e-8 and relative
/// error is meaningless.
inline constexpr Tolerance kElementwiseTolerance{1e-5, 1e-6};
/// Sums of K float32 products are accumulated in a different order than the
/// reference's double sum: the absolute error grows like K * 6e-8 * max|term|,
/// so contractions over up to ~100 terms of magnitude <= 1 get atol 1e-5.
inline constexpr Tolerance kContractionTolerance{1e-5, 1e-5};

/// Shape equal and every element within tolerance; the message names the worst
/// one.
::testing::AssertionResult allClose(const reference::Tensor &actual,
                                    const reference::Tensor &expected,
                                    Tolerance tolerance);

/// A test fixture owning one compiler (and so one MLIR context).
class CompiledTest : public ::testing::Test {
protected:
  /// Builds, compiles and runs a one-function module on `inputs`, and checks
  /// its single output against `expected`.
  void expectMatches(const std::vector<reference::Tensor> &inputs,
                     BodyBuilder body, const reference::Tensor &expected,
                     Tolerance tolerance);

  driver::Compiler compiler;
  mlir::MLIRContext &context = compiler.getContext();
  std::mt19937 engine{42};
};

} // namespace kiln::testing

#endif // KILN_TESTS_MODELS_MODELTESTSUPPORT_H
