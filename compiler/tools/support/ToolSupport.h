//===- ToolSupport.h - Pieces shared by kiln-compile and kiln-run ---------===//

#ifndef KILN_TOOLS_TOOLSUPPORT_H
#define KILN_TOOLS_TOOLSUPPORT_H

#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.hpp"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
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
  /// Runs `body` as the stage `name` (e.g. loading the model).
  template <typename Body> auto timeStage(llvm::StringRef name, Body body) {
    start(name);
    auto begin = std::chrono::steady_clock::now();
    auto result = body();
    end(name,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
            .count());
    return result;
  }
  /// timeStage("load model", body).
  template <typename Body> auto timeImport(Body body) {
    return timeStage("load model", body);
  }
  void start(llvm::StringRef stage);
  void end(llvm::StringRef stage, double seconds);
  /// The stage started last ("" before the first).
  llvm::StringRef lastStage() const { return currentStage; }
  /// Prints one line per stage and the total.
  void printTimings(llvm::raw_ostream &os) const;
  double totalSeconds() const;

private:
  std::string toolName;
  bool showProgress;
  std::string currentStage;
  std::vector<std::pair<std::string, double>> stages;
};

/// Makes `--version` print Kiln's version (and LLVM's) for `toolName`.
void setVersionPrinter(llvm::StringRef toolName);

/// Prints `message` as "<tool>: error: <message>" on stderr and returns 1.
int reportError(llvm::StringRef toolName, llvm::Error error);

/// Registers the tool's --threads option in `category` (call in main(),
/// before parsing). libLLVM registers an unrelated option of that name,
/// which is removed first.
llvm::cl::opt<int32_t> &
registerThreadsOption(llvm::cl::OptionCategory &category,
                      llvm::StringRef description);

/// Checks the value of a tool's --cpu-kernels option.
llvm::Error checkCpuKernelsOption(llvm::StringRef value);

/// The --target and --cuda-arch options of the tools that compile (`cpu` or
/// `cuda`, and the GPU architecture of `cuda`), registered in `category`.
struct TargetOptions {
  llvm::cl::opt<std::string> &target;
  llvm::cl::opt<std::string> &cudaArch;
  llvm::cl::opt<std::string> &cudaKernels;
};
/// `targetName` is the option's name: "target", or "device" in kiln-train,
/// whose --target names the training targets.
TargetOptions registerTargetOptions(llvm::cl::OptionCategory &category,
                                    llvm::StringRef targetName = "target");

/// Fails, saying why, when the runtime finds no usable CUDA device (no
/// driver, no GPU, or a runtime built without CUDA).
/// `option` names the tool's target option in the message.
llvm::Error checkCudaDevice(llvm::StringRef option = "target");

/// Checks the --target, --cuda-arch, --cuda-kernels and --cpu-kernels values
/// together and
/// stores them in `options`.
llvm::Error applyTargetOptions(const TargetOptions &target,
                               llvm::StringRef cpuKernels, bool cpuKernelsGiven,
                               driver::CompileOptions &options);

/// "f32[4x2]": dtype and shape.
std::string formatType(kiln_dtype dtype, const std::vector<int64_t> &dims);

/// A checksum as the tools print it: 16 lowercase hex digits.
std::string formatChecksum(uint64_t checksum);

/// Dtype, shape, up to `limit` values, their sum, and the FNV-1a checksum of
/// the tensor's bytes (kiln_tensor_checksum()).
std::string formatTensorSummary(const rt::Tensor &tensor, size_t limit);

/// The tensor for `--input NAME=VALUE`: VALUE is a .npy file, an ONNX
/// TensorProto .pb file, or comma-separated numbers. A file's dtype and shape
/// must be those of `info`.
llvm::Expected<rt::Tensor> loadInput(const rt::ValueInfo &info,
                                     llvm::StringRef value);

/// Parses `--shape NAME=DIMS`, DIMS like 1x3x224x224 (or 1,3,224,224).
llvm::Expected<std::pair<std::string, std::vector<int64_t>>>
parseShapeOption(llvm::StringRef text);

/// Parses `--sequence NAME=DIMS:DIMS:...`: the element shapes of a sequence
/// input, one DIMS per element as in --shape (`scalar` for rank 0; nothing
/// after `=` for an empty sequence).
llvm::Expected<std::pair<std::string, std::vector<std::vector<int64_t>>>>
parseSequenceOption(llvm::StringRef text);

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
