//===- Convolution.cpp - 2-D convolution, transposed convolution, pooling -===//
//
// kiln.conv, kiln.conv_transpose and kiln.max_pool are N-D ops; these layers
// are their 2-D cases with PyTorch's parameters. A bias is a [1, F, 1, 1]
// kiln.add after the op, which the CPU back end fuses into the kernel.
//
//===----------------------------------------------------------------------===//

#include "LayerUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::native {
namespace {

/// The input's shape, checked to be an image batch [N, C, H, W].
ArrayRef<int64_t> imageShape(GraphBuilder &graph, Value x) {
  ArrayRef<int64_t> shape = graph.shapeOf(x, "the input");
  if (shape.size() != 4)
    graph.fail("the input must be [N, C, H, W], not " +
               detail::formatShape(shape));
  return shape;
}

void checkWindow(GraphBuilder &graph, Size2 kernel, Size2 stride,
                 Size2 padding) {
  detail::checkPositive(graph, kernel.height, "the kernel height");
  detail::checkPositive(graph, kernel.width, "the kernel width");
  detail::checkPositive(graph, stride.height, "the stride");
  detail::checkPositive(graph, stride.width, "the stride");
  if (padding.height < 0 || padding.width < 0)
    graph.fail("the padding must not be negative");
}

/// Fails unless a window of `extent` (kernel with dilation) fits `size` plus
/// padding on both sides.
void checkFits(GraphBuilder &graph, StringRef dim, int64_t size,
               int64_t padding, int64_t extent) {
  if (size + 2 * padding < extent)
    graph.fail("the window of " + std::to_string(extent) +
               " does not fit the input's " + dim + " of " +
               std::to_string(size) + " with padding " +
               std::to_string(padding));
}

/// Fails unless `groups` divides `channels` (named `what`).
void checkGroups(GraphBuilder &graph, int64_t groups, int64_t channels,
                 StringRef what) {
  detail::checkPositive(graph, groups, "groups");
  if (channels % groups != 0)
    graph.fail(what + " (" + std::to_string(channels) +
               ") must be a multiple of groups (" + std::to_string(groups) +
               ")");
}

Value addChannelBias(GraphBuilder &graph, Value y, const std::string &name,
                     int64_t channels, int64_t fanIn) {
  Value bias = detail::defaultParameter(graph, name, {channels}, fanIn);
  return graph.create<AddOp>(y, detail::alongChannels(graph, bias, 4));
}

} // namespace

Value conv2d(GraphBuilder &graph, StringRef name, Value x, int64_t outChannels,
             Size2 kernel, Size2 stride, Size2 padding, int64_t groups,
             bool bias, Size2 dilation) {
  GraphBuilder::Layer layer(graph, "conv2d", name);
  detail::checkName(graph, name);
  ArrayRef<int64_t> shape = imageShape(graph, x);
  checkWindow(graph, kernel, stride, padding);
  detail::checkPositive(graph, dilation.height, "the dilation");
  detail::checkPositive(graph, dilation.width, "the dilation");
  detail::checkPositive(graph, outChannels, "the number of output channels");
  checkGroups(graph, groups, shape[1], "the input's channels");
  checkGroups(graph, groups, outChannels, "the output channels");
  checkFits(graph, "height", shape[2], padding.height,
            dilation.height * (kernel.height - 1) + 1);
  checkFits(graph, "width", shape[3], padding.width,
            dilation.width * (kernel.width - 1) + 1);
  int64_t fanIn = shape[1] / groups * kernel.height * kernel.width;
  Value weight = detail::defaultParameter(
      graph, name.str() + ".weight",
      {outChannels, shape[1] / groups, kernel.height, kernel.width}, fanIn);
  Value y = graph.create<ConvOp>(
      x, weight, ArrayRef<int64_t>{stride.height, stride.width},
      ArrayRef<int64_t>{padding.height, padding.width, padding.height,
                        padding.width},
      ArrayRef<int64_t>{dilation.height, dilation.width},
      static_cast<uint64_t>(groups));
  if (bias)
    y = addChannelBias(graph, y, name.str() + ".bias", outChannels, fanIn);
  return y;
}

Value convTranspose2d(GraphBuilder &graph, StringRef name, Value x,
                      int64_t outChannels, Size2 kernel, Size2 stride,
                      Size2 padding, Size2 outputPadding, int64_t groups,
                      bool bias) {
  GraphBuilder::Layer layer(graph, "conv_transpose2d", name);
  detail::checkName(graph, name);
  ArrayRef<int64_t> shape = imageShape(graph, x);
  checkWindow(graph, kernel, stride, padding);
  detail::checkPositive(graph, outChannels, "the number of output channels");
  checkGroups(graph, groups, shape[1], "the input's channels");
  checkGroups(graph, groups, outChannels, "the output channels");
  // As PyTorch: output padding picks one of the sizes a strided convolution
  // maps to the same input size, so it must stay below the stride.
  if (outputPadding.height < 0 || outputPadding.width < 0 ||
      outputPadding.height >= stride.height ||
      outputPadding.width >= stride.width)
    graph.fail("the output padding must be at least 0 and less than the "
               "stride");
  int64_t height = (shape[2] - 1) * stride.height - 2 * padding.height +
                   kernel.height + outputPadding.height;
  int64_t width = (shape[3] - 1) * stride.width - 2 * padding.width +
                  kernel.width + outputPadding.width;
  if (height < 1 || width < 1)
    graph.fail("the padding leaves no output (" + std::to_string(height) +
               " x " + std::to_string(width) + ")");
  int64_t fanIn = outChannels / groups * kernel.height * kernel.width;
  Value weight = detail::defaultParameter(
      graph, name.str() + ".weight",
      {shape[1], outChannels / groups, kernel.height, kernel.width}, fanIn);
  Value y = graph.create<ConvTransposeOp>(
      x, weight, ArrayRef<int64_t>{stride.height, stride.width},
      ArrayRef<int64_t>{padding.height, padding.width, padding.height,
                        padding.width},
      ArrayRef<int64_t>{},
      ArrayRef<int64_t>{outputPadding.height, outputPadding.width},
      static_cast<uint64_t>(groups));
  if (bias)
    y = addChannelBias(graph, y, name.str() + ".bias", outChannels, fanIn);
  return y;
}

Value maxPool2d(GraphBuilder &graph, Value x, Size2 kernel,
                std::optional<Size2> stride, Size2 padding) {
  GraphBuilder::Layer layer(graph, "max_pool2d", "");
  ArrayRef<int64_t> shape = imageShape(graph, x);
  Size2 step = stride.value_or(kernel);
  checkWindow(graph, kernel, step, padding);
  // PyTorch's rule: a window may not be more than half padding.
  if (2 * padding.height > kernel.height || 2 * padding.width > kernel.width)
    graph.fail("the padding must be at most half the kernel");
  checkFits(graph, "height", shape[2], padding.height, kernel.height);
  checkFits(graph, "width", shape[3], padding.width, kernel.width);
  return graph.create<MaxPoolOp>(
      x, ArrayRef<int64_t>{kernel.height, kernel.width},
      ArrayRef<int64_t>{step.height, step.width},
      ArrayRef<int64_t>{padding.height, padding.width, padding.height,
                        padding.width},
      /*ceil_mode=*/false, ArrayRef<int64_t>{});
}

} // namespace kiln::native
