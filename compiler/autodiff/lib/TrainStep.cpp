//===- TrainStep.cpp - A compiled training step from a forward function ---===//
//
// buildTrainStep() turns a model's `forward` into two functions whose weights
// are arguments instead of constants:
//
//   predict(inputs..., params...) -> forward's results
//   train_step(inputs..., target, learning_rate, step, params..., state...)
//       -> (loss, prediction, params'..., state'...)
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
/// with its arguments mapped to `arguments` and the trainable constants to
/// `parameters`; returns the copied ops (in order) and the mapped results.
std::pair<SmallVector<Operation *>, SmallVector<Value>>
cloneWithParameters(OpBuilder &b, func::FuncOp function, ValueRange arguments,
                    ArrayRef<ConstantOp> trainable, ValueRange parameters) {
  IRMapping mapping;
  Block &body = function.getBody().front();
  mapping.map(body.getArguments(), arguments);
  for (auto [constant, parameter] : llvm::zip(trainable, parameters))
    mapping.map(ConstantOp(constant).getResult(), parameter);
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator()) {
    if (auto constant = dyn_cast<ConstantOp>(op);
        constant && mapping.contains(constant.getResult()))
      continue;
    ops.push_back(b.clone(op, mapping));
  }
  SmallVector<Value> results;
  for (Value result : body.getTerminator()->getOperands())
    results.push_back(mapping.lookupOrDefault(result));
  return {ops, results};
}

/// The forward ops (weights replaced by `parameters`), the loss against
/// `target` and the parameters' gradients, emitted at the builder's insertion
/// point.
struct LossAndGradients {
  Value loss, prediction;
  SmallVector<Value> gradients;
};

FailureOr<LossAndGradients>
emitLossAndGradients(OpBuilder &b, func::FuncOp forward,
                     const TrainStepOptions &options,
                     ArrayRef<ConstantOp> trainable, ValueRange inputs,
                     Value target, ValueRange parameters) {
  Location loc = forward.getLoc();
  auto [forwardOps, results] =
      cloneWithParameters(b, forward, inputs, trainable, parameters);
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
  return LossAndGradients{loss->loss, predicted, *gradients};
}

} // namespace

FailureOr<SmallVector<TrainableParameter>>
buildTrainStep(ModuleOp module, const TrainStepOptions &options) {
  auto forward = module.lookupSymbol<func::FuncOp>(options.forward);
  if (!forward)
    return module.emitError()
           << "no function '" << options.forward << "' to train";
  for (StringRef name :
       {StringRef(options.trainStepName), StringRef(options.predictName),
        StringRef(options.gradientsName)})
    if (SymbolTable::lookupSymbolIn(module, name))
      return module.emitError() << "the module already has '" << name << "'";
  if (!forward.getBody().hasOneBlock())
    return forward.emitError() << "training needs a function of one block";
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
  if (options.optimizer != "sgd" && options.optimizer != "adam" &&
      options.optimizer != "adamw")
    return forward.emitError() << "unknown optimizer '" << options.optimizer
                               << "' (sgd, adam, adamw)";
  Location loc = forward.getLoc();
  FailureOr<RankedTensorType> target =
      targetType(loc, options.loss, prediction);
  if (failed(target))
    return failure();

  // The weights: float constants that hold a named initializer.
  SmallVector<ConstantOp> trainable;
  SmallVector<TrainableParameter> parameters;
  forward.walk([&](ConstantOp constant) {
    auto name = constant->getAttrOfType<StringAttr>(kInitializerAttrName);
    auto type = typeOf(constant.getResult());
    auto value = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!name || !value || !isa<FloatType>(type.getElementType()) ||
        isFrozen(name.getValue(), options.frozen))
      return;
    trainable.push_back(constant);
    parameters.push_back({name.str(), value});
  });
  if (trainable.empty())
    return forward.emitError() << "the model has no trainable weights (float "
                                  "initializers that are not frozen)";

  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(forward);
  Type elementType = prediction.getElementType();
  auto scalarType = RankedTensorType::get({}, elementType);
  SmallVector<Type> parameterTypes;
  for (ConstantOp constant : trainable)
    parameterTypes.push_back(constant.getType());

  // predict(inputs..., params...)
  SmallVector<Type> predictInputs(forwardType.getInputs());
  llvm::append_range(predictInputs, parameterTypes);
  auto predict = func::FuncOp::create(
      b, loc, options.predictName,
      b.getFunctionType(predictInputs, forwardType.getResults()));
  {
    OpBuilder::InsertionGuard guard(b);
    Block *entry = predict.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    unsigned numInputs = forwardType.getNumInputs();
    auto [ops, results] = cloneWithParameters(
        b, forward, entry->getArguments().take_front(numInputs), trainable,
        entry->getArguments().drop_front(numInputs));
    func::ReturnOp::create(b, loc, results);
  }

  // train_step(inputs..., target, learning_rate, step, params..., state...)
  const unsigned slots = stateSlots(options.optimizer, options.momentum);
  SmallVector<Type> stepInputs(forwardType.getInputs());
  stepInputs.append({*target, scalarType, scalarType});
  llvm::append_range(stepInputs, parameterTypes);
  for (unsigned slot = 0; slot < slots; ++slot)
    llvm::append_range(stepInputs, parameterTypes);
  SmallVector<Type> stepResults{scalarType, prediction};
  llvm::append_range(stepResults, parameterTypes);
  for (unsigned slot = 0; slot < slots; ++slot)
    llvm::append_range(stepResults, parameterTypes);
  b.setInsertionPointAfter(predict);
  auto trainStep =
      func::FuncOp::create(b, loc, options.trainStepName,
                           b.getFunctionType(stepInputs, stepResults));
  Block *entry = trainStep.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  const unsigned numInputs = forwardType.getNumInputs();
  const unsigned numParameters = trainable.size();
  ValueRange arguments = entry->getArguments();
  Value targetValue = arguments[numInputs];
  Value learningRate = arguments[numInputs + 1];
  Value step = arguments[numInputs + 2];
  ValueRange parameterValues = arguments.slice(numInputs + 3, numParameters);
  ValueRange stateValues = arguments.drop_front(numInputs + 3 + numParameters);

  FailureOr<LossAndGradients> computed = emitLossAndGradients(
      b, forward, options, trainable, arguments.take_front(numInputs),
      targetValue, parameterValues);
  if (failed(computed)) {
    trainStep.erase();
    predict.erase();
    return failure();
  }
  Value predicted = computed->prediction;
  Value lossValue = computed->loss;
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
  SmallVector<Value> returned{lossValue, predicted};
  llvm::append_range(returned, newParameters);
  llvm::append_range(returned, newState);
  func::ReturnOp::create(b, loc, returned);

  // gradients(inputs..., target, params...) -> (loss, gradients...)
  func::FuncOp gradientsFunction;
  if (options.gradientsFunction) {
    SmallVector<Type> inputs(forwardType.getInputs());
    inputs.push_back(*target);
    llvm::append_range(inputs, parameterTypes);
    SmallVector<Type> results{scalarType};
    llvm::append_range(results, parameterTypes);
    b.setInsertionPointAfter(trainStep);
    gradientsFunction = func::FuncOp::create(
        b, loc, options.gradientsName, b.getFunctionType(inputs, results));
    Block *block = gradientsFunction.addEntryBlock();
    b.setInsertionPointToEnd(block);
    FailureOr<LossAndGradients> computed =
        emitLossAndGradients(b, forward, options, trainable,
                             block->getArguments().take_front(numInputs),
                             block->getArgument(numInputs),
                             block->getArguments().drop_front(numInputs + 1));
    if (failed(computed))
      return failure();
    SmallVector<Value> returned{computed->loss};
    llvm::append_range(returned, computed->gradients);
    func::ReturnOp::create(b, loc, returned);
    for (unsigned p = 0; p < numParameters; ++p) {
      gradientsFunction.setArgAttr(numInputs + 1 + p, "kiln.name",
                                   b.getStringAttr(parameters[p].name));
      gradientsFunction.setResultAttr(
          1 + p, "kiln.name",
          b.getStringAttr(parameters[p].name + ".gradient"));
    }
    gradientsFunction.setResultAttr(0, "kiln.name", b.getStringAttr("loss"));
  }

  // initial_weights() -> (params...)
  if (options.initialWeightsFunction) {
    b.setInsertionPointAfter(trainStep);
    auto initial = func::FuncOp::create(b, loc, options.initialWeightsName,
                                        b.getFunctionType({}, parameterTypes));
    Block *block = initial.addEntryBlock();
    b.setInsertionPointToEnd(block);
    SmallVector<Value> weights;
    for (ConstantOp constant : trainable)
      weights.push_back(
          ConstantOp::create(b, loc, constant.getValue()).getResult());
    func::ReturnOp::create(b, loc, weights);
    for (unsigned p = 0; p < numParameters; ++p)
      initial.setResultAttr(p, "kiln.name",
                            b.getStringAttr(parameters[p].name));
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
    const std::string &name = parameters[p].name;
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
  return parameters;
}

} // namespace kiln
