//===- DriverTestSupport.h - Helpers shared by the driver tests -----------===//

#ifndef KILN_TESTS_UNIT_DRIVER_DRIVERTESTSUPPORT_H
#define KILN_TESTS_UNIT_DRIVER_DRIVERTESTSUPPORT_H

#include "kiln/Driver/Compiler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kiln::test {

/// y = relu(x * w + b) over a [2, 3] input, with fixed weights.
inline constexpr const char *kDenseLayer = R"mlir(
func.func @dense(%x: tensor<2x3xf32> {kiln.name = "x"}) -> (tensor<2x2xf32> {kiln.name = "y"}) {
  %w = kiln.constant dense<[[1.0, -1.0], [2.0, 0.5], [-1.0, 1.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %0 = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = kiln.add %0, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %2 = kiln.relu %1 : tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}
)mlir";

/// kDenseLayer's output for input [[1, 2, 3], [-1, 0, 1]].
inline const std::vector<float> kDenseInput = {1, 2, 3, -1, 0, 1};
inline const std::vector<float> kDenseExpected = {2.5f, 2.5f, 0.0f, 1.5f};

/// A fresh directory, removed with everything in it afterwards.
class TempDirectory {
public:
  TempDirectory() {
    EXPECT_FALSE(
        llvm::sys::fs::createUniqueDirectory("kiln-driver-test", directory));
  }
  ~TempDirectory() { llvm::sys::fs::remove_directories(directory); }

  const llvm::SmallString<128> &path() const { return directory; }
  std::string pathIn(llvm::StringRef name) const {
    llvm::SmallString<128> path(directory);
    llvm::sys::path::append(path, name);
    return path.str().str();
  }
  /// The names of the directory's entries.
  std::set<std::string> entries() const {
    std::set<std::string> names;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(directory, ec), end;
         it != end && !ec; it.increment(ec))
      names.insert(llvm::sys::path::filename(it->path()).str());
    return names;
  }
  /// The contents of `name`; "" when it cannot be read.
  std::string read(llvm::StringRef name) const {
    auto buffer = llvm::MemoryBuffer::getFile(pathIn(name), /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    return buffer ? (*buffer)->getBuffer().str() : "";
  }

private:
  llvm::SmallString<128> directory;
};

/// Parses `source`, failing the test on error.
inline mlir::OwningOpRef<mlir::ModuleOp> parseOrFail(driver::Compiler &compiler,
                                                     llvm::StringRef source) {
  auto module = compiler.parseSource(source, "test.mlir");
  if (!module) {
    ADD_FAILURE() << llvm::toString(module.takeError());
    return nullptr;
  }
  return std::move(*module);
}

/// Runs `function` on kDenseInput and returns its output values.
inline std::vector<float> runDense(const rt::Function &function) {
  std::vector<float> input = kDenseInput;
  rt::Tensor x = rt::Tensor::wrap(KILN_DTYPE_F32, {2, 3}, input.data(),
                                  input.size() * sizeof(float));
  std::vector<rt::Tensor> outputs = function.run({&x});
  const float *y = outputs.at(0).data<float>();
  return std::vector<float>(y, y + outputs[0].elementCount());
}

} // namespace kiln::test

#endif // KILN_TESTS_UNIT_DRIVER_DRIVERTESTSUPPORT_H
