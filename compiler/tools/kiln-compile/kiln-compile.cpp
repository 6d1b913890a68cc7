//===- kiln-compile.cpp - Compile a model ahead of time -------------------===//
//
// kiln-compile MODEL.mlir -o OUT [--emit=shared|object|mlir|llvm-dialect|llvm]
//
// Writes a shared library the runtime loads (default), an object file, or an
// intermediate form. The output appears only when compilation succeeded.
//
//===----------------------------------------------------------------------===//

#include "ToolSupport.h"

#include "kiln/Driver/Compiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
namespace driver = kiln::driver;
namespace tools = kiln::tools;

static cl::OptionCategory category("kiln-compile options");
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output file (default: the model's name with the "
                        "extension of --emit, in the current directory)"),
               cl::value_desc("path"), cl::cat(category));
static cl::opt<driver::OutputKind> emit(
    "emit", cl::desc("What to write:"),
    cl::values(clEnumValN(driver::OutputKind::SharedLibrary, "shared",
                          "a shared library the runtime loads (default, .so)"),
               clEnumValN(driver::OutputKind::Object, "object",
                          "a relocatable object file (.o)"),
               clEnumValN(driver::OutputKind::KilnMLIR, "mlir",
                          "the kiln dialect after graph optimization (.mlir)"),
               clEnumValN(driver::OutputKind::LLVMDialect, "llvm-dialect",
                          "MLIR's LLVM dialect (.llvm.mlir)"),
               clEnumValN(driver::OutputKind::LLVMIR, "llvm", "LLVM IR (.ll)")),
    cl::init(driver::OutputKind::SharedLibrary), cl::cat(category));
static cl::opt<unsigned>
    optLevel("O", cl::desc("Optimization level 0-3 (default 2)"), cl::Prefix,
             cl::init(2), cl::cat(category));
static cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::desc("CPU to generate code for: host (default) or an LLVM CPU "
             "name such as x86-64-v3 or znver4"),
    cl::init("host"), cl::cat(category));
static cl::opt<bool> timings("timings",
                             cl::desc("Print the time of every stage"),
                             cl::cat(category));

static constexpr const char *kTool = "kiln-compile";

static std::string defaultOutputPath() {
  static const char *extensions[] = {".so", ".o", ".kiln.mlir", ".llvm.mlir",
                                     ".ll"};
  return (sys::path::stem(modelPath) +
          extensions[static_cast<int>(emit.getValue())])
      .str();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  tools::setVersionPrinter(kTool);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kiln-compile: compile a kiln model ahead of time\n\n"
      "  kiln-compile model.mlir -o model.so\n"
      "  kiln-compile model.mlir --emit=llvm -o model.ll\n");
  if (optLevel > 3)
    return tools::reportError(kTool,
                              createStringError("-O must be 0, 1, 2 or 3"));

  driver::Compiler compiler;
  auto module = compiler.loadModel(modelPath);
  if (!module)
    return tools::reportError(kTool, module.takeError());

  driver::CompileOptions options;
  options.optLevel = optLevel;
  options.targetCpu = targetCpu;
  tools::StageReporter reporter(kTool, /*showProgress=*/true);
  reporter.attach(options);
  std::string output =
      outputPath.empty() ? defaultOutputPath() : outputPath.getValue();
  if (Error error = compiler.compileToFile(**module, output, emit, options))
    return tools::reportError(kTool, std::move(error));
  if (timings)
    reporter.printTimings(errs());
  errs() << kTool << ": wrote " << output << "\n";
  return 0;
}
