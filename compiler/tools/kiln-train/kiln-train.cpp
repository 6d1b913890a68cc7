//===- kiln-train.cpp - Train an ONNX model with a compiled train step ----===//
//
// A thin shell around driver::Trainer: reads the data (.npy), splits off a
// validation set, runs epochs of compiled train steps with a progress bar,
// reports loss and accuracy, and writes the trained model back as ONNX (plus
// an optional CSV log and SVG loss curve).
//
//===----------------------------------------------------------------------===//

#include "TrainingReport.h"

#include "Npy.h"
#include "ToolSupport.h"
#include "kiln/Driver/OutputFiles.h"
#include "kiln/Driver/Trainer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

using namespace llvm;
using namespace kiln;

static constexpr StringLiteral kTool = "kiln-train";

static cl::OptionCategory category("kiln-train options");
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    inputOption("input",
                cl::desc("The training inputs: NAME=FILE.npy, one sample per "
                         "row of the first dim (NAME may be left out for a "
                         "model of one input)"),
                cl::value_desc("name=file"), cl::Required, cl::cat(category));
static cl::opt<std::string>
    targetPath("target",
               cl::desc("The targets (.npy), one per sample: class indices "
                        "for cross_entropy, else values of the output's shape"),
               cl::value_desc("file"), cl::Required, cl::cat(category));
static cl::opt<std::string>
    lossName("loss",
             cl::desc("cross_entropy (logits, class indices), bce_with_logits, "
                      "mse or l1 (default cross_entropy)"),
             cl::init("cross_entropy"), cl::cat(category));
static cl::opt<std::string>
    outputName("output",
               cl::desc("The model output to train (default: the "
                        "first)"),
               cl::value_desc("name"), cl::cat(category));
static cl::opt<std::string>
    optimizerName("optimizer", cl::desc("sgd, adam or adamw (default adam)"),
                  cl::init("adam"), cl::cat(category));
static cl::opt<double> learningRate("lr",
                                    cl::desc("Learning rate (default 1e-3)"),
                                    cl::init(1e-3), cl::cat(category));
static cl::opt<double> momentum("momentum",
                                cl::desc("SGD momentum (default 0)"),
                                cl::init(0), cl::cat(category));
static cl::opt<bool> nesterov("nesterov", cl::desc("Nesterov momentum (SGD)"),
                              cl::cat(category));
static cl::opt<double> weightDecay("weight-decay",
                                   cl::desc("Weight decay (default 0)"),
                                   cl::init(0), cl::cat(category));
static cl::opt<double>
    clipNorm("clip-norm",
             cl::desc("Clip the gradients' global L2 norm to this (default: "
                      "no clipping)"),
             cl::init(0), cl::cat(category));
static cl::opt<int64_t> batchSize("batch",
                                  cl::desc("Samples per step (default 32)"),
                                  cl::init(32), cl::cat(category));
static cl::opt<unsigned> epochs("epochs", cl::desc("Epochs (default 10)"),
                                cl::init(10), cl::cat(category));
static cl::opt<double>
    validationSplit("validation-split",
                    cl::desc("Fraction of the samples held out for validation "
                             "(default 0.2)"),
                    cl::init(0.2), cl::cat(category));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Seed of the shuffles (default 0)"),
                              cl::init(0), cl::cat(category));
static cl::list<std::string>
    freeze("freeze",
           cl::desc("Do not train the weights whose names match this glob "
                    "pattern (repeatable)"),
           cl::value_desc("pattern"), cl::cat(category));
static cl::opt<bool> evalMode(
    "eval-mode",
    cl::desc("Train with BatchNormalization on its running statistics and "
             "Dropout off, as PyTorch's model.eval(); by default they run as "
             "under model.train(): batch statistics, running statistics "
             "updated every step (and saved), dropout masks drawn from the "
             "step number"),
    cl::cat(category));
static cl::opt<std::string>
    savePath("save",
             cl::desc("Write the trained model here (ONNX, checked by ONNX's "
                      "checker)"),
             cl::value_desc("file.onnx"), cl::cat(category));
static cl::opt<std::string>
    logPath("log", cl::desc("Write one CSV row of figures per epoch here"),
            cl::value_desc("file.csv"), cl::cat(category));
static cl::opt<std::string>
    plotPath("plot", cl::desc("Draw the loss curves here (SVG)"),
             cl::value_desc("file.svg"), cl::cat(category));
static cl::opt<std::string> gradientsDir(
    "write-gradients",
    cl::desc("Do not train: write the loss's gradient with respect to each "
             "weight, for the first --batch samples in file order and the "
             "initial weights, as DIR/<weight>.npy (and the loss as "
             "DIR/loss.npy), to compare with another framework"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool> checkGradientsOption(
    "check-gradients",
    cl::desc("Do not train: compare the compiled gradients on the first "
             "--batch samples with central differences of the loss, for up "
             "to 8 random entries of every weight, and report the worst "
             "(exit status 1 when one is off)"),
    cl::cat(category));
static cl::opt<unsigned>
    benchmarkSteps("benchmark",
                   cl::desc("Do not train: time N train steps on the first "
                            "batch (after 3 untimed ones) and print the "
                            "median"),
                   cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<std::string> checkpointDir(
    "checkpoint",
    cl::desc("After every epoch, write the weights, the optimizer state and "
             "the step count here (DIR/weights/*.npy, DIR/state/*.npy, "
             "DIR/steps.npy), replacing the previous checkpoint"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string> resumeDir(
    "resume",
    cl::desc("Start from a checkpoint written by --checkpoint (same model "
             "and options)"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string> validationIndicesPath(
    "validation-indices",
    cl::desc("Write the indices of the held-out samples here (.npy, int64)"),
    cl::value_desc("file.npy"), cl::cat(category));
/// --threads, created in main() (see tools::registerThreadsOption).
static cl::opt<int32_t> *threadsOption = nullptr;
static cl::opt<std::string>
    cpuKernels("cpu-kernels",
               cl::desc("Who runs convolutions and matrix products: auto "
                        "(default), onednn or codegen"),
               cl::init("auto"), cl::cat(category));
// --target names the training targets here: the device is --device.
static tools::TargetOptions device =
    tools::registerTargetOptions(category, "device");

namespace {

/// The samples of the data set: inputs and targets, as read.
struct DataSet {
  rt::Tensor inputs, targets;
  int64_t count = 0;
  size_t inputRowBytes = 0, targetRowBytes = 0;
};

llvm::Expected<DataSet> readData(StringRef inputPath) {
  DataSet data;
  auto inputs = tools::npy::readFile(inputPath);
  if (!inputs)
    return inputs.takeError();
  auto targets = tools::npy::readFile(targetPath);
  if (!targets)
    return targets.takeError();
  if (inputs->dtype() != KILN_DTYPE_F32 || inputs->rank() < 1)
    return createStringError("'" + inputPath +
                             "' must hold float32 samples along its first "
                             "dim");
  if (targets->rank() < 1 || targets->shape()[0] != inputs->shape()[0])
    return createStringError("'" + targetPath + "' must hold one target per " +
                             "sample (" + Twine(inputs->shape()[0]) + ")");
  if (lossName == "cross_entropy") {
    if (targets->rank() != 1 || (targets->dtype() != KILN_DTYPE_I64 &&
                                 targets->dtype() != KILN_DTYPE_I32))
      return createStringError("'" + targetPath +
                               "' must hold one integer class index per "
                               "sample for cross_entropy");
    if (targets->dtype() == KILN_DTYPE_I32) {
      rt::Tensor widened = rt::Tensor::create(KILN_DTYPE_I64, targets->shape());
      for (int64_t i = 0; i < targets->elementCount(); ++i)
        widened.data<int64_t>()[i] = targets->data<int32_t>()[i];
      *targets = std::move(widened);
    }
  } else if (targets->dtype() != KILN_DTYPE_F32) {
    return createStringError("'" + targetPath + "' must hold float32 values");
  }
  data.count = inputs->shape()[0];
  data.inputRowBytes = inputs->byteSize() / std::max<int64_t>(data.count, 1);
  data.targetRowBytes = targets->byteSize() / std::max<int64_t>(data.count, 1);
  data.inputs = std::move(*inputs);
  data.targets = std::move(*targets);
  return data;
}

/// Copies rows `rows` of `source` (rows of `rowBytes`) into a batch tensor
/// of `info`'s shape; rows past the end of `rows` stay zero.
rt::Tensor gatherRows(const rt::Tensor &source, size_t rowBytes,
                      ArrayRef<int64_t> rows, const rt::ValueInfo &info) {
  rt::Tensor batch = rt::Tensor::create(info.dtype, info.dims);
  auto *to = static_cast<char *>(kiln_tensor_data(batch.get()));
  const auto *from =
      static_cast<const char *>(kiln_tensor_const_data(source.get()));
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(to + i * rowBytes, from + rows[i] * rowBytes, rowBytes);
  return batch;
}

/// The class with the largest logit in row `row` of a [N, C] prediction.
int64_t argmaxRow(const rt::Tensor &logits, int64_t row) {
  int64_t classes = logits.shape()[1];
  const float *values = logits.data<float>() + row * classes;
  return std::max_element(values, values + classes) - values;
}

/// The loss of row `row` (of `size` values) as the compiled step computes it.
double rowLoss(const float *prediction, const rt::Tensor &targets,
               int64_t sample, int64_t size) {
  if (lossName == "cross_entropy") {
    double maximum = *std::max_element(prediction, prediction + size);
    double sum = 0;
    for (int64_t c = 0; c < size; ++c)
      sum += std::exp(prediction[c] - maximum);
    int64_t target = targets.data<int64_t>()[sample];
    return std::log(sum) + maximum - prediction[target];
  }
  const float *target = targets.data<float>() + sample * size;
  double total = 0;
  for (int64_t i = 0; i < size; ++i) {
    double z = prediction[i], t = target[i], d = z - t;
    if (lossName == "mse")
      total += d * d;
    else if (lossName == "l1")
      total += std::abs(d);
    else
      total += std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::abs(z)));
  }
  return total / size;
}

/// A progress bar on stderr, redrawn at most ten times a second when stderr
/// is a terminal.
class ProgressBar {
public:
  ProgressBar(unsigned epoch, int64_t total)
      : epoch(epoch), total(total),
        interactive(sys::Process::StandardErrIsDisplayed()),
        start(Clock::now()) {}

  void update(int64_t done, double loss, double accuracy, int64_t samples) {
    if (!interactive)
      return;
    auto now = Clock::now();
    if (done < total && now - lastDraw < std::chrono::milliseconds(100))
      return;
    lastDraw = now;
    double seconds = std::chrono::duration<double>(now - start).count();
    double rate = seconds > 0 ? samples / seconds : 0;
    double eta = done > 0 ? seconds * (total - done) / done : 0;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * done / std::max<int64_t>(total, 1));
    std::string bar(filled, '=');
    if (filled < kWidth)
      bar += '>' + std::string(kWidth - filled - 1, ' ');
    errs() << format("\repoch %u/%u [%s] %lld/%lld loss %.4f", epoch,
                     unsigned(epochs), bar.c_str(), (long long)done,
                     (long long)total, loss);
    if (accuracy >= 0)
      errs() << format(" acc %.1f%%", 100 * accuracy);
    errs() << format(" %.0f samples/s ETA %.1f s ", rate, eta);
  }

  void finish() {
    if (interactive)
      errs() << "\r" << std::string(100, ' ') << "\r";
  }

private:
  using Clock = std::chrono::steady_clock;
  unsigned epoch;
  int64_t total;
  bool interactive;
  Clock::time_point start, lastDraw;
};

/// --write-gradients: the first batch's gradients as .npy files.
Error writeGradients(driver::Trainer &trainer, const DataSet &data) {
  std::vector<int64_t> rows(batchSize);
  std::iota(rows.begin(), rows.end(), 0);
  rt::Tensor input =
      gatherRows(data.inputs, data.inputRowBytes, rows, trainer.inputInfo());
  rt::Tensor target =
      gatherRows(data.targets, data.targetRowBytes, rows, trainer.targetInfo());
  auto computed = trainer.gradients(input, target);
  if (!computed)
    return computed.takeError();
  if (std::error_code error = sys::fs::create_directories(gradientsDir))
    return createStringError("cannot create '" + gradientsDir +
                             "': " + error.message());
  driver::OutputFiles files;
  auto writeNpy = [&](StringRef name, const rt::Tensor &tensor) -> Error {
    std::string file;
    for (char c : name)
      file += isAlnum(c) || c == '.' || c == '_' || c == '-' ? c : '_';
    SmallString<256> path(gradientsDir);
    sys::path::append(path, file + ".npy");
    auto bytes = tools::npy::serialize(tensor);
    if (!bytes)
      return bytes.takeError();
    return files.write(path, ArrayRef<char>(bytes->data(), bytes->size()));
  };
  rt::Tensor loss = rt::Tensor::create(KILN_DTYPE_F32, {});
  *loss.data<float>() = computed->loss;
  if (Error error = writeNpy("loss", loss))
    return error;
  for (size_t i = 0; i < computed->gradients.size(); ++i)
    if (Error error =
            writeNpy(trainer.parameterNames()[i], computed->gradients[i]))
      return error;
  if (Error error = files.commit())
    return error;
  outs() << "loss " << format("%.6g", computed->loss) << " on the first "
         << batchSize << " samples; wrote " << computed->gradients.size()
         << " gradients to " << gradientsDir << "\n";
  return Error::success();
}

/// The .npy file for tensor `name` under `folder`.
std::string npyPath(StringRef folder, StringRef name) {
  std::string file;
  for (char c : name)
    file += isAlnum(c) || c == '.' || c == '_' || c == '-' ? c : '_';
  SmallString<256> path(folder);
  sys::path::append(path, file + ".npy");
  return path.str().str();
}

/// --checkpoint: the weights, the optimizer state and the step count, all
/// written or none.
Error writeCheckpoint(const driver::Trainer &trainer) {
  for (StringRef sub : {"weights", "state"}) {
    SmallString<256> folder(checkpointDir);
    sys::path::append(folder, sub);
    if (std::error_code error = sys::fs::create_directories(folder))
      return createStringError("cannot create '" + folder +
                               "': " + error.message());
  }
  driver::OutputFiles files;
  auto write = [&](StringRef sub, StringRef name,
                   const rt::Tensor &tensor) -> Error {
    SmallString<256> folder(checkpointDir);
    sys::path::append(folder, sub);
    auto bytes = tools::npy::serialize(tensor);
    if (!bytes)
      return bytes.takeError();
    return files.write(npyPath(folder, name),
                       ArrayRef<char>(bytes->data(), bytes->size()));
  };
  for (size_t i = 0; i < trainer.parameters().size(); ++i)
    if (Error error = write("weights", trainer.parameterNames()[i],
                            trainer.parameters()[i]))
      return error;
  std::vector<std::string> stateNames = trainer.optimizerStateNames();
  for (size_t i = 0; i < stateNames.size(); ++i)
    if (Error error =
            write("state", stateNames[i], trainer.optimizerState()[i]))
      return error;
  rt::Tensor steps = rt::Tensor::create(KILN_DTYPE_I64, {});
  *steps.data<int64_t>() = trainer.steps();
  if (Error error = write("", "steps", steps))
    return error;
  return files.commit();
}

/// --resume: reads what writeCheckpoint wrote.
Error readCheckpoint(driver::Trainer &trainer) {
  auto read = [&](StringRef sub, StringRef name) {
    SmallString<256> folder(resumeDir);
    sys::path::append(folder, sub);
    return tools::npy::readFile(npyPath(folder, name));
  };
  std::vector<rt::Tensor> weights, state;
  for (const std::string &name : trainer.parameterNames()) {
    auto tensor = read("weights", name);
    if (!tensor)
      return tensor.takeError();
    weights.push_back(std::move(*tensor));
  }
  for (const std::string &name : trainer.optimizerStateNames()) {
    auto tensor = read("state", name);
    if (!tensor)
      return tensor.takeError();
    state.push_back(std::move(*tensor));
  }
  auto steps = read("", "steps");
  if (!steps)
    return steps.takeError();
  if (steps->dtype() != KILN_DTYPE_I64 || steps->elementCount() != 1)
    return createStringError("'" + resumeDir +
                             "' holds no int64 step count (steps.npy)");
  if (Error error = trainer.setParameters(std::move(weights)))
    return error;
  return trainer.restoreState(std::move(state), *steps->data<int64_t>());
}

/// The first --batch samples in file order, as the model's input and target.
std::pair<rt::Tensor, rt::Tensor> firstBatch(driver::Trainer &trainer,
                                             const DataSet &data) {
  std::vector<int64_t> rows(batchSize);
  std::iota(rows.begin(), rows.end(), 0);
  return {
      gatherRows(data.inputs, data.inputRowBytes, rows, trainer.inputInfo()),
      gatherRows(data.targets, data.targetRowBytes, rows,
                 trainer.targetInfo())};
}

/// --check-gradients. The model is float32, so the differences are taken
/// with steps of 1e-2, 1e-3 and 1e-4 and compared loosely (|analytic -
/// numeric| <= 1e-3 + 5e-2 |numeric|): float32 rounding of a loss near 1
/// alone moves a difference quotient by about 3e-4 at the smallest step.
Error checkGradients(driver::Trainer &trainer, const DataSet &data) {
  auto [input, target] = firstBatch(trainer, data);
  auto computed = trainer.gradients(input, target);
  if (!computed)
    return computed.takeError();
  auto lossAt = [&]() -> Expected<double> {
    auto again = trainer.gradients(input, target);
    if (!again)
      return again.takeError();
    return again->loss;
  };
  constexpr double kSteps[] = {1e-2, 1e-3, 1e-4}, kAtol = 1e-3, kRtol = 5e-2;
  std::mt19937_64 engine(seed);
  int64_t checked = 0, off = 0, inconclusive = 0;
  for (size_t w = 0; w < trainer.parameters().size(); ++w) {
    rt::Tensor &weight = trainer.parameter(w);
    const rt::Tensor &gradient = computed->gradients[w];
    int64_t count = weight.elementCount();
    std::uniform_int_distribution<int64_t> pick(0, count - 1);
    double worst = 0;
    for (int sample = 0; sample < std::min<int64_t>(8, count); ++sample) {
      int64_t i = count <= 8 ? sample : pick(engine);
      float original = weight.data<float>()[i];
      double analytic = gradient.data<float>()[i];
      // A step that crosses a ReLU kink or a max-pooling tie changes the
      // slope: an entry passes when either step size agrees. When neither
      // does and the two differences disagree with each other as much, the
      // loss is not smooth there and central differences cannot judge the
      // entry: it is reported as inconclusive, not as off.
      double error = 0, numeric = 0;
      double numerics[3] = {0, 0, 0};
      bool agrees = false;
      for (auto [index, step] : llvm::enumerate(kSteps)) {
        weight.data<float>()[i] = original + static_cast<float>(step);
        auto above = lossAt();
        weight.data<float>()[i] = original - static_cast<float>(step);
        auto below = lossAt();
        weight.data<float>()[i] = original;
        if (!above)
          return above.takeError();
        if (!below)
          return below.takeError();
        numeric = (*above - *below) / (2 * step);
        numerics[index] = numeric;
        error = std::abs(analytic - numeric);
        if (error <= kAtol + kRtol * std::abs(numeric)) {
          agrees = true;
          break;
        }
      }
      bool smooth = std::abs(numerics[1] - numerics[2]) <=
                    kAtol + kRtol * std::abs(numerics[2]);
      if (!agrees && !smooth) {
        ++inconclusive;
        outs() << "  " << trainer.parameterNames()[w] << "[" << i
               << "]: inconclusive, the loss is not smooth there (central "
                  "differences "
               << format("%.6g", numerics[0]) << ", "
               << format("%.6g", numerics[1]) << " and "
               << format("%.6g", numerics[2]) << ", compiled "
               << format("%.6g", analytic) << ")\n";
        continue;
      }
      worst = std::max(worst, agrees ? error : std::abs(analytic - numeric));
      ++checked;
      if (!agrees) {
        ++off;
        outs() << "  " << trainer.parameterNames()[w] << "[" << i
               << "]: compiled " << format("%.6g", analytic)
               << ", central difference " << format("%.6g", numeric) << "\n";
      }
    }
    outs() << trainer.parameterNames()[w] << ": largest difference "
           << format("%.3g", worst) << "\n";
  }
  outs() << checked << " gradient entries checked, " << off
         << " outside |analytic - numeric| <= 1e-3 + 5e-2 |numeric|";
  if (inconclusive > 0)
    outs() << " (" << inconclusive
           << " more inconclusive: the loss is not smooth there)";
  outs() << "\n";
  if (off > 0)
    return createStringError(Twine(off) + " gradient entries do not match "
                                          "their central differences");
  return Error::success();
}

/// --benchmark: the median time of a train step on the first batch.
Error benchmark(driver::Trainer &trainer, const DataSet &data) {
  auto [input, target] = firstBatch(trainer, data);
  std::vector<double> times;
  for (unsigned i = 0; i < benchmarkSteps + 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto loss = trainer.step(input, target, static_cast<float>(learningRate));
    if (!loss)
      return loss.takeError();
    if (i >= 3)
      times.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
  }
  std::sort(times.begin(), times.end());
  outs() << "train step: " << format("%.3f", 1e3 * times[times.size() / 2])
         << " ms median of " << times.size() << " steps of a batch of "
         << batchSize << " (min " << format("%.3f", 1e3 * times.front())
         << " ms)\n";
  return Error::success();
}

Error run() {
  driver::CompileOptions targetChoice;
  if (Error error = tools::applyTargetOptions(
          device, cpuKernels, cpuKernels.getNumOccurrences() > 0,
          targetChoice))
    return error;
  if (targetChoice.target == driver::Target::Cuda)
    if (Error error = tools::checkCudaDevice("device"))
      return error;
  if (!is_contained({"cross_entropy", "bce_with_logits", "mse", "l1"},
                    StringRef(lossName)))
    return createStringError("unknown loss '" + lossName +
                             "' (cross_entropy, bce_with_logits, mse, l1)");
  if (!is_contained({"sgd", "adam", "adamw"}, StringRef(optimizerName)))
    return createStringError("unknown optimizer '" + optimizerName +
                             "' (sgd, adam, adamw)");
  if (batchSize < 1)
    return createStringError("--batch must be at least 1");
  if (*threadsOption < 0 || *threadsOption > 4096)
    return createStringError("--threads must be in [0, 4096]");
  if (validationSplit < 0 || validationSplit >= 1)
    return createStringError("--validation-split must be in [0, 1)");
  StringRef inputText = inputOption;
  std::string inputName;
  StringRef inputFile = inputText;
  if (auto [name, file] = inputText.split('='); !file.empty()) {
    inputName = name.str();
    inputFile = file;
  }
  auto data = readData(inputFile);
  if (!data)
    return data.takeError();

  // A seeded shuffle picks the validation samples once.
  std::vector<int64_t> order(data->count);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 engine(seed);
  std::shuffle(order.begin(), order.end(), engine);
  int64_t validationCount =
      static_cast<int64_t>(std::llround(validationSplit * data->count));
  std::vector<int64_t> validation(order.end() - validationCount, order.end());
  std::vector<int64_t> training(order.begin(), order.end() - validationCount);
  if (!validationIndicesPath.empty()) {
    rt::Tensor indices = rt::Tensor::create(
        KILN_DTYPE_I64, {static_cast<int64_t>(validation.size())});
    std::copy(validation.begin(), validation.end(), indices.data<int64_t>());
    auto bytes = tools::npy::serialize(indices);
    if (!bytes)
      return bytes.takeError();
    driver::OutputFiles files;
    if (Error error = files.write(validationIndicesPath,
                                  ArrayRef<char>(bytes->data(), bytes->size())))
      return error;
    if (Error error = files.commit())
      return error;
  }
  if (static_cast<int64_t>(training.size()) < batchSize)
    return createStringError("only " + Twine(training.size()) +
                             " training samples for a batch of " +
                             Twine(int64_t(batchSize)));

  driver::TrainerOptions options;
  options.inputName = inputName;
  std::vector<int64_t> sampleShape = data->inputs.shape();
  options.sampleShape.assign(sampleShape.begin() + 1, sampleShape.end());
  options.batch = batchSize;
  options.outputName = outputName;
  options.step.loss = lossName;
  options.step.optimizer = optimizerName;
  options.step.momentum = momentum;
  options.step.nesterov = nesterov;
  options.step.weightDecay = weightDecay;
  options.step.clipNorm = clipNorm;
  options.step.frozen.assign(freeze.begin(), freeze.end());
  options.trainingMode = !evalMode;
  options.compile.cpuKernels = cpuKernels;
  options.compile.target = targetChoice.target;
  options.compile.cudaArch = targetChoice.cudaArch;
  options.compile.cudaKernels = targetChoice.cudaKernels;
  options.threads = *threadsOption;
  options.step.gradientsFunction =
      !gradientsDir.empty() || checkGradientsOption;

  driver::Compiler compiler;
  auto start = std::chrono::steady_clock::now();
  errs() << "compiling the training step of " << modelPath << "...\n";
  auto trainer = driver::Trainer::create(compiler, modelPath, options);
  if (!trainer)
    return trainer.takeError();
  int64_t weightCount = 0;
  for (const rt::Tensor &weight : (*trainer)->parameters())
    weightCount += weight.elementCount();
  outs() << "compiled in "
         << format("%.2f s", std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count())
         << ": " << (*trainer)->parameters().size() << " weights ("
         << weightCount << " values) trained with " << optimizerName << " on "
         << lossName << "; " << training.size() << " training and "
         << validation.size() << " validation samples, batches of " << batchSize
         << "\n";
  if (!resumeDir.empty()) {
    if (Error error = readCheckpoint(**trainer))
      return createStringError("cannot resume from '" + resumeDir +
                               "': " + toString(std::move(error)));
    outs() << "resumed from " << resumeDir << " after " << (*trainer)->steps()
           << " steps\n";
  }
  if (!gradientsDir.empty())
    return writeGradients(**trainer, *data);
  if (checkGradientsOption)
    return checkGradients(**trainer, *data);
  if (benchmarkSteps > 0)
    return benchmark(**trainer, *data);
  const int64_t stepsPerEpoch = training.size() / batchSize;
  if (training.size() % batchSize != 0)
    outs() << "(each epoch leaves out the " << training.size() % batchSize
           << " shuffled samples that do not fill a batch)\n";

  const rt::ValueInfo &inputInfo = (*trainer)->inputInfo();
  const rt::ValueInfo &targetInfo = (*trainer)->targetInfo();
  bool classification = lossName == "cross_entropy";
  TrainingReport report;
  for (unsigned epoch = 1; epoch <= epochs; ++epoch) {
    std::mt19937_64 shuffler(seed + epoch);
    std::shuffle(training.begin(), training.end(), shuffler);
    ProgressBar bar(epoch, stepsPerEpoch);
    auto epochStart = std::chrono::steady_clock::now();
    double lossSum = 0;
    int64_t correct = 0, seen = 0;
    for (int64_t s = 0; s < stepsPerEpoch; ++s) {
      ArrayRef<int64_t> rows(training.data() + s * batchSize, batchSize);
      rt::Tensor input =
          gatherRows(data->inputs, data->inputRowBytes, rows, inputInfo);
      rt::Tensor target =
          gatherRows(data->targets, data->targetRowBytes, rows, targetInfo);
      rt::Tensor prediction;
      auto loss = (*trainer)->step(
          input, target, static_cast<float>(learningRate), &prediction);
      if (!loss)
        return loss.takeError();
      if (!std::isfinite(*loss))
        return createStringError("the loss is not finite (" +
                                 std::to_string(*loss) + ") at epoch " +
                                 Twine(epoch) + ", step " + Twine(s + 1) +
                                 ": try a smaller --lr or --clip-norm");
      lossSum += *loss;
      seen += batchSize;
      if (classification)
        for (int64_t i = 0; i < batchSize; ++i)
          correct += argmaxRow(prediction, i) ==
                     data->targets.data<int64_t>()[rows[i]];
      bar.update(s + 1, lossSum / (s + 1),
                 classification ? double(correct) / seen : -1, seen);
    }
    bar.finish();
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - epochStart)
                         .count();
    EpochFigures figures;
    figures.epoch = epoch;
    figures.trainLoss = lossSum / std::max<int64_t>(stepsPerEpoch, 1);
    figures.trainAccuracy = classification ? double(correct) / seen : -1;
    figures.seconds = seconds;
    figures.samplesPerSecond = seen / std::max(seconds, 1e-9);
    // Validation in batches; the last one is padded with zero samples that
    // are not counted.
    if (!validation.empty()) {
      double validationLoss = 0;
      int64_t validationCorrect = 0;
      for (size_t first = 0; first < validation.size(); first += batchSize) {
        size_t count = std::min<size_t>(batchSize, validation.size() - first);
        ArrayRef<int64_t> rows(validation.data() + first, count);
        rt::Tensor input =
            gatherRows(data->inputs, data->inputRowBytes, rows, inputInfo);
        auto prediction = (*trainer)->predict(input);
        if (!prediction)
          return prediction.takeError();
        int64_t rowSize = prediction->elementCount() / batchSize;
        for (size_t i = 0; i < count; ++i) {
          validationLoss += rowLoss(prediction->data<float>() + i * rowSize,
                                    data->targets, rows[i], rowSize);
          if (classification)
            validationCorrect += argmaxRow(*prediction, i) ==
                                 data->targets.data<int64_t>()[rows[i]];
        }
      }
      figures.validationLoss = validationLoss / validation.size();
      figures.validationAccuracy =
          classification ? double(validationCorrect) / validation.size() : -1;
    }
    outs() << formatEpoch(figures, epochs) << "\n";
    outs().flush();
    report.add(figures);
    if (!checkpointDir.empty())
      if (Error error = writeCheckpoint(**trainer))
        return error;
  }
  if (!logPath.empty())
    if (Error error = report.writeCsv(logPath))
      return error;
  if (!plotPath.empty())
    if (Error error = report.writeSvg(plotPath, lossName))
      return error;
  if (!savePath.empty()) {
    if (Error error = (*trainer)->save(savePath))
      return error;
    outs() << "wrote " << savePath << "\n";
  }
  return Error::success();
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  threadsOption = &tools::registerThreadsOption(
      category, "Threads of the library kernels (oneDNN) during steps "
                "(default: OpenMP's own setting, every core unless "
                "OMP_NUM_THREADS says otherwise)");
  cl::HideUnrelatedOptions(category);
  tools::setVersionPrinter(kTool);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kiln-train: train an ONNX model with a compiled training step\n\n"
      "  kiln-train model.onnx --input x=images.npy --target labels.npy \\\n"
      "      --loss cross_entropy --optimizer adam --lr 1e-3 --batch 32 \\\n"
      "      --epochs 10 --validation-split 0.2 --seed 0 --save "
      "trained.onnx\n\n"
      "Every float initializer is trained (--freeze PATTERN excludes some).\n"
      "The forward pass, the loss, the backward pass and the optimizer "
      "update are\ncompiled into one function; each epoch prints the "
      "training loss and accuracy\n(classification), the validation figures "
      "and the throughput.\n");
  if (Error error = run())
    return tools::reportError(kTool, std::move(error));
  return 0;
}
