//===- recurrentReference.cpp - Plain-loop references of RNN, GRU and LSTM ===//

#include "recurrentReference.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace kiln::reference {

double applyRecurrentActivation(const RecurrentActivation &activation,
                                double x) {
  std::string name = activation.name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  double alpha = activation.alpha, beta = activation.beta;
  if (name == "relu")
    return std::max(x, 0.0);
  if (name == "tanh")
    return std::tanh(x);
  if (name == "sigmoid")
    return 1.0 / (1.0 + std::exp(-x));
  if (name == "affine")
    return alpha * x + beta;
  if (name == "leakyrelu")
    return x >= 0 ? x : alpha * x;
  if (name == "thresholdedrelu")
    return x > alpha ? x : 0.0;
  if (name == "scaledtanh")
    return alpha * std::tanh(beta * x);
  if (name == "hardsigmoid")
    return std::min(std::max(alpha * x + beta, 0.0), 1.0);
  if (name == "elu")
    return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
  if (name == "softsign")
    return x / (1.0 + std::fabs(x));
  if (name == "softplus")
    return std::log1p(std::exp(x));
  throw std::invalid_argument("unknown activation " + activation.name);
}

namespace {

/// Element `index` of a row-major tensor.
double element(const Tensor &tensor, std::initializer_list<int64_t> index) {
  assert(static_cast<int64_t>(index.size()) == tensor.rank());
  int64_t offset = 0, dim = 0;
  for (int64_t i : index)
    offset = offset * tensor.shape[dim++] + i;
  return tensor.data[offset];
}

float &element(Tensor &tensor, std::initializer_list<int64_t> index) {
  int64_t offset = 0, dim = 0;
  for (int64_t i : index)
    offset = offset * tensor.shape[dim++] + i;
  return tensor.data[offset];
}

/// Sizes of the layer and the pieces of one direction.
class DirectionRunner {
public:
  DirectionRunner(const RecurrentInputs &inputs,
                  const RecurrentAttributes &attributes, int64_t direction)
      : in(inputs), attributes(attributes), direction(direction) {
    batchFirst = attributes.layout == 1;
    steps = in.x.shape[batchFirst ? 1 : 0];
    hidden = in.r.shape[2];
    inputSize = in.x.shape[2];
    gates = in.w.shape[1] / hidden;
    int64_t perDirection = attributes.cell == RecurrentCell::Simple  ? 1
                           : attributes.cell == RecurrentCell::Gated ? 2
                                                                     : 3;
    activations.assign(
        attributes.activations.begin() + direction * perDirection,
        attributes.activations.begin() + (direction + 1) * perDirection);
  }

  /// x_t W_g^T + h R_g^T + Wb_g + Rb_g for gate `gate`, unit `unit`, with the
  /// parts selected by the flags.
  double linear(const std::vector<double> &x, const std::vector<double> &h,
                int64_t gate, int64_t unit, bool withInput, bool withRecurrent,
                bool withInputBias, bool withRecurrentBias) const {
    int64_t row = gate * hidden + unit;
    double sum = 0.0;
    if (withInput)
      for (int64_t i = 0; i < inputSize; ++i)
        sum += x[i] * element(in.w, {direction, row, i});
    if (withRecurrent)
      for (int64_t m = 0; m < hidden; ++m)
        sum += h[m] * element(in.r, {direction, row, m});
    if (in.bias && withInputBias)
      sum += element(*in.bias, {direction, row});
    if (in.bias && withRecurrentBias)
      sum += element(*in.bias, {direction, gates * hidden + row});
    return sum;
  }

  double clip(double value) const {
    if (!attributes.clip)
      return value;
    return std::min(std::max(value, -*attributes.clip), *attributes.clip);
  }
  double activate(int64_t which, double value) const {
    return applyRecurrentActivation(activations[which], clip(value));
  }
  double peephole(int64_t which, int64_t unit) const {
    return in.peepholes
               ? element(*in.peepholes, {direction, which * hidden + unit})
               : 0.0;
  }

  void simpleStep(const std::vector<double> &x, std::vector<double> &h) const {
    std::vector<double> next(hidden);
    for (int64_t j = 0; j < hidden; ++j)
      next[j] = activate(0, linear(x, h, 0, j, true, true, true, true));
    h = next;
  }

  void gatedStep(const std::vector<double> &x, std::vector<double> &h) const {
    std::vector<double> update(hidden), reset(hidden), next(hidden);
    for (int64_t j = 0; j < hidden; ++j) {
      update[j] = activate(0, linear(x, h, 0, j, true, true, true, true));
      reset[j] = activate(0, linear(x, h, 1, j, true, true, true, true));
    }
    std::vector<double> resetHidden(hidden);
    for (int64_t m = 0; m < hidden; ++m)
      resetHidden[m] = reset[m] * h[m];
    for (int64_t j = 0; j < hidden; ++j) {
      double pre;
      if (attributes.linearBeforeReset)
        pre = linear(x, h, 2, j, true, false, true, false) +
              reset[j] * linear(x, h, 2, j, false, true, false, true);
      else
        pre = linear(x, resetHidden, 2, j, true, true, true, true);
      double candidate = activate(1, pre);
      next[j] = (1.0 - update[j]) * candidate + update[j] * h[j];
    }
    h = next;
  }

  void longShortTermStep(const std::vector<double> &x, std::vector<double> &h,
                         std::vector<double> &c) const {
    std::vector<double> nextH(hidden), nextC(hidden);
    // Gates in W: input 0, output 1, forget 2, cell 3; peepholes: i, o, f.
    for (int64_t j = 0; j < hidden; ++j) {
      double input = activate(0, linear(x, h, 0, j, true, true, true, true) +
                                     peephole(0, j) * c[j]);
      double forget =
          attributes.inputForget
              ? 1.0 - input
              : activate(0, linear(x, h, 2, j, true, true, true, true) +
                                peephole(2, j) * c[j]);
      double candidate =
          activate(1, linear(x, h, 3, j, true, true, true, true));
      nextC[j] = forget * c[j] + input * candidate;
      double output = activate(0, linear(x, h, 1, j, true, true, true, true) +
                                      peephole(1, j) * nextC[j]);
      // clip bounds the gates' inputs, not the cell state.
      nextH[j] = output * applyRecurrentActivation(activations[2], nextC[j]);
    }
    h = nextH;
    c = nextC;
  }

  /// Runs batch entry `b`, writing its outputs.
  void run(int64_t b, RecurrentOutputs &out) const {
    int64_t length = in.sequenceLens ? (*in.sequenceLens)[b] : steps;
    length = std::min(std::max<int64_t>(length, 0), steps);
    bool reverse = attributes.direction == "reverse" || direction == 1;
    auto stateAt = [&](const std::optional<Tensor> &given, int64_t unit) {
      if (!given)
        return 0.0;
      return batchFirst ? element(*given, {b, direction, unit})
                        : element(*given, {direction, b, unit});
    };
    std::vector<double> h(hidden), c(hidden), x(inputSize);
    for (int64_t j = 0; j < hidden; ++j) {
      h[j] = stateAt(in.initialH, j);
      c[j] = stateAt(in.initialC, j);
    }
    for (int64_t k = 0; k < length; ++k) {
      int64_t t = reverse ? length - 1 - k : k;
      for (int64_t i = 0; i < inputSize; ++i)
        x[i] = batchFirst ? element(in.x, {b, t, i}) : element(in.x, {t, b, i});
      switch (attributes.cell) {
      case RecurrentCell::Simple:
        simpleStep(x, h);
        break;
      case RecurrentCell::Gated:
        gatedStep(x, h);
        break;
      case RecurrentCell::LongShortTerm:
        longShortTermStep(x, h, c);
        break;
      }
      for (int64_t j = 0; j < hidden; ++j)
        (batchFirst ? element(out.y, {b, t, direction, j})
                    : element(out.y, {t, direction, b, j})) = h[j];
    }
    for (int64_t j = 0; j < hidden; ++j) {
      (batchFirst ? element(out.lastHidden, {b, direction, j})
                  : element(out.lastHidden, {direction, b, j})) = h[j];
      (batchFirst ? element(out.lastCell, {b, direction, j})
                  : element(out.lastCell, {direction, b, j})) = c[j];
    }
  }

private:
  const RecurrentInputs &in;
  const RecurrentAttributes &attributes;
  int64_t direction;
  bool batchFirst;
  int64_t steps, hidden, inputSize, gates;
  std::vector<RecurrentActivation> activations;
};

} // namespace

RecurrentOutputs recurrent(const RecurrentInputs &inputs,
                           const RecurrentAttributes &attributes) {
  bool batchFirst = attributes.layout == 1;
  int64_t steps = inputs.x.shape[batchFirst ? 1 : 0];
  int64_t batch = inputs.x.shape[batchFirst ? 0 : 1];
  int64_t directions = inputs.w.shape[0];
  int64_t hidden = inputs.r.shape[2];
  RecurrentOutputs out;
  out.y = batchFirst ? Tensor({batch, steps, directions, hidden})
                     : Tensor({steps, directions, batch, hidden});
  std::vector<int64_t> stateShape =
      batchFirst ? std::vector<int64_t>{batch, directions, hidden}
                 : std::vector<int64_t>{directions, batch, hidden};
  out.lastHidden = Tensor(stateShape);
  out.lastCell = Tensor(stateShape);
  for (int64_t d = 0; d < directions; ++d) {
    DirectionRunner runner(inputs, attributes, d);
    for (int64_t b = 0; b < batch; ++b)
      runner.run(b, out);
  }
  return out;
}

} // namespace kiln::reference
