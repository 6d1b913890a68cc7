//===- GradCheck.h - Gradient rules against finite differences ------------===//
//
// checkGradients() compiles a kiln function `@forward`, builds its
// vector-Jacobian product with kiln-differentiate, runs both, and compares
// every gradient entry with a central difference of <forward(x), cotangent>.
// Functions on f64 tensors make the comparison tight (Kiln's ops work in
// f64 where the op does).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_GRADCHECK_GRADCHECK_H
#define KILN_TESTS_GRADCHECK_GRADCHECK_H

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::gradcheck {

/// Where the random values of one float argument come from.
struct Range {
  double low = -1, high = 1;
};

struct Options {
  /// Per float argument (in order); missing ones use [-1, 1].
  std::vector<Range> ranges;
  /// Integer arguments (indices), in order: their values, row-major.
  std::vector<std::vector<int64_t>> integerArguments;
  /// The central difference's step, and the tolerance of the comparison:
  /// |analytic - numeric| <= atol + rtol * |numeric|.
  double step = 1e-6;
  double rtol = 1e-5;
  double atol = 1e-7;
  uint32_t seed = 1;
};

/// Checks the gradients of `@forward` in `source` (kiln dialect MLIR) with
/// respect to every floating-point argument.
::testing::AssertionResult checkGradients(const std::string &source,
                                          const Options &options = {});

} // namespace kiln::gradcheck

#endif // KILN_TESTS_GRADCHECK_GRADCHECK_H
