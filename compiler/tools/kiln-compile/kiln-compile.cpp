//===- kiln-compile.cpp - Compile a model ahead of time -------------------===//
//
// kiln-compile MODEL -o OUT
// [--emit=shared|object|static|mlir|llvm-dialect|llvm]
//
// Writes a shared library the runtime loads (default), an object file or a
// static archive to link into a program, or an intermediate form; for
// libraries also a C header with typed entry points, and with
// --weights=file a weights file. Every output appears only when the whole
// compile succeeded.
//
//===----------------------------------------------------------------------===//

#include "ToolSupport.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/Driver/ModelHeader.h"
#include "kiln/Driver/Trainer.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
namespace driver = kiln::driver;
namespace tools = kiln::tools;

static cl::OptionCategory category("kiln-compile options");
static cl::opt<std::string> modelPath(cl::Positional,
                                      cl::desc("<model.mlir|model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output file (default: the model's name with the "
                        "extension of --emit, in the current directory)"),
               cl::value_desc("path"), cl::cat(category));
static cl::opt<driver::OutputKind> emit(
    "emit", cl::desc("What to write:"),
    cl::values(
        clEnumValN(driver::OutputKind::SharedLibrary, "shared",
                   "a shared library the runtime loads (default, .so)"),
        clEnumValN(driver::OutputKind::Object, "object",
                   "an object file to link into a program (.o)"),
        clEnumValN(driver::OutputKind::StaticArchive, "static",
                   "a static archive to link into a program (.a)"),
        clEnumValN(driver::OutputKind::KilnMLIR, "mlir",
                   "the kiln dialect after graph optimization (.kiln.mlir)"),
        clEnumValN(driver::OutputKind::LLVMDialect, "llvm-dialect",
                   "MLIR's LLVM dialect (.llvm.mlir)"),
        clEnumValN(driver::OutputKind::LLVMIR, "llvm", "LLVM IR (.ll)"),
        clEnumValN(driver::OutputKind::PTX, "ptx",
                   "with --target=cuda: the GPU kernels as PTX (.ptx), "
                   "e.g. for ptxas")),
    cl::init(driver::OutputKind::SharedLibrary), cl::cat(category));
static cl::opt<std::string> headerPath(
    "header",
    cl::desc("Write the C header here (default for shared, object and "
             "static: NAME.h next to the output; see --name)"),
    cl::value_desc("path"), cl::ValueOptional, cl::cat(category));
static cl::opt<bool> noHeader("no-header", cl::desc("Do not write a C header"),
                              cl::cat(category));
static cl::opt<std::string> moduleName(
    "name",
    cl::desc("The model's C identifier, prefix of the header's names and of "
             "linked tables (default: from the output file's name)"),
    cl::value_desc("identifier"), cl::cat(category));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Fix the shape of an input with dynamic dimensions (ONNX "
                    "models), e.g. --shape input=1x3x224x224 (repeatable)"),
           cl::value_desc("name=dims"), cl::cat(category));
static cl::list<std::string> sequences(
    "sequence",
    cl::desc("The element shapes of a sequence input (ONNX models), e.g. "
             "--sequence s=2x3:4x3; its elements become inputs s[0], s[1]... "
             "(repeatable)"),
    cl::value_desc("name=dims:dims"), cl::cat(category));
static cl::list<std::string> emptyOptionals(
    "empty-optional",
    cl::desc("An optional input (ONNX models) that holds nothing "
             "(repeatable)"),
    cl::value_desc("name"), cl::cat(category));
static cl::opt<driver::WeightsStorage> weights(
    "weights", cl::desc("Where constant tensors go:"),
    cl::values(clEnumValN(driver::WeightsStorage::Embed, "embed",
                          "into the library (default)"),
               clEnumValN(driver::WeightsStorage::File, "file",
                          "into OUT's name with extension .weights, which "
                          "the runtime reads and checks at load time")),
    cl::init(driver::WeightsStorage::Embed), cl::cat(category));
static cl::opt<std::string> cpuKernels(
    "cpu-kernels",
    cl::desc("Who runs convolutions and matrix products: auto (default: "
             "oneDNN wherever the runtime has a kernel for the op), onednn, "
             "or codegen (Kiln's generated loops only)"),
    cl::value_desc("auto|onednn|codegen"), cl::init("auto"), cl::cat(category));
static tools::TargetOptions target = tools::registerTargetOptions(category);
static cl::opt<unsigned>
    optLevel("O", cl::desc("Optimization level 0-3 (default 2)"), cl::Prefix,
             cl::init(2), cl::cat(category));
static cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::desc("CPU to generate code for: host (default) or an LLVM CPU "
             "name such as x86-64-v3 or znver4"),
    cl::init("host"), cl::cat(category));
static cl::opt<bool> listUnsupported(
    "list-unsupported",
    cl::desc("Only check an ONNX model: list every node Kiln cannot import "
             "(exit status 1 when there is one) and write nothing"),
    cl::cat(category));
static cl::opt<bool> timings("timings",
                             cl::desc("Print the time of every stage"),
                             cl::cat(category));
static cl::opt<bool> report(
    "report",
    cl::desc("Print what was planned: each function's arena of intermediate "
             "buffers (placed by their lifetimes) against what allocating "
             "each buffer would take"),
    cl::cat(category));

static cl::opt<bool>
    train("train",
          cl::desc("Also compile training functions (ONNX models): predict, "
                   "train_step and initial_weights (docs/training.md); forward "
                   "stays"),
          cl::cat(category));
static cl::opt<std::string>
    trainLoss("loss",
              cl::desc("With --train: cross_entropy (default), "
                       "bce_with_logits, mse or l1"),
              cl::init("cross_entropy"), cl::cat(category));
static cl::opt<std::string>
    trainOptimizer("optimizer",
                   cl::desc("With --train: sgd (default), adam or adamw"),
                   cl::init("sgd"), cl::cat(category));
static cl::opt<double> trainMomentum("momentum",
                                     cl::desc("With --train: SGD momentum"),
                                     cl::init(0), cl::cat(category));
static cl::opt<double> trainWeightDecay("weight-decay",
                                        cl::desc("With --train: weight decay"),
                                        cl::init(0), cl::cat(category));
static cl::list<std::string>
    trainFreeze("freeze", cl::desc("With --train: weights (glob) not to train"),
                cl::value_desc("pattern"), cl::cat(category));
static cl::opt<bool> trainEvalMode(
    "eval-mode",
    cl::desc("With --train: train_step runs BatchNormalization on its running "
             "statistics and Dropout off (PyTorch's model.eval()); by default "
             "as under model.train(), with the running statistics as extra "
             "arguments and results of predict and train_step"),
    cl::cat(category));

static constexpr const char *kTool = "kiln-compile";

static bool isLibrary(driver::OutputKind kind) {
  return kind == driver::OutputKind::SharedLibrary ||
         kind == driver::OutputKind::Object ||
         kind == driver::OutputKind::StaticArchive;
}

static std::string defaultOutputPath() {
  StringRef stem = sys::path::stem(modelPath);
  switch (emit.getValue()) {
  case driver::OutputKind::SharedLibrary:
    return (stem + ".so").str();
  case driver::OutputKind::Object:
    return (stem + ".o").str();
  case driver::OutputKind::StaticArchive:
    return ("lib" + stem + ".a").str();
  case driver::OutputKind::KilnMLIR:
    return (stem + ".kiln.mlir").str();
  case driver::OutputKind::LLVMDialect:
    return (stem + ".llvm.mlir").str();
  case driver::OutputKind::LLVMIR:
    return (stem + ".ll").str();
  case driver::OutputKind::PTX:
    return (stem + ".ptx").str();
  }
  llvm_unreachable("unknown output kind");
}

/// The header's path: --header=PATH, else next to the output for libraries.
static Expected<std::string> chooseHeaderPath(StringRef output) {
  bool given = headerPath.getNumOccurrences() > 0;
  if (noHeader) {
    if (given)
      return createStringError("--header and --no-header contradict");
    return "";
  }
  if (given && !headerPath.empty())
    return headerPath.getValue();
  if (!given && !isLibrary(emit))
    return "";
  // Named after the model: "model.so" -> "model.h", "libmodel.a" ->
  // "model.h".
  SmallString<256> path = sys::path::parent_path(output);
  std::string name =
      moduleName.empty()
          ? driver::defaultModuleName(output,
                                      emit == driver::OutputKind::StaticArchive)
          : moduleName.getValue();
  sys::path::append(path, name + ".h");
  if (path == output)
    return createStringError("the header would overwrite the output '" +
                             output + "'; choose --header=PATH");
  return path.str().str();
}

/// --list-unsupported: every node the ONNX frontend cannot import.
static int listUnsupportedNodes(const driver::ImportOptions &importOptions) {
  driver::Compiler compiler;
  auto nodes = compiler.findUnsupportedNodes(modelPath, importOptions);
  if (!nodes)
    return tools::reportError(kTool, nodes.takeError());
  for (const driver::UnsupportedNode &node : *nodes)
    outs() << "node " << node.index << " '" << node.name << "' (" << node.opType
           << "): " << node.reason << "\n";
  if (nodes->empty()) {
    outs() << "every node of " << modelPath << " can be imported\n";
    return 0;
  }
  outs() << nodes->size() << " node" << (nodes->size() == 1 ? "" : "s")
         << " of " << modelPath << " cannot be imported\n";
  return 1;
}

/// `bytes` in MiB with two decimals.
static std::string formatMiB(int64_t bytes) {
  return formatv("{0:F2} MiB", bytes / (1024.0 * 1024.0)).str();
}

/// --report: one line per function whose buffers share an arena.
static void printMemoryPlans(ArrayRef<driver::MemoryPlan> plans,
                             raw_ostream &os) {
  if (plans.empty()) {
    os << kTool << ": report: no function has intermediate buffers to plan\n";
    return;
  }
  for (const driver::MemoryPlan &plan : plans)
    os << kTool << ": report: " << plan.function << ": arena "
       << formatMiB(plan.arenaBytes) << " for " << formatMiB(plan.bufferBytes)
       << " of intermediate buffers (arena_bytes " << plan.arenaBytes << ")\n";
}

static int compile() {
  if (optLevel > 3)
    return tools::reportError(kTool,
                              createStringError("-O must be 0, 1, 2 or 3"));
  driver::CompileOptions options;
  if (llvm::Error error = tools::applyTargetOptions(
          target, cpuKernels, cpuKernels.getNumOccurrences() > 0, options))
    return tools::reportError(kTool, std::move(error));
  driver::ImportOptions importOptions;
  for (const std::string &shape : shapes) {
    auto parsed = tools::parseShapeOption(shape);
    if (!parsed)
      return tools::reportError(kTool, parsed.takeError());
    importOptions.inputShapes.push_back(std::move(*parsed));
  }
  for (const std::string &sequence : sequences) {
    auto parsed = tools::parseSequenceOption(sequence);
    if (!parsed)
      return tools::reportError(kTool, parsed.takeError());
    importOptions.sequenceInputs.push_back(std::move(*parsed));
  }
  for (const std::string &name : emptyOptionals)
    importOptions.emptyOptionalInputs.push_back(name);
  if (listUnsupported)
    return listUnsupportedNodes(importOptions);
  std::string output =
      outputPath.empty() ? defaultOutputPath() : outputPath.getValue();
  auto header = chooseHeaderPath(output);
  if (!header)
    return tools::reportError(kTool, header.takeError());

  driver::Compiler compiler;
  tools::StageReporter reporter(kTool, /*showProgress=*/true);
  // A training program's predict reads the running statistics train_step
  // updates, so they stay weights (evaluation semantics).
  if (train)
    importOptions.mode = driver::ImportOptions::Mode::Evaluation;
  auto module = reporter.timeImport(
      [&] { return compiler.loadModel(modelPath, importOptions); });
  if (!module)
    return tools::reportError(kTool, module.takeError());

  if (train) {
    kiln::TrainStepOptions step;
    step.loss = trainLoss;
    step.optimizer = trainOptimizer;
    step.momentum = trainMomentum;
    step.weightDecay = trainWeightDecay;
    step.frozen.assign(trainFreeze.begin(), trainFreeze.end());
    step.initialWeightsFunction = true;
    if (!trainEvalMode)
      if (Error error = driver::addTrainingForward(compiler, **module,
                                                   modelPath, importOptions,
                                                   step))
        return tools::reportError(kTool, std::move(error));
    if (Error error = driver::addTrainingFunctions(compiler, **module, step))
      return tools::reportError(kTool, std::move(error));
  }

  options.optLevel = optLevel;
  options.targetCpu = targetCpu;
  options.weights = weights;
  options.headerPath = *header;
  options.moduleName = moduleName;
  reporter.attach(options);
  std::vector<driver::MemoryPlan> plans;
  if (report)
    options.onMemoryPlan = [&](const driver::MemoryPlan &plan) {
      plans.push_back(plan);
    };
  if (Error error = compiler.compileToFile(**module, output, emit, options))
    return tools::reportError(kTool, std::move(error));
  if (timings)
    reporter.printTimings(errs());
  if (report)
    printMemoryPlans(plans, errs());
  std::vector<std::string> written = {output};
  if (!header->empty())
    written.push_back(*header);
  if (weights == driver::WeightsStorage::File) {
    SmallString<256> weightsPath(output);
    sys::path::replace_extension(weightsPath, ".weights");
    written.push_back(weightsPath.str().str());
  }
  errs() << kTool << ": wrote ";
  for (size_t i = 0; i < written.size(); ++i)
    errs() << (i == 0                    ? ""
               : i + 1 == written.size() ? " and "
                                         : ", ")
           << written[i];
  errs() << "\n";
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  tools::setVersionPrinter(kTool);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kiln-compile: compile a model ahead of time\n\n"
      "  kiln-compile model.mlir -o model.so          # + model.h\n"
      "  kiln-compile model.mlir --emit=static -o libmodel.a\n"
      "  kiln-compile model.onnx --shape input=1x3x224x224 -o model.so\n"
      "  kiln-compile model.mlir --emit=llvm -o model.ll\n"
      "  kiln-compile model.onnx --target=cuda --cuda-arch=sm_90 -o model.so\n"
      "  kiln-compile model.onnx --target=cuda --emit=ptx -o model.ptx\n");
  return compile();
}
