//===- Trainer.cpp - Training a model with a compiled train step ----------===//

#include "kiln/Driver/Trainer.h"

#include "kiln/Driver/OutputFiles.h"
#include "kiln/Frontends/ONNX/WriteWeights.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <map>

namespace kiln::driver {
namespace {

/// A rank-0 f32 tensor.
rt::Tensor scalarTensor(float value) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_F32, {});
  *tensor.data<float>() = value;
  return tensor;
}

/// A tensor holding `values` (float32 elements).
llvm::Expected<rt::Tensor> tensorOf(mlir::DenseElementsAttr values,
                                    llvm::StringRef name) {
  auto type = llvm::cast<mlir::RankedTensorType>(values.getType());
  if (!type.getElementType().isF32())
    return llvm::createStringError("weight '" + name +
                                   "' is not float32, which Kiln trains");
  rt::Tensor tensor = rt::Tensor::create(
      KILN_DTYPE_F32,
      std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
  float *data = tensor.data<float>();
  int64_t i = 0;
  for (float value : values.getValues<float>())
    data[i++] = value;
  return tensor;
}

/// kiln::buildTrainStep with its diagnostics (an ONNX node's description
/// first, not MLIR's spelling of its location) as the error's text. The
/// training forward, when separate, is erased afterwards.
llvm::Expected<TrainStepSignature>
buildCapturingDiagnostics(Compiler &compiler, mlir::ModuleOp module,
                          const TrainStepOptions &step) {
  std::string diagnostics;
  mlir::FailureOr<TrainStepSignature> signature;
  {
    mlir::ScopedDiagnosticHandler handler(
        &compiler.getContext(), [&](mlir::Diagnostic &diagnostic) {
          llvm::raw_string_ostream os(diagnostics);
          if (auto name =
                  llvm::dyn_cast<mlir::NameLoc>(diagnostic.getLocation()))
            os << name.getName().getValue() << ": ";
          os << diagnostic << "\n";
          return mlir::success();
        });
    signature = buildTrainStep(module, step);
  }
  if (!step.trainingForward.empty() && step.trainingForward != step.forward)
    if (auto training =
            module.lookupSymbol<mlir::func::FuncOp>(step.trainingForward))
      training.erase();
  if (mlir::failed(signature))
    return llvm::createStringError(llvm::StringRef(diagnostics).rtrim());
  return std::move(*signature);
}

} // namespace

llvm::Error addTrainingForward(Compiler &compiler, mlir::ModuleOp module,
                               llvm::StringRef modelPath,
                               ImportOptions options, TrainStepOptions &step) {
  // Other formats carry no training semantics of their own.
  if (!modelPath.ends_with(".onnx"))
    return llvm::Error::success();
  options.mode = ImportOptions::Mode::Training;
  auto training = compiler.loadModel(modelPath, options);
  if (!training)
    return training.takeError();
  auto function = (*training)->lookupSymbol<mlir::func::FuncOp>(step.forward);
  if (!function)
    return llvm::createStringError("'" + modelPath + "' has no function '" +
                                   step.forward + "'");
  std::string name = step.forward + "_train";
  if (module.lookupSymbol(name))
    return llvm::createStringError("the module already has '" + name + "'");
  function->remove();
  function.setName(name);
  function.setPrivate();
  module.push_back(function);
  step.trainingForward = name;
  return llvm::Error::success();
}

llvm::Error addTrainingFunctions(Compiler &compiler, mlir::ModuleOp module,
                                 const TrainStepOptions &step) {
  auto signature = buildCapturingDiagnostics(compiler, module, step);
  if (!signature)
    return llvm::createStringError("the model cannot be trained: " +
                                   llvm::toString(signature.takeError()));
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Trainer>>
Trainer::create(Compiler &compiler, llvm::StringRef modelPath,
                const TrainerOptions &options) {
  if (options.batch < 1)
    return llvm::createStringError("the batch size must be at least 1");
  std::unique_ptr<Trainer> trainer(new Trainer());
  trainer->modelPath = modelPath.str();

  // Find the input's name first, to fix its batch dim.
  std::string inputName = options.inputName;
  if (inputName.empty()) {
    auto probe = compiler.loadModel(modelPath);
    if (!probe)
      return probe.takeError();
    auto forward = (*probe)->lookupSymbol<mlir::func::FuncOp>("forward");
    if (!forward || forward.getNumArguments() != 1)
      return llvm::createStringError(
          "'" + modelPath +
          "' has several inputs: say which one the data feeds (--input NAME)");
    if (auto name = forward.getArgAttrOfType<mlir::StringAttr>(0, "kiln.name"))
      inputName = name.str();
  }
  ImportOptions import;
  std::vector<int64_t> shape{options.batch};
  llvm::append_range(shape, options.sampleShape);
  import.inputShapes.emplace_back(inputName, shape);
  // predict runs the graph as model.eval() would, train_step as
  // model.train() would (a second import of the same file).
  import.mode = ImportOptions::Mode::Evaluation;
  auto module = compiler.loadModel(modelPath, import);
  if (!module)
    return module.takeError();
  auto forward = (*module)->lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward)
    return llvm::createStringError("'" + modelPath +
                                   "' has no forward function");
  if (forward.getNumArguments() != 1)
    return llvm::createStringError(
        "'" + modelPath + "' has " + llvm::Twine(forward.getNumArguments()) +
        " inputs; kiln-train feeds models of one input");

  TrainStepOptions step = options.step;
  step.output = 0;
  if (!options.outputName.empty()) {
    bool found = false;
    for (unsigned i = 0; i < forward.getNumResults(); ++i)
      if (auto name =
              forward.getResultAttrOfType<mlir::StringAttr>(i, "kiln.name");
          name && name.getValue() == options.outputName) {
        step.output = i;
        found = true;
      }
    if (!found)
      return llvm::createStringError("'" + modelPath + "' has no output '" +
                                     options.outputName + "'");
  }

  if (options.trainingMode)
    if (llvm::Error error =
            addTrainingForward(compiler, **module, modelPath, import, step))
      return std::move(error);
  auto signature = buildCapturingDiagnostics(compiler, **module, step);
  if (!signature)
    return llvm::createStringError("'" + modelPath + "' cannot be trained: " +
                                   llvm::toString(signature.takeError()));
  trainer->outputIndex = step.output;
  // The training functions replace forward.
  forward.erase();

  for (const TrainableParameter &parameter : signature->parameters) {
    auto tensor = tensorOf(parameter.initial, parameter.name);
    if (!tensor)
      return tensor.takeError();
    trainer->names.push_back(parameter.name);
    trainer->weights.push_back(std::move(*tensor));
  }
  std::vector<rt::Tensor> buffers;
  for (const TrainableParameter &buffer : signature->buffers) {
    auto tensor = tensorOf(buffer.initial, buffer.name);
    if (!tensor)
      return tensor.takeError();
    buffers.push_back(std::move(*tensor));
  }

  auto loaded = compiler.compileToJit(**module, options.compile);
  if (!loaded)
    return loaded.takeError();
  trainer->module.emplace(std::move(*loaded));
  try {
    trainer->trainStep.emplace(trainer->module->function("train_step"));
    trainer->predictFunction.emplace(trainer->module->function("predict"));
    if (step.gradientsFunction)
      trainer->gradientsFunction.emplace(
          trainer->module->function("gradients"));
    if (options.threads > 0) {
      rt::SessionOptions session{options.threads};
      trainer->trainSession.emplace(*trainer->trainStep, session);
      trainer->predictSession.emplace(*trainer->predictFunction, session);
      if (trainer->gradientsFunction)
        trainer->gradientsSession.emplace(*trainer->gradientsFunction, session);
    }
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
  std::vector<rt::ValueInfo> inputs = trainer->trainStep->inputs();
  trainer->input = inputs[0];
  trainer->target = inputs[1];
  // The optimizer state (zeros), then the buffers (their initial values).
  size_t stateCount = inputs.size() - 4 - trainer->weights.size();
  size_t optimizerSlots = stateCount - buffers.size();
  for (size_t i = 0; i < stateCount; ++i) {
    const rt::ValueInfo &info = inputs[4 + trainer->weights.size() + i];
    trainer->state.push_back(
        i < optimizerSlots ? rt::Tensor::create(info.dtype, info.dims)
                           : std::move(buffers[i - optimizerSlots]));
    trainer->stateNames.push_back(info.name);
  }
  trainer->bufferCount = buffers.size();
  return trainer;
}

llvm::Expected<float> Trainer::step(const rt::Tensor &input,
                                    const rt::Tensor &target,
                                    float learningRate,
                                    rt::Tensor *prediction) {
  rt::Tensor rate = scalarTensor(learningRate);
  rt::Tensor count = scalarTensor(static_cast<float>(stepCount + 1));
  std::vector<const rt::Tensor *> arguments{&input, &target, &rate, &count};
  for (const rt::Tensor &weight : weights)
    arguments.push_back(&weight);
  for (const rt::Tensor &slot : state)
    arguments.push_back(&slot);
  // The new weights and state go into the tensors the previous step
  // replaced (same shapes), so that a step does not fault in fresh pages for
  // every weight (ResNet-18: 45 MB a step).
  std::vector<rt::Tensor> results(2 + weights.size() + state.size());
  for (size_t i = 0; i < spares.size(); ++i)
    results[2 + i] = std::move(spares[i]);
  spares.clear();
  try {
    if (trainSession)
      trainSession->run(arguments, results);
    else
      trainStep->run(arguments, results);
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
  float loss = *results[0].data<float>();
  if (prediction)
    *prediction = std::move(results[1]);
  for (size_t i = 0; i < weights.size(); ++i) {
    spares.push_back(std::move(weights[i]));
    weights[i] = std::move(results[2 + i]);
  }
  for (size_t i = 0; i < state.size(); ++i) {
    spares.push_back(std::move(state[i]));
    state[i] = std::move(results[2 + weights.size() + i]);
  }
  ++stepCount;
  return loss;
}

llvm::Expected<BatchGradients> Trainer::gradients(const rt::Tensor &input,
                                                  const rt::Tensor &target) {
  if (!gradientsFunction)
    return llvm::createStringError(
        "the trainer was built without its gradients function");
  std::vector<const rt::Tensor *> arguments{&input, &target};
  for (const rt::Tensor &weight : weights)
    arguments.push_back(&weight);
  try {
    std::vector<rt::Tensor> results = gradientsSession
                                          ? gradientsSession->run(arguments)
                                          : gradientsFunction->run(arguments);
    BatchGradients batch;
    batch.loss = *results[0].data<float>();
    for (size_t i = 1; i < results.size(); ++i)
      batch.gradients.push_back(std::move(results[i]));
    return batch;
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
}

llvm::Expected<rt::Tensor> Trainer::predict(const rt::Tensor &batch) {
  std::vector<const rt::Tensor *> arguments{&batch};
  for (const rt::Tensor &weight : weights)
    arguments.push_back(&weight);
  for (size_t i = state.size() - bufferCount; i < state.size(); ++i)
    arguments.push_back(&state[i]);
  try {
    std::vector<rt::Tensor> results = predictSession
                                          ? predictSession->run(arguments)
                                          : predictFunction->run(arguments);
    return std::move(results.at(outputIndex));
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
}

llvm::Error Trainer::setParameters(std::vector<rt::Tensor> values) {
  if (values.size() != weights.size())
    return llvm::createStringError("expected " + llvm::Twine(weights.size()) +
                                   " weights, got " +
                                   llvm::Twine(values.size()));
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].shape() != weights[i].shape() ||
        values[i].dtype() != weights[i].dtype())
      return llvm::createStringError("weight '" + names[i] +
                                     "' has another shape or type");
  weights = std::move(values);
  return llvm::Error::success();
}

std::vector<std::string> Trainer::optimizerStateNames() const {
  return stateNames;
}

llvm::Error Trainer::restoreState(std::vector<rt::Tensor> values,
                                  int64_t steps) {
  if (values.size() != state.size())
    return llvm::createStringError("expected " + llvm::Twine(state.size()) +
                                   " optimizer state tensors, got " +
                                   llvm::Twine(values.size()));
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].shape() != state[i].shape() ||
        values[i].dtype() != state[i].dtype())
      return llvm::createStringError("optimizer state '" + stateNames[i] +
                                     "' has another shape or type");
  if (steps < 0)
    return llvm::createStringError("a negative step count");
  state = std::move(values);
  stepCount = steps;
  return llvm::Error::success();
}

llvm::Error Trainer::save(llvm::StringRef path) const {
  std::map<std::string, std::vector<float>> trained;
  for (size_t i = 0; i < weights.size(); ++i) {
    const float *data = weights[i].data<float>();
    trained[names[i]].assign(data, data + weights[i].elementCount());
  }
  for (size_t i = state.size() - bufferCount; i < state.size(); ++i) {
    const float *data = state[i].data<float>();
    trained[stateNames[i]].assign(data, data + state[i].elementCount());
  }
  auto bytes = onnx_import::replaceInitializers(modelPath, trained);
  if (!bytes)
    return bytes.takeError();
  OutputFiles files;
  if (llvm::Error error =
          files.write(path, llvm::ArrayRef<char>(bytes->data(), bytes->size())))
    return error;
  return files.commit();
}

} // namespace kiln::driver
