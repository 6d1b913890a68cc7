//===- RunModel.cpp - kiln-run's compile-or-load and timed runs -----------===//

#include "RunModel.h"

#include "kiln/Driver/CompileCache.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace kiln::tools {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void warn(const llvm::Twine &message) {
  llvm::WithColor::warning(llvm::errs(), "kiln-run") << message << "\n";
}

/// Everything besides the model's bytes that the compiled library depends
/// on, for the cache key.
std::string describeOptions(const ModelRequest &request) {
  std::string text = "opt=" + std::to_string(request.optLevel) +
                     ";kernels=" + request.cpuKernels + ";target=" +
                     (request.target == driver::Target::Cuda
                          ? "cuda:" + request.cudaArch + ":" +
                                request.cudaKernels
                          : std::string("cpu")) +
                     ";shapes=";
  for (const auto &[name, dims] : request.importOptions.inputShapes) {
    text += std::to_string(name.size()) + ":" + name + "=";
    for (int64_t dim : dims)
      text += std::to_string(dim) + "x";
    text += ";";
  }
  // Sequence and optional inputs change the compiled function too.
  text += "sequences=";
  for (const auto &[name, shapes] : request.importOptions.sequenceInputs) {
    text += std::to_string(name.size()) + ":" + name + "=";
    for (const auto &dims : shapes) {
      text += "[";
      for (int64_t dim : dims)
        text += std::to_string(dim) + "x";
      text += "]";
    }
    text += ";";
  }
  text += "empty=";
  for (const std::string &name : request.importOptions.emptyOptionalInputs)
    text += std::to_string(name.size()) + ":" + name + ";";
  return text;
}

driver::CompileOptions compileOptions(const ModelRequest &request,
                                      StageReporter &reporter) {
  driver::CompileOptions options;
  options.optLevel = request.optLevel;
  options.cpuKernels = request.cpuKernels;
  options.target = request.target;
  if (request.target == driver::Target::Cuda) {
    options.cudaArch = request.cudaArch;
    options.cudaKernels = request.cudaKernels;
  }
  reporter.attach(options);
  return options;
}

llvm::Expected<LoadedModel> compileInProcess(const ModelRequest &request,
                                             driver::Compiler &compiler,
                                             mlir::ModuleOp module,
                                             StageReporter &reporter,
                                             Clock::time_point start) {
  auto loaded =
      compiler.compileToJit(module, compileOptions(request, reporter));
  if (!loaded)
    return loaded.takeError();
  return LoadedModel{std::move(*loaded), false, false, secondsSince(start), 0};
}

llvm::Expected<rt::Module> loadEntry(const std::string &path) {
  try {
    return rt::Module::load(path);
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
}

} // namespace

llvm::Expected<LoadedModel> obtainModule(const ModelRequest &request,
                                         StageReporter &reporter) {
  Clock::time_point start = Clock::now();
  auto bytes = llvm::MemoryBuffer::getFile(request.modelPath,
                                           /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bytes)
    return llvm::createStringError(bytes.getError(),
                                   "cannot read '" + request.modelPath +
                                       "': " + bytes.getError().message());

  std::optional<driver::CompileCache> cache;
  std::string key;
  if (request.useCache) {
    auto directory = driver::CompileCache::defaultDirectory();
    if (directory)
      cache.emplace(*directory);
    else
      warn("compiling without the cache: " +
           llvm::toString(directory.takeError()));
  }
  if (cache) {
    key = driver::CompileCache::computeKey(
        (*bytes)->getBuffer(), llvm::sys::path::extension(request.modelPath),
        describeOptions(request));
    std::string reason;
    switch (cache->check(key, &reason)) {
    case driver::CompileCache::EntryState::Valid: {
      // On a hit, loading is everything from reading the model to here.
      auto module = loadEntry(cache->entryPath(key));
      if (module)
        return LoadedModel{std::move(*module), true, false, 0,
                           secondsSince(start)};
      warn("cannot load the cache entry '" + cache->entryPath(key) + "' (" +
           llvm::toString(module.takeError()) + "); compiling again");
      cache->remove(key);
      break;
    }
    case driver::CompileCache::EntryState::Invalid:
      warn("the cache entry '" + cache->entryPath(key) + "' is invalid (" +
           reason + "); compiling again");
      cache->remove(key);
      break;
    case driver::CompileCache::EntryState::Missing:
      break;
    }
  }

  driver::Compiler compiler;
  auto module = reporter.timeImport([&] {
    return compiler.loadModel(request.modelPath, request.importOptions);
  });
  if (!module)
    return module.takeError();
  if (!cache)
    return compileInProcess(request, compiler, **module, reporter, start);

  bool compileFailed = false;
  llvm::Error stored = cache->store(key, [&](llvm::StringRef path) {
    llvm::Error error = compiler.compileToFile(
        **module, path, driver::OutputKind::SharedLibrary,
        compileOptions(request, reporter));
    compileFailed = static_cast<bool>(error);
    return error;
  });
  if (stored) {
    // A model the compiler rejects is an error; a cache that cannot be
    // written (or a missing linker) only costs the cache.
    if (compileFailed && reporter.lastStage() != "link shared library")
      return std::move(stored);
    warn("cannot use the compile cache (" + llvm::toString(std::move(stored)) +
         "); compiling in process instead");
    return compileInProcess(request, compiler, **module, reporter, start);
  }
  double compileSeconds = secondsSince(start);
  Clock::time_point loadStart = Clock::now();
  auto loaded = loadEntry(cache->entryPath(key));
  if (!loaded)
    return loaded.takeError();
  return LoadedModel{std::move(*loaded), false, true, compileSeconds,
                     secondsSince(loadStart)};
}

double Latencies::percentile(double p) const {
  if (runs.empty())
    return 0;
  std::vector<double> sorted = runs;
  std::sort(sorted.begin(), sorted.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double Latencies::min() const {
  return runs.empty() ? 0 : *std::min_element(runs.begin(), runs.end());
}

double Latencies::mean() const {
  return runs.empty() ? 0
                      : std::accumulate(runs.begin(), runs.end(), 0.0) /
                            static_cast<double>(runs.size());
}

llvm::Expected<Latencies> runTimed(const rt::Function &function,
                                   const std::vector<rt::Tensor> &inputs,
                                   std::vector<rt::Tensor> &outputs,
                                   int32_t threads, unsigned runs,
                                   unsigned warmup) {
  try {
    rt::Session session(function, rt::SessionOptions{threads});
    std::vector<const rt::Tensor *> pointers;
    for (const rt::Tensor &input : inputs)
      pointers.push_back(&input);
    outputs.clear();
    // Outputs of fixed shape are allocated once, so that no timed run measures
    // allocation; outputs sized at run time are allocated by the function on
    // every run (their slots must be empty when a run starts).
    std::vector<bool> allocatedByFunction;
    for (const rt::ValueInfo &info : function.outputs()) {
      bool dynamic =
          llvm::any_of(info.dims, [](int64_t dim) { return dim < 0; });
      allocatedByFunction.push_back(dynamic);
      outputs.push_back(dynamic ? rt::Tensor()
                                : rt::Tensor::create(info.dtype, info.dims));
    }
    auto runOnce = [&] {
      for (size_t i = 0; i < outputs.size(); ++i)
        if (allocatedByFunction[i])
          outputs[i].reset();
      session.run(pointers, outputs);
    };
    Latencies latencies;
    latencies.warmup = warmup;
    latencies.threads = session.threads();
    for (unsigned i = 0; i < warmup; ++i)
      runOnce();
    for (unsigned i = 0; i < runs; ++i) {
      Clock::time_point start = Clock::now();
      runOnce();
      latencies.runs.push_back(secondsSince(start));
    }
    return latencies;
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
}

} // namespace kiln::tools
