//===- RunModel.h - kiln-run's compile-or-load and timed runs -------------===//

#ifndef KILN_TOOLS_KILN_RUN_RUNMODEL_H
#define KILN_TOOLS_KILN_RUN_RUNMODEL_H

#include "ToolSupport.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.hpp"

#include <string>
#include <vector>

namespace kiln::tools {

/// What to compile and how.
struct ModelRequest {
  std::string modelPath;
  driver::ImportOptions importOptions;
  unsigned optLevel = 2;
  /// CompileOptions::cpuKernels.
  std::string cpuKernels = "auto";
  /// CompileOptions::target, cudaArch and cudaKernels.
  driver::Target target = driver::Target::Cpu;
  std::string cudaArch;
  std::string cudaKernels;
  /// Read and write the compile cache; otherwise compile in process (JIT).
  bool useCache = true;
};

/// A module ready to run, and what getting it cost.
struct LoadedModel {
  rt::Module module;
  /// Loaded from a valid cache entry (compileSeconds is then 0).
  bool cached = false;
  /// Compiled into a new cache entry (rather than in process).
  bool cacheStored = false;
  /// Loading the model file and compiling it (0 for a cache hit).
  double compileSeconds = 0;
  /// Verifying and loading the compiled library (0 for JIT, whose loading is
  /// part of compiling).
  double loadSeconds = 0;
};

/// Loads the model from the compile cache, or compiles it (into the cache
/// when possible, else in process). A cache entry that fails verification is
/// reported on stderr, removed and rebuilt; it is never loaded.
llvm::Expected<LoadedModel> obtainModule(const ModelRequest &request,
                                         StageReporter &reporter);

/// The wall-clock seconds of each timed run.
struct Latencies {
  std::vector<double> runs;
  unsigned warmup = 0;
  int32_t threads = 1;

  /// The nearest-rank percentile `p` (0 < p <= 100) of the runs.
  double percentile(double p) const;
  double min() const;
  double mean() const;
};

/// Runs `function` `warmup` + `runs` times in one session with `threads`
/// threads, writing into `outputs` (allocated here), and times the last
/// `runs`.
llvm::Expected<Latencies> runTimed(const rt::Function &function,
                                   const std::vector<rt::Tensor> &inputs,
                                   std::vector<rt::Tensor> &outputs,
                                   int32_t threads, unsigned runs,
                                   unsigned warmup);

} // namespace kiln::tools

#endif // KILN_TOOLS_KILN_RUN_RUNMODEL_H
