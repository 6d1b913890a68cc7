//===- kiln-run.cpp - Compile a model in-process and run it ---------------===//
//
// kiln-run MODEL.mlir [--function NAME] [--input NAME=V,V,...] [--seed S]
//
// JIT-compiles the model with the driver, fills the inputs (from --input or
// seeded random values), runs the function once through the runtime and prints
// every output in short with the compile and run times.
//
//===----------------------------------------------------------------------===//

#include "ToolSupport.h"

#include "kiln/Driver/Compiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>

using namespace llvm;
namespace driver = kiln::driver;
namespace rt = kiln::rt;
namespace tools = kiln::tools;

static cl::OptionCategory category("kiln-run options");
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("The function to run (default: the module's first)"),
                 cl::value_desc("name"), cl::cat(category));
static cl::list<std::string>
    inputValues("input",
                cl::desc("Values of one input, row-major: --input NAME=1,2,3 "
                         "(repeatable; inputs "
                         "not given get seeded random values)"),
                cl::value_desc("name=v,v,..."), cl::cat(category));
static cl::opt<uint64_t>
    seed("seed", cl::desc("Seed for random inputs (input i uses seed+i)"),
         cl::init(0), cl::cat(category));
static cl::opt<unsigned>
    optLevel("O", cl::desc("Optimization level 0-3 (default 2)"), cl::Prefix,
             cl::init(2), cl::cat(category));
static cl::opt<unsigned>
    printLimit("print-limit",
               cl::desc("Values printed per tensor (default 16)"), cl::init(16),
               cl::cat(category));
static cl::opt<bool> timings("timings",
                             cl::desc("Print the time of every compile stage"),
                             cl::cat(category));

static constexpr const char *kTool = "kiln-run";

/// --input NAME=VALUES, by name.
static Expected<std::map<std::string, std::string>> collectInputValues() {
  std::map<std::string, std::string> values;
  for (const std::string &entry : inputValues) {
    auto [name, list] = StringRef(entry).split('=');
    if (name.empty() || list.data() == nullptr ||
        !StringRef(entry).contains('='))
      return createStringError("--input expects NAME=V,V,..., got '" + entry +
                               "'");
    if (!values.emplace(name.str(), list.str()).second)
      return createStringError("--input " + name.str() + " is given twice");
  }
  return values;
}

static Expected<std::vector<rt::Tensor>>
prepareInputs(const rt::Function &function,
              std::map<std::string, std::string> &given) {
  std::vector<rt::Tensor> inputs;
  std::vector<rt::ValueInfo> signature = function.inputs();
  for (auto [index, info] : llvm::enumerate(signature)) {
    auto found = given.find(info.name);
    Expected<rt::Tensor> tensor =
        found != given.end() ? tools::parseInlineTensor(info, found->second)
                             : tools::makeRandomTensor(info, seed + index);
    if (!tensor)
      return tensor.takeError();
    outs() << "input " << info.name << ": "
           << tools::formatTensorSummary(*tensor, printLimit)
           << (found != given.end() ? "" : "  (random)") << "\n";
    if (found != given.end())
      given.erase(found);
    inputs.push_back(std::move(*tensor));
  }
  if (!given.empty()) {
    std::string names;
    for (const rt::ValueInfo &info : signature)
      names += (names.empty() ? "" : ", ") + info.name;
    return createStringError(
        "function '" + function.name() + "' has no input '" +
        given.begin()->first +
        "' (its inputs: " + (names.empty() ? "none" : names) + ")");
  }
  return std::move(inputs);
}

static int run() {
  auto given = collectInputValues();
  if (!given)
    return tools::reportError(kTool, given.takeError());

  driver::Compiler compiler;
  auto module = compiler.loadModel(modelPath);
  if (!module)
    return tools::reportError(kTool, module.takeError());

  driver::CompileOptions options;
  options.optLevel = optLevel;
  tools::StageReporter reporter(kTool, /*showProgress=*/true);
  reporter.attach(options);
  auto loaded = compiler.compileToJit(**module, options);
  if (!loaded)
    return tools::reportError(kTool, loaded.takeError());
  outs() << "compiled " << modelPath << " in "
         << format("%.1f ms", reporter.totalSeconds() * 1e3)
         << " (JIT, host CPU)\n";
  if (timings)
    reporter.printTimings(outs());

  try {
    rt::Function function = functionName.empty()
                                ? loaded->functions().at(0)
                                : loaded->function(functionName);
    auto inputs = prepareInputs(function, *given);
    if (!inputs)
      return tools::reportError(kTool, inputs.takeError());
    std::vector<const rt::Tensor *> inputPointers;
    for (const rt::Tensor &input : *inputs)
      inputPointers.push_back(&input);

    auto start = std::chrono::steady_clock::now();
    std::vector<rt::Tensor> outputs = function.run(inputPointers);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    outs() << "ran " << function.name() << " in "
           << format("%.3f ms", seconds * 1e3) << "\n";
    std::vector<rt::ValueInfo> signature = function.outputs();
    for (size_t i = 0; i < outputs.size(); ++i)
      outs() << "output " << signature[i].name << ": "
             << tools::formatTensorSummary(outputs[i], printLimit) << "\n";
  } catch (const rt::Error &error) {
    return tools::reportError(kTool, createStringError(error.what()));
  }
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  tools::setVersionPrinter(kTool);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kiln-run: compile a kiln model in this process (JIT) and run it once\n\n"
      "  kiln-run model.mlir --input x=0,0,0,1,1,0,1,1\n\n"
      "Prints each input and output (type, first values, sum) and the compile "
      "and\n"
      "run times.\n");
  return run();
}
