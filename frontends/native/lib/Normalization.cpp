//===- Normalization.cpp - Batch normalization ----------------------------===//
//
// Training mode computes the statistics in the graph, from the batch, as
// plain reductions and elementwise ops:
//
//   mean = reduce_mean(x, N, H, W)   variance = reduce_mean((x - mean)^2)
//   y = (x - mean) / sqrt(variance + epsilon) * weight + bias
//
// so the train step differentiates through the mean and the variance exactly
// as PyTorch's training mode does. Inference mode uses fixed statistics held
// by constants without kiln.initializer, which training does not touch.
//
//===----------------------------------------------------------------------===//

#include "LayerUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::native {
namespace {

/// `values` (one per channel, or PyTorch's `fallback` for every channel when
/// empty) as a [1, C, 1, 1] constant.
Value statistic(GraphBuilder &graph, const std::vector<float> &values,
                float fallback, int64_t channels, StringRef what) {
  if (values.empty())
    return graph.constant({1, channels, 1, 1}, {fallback});
  if (static_cast<int64_t>(values.size()) != channels)
    graph.fail(what + " has " + std::to_string(values.size()) + " values for " +
               std::to_string(channels) + " channels");
  return graph.constant({1, channels, 1, 1}, values);
}

} // namespace

Value batchNorm2d(GraphBuilder &graph, StringRef name, Value x,
                  const BatchNormOptions &options) {
  GraphBuilder::Layer layer(graph, "batch_norm2d", name);
  if (options.affine)
    detail::checkName(graph, name);
  ArrayRef<int64_t> shape = graph.shapeOf(x, "the input");
  if (shape.size() != 4)
    graph.fail("the input must be [N, C, H, W], not " +
               detail::formatShape(shape));
  if (!(options.epsilon > 0))
    graph.fail("epsilon must be positive");
  int64_t channels = shape[1];
  Value epsilon = graph.scalar(static_cast<float>(options.epsilon));

  Value centered, variance;
  if (options.mode == BatchNormMode::Training) {
    if (shape[0] * shape[2] * shape[3] < 2)
      graph.fail("training mode needs more than one value per channel to "
                 "compute a variance (input " +
                 detail::formatShape(shape) + ")");
    SmallVector<int64_t> axes{0, 2, 3};
    Value mean = graph.create<ReduceMeanOp>(x, axes, /*keep_dims=*/true);
    centered = graph.create<SubOp>(x, mean);
    variance = graph.create<ReduceMeanOp>(
        graph.create<MulOp>(centered, centered), axes, /*keep_dims=*/true);
  } else {
    Value mean =
        statistic(graph, options.runningMean, 0.0f, channels, "runningMean");
    variance = statistic(graph, options.runningVariance, 1.0f, channels,
                         "runningVariance");
    centered = graph.create<SubOp>(x, mean);
  }
  Value y = graph.create<DivOp>(
      centered, graph.create<SqrtOp>(graph.create<AddOp>(variance, epsilon)));
  if (!options.affine)
    return y;
  Value weight =
      graph.parameter(name.str() + ".weight", {channels}, Initializer::ones());
  Value bias =
      graph.parameter(name.str() + ".bias", {channels}, Initializer::zeros());
  y = graph.create<MulOp>(y, detail::alongChannels(graph, weight, 4));
  return graph.create<AddOp>(y, detail::alongChannels(graph, bias, 4));
}

} // namespace kiln::native
