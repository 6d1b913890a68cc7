//===- ConformanceCase.h - Running one ONNX backend test case -------------===//

#ifndef KILN_TESTS_CONFORMANCE_CONFORMANCECASE_H
#define KILN_TESTS_CONFORMANCE_CONFORMANCECASE_H

#include <string>
#include <vector>

namespace kiln::conformance {

/// |actual - expected| <= atol + rtol * |expected|, as
/// numpy.testing.assert_allclose.
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-7;
};

enum class CaseStatus { Pass, Fail, Unsupported };

struct CaseResult {
  CaseStatus status = CaseStatus::Fail;
  /// Why it failed or is unsupported (empty for a pass).
  std::string message;
  /// The op types in the case's model, for the per-op report.
  std::vector<std::string> ops;
};

/// Imports, compiles and runs the case in `directory` (model.onnx and
/// test_data_set_*), comparing every output.
/// Cases listed in ConformanceCase.cpp with their own tolerance override
/// `tolerance`. `cpuKernels` is CompileOptions::cpuKernels.
CaseResult runCase(const std::string &directory, Tolerance tolerance,
                   const std::string &cpuKernels = "auto");

/// One line of text carrying a result from a child process, and back.
std::string serializeResult(const CaseResult &result);
CaseResult parseResult(const std::string &text);

} // namespace kiln::conformance

#endif // KILN_TESTS_CONFORMANCE_CONFORMANCECASE_H
