//===- recurrentNumericsTest.cpp - ONNX RNN, GRU, LSTM, If and Loop, run --===//
//
// Each test writes a one-node ONNX model (built here with the ONNX protobuf
// classes), imports it through the frontend, compiles it through the CPU
// pipeline and runs it through the runtime, then compares every output with
// recurrentReference.cpp. The recurrent layers cover every attribute and
// optional input of opset 14: directions, layouts, biases, initial states,
// peepholes, per-batch sequence lengths (as a run-time input and as a
// constant), clip, input_forget, linear_before_reset and all eleven activation
// functions with their alpha and beta.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "recurrentReference.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fstream>

using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

/// The layers run a few steps of float32 contractions (sums of I + H <= 8
/// products of magnitude <= 1) through activations, against a double
/// reference. Results that a sum cancels to near zero (|y| ~ 1e-3 here) carry
/// the absolute rounding of its terms, ~1e-7 (the worst seen is 1.1e-7), which
/// is 3e-5 relative; atol 1e-6 covers that with a margin, and the contractive
/// activations keep it from growing over the <= 6 steps. rtol stays 1e-5.
constexpr Tolerance kRecurrentTolerance{1e-5, 1e-6};

//===----------------------------------------------------------------------===//
// Building ONNX models
//===----------------------------------------------------------------------===//

onnx::TensorProto floatProto(const std::string &name, const ref::Tensor &t) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : t.shape)
    proto.add_dims(dim);
  for (float value : t.data)
    proto.add_float_data(value);
  return proto;
}

onnx::TensorProto int32Proto(const std::string &name,
                             const std::vector<int64_t> &shape,
                             const std::vector<int64_t> &values) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(onnx::TensorProto::INT32);
  for (int64_t dim : shape)
    proto.add_dims(dim);
  for (int64_t value : values)
    proto.add_int32_data(static_cast<int32_t>(value));
  return proto;
}

void setValueInfo(onnx::ValueInfoProto &info, const std::string &name,
                  int32_t elementType,
                  std::optional<std::vector<int64_t>> shape) {
  info.set_name(name);
  auto *tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elementType);
  if (shape) {
    auto *dims = tensor->mutable_shape();
    for (int64_t dim : *shape)
      dims->add_dim()->set_dim_value(dim);
  }
}

/// Appends graph inputs, initializers, nodes and outputs to one graph.
class GraphWriter {
public:
  explicit GraphWriter(onnx::GraphProto &graph) : graph(graph) {}

  void input(const std::string &name, int32_t elementType,
             std::optional<std::vector<int64_t>> shape) {
    setValueInfo(*graph.add_input(), name, elementType, std::move(shape));
  }
  void output(const std::string &name, int32_t elementType,
              std::optional<std::vector<int64_t>> shape) {
    setValueInfo(*graph.add_output(), name, elementType, std::move(shape));
  }
  /// An output of known rank whose dims shape inference fills in.
  void outputOfRank(const std::string &name, int32_t elementType,
                    int64_t rank) {
    onnx::ValueInfoProto &info = *graph.add_output();
    setValueInfo(info, name, elementType, std::vector<int64_t>{});
    auto *shape = info.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int64_t i = 0; i < rank; ++i)
      shape->add_dim();
  }
  void initializer(onnx::TensorProto tensor) {
    *graph.add_initializer() = std::move(tensor);
  }
  onnx::NodeProto &node(const std::string &opType,
                        const std::vector<std::string> &inputs,
                        const std::vector<std::string> &outputs) {
    onnx::NodeProto &node = *graph.add_node();
    node.set_op_type(opType);
    for (const std::string &name : inputs)
      node.add_input(name);
    for (const std::string &name : outputs)
      node.add_output(name);
    return node;
  }
  onnx::NodeProto &lastNode() { return *graph.mutable_node()->rbegin(); }
  /// A Constant node holding `tensor`.
  void constant(const std::string &name, onnx::TensorProto tensor) {
    onnx::NodeProto &constant = node("Constant", {}, {name});
    auto *value = constant.add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    *value->mutable_t() = std::move(tensor);
  }

private:
  onnx::GraphProto &graph;
};

onnx::AttributeProto &addAttribute(onnx::NodeProto &node,
                                   const std::string &name,
                                   onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto &attribute = *node.add_attribute();
  attribute.set_name(name);
  attribute.set_type(type);
  return attribute;
}
void setInt(onnx::NodeProto &node, const std::string &name, int64_t value) {
  addAttribute(node, name, onnx::AttributeProto::INT).set_i(value);
}
void setFloat(onnx::NodeProto &node, const std::string &name, float value) {
  addAttribute(node, name, onnx::AttributeProto::FLOAT).set_f(value);
}
void setString(onnx::NodeProto &node, const std::string &name,
               const std::string &value) {
  addAttribute(node, name, onnx::AttributeProto::STRING).set_s(value);
}
void setFloats(onnx::NodeProto &node, const std::string &name,
               const std::vector<float> &values) {
  auto &attribute = addAttribute(node, name, onnx::AttributeProto::FLOATS);
  for (float value : values)
    attribute.add_floats(value);
}
void setStrings(onnx::NodeProto &node, const std::string &name,
                const std::vector<std::string> &values) {
  auto &attribute = addAttribute(node, name, onnx::AttributeProto::STRINGS);
  for (const std::string &value : values)
    attribute.add_strings(value);
}
onnx::GraphProto &setGraph(onnx::NodeProto &node, const std::string &name) {
  auto &attribute = addAttribute(node, name, onnx::AttributeProto::GRAPH);
  attribute.mutable_g()->set_name(name);
  return *attribute.mutable_g();
}

/// A model at `opset` with an empty main graph.
onnx::ModelProto newModel(int64_t opset) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  model.mutable_graph()->set_name("test");
  return model;
}

/// One run-time input of a test model.
struct Input {
  std::string name;
  ref::Tensor floats;
  std::vector<int64_t> int32Values; ///< used when `isInt32`
  std::vector<int64_t> shape;       ///< of the int32 values
  bool isInt32 = false;
  bool isBool = false; ///< a boolean scalar: int32Values[0] != 0

  static Input of(std::string name, ref::Tensor tensor) {
    return {std::move(name), std::move(tensor), {}, {}, false, false};
  }
  static Input int32(std::string name, std::vector<int64_t> values) {
    std::vector<int64_t> shape = {static_cast<int64_t>(values.size())};
    return {std::move(name), {}, std::move(values), shape, true, false};
  }
  static Input boolean(std::string name, bool value) {
    return {std::move(name), {}, {value ? 1 : 0}, {}, false, true};
  }

  rt::Tensor toRuntime() const {
    if (isBool) {
      rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_BOOL, {});
      tensor.data<bool>()[0] = int32Values[0] != 0;
      return tensor;
    }
    if (!isInt32)
      return kiln::testing::toRuntime(floats);
    rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_I32, shape);
    std::copy(int32Values.begin(), int32Values.end(), tensor.data<int32_t>());
    return tensor;
  }
};

class OnnxModelTest : public CompiledTest {
protected:
  /// Writes `model` to a temporary file, imports it and returns the import
  /// error's message, or "" when it imported.
  std::string importError(const onnx::ModelProto &model) {
    std::string path = writeModel(model);
    auto module = compiler.loadModel(path);
    llvm::sys::fs::remove(path);
    return module ? std::string() : llvm::toString(module.takeError());
  }

  /// Imports, compiles and runs `model` on `inputs`; returns every output.
  std::vector<ref::Tensor> run(const onnx::ModelProto &model,
                               const std::vector<Input> &inputs) {
    std::string path = writeModel(model);
    auto module = compiler.loadModel(path);
    llvm::sys::fs::remove(path);
    if (!module) {
      ADD_FAILURE() << llvm::toString(module.takeError());
      return {};
    }
    auto loaded = compiler.compileToJit(**module);
    if (!loaded) {
      ADD_FAILURE() << llvm::toString(loaded.takeError());
      return {};
    }
    std::vector<rt::Tensor> runtimeInputs;
    for (const Input &input : inputs)
      runtimeInputs.push_back(input.toRuntime());
    std::vector<const rt::Tensor *> pointers;
    for (const rt::Tensor &input : runtimeInputs)
      pointers.push_back(&input);
    std::vector<ref::Tensor> outputs;
    for (const rt::Tensor &output : loaded->function("forward").run(pointers))
      outputs.push_back(fromRuntime(output));
    return outputs;
  }

private:
  std::string writeModel(const onnx::ModelProto &model) {
    llvm::SmallString<128> path;
    EXPECT_FALSE(
        llvm::sys::fs::createTemporaryFile("kiln-recurrent", "onnx", path));
    std::ofstream file(path.c_str(), std::ios::binary);
    model.SerializeToOstream(&file);
    return path.str().str();
  }
};

//===----------------------------------------------------------------------===//
// RNN, GRU and LSTM
//===----------------------------------------------------------------------===//

/// One recurrent node to build and check.
struct RecurrentCase {
  ref::RecurrentInputs inputs;
  ref::RecurrentAttributes attributes;
  /// Written to the node as given; the reference reads the activations'
  /// alpha and beta from `attributes.activations` instead.
  std::vector<std::string> activationNames;
  std::vector<float> activationAlpha, activationBeta;
  bool constantLengths = false; ///< sequence_lens as an initializer
};

const char *opTypeOf(ref::RecurrentCell cell) {
  switch (cell) {
  case ref::RecurrentCell::Simple:
    return "RNN";
  case ref::RecurrentCell::Gated:
    return "GRU";
  case ref::RecurrentCell::LongShortTerm:
    return "LSTM";
  }
  return "";
}

int64_t gatesOf(ref::RecurrentCell cell) {
  return cell == ref::RecurrentCell::Simple  ? 1
         : cell == ref::RecurrentCell::Gated ? 3
                                             : 4;
}

/// The default activations of `cell`, per direction.
std::vector<ref::RecurrentActivation>
defaultActivations(ref::RecurrentCell cell, int64_t directions) {
  std::vector<ref::RecurrentActivation> one;
  if (cell == ref::RecurrentCell::Simple)
    one = {{"Tanh"}};
  else if (cell == ref::RecurrentCell::Gated)
    one = {{"Sigmoid"}, {"Tanh"}};
  else
    one = {{"Sigmoid"}, {"Tanh"}, {"Tanh"}};
  std::vector<ref::RecurrentActivation> all;
  for (int64_t d = 0; d < directions; ++d)
    all.insert(all.end(), one.begin(), one.end());
  return all;
}

class RecurrentNumericsTest : public OnnxModelTest {
protected:
  /// Random inputs for a layer of `cell` with the given sizes; optional
  /// inputs as the flags say.
  RecurrentCase makeCase(ref::RecurrentCell cell, const std::string &direction,
                         int64_t layout, int64_t steps, int64_t batch,
                         int64_t inputSize, int64_t hidden, bool bias,
                         bool initialState, bool peepholes = false) {
    RecurrentCase c;
    c.attributes.cell = cell;
    c.attributes.direction = direction;
    c.attributes.layout = layout;
    int64_t directions = direction == "bidirectional" ? 2 : 1;
    int64_t gates = gatesOf(cell);
    c.attributes.activations = defaultActivations(cell, directions);
    c.inputs.x = layout ? ref::random({batch, steps, inputSize}, engine)
                        : ref::random({steps, batch, inputSize}, engine);
    c.inputs.w = ref::random({directions, gates * hidden, inputSize}, engine,
                             -0.6f, 0.6f);
    c.inputs.r =
        ref::random({directions, gates * hidden, hidden}, engine, -0.6f, 0.6f);
    if (bias)
      c.inputs.bias = ref::random({directions, 2 * gates * hidden}, engine);
    std::vector<int64_t> stateShape =
        layout ? std::vector<int64_t>{batch, directions, hidden}
               : std::vector<int64_t>{directions, batch, hidden};
    if (initialState) {
      c.inputs.initialH = ref::random(stateShape, engine);
      if (cell == ref::RecurrentCell::LongShortTerm)
        c.inputs.initialC = ref::random(stateShape, engine);
    }
    if (peepholes)
      c.inputs.peepholes = ref::random({directions, 3 * hidden}, engine);
    return c;
  }

  /// Sets the activations of every direction to `perDirection` (with the
  /// alpha and beta lists the node gets).
  void setActivations(RecurrentCase &c,
                      std::vector<ref::RecurrentActivation> all,
                      std::vector<float> alpha, std::vector<float> beta) {
    c.attributes.activations = all;
    c.activationNames.clear();
    for (const ref::RecurrentActivation &activation : all)
      c.activationNames.push_back(activation.name);
    c.activationAlpha = std::move(alpha);
    c.activationBeta = std::move(beta);
  }

  onnx::ModelProto buildModel(const RecurrentCase &c,
                              std::vector<Input> &inputs) {
    const ref::RecurrentInputs &in = c.inputs;
    const ref::RecurrentAttributes &attributes = c.attributes;
    onnx::ModelProto model = newModel(14);
    GraphWriter graph(*model.mutable_graph());
    std::vector<std::string> names = {"X", "W", "R", "", "", "", "", ""};
    graph.input("X", onnx::TensorProto::FLOAT, in.x.shape);
    inputs.push_back(Input::of("X", in.x));
    graph.initializer(floatProto("W", in.w));
    graph.initializer(floatProto("R", in.r));
    if (in.bias) {
      names[3] = "B";
      graph.initializer(floatProto("B", *in.bias));
    }
    if (in.sequenceLens) {
      names[4] = "sequence_lens";
      std::vector<int64_t> shape = {
          static_cast<int64_t>(in.sequenceLens->size())};
      if (c.constantLengths) {
        graph.initializer(int32Proto("sequence_lens", shape, *in.sequenceLens));
      } else {
        graph.input("sequence_lens", onnx::TensorProto::INT32, shape);
        inputs.push_back(Input::int32("sequence_lens", *in.sequenceLens));
      }
    }
    auto stateInput = [&](size_t index, const std::string &name,
                          const std::optional<ref::Tensor> &value) {
      if (!value)
        return;
      names[index] = name;
      graph.input(name, onnx::TensorProto::FLOAT, value->shape);
      inputs.push_back(Input::of(name, *value));
    };
    stateInput(5, "initial_h", in.initialH);
    stateInput(6, "initial_c", in.initialC);
    if (in.peepholes) {
      names[7] = "P";
      graph.initializer(floatProto("P", *in.peepholes));
    }
    while (!names.empty() && names.back().empty())
      names.pop_back();

    bool isLstm = attributes.cell == ref::RecurrentCell::LongShortTerm;
    std::vector<std::string> outputs = {"Y", "Y_h"};
    if (isLstm)
      outputs.push_back("Y_c");
    onnx::NodeProto &node =
        graph.node(opTypeOf(attributes.cell), names, outputs);
    for (const std::string &output : outputs)
      graph.outputOfRank(output, onnx::TensorProto::FLOAT,
                         output == "Y" ? 4 : 3);
    setInt(node, "hidden_size", in.r.shape[2]);
    if (attributes.direction != "forward")
      setString(node, "direction", attributes.direction);
    if (attributes.layout)
      setInt(node, "layout", attributes.layout);
    if (attributes.clip)
      setFloat(node, "clip", static_cast<float>(*attributes.clip));
    if (attributes.inputForget)
      setInt(node, "input_forget", 1);
    if (attributes.linearBeforeReset)
      setInt(node, "linear_before_reset", 1);
    if (!c.activationNames.empty())
      setStrings(node, "activations", c.activationNames);
    if (!c.activationAlpha.empty())
      setFloats(node, "activation_alpha", c.activationAlpha);
    if (!c.activationBeta.empty())
      setFloats(node, "activation_beta", c.activationBeta);
    return model;
  }

  /// Builds, runs and compares Y, Y_h (and Y_c).
  void expectMatchesReference(const RecurrentCase &c) {
    std::vector<Input> inputs;
    onnx::ModelProto model = buildModel(c, inputs);
    std::vector<ref::Tensor> outputs = run(model, inputs);
    ref::RecurrentOutputs expected = ref::recurrent(c.inputs, c.attributes);
    bool isLstm = c.attributes.cell == ref::RecurrentCell::LongShortTerm;
    ASSERT_EQ(outputs.size(), isLstm ? 3u : 2u);
    EXPECT_TRUE(allClose(outputs[0], expected.y, kRecurrentTolerance)) << "Y";
    EXPECT_TRUE(allClose(outputs[1], expected.lastHidden, kRecurrentTolerance))
        << "Y_h";
    if (isLstm)
      EXPECT_TRUE(allClose(outputs[2], expected.lastCell, kRecurrentTolerance))
          << "Y_c";
  }
};

using Cell = ref::RecurrentCell;

//===--- RNN --------------------------------------------------------------===//

TEST_F(RecurrentNumericsTest, RnnForwardDefaults) {
  expectMatchesReference(makeCase(Cell::Simple, "forward", 0, 5, 3, 3, 4,
                                  /*bias=*/false, /*initialState=*/false));
}

TEST_F(RecurrentNumericsTest, RnnReverseWithBiasAndInitialState) {
  expectMatchesReference(
      makeCase(Cell::Simple, "reverse", 0, 5, 3, 3, 4, true, true));
}

TEST_F(RecurrentNumericsTest, RnnBidirectionalBatchFirst) {
  expectMatchesReference(
      makeCase(Cell::Simple, "bidirectional", 1, 4, 2, 3, 5, true, true));
}

TEST_F(RecurrentNumericsTest, RnnBidirectionalSequenceLengths) {
  RecurrentCase c =
      makeCase(Cell::Simple, "bidirectional", 0, 5, 4, 3, 4, true, true);
  // A full sequence, shorter ones and an empty one, whose state stays the
  // initial one.
  c.inputs.sequenceLens = std::vector<int64_t>{5, 2, 0, 4};
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, RnnReluWithClip) {
  RecurrentCase c =
      makeCase(Cell::Simple, "forward", 0, 4, 3, 3, 4, true, false);
  c.attributes.clip = 0.5;
  setActivations(c, {{"Relu"}}, {}, {});
  expectMatchesReference(c);
}

/// Each activation alone in an RNN, with alpha and beta given, so that both
/// the function and the reading of its parameters are checked.
struct ActivationCase {
  ref::RecurrentActivation activation;
  std::vector<float> alpha, beta;
};

class RnnActivationTest : public RecurrentNumericsTest,
                          public ::testing::WithParamInterface<ActivationCase> {
};

TEST_P(RnnActivationTest, MatchesReference) {
  const ActivationCase &param = GetParam();
  // Inputs in [-2, 2) reach every piece of the piecewise functions.
  RecurrentCase c =
      makeCase(Cell::Simple, "forward", 0, 4, 3, 3, 4, true, true);
  for (float &value : c.inputs.x.data)
    value *= 2.0f;
  setActivations(c, {param.activation}, param.alpha, param.beta);
  expectMatchesReference(c);
}

INSTANTIATE_TEST_SUITE_P(
    Activations, RnnActivationTest,
    ::testing::Values(ActivationCase{{"Relu"}, {}, {}},
                      ActivationCase{{"Tanh"}, {}, {}},
                      ActivationCase{{"Sigmoid"}, {}, {}},
                      ActivationCase{{"Affine", 0.7, -0.2}, {0.7f}, {-0.2f}},
                      ActivationCase{{"LeakyRelu", 0.3}, {0.3f}, {}},
                      ActivationCase{{"ThresholdedRelu", 0.4}, {0.4f}, {}},
                      ActivationCase{{"ScaledTanh", 1.5, 0.8}, {1.5f}, {0.8f}},
                      ActivationCase{{"HardSigmoid", 0.3, 0.6}, {0.3f}, {0.6f}},
                      ActivationCase{{"Elu", 0.9}, {0.9f}, {}},
                      ActivationCase{{"Softsign"}, {}, {}},
                      ActivationCase{{"Softplus"}, {}, {}},
                      // Without alpha and beta: the ONNX operators' defaults.
                      ActivationCase{{"LeakyRelu", 0.01}, {}, {}},
                      ActivationCase{{"HardSigmoid", 0.2, 0.5}, {}, {}},
                      ActivationCase{{"Elu", 1.0}, {}, {}},
                      ActivationCase{{"ScaledTanh", 1.0, 1.0}, {}, {}},
                      // Names are case-insensitive, as in ONNX Runtime.
                      ActivationCase{{"leakyrelu", 0.2}, {0.2f}, {}}),
    [](const ::testing::TestParamInfo<ActivationCase> &info) {
      return info.param.activation.name + "_" + std::to_string(info.index);
    });

//===--- GRU --------------------------------------------------------------===//

TEST_F(RecurrentNumericsTest, GruForwardDefaults) {
  expectMatchesReference(
      makeCase(Cell::Gated, "forward", 0, 5, 3, 3, 4, false, false));
}

TEST_F(RecurrentNumericsTest, GruBidirectionalWithBias) {
  expectMatchesReference(
      makeCase(Cell::Gated, "bidirectional", 0, 4, 3, 3, 4, true, true));
}

TEST_F(RecurrentNumericsTest, GruLinearBeforeResetBatchFirst) {
  RecurrentCase c =
      makeCase(Cell::Gated, "bidirectional", 1, 4, 3, 3, 4, true, true);
  c.attributes.linearBeforeReset = true;
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, GruReverseSequenceLengthsAndClip) {
  RecurrentCase c = makeCase(Cell::Gated, "reverse", 1, 5, 3, 3, 4, true, true);
  c.inputs.sequenceLens = std::vector<int64_t>{3, 5, 1};
  c.attributes.clip = 0.8;
  c.attributes.linearBeforeReset = true;
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, GruActivationParametersAreConsumedInOrder) {
  // Only functions that take an alpha (beta) consume one, across both
  // directions: Sigmoid nothing, Affine alpha 0.5 and beta 0.1, HardSigmoid
  // 0.3 and 0.4, LeakyRelu alpha 0.2 (no beta). Read by position instead,
  // Affine would get 0.3 and 0.4.
  RecurrentCase c =
      makeCase(Cell::Gated, "bidirectional", 0, 4, 3, 3, 4, true, true);
  setActivations(c,
                 {{"Sigmoid"},
                  {"Affine", 0.5, 0.1},
                  {"HardSigmoid", 0.3, 0.4},
                  {"LeakyRelu", 0.2}},
                 {0.5f, 0.3f, 0.2f}, {0.1f, 0.4f});
  expectMatchesReference(c);
}

//===--- LSTM -------------------------------------------------------------===//

TEST_F(RecurrentNumericsTest, LstmForwardDefaults) {
  expectMatchesReference(
      makeCase(Cell::LongShortTerm, "forward", 0, 5, 3, 3, 4, false, false));
}

TEST_F(RecurrentNumericsTest, LstmPeepholesAndInitialStates) {
  expectMatchesReference(makeCase(Cell::LongShortTerm, "forward", 0, 4, 3, 3, 4,
                                  true, true, /*peepholes=*/true));
}

TEST_F(RecurrentNumericsTest, LstmBidirectionalBatchFirstSequenceLengths) {
  RecurrentCase c = makeCase(Cell::LongShortTerm, "bidirectional", 1, 5, 4, 3,
                             4, true, true, true);
  c.inputs.sequenceLens = std::vector<int64_t>{4, 5, 1, 2};
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, LstmConstantSequenceLengths) {
  RecurrentCase c =
      makeCase(Cell::LongShortTerm, "reverse", 0, 4, 3, 3, 4, true, true, true);
  c.inputs.sequenceLens = std::vector<int64_t>{2, 4, 3};
  c.constantLengths = true;
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, LstmFullConstantSequenceLengthsNeedNoMask) {
  RecurrentCase c = makeCase(Cell::LongShortTerm, "bidirectional", 0, 3, 2, 3,
                             4, true, false);
  c.inputs.sequenceLens = std::vector<int64_t>{3, 3};
  c.constantLengths = true;
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, LstmInputForgetAndClip) {
  RecurrentCase c =
      makeCase(Cell::LongShortTerm, "reverse", 0, 5, 3, 3, 4, true, true, true);
  c.attributes.inputForget = true;
  c.attributes.clip = 0.7;
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, LstmClipBoundsTheGatesNotTheCellState) {
  // A cell state well beyond the clip: h(C) must see C unclipped.
  RecurrentCase c =
      makeCase(Cell::LongShortTerm, "forward", 0, 3, 3, 3, 4, true, true);
  for (float &value : c.inputs.initialC->data)
    value *= 3.0f;
  c.attributes.clip = 0.3;
  expectMatchesReference(c);
}

TEST_F(RecurrentNumericsTest, LstmCustomActivations) {
  RecurrentCase c =
      makeCase(Cell::LongShortTerm, "bidirectional", 0, 4, 2, 3, 3, true, true);
  setActivations(c,
                 {{"HardSigmoid", 0.25, 0.45},
                  {"Softsign"},
                  {"ScaledTanh", 0.9, 1.2},
                  {"Sigmoid"},
                  {"Elu", 0.8},
                  {"Softplus"}},
                 {0.25f, 0.9f, 0.8f}, {0.45f, 1.2f});
  expectMatchesReference(c);
}

//===--- Errors -----------------------------------------------------------===//

TEST_F(RecurrentNumericsTest, TooLongSequenceIsUnsupported) {
  // 129 steps in each of two directions are more than the 256 Kiln unrolls.
  RecurrentCase c =
      makeCase(Cell::Simple, "bidirectional", 0, 129, 1, 2, 2, false, false);
  std::vector<Input> inputs;
  std::string error = importError(buildModel(c, inputs));
  EXPECT_NE(error.find("the recurrence would unroll into 258 steps (sequence "
                       "length 129 x 2 directions); Kiln unrolls at most 256"),
            std::string::npos)
      << error;
}

TEST_F(RecurrentNumericsTest, UnknownActivationIsReported) {
  RecurrentCase c =
      makeCase(Cell::Simple, "forward", 0, 2, 1, 2, 2, false, false);
  c.activationNames = {"Swish"};
  std::vector<Input> inputs;
  std::string error = importError(buildModel(c, inputs));
  EXPECT_NE(error.find("activation 'Swish'"), std::string::npos) << error;
}

TEST_F(RecurrentNumericsTest, WrongActivationCountIsInvalid) {
  RecurrentCase c =
      makeCase(Cell::Gated, "bidirectional", 0, 2, 1, 2, 2, false, false);
  c.activationNames = {"Sigmoid", "Tanh"};
  std::vector<Input> inputs;
  std::string error = importError(buildModel(c, inputs));
  EXPECT_NE(error.find("activations must name 2 functions per direction (4 "
                       "here), not 2"),
            std::string::npos)
      << error;
}

//===----------------------------------------------------------------------===//
// If and Loop
//===----------------------------------------------------------------------===//

class ControlFlowNumericsTest : public OnnxModelTest {};

onnx::TensorProto int64Scalar(const std::string &name, int64_t value) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(onnx::TensorProto::INT64);
  proto.add_int64_data(value);
  return proto;
}

onnx::TensorProto boolScalar(const std::string &name, bool value) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(onnx::TensorProto::BOOL);
  proto.add_int32_data(value ? 1 : 0);
  return proto;
}

/// y = cond ? x W : tanh(x), where both branches read the outer x (and the
/// then branch its own initializer W).
onnx::ModelProto ifModel(const ref::Tensor &weights) {
  onnx::ModelProto model = newModel(17);
  GraphWriter graph(*model.mutable_graph());
  graph.input("cond", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  graph.input("x", onnx::TensorProto::FLOAT, std::vector<int64_t>{3, 4});
  graph.output("y", onnx::TensorProto::FLOAT, std::vector<int64_t>{3, 4});
  onnx::NodeProto &node = graph.node("If", {"cond"}, {"y"});
  GraphWriter thenGraph(setGraph(node, "then_branch"));
  thenGraph.initializer(floatProto("W", weights));
  thenGraph.node("MatMul", {"x", "W"}, {"then_y"});
  thenGraph.output("then_y", onnx::TensorProto::FLOAT,
                   std::vector<int64_t>{3, 4});
  GraphWriter elseGraph(setGraph(node, "else_branch"));
  elseGraph.node("Tanh", {"x"}, {"else_y"});
  elseGraph.output("else_y", onnx::TensorProto::FLOAT,
                   std::vector<int64_t>{3, 4});
  return model;
}

TEST_F(ControlFlowNumericsTest, IfTakesTheBranchTheConditionSays) {
  ref::Tensor x = ref::random({3, 4}, engine);
  ref::Tensor weights = ref::random({4, 4}, engine);
  onnx::ModelProto model = ifModel(weights);
  for (bool condition : {true, false}) {
    std::vector<ref::Tensor> outputs =
        run(model, {Input::boolean("cond", condition), Input::of("x", x)});
    ASSERT_EQ(outputs.size(), 1u);
    ref::Tensor expected =
        condition ? ref::matmul(x, weights)
                  : ref::unary(x, [](double v) { return std::tanh(v); });
    EXPECT_TRUE(allClose(outputs[0], expected, kContractionTolerance))
        << "cond = " << condition;
  }
}

/// A Loop of `tripCount` iterations over h ([2, 3]) whose body branches on
/// the parity of the iteration number: even steps h = 0.5 h + x, odd ones
/// h = tanh(h) * i. h is also scanned. `cond` is the initial condition
/// input ("" for none); the body's condition output is `keepGoing` passed
/// through an Identity.
onnx::ModelProto parityLoopModel(int64_t tripCount, const std::string &cond) {
  onnx::ModelProto model = newModel(17);
  GraphWriter graph(*model.mutable_graph());
  graph.input("x", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  graph.input("h0", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  graph.output("h", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  graph.output("history", onnx::TensorProto::FLOAT,
               std::vector<int64_t>{tripCount, 2, 3});
  graph.constant("trip", int64Scalar("trip", tripCount));
  if (!cond.empty())
    graph.constant(cond, boolScalar(cond, true));
  onnx::NodeProto &loop =
      graph.node("Loop", {"trip", cond, "h0"}, {"h", "history"});
  GraphWriter body(setGraph(loop, "body"));
  body.input("i", onnx::TensorProto::INT64, std::vector<int64_t>{});
  body.input("cond_in", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  body.input("h_in", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  body.initializer(int64Scalar("two", 2));
  body.initializer(int64Scalar("zero", 0));
  body.node("Mod", {"i", "two"}, {"parity"});
  body.node("Equal", {"parity", "zero"}, {"even"});
  body.node("Identity", {"cond_in"}, {"cond_out"});
  onnx::NodeProto &branch = body.node("If", {"even"}, {"h_out"});
  GraphWriter evenGraph(setGraph(branch, "then_branch"));
  evenGraph.initializer(floatProto("half", ref::Tensor({}, {0.5f})));
  evenGraph.node("Mul", {"h_in", "half"}, {"halved"});
  evenGraph.node("Add", {"halved", "x"}, {"even_h"});
  evenGraph.output("even_h", onnx::TensorProto::FLOAT,
                   std::vector<int64_t>{2, 3});
  GraphWriter oddGraph(setGraph(branch, "else_branch"));
  oddGraph.node("Tanh", {"h_in"}, {"squashed"});
  oddGraph.node("Cast", {"i"}, {"i_float"});
  setInt(oddGraph.lastNode(), "to", onnx::TensorProto::FLOAT);
  oddGraph.node("Mul", {"squashed", "i_float"}, {"odd_h"});
  oddGraph.output("odd_h", onnx::TensorProto::FLOAT,
                  std::vector<int64_t>{2, 3});
  body.node("Identity", {"h_out"}, {"scanned"});
  body.output("cond_out", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  body.output("h_out", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  body.output("scanned", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  return model;
}

/// The plain loop parityLoopModel describes: the final h and every step's h.
std::pair<ref::Tensor, ref::Tensor>
parityLoopReference(const ref::Tensor &x, ref::Tensor h, int64_t tripCount) {
  std::vector<ref::Tensor> history;
  for (int64_t i = 0; i < tripCount; ++i) {
    for (int64_t k = 0; k < h.size(); ++k)
      h.data[k] = i % 2 == 0 ? 0.5 * h.data[k] + x.data[k]
                             : std::tanh(double(h.data[k])) * double(i);
    history.push_back(ref::reshape(h, {1, 2, 3}));
  }
  return {h, ref::concat(history, 0)};
}

TEST_F(ControlFlowNumericsTest, LoopCarriesStateAndScansThroughAnIf) {
  for (const std::string &cond : {std::string("cond"), std::string()}) {
    ref::Tensor x = ref::random({2, 3}, engine);
    ref::Tensor h0 = ref::random({2, 3}, engine);
    std::vector<ref::Tensor> outputs =
        run(parityLoopModel(5, cond), {Input::of("x", x), Input::of("h0", h0)});
    ASSERT_EQ(outputs.size(), 2u);
    auto [h, history] = parityLoopReference(x, h0, 5);
    EXPECT_TRUE(allClose(outputs[0], h, kElementwiseTolerance))
        << "final h, cond '" << cond << "'";
    EXPECT_TRUE(allClose(outputs[1], history, kElementwiseTolerance))
        << "scanned h, cond '" << cond << "'";
  }
}

TEST_F(ControlFlowNumericsTest, LoopWithAFalseConditionRunsNoIteration) {
  // Zero iterations: the loop-carried value passes through unchanged.
  onnx::ModelProto model = newModel(17);
  GraphWriter graph(*model.mutable_graph());
  graph.input("v", onnx::TensorProto::FLOAT, std::vector<int64_t>{4});
  graph.output("v_final", onnx::TensorProto::FLOAT, std::vector<int64_t>{4});
  graph.constant("trip", int64Scalar("trip", 3));
  graph.constant("cond", boolScalar("cond", false));
  onnx::NodeProto &loop =
      graph.node("Loop", {"trip", "cond", "v"}, {"v_final"});
  GraphWriter body(setGraph(loop, "body"));
  body.input("i", onnx::TensorProto::INT64, std::vector<int64_t>{});
  body.input("cond_in", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  body.input("v_in", onnx::TensorProto::FLOAT, std::vector<int64_t>{4});
  body.node("Identity", {"cond_in"}, {"cond_out"});
  body.node("Neg", {"v_in"}, {"v_out"});
  body.output("cond_out", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  body.output("v_out", onnx::TensorProto::FLOAT, std::vector<int64_t>{4});
  ref::Tensor v = ref::random({4}, engine);
  std::vector<ref::Tensor> outputs = run(model, {Input::of("v", v)});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(allClose(outputs[0], v, {0, 0}));
}

TEST_F(ControlFlowNumericsTest, IfBranchesOfDifferentShapesGiveRunTimeDims) {
  // ONNX lets the branches' shapes differ: the result's dims are `?` and each
  // call returns the taken branch's shape.
  onnx::ModelProto model = newModel(17);
  GraphWriter graph(*model.mutable_graph());
  graph.input("cond", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  graph.input("x", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  graph.outputOfRank("y", onnx::TensorProto::FLOAT, 2);
  onnx::NodeProto &node = graph.node("If", {"cond"}, {"y"});
  GraphWriter thenGraph(setGraph(node, "then_branch"));
  thenGraph.node("Identity", {"x"}, {"then_y"});
  thenGraph.outputOfRank("then_y", onnx::TensorProto::FLOAT, 2);
  GraphWriter elseGraph(setGraph(node, "else_branch"));
  elseGraph.node("Transpose", {"x"}, {"else_y"});
  elseGraph.outputOfRank("else_y", onnx::TensorProto::FLOAT, 2);
  ref::Tensor x = ref::random({2, 3}, engine);
  for (bool condition : {true, false}) {
    std::vector<ref::Tensor> outputs =
        run(model, {Input::boolean("cond", condition), Input::of("x", x)});
    ASSERT_EQ(outputs.size(), 1u);
    ref::Tensor expected = x;
    if (!condition) {
      expected = ref::Tensor({3, 2});
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
          expected.data[j * 2 + i] = x.data[i * 3 + j];
    }
    EXPECT_EQ(outputs[0].shape, expected.shape) << "cond = " << condition;
    EXPECT_TRUE(allClose(outputs[0], expected, kElementwiseTolerance))
        << "cond = " << condition;
  }
}

TEST_F(ControlFlowNumericsTest, IfBranchesOfDifferentRanksAreErrors) {
  onnx::ModelProto model = newModel(17);
  GraphWriter graph(*model.mutable_graph());
  graph.input("cond", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  graph.input("x", onnx::TensorProto::FLOAT, std::vector<int64_t>{2, 3});
  onnx::TensorProto flat = int64Scalar("flat", 6);
  flat.add_dims(1);
  graph.constant("flat", flat);
  onnx::NodeProto &node = graph.node("If", {"cond"}, {"y"});
  GraphWriter thenGraph(setGraph(node, "then_branch"));
  thenGraph.node("Identity", {"x"}, {"then_y"});
  thenGraph.outputOfRank("then_y", onnx::TensorProto::FLOAT, 2);
  GraphWriter elseGraph(setGraph(node, "else_branch"));
  elseGraph.node("Reshape", {"x", "flat"}, {"else_y"});
  elseGraph.outputOfRank("else_y", onnx::TensorProto::FLOAT, 1);
  graph.outputOfRank("y", onnx::TensorProto::FLOAT, 2);
  std::string error = importError(model);
  EXPECT_NE(error.find("output 0 of the branches is a tensor<2x3xf32> in one "
                       "place and a tensor<6xf32> in the other"),
            std::string::npos)
      << error;
}

TEST_F(ControlFlowNumericsTest, SubgraphErrorsNameTheInnerNode) {
  onnx::ModelProto model = newModel(17);
  GraphWriter graph(*model.mutable_graph());
  graph.input("cond", onnx::TensorProto::BOOL, std::vector<int64_t>{});
  graph.input("x", onnx::TensorProto::FLOAT, std::vector<int64_t>{2});
  graph.output("y", onnx::TensorProto::FLOAT, std::vector<int64_t>{2});
  onnx::NodeProto &node = graph.node("If", {"cond"}, {"y"});
  node.set_name("choose");
  GraphWriter thenGraph(setGraph(node, "then_branch"));
  thenGraph.node("Identity", {"x"}, {"then_y"});
  thenGraph.output("then_y", onnx::TensorProto::FLOAT, std::vector<int64_t>{2});
  GraphWriter elseGraph(setGraph(node, "else_branch"));
  // An op of a custom domain has no converter (and ONNX no schema for it).
  onnx::NodeProto &inner = elseGraph.node("Mystery", {"x"}, {"else_y"});
  inner.set_name("inner");
  inner.set_domain("com.example");
  auto *customDomain = model.add_opset_import();
  customDomain->set_domain("com.example");
  customDomain->set_version(1);
  elseGraph.output("else_y", onnx::TensorProto::FLOAT, std::vector<int64_t>{2});
  std::string error = importError(model);
  EXPECT_NE(error.find("node 'choose' (If, #0): node 'inner' (Mystery, #0) "
                       "of else_branch: Kiln has no converter for "
                       "com.example.Mystery"),
            std::string::npos)
      << error;
}

} // namespace
