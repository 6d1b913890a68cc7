//===- gan_digits.cpp - A DCGAN trained on 8x8 digits with Kiln -----------===//
//
// Builds the DCGAN of Dcgan.h with the native GraphBuilder, compiles both
// train steps in process, and alternates them: the discriminator step on N
// real digits (target 1) and N generated ones (target 0), then the generator
// step on fresh noise (target 1). This program owns every weight and Adam
// state tensor and passes the discriminator's weights to both steps. At the
// end it prints how often the discriminator spots generated images and
// writes a PNG grid of generated digits.
//
//   gan_digits --data digits.npy --steps 2000 --png digits.png
//
// digits.npy ([M, 1, 8, 8] float32 in [-1, 1]) comes from
// make_digits_npy.py. --weights DIR starts from DIR/<weight name>.npy
// instead of the builder's initialization; --dump DIR writes the first
// step's inputs, losses, gradients and updated weights (for checking against
// PyTorch).
//
//===----------------------------------------------------------------------===//

#include "Dcgan.h"
#include "Png.h"

#include "Npy.h"
#include "kiln/Driver/Compiler.h"
#include "kiln/Frontends/Native/GraphBuilder.h"
#include "kiln/runtime.hpp"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <random>

using namespace kiln;
namespace cl = llvm::cl;

static cl::opt<std::string> dataPath("data",
                                     cl::desc("The images, [M, 1, 8, 8] "
                                              "float32 in [-1, 1] (.npy)"),
                                     cl::Required);
static cl::opt<int64_t> steps("steps",
                              cl::desc("Training steps (each one step of "
                                       "the discriminator and one of the "
                                       "generator)"),
                              cl::init(2000));
static cl::opt<int64_t> batch("batch", cl::desc("Images per batch"),
                              cl::init(64));
static cl::opt<int64_t> noiseSize("noise", cl::desc("The noise's size"),
                                  cl::init(16));
static cl::opt<double> learningRate("lr", cl::desc("Adam's learning rate"),
                                    cl::init(1e-3));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Seed of weights, noise and "
                                       "shuffling"),
                              cl::init(0));
static cl::opt<std::string> pngPath("png",
                                    cl::desc("Where to write the grid of "
                                             "generated digits"),
                                    cl::init("gan_digits.png"));
static cl::opt<std::string>
    weightsDirectory("weights",
                     cl::desc("Start from DIR/<weight name>.npy (every "
                              "weight)"),
                     cl::value_desc("dir"));
static cl::opt<std::string>
    dumpDirectory("dump",
                  cl::desc("Write the first step's inputs, losses and "
                           "gradients to DIR"),
                  cl::value_desc("dir"));
// auto by default: the runtime reorders filters that are arguments (the
// weights of a train step) into oneDNN's layout on every call, so its JIT
// kernels run them (3.7 ms a step against 116 ms for the generated loops,
// one thread).
static cl::opt<std::string>
    cpuKernels("cpu-kernels",
               cl::desc("Who runs convolutions and matrix products: auto "
                        "(default), onednn or codegen"),
               cl::init("auto"));
static cl::opt<int64_t> logEvery("log-every",
                                 cl::desc("Print the losses every N steps"),
                                 cl::init(200));

namespace {

/// A failure that ends the program with its message.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

rt::Tensor scalar(float value) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_F32, {});
  *tensor.data<float>() = value;
  return tensor;
}

rt::Tensor tensorOf(mlir::DenseElementsAttr values) {
  auto shape = values.getType().getShape();
  rt::Tensor tensor =
      rt::Tensor::create(KILN_DTYPE_F32, {shape.begin(), shape.end()});
  float *data = tensor.data<float>();
  for (float value : values.getValues<float>())
    *data++ = value;
  return tensor;
}

/// Standard normal noise [N, Z, 1, 1], drawn from `stream`.
rt::Tensor noiseBatch(uint64_t stream) {
  rt::Tensor tensor =
      rt::Tensor::create(KILN_DTYPE_F32, {batch, noiseSize, 1, 1});
  std::vector<float> values =
      native::Initializer::normal(0, 1, seed * 1000003 + stream)
          .materialize(tensor.elementCount());
  std::copy(values.begin(), values.end(), tensor.data<float>());
  return tensor;
}

void writeNpy(const std::string &directory, const std::string &name,
              const rt::Tensor &tensor) {
  auto bytes = tools::npy::serialize(tensor);
  if (!bytes)
    throw Failure(llvm::toString(bytes.takeError()));
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, name + ".npy");
  std::error_code error;
  llvm::raw_fd_ostream out(path, error);
  if (error)
    throw Failure("cannot write " + path.str().str() + ": " + error.message());
  out << *bytes;
}

/// One train step's function, its weights and its Adam state.
struct Step {
  std::vector<std::string> names;
  std::vector<rt::Tensor> weights, state;
  int64_t count = 0;
};

/// The weights of `parameters` (from --weights when given) and zero state
/// (Adam's m and v for each).
Step initialStep(llvm::ArrayRef<TrainableParameter> parameters) {
  Step step;
  for (const TrainableParameter &parameter : parameters) {
    step.names.push_back(parameter.name);
    rt::Tensor weight = tensorOf(parameter.initial);
    if (!weightsDirectory.empty()) {
      llvm::SmallString<256> path(weightsDirectory);
      llvm::sys::path::append(path, parameter.name + ".npy");
      auto loaded = tools::npy::readFile(path);
      if (!loaded)
        throw Failure(llvm::toString(loaded.takeError()));
      if (loaded->dtype() != KILN_DTYPE_F32 ||
          loaded->shape() != weight.shape())
        throw Failure(path.str().str() +
                      ": expected float32 of the weight's shape");
      weight = std::move(*loaded);
    }
    step.weights.push_back(std::move(weight));
  }
  for (int slot = 0; slot < 2; ++slot)
    for (const rt::Tensor &weight : step.weights)
      step.state.push_back(rt::Tensor::create(KILN_DTYPE_F32, weight.shape()));
  return step;
}

/// Runs a train step: `inputs` (the data, the discriminator's weights for
/// the generator step, the target), the learning rate, the step count, the
/// weights and the state; keeps the new weights and state, returns the loss
/// and the prediction.
std::pair<float, rt::Tensor>
trainStep(const rt::Function &function,
          std::vector<const rt::Tensor *> arguments, Step &step) {
  rt::Tensor rate = scalar(static_cast<float>(learningRate));
  rt::Tensor count = scalar(static_cast<float>(++step.count));
  arguments.push_back(&rate);
  arguments.push_back(&count);
  for (const rt::Tensor &weight : step.weights)
    arguments.push_back(&weight);
  for (const rt::Tensor &slot : step.state)
    arguments.push_back(&slot);
  std::vector<rt::Tensor> results = function.run(arguments);
  size_t n = step.weights.size();
  for (size_t i = 0; i < n; ++i)
    step.weights[i] = std::move(results[2 + i]);
  for (size_t i = 0; i < step.state.size(); ++i)
    step.state[i] = std::move(results[2 + n + i]);
  return {*results[0].data<float>(), std::move(results[1])};
}

std::vector<const rt::Tensor *> pointers(const std::vector<rt::Tensor> &all) {
  std::vector<const rt::Tensor *> result;
  for (const rt::Tensor &tensor : all)
    result.push_back(&tensor);
  return result;
}

/// Real images in a reshuffled order, one batch after another.
class RealImages {
public:
  explicit RealImages(rt::Tensor images)
      : images(std::move(images)), engine(seed) {}

  /// Copies the next `batch` images to `destination`.
  void next(float *destination) {
    const int64_t count = images.shape()[0];
    for (int64_t i = 0; i < batch; ++i) {
      if (position == order.size())
        shuffle(count);
      std::copy_n(images.data<float>() + order[position++] * 64, 64,
                  destination + i * 64);
    }
  }

private:
  void shuffle(int64_t count) {
    order.resize(count);
    for (int64_t i = 0; i < count; ++i)
      order[i] = i;
    for (int64_t i = count - 1; i > 0; --i)
      std::swap(order[i], order[engine() % (i + 1)]);
    position = 0;
  }

  rt::Tensor images;
  std::mt19937_64 engine;
  std::vector<int64_t> order;
  size_t position = 0;
};

/// The fraction of `logits` (from `begin` to `end`) that are negative
/// (judged generated) or, with `positive`, positive (judged real).
double fraction(const rt::Tensor &logits, int64_t begin, int64_t end,
                bool positive) {
  int64_t hits = 0;
  for (int64_t i = begin; i < end; ++i)
    hits +=
        positive ? logits.data<float>()[i] > 0 : logits.data<float>()[i] < 0;
  return static_cast<double>(hits) / (end - begin);
}

int run() {
  if (batch < 1 || noiseSize < 1 || steps < 0)
    throw Failure("--batch and --noise must be at least 1, --steps at least "
                  "0");
  auto images = tools::npy::readFile(dataPath);
  if (!images)
    throw Failure(llvm::toString(images.takeError()));
  std::vector<int64_t> shape = images->shape();
  if (images->dtype() != KILN_DTYPE_F32 || shape.size() != 4 || shape[1] != 1 ||
      shape[2] != 8 || shape[3] != 8 || shape[0] < batch)
    throw Failure(dataPath + ": expected float32 [M, 1, 8, 8] images, M >= "
                             "the batch");
  std::printf("%lld images of 8x8 from %s\n", static_cast<long long>(shape[0]),
              dataPath.c_str());

  driver::Compiler compiler;
  examples::DcganOptions options;
  options.batch = batch;
  options.noise = noiseSize;
  options.seed = seed;
  options.gradients = !dumpDirectory.empty();
  examples::Dcgan dcgan = examples::buildDcgan(compiler.getContext(), options);
  Step discriminator = initialStep(dcgan.discriminator);
  Step generator = initialStep(dcgan.generator);

  auto start = std::chrono::steady_clock::now();
  driver::CompileOptions compileOptions;
  compileOptions.cpuKernels = cpuKernels;
  auto compiled = compiler.compileToJit(*dcgan.module, compileOptions);
  if (!compiled)
    throw Failure(llvm::toString(compiled.takeError()));
  std::printf(
      "compiled both train steps in %.1f s\n",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  rt::Function trainDiscriminator =
      compiled->function(examples::kTrainDiscriminator);
  rt::Function trainGenerator = compiled->function(examples::kTrainGenerator);
  rt::Function predictDiscriminator =
      compiled->function(examples::kPredictDiscriminator);
  rt::Function predictGenerator =
      compiled->function(examples::kPredictGenerator);
  // The generator's functions take the discriminator's weights by name, in
  // the discriminator step's order.
  std::vector<rt::ValueInfo> inputs = predictGenerator.inputs();
  for (size_t i = 0; i < discriminator.names.size(); ++i)
    if (inputs.at(1 + i).name != discriminator.names[i])
      throw Failure("predict_generator's input " + std::to_string(1 + i) +
                    " is '" + inputs[1 + i].name + "', not '" +
                    discriminator.names[i] + "'");

  // Targets: real (1) then generated (0) for the discriminator; "real" for
  // the generator, which wants its images judged real.
  rt::Tensor discriminatorTarget =
      rt::Tensor::create(KILN_DTYPE_F32, {2 * batch, 1});
  std::fill_n(discriminatorTarget.data<float>(), batch.getValue(), 1.0f);
  rt::Tensor generatorTarget = rt::Tensor::create(KILN_DTYPE_F32, {batch, 1});
  std::fill_n(generatorTarget.data<float>(), batch.getValue(), 1.0f);

  // The generator's images for `noise`, with the current weights.
  auto generate = [&](const rt::Tensor &noise) {
    std::vector<const rt::Tensor *> arguments{&noise};
    for (const rt::Tensor &weight : discriminator.weights)
      arguments.push_back(&weight);
    for (const rt::Tensor &weight : generator.weights)
      arguments.push_back(&weight);
    return predictGenerator.run(arguments);
  };

  // Runs a gradients function and writes its loss as `lossName` and each
  // weight's gradient as gradient.<name>.
  auto dumpGradients = [&](const char *function,
                           const std::vector<const rt::Tensor *> &arguments,
                           const std::string &lossName,
                           const std::vector<std::string> &names) {
    std::vector<rt::Tensor> results =
        compiled->function(function).run(arguments);
    writeNpy(dumpDirectory, lossName, results[0]);
    for (size_t i = 0; i < names.size(); ++i)
      writeNpy(dumpDirectory, "gradient." + names[i], results[1 + i]);
  };

  RealImages real(std::move(*images));
  rt::Tensor pair = rt::Tensor::create(KILN_DTYPE_F32, {2 * batch, 1, 8, 8});
  double lossD = 0, lossG = 0, realRight = 0, fakeRight = 0;
  start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= steps; ++step) {
    real.next(pair.data<float>());
    rt::Tensor noise = noiseBatch(2 * step);
    std::vector<rt::Tensor> generated = generate(noise);
    std::copy_n(generated[1].data<float>(), batch * 64,
                pair.data<float>() + batch * 64);
    rt::Tensor generatorNoise = noiseBatch(2 * step + 1);

    // --dump: the first step's inputs, each step's loss and gradients
    // just before it updates (the generator's after the discriminator's
    // update, as training sees it), and the weights after both.
    const bool dump = step == 1 && !dumpDirectory.empty();
    if (dump) {
      if (std::error_code error =
              llvm::sys::fs::create_directories(dumpDirectory))
        throw Failure("cannot create " + dumpDirectory + ": " +
                      error.message());
      writeNpy(dumpDirectory, "discriminator_images", pair);
      writeNpy(dumpDirectory, "discriminator_noise", noise);
      writeNpy(dumpDirectory, "generator_noise", generatorNoise);
      std::vector<const rt::Tensor *> arguments{&pair, &discriminatorTarget};
      for (const rt::Tensor &weight : discriminator.weights)
        arguments.push_back(&weight);
      dumpGradients(examples::kGradientsDiscriminator, arguments,
                    "discriminator_loss", discriminator.names);
    }
    auto [dLoss, logits] = trainStep(
        trainDiscriminator, {&pair, &discriminatorTarget}, discriminator);

    std::vector<const rt::Tensor *> arguments{&generatorNoise};
    for (const rt::Tensor &weight : discriminator.weights)
      arguments.push_back(&weight);
    arguments.push_back(&generatorTarget);
    if (dump) {
      std::vector<const rt::Tensor *> withWeights = arguments;
      for (const rt::Tensor &weight : generator.weights)
        withWeights.push_back(&weight);
      dumpGradients(examples::kGradientsGenerator, withWeights,
                    "generator_loss", generator.names);
    }
    auto [gLoss, judged] = trainStep(trainGenerator, arguments, generator);
    if (dump)
      for (const Step *trained : {&discriminator, &generator})
        for (size_t i = 0; i < trained->names.size(); ++i)
          writeNpy(dumpDirectory, "trained." + trained->names[i],
                   trained->weights[i]);

    lossD += dLoss;
    lossG += gLoss;
    realRight += fraction(logits, 0, batch, true);
    fakeRight += fraction(logits, batch, 2 * batch, false);
    if (step == 1 || step % logEvery == 0 || step == steps) {
      int64_t n =
          step == 1 ? 1 : (step % logEvery == 0 ? logEvery : step % logEvery);
      std::printf("step %5lld  D loss %.4f  G loss %.4f  D right on real "
                  "%.2f, on generated %.2f\n",
                  static_cast<long long>(step), lossD / n, lossG / n,
                  realRight / n, fakeRight / n);
      std::fflush(stdout);
      lossD = lossG = realRight = fakeRight = 0;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("trained %lld steps in %.1f s (%.1f ms per step)\n",
              static_cast<long long>(steps.getValue()), seconds,
              steps ? 1000 * seconds / steps : 0.0);

  // How often the trained discriminator spots generated images (1: always,
  // the generator lost; 0: never) and recognizes real ones, over 10 batches
  // of noise the training never saw.
  constexpr int kEvaluationBatches = 10;
  double spotted = 0, recognized = 0;
  std::vector<rt::Tensor> last;
  for (int i = 0; i < kEvaluationBatches; ++i) {
    last = generate(noiseBatch(uint64_t(1) << 40 | i));
    spotted += fraction(last[0], 0, batch, false);
    real.next(pair.data<float>());
    real.next(pair.data<float>() + batch * 64);
    std::vector<const rt::Tensor *> arguments{&pair};
    for (const rt::Tensor &weight : discriminator.weights)
      arguments.push_back(&weight);
    recognized +=
        fraction(predictDiscriminator.run(arguments)[0], 0, 2 * batch, true);
  }
  std::printf("discriminator accuracy on generated images: %.3f\n",
              spotted / kEvaluationBatches);
  std::printf("discriminator accuracy on real images: %.3f\n",
              recognized / kEvaluationBatches);

  uint32_t width = 0, height = 0;
  std::vector<uint8_t> pixels =
      examples::imageGrid(last[1].data<float>(), std::min<int64_t>(batch, 64),
                          8, 4, 2, width, height);
  std::string png = examples::encodeGrayscalePng(pixels, width, height);
  std::error_code error;
  llvm::raw_fd_ostream out(pngPath, error);
  if (error)
    throw Failure("cannot write " + pngPath + ": " + error.message());
  out << png;
  std::printf("wrote %s (%u x %u)\n", pngPath.c_str(), width, height);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "A DCGAN trained on 8x8 digits with Kiln\n");
  try {
    return run();
  } catch (const std::exception &error) {
    std::fprintf(stderr, "gan_digits: %s\n", error.what());
    return 1;
  }
}
