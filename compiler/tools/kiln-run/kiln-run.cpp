//===- kiln-run.cpp - Compile a model in-process and run it ---------------===//
//
// kiln-run MODEL [--input NAME=FILE|V,V,...]... [--random-inputs] [--json]
//
// Compiles the model (or loads it from the compile cache), fills the inputs,
// runs the function through a runtime session once or as a benchmark, prints
// every output in short (or one JSON object) and writes them as .npy files on
// request. See docs/cli.md.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "RunModel.h"
#include "ToolSupport.h"

#include "kiln/Driver/OutputFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;
namespace driver = kiln::driver;
namespace rt = kiln::rt;
namespace tools = kiln::tools;

static cl::OptionCategory category("kiln-run options");
static cl::opt<std::string> modelPath(cl::Positional,
                                      cl::desc("<model.mlir|model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("The function to run (default: the module's first)"),
                 cl::value_desc("name"), cl::cat(category));
static cl::list<std::string> inputValues(
    "input",
    cl::desc("One input: --input NAME=FILE.npy, NAME=FILE.pb (ONNX "
             "TensorProto) or NAME=V,V,... (row-major numbers); repeatable"),
    cl::value_desc("name=file|values"), cl::cat(category));
static cl::opt<bool> randomInputs(
    "random-inputs",
    cl::desc("Fill every input not given with --input with seeded random "
             "values (floats in [-1, 1), integers in [0, 10))"),
    cl::cat(category));
static cl::opt<uint64_t>
    seed("seed", cl::desc("Seed for --random-inputs (input i uses seed+i)"),
         cl::init(0), cl::cat(category));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Fix the shape of an input with dynamic dimensions (ONNX "
                    "models), e.g. --shape input=1x3x224x224"),
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
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write every output to DIR/<name>.npy (DIR is created "
                       "if needed)"),
              cl::value_desc("dir"), cl::cat(category));
static cl::opt<unsigned>
    benchmarkRuns("benchmark",
                  cl::desc("Run N timed times and report p50/p90/p99 latency"),
                  cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<unsigned>
    warmupRuns("warmup",
               cl::desc("Untimed runs before the timed ones (default 0, or 3 "
                        "with --benchmark)"),
               cl::value_desc("W"), cl::cat(category));
/// --threads. libLLVM registers an unrelated option of that name, so this one
/// is created in main() after that one is removed (see registerThreads()).
static cl::opt<int32_t> *threadsOption = nullptr;
static cl::opt<bool>
    jsonOutput("json",
               cl::desc("Print one JSON object (compile_ms, load_ms, p50_ms, "
                        "p90_ms, p99_ms, outputs) and nothing else on stdout"),
               cl::cat(category));
static cl::opt<bool>
    noCache("no-cache",
            cl::desc("Compile in process (JIT) without reading or writing the "
                     "compile cache ($XDG_CACHE_HOME/kiln or ~/.cache/kiln)"),
            cl::cat(category));
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
static cl::opt<unsigned>
    printLimit("print-limit",
               cl::desc("Values printed per tensor (default 16)"), cl::init(16),
               cl::cat(category));
static cl::opt<bool> timings("timings",
                             cl::desc("Print the time of every compile stage"),
                             cl::cat(category));

static constexpr const char *kTool = "kiln-run";

static void registerThreads() {
  threadsOption = &tools::registerThreadsOption(
      category, "Threads for the runtime session (default 1): the oneDNN "
                "kernels (convolutions, matrix products) use that many; "
                "so do generated loops (at -O1 and above)");
}

/// --input NAME=VALUE, by name.
static Expected<std::map<std::string, std::string>> collectInputValues() {
  std::map<std::string, std::string> values;
  for (const std::string &entry : inputValues) {
    auto [name, value] = StringRef(entry).split('=');
    if (name.empty() || !StringRef(entry).contains('='))
      return createStringError("--input expects NAME=FILE or NAME=V,V,..., "
                               "got '" +
                               entry + "'");
    if (!values.emplace(name.str(), value.str()).second)
      return createStringError("--input " + name.str() + " is given twice");
  }
  return values;
}

/// The inputs of `function` from --input and, with --random-inputs, random
/// values for the rest. Printed unless --json.
static Expected<std::vector<rt::Tensor>>
prepareInputs(const rt::Function &function,
              std::map<std::string, std::string> given) {
  std::vector<rt::Tensor> inputs;
  std::vector<rt::ValueInfo> signature = function.inputs();
  std::string names;
  for (const rt::ValueInfo &info : signature)
    names += (names.empty() ? "" : ", ") + info.name;
  for (auto [index, info] : llvm::enumerate(signature)) {
    auto found = given.find(info.name);
    bool random = found == given.end();
    if (random && !randomInputs)
      return createStringError("input '" + info.name +
                               "' is not given: pass --input " + info.name +
                               "=FILE.npy (or values), or --random-inputs");
    Expected<rt::Tensor> tensor =
        random ? tools::makeRandomTensor(info, seed + index)
               : tools::loadInput(info, found->second);
    if (!tensor)
      return tensor.takeError();
    if (!jsonOutput)
      outs() << "input " << info.name << ": "
             << tools::formatTensorSummary(*tensor, printLimit)
             << (random ? "  (random)" : "") << "\n";
    if (!random)
      given.erase(found);
    inputs.push_back(std::move(*tensor));
  }
  if (!given.empty())
    return createStringError(
        "function '" + function.name() + "' has no input '" +
        given.begin()->first +
        "' (its inputs: " + (names.empty() ? "none" : names) + ")");
  return std::move(inputs);
}

/// Creates --output-dir if needed and checks that files can be made in it,
/// before anything is compiled.
static Error checkOutputDir() {
  if (outputDir.empty())
    return Error::success();
  if (std::error_code error = sys::fs::create_directories(outputDir))
    return createStringError(error, "cannot create the output folder '" +
                                        outputDir + "': " + error.message());
  SmallString<256> probe;
  int fd;
  if (std::error_code error = sys::fs::createUniqueFile(
          outputDir + "/.kiln-run-probe-%%%%%%", fd, probe))
    return createStringError(error, "cannot write to the output folder '" +
                                        outputDir + "': " + error.message());
  sys::fs::closeFile(fd);
  sys::fs::remove(probe);
  return Error::success();
}

/// A file name for output `name`: its characters outside [A-Za-z0-9._-]
/// replaced by '_', never hidden or empty, unique among `taken`.
static std::string outputFileName(StringRef name,
                                  std::vector<std::string> &taken) {
  std::string base;
  for (char c : name)
    base += llvm::isAlnum(c) || c == '.' || c == '_' || c == '-' ? c : '_';
  if (base.empty() || base.front() == '.')
    base = "output" + base;
  std::string file = base + ".npy";
  for (int i = 1; llvm::is_contained(taken, file); ++i)
    file = base + "_" + std::to_string(i) + ".npy";
  taken.push_back(file);
  return file;
}

/// Writes every output as DIR/<name>.npy, all or none.
static Error writeOutputs(const std::vector<rt::ValueInfo> &signature,
                          const std::vector<rt::Tensor> &outputs) {
  driver::OutputFiles files;
  std::vector<std::string> taken;
  for (size_t i = 0; i < outputs.size(); ++i) {
    auto bytes = tools::npy::serialize(outputs[i]);
    if (!bytes)
      return createStringError("cannot write output '" + signature[i].name +
                               "': " + toString(bytes.takeError()));
    SmallString<256> path(outputDir);
    sys::path::append(path, outputFileName(signature[i].name, taken));
    if (Error error =
            files.write(path, ArrayRef<char>(bytes->data(), bytes->size())))
      return error;
  }
  return files.commit();
}

static void printJson(const tools::LoadedModel &model,
                      const rt::Function &function,
                      const tools::Latencies &latencies,
                      const std::vector<rt::Tensor> &outputs) {
  std::vector<rt::ValueInfo> signature = function.outputs();
  json::OStream os(outs(), 2);
  os.object([&] {
    os.attribute("model", modelPath);
    os.attribute("function", function.name());
    os.attribute("cached", model.cached);
    // Times in milliseconds with six significant digits; compile_ms of a
    // cache hit is exactly 0.
    auto milliseconds = [&](StringRef name, double seconds) {
      os.attributeBegin(name);
      os.rawValue(formatv("{0}", format("%.6g", seconds * 1e3)).str());
      os.attributeEnd();
    };
    milliseconds("compile_ms", model.compileSeconds);
    milliseconds("load_ms", model.loadSeconds);
    os.attribute("threads", static_cast<int64_t>(latencies.threads));
    os.attribute("runs", static_cast<int64_t>(latencies.runs.size()));
    os.attribute("warmup", static_cast<int64_t>(latencies.warmup));
    milliseconds("p50_ms", latencies.percentile(50));
    milliseconds("p90_ms", latencies.percentile(90));
    milliseconds("p99_ms", latencies.percentile(99));
    os.attributeArray("outputs", [&] {
      for (size_t i = 0; i < outputs.size(); ++i)
        os.object([&] {
          os.attribute("name", signature[i].name);
          os.attribute("dtype", kiln_dtype_name(outputs[i].dtype()));
          os.attributeArray("shape", [&] {
            for (int64_t dim : outputs[i].shape())
              os.value(dim);
          });
          os.attribute("checksum",
                       tools::formatChecksum(outputs[i].checksum()));
        });
    });
  });
  outs() << "\n";
}

/// A duration for people: "1.25 s", "3.210 ms" or "812 ns".
static std::string formatDuration(double seconds) {
  if (seconds >= 1)
    return formatv("{0:f2} s", seconds).str();
  if (seconds >= 1e-4)
    return formatv("{0:f3} ms", seconds * 1e3).str();
  if (seconds >= 1e-6)
    return formatv("{0:f2} us", seconds * 1e6).str();
  return formatv("{0:f0} ns", seconds * 1e9).str();
}

static void printHuman(const rt::Function &function,
                       const tools::Latencies &latencies,
                       const std::vector<rt::Tensor> &outputs) {
  if (latencies.runs.size() == 1)
    outs() << "ran " << function.name() << " in "
           << formatDuration(latencies.runs[0]) << "\n";
  else
    outs() << "ran " << function.name() << " " << latencies.runs.size()
           << " times after " << latencies.warmup << " warm-up runs: p50 "
           << formatDuration(latencies.percentile(50)) << ", p90 "
           << formatDuration(latencies.percentile(90)) << ", p99 "
           << formatDuration(latencies.percentile(99)) << " (min "
           << formatDuration(latencies.min()) << ", mean "
           << formatDuration(latencies.mean()) << ")\n";
  std::vector<rt::ValueInfo> signature = function.outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    // A sequence the model decided at run time ("NAME.values" and
    // "NAME.index", runtime.h) is printed element by element, as NAME[k].
    StringRef name = signature[i].name;
    if (name.consume_back(".values") && i + 1 < outputs.size() &&
        signature[i + 1].name == (name + ".index").str()) {
      try {
        std::vector<rt::Tensor> elements =
            rt::sequenceElements(outputs[i], outputs[i + 1]);
        outs() << "output " << name << ": a sequence of " << elements.size()
               << " tensors\n";
        for (size_t k = 0; k < elements.size(); ++k)
          outs() << "output " << name << "[" << k
                 << "]: " << tools::formatTensorSummary(elements[k], printLimit)
                 << "\n";
        ++i;
        continue;
      } catch (const rt::Error &) {
        // Not a well-formed sequence: show the tensors as they are.
      }
    }
    outs() << "output " << signature[i].name << ": "
           << tools::formatTensorSummary(outputs[i], printLimit) << "\n";
  }
}

static Expected<rt::Function> chooseFunction(const rt::Module &module) {
  try {
    if (!functionName.empty())
      return module.function(functionName);
    std::vector<rt::Function> functions = module.functions();
    if (functions.empty())
      return createStringError("the module has no functions");
    return functions.front();
  } catch (const rt::Error &error) {
    return createStringError(error.what());
  }
}

static int run() {
  if (optLevel > 3)
    return tools::reportError(kTool,
                              createStringError("-O must be 0, 1, 2 or 3"));
  driver::CompileOptions targetChoice;
  if (llvm::Error error = tools::applyTargetOptions(
          target, cpuKernels, cpuKernels.getNumOccurrences() > 0,
          targetChoice))
    return tools::reportError(kTool, std::move(error));
  // Said before minutes of compiling: a CUDA module cannot load without a
  // device.
  if (targetChoice.target == driver::Target::Cuda)
    if (llvm::Error error = tools::checkCudaDevice())
      return tools::reportError(kTool, std::move(error));
  int32_t threads = *threadsOption;
  if (threads < 0)
    return tools::reportError(
        kTool, createStringError("--threads must be 0 (default) or more"));
  auto given = collectInputValues();
  if (!given)
    return tools::reportError(kTool, given.takeError());
  tools::ModelRequest request;
  request.modelPath = modelPath;
  request.optLevel = optLevel;
  request.cpuKernels = cpuKernels;
  request.target = targetChoice.target;
  request.cudaArch = targetChoice.cudaArch;
  request.cudaKernels = targetChoice.cudaKernels;
  request.useCache = !noCache;
  for (const std::string &shape : shapes) {
    auto parsed = tools::parseShapeOption(shape);
    if (!parsed)
      return tools::reportError(kTool, parsed.takeError());
    request.importOptions.inputShapes.push_back(std::move(*parsed));
  }
  for (const std::string &sequence : sequences) {
    auto parsed = tools::parseSequenceOption(sequence);
    if (!parsed)
      return tools::reportError(kTool, parsed.takeError());
    request.importOptions.sequenceInputs.push_back(std::move(*parsed));
  }
  for (const std::string &name : emptyOptionals)
    request.importOptions.emptyOptionalInputs.push_back(name);
  if (Error error = checkOutputDir())
    return tools::reportError(kTool, std::move(error));

  tools::StageReporter reporter(kTool, /*showProgress=*/true);
  auto model = tools::obtainModule(request, reporter);
  if (!model)
    return tools::reportError(kTool, model.takeError());
  if (!jsonOutput) {
    if (model->cached)
      outs() << "loaded " << modelPath << " from the compile cache in "
             << format("%.1f ms", model->loadSeconds * 1e3)
             << " (compiled for the host CPU)\n";
    else
      outs() << "compiled " << modelPath << " in "
             << format("%.1f ms", model->compileSeconds * 1e3)
             << (model->cacheStored
                     ? " (host CPU; stored in the compile cache)\n"
                     : " (JIT, host CPU)\n");
    if (timings)
      reporter.printTimings(outs());
  }

  auto function = chooseFunction(model->module);
  if (!function)
    return tools::reportError(kTool, function.takeError());
  auto inputs = prepareInputs(*function, std::move(*given));
  if (!inputs)
    return tools::reportError(kTool, inputs.takeError());

  std::vector<rt::Tensor> outputs;
  unsigned warmup = warmupRuns.getNumOccurrences() ? warmupRuns.getValue()
                    : benchmarkRuns > 0            ? 3
                                                   : 0;
  auto latencies =
      tools::runTimed(*function, *inputs, outputs, threads,
                      std::max(1u, benchmarkRuns.getValue()), warmup);
  if (!latencies)
    return tools::reportError(kTool, latencies.takeError());
  if (!outputDir.empty())
    if (Error error = writeOutputs(function->outputs(), outputs))
      return tools::reportError(kTool, std::move(error));
  if (jsonOutput)
    printJson(*model, *function, *latencies, outputs);
  else
    printHuman(*function, *latencies, outputs);
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  registerThreads();
  cl::HideUnrelatedOptions(category);
  tools::setVersionPrinter(kTool);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kiln-run: compile a model in this process (or load it from the compile "
      "cache)\nand run it\n\n"
      "  kiln-run model.mlir --input x=0,0,0,1,1,0,1,1\n"
      "  kiln-run model.onnx --input input=image.npy --output-dir out/\n"
      "  kiln-run model.onnx --random-inputs --benchmark 100 --json\n"
      "  kiln-run model.onnx --random-inputs --target=cuda    # on a GPU\n\n"
      "Prints each input and output (type, first values, sum and FNV-1a "
      "checksum of\nthe bytes) and the compile and run times.\n");
  return run();
}
