//===- Recurrent.cpp - LSTM unrolled over its steps -----------------------===//
//
// The LSTM is unrolled over the static sequence length into ordinary kiln
// ops, as the ONNX importer does: one matmul projects the input of every step
// at once ([T*N, in] x [in, 4H], both biases added), then each step adds its
// row of that projection to h W_hh^T, slices the four gates and updates
//
//   c = sigmoid(f) * c + sigmoid(i) * tanh(g)     h = sigmoid(o) * tanh(c)
//
// The steps' states are joined by a tree of small concats: one concat of
// every step makes bufferization's alias analysis cubic in the step count.
//
//===----------------------------------------------------------------------===//

#include "LayerUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln::native {
namespace {

/// The most inputs of one kiln.concat (see the file comment).
constexpr size_t kConcatGroup = 8;

Value concatInGroups(GraphBuilder &graph, ArrayRef<Value> values,
                     int64_t axis) {
  SmallVector<Value> level(values);
  while (level.size() > 1) {
    SmallVector<Value> next;
    for (size_t start = 0; start < level.size(); start += kConcatGroup) {
      ArrayRef<Value> group = ArrayRef(level).slice(
          start, std::min(kConcatGroup, level.size() - start));
      next.push_back(group.size() == 1
                         ? group.front()
                         : graph.create<ConcatOp>(ValueRange(group),
                                                  static_cast<uint64_t>(axis)));
    }
    level = std::move(next);
  }
  return level.front();
}

/// `value` [rows, columns...] sliced to `sizes` from `offsets` (unit steps).
Value slice(GraphBuilder &graph, Value value, ArrayRef<int64_t> offsets,
            ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> steps(offsets.size(), 1);
  return graph.create<SliceOp>(value, offsets, sizes, ArrayRef<int64_t>(steps));
}

/// Layer `layer`'s [N, H] slice of a [L, N, H] state, or zeros.
Value initialState(GraphBuilder &graph, Value states, int64_t layer,
                   int64_t batch, int64_t hidden) {
  if (!states)
    return graph.constant({batch, hidden}, {0.0f});
  return detail::reshapeTo(
      graph, slice(graph, states, {layer, 0, 0}, {1, batch, hidden}),
      {batch, hidden});
}

void checkState(GraphBuilder &graph, Value state, StringRef what,
                ArrayRef<int64_t> expected) {
  if (!state)
    return;
  ArrayRef<int64_t> shape = graph.shapeOf(state, what);
  if (shape != expected)
    graph.fail(what + " must be " + detail::formatShape(expected) + ", not " +
               detail::formatShape(shape));
}

} // namespace

LstmResult lstm(GraphBuilder &graph, StringRef name, Value x,
                int64_t hiddenSize, const LstmOptions &options) {
  GraphBuilder::Layer layer(graph, "lstm", name);
  detail::checkName(graph, name);
  ArrayRef<int64_t> shape = graph.shapeOf(x, "the input");
  if (shape.size() != 3)
    graph.fail(std::string("the input must be ") +
               (options.batchFirst ? "[N, T, features]" : "[T, N, features]") +
               ", not " + detail::formatShape(shape));
  detail::checkPositive(graph, hiddenSize, "the hidden size");
  detail::checkPositive(graph, options.numLayers, "the number of layers");
  Value sequence =
      options.batchFirst ? detail::transpose(graph, x, {1, 0, 2}) : x;
  const int64_t steps = graph.shapeOf(sequence)[0];
  const int64_t batch = graph.shapeOf(sequence)[1];
  const int64_t hidden = hiddenSize;
  checkState(graph, options.initialHidden, "the initial hidden state",
             {options.numLayers, batch, hidden});
  checkState(graph, options.initialCell, "the initial cell state",
             {options.numLayers, batch, hidden});

  SmallVector<Value> lastHidden, lastCell;
  for (int64_t l = 0; l < options.numLayers; ++l) {
    const int64_t inFeatures = graph.shapeOf(sequence)[2];
    const std::string suffix = "_l" + std::to_string(l);
    Value inputWeight =
        detail::defaultParameter(graph, name.str() + ".weight_ih" + suffix,
                                 {4 * hidden, inFeatures}, hidden);
    Value recurrentWeight =
        detail::defaultParameter(graph, name.str() + ".weight_hh" + suffix,
                                 {4 * hidden, hidden}, hidden);
    Value projection = graph.create<MatMulOp>(
        detail::reshapeTo(graph, sequence, {steps * batch, inFeatures}),
        detail::transpose(graph, inputWeight, {1, 0}));
    if (options.bias) {
      Value inputBias = detail::defaultParameter(
          graph, name.str() + ".bias_ih" + suffix, {4 * hidden}, hidden);
      Value recurrentBias = detail::defaultParameter(
          graph, name.str() + ".bias_hh" + suffix, {4 * hidden}, hidden);
      projection = graph.create<AddOp>(
          projection, graph.create<AddOp>(inputBias, recurrentBias));
    }
    projection =
        detail::reshapeTo(graph, projection, {steps, batch, 4 * hidden});
    Value recurrentTransposed =
        detail::transpose(graph, recurrentWeight, {1, 0});

    Value h = initialState(graph, options.initialHidden, l, batch, hidden);
    Value c = initialState(graph, options.initialCell, l, batch, hidden);
    SmallVector<Value> outputs;
    for (int64_t t = 0; t < steps; ++t) {
      Value row = detail::reshapeTo(
          graph, slice(graph, projection, {t, 0, 0}, {1, batch, 4 * hidden}),
          {batch, 4 * hidden});
      Value gates = graph.create<AddOp>(
          row, graph.create<MatMulOp>(h, recurrentTransposed));
      auto gate = [&](int64_t index) {
        return slice(graph, gates, {0, index * hidden}, {batch, hidden});
      };
      Value input = graph.create<SigmoidOp>(gate(0));
      Value forget = graph.create<SigmoidOp>(gate(1));
      Value candidate = graph.create<TanhOp>(gate(2));
      Value output = graph.create<SigmoidOp>(gate(3));
      c = graph.create<AddOp>(graph.create<MulOp>(forget, c),
                              graph.create<MulOp>(input, candidate));
      h = graph.create<MulOp>(output, graph.create<TanhOp>(c));
      outputs.push_back(detail::reshapeTo(graph, h, {1, batch, hidden}));
    }
    sequence = concatInGroups(graph, outputs, 0);
    lastHidden.push_back(detail::reshapeTo(graph, h, {1, batch, hidden}));
    lastCell.push_back(detail::reshapeTo(graph, c, {1, batch, hidden}));
  }
  LstmResult result;
  result.output = options.batchFirst
                      ? detail::transpose(graph, sequence, {1, 0, 2})
                      : sequence;
  result.hidden = concatInGroups(graph, lastHidden, 0);
  result.cell = concatInGroups(graph, lastCell, 0);
  return result;
}

} // namespace kiln::native
