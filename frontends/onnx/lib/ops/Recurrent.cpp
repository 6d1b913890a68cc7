//===- Recurrent.cpp - ONNX RNN, GRU and LSTM to kiln ---------------------===//
//
// The three recurrent layers are unrolled over their static sequence length
// into ordinary kiln ops:
//
//   * one kiln.matmul projects the input of every time step and direction at
//     once ([1, S*B, I] x [D, I, G*H]), with both biases added (except GRU's
//     recurrent bias of the hidden gate under linear_before_reset, which the
//     reset gate scales);
//   * each step slices its row of that projection, multiplies the previous
//     hidden state by R^T, and applies the gates' activations;
//   * Y is the concatenation of the steps' states, Y_h (and LSTM's Y_c) the
//     last ones.
//
// sequence_lens (per-batch lengths) masks steps past a sequence's end with
// kiln.compare/select: the state stays and Y gets zeros. The reverse direction
// must start at each sequence's own last element, so its input is first
// reordered per batch entry with kiln.gather_elements (step k reads element
// len - 1 - k), the recurrence runs forward over that, and the same involution
// puts its outputs back in place.
//
// Unrolling makes the IR grow linearly with the sequence length, and the
// compile time faster than that, so layers of more than kMaxUnrolledSteps steps
// (over all directions) are reported as unsupported.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The most steps (sequence length times directions) Kiln unrolls. Each step
/// adds a few dozen ops, and the compile time grows faster than the op count
/// (bufferization and LLVM's optimizer): measured on this project's machines,
/// a bidirectional LSTM of 64 steps per direction compiles in 5 s, of 128 in
/// 25 s and of 256 in 157 s. 256 steps keep it under half a minute.
constexpr int64_t kMaxUnrolledSteps = 256;

/// The most inputs of one kiln.concat that collects the steps' outputs.
constexpr size_t kConcatGroup = 8;

enum class CellKind { Simple, Gated, LongShortTerm };

/// One activation function of the cell, with its alpha and beta.
struct Activation {
  std::string name; // lower case
  double alpha = 0.0;
  double beta = 0.0;
};

/// What an activation name means: whether it takes alpha and beta, and their
/// defaults (those of the ONNX operators of the same name).
struct ActivationInfo {
  llvm::StringRef name;
  bool takesAlpha, takesBeta;
  double defaultAlpha, defaultBeta;
};

constexpr ActivationInfo kActivations[] = {
    {"relu", false, false, 0.0, 0.0},
    {"tanh", false, false, 0.0, 0.0},
    {"sigmoid", false, false, 0.0, 0.0},
    {"affine", true, true, 1.0, 0.0},
    {"leakyrelu", true, false, 0.01, 0.0},
    {"thresholdedrelu", true, false, 1.0, 0.0},
    {"scaledtanh", true, true, 1.0, 1.0},
    {"hardsigmoid", true, true, 0.2, 0.5},
    {"elu", true, false, 1.0, 0.0},
    {"softsign", false, false, 0.0, 0.0},
    {"softplus", false, false, 0.0, 0.0},
};

const ActivationInfo *findActivation(llvm::StringRef lowerName) {
  for (const ActivationInfo &info : kActivations)
    if (info.name == lowerName)
      return &info;
  return nullptr;
}

/// The attributes and operands of one RNN, GRU or LSTM node, checked.
struct RecurrentLayer {
  CellKind kind;
  int64_t gates;          // G: 1, 3 or 4
  int64_t sequenceLength; // S
  int64_t batch;          // B
  int64_t inputSize;      // I
  int64_t hidden;         // H
  int64_t directions;     // D: 1 or 2
  bool reverseOnly = false;
  bool batchFirst = false; // layout 1
  std::optional<double> clip;
  bool inputForget = false;
  bool linearBeforeReset = false;
  /// The cell's activations for each direction (1, 2 or 3 per direction).
  SmallVector<SmallVector<Activation, 3>, 2> activations;
  Type elementType;
  Value x, w, r, bias, sequenceLens, initialH, initialC, peepholes;
};

/// The state of one direction between two steps.
struct State {
  Value hidden; // [B, H]
  Value cell;   // [B, H], LSTM only
};

/// The per-direction operands of the step computation.
struct DirectionWeights {
  Value recurrentT;           // [H, G*H]; GRU: only the z and r gates, [H, 2H]
  Value hiddenGateRecurrentT; // GRU: [H, H]
  Value hiddenGateBias;       // GRU with linear_before_reset: Rbh, [H]
  Value peepholeInput, peepholeOutput, peepholeForget; // LSTM: [H] or null
  Value projection; // [S, B, G*H], in processing order
};

/// Builds the unrolled recurrence of one node.
class RecurrentBuilder {
public:
  RecurrentBuilder(NodeContext &context, RecurrentLayer &layer)
      : context(context), layer(layer) {}

  llvm::Error build();

private:
  //===--- Small builders -------------------------------------------------===//

  Value constant(double value) {
    return context.scalar(layer.elementType, value);
  }
  /// `size` elements of dim `axis` from `offset`, everything of the others.
  llvm::Expected<Value> slice(Value value, int64_t axis, int64_t offset,
                              int64_t size) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> sizes(type.getShape());
    SmallVector<int64_t> steps(type.getRank(), 1);
    offsets[axis] = offset;
    sizes[axis] = size;
    return context.create<SliceOp>(value, offsets, sizes, steps);
  }
  /// Element `index` of dim `axis`, with that dim dropped.
  llvm::Expected<Value> takeIndex(Value value, int64_t axis, int64_t index) {
    KILN_ASSIGN_OR_RETURN(Value sliced, slice(value, axis, index, 1));
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(value.getType()).getShape());
    shape.erase(shape.begin() + axis);
    return context.create<ReshapeOp>(sliced, shape);
  }
  llvm::Expected<Value> reshape(Value value, ArrayRef<int64_t> shape) {
    return context.create<ReshapeOp>(value, shape);
  }
  llvm::Expected<Value> transpose(Value value, ArrayRef<int64_t> permutation) {
    return context.create<TransposeOp>(value, permutation);
  }
  llvm::Expected<Value> add(Value lhs, Value rhs) {
    return context.create<AddOp>(lhs, rhs);
  }
  llvm::Expected<Value> mul(Value lhs, Value rhs) {
    return context.create<MulOp>(lhs, rhs);
  }
  llvm::Expected<Value> sub(Value lhs, Value rhs) {
    return context.create<SubOp>(lhs, rhs);
  }
  llvm::Expected<Value> matmul(Value lhs, Value rhs) {
    return context.create<MatMulOp>(lhs, rhs);
  }

  /// kiln.concat of `values` along `axis`, as a tree of concats of at most
  /// kConcatGroup inputs. One concat of every step would lower to one chain of
  /// S insert_slices, and bufferization's alias analysis walks such chains for
  /// every conflict it checks: its time grows with the cube of S.
  llvm::Expected<Value> concatInGroups(ArrayRef<Value> values, int64_t axis);

  /// Clamps a gate's pre-activation to [-clip, clip] when `clip` is set.
  llvm::Expected<Value> applyClip(Value value);
  /// `activation(clip(value))` for a gate's pre-activation; `activation(value)`
  /// without `clipped`.
  llvm::Expected<Value> activate(const Activation &activation, Value value,
                                 bool clipped = true);

  //===--- The recurrence -------------------------------------------------===//

  /// X W^T + biases for every step and direction: [D, S, B, G*H].
  llvm::Expected<Value> buildInputProjection();
  /// The biases added to the input projection: [D, G*H].
  llvm::Expected<Value> buildProjectionBias();
  /// Per-batch step masks [S, B, 1] (i1) and reversal indices [S, B, 1].
  llvm::Error buildSequenceMasks();
  /// Reorders dim 0 of `value` ([S, B, N]) per batch entry for the reverse
  /// direction: row k of batch b takes row len_b - 1 - k (k < len_b).
  llvm::Expected<Value> reverseSequences(Value value);
  llvm::Expected<DirectionWeights> buildDirectionWeights(Value projection,
                                                         int64_t direction);
  llvm::Expected<State> initialState(int64_t direction);
  /// Runs the steps of one direction; returns its Y ([S, B, H]) and the
  /// final state.
  llvm::Expected<std::pair<Value, State>> runDirection(Value projection,
                                                       int64_t direction);
  llvm::Expected<State> step(const DirectionWeights &weights, int64_t direction,
                             Value input, const State &previous);
  llvm::Expected<State> simpleStep(const DirectionWeights &weights,
                                   int64_t direction, Value input,
                                   const State &previous);
  llvm::Expected<State> gatedStep(const DirectionWeights &weights,
                                  int64_t direction, Value input,
                                  const State &previous);
  llvm::Expected<State> longShortTermStep(const DirectionWeights &weights,
                                          int64_t direction, Value input,
                                          const State &previous);
  /// Stacks the directions' per-direction results (`[B, H]` states or
  /// `[S, B, H]` sequences) along a new direction dim, in the node's layout.
  llvm::Expected<Value> stackStates(ArrayRef<Value> states);
  llvm::Expected<Value> stackSequences(ArrayRef<Value> sequences);

  NodeContext &context;
  RecurrentLayer &layer;
  Value stepMasks;      // [S, B, 1] i1, null without sequence_lens
  Value reverseIndices; // [S, B, 1] integer, null without sequence_lens
};

llvm::Expected<Value> RecurrentBuilder::concatInGroups(ArrayRef<Value> values,
                                                       int64_t axis) {
  SmallVector<Value> level(values);
  while (level.size() > 1) {
    SmallVector<Value> next;
    for (size_t start = 0; start < level.size(); start += kConcatGroup) {
      ArrayRef<Value> group = ArrayRef(level).slice(
          start, std::min<size_t>(kConcatGroup, level.size() - start));
      if (group.size() == 1) {
        next.push_back(group.front());
        continue;
      }
      KILN_ASSIGN_OR_RETURN(Value joined,
                            context.create<ConcatOp>(ValueRange(group), axis));
      next.push_back(joined);
    }
    level = std::move(next);
  }
  return level.front();
}

llvm::Expected<Value> RecurrentBuilder::applyClip(Value value) {
  if (!layer.clip)
    return value;
  KILN_ASSIGN_OR_RETURN(Value low,
                        context.create<MaxOp>(value, constant(-*layer.clip)));
  return context.create<MinOp>(low, constant(*layer.clip));
}

llvm::Expected<Value> RecurrentBuilder::activate(const Activation &activation,
                                                 Value value, bool clipped) {
  Value x = value;
  if (clipped) {
    KILN_ASSIGN_OR_RETURN(x, applyClip(value));
  }
  llvm::StringRef name = activation.name;
  // Built only for the functions that read them.
  auto alpha = [&] { return constant(activation.alpha); };
  auto beta = [&] { return constant(activation.beta); };
  if (name == "relu")
    return context.create<ReluOp>(x);
  if (name == "tanh")
    return context.create<TanhOp>(x);
  if (name == "sigmoid")
    return context.create<SigmoidOp>(x);
  if (name == "affine") {
    KILN_ASSIGN_OR_RETURN(Value scaled, mul(x, alpha()));
    return add(scaled, beta());
  }
  if (name == "leakyrelu" || name == "elu") {
    KILN_ASSIGN_OR_RETURN(
        Value negative,
        context.create<CompareOp>(ComparisonPredicate::lt, x, constant(0.0)));
    Value shaped = x;
    if (name == "elu") {
      KILN_ASSIGN_OR_RETURN(Value exp, context.create<ExpOp>(x));
      KILN_ASSIGN_OR_RETURN(shaped, sub(exp, constant(1.0)));
    }
    KILN_ASSIGN_OR_RETURN(Value scaled, mul(shaped, alpha()));
    return context.create<SelectOp>(negative, scaled, x);
  }
  if (name == "thresholdedrelu") {
    // ONNX's RNN text says x >= alpha; the ThresholdedRelu operator (which
    // the activation's defaults follow) says x > alpha. They differ only at
    // x == alpha exactly; Kiln follows the operator.
    KILN_ASSIGN_OR_RETURN(
        Value above,
        context.create<CompareOp>(ComparisonPredicate::gt, x, alpha()));
    return context.create<SelectOp>(above, x, constant(0.0));
  }
  if (name == "scaledtanh") {
    KILN_ASSIGN_OR_RETURN(Value scaled, mul(x, beta()));
    KILN_ASSIGN_OR_RETURN(Value tanh, context.create<TanhOp>(scaled));
    return mul(tanh, alpha());
  }
  if (name == "hardsigmoid") {
    KILN_ASSIGN_OR_RETURN(Value scaled, mul(x, alpha()));
    KILN_ASSIGN_OR_RETURN(Value shifted, add(scaled, beta()));
    KILN_ASSIGN_OR_RETURN(Value upper,
                          context.create<MinOp>(shifted, constant(1.0)));
    return context.create<MaxOp>(upper, constant(0.0));
  }
  if (name == "softsign") {
    KILN_ASSIGN_OR_RETURN(Value magnitude, context.create<AbsOp>(x));
    KILN_ASSIGN_OR_RETURN(Value denominator, add(magnitude, constant(1.0)));
    return context.create<DivOp>(x, denominator);
  }
  // softplus: log(1 + exp(x)) as max(x, 0) + log(1 + exp(-|x|)), which does
  // not overflow for large x.
  KILN_ASSIGN_OR_RETURN(Value magnitude, context.create<AbsOp>(x));
  KILN_ASSIGN_OR_RETURN(Value negated, context.create<NegOp>(magnitude));
  KILN_ASSIGN_OR_RETURN(Value exp, context.create<ExpOp>(negated));
  KILN_ASSIGN_OR_RETURN(Value onePlus, add(exp, constant(1.0)));
  KILN_ASSIGN_OR_RETURN(Value log, context.create<LogOp>(onePlus));
  KILN_ASSIGN_OR_RETURN(Value positive, context.create<ReluOp>(x));
  return add(positive, log);
}

llvm::Expected<Value> RecurrentBuilder::buildProjectionBias() {
  const int64_t gateWidth = layer.gates * layer.hidden;
  KILN_ASSIGN_OR_RETURN(Value inputBias, slice(layer.bias, 1, 0, gateWidth));
  KILN_ASSIGN_OR_RETURN(Value recurrentBias,
                        slice(layer.bias, 1, gateWidth, gateWidth));
  if (!layer.linearBeforeReset)
    return add(inputBias, recurrentBias);
  // GRU with linear_before_reset: Rbh is scaled by the reset gate inside the
  // step, so only Rbz and Rbr join the projection.
  KILN_ASSIGN_OR_RETURN(Value updateResetBias,
                        slice(recurrentBias, 1, 0, 2 * layer.hidden));
  Value zeros =
      context.splat(RankedTensorType::get({layer.directions, layer.hidden},
                                          layer.elementType),
                    0.0);
  KILN_ASSIGN_OR_RETURN(
      Value recurrentPart,
      context.create<ConcatOp>(ValueRange{updateResetBias, zeros}, int64_t(1)));
  return add(inputBias, recurrentPart);
}

llvm::Expected<Value> RecurrentBuilder::buildInputProjection() {
  const int64_t steps = layer.sequenceLength, batch = layer.batch;
  const int64_t gateWidth = layer.gates * layer.hidden;
  Value x = layer.x;
  if (layer.batchFirst) {
    KILN_ASSIGN_OR_RETURN(x, transpose(x, {1, 0, 2}));
  }
  KILN_ASSIGN_OR_RETURN(Value rows,
                        reshape(x, {1, steps * batch, layer.inputSize}));
  KILN_ASSIGN_OR_RETURN(Value weightsT, transpose(layer.w, {0, 2, 1}));
  KILN_ASSIGN_OR_RETURN(Value projection, matmul(rows, weightsT));
  if (layer.bias) {
    KILN_ASSIGN_OR_RETURN(Value bias, buildProjectionBias());
    KILN_ASSIGN_OR_RETURN(bias,
                          reshape(bias, {layer.directions, 1, gateWidth}));
    KILN_ASSIGN_OR_RETURN(projection, add(projection, bias));
  }
  return reshape(projection, {layer.directions, steps, batch, gateWidth});
}

llvm::Error RecurrentBuilder::buildSequenceMasks() {
  if (!layer.sequenceLens)
    return llvm::Error::success();
  const int64_t steps = layer.sequenceLength;
  if (auto lengths = context.constantInts(4);
      lengths &&
      llvm::all_of(*lengths, [&](int64_t length) { return length == steps; }))
    return llvm::Error::success(); // every sequence is full: nothing to mask
  Value lengths = layer.sequenceLens;
  auto lengthType = cast<RankedTensorType>(lengths.getType());
  Type indexType = lengthType.getElementType();
  // Lengths outside [0, S] cannot be reported at run time; clamping them
  // keeps every index in range.
  Value zero = context.scalar(indexType, 0.0);
  Value one = context.scalar(indexType, 1.0);
  KILN_ASSIGN_OR_RETURN(lengths, context.create<MaxOp>(lengths, zero));
  KILN_ASSIGN_OR_RETURN(
      lengths,
      context.create<MinOp>(lengths, context.scalar(indexType, double(steps))));
  KILN_ASSIGN_OR_RETURN(lengths, reshape(lengths, {1, layer.batch, 1}));
  SmallVector<APInt> positions;
  unsigned width = indexType.getIntOrFloatBitWidth();
  for (int64_t k = 0; k < steps; ++k)
    positions.push_back(APInt(width, k, /*isSigned=*/true));
  Value stepIndex = context.constant(DenseElementsAttr::get(
      RankedTensorType::get({steps, 1, 1}, indexType), positions));
  KILN_ASSIGN_OR_RETURN(
      stepMasks,
      context.create<CompareOp>(ComparisonPredicate::lt, stepIndex, lengths));
  KILN_ASSIGN_OR_RETURN(Value last, sub(lengths, one));
  KILN_ASSIGN_OR_RETURN(Value reversed, sub(last, stepIndex));
  KILN_ASSIGN_OR_RETURN(
      reverseIndices, context.create<SelectOp>(stepMasks, reversed, stepIndex));
  return llvm::Error::success();
}

llvm::Expected<Value> RecurrentBuilder::reverseSequences(Value value) {
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(value.getType()).getShape());
  KILN_ASSIGN_OR_RETURN(Value indices,
                        context.create<BroadcastToOp>(reverseIndices, shape));
  return context.create<GatherElementsOp>(value, indices, int64_t(0));
}

llvm::Expected<DirectionWeights>
RecurrentBuilder::buildDirectionWeights(Value projection, int64_t direction) {
  const int64_t hidden = layer.hidden;
  DirectionWeights weights;
  KILN_ASSIGN_OR_RETURN(weights.projection,
                        takeIndex(projection, 0, direction));
  bool reverse = layer.reverseOnly || direction == 1;
  if (reverse && reverseIndices) {
    KILN_ASSIGN_OR_RETURN(weights.projection,
                          reverseSequences(weights.projection));
  }
  KILN_ASSIGN_OR_RETURN(Value recurrent, takeIndex(layer.r, 0, direction));
  KILN_ASSIGN_OR_RETURN(Value recurrentT, transpose(recurrent, {1, 0}));
  weights.recurrentT = recurrentT;
  if (layer.kind == CellKind::Gated) {
    KILN_ASSIGN_OR_RETURN(weights.recurrentT,
                          slice(recurrentT, 1, 0, 2 * hidden));
    KILN_ASSIGN_OR_RETURN(weights.hiddenGateRecurrentT,
                          slice(recurrentT, 1, 2 * hidden, hidden));
    if (layer.linearBeforeReset && layer.bias) {
      KILN_ASSIGN_OR_RETURN(Value bias, takeIndex(layer.bias, 0, direction));
      KILN_ASSIGN_OR_RETURN(weights.hiddenGateBias,
                            slice(bias, 0, 5 * hidden, hidden));
    }
  }
  if (layer.kind == CellKind::LongShortTerm && layer.peepholes) {
    KILN_ASSIGN_OR_RETURN(Value peepholes,
                          takeIndex(layer.peepholes, 0, direction));
    KILN_ASSIGN_OR_RETURN(weights.peepholeInput,
                          slice(peepholes, 0, 0, hidden));
    KILN_ASSIGN_OR_RETURN(weights.peepholeOutput,
                          slice(peepholes, 0, hidden, hidden));
    KILN_ASSIGN_OR_RETURN(weights.peepholeForget,
                          slice(peepholes, 0, 2 * hidden, hidden));
  }
  return weights;
}

llvm::Expected<State> RecurrentBuilder::initialState(int64_t direction) {
  // initial_h and initial_c are [D, B, H], or [B, D, H] in layout 1.
  int64_t axis = layer.batchFirst ? 1 : 0;
  auto stateOf = [&](Value given) -> llvm::Expected<Value> {
    if (!given)
      return context.splat(
          RankedTensorType::get({layer.batch, layer.hidden}, layer.elementType),
          0.0);
    return takeIndex(given, axis, direction);
  };
  State state;
  KILN_ASSIGN_OR_RETURN(state.hidden, stateOf(layer.initialH));
  if (layer.kind == CellKind::LongShortTerm) {
    KILN_ASSIGN_OR_RETURN(state.cell, stateOf(layer.initialC));
  }
  return state;
}

llvm::Expected<State>
RecurrentBuilder::simpleStep(const DirectionWeights &weights, int64_t direction,
                             Value input, const State &previous) {
  KILN_ASSIGN_OR_RETURN(Value recurrent,
                        matmul(previous.hidden, weights.recurrentT));
  KILN_ASSIGN_OR_RETURN(Value preActivation, add(input, recurrent));
  State next;
  KILN_ASSIGN_OR_RETURN(
      next.hidden, activate(layer.activations[direction][0], preActivation));
  return next;
}

llvm::Expected<State>
RecurrentBuilder::gatedStep(const DirectionWeights &weights, int64_t direction,
                            Value input, const State &previous) {
  const int64_t hidden = layer.hidden;
  const Activation &f = layer.activations[direction][0];
  const Activation &g = layer.activations[direction][1];
  KILN_ASSIGN_OR_RETURN(Value updateResetInput, slice(input, 1, 0, 2 * hidden));
  KILN_ASSIGN_OR_RETURN(Value hiddenInput, slice(input, 1, 2 * hidden, hidden));
  KILN_ASSIGN_OR_RETURN(Value recurrent,
                        matmul(previous.hidden, weights.recurrentT));
  KILN_ASSIGN_OR_RETURN(Value updateReset, add(updateResetInput, recurrent));
  KILN_ASSIGN_OR_RETURN(Value updatePre, slice(updateReset, 1, 0, hidden));
  KILN_ASSIGN_OR_RETURN(Value resetPre, slice(updateReset, 1, hidden, hidden));
  KILN_ASSIGN_OR_RETURN(Value update, activate(f, updatePre));
  KILN_ASSIGN_OR_RETURN(Value reset, activate(f, resetPre));
  Value hiddenPre;
  if (layer.linearBeforeReset) {
    // h~ = g(x Wh^T + Wbh + r * (H Rh^T + Rbh))
    KILN_ASSIGN_OR_RETURN(
        Value linear, matmul(previous.hidden, weights.hiddenGateRecurrentT));
    if (weights.hiddenGateBias) {
      KILN_ASSIGN_OR_RETURN(linear, add(linear, weights.hiddenGateBias));
    }
    KILN_ASSIGN_OR_RETURN(Value gated, mul(reset, linear));
    KILN_ASSIGN_OR_RETURN(hiddenPre, add(hiddenInput, gated));
  } else {
    // h~ = g(x Wh^T + (r * H) Rh^T + Rbh + Wbh)
    KILN_ASSIGN_OR_RETURN(Value gated, mul(reset, previous.hidden));
    KILN_ASSIGN_OR_RETURN(Value linear,
                          matmul(gated, weights.hiddenGateRecurrentT));
    KILN_ASSIGN_OR_RETURN(hiddenPre, add(hiddenInput, linear));
  }
  KILN_ASSIGN_OR_RETURN(Value candidate, activate(g, hiddenPre));
  // H = (1 - z) * h~ + z * H_prev
  KILN_ASSIGN_OR_RETURN(Value keep, sub(constant(1.0), update));
  KILN_ASSIGN_OR_RETURN(Value fresh, mul(keep, candidate));
  KILN_ASSIGN_OR_RETURN(Value kept, mul(update, previous.hidden));
  State next;
  KILN_ASSIGN_OR_RETURN(next.hidden, add(fresh, kept));
  return next;
}

llvm::Expected<State>
RecurrentBuilder::longShortTermStep(const DirectionWeights &weights,
                                    int64_t direction, Value input,
                                    const State &previous) {
  const int64_t hidden = layer.hidden;
  const Activation &f = layer.activations[direction][0];
  const Activation &g = layer.activations[direction][1];
  const Activation &h = layer.activations[direction][2];
  KILN_ASSIGN_OR_RETURN(Value recurrent,
                        matmul(previous.hidden, weights.recurrentT));
  KILN_ASSIGN_OR_RETURN(Value gates, add(input, recurrent));
  // Gate order in W, R and B: input, output, forget, cell.
  KILN_ASSIGN_OR_RETURN(Value inputPre, slice(gates, 1, 0, hidden));
  KILN_ASSIGN_OR_RETURN(Value outputPre, slice(gates, 1, hidden, hidden));
  KILN_ASSIGN_OR_RETURN(Value forgetPre, slice(gates, 1, 2 * hidden, hidden));
  KILN_ASSIGN_OR_RETURN(Value cellPre, slice(gates, 1, 3 * hidden, hidden));
  if (weights.peepholeInput) {
    KILN_ASSIGN_OR_RETURN(Value peep,
                          mul(weights.peepholeInput, previous.cell));
    KILN_ASSIGN_OR_RETURN(inputPre, add(inputPre, peep));
  }
  KILN_ASSIGN_OR_RETURN(Value inputGate, activate(f, inputPre));
  Value forgetGate;
  if (layer.inputForget) {
    // Coupled input and forget gates: f = 1 - i.
    KILN_ASSIGN_OR_RETURN(forgetGate, sub(constant(1.0), inputGate));
  } else {
    if (weights.peepholeForget) {
      KILN_ASSIGN_OR_RETURN(Value peep,
                            mul(weights.peepholeForget, previous.cell));
      KILN_ASSIGN_OR_RETURN(forgetPre, add(forgetPre, peep));
    }
    KILN_ASSIGN_OR_RETURN(forgetGate, activate(f, forgetPre));
  }
  KILN_ASSIGN_OR_RETURN(Value candidate, activate(g, cellPre));
  KILN_ASSIGN_OR_RETURN(Value kept, mul(forgetGate, previous.cell));
  KILN_ASSIGN_OR_RETURN(Value fresh, mul(inputGate, candidate));
  State next;
  KILN_ASSIGN_OR_RETURN(next.cell, add(kept, fresh));
  if (weights.peepholeOutput) {
    // The output gate looks at the new cell state.
    KILN_ASSIGN_OR_RETURN(Value peep, mul(weights.peepholeOutput, next.cell));
    KILN_ASSIGN_OR_RETURN(outputPre, add(outputPre, peep));
  }
  KILN_ASSIGN_OR_RETURN(Value outputGate, activate(f, outputPre));
  // clip bounds the gates' pre-activations, not the cell state itself (as in
  // ONNX Runtime).
  KILN_ASSIGN_OR_RETURN(Value cellOut,
                        activate(h, next.cell, /*clipped=*/false));
  KILN_ASSIGN_OR_RETURN(next.hidden, mul(outputGate, cellOut));
  return next;
}

llvm::Expected<State> RecurrentBuilder::step(const DirectionWeights &weights,
                                             int64_t direction, Value input,
                                             const State &previous) {
  switch (layer.kind) {
  case CellKind::Simple:
    return simpleStep(weights, direction, input, previous);
  case CellKind::Gated:
    return gatedStep(weights, direction, input, previous);
  case CellKind::LongShortTerm:
    return longShortTermStep(weights, direction, input, previous);
  }
  llvm_unreachable("unknown cell kind");
}

llvm::Expected<std::pair<Value, State>>
RecurrentBuilder::runDirection(Value projection, int64_t direction) {
  const int64_t steps = layer.sequenceLength;
  KILN_ASSIGN_OR_RETURN(DirectionWeights weights,
                        buildDirectionWeights(projection, direction));
  KILN_ASSIGN_OR_RETURN(State state, initialState(direction));
  bool reverse = layer.reverseOnly || direction == 1;
  // With sequence_lens, the reverse direction's input is already reordered,
  // so it runs over rows 0, 1, ... like the forward one; without, it runs over
  // the rows backwards.
  bool backwards = reverse && !stepMasks;
  Value zeros;
  if (stepMasks)
    zeros = context.splat(
        RankedTensorType::get({layer.batch, layer.hidden}, layer.elementType),
        0.0);
  SmallVector<Value> outputs(steps);
  for (int64_t k = 0; k < steps; ++k) {
    int64_t row = backwards ? steps - 1 - k : k;
    KILN_ASSIGN_OR_RETURN(Value input, takeIndex(weights.projection, 0, row));
    KILN_ASSIGN_OR_RETURN(State next, step(weights, direction, input, state));
    if (!stepMasks) {
      outputs[row] = next.hidden;
      state = next;
      continue;
    }
    // Past a sequence's end its state stays and its output is zero.
    KILN_ASSIGN_OR_RETURN(Value mask, takeIndex(stepMasks, 0, row));
    KILN_ASSIGN_OR_RETURN(outputs[row],
                          context.create<SelectOp>(mask, next.hidden, zeros));
    KILN_ASSIGN_OR_RETURN(state.hidden, context.create<SelectOp>(
                                            mask, next.hidden, state.hidden));
    if (state.cell) {
      KILN_ASSIGN_OR_RETURN(
          state.cell, context.create<SelectOp>(mask, next.cell, state.cell));
    }
  }
  SmallVector<Value> rows;
  for (Value output : outputs) {
    KILN_ASSIGN_OR_RETURN(Value row,
                          reshape(output, {1, layer.batch, layer.hidden}));
    rows.push_back(row);
  }
  KILN_ASSIGN_OR_RETURN(Value sequence, concatInGroups(rows, 0));
  if (reverse && stepMasks) {
    // The reordering is its own inverse; rows past the end stay in place and
    // hold zeros.
    KILN_ASSIGN_OR_RETURN(sequence, reverseSequences(sequence));
  }
  return std::make_pair(sequence, state);
}

llvm::Expected<Value> RecurrentBuilder::stackStates(ArrayRef<Value> states) {
  SmallVector<Value> parts;
  for (Value state : states) {
    KILN_ASSIGN_OR_RETURN(Value part,
                          reshape(state, {1, layer.batch, layer.hidden}));
    parts.push_back(part);
  }
  KILN_ASSIGN_OR_RETURN(
      Value stacked, context.create<ConcatOp>(ValueRange(parts), int64_t(0)));
  if (!layer.batchFirst)
    return stacked;                     // [D, B, H]
  return transpose(stacked, {1, 0, 2}); // [B, D, H]
}

llvm::Expected<Value>
RecurrentBuilder::stackSequences(ArrayRef<Value> sequences) {
  SmallVector<Value> parts;
  for (Value sequence : sequences) {
    KILN_ASSIGN_OR_RETURN(Value part,
                          reshape(sequence, {layer.sequenceLength, 1,
                                             layer.batch, layer.hidden}));
    parts.push_back(part);
  }
  KILN_ASSIGN_OR_RETURN(
      Value stacked, context.create<ConcatOp>(ValueRange(parts), int64_t(1)));
  if (!layer.batchFirst)
    return stacked;                        // [S, D, B, H]
  return transpose(stacked, {2, 0, 1, 3}); // [B, S, D, H]
}

llvm::Error RecurrentBuilder::build() {
  KILN_ASSIGN_OR_RETURN(Value projection, buildInputProjection());
  if (llvm::Error error = buildSequenceMasks())
    return error;
  SmallVector<Value, 2> sequences, hiddens, cells;
  for (int64_t direction = 0; direction < layer.directions; ++direction) {
    KILN_ASSIGN_OR_RETURN(auto result, runDirection(projection, direction));
    sequences.push_back(result.first);
    hiddens.push_back(result.second.hidden);
    cells.push_back(result.second.cell);
  }
  if (context.hasOutput(0)) {
    KILN_ASSIGN_OR_RETURN(Value y, stackSequences(sequences));
    context.setOutput(0, y);
  }
  if (context.hasOutput(1)) {
    KILN_ASSIGN_OR_RETURN(Value lastHidden, stackStates(hiddens));
    context.setOutput(1, lastHidden);
  }
  if (layer.kind == CellKind::LongShortTerm && context.hasOutput(2)) {
    KILN_ASSIGN_OR_RETURN(Value lastCell, stackStates(cells));
    context.setOutput(2, lastCell);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Reading and checking the node
//===----------------------------------------------------------------------===//

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [index, dim] : llvm::enumerate(shape))
    text +=
        (index ? ", " : "") +
        (ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim));
  return text + "]";
}

/// Checks that optional input `index` (`name`) has `expected` shape (when
/// present) and the layer's element type.
llvm::Error checkOperand(const NodeContext &context,
                         const RecurrentLayer &layer, size_t index,
                         llvm::StringRef name, ArrayRef<int64_t> expected) {
  if (!context.hasInput(index))
    return llvm::Error::success();
  RankedTensorType type = context.inputType(index);
  if (!type.hasStaticShape())
    return context.unsupported(name + " must have a static shape (it is " +
                               shapeText(type.getShape()) + ")");
  if (type.getShape() != expected)
    return context.invalid(name + " must have shape " + shapeText(expected) +
                           " but has " + shapeText(type.getShape()));
  bool isLengths = name == "sequence_lens";
  if (isLengths ? !isa<IntegerType>(type.getElementType())
                : type.getElementType() != layer.elementType)
    return context.invalid(name + (isLengths
                                       ? " must hold integers"
                                       : " must have the element type of X"));
  return llvm::Error::success();
}

/// Reads `activations`, `activation_alpha` and `activation_beta`: each
/// function consumes the next alpha (beta) only if it takes one, as ONNX
/// Runtime does; missing values take the operator's defaults.
llvm::Error readActivations(const NodeContext &context, RecurrentLayer &layer,
                            ArrayRef<llvm::StringRef> defaults) {
  const int64_t perDirection = defaults.size();
  SmallVector<std::string> names;
  if (const onnx::AttributeProto *given = context.attribute("activations")) {
    for (const std::string &name : given->strings())
      names.push_back(name);
    if (static_cast<int64_t>(names.size()) != perDirection * layer.directions)
      return context.invalid("activations must name " +
                             llvm::Twine(perDirection) +
                             " functions per direction (" +
                             llvm::Twine(perDirection * layer.directions) +
                             " here), not " + llvm::Twine(names.size()));
  } else {
    for (int64_t d = 0; d < layer.directions; ++d)
      for (llvm::StringRef name : defaults)
        names.push_back(name.str());
  }
  SmallVector<float> alphas = context.floatsAttribute("activation_alpha");
  SmallVector<float> betas = context.floatsAttribute("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  layer.activations.assign(layer.directions, {});
  for (auto [index, name] : llvm::enumerate(names)) {
    std::string lower = llvm::StringRef(name).lower();
    const ActivationInfo *info = findActivation(lower);
    if (!info)
      return context.unsupported(
          "activation '" + name +
          "' (Kiln knows Relu, Tanh, Sigmoid, Affine, LeakyRelu, "
          "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)");
    Activation activation{lower, info->defaultAlpha, info->defaultBeta};
    if (info->takesAlpha && nextAlpha < alphas.size())
      activation.alpha = alphas[nextAlpha++];
    if (info->takesBeta && nextBeta < betas.size())
      activation.beta = betas[nextBeta++];
    layer.activations[index / perDirection].push_back(activation);
  }
  return llvm::Error::success();
}

/// Reads the attributes and checks the shapes of every input.
llvm::Expected<RecurrentLayer> readLayer(NodeContext &context, CellKind kind) {
  RecurrentLayer layer;
  layer.kind = kind;
  layer.gates = kind == CellKind::Simple ? 1 : kind == CellKind::Gated ? 3 : 4;
  KILN_ASSIGN_OR_RETURN(layer.x, context.input(0));
  KILN_ASSIGN_OR_RETURN(layer.w, context.input(1));
  KILN_ASSIGN_OR_RETURN(layer.r, context.input(2));
  RankedTensorType xType = context.inputType(0);
  RankedTensorType wType = context.inputType(1);
  RankedTensorType rType = context.inputType(2);
  layer.elementType = xType.getElementType();
  if (!isa<FloatType>(layer.elementType))
    return context.invalid("X must hold floating-point values");
  if (xType.getRank() != 3 || wType.getRank() != 3 || rType.getRank() != 3)
    return context.invalid("X, W and R must have rank 3");
  if (!xType.hasStaticShape() || !wType.hasStaticShape() ||
      !rType.hasStaticShape())
    return context.unsupported(
        "X, W and R must have static shapes (the recurrence is unrolled over "
        "the sequence length when the model is compiled)");

  int64_t layout = context.intAttribute("layout", 0);
  if (layout != 0 && layout != 1)
    return context.invalid("layout must be 0 or 1, not " + llvm::Twine(layout));
  layer.batchFirst = layout == 1;
  layer.sequenceLength = xType.getDimSize(layer.batchFirst ? 1 : 0);
  layer.batch = xType.getDimSize(layer.batchFirst ? 0 : 1);
  layer.inputSize = xType.getDimSize(2);

  std::string direction = context.stringAttribute("direction", "forward");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return context.invalid("direction must be forward, reverse or "
                           "bidirectional, not '" +
                           direction + "'");
  layer.directions = direction == "bidirectional" ? 2 : 1;
  layer.reverseOnly = direction == "reverse";

  layer.hidden = rType.getDimSize(2);
  if (context.hasAttribute("hidden_size") &&
      context.intAttribute("hidden_size", 0) != layer.hidden)
    return context.invalid(
        "hidden_size " + llvm::Twine(context.intAttribute("hidden_size", 0)) +
        " disagrees with R's last dimension " + llvm::Twine(layer.hidden));
  if (layer.hidden <= 0)
    return context.invalid("hidden_size must be positive");

  if (layer.sequenceLength == 0 || layer.batch == 0)
    return context.unsupported("empty sequences or batches (X is " +
                               shapeText(xType.getShape()) + ")");
  if (layer.sequenceLength * layer.directions > kMaxUnrolledSteps)
    return context.unsupported(
        "the recurrence would unroll into " +
        llvm::Twine(layer.sequenceLength * layer.directions) +
        " steps (sequence length " + llvm::Twine(layer.sequenceLength) + " x " +
        llvm::Twine(layer.directions) + " directions); Kiln unrolls at most " +
        llvm::Twine(kMaxUnrolledSteps) +
        ", since compile time grows faster than the number of steps");

  const int64_t gateWidth = layer.gates * layer.hidden;
  const int64_t d = layer.directions, b = layer.batch, h = layer.hidden;
  SmallVector<int64_t> stateShape = layer.batchFirst
                                        ? SmallVector<int64_t>{b, d, h}
                                        : SmallVector<int64_t>{d, b, h};
  struct OperandShape {
    size_t index;
    llvm::StringRef name;
    SmallVector<int64_t> shape;
  };
  SmallVector<OperandShape> operands = {
      {1, "W", {d, gateWidth, layer.inputSize}},
      {2, "R", {d, gateWidth, h}},
      {3, "B", {d, 2 * gateWidth}},
      {4, "sequence_lens", {b}},
      {5, "initial_h", stateShape}};
  if (kind == CellKind::LongShortTerm) {
    operands.push_back({6, "initial_c", stateShape});
    operands.push_back({7, "P", {d, 3 * h}});
  }
  for (const OperandShape &operand : operands)
    if (llvm::Error error = checkOperand(context, layer, operand.index,
                                         operand.name, operand.shape))
      return std::move(error);
  layer.bias = context.optionalInput(3);
  layer.sequenceLens = context.optionalInput(4);
  layer.initialH = context.optionalInput(5);
  if (kind == CellKind::LongShortTerm) {
    layer.initialC = context.optionalInput(6);
    layer.peepholes = context.optionalInput(7);
  }

  if (context.hasAttribute("clip")) {
    float clip = context.floatAttribute("clip", 0.0f);
    if (!(clip > 0.0f))
      return context.invalid("clip must be positive");
    layer.clip = clip;
  }
  if (kind == CellKind::LongShortTerm)
    layer.inputForget = context.intAttribute("input_forget", 0) != 0;
  if (kind == CellKind::Gated)
    layer.linearBeforeReset =
        context.intAttribute("linear_before_reset", 0) != 0;

  static constexpr llvm::StringRef kSimpleDefaults[] = {"Tanh"};
  static constexpr llvm::StringRef kGatedDefaults[] = {"Sigmoid", "Tanh"};
  static constexpr llvm::StringRef kLongShortTermDefaults[] = {"Sigmoid",
                                                               "Tanh", "Tanh"};
  ArrayRef<llvm::StringRef> defaults =
      kind == CellKind::Simple  ? ArrayRef(kSimpleDefaults)
      : kind == CellKind::Gated ? ArrayRef(kGatedDefaults)
                                : ArrayRef(kLongShortTermDefaults);
  if (llvm::Error error = readActivations(context, layer, defaults))
    return std::move(error);
  return layer;
}

template <CellKind kind> llvm::Error convertRecurrent(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(RecurrentLayer layer, readLayer(context, kind));
  return RecurrentBuilder(context, layer).build();
}

} // namespace

void registerRecurrentConverters(ConverterRegistry &registry) {
  registry.add("", "RNN", convertRecurrent<CellKind::Simple>);
  registry.add("", "GRU", convertRecurrent<CellKind::Gated>);
  registry.add("", "LSTM", convertRecurrent<CellKind::LongShortTerm>);
}

} // namespace kiln::onnx_import
