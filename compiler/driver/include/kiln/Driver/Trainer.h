//===- Trainer.h - Training a model with a compiled train step ------------===//
//
// A Trainer imports a model with its batch size fixed, builds `train_step`
// and `predict` (kiln::buildTrainStep), compiles them, and keeps the
// parameters and the optimizer state between steps. kiln-train is a thin
// shell around it; programs and tests can use it directly.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_TRAINER_H
#define KILN_DRIVER_TRAINER_H

#include "kiln/Autodiff/Autodiff.h"
#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::driver {

struct TrainerOptions {
  /// The model input the data feeds (empty: the model's only input) and the
  /// shape of one sample; the batch is prepended.
  std::string inputName;
  std::vector<int64_t> sampleShape;
  int64_t batch = 32;
  /// The trained output (empty: the first), the loss and the optimizer.
  std::string outputName;
  TrainStepOptions step;
  CompileOptions compile;
  /// Run BatchNormalization and Dropout as PyTorch's model.train() does
  /// (batch statistics, running statistics updated each step, dropout
  /// masks seeded by the step number); false: as model.eval() (running
  /// statistics fixed, no dropout). predict always runs them as model.eval().
  bool trainingMode = true;
  /// Threads of the library kernels (oneDNN's OpenMP threads) during steps;
  /// 0 leaves OpenMP's own setting (OMP_NUM_THREADS, else every core).
  int32_t threads = 0;
};

/// The loss of one batch and the gradient of each weight (parameterNames()
/// order).
struct BatchGradients {
  float loss = 0;
  std::vector<rt::Tensor> gradients;
};

/// Adds predict, train_step (and whatever else `step` asks for) to `module`
/// (kiln::buildTrainStep), with the diagnostics as the error's text. A
/// separate training forward (step.trainingForward) is removed afterwards.
llvm::Error addTrainingFunctions(Compiler &compiler, mlir::ModuleOp module,
                                 const TrainStepOptions &step);

/// Imports the ONNX model at `modelPath` again with training semantics
/// (ImportOptions::Mode::Training; `options` gives the shapes) into `module`
/// as `<step.forward>_train`, and points step.trainingForward at it. Load
/// `module` itself with ImportOptions::Mode::Evaluation, so that predict
/// reads the running statistics the train step updates.
llvm::Error addTrainingForward(Compiler &compiler, mlir::ModuleOp module,
                               llvm::StringRef modelPath, ImportOptions options,
                               TrainStepOptions &step);

class Trainer {
public:
  /// Imports, builds and compiles the training functions of the ONNX model
  /// at `modelPath`.
  static llvm::Expected<std::unique_ptr<Trainer>>
  create(Compiler &compiler, llvm::StringRef modelPath,
         const TrainerOptions &options);

  /// One optimizer step on a batch; returns the loss and, when `prediction`
  /// is given, the batch's prediction.
  llvm::Expected<float> step(const rt::Tensor &input, const rt::Tensor &target,
                             float learningRate,
                             rt::Tensor *prediction = nullptr);

  /// The loss and the weights' gradients for a batch, without a step (needs
  /// TrainerOptions::step.gradientsFunction).
  llvm::Expected<BatchGradients> gradients(const rt::Tensor &input,
                                           const rt::Tensor &target);

  /// The trained output for a batch, with the current parameters.
  llvm::Expected<rt::Tensor> predict(const rt::Tensor &input);

  /// The trained weights, by initializer name, in argument order.
  const std::vector<std::string> &parameterNames() const { return names; }
  const std::vector<rt::Tensor> &parameters() const { return weights; }
  /// Weight `index`, to change in place (e.g. to perturb one entry).
  rt::Tensor &parameter(size_t index) { return weights.at(index); }
  /// Replaces the weights (e.g. to restore a checkpoint); same shapes.
  llvm::Error setParameters(std::vector<rt::Tensor> values);
  /// The optimizer state (one tensor per weight and slot: SGD momentum's
  /// velocity; Adam's m, then v), then the running statistics that training
  /// mode updates, and their names, in train_step's order.
  const std::vector<rt::Tensor> &optimizerState() const { return state; }
  std::vector<std::string> optimizerStateNames() const;
  /// Replaces the optimizer state and the step count (restoring a
  /// checkpoint); same shapes.
  llvm::Error restoreState(std::vector<rt::Tensor> values, int64_t steps);
  /// Steps taken so far.
  int64_t steps() const { return stepCount; }

  /// Writes the model at `path`: the original ONNX file with the trained
  /// initializers, checked by the ONNX checker, all or nothing.
  llvm::Error save(llvm::StringRef path) const;

  /// The input's full shape (the batch first) and the target's.
  const rt::ValueInfo &inputInfo() const { return input; }
  const rt::ValueInfo &targetInfo() const { return target; }

private:
  Trainer() = default;

  std::string modelPath;
  std::optional<rt::Module> module;
  std::optional<rt::Function> trainStep, predictFunction, gradientsFunction;
  /// With TrainerOptions::threads, the sessions the functions run in.
  std::optional<rt::Session> trainSession, predictSession, gradientsSession;
  rt::ValueInfo input, target;
  std::vector<std::string> names;
  std::vector<rt::Tensor> weights, state;
  std::vector<std::string> stateNames;
  /// The weights and state a step replaced, in results order: the next
  /// step's output buffers.
  std::vector<rt::Tensor> spares;
  /// How many of `state`'s last tensors are running statistics (buffers),
  /// which predict reads and save writes.
  size_t bufferCount = 0;
  unsigned outputIndex = 0;
  int64_t stepCount = 0;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_TRAINER_H
