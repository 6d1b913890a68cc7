//===- Activation.cpp - Activation functions and softmax ------------------===//

#include "LayerUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::native {

Value relu(GraphBuilder &graph, Value x) {
  GraphBuilder::Layer layer(graph, "relu", "");
  graph.typeOf(x, "the input");
  return graph.create<ReluOp>(x);
}

Value leakyRelu(GraphBuilder &graph, Value x, double alpha) {
  GraphBuilder::Layer layer(graph, "leaky_relu", "");
  graph.typeOf(x, "the input");
  // x > 0 rather than x < 0 picks the scaled branch at 0 too, so the slope
  // there is alpha, as in PyTorch's gradient.
  Value positive =
      graph.create<CompareOp>(ComparisonPredicateAttr::get(
                                  &graph.getContext(), ComparisonPredicate::gt),
                              x, graph.scalar(0.0f));
  Value scaled =
      graph.create<MulOp>(x, graph.scalar(static_cast<float>(alpha)));
  return graph.create<SelectOp>(positive, x, scaled);
}

Value tanh(GraphBuilder &graph, Value x) {
  GraphBuilder::Layer layer(graph, "tanh", "");
  graph.typeOf(x, "the input");
  return graph.create<TanhOp>(x);
}

Value sigmoid(GraphBuilder &graph, Value x) {
  GraphBuilder::Layer layer(graph, "sigmoid", "");
  graph.typeOf(x, "the input");
  return graph.create<SigmoidOp>(x);
}

Value softmax(GraphBuilder &graph, Value x, int64_t axis) {
  GraphBuilder::Layer layer(graph, "softmax", "");
  RankedTensorType type = graph.typeOf(x, "the input");
  int64_t rank = type.getRank();
  int64_t dim = axis < 0 ? axis + rank : axis;
  if (dim < 0 || dim >= rank)
    graph.fail("axis " + std::to_string(axis) +
               " is out of range for a tensor of shape " +
               detail::formatShape(type.getShape()));
  return graph.createTyped<SoftmaxOp>(type, x, static_cast<uint64_t>(dim));
}

} // namespace kiln::native
