//===- Linear.cpp - Linear layers, reshaping and the shared helpers -------===//

#include "LayerUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include <cmath>

using namespace mlir;

namespace kiln::native {
namespace detail {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

Value defaultParameter(GraphBuilder &graph, const std::string &name,
                       ArrayRef<int64_t> shape, int64_t fanIn) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
  return graph.parameter(
      name, shape, Initializer::uniform(-bound, bound, graph.seedFor(name)));
}

Value reshapeTo(GraphBuilder &graph, Value value, ArrayRef<int64_t> shape) {
  if (graph.shapeOf(value) == shape)
    return value;
  return graph.create<ReshapeOp>(value, shape);
}

Value transpose(GraphBuilder &graph, Value value,
                ArrayRef<int64_t> permutation) {
  return graph.create<TransposeOp>(value, permutation);
}

Value alongChannels(GraphBuilder &graph, Value vector, int64_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = graph.shapeOf(vector)[0];
  return reshapeTo(graph, vector, shape);
}

void checkName(GraphBuilder &graph, StringRef name) {
  if (name.empty())
    graph.fail("the layer needs a name (its parameters are named after it)");
}

void checkPositive(GraphBuilder &graph, int64_t value, StringRef what) {
  if (value < 1)
    graph.fail(what + " must be 1 or more, not " + std::to_string(value));
}

} // namespace detail

Value linear(GraphBuilder &graph, StringRef name, Value x, int64_t outFeatures,
             bool bias) {
  GraphBuilder::Layer layer(graph, "linear", name);
  detail::checkName(graph, name);
  ArrayRef<int64_t> shape = graph.shapeOf(x, "the input");
  if (shape.empty())
    graph.fail("the input must have a feature dim, not be a scalar");
  detail::checkPositive(graph, outFeatures, "the number of output features");
  int64_t inFeatures = shape.back();
  Value weight = detail::defaultParameter(
      graph, name.str() + ".weight", {outFeatures, inFeatures}, inFeatures);
  // matmul contracts [..., M, K] with [K, N]: a rank-1 input becomes one row.
  Value rows =
      shape.size() == 1 ? detail::reshapeTo(graph, x, {1, inFeatures}) : x;
  Value y =
      graph.create<MatMulOp>(rows, detail::transpose(graph, weight, {1, 0}));
  if (shape.size() == 1)
    y = detail::reshapeTo(graph, y, {outFeatures});
  if (bias)
    y = graph.create<AddOp>(
        y, detail::defaultParameter(graph, name.str() + ".bias", {outFeatures},
                                    inFeatures));
  return y;
}

Value reshape(GraphBuilder &graph, Value x, ArrayRef<int64_t> shape) {
  GraphBuilder::Layer layer(graph, "reshape", "");
  ArrayRef<int64_t> from = graph.shapeOf(x, "the input");
  int64_t count = 1, target = 1;
  for (int64_t dim : from)
    count *= dim;
  for (int64_t dim : shape) {
    if (dim < 1)
      graph.fail("every dim must be 1 or more, not " +
                 detail::formatShape(shape));
    if (target > count / dim)
      target = count + 1; // more than the input has, without overflowing
    else
      target *= dim;
  }
  if (target != count)
    graph.fail("cannot reshape " + detail::formatShape(from) + " (" +
               std::to_string(count) + " elements) to " +
               detail::formatShape(shape));
  return detail::reshapeTo(graph, x, shape);
}

Value flatten(GraphBuilder &graph, Value x, int64_t startDim) {
  GraphBuilder::Layer layer(graph, "flatten", "");
  ArrayRef<int64_t> shape = graph.shapeOf(x, "the input");
  int64_t rank = shape.size();
  int64_t start = startDim < 0 ? startDim + rank : startDim;
  if (start < 0 || start >= std::max<int64_t>(rank, 1))
    graph.fail("start dim " + std::to_string(startDim) +
               " is out of range for a tensor of shape " +
               detail::formatShape(shape));
  SmallVector<int64_t> result(shape.take_front(start));
  int64_t merged = 1;
  for (int64_t dim : shape.drop_front(start))
    merged *= dim;
  result.push_back(merged);
  return detail::reshapeTo(graph, x, result);
}

} // namespace kiln::native
