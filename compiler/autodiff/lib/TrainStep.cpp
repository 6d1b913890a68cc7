//===- TrainStep.cpp - A compiled training step from a forward function ---===//
//
// buildTrainStep() turns a model's `forward` into two functions whose weights
// are arguments instead of constants:
//
//   predict(inputs..., params..., buffers...) -> forward's results
//   train_step(inputs..., target, learning_rate, step, params..., state...,
//              buffers...) -> (loss, prediction, params'..., state'...,
//                              buffers'...)
//
// Buffers are weights the forward pass updates itself (BatchNormalization's
// running statistics in training mode); predict may run another copy of the
// graph than train_step (evaluation vs training semantics), matched to it by
// weight names.
//
// train_step runs the forward ops, computes the loss and its gradient with
// respect to the prediction directly (softmax - one-hot for cross-entropy, as
// every framework does), sweeps the forward ops backwards for the parameters'
// gradients (Backward.h), optionally clips them by their global norm, and
// applies the optimizer. Everything is kiln ops, so the whole step is fused,
// tiled and compiled like a forward pass.
//
//===----------------------------------------------------------------------===//

#include "kiln/Autodiff/Autodiff.h"

#include "Backward.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/GlobPattern.h"

using namespace mlir;
using kiln::autodiff::typeOf;

namespace kiln {
namespace {

/// A rank-0 float constant of the prediction's element type.
Value scalar(OpBuilder &b, Location loc, Type elementType, double number) {
  return autodiff::scalarConstant(b, loc, elementType, number);
}

/// mean over all elements, as a rank-0 tensor.
Value meanOf(OpBuilder &b, Location loc, Value value) {
  auto type = typeOf(value);
  SmallVector<int64_t> axes =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  Value mean = ReduceMeanOp::create(b, loc, value, axes, /*keep_dims=*/false);
  return mean;
}

/// The loss and its gradient with respect to the prediction.
struct LossValue {
  Value loss;     ///< rank-0
  Value gradient; ///< the prediction's type
};

/// Cross-entropy of logits [N, C] (or [N, C, ...] with the class axis 1)
/// against class indices [N]: mean over N of logsumexp(z) - z[target]; its
/// gradient is (softmax(z) - onehot(target)) / N.
FailureOr<LossValue> crossEntropy(OpBuilder &b, Location loc, Value logits,
                                  Value target) {
  auto type = typeOf(logits);
  auto targetType = typeOf(target);
  if (type.getRank() != 2 || !type.hasStaticShape() ||
      targetType.getRank() != 1 ||
      targetType.getDimSize(0) != type.getDimSize(0) ||
      !targetType.getElementType().isInteger(64))
    return emitError(loc) << "cross_entropy needs logits [N, C] and an i64 "
                             "target [N] of class indices, not "
                          << type << " and " << targetType;
  const int64_t classes = type.getDimSize(1), batch = type.getDimSize(0);
  Type elementType = type.getElementType();
  auto classIndexType = RankedTensorType::get({1, classes}, b.getI64Type());
  SmallVector<int64_t> indices =
      llvm::to_vector(llvm::seq<int64_t>(0, classes));
  Value classIndex = ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(classIndexType, indices));
  Value column = ReshapeOp::create(b, loc, target, ArrayRef<int64_t>{batch, 1});
  Value isTarget =
      CompareOp::create(b, loc, ComparisonPredicate::eq, column, classIndex);
  Value oneHot = CastOp::create(b, loc, isTarget, elementType);

  Value maximum = ReduceMaxOp::create(b, loc, logits, ArrayRef<int64_t>{1},
                                      /*keep_dims=*/true);
  Value shifted = SubOp::create(b, loc, logits, maximum);
  Value sum = ReduceSumOp::create(b, loc, ExpOp::create(b, loc, shifted),
                                  ArrayRef<int64_t>{1}, /*keep_dims=*/true);
  Value logSumExp = LogOp::create(b, loc, sum);
  Value picked =
      ReduceSumOp::create(b, loc, MulOp::create(b, loc, shifted, oneHot),
                          ArrayRef<int64_t>{1}, /*keep_dims=*/true);
  Value loss = meanOf(b, loc, SubOp::create(b, loc, logSumExp, picked));

  Value probabilities = SoftmaxOp::create(b, loc, logits, 1);
  Value gradient =
      DivOp::create(b, loc, SubOp::create(b, loc, probabilities, oneHot),
                    scalar(b, loc, elementType, static_cast<double>(batch)));
  return LossValue{loss, gradient};
}

/// Losses against a target of the prediction's type: binary cross-entropy
/// with logits, mean squared error, mean absolute error.
FailureOr<LossValue> elementwiseLoss(OpBuilder &b, Location loc, StringRef kind,
                                     Value prediction, Value target) {
  auto type = typeOf(prediction);
  if (typeOf(target) != type || !type.hasStaticShape())
    return emitError(loc) << kind << " needs a target of the prediction's "
                          << "type " << type << ", not " << typeOf(target);
  Type elementType = type.getElementType();
  Value count =
      scalar(b, loc, elementType, static_cast<double>(type.getNumElements()));
  Value difference = SubOp::create(b, loc, prediction, target);
  if (kind == "mse") {
    Value loss = meanOf(b, loc, MulOp::create(b, loc, difference, difference));
    Value gradient = DivOp::create(
        b, loc,
        MulOp::create(b, loc, scalar(b, loc, elementType, 2), difference),
        count);
    return LossValue{loss, gradient};
  }
  if (kind == "l1") {
    Value loss = meanOf(b, loc, AbsOp::create(b, loc, difference));
    Value gradient =
        DivOp::create(b, loc, SignOp::create(b, loc, difference), count);
    return LossValue{loss, gradient};
  }
  // bce_with_logits: max(z, 0) - z t + log(1 + exp(-|z|)), the stable form;
  // gradient (sigmoid(z) - t) / count.
  Value zero = scalar(b, loc, elementType, 0);
  Value one = scalar(b, loc, elementType, 1);
  Value positivePart = MaxOp::create(b, loc, prediction, zero);
  Value softPlus = LogOp::create(
      b, loc,
      AddOp::create(
          b, loc, one,
          ExpOp::create(
              b, loc,
              NegOp::create(b, loc, AbsOp::create(b, loc, prediction)))));
  Value elementLoss =
      AddOp::create(b, loc,
                    SubOp::create(b, loc, positivePart,
                                  MulOp::create(b, loc, prediction, target)),
                    softPlus);
  Value gradient = DivOp::create(
      b, loc,
      SubOp::create(b, loc, SigmoidOp::create(b, loc, prediction), target),
      count);
  return LossValue{meanOf(b, loc, elementLoss), gradient};
}

/// The type of the target `loss` compares `prediction` with.
FailureOr<RankedTensorType> targetType(Location loc, StringRef loss,
                                       RankedTensorType prediction) {
  if (loss == "cross_entropy") {
    if (prediction.getRank() != 2 || !prediction.hasStaticShape())
      return emitError(loc) << "cross_entropy needs a prediction [N, C] of "
                               "static shape, not "
                            << prediction;
    return RankedTensorType::get({prediction.getDimSize(0)},
                                 IntegerType::get(loc.getContext(), 64));
  }
  if (loss == "bce_with_logits" || loss == "mse" || loss == "l1")
    return prediction;
  return emitError(loc) << "unknown loss '" << loss
                        << "' (cross_entropy, bce_with_logits, mse, l1)";
}

/// The optimizer state each parameter carries.
unsigned stateSlots(StringRef optimizer, double momentum) {
  if (optimizer == "adam" || optimizer == "adamw")
    return 2;
  return momentum != 0 ? 1 : 0;
}

/// One parameter's update: the new value and the new state.
struct Update {
  Value parameter;
  SmallVector<Value> state;
};

Update applyOptimizer(OpBuilder &b, Location loc,
                      const TrainStepOptions &options, Value parameter,
                      Value gradient, ValueRange state, Value learningRate,
                      Value step) {
  Type elementType = typeOf(parameter).getElementType();
  auto constant = [&](double number) {
    return scalar(b, loc, elementType, number);
  };
  if (options.optimizer == "adam" || options.optimizer == "adamw") {
    // AdamW decays the weights directly; Adam adds the decay to the gradient.
    if (options.weightDecay != 0 && options.optimizer == "adam")
      gradient = AddOp::create(
          b, loc, gradient,
          MulOp::create(b, loc, constant(options.weightDecay), parameter));
    Value m = AddOp::create(
        b, loc, MulOp::create(b, loc, constant(options.beta1), state[0]),
        MulOp::create(b, loc, constant(1 - options.beta1), gradient));
    Value v = AddOp::create(
        b, loc, MulOp::create(b, loc, constant(options.beta2), state[1]),
        MulOp::create(b, loc, constant(1 - options.beta2),
                      MulOp::create(b, loc, gradient, gradient)));
    // Bias corrections 1 - beta^step, with step counted from 1.
    Value correction1 =
        SubOp::create(b, loc, constant(1),
                      PowOp::create(b, loc, constant(options.beta1), step));
    Value correction2 =
        SubOp::create(b, loc, constant(1),
                      PowOp::create(b, loc, constant(options.beta2), step));
    Value mHat = DivOp::create(b, loc, m, correction1);
    Value vHat = DivOp::create(b, loc, v, correction2);
    Value direction =
        DivOp::create(b, loc, mHat,
                      AddOp::create(b, loc, SqrtOp::create(b, loc, vHat),
                                    constant(options.epsilon)));
    Value decayed = parameter;
    if (options.weightDecay != 0 && options.optimizer == "adamw")
      decayed = SubOp::create(
          b, loc, parameter,
          MulOp::create(b, loc,
                        MulOp::create(b, loc, learningRate,
                                      constant(options.weightDecay)),
                        parameter));
    Value updated = SubOp::create(
        b, loc, decayed, MulOp::create(b, loc, learningRate, direction));
    return {updated, {m, v}};
  }
  // SGD (PyTorch's formulation): g += wd p; v = mu v + g; step along v, or
  // along g + mu v with Nesterov.
  if (options.weightDecay != 0)
    gradient = AddOp::create(
        b, loc, gradient,
        MulOp::create(b, loc, constant(options.weightDecay), parameter));
  Update update;
  Value direction = gradient;
  if (options.momentum != 0) {
    Value velocity = AddOp::create(
        b, loc, MulOp::create(b, loc, constant(options.momentum), state[0]),
        gradient);
    update.state.push_back(velocity);
    direction =
        options.nesterov
            ? AddOp::create(
                  b, loc, gradient,
                  MulOp::create(b, loc, constant(options.momentum), velocity))
                  .getResult()
            : velocity;
  }
  update.parameter = SubOp::create(
      b, loc, parameter, MulOp::create(b, loc, learningRate, direction));
  return update;
}

/// The gradients scaled so that their global L2 norm is at most `maxNorm`.
SmallVector<Value> clipByGlobalNorm(OpBuilder &b, Location loc,
                                    ArrayRef<Value> gradients, double maxNorm) {
  Type elementType = typeOf(gradients.front()).getElementType();
  Value squares = scalar(b, loc, elementType, 0);
  for (Value gradient : gradients) {
    auto type = typeOf(gradient);
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    Value square = MulOp::create(b, loc, gradient, gradient);
    if (!axes.empty())
      square = ReduceSumOp::create(b, loc, square, axes, /*keep_dims=*/false);
    squares = AddOp::create(b, loc, squares, square);
  }
  Value norm = SqrtOp::create(b, loc, squares);
  // min(1, maxNorm / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_.
  Value scale = MinOp::create(
      b, loc, scalar(b, loc, elementType, 1),
      DivOp::create(
          b, loc, scalar(b, loc, elementType, maxNorm),
          AddOp::create(b, loc, norm, scalar(b, loc, elementType, 1e-6))));
  SmallVector<Value> clipped;
  for (Value gradient : gradients)
    clipped.push_back(MulOp::create(b, loc, gradient, scale));
  return clipped;
}

/// Whether `name` matches one of `patterns` (glob syntax).
bool isFrozen(StringRef name, ArrayRef<std::string> patterns) {
  for (const std::string &pattern : patterns) {
    auto glob = llvm::GlobPattern::create(pattern);
    if (glob && glob->match(name))
      return true;
  }
  return false;
}

/// Copies `function`'s ops into the block at the builder's insertion point,
/// with its arguments mapped to `arguments` and each constant that holds a
/// weight named in `weights` (kiln.initializer) to that value; returns the
/// copied ops (in order) and the mapped results.
std::pair<SmallVector<Operation *>, SmallVector<Value>>
cloneWithWeights(OpBuilder &b, func::FuncOp function, ValueRange arguments,
                 const llvm::StringMap<Value> &weights) {
  IRMapping mapping;
  Block &body = function.getBody().front();
  mapping.map(body.getArguments(), arguments);
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator()) {
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      auto name = constant->getAttrOfType<StringAttr>(kInitializerAttrName);
      if (name && weights.contains(name.getValue())) {
        mapping.map(constant.getResult(), weights.lookup(name.getValue()));
        continue;
      }
    }
    ops.push_back(b.clone(op, mapping));
  }
  SmallVector<Value> results;
  for (Value result : body.getTerminator()->getOperands())
    results.push_back(mapping.lookupOrDefault(result));
  return {ops, results};
}

/// The weights of a model as a train step sees them.
struct ModelWeights {
  /// Trained: float initializers, minus the frozen ones and the buffers.
  SmallVector<TrainableParameter> parameters;
  /// Updated by the training forward itself (kiln.updates results).
  SmallVector<TrainableParameter> buffers;
  /// The training forward's results that update each buffer.
  SmallVector<unsigned> bufferResults;

  /// Each weight's name bound to the value it takes: parameters first, then
  /// buffers.
  llvm::StringMap<Value> bind(ValueRange parameterValues,
                              ValueRange bufferValues = {}) const {
    llvm::StringMap<Value> bound;
    for (auto [parameter, value] : llvm::zip(parameters, parameterValues))
      bound[parameter.name] = value;
    for (auto [buffer, value] : llvm::zip(buffers, bufferValues))
      bound[buffer.name] = value;
    return bound;
  }
};

/// Finds the buffers (from `training`'s kiln.updates results) and the
/// trainable weights of `training`.
FailureOr<ModelWeights> findWeights(func::FuncOp training,
                                    ArrayRef<std::string> frozen) {
  ModelWeights weights;
  llvm::StringMap<unsigned> updated;
  for (unsigned i = 0; i < training.getNumResults(); ++i)
    if (auto name = training.getResultAttrOfType<StringAttr>(i, kUpdatesAttrName))
      updated[name.getValue()] = i;
  llvm::StringMap<DenseElementsAttr> bufferValues;
  training.walk([&](ConstantOp constant) {
    auto name = constant->getAttrOfType<StringAttr>(kInitializerAttrName);
    auto type = typeOf(constant.getResult());
    auto value = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!name || !value || !isa<FloatType>(type.getElementType()))
      return;
    if (updated.contains(name.getValue()))
      bufferValues[name.getValue()] = value;
    else if (!constant->hasAttr(kStatisticAttrName) &&
             !isFrozen(name.getValue(), frozen))
      weights.parameters.push_back({name.str(), value});
  });
  // Buffers in result order, so train_step's layout follows the graph's.
  for (unsigned i = 0; i < training.getNumResults(); ++i) {
    auto name = training.getResultAttrOfType<StringAttr>(i, kUpdatesAttrName);
    if (!name)
      continue;
    DenseElementsAttr value = bufferValues.lookup(name.getValue());
    if (!value || value.getType() != training.getResultTypes()[i])
      return training.emitError()
             << "result #" << i << " updates '" << name.getValue()
             << "', which is not a float weight of the result's type";
    weights.buffers.push_back({name.str(), value});
    weights.bufferResults.push_back(i);
  }
  return weights;
}

/// The arguments for `training`'s own arguments: the graph inputs, and the
/// step number (as i64) for a dropout seed.
SmallVector<Value> trainingArguments(OpBuilder &b, func::FuncOp training,
                                     ValueRange inputs, Value step) {
  SmallVector<Value> arguments;
  unsigned next = 0;
  for (unsigned i = 0; i < training.getNumArguments(); ++i) {
    if (training.getArgAttr(i, kDropoutSeedAttrName)) {
      arguments.push_back(
          CastOp::create(b, training.getLoc(), step, b.getI64Type()));
      continue;
    }
    arguments.push_back(inputs[next++]);
  }
  return arguments;
}

/// The forward ops (weights bound to values), the loss against `target` and
/// the parameters' gradients, emitted at the builder's insertion point.
struct LossAndGradients {
  Value loss, prediction;
  SmallVector<Value> gradients;
  /// The buffers' next values.
  SmallVector<Value> bufferUpdates;
};

FailureOr<LossAndGradients>
emitLossAndGradients(OpBuilder &b, func::FuncOp training,
                     const TrainStepOptions &options,
                     const ModelWeights &weights, ValueRange inputs,
                     Value target, Value step, ValueRange parameters,
                     ValueRange buffers) {
  Location loc = training.getLoc();
  auto [forwardOps, results] = cloneWithWeights(
      b, training, trainingArguments(b, training, inputs, step),
      weights.bind(parameters, buffers));
  Value predicted = results[options.output];
  FailureOr<LossValue> loss =
      options.loss == "cross_entropy"
          ? crossEntropy(b, loc, predicted, target)
          : elementwiseLoss(b, loc, options.loss, predicted, target);
  if (failed(loss))
    return failure();
  FailureOr<SmallVector<Value>> gradients =
      autodiff::emitBackward(b, forwardOps, {{predicted, loss->gradient}},
                             SmallVector<Value>(parameters));
  if (failed(gradients))
    return failure();
  LossAndGradients computed{loss->loss, predicted, *gradients, {}};
  for (unsigned index : weights.bufferResults)
    computed.bufferUpdates.push_back(results[index]);
  return computed;
}

} // namespace

FailureOr<TrainStepSignature> buildTrainStep(ModuleOp module,
                                             const TrainStepOptions &options) {
  auto forward = module.lookupSymbol<func::FuncOp>(options.forward);
  if (!forward)
    return module.emitError()
           << "no function '" << options.forward << "' to train";
  func::FuncOp training = forward;
  if (!options.trainingForward.empty()) {
    training = module.lookupSymbol<func::FuncOp>(options.trainingForward);
    if (!training)
      return module.emitError() << "no function '" << options.trainingForward
                                << "' to train";
  }
  for (StringRef name :
       {StringRef(options.trainStepName), StringRef(options.predictName),
        StringRef(options.gradientsName)})
    if (SymbolTable::lookupSymbolIn(module, name))
      return module.emitError() << "the module already has '" << name << "'";
  for (func::FuncOp function : {forward, training})
    if (!function.getBody().hasOneBlock())
      return function.emitError() << "training needs a function of one block";
  FunctionType forwardType = forward.getFunctionType();
  if (options.output >= forwardType.getNumResults())
    return forward.emitError()
           << "the function has no result #" << options.output;
  auto prediction =
      dyn_cast<RankedTensorType>(forwardType.getResult(options.output));
  if (!prediction || !isa<FloatType>(prediction.getElementType()) ||
      !prediction.hasStaticShape())
    return forward.emitError()
           << "the trained result must be a float tensor of static shape, not "
           << forwardType.getResult(options.output);
  if (training != forward &&
      (training.getNumResults() <= options.output ||
       training.getResultTypes()[options.output] != prediction))
    return training.emitError()
           << "the training function's result #" << options.output
           << " is not of the prediction's type " << prediction;
  if (options.optimizer != "sgd" && options.optimizer != "adam" &&
      options.optimizer != "adamw")
    return forward.emitError() << "unknown optimizer '" << options.optimizer
                               << "' (sgd, adam, adamw)";
  Location loc = forward.getLoc();
  FailureOr<RankedTensorType> target =
      targetType(loc, options.loss, prediction);
  if (failed(target))
    return failure();

  FailureOr<ModelWeights> found = findWeights(training, options.frozen);
  if (failed(found))
    return failure();
  const ModelWeights &weights = *found;
  if (weights.parameters.empty())
    return forward.emitError() << "the model has no trainable weights (float "
                                  "initializers that are not frozen)";

  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(training);
  Type elementType = prediction.getElementType();
  auto scalarType = RankedTensorType::get({}, elementType);
  SmallVector<Type> parameterTypes, bufferTypes;
  for (const TrainableParameter &parameter : weights.parameters)
    parameterTypes.push_back(parameter.initial.getType());
  for (const TrainableParameter &buffer : weights.buffers)
    bufferTypes.push_back(buffer.initial.getType());
  const unsigned numInputs = forwardType.getNumInputs();
  const unsigned numParameters = weights.parameters.size();
  const unsigned numBuffers = weights.buffers.size();

  // predict(inputs..., params..., buffers...)
  SmallVector<Type> predictInputs(forwardType.getInputs());
  llvm::append_range(predictInputs, parameterTypes);
  llvm::append_range(predictInputs, bufferTypes);
  auto predict = func::FuncOp::create(
      b, loc, options.predictName,
      b.getFunctionType(predictInputs, forwardType.getResults()));
  {
    OpBuilder::InsertionGuard guard(b);
    Block *entry = predict.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    ValueRange arguments = entry->getArguments();
    auto [ops, results] = cloneWithWeights(
        b, forward, arguments.take_front(numInputs),
        weights.bind(arguments.slice(numInputs, numParameters),
                     arguments.drop_front(numInputs + numParameters)));
    func::ReturnOp::create(b, loc, results);
  }

  // train_step(inputs..., target, learning_rate, step, params..., state...,
  //            buffers...)
  const unsigned slots = stateSlots(options.optimizer, options.momentum);
  SmallVector<Type> stepInputs(forwardType.getInputs());
  stepInputs.append({*target, scalarType, scalarType});
  SmallVector<Type> stepResults{scalarType, prediction};
  for (SmallVector<Type> *list : {&stepInputs, &stepResults}) {
    for (unsigned slot = 0; slot <= slots; ++slot)
      llvm::append_range(*list, parameterTypes);
    llvm::append_range(*list, bufferTypes);
  }
  b.setInsertionPointAfter(predict);
  auto trainStep =
      func::FuncOp::create(b, loc, options.trainStepName,
                           b.getFunctionType(stepInputs, stepResults));
  Block *entry = trainStep.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  ValueRange arguments = entry->getArguments();
  Value targetValue = arguments[numInputs];
  Value learningRate = arguments[numInputs + 1];
  Value step = arguments[numInputs + 2];
  ValueRange parameterValues = arguments.slice(numInputs + 3, numParameters);
  ValueRange stateValues =
      arguments.slice(numInputs + 3 + numParameters, slots * numParameters);
  ValueRange bufferValues = arguments.take_back(numBuffers);

  FailureOr<LossAndGradients> computed = emitLossAndGradients(
      b, training, options, weights, arguments.take_front(numInputs),
      targetValue, step, parameterValues, bufferValues);
  if (failed(computed)) {
    trainStep.erase();
    predict.erase();
    return failure();
  }
  SmallVector<Value> clipped = computed->gradients;
  if (options.clipNorm > 0)
    clipped = clipByGlobalNorm(b, loc, clipped, options.clipNorm);

  SmallVector<Value> newParameters, newState(slots * numParameters);
  for (unsigned p = 0; p < numParameters; ++p) {
    SmallVector<Value> state;
    for (unsigned slot = 0; slot < slots; ++slot)
      state.push_back(stateValues[slot * numParameters + p]);
    Update update = applyOptimizer(b, loc, options, parameterValues[p],
                                   clipped[p], state, learningRate, step);
    newParameters.push_back(update.parameter);
    for (unsigned slot = 0; slot < slots; ++slot)
      newState[slot * numParameters + p] = update.state[slot];
  }
  SmallVector<Value> returned{computed->loss, computed->prediction};
  llvm::append_range(returned, newParameters);
  llvm::append_range(returned, newState);
  llvm::append_range(returned, computed->bufferUpdates);
  func::ReturnOp::create(b, loc, returned);

  // gradients(inputs..., target, params...) -> (loss, gradients...), with
  // the buffers' initial values and the first step's dropout masks.
  if (options.gradientsFunction) {
    SmallVector<Type> inputs(forwardType.getInputs());
    inputs.push_back(*target);
    llvm::append_range(inputs, parameterTypes);
    SmallVector<Type> results{scalarType};
    llvm::append_range(results, parameterTypes);
    b.setInsertionPointAfter(trainStep);
    auto gradientsFunction = func::FuncOp::create(
        b, loc, options.gradientsName, b.getFunctionType(inputs, results));
    Block *block = gradientsFunction.addEntryBlock();
    b.setInsertionPointToEnd(block);
    Value firstStep = scalar(b, loc, elementType, 1);
    FailureOr<LossAndGradients> computed = emitLossAndGradients(
        b, training, options, weights,
        block->getArguments().take_front(numInputs),
        block->getArgument(numInputs), firstStep,
        block->getArguments().drop_front(numInputs + 1), {});
    if (failed(computed))
      return failure();
    SmallVector<Value> returned{computed->loss};
    llvm::append_range(returned, computed->gradients);
    func::ReturnOp::create(b, loc, returned);
    for (unsigned p = 0; p < numParameters; ++p) {
      const std::string &name = weights.parameters[p].name;
      gradientsFunction.setArgAttr(numInputs + 1 + p, "kiln.name",
                                   b.getStringAttr(name));
      gradientsFunction.setResultAttr(1 + p, "kiln.name",
                                      b.getStringAttr(name + ".gradient"));
    }
    gradientsFunction.setResultAttr(0, "kiln.name", b.getStringAttr("loss"));
  }

  // initial_weights() -> (params..., buffers...)
  if (options.initialWeightsFunction) {
    b.setInsertionPointAfter(trainStep);
    SmallVector<Type> types(parameterTypes);
    llvm::append_range(types, bufferTypes);
    auto initial = func::FuncOp::create(b, loc, options.initialWeightsName,
                                        b.getFunctionType({}, types));
    Block *block = initial.addEntryBlock();
    b.setInsertionPointToEnd(block);
    SmallVector<Value> values;
    for (const auto *list : {&weights.parameters, &weights.buffers})
      for (const TrainableParameter &weight : *list) {
        values.push_back(ConstantOp::create(b, loc, weight.initial));
        initial.setResultAttr(values.size() - 1, "kiln.name",
                              b.getStringAttr(weight.name));
      }
    func::ReturnOp::create(b, loc, values);
  }

  // Names for the runtime and the tools.
  auto nameArgument = [&](func::FuncOp function, unsigned index,
                          StringRef name) {
    function.setArgAttr(index, "kiln.name", b.getStringAttr(name));
  };
  auto nameResult = [&](func::FuncOp function, unsigned index, StringRef name) {
    function.setResultAttr(index, "kiln.name", b.getStringAttr(name));
  };
  for (unsigned i = 0; i < numInputs; ++i)
    if (auto name = forward.getArgAttrOfType<StringAttr>(i, "kiln.name")) {
      nameArgument(predict, i, name);
      nameArgument(trainStep, i, name);
    }
  for (unsigned i = 0; i < forwardType.getNumResults(); ++i)
    if (auto name = forward.getResultAttrOfType<StringAttr>(i, "kiln.name"))
      nameResult(predict, i, name);
  nameArgument(trainStep, numInputs, "target");
  nameArgument(trainStep, numInputs + 1, "learning_rate");
  nameArgument(trainStep, numInputs + 2, "step");
  nameResult(trainStep, 0, "loss");
  nameResult(trainStep, 1, "prediction");
  auto slotName = [&](unsigned slot) -> std::string {
    if (options.optimizer == "sgd")
      return "momentum";
    return slot == 0 ? "adam_m" : "adam_v";
  };
  for (unsigned p = 0; p < numParameters; ++p) {
    const std::string &name = weights.parameters[p].name;
    nameArgument(predict, numInputs + p, name);
    nameArgument(trainStep, numInputs + 3 + p, name);
    nameResult(trainStep, 2 + p, name);
    for (unsigned slot = 0; slot < slots; ++slot) {
      std::string stateName = name + "." + slotName(slot);
      nameArgument(trainStep, numInputs + 3 + (1 + slot) * numParameters + p,
                   stateName);
      nameResult(trainStep, 2 + (1 + slot) * numParameters + p, stateName);
    }
  }
  const unsigned firstBufferArgument =
      numInputs + 3 + (1 + slots) * numParameters;
  const unsigned firstBufferResult = 2 + (1 + slots) * numParameters;
  for (unsigned i = 0; i < numBuffers; ++i) {
    const std::string &name = weights.buffers[i].name;
    nameArgument(predict, numInputs + numParameters + i, name);
    nameArgument(trainStep, firstBufferArgument + i, name);
    nameResult(trainStep, firstBufferResult + i, name);
  }
  return TrainStepSignature{weights.parameters, weights.buffers};
}

} // namespace kiln
