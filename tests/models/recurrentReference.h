//===- recurrentReference.h - Plain-loop references of RNN, GRU and LSTM --===//
//
// ONNX's RNN, GRU and LSTM (opset 14) written as the obvious loops: one batch
// entry at a time, one time step at a time, in double, straight from the
// equations of the ONNX operator documentation. It shares nothing with the
// ONNX converters, which unroll the recurrence into kiln ops for the whole
// batch at once.
//
// Also the plain loops of the control-flow tests' models.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_RECURRENTREFERENCE_H
#define KILN_TESTS_MODELS_RECURRENTREFERENCE_H

#include "ReferenceOps.h"

#include <optional>
#include <string>

namespace kiln::reference {

enum class RecurrentCell { Simple, Gated, LongShortTerm };

/// One activation function: an ONNX name (any case) with its alpha and beta.
struct RecurrentActivation {
  std::string name;
  double alpha = 0.0;
  double beta = 0.0;
};

/// The attributes of one RNN, GRU or LSTM node.
struct RecurrentAttributes {
  RecurrentCell cell = RecurrentCell::Simple;
  std::string direction = "forward"; ///< forward, reverse or bidirectional
  int64_t layout = 0;                ///< 1: batch first
  std::optional<double> clip;
  bool inputForget = false;       ///< LSTM
  bool linearBeforeReset = false; ///< GRU
  /// 1 (RNN), 2 (GRU) or 3 (LSTM) per direction, forward first.
  std::vector<RecurrentActivation> activations;
};

/// The node's inputs in ONNX's shapes; absent optional inputs are empty.
struct RecurrentInputs {
  Tensor x, w, r;
  std::optional<Tensor> bias, initialH, initialC, peepholes;
  std::optional<std::vector<int64_t>> sequenceLens;
};

/// Y, Y_h and (LSTM) Y_c in ONNX's shapes for the node's layout.
struct RecurrentOutputs {
  Tensor y, lastHidden, lastCell;
};

/// Runs the layer. `clip` bounds the pre-activations of the gates (LSTM's
/// i, f, c~, o; GRU's z, r, h~; RNN's one gate) but not LSTM's cell state
/// before h(), as ONNX Runtime does. Steps at or past a batch entry's sequence
/// length leave its state unchanged and write zeros to Y; the reverse direction
/// starts at the entry's last element.
RecurrentOutputs recurrent(const RecurrentInputs &inputs,
                           const RecurrentAttributes &attributes);

/// Applies one activation function (as the recurrent layers use them).
double applyRecurrentActivation(const RecurrentActivation &activation,
                                double x);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_RECURRENTREFERENCE_H
