//===- ToolSupport.h - Pieces shared by kiln-compile and kiln-run ---------===//

#ifndef KILN_TOOLS_TOOLSUPPORT_H
#define KILN_TOOLS_TOOLSUPPORT_H

#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.hpp"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <utility>
#include <vector>

namespace kiln::tools {

/// Shows compile stages as they start (only when stderr is a terminal) and
/// records their durations for --timings.
class StageReporter {
public:
  StageReporter(std::string toolName, bool showProgress);
  /// Connects the reporter to a compile's stage callbacks.
  void attach(driver::CompileOptions &options);
  /// Prints one line per stage and the total.
  void printTimings(llvm::raw_ostream &os) const;
  double totalSeconds() const;

private:
  std::string toolName;
  bool showProgress;
  std::vector<std::pair<std::string, double>> stages;
};

/// Makes `--version` print Kiln's version (and LLVM's) for `toolName`.
void setVersionPrinter(llvm::StringRef toolName);

/// Prints `message` as "<tool>: error: <message>" on stderr and returns 1.
int reportError(llvm::StringRef toolName, llvm::Error error);

/// "f32[4x2]": dtype and shape.
std::string formatType(kiln_dtype dtype, const std::vector<int64_t> &dims);

/// Dtype, shape, up to `limit` values and an order-sensitive checksum of all
/// values.
std::string formatTensorSummary(const rt::Tensor &tensor, size_t limit);

/// A tensor of the given type filled from a comma-separated list of numbers,
/// which must have exactly as many entries as the type has elements.
llvm::Expected<rt::Tensor> parseInlineTensor(const rt::ValueInfo &info,
                                             llvm::StringRef values);

/// A tensor of the given type filled with pseudo-random values from `seed`
/// (floats uniform in [-1, 1), integers in [0, 10), bools 0/1).
llvm::Expected<rt::Tensor> makeRandomTensor(const rt::ValueInfo &info,
                                            uint64_t seed);

} // namespace kiln::tools

#endif // KILN_TOOLS_TOOLSUPPORT_H
