//===- Normalization.cpp - ONNX normalization ops to kiln -----------------===//
//
// BatchNormalization, InstanceNormalization and LRN as compositions of kiln
// reductions and elementwise ops:
//
// - BatchNormalization (inference) is y = x * k + (B - mean * k) with
//   k = scale / sqrt(var + epsilon) per channel: computed at import time when
//   the statistics are constants, else from the [C] vectors at run time (so
//   the full-size work is one multiply and one add either way). In training
//   mode the statistics are the batch's (mean and population variance over
//   every dim but the channels), and the running statistics are
//   input * momentum + batch * (1 - momentum).
// - InstanceNormalization: (x - mean) * (1 / sqrt(var + epsilon)) * scale + B
//   with mean and population variance over the spatial dims (the reciprocal
//   is taken once per instance, not per element).
// - LRN: the sum of squares over a window of `size` channels is an average
//   pool of x^2 (a [size, 1] window over [N, 1, C, rest], zero padded, the
//   divisor always `size`) times `size`, so y = x / (bias + alpha * avg)^beta.
//
// MeanVarianceNormalization has no converter: ONNX's function body (means,
// a variance and a division) is inlined by the model loader.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "CompositionHelpers.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Input 0 of a normalization node: a float tensor of rank `minRank` or more.
llvm::Expected<Value> normalizedInput(NodeContext &context, int64_t minRank) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  if (!isa<FloatType>(type.getElementType()) || type.getRank() < minRank)
    return context.invalid("the input must be a floating-point tensor of "
                           "rank " +
                           llvm::Twine(minRank) + " or more");
  return input;
}

/// Input `index` (a per-channel parameter named `what`) laid along dim 1 of a
/// rank-`rank` tensor.
llvm::Expected<Value> perChannel(NodeContext &context, size_t index,
                                 int64_t rank, llvm::StringRef what) {
  KILN_ASSIGN_OR_RETURN(Value parameter, context.input(index));
  return alongAxis(context, parameter, rank, 1, what);
}

/// Every dim of a rank-`rank` tensor from `first` on, skipping `skip`.
SmallVector<int64_t> dimsExcept(int64_t rank, int64_t first, int64_t skip) {
  SmallVector<int64_t> dims;
  for (int64_t d = first; d < rank; ++d)
    if (d != skip)
      dims.push_back(d);
  return dims;
}

/// The mean, x - mean and the population variance of `x` over `axes` (kept as
/// unit dims).
struct Moments {
  Value mean, centered, variance;
};

llvm::Expected<Moments> momentsOf(NodeContext &context, Value x,
                                  ArrayRef<int64_t> axes) {
  Moments moments;
  KILN_ASSIGN_OR_RETURN(moments.mean,
                        context.create<ReduceMeanOp>(x, axes, true));
  KILN_ASSIGN_OR_RETURN(moments.centered,
                        context.create<SubOp>(x, moments.mean));
  KILN_ASSIGN_OR_RETURN(
      Value squares, context.create<MulOp>(moments.centered, moments.centered));
  KILN_ASSIGN_OR_RETURN(moments.variance,
                        context.create<ReduceMeanOp>(squares, axes, true));
  return moments;
}

/// 1 / sqrt(variance + epsilon), in the variance's type.
llvm::Expected<Value> inverseDeviation(NodeContext &context, Value variance,
                                       double epsilon) {
  Type type = elementTypeOf(variance);
  KILN_ASSIGN_OR_RETURN(
      Value shifted,
      context.create<AddOp>(variance, context.scalar(type, epsilon)));
  KILN_ASSIGN_OR_RETURN(Value deviation, context.create<SqrtOp>(shifted));
  return context.create<DivOp>(context.scalar(type, 1.0), deviation);
}

llvm::Error convertInstanceNormalization(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value x, normalizedInput(context, 3));
  int64_t rank = context.inputType(0).getRank();
  KILN_ASSIGN_OR_RETURN(Value scale, perChannel(context, 1, rank, "scale"));
  KILN_ASSIGN_OR_RETURN(Value bias, perChannel(context, 2, rank, "B"));
  KILN_ASSIGN_OR_RETURN(Moments moments,
                        momentsOf(context, x, dimsExcept(rank, 2, -1)));
  KILN_ASSIGN_OR_RETURN(
      Value inverse,
      inverseDeviation(context, moments.variance,
                       context.floatAttribute("epsilon", 1e-5f)));
  KILN_ASSIGN_OR_RETURN(Value normalized,
                        context.create<MulOp>(moments.centered, inverse));
  KILN_ASSIGN_OR_RETURN(Value scaled, context.create<MulOp>(normalized, scale));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<AddOp>(scaled, bias));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertLRN(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value x, normalizedInput(context, 2));
  RankedTensorType type = context.inputType(0);
  if (!context.hasAttribute("size"))
    return context.invalid("attribute 'size' is required");
  int64_t size = context.intAttribute("size", 1);
  if (size < 1)
    return context.invalid("size must be positive");
  if (!type.hasStaticShape())
    return context.unsupported("LRN of a tensor with dynamic dims");
  int64_t rest = 1;
  for (int64_t dim : type.getShape().drop_front(2))
    rest *= dim;
  // The window of channel c is [c - floor((size-1)/2), c + ceil((size-1)/2)].
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  KILN_ASSIGN_OR_RETURN(Value squares, context.create<MulOp>(x, x));
  KILN_ASSIGN_OR_RETURN(
      Value columns, context.create<ReshapeOp>(
                         squares, ArrayRef<int64_t>{type.getDimSize(0), 1,
                                                    type.getDimSize(1), rest}));
  KILN_ASSIGN_OR_RETURN(
      Value average,
      context.create<AvgPool2DOp>(
          columns, ArrayRef<int64_t>{size, 1}, ArrayRef<int64_t>{1, 1},
          ArrayRef<int64_t>{before, 0, after, 0}, /*ceil_mode=*/false,
          /*count_include_pad=*/true));
  KILN_ASSIGN_OR_RETURN(average,
                        context.create<ReshapeOp>(average, type.getShape()));
  Type elementType = type.getElementType();
  // alpha / size * sum = alpha * average.
  KILN_ASSIGN_OR_RETURN(
      Value scaled,
      context.create<MulOp>(
          average,
          context.scalar(elementType, context.floatAttribute("alpha", 1e-4f))));
  KILN_ASSIGN_OR_RETURN(
      Value base,
      context.create<AddOp>(
          scaled,
          context.scalar(elementType, context.floatAttribute("bias", 1.0f))));
  KILN_ASSIGN_OR_RETURN(
      Value divisor,
      context.create<PowOp>(
          base,
          context.scalar(elementType, context.floatAttribute("beta", 0.75f))));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<DivOp>(x, divisor));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// BatchNormalization
//===----------------------------------------------------------------------===//

/// `value` as a double, whatever its float semantics.
double toDouble(APFloat value) {
  bool losesInfo;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToDouble();
}

/// Whether input `index` is one of the model's weights (an initializer),
/// which training differentiates: then scale and B stay operands of kiln ops.
bool isWeight(NodeContext &context, size_t index) {
  Value value = context.optionalInput(index);
  auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
  return constant && constant->hasAttr(kInitializerAttrName);
}

/// Gives the statistics (inputs 3 and 4, when constants) constants of their
/// own: named by their ONNX names (kiln.initializer) with `named`, the names
/// a train step updates and saves; else unnamed, so that training leaves
/// them alone and ops on them fold as on any constant. Exporters alias equal
/// initializers through Identity nodes (a fresh PyTorch running_var is its
/// layer's weight, all ones), so a statistic may arrive as a weight's own
/// constant, which must stay that weight's.
void separateStatistics(NodeContext &context, bool named) {
  for (size_t index : {3, 4}) {
    Value value = context.optionalInput(index);
    auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
    auto elements =
        constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
    if (!elements)
      continue;
    const std::string &name = context.node.input(index);
    auto current = constant->getAttrOfType<StringAttr>(kInitializerAttrName);
    if (current && current.getValue() == name) {
      if (named)
        constant->setAttr(kStatisticAttrName, context.builder.getUnitAttr());
      else
        constant->removeAttr(kInitializerAttrName);
      continue;
    }
    if (!current && !named)
      continue;
    Value own = context.constant(elements);
    if (named) {
      own.getDefiningOp()->setAttr(kInitializerAttrName,
                                   context.builder.getStringAttr(name));
      own.getDefiningOp()->setAttr(kStatisticAttrName,
                                   context.builder.getUnitAttr());
    }
    context.redefineInput(index, own);
  }
}

/// Inference with constant statistics: k and the offset computed in double
/// at import time, as [1, C, 1, ...] constants. Null when a statistic is not a
/// constant.
llvm::Expected<std::pair<Value, Value>>
foldedScaleAndOffset(NodeContext &context, RankedTensorType type,
                     double epsilon) {
  DenseElementsAttr scale = context.constantInput(1),
                    bias = context.constantInput(2),
                    mean = context.constantInput(3),
                    variance = context.constantInput(4);
  if (!scale || !bias || !mean || !variance ||
      llvm::any_of(llvm::seq<size_t>(1, 5),
                   [&](size_t index) { return isWeight(context, index); }))
    return std::make_pair(Value(), Value());
  int64_t channels = type.getDimSize(1);
  for (DenseElementsAttr parameter : {scale, bias, mean, variance})
    if (parameter.getType().getRank() != 1 ||
        parameter.getType().getDimSize(0) != channels ||
        !isa<FloatType>(parameter.getElementType()))
      return context.invalid("scale, B, mean and var must be float vectors "
                             "with one entry per channel");
  auto floatType = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> multipliers, offsets;
  auto s = scale.getValues<APFloat>(), b = bias.getValues<APFloat>(),
       m = mean.getValues<APFloat>(), v = variance.getValues<APFloat>();
  for (int64_t c = 0; c < channels; ++c) {
    double k = toDouble(s[c]) / std::sqrt(toDouble(v[c]) + epsilon);
    double offset = toDouble(b[c]) - toDouble(m[c]) * k;
    for (auto [value, list] :
         {std::pair(k, &multipliers), std::pair(offset, &offsets)}) {
      bool losesInfo;
      APFloat converted(value);
      converted.convert(floatType.getFloatSemantics(),
                        APFloat::rmNearestTiesToEven, &losesInfo);
      list->push_back(converted);
    }
  }
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[1] = channels;
  auto parameterType = RankedTensorType::get(shape, floatType);
  return std::make_pair(
      context.constant(DenseElementsAttr::get(parameterType, multipliers)),
      context.constant(DenseElementsAttr::get(parameterType, offsets)));
}

/// k = scale / sqrt(variance + epsilon), laid along dim 1 (as `variance`).
llvm::Expected<Value> multiplierOf(NodeContext &context, int64_t rank,
                                   Value variance, double epsilon) {
  KILN_ASSIGN_OR_RETURN(Value scale, perChannel(context, 1, rank, "scale"));
  KILN_ASSIGN_OR_RETURN(Value inverse,
                        inverseDeviation(context, variance, epsilon));
  return context.create<MulOp>(scale, inverse);
}

/// running = input * momentum + batch * (1 - momentum), for the running
/// statistic at input `index` and the batch statistic `batch` ([1, C, 1...]).
llvm::Expected<Value> runningStatistic(NodeContext &context, size_t index,
                                       Value batch, double momentum) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(index));
  Type type = elementTypeOf(input);
  KILN_ASSIGN_OR_RETURN(
      Value flat, context.create<ReshapeOp>(batch, ArrayRef<int64_t>{-1}));
  KILN_ASSIGN_OR_RETURN(
      Value kept, context.create<MulOp>(input, context.scalar(type, momentum)));
  KILN_ASSIGN_OR_RETURN(
      Value added,
      context.create<MulOp>(flat, context.scalar(type, 1.0 - momentum)));
  return context.create<AddOp>(kept, added);
}

/// Inference: y = x * k + (B - mean * k) with the given statistics.
llvm::Expected<Value> normalizeWithInputStatistics(NodeContext &context,
                                                   Value x, double epsilon) {
  auto type = cast<RankedTensorType>(x.getType());
  KILN_ASSIGN_OR_RETURN(auto folded,
                        foldedScaleAndOffset(context, type, epsilon));
  auto [k, offset] = folded;
  if (!k) {
    int64_t rank = type.getRank();
    KILN_ASSIGN_OR_RETURN(Value mean, perChannel(context, 3, rank, "mean"));
    KILN_ASSIGN_OR_RETURN(Value variance, perChannel(context, 4, rank, "var"));
    KILN_ASSIGN_OR_RETURN(k, multiplierOf(context, rank, variance, epsilon));
    KILN_ASSIGN_OR_RETURN(Value bias, perChannel(context, 2, rank, "B"));
    KILN_ASSIGN_OR_RETURN(Value shift, context.create<MulOp>(mean, k));
    KILN_ASSIGN_OR_RETURN(offset, context.create<SubOp>(bias, shift));
  }
  KILN_ASSIGN_OR_RETURN(Value scaled, context.create<MulOp>(x, k));
  return context.create<AddOp>(scaled, offset);
}

/// The running statistics of a node that ImportOptions::Mode::Training runs
/// in training mode: the next values of its mean and var initializers, as
/// PyTorch updates them (the variance's estimate unbiased, n / (n - 1)).
llvm::Error updateRunningStatistics(NodeContext &context, Value x,
                                    const Moments &moments, double momentum) {
  auto type = cast<RankedTensorType>(x.getType());
  if (!type.hasStaticShape())
    return context.unsupported("training mode needs the input's shape known "
                               "at compile time");
  int64_t perChannel = type.getNumElements() / type.getDimSize(1);
  if (perChannel < 2)
    return context.invalid("training mode needs more than one value per "
                           "channel to estimate a variance");
  Type elementType = type.getElementType();
  KILN_ASSIGN_OR_RETURN(
      Value unbiased,
      context.create<MulOp>(
          moments.variance,
          context.scalar(elementType, static_cast<double>(perChannel) /
                                          static_cast<double>(perChannel - 1))));
  KILN_ASSIGN_OR_RETURN(Value mean,
                        runningStatistic(context, 3, moments.mean, momentum));
  KILN_ASSIGN_OR_RETURN(Value variance,
                        runningStatistic(context, 4, unbiased, momentum));
  if (llvm::Error error = context.updateInitializer(3, mean))
    return error;
  return context.updateInitializer(4, variance);
}

/// Training: normalizes with the batch's statistics (over every dim but 1)
/// and sets the running statistics' outputs (ONNX's training mode, population
/// variance), or with `updateInitializers` returns them from the function.
llvm::Expected<Value> normalizeWithBatchStatistics(NodeContext &context,
                                                   Value x, double epsilon,
                                                   bool updateInitializers) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  KILN_ASSIGN_OR_RETURN(Moments moments,
                        momentsOf(context, x, dimsExcept(rank, 0, 1)));
  KILN_ASSIGN_OR_RETURN(Value k,
                        multiplierOf(context, rank, moments.variance, epsilon));
  KILN_ASSIGN_OR_RETURN(Value bias, perChannel(context, 2, rank, "B"));
  KILN_ASSIGN_OR_RETURN(Value scaled,
                        context.create<MulOp>(moments.centered, k));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<AddOp>(scaled, bias));
  double momentum = context.floatAttribute("momentum", 0.9f);
  if (updateInitializers)
    if (llvm::Error error =
            updateRunningStatistics(context, x, moments, momentum))
      return std::move(error);
  if (context.hasOutput(1)) {
    KILN_ASSIGN_OR_RETURN(Value runningMean,
                          runningStatistic(context, 3, moments.mean, momentum));
    context.setOutput(1, runningMean);
  }
  if (context.hasOutput(2)) {
    KILN_ASSIGN_OR_RETURN(
        Value runningVariance,
        runningStatistic(context, 4, moments.variance, momentum));
    context.setOutput(2, runningVariance);
  }
  return result;
}

llvm::Error convertBatchNormalization(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value x, normalizedInput(context, 2));
  Type elementType = context.inputType(0).getElementType();
  for (size_t index = 1; index <= 4; ++index) {
    if (!context.hasInput(index))
      return context.invalid("scale, B, mean and var are required");
    // Opset 15 lets the statistics be of another float type than x.
    if (context.inputType(index).getElementType() != elementType)
      return context.unsupported("scale, B, mean or var of another element "
                                 "type than the input");
  }
  double epsilon = context.floatAttribute("epsilon", 1e-5f);
  bool training = context.intAttribute("training_mode", 0) != 0;
  if (!training && (context.hasOutput(1) || context.hasOutput(2)))
    return context.invalid("running_mean and running_var are outputs of "
                           "training mode only");
  // Evaluation and training keep the statistics' initializer names: a train
  // step passes them in (and, in training mode, gets their next values).
  // Either overrides the node's own mode, as model.eval() and model.train()
  // do, whichever mode the model was exported in.
  ImportOptions::Mode mode = context.mode();
  separateStatistics(context, mode != ImportOptions::Mode::Inference);
  if (mode == ImportOptions::Mode::Evaluation && training) {
    // The running statistics stay as they are.
    for (size_t index : {1, 2})
      if (context.hasOutput(index)) {
        KILN_ASSIGN_OR_RETURN(Value statistic, context.input(index + 2));
        context.setOutput(index, statistic);
      }
    training = false;
  }
  bool updateInitializers = mode == ImportOptions::Mode::Training;
  KILN_ASSIGN_OR_RETURN(
      Value result,
      training || updateInitializers
          ? normalizeWithBatchStatistics(context, x, epsilon,
                                         updateInitializers)
          : normalizeWithInputStatistics(context, x, epsilon));
  context.setOutput(0, result);
  return llvm::Error::success();
}

} // namespace

void registerNormalizationConverters(ConverterRegistry &registry) {
  registry.add("", "BatchNormalization", convertBatchNormalization);
  registry.add("", "InstanceNormalization", convertInstanceNormalization);
  registry.add("", "LRN", convertLRN);
}

} // namespace kiln::onnx_import
