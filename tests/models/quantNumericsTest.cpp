//===- quantNumericsTest.cpp - Quantized, normalization, generator ops ----===//
//
// The ONNX quantization, normalization and generator ops end to end. This
// family has no kiln ops of its own (each ONNX op is a composition of existing
// ones, see frontends/onnx/lib/ops/Quantization.cpp and its siblings), so each
// test writes a one-node ONNX model with the ONNX protobuf classes, imports it
// through Kiln's frontend, JIT-compiles it, runs it on random inputs (scales,
// zero points, k, depth and sequence lengths are run-time inputs unless a test
// says otherwise) and compares with quantReference.cpp. Integer results must
// match bit for bit; the float tolerances are stated where they are defined.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "quantReference.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>

using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;
using onnx::TensorProto;

namespace {

/// Integer results (quantized values, int32 accumulators, indices, copies)
/// must be exact.
constexpr Tolerance kExact{0, 0};
/// DequantizeLinear: x - zero_point is exact in float32 for 8-bit values, so
/// only the multiply rounds, once, as the reference's float32 multiply does:
/// rtol 1e-5 leaves room for nothing but that, and no atol is needed.
constexpr Tolerance kDequantizeTolerance{1e-5, 0};
/// Normalizations in float32 against a double reference: each output is four
/// to six float32 operations on intermediates below 4 in magnitude here
/// (|x - mean| / sigma * scale + bias), each rounding by at most half an ulp
/// (2.4e-7 at 4), after means and variances of up to 40 terms. atol 1e-6
/// covers outputs near zero, where rtol alone would ask for more than float32
/// holds (the largest error seen is 3.5e-7).
constexpr Tolerance kNormalizationTolerance{1e-5, 1e-6};

//===--- Building one-node models ----------------------------------------===//

/// One input of the node: a graph input fed at run time, an initializer
/// (constant), or an omitted optional input.
struct Operand {
  int32_t type = TensorProto::FLOAT;
  ref::Values values;
  bool constant = false;
  bool omitted = false;
};

Operand runtime(int32_t type, ref::Values values) {
  return {type, std::move(values), false, false};
}
Operand constant(int32_t type, ref::Values values) {
  return {type, std::move(values), true, false};
}
Operand omitted() { return {TensorProto::FLOAT, {}, false, true}; }

/// A graph output: its element type and declared shape (empty dims entries
/// of -1 become symbolic dims).
struct Output {
  int32_t type;
  std::vector<int64_t> shape;
};

/// Sets the node's attributes.
using Configure = std::function<void(onnx::NodeProto &)>;

void setInt(onnx::NodeProto &node, const std::string &name, int64_t value) {
  onnx::AttributeProto *attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
}

void setFloat(onnx::NodeProto &node, const std::string &name, float value) {
  onnx::AttributeProto *attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::FLOAT);
  attribute->set_f(value);
}

void setInts(onnx::NodeProto &node, const std::string &name,
             const std::vector<int64_t> &values) {
  onnx::AttributeProto *attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values)
    attribute->add_ints(value);
}

void setString(onnx::NodeProto &node, const std::string &name,
               const std::string &value) {
  onnx::AttributeProto *attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::STRING);
  attribute->set_s(value);
}

void setTypeAndShape(onnx::ValueInfoProto *value, int32_t type,
                     const std::vector<int64_t> &shape) {
  auto *tensor = value->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(type);
  auto *dims = tensor->mutable_shape();
  for (int64_t dim : shape) {
    if (dim < 0)
      dims->add_dim()->set_dim_param("unknown");
    else
      dims->add_dim()->set_dim_value(dim);
  }
}

void fillTensor(onnx::TensorProto *tensor, const std::string &name,
                const Operand &operand) {
  tensor->set_name(name);
  tensor->set_data_type(operand.type);
  for (int64_t dim : operand.values.shape)
    tensor->add_dims(dim);
  for (double value : operand.values.data) {
    switch (operand.type) {
    case TensorProto::FLOAT:
      tensor->add_float_data(static_cast<float>(value));
      break;
    case TensorProto::DOUBLE:
      tensor->add_double_data(value);
      break;
    case TensorProto::INT64:
      tensor->add_int64_data(static_cast<int64_t>(value));
      break;
    default: // int8, uint8, int32 are stored in int32_data.
      tensor->add_int32_data(static_cast<int32_t>(value));
      break;
    }
  }
}

/// A model with one node of `opType` reading `operands` (named in0, in1, ...)
/// and writing `outputs` (out0, ...).
onnx::ModelProto makeModel(const std::string &opType,
                           const std::vector<Operand> &operands,
                           const std::vector<Output> &outputs,
                           const Configure &configure) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("kiln-quant-test");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name(opType);
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type(opType);
  for (size_t i = 0; i < operands.size(); ++i) {
    const Operand &operand = operands[i];
    std::string name = operand.omitted ? "" : "in" + std::to_string(i);
    node->add_input(name);
    if (operand.omitted)
      continue;
    if (operand.constant) {
      fillTensor(graph->add_initializer(), name, operand);
      continue;
    }
    onnx::ValueInfoProto *input = graph->add_input();
    input->set_name(name);
    setTypeAndShape(input, operand.type, operand.values.shape);
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string name = "out" + std::to_string(i);
    node->add_output(name);
    onnx::ValueInfoProto *value = graph->add_output();
    value->set_name(name);
    setTypeAndShape(value, outputs[i].type, outputs[i].shape);
  }
  if (configure)
    configure(*node);
  return model;
}

//===--- Runtime tensors
//---------------------------------------------------===//

kiln_dtype dtypeOf(int32_t onnxType) {
  switch (onnxType) {
  case TensorProto::FLOAT:
    return KILN_DTYPE_F32;
  case TensorProto::DOUBLE:
    return KILN_DTYPE_F64;
  case TensorProto::INT8:
    return KILN_DTYPE_I8;
  case TensorProto::UINT8:
    return KILN_DTYPE_U8;
  case TensorProto::INT32:
    return KILN_DTYPE_I32;
  default:
    return KILN_DTYPE_I64;
  }
}

template <typename T>
void copyInto(rt::Tensor &tensor, const std::vector<double> &values) {
  T *data = tensor.data<T>();
  for (size_t i = 0; i < values.size(); ++i)
    data[i] = static_cast<T>(values[i]);
}

rt::Tensor toRuntime(const Operand &operand) {
  rt::Tensor tensor =
      rt::Tensor::create(dtypeOf(operand.type), operand.values.shape);
  switch (operand.type) {
  case TensorProto::FLOAT:
    copyInto<float>(tensor, operand.values.data);
    break;
  case TensorProto::DOUBLE:
    copyInto<double>(tensor, operand.values.data);
    break;
  case TensorProto::INT8:
    copyInto<int8_t>(tensor, operand.values.data);
    break;
  case TensorProto::UINT8:
    copyInto<uint8_t>(tensor, operand.values.data);
    break;
  case TensorProto::INT32:
    copyInto<int32_t>(tensor, operand.values.data);
    break;
  default:
    copyInto<int64_t>(tensor, operand.values.data);
    break;
  }
  return tensor;
}

template <typename T> ref::Values valuesOf(const rt::Tensor &tensor) {
  const T *data = tensor.data<T>();
  ref::Values values{tensor.shape(), {}};
  for (int64_t i = 0; i < tensor.elementCount(); ++i)
    values.data.push_back(static_cast<double>(data[i]));
  return values;
}

ref::Values fromRuntime(const rt::Tensor &tensor) {
  switch (tensor.dtype()) {
  case KILN_DTYPE_F32:
    return valuesOf<float>(tensor);
  case KILN_DTYPE_F64:
    return valuesOf<double>(tensor);
  case KILN_DTYPE_I8:
    return valuesOf<int8_t>(tensor);
  case KILN_DTYPE_U8:
    return valuesOf<uint8_t>(tensor);
  case KILN_DTYPE_I32:
    return valuesOf<int32_t>(tensor);
  default:
    return valuesOf<int64_t>(tensor);
  }
}

/// Shape equal and every element within tolerance; the message names the
/// worst element.
::testing::AssertionResult matches(const ref::Values &actual,
                                   const ref::Values &expected,
                                   Tolerance tolerance) {
  if (actual.shape != expected.shape)
    return ::testing::AssertionFailure() << "the shapes differ";
  double worst = 0;
  int64_t worstIndex = -1;
  for (int64_t i = 0; i < expected.size(); ++i) {
    double error = std::fabs(actual.data[i] - expected.data[i]);
    double excess =
        error - (tolerance.atol + tolerance.rtol * std::fabs(expected.data[i]));
    if (excess > 0 && (worstIndex < 0 || excess > worst)) {
      worst = excess;
      worstIndex = i;
    }
  }
  if (worstIndex < 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << worstIndex << " is " << actual.data[worstIndex]
         << ", expected " << expected.data[worstIndex];
}

//===--- The fixture
//-------------------------------------------------------===//

class QuantNumericsTest : public CompiledTest {
protected:
  void SetUp() override {
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("kiln-quant-test", directory));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  /// Writes the one-node model and imports it.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  import(const std::string &opType, const std::vector<Operand> &operands,
         const std::vector<Output> &outputs, const Configure &configure) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, opType + std::to_string(models++) + ".onnx");
    {
      std::ofstream stream(path.str().str(), std::ios::binary);
      stream << makeModel(opType, operands, outputs, configure)
                    .SerializeAsString();
    }
    return compiler.loadModel(path);
  }

  /// Imports and JIT-compiles the one-node model (nullopt and a test failure
  /// when either fails).
  std::optional<rt::Module> compile(const std::string &opType,
                                    const std::vector<Operand> &operands,
                                    const std::vector<Output> &outputs,
                                    const Configure &configure = {}) {
    auto module = import(opType, operands, outputs, configure);
    if (!module) {
      ADD_FAILURE() << llvm::toString(module.takeError());
      return std::nullopt;
    }
    auto loaded = compiler.compileToJit(**module);
    if (!loaded) {
      ADD_FAILURE() << llvm::toString(loaded.takeError());
      return std::nullopt;
    }
    return std::move(*loaded);
  }

  /// Runs `@forward` of `module` on the run-time operands.
  static std::vector<ref::Values> run(const rt::Module &module,
                                      const std::vector<Operand> &operands) {
    std::vector<rt::Tensor> inputs;
    for (const Operand &operand : operands)
      if (!operand.constant && !operand.omitted)
        inputs.push_back(toRuntime(operand));
    std::vector<const rt::Tensor *> pointers;
    for (const rt::Tensor &input : inputs)
      pointers.push_back(&input);
    std::vector<ref::Values> outputs;
    for (const rt::Tensor &output : module.function("forward").run(pointers))
      outputs.push_back(fromRuntime(output));
    return outputs;
  }

  /// Compiles and runs the one-node model, and checks its outputs against
  /// `expected` (whose element types the outputs declare).
  void
  expectOutputs(const std::string &opType, const std::vector<Operand> &operands,
                const std::vector<std::pair<int32_t, ref::Values>> &expected,
                Tolerance tolerance, const Configure &configure = {}) {
    std::vector<Output> outputs;
    for (const auto &[type, values] : expected)
      outputs.push_back({type, values.shape});
    std::optional<rt::Module> module =
        compile(opType, operands, outputs, configure);
    if (!module)
      return;
    std::vector<ref::Values> actual = run(*module, operands);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
      EXPECT_TRUE(matches(actual[i], expected[i].second, tolerance))
          << opType << " output " << i;
  }

  /// Checks that importing the one-node model fails with an error containing
  /// `expected`.
  void expectImportError(const std::string &opType,
                         const std::vector<Operand> &operands,
                         const std::vector<Output> &outputs,
                         const std::string &expected) {
    std::string error = importError(opType, operands, outputs);
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  }

  /// The import error of the one-node model (a test failure if it imports).
  std::string importError(const std::string &opType,
                          const std::vector<Operand> &operands,
                          const std::vector<Output> &outputs,
                          const Configure &configure = {}) {
    auto module = import(opType, operands, outputs, configure);
    if (module) {
      ADD_FAILURE() << "the model imported";
      return "";
    }
    return llvm::toString(module.takeError());
  }

  ref::Values randomIntegers(std::vector<int64_t> shape, int64_t low,
                             int64_t high) {
    std::uniform_int_distribution<int64_t> distribution(low, high);
    ref::Values values{shape, {}};
    for (int64_t i = 0; i < ref::elementCount(shape); ++i)
      values.data.push_back(static_cast<double>(distribution(engine)));
    return values;
  }

  /// Float32 values uniform in [low, high).
  ref::Values randomFloats(std::vector<int64_t> shape, float low, float high) {
    std::uniform_real_distribution<float> distribution(low, high);
    ref::Values values{shape, {}};
    for (int64_t i = 0; i < ref::elementCount(shape); ++i)
      values.data.push_back(distribution(engine));
    return values;
  }

  llvm::SmallString<128> directory;
  int models = 0;
};

/// A rank-0 tensor.
ref::Values scalar(double value) { return {{}, {value}}; }
/// A 1-D tensor.
ref::Values tensor1D(std::vector<double> values) {
  return {{static_cast<int64_t>(values.size())}, std::move(values)};
}

//===--- QuantizeLinear, DequantizeLinear
//----------------------------------===//

TEST_F(QuantNumericsTest, QuantizeLinearRoundsAndSaturatesToUint8) {
  // A scale that is not a power of two, and values far outside the range.
  ref::Values x = randomFloats({3, 4, 5}, -250.0f, 250.0f);
  ref::Values scale = scalar(0.73f), zero = scalar(17);
  expectOutputs("QuantizeLinear",
                {runtime(TensorProto::FLOAT, x),
                 runtime(TensorProto::FLOAT, scale),
                 runtime(TensorProto::UINT8, zero)},
                {{TensorProto::UINT8,
                  ref::quantizeLinear(x, scale, zero, 1, ref::kUint8Range)}},
                kExact);
}

TEST_F(QuantNumericsTest, QuantizeLinearRoundsHalvesToEvenInt8) {
  // x / 0.5 = (j - 300) / 2: every other value is a tie, and the ends
  // saturate at both bounds of int8.
  ref::Values x{{600}, {}};
  for (int64_t j = 0; j < 600; ++j)
    x.data.push_back((j - 300) * 0.25);
  ref::Values scale = scalar(0.5), zero = scalar(-3);
  ref::Values expected =
      ref::quantizeLinear(x, scale, zero, 1, ref::kInt8Range);
  // The reference itself: 0.75 / 0.5 = 1.5 -> 2, 1.25 / 0.5 = 2.5 -> 2.
  ASSERT_EQ(expected.data[303], 2 - 3);
  ASSERT_EQ(expected.data[305], 2 - 3);
  expectOutputs("QuantizeLinear",
                {runtime(TensorProto::FLOAT, x),
                 runtime(TensorProto::FLOAT, scale),
                 runtime(TensorProto::INT8, zero)},
                {{TensorProto::INT8, expected}}, kExact);
}

TEST_F(QuantNumericsTest, QuantizeLinearPerAxis) {
  ref::Values x = randomFloats({2, 3, 4}, -40.0f, 40.0f);
  // Axis 1 with run-time parameters, int8.
  ref::Values scale = tensor1D({0.25, 0.3f, 0.9f}),
              zero = tensor1D({-20, 0, 7});
  expectOutputs("QuantizeLinear",
                {runtime(TensorProto::FLOAT, x),
                 runtime(TensorProto::FLOAT, scale),
                 runtime(TensorProto::INT8, zero)},
                {{TensorProto::INT8,
                  ref::quantizeLinear(x, scale, zero, 1, ref::kInt8Range)}},
                kExact);
  // Axis -1 with constant parameters, uint8.
  ref::Values lastScale = tensor1D({0.2f, 0.5, 0.7f, 1.1f}),
              lastZero = tensor1D({128, 0, 255, 30});
  expectOutputs(
      "QuantizeLinear",
      {runtime(TensorProto::FLOAT, x), constant(TensorProto::FLOAT, lastScale),
       constant(TensorProto::UINT8, lastZero)},
      {{TensorProto::UINT8,
        ref::quantizeLinear(x, lastScale, lastZero, -1, ref::kUint8Range)}},
      kExact, [](onnx::NodeProto &node) { setInt(node, "axis", -1); });
}

TEST_F(QuantNumericsTest, QuantizeLinearWithoutZeroPointGivesUint8) {
  ref::Values x = randomFloats({17}, -10.0f, 90.0f);
  ref::Values scale = scalar(0.37f);
  expectOutputs(
      "QuantizeLinear",
      {runtime(TensorProto::FLOAT, x), constant(TensorProto::FLOAT, scale)},
      {{TensorProto::UINT8,
        ref::quantizeLinear(x, scale, {}, 1, ref::kUint8Range)}},
      kExact);
}

TEST_F(QuantNumericsTest, DequantizeLinearPerAxisAndInt32) {
  ref::Values x = randomIntegers({2, 3, 4}, 0, 255);
  ref::Values scale = tensor1D({0.1f, 2.5, 0.003f}),
              zero = tensor1D({3, 128, 255});
  expectOutputs(
      "DequantizeLinear",
      {runtime(TensorProto::UINT8, x), runtime(TensorProto::FLOAT, scale),
       runtime(TensorProto::UINT8, zero)},
      {{TensorProto::FLOAT, ref::dequantizeLinear(x, scale, zero, 1)}},
      kDequantizeTolerance);
  // int32 values (a bias) without a zero point.
  ref::Values wide = randomIntegers({5, 2}, -100000, 100000);
  ref::Values wideScale = scalar(0.0007f);
  expectOutputs(
      "DequantizeLinear",
      {runtime(TensorProto::INT32, wide),
       runtime(TensorProto::FLOAT, wideScale)},
      {{TensorProto::FLOAT, ref::dequantizeLinear(wide, wideScale, {}, 1)}},
      kDequantizeTolerance);
}

//===--- Integer matrix products
//-------------------------------------------===//

TEST_F(QuantNumericsTest, MatMulIntegerPerRowAndPerColumnZeroPoints) {
  ref::Values a = randomIntegers({5, 7}, 0, 255),
              b = randomIntegers({7, 3}, 0, 255);
  ref::Values aZero = randomIntegers({5}, 0, 255),
              bZero = randomIntegers({3}, 0, 255);
  expectOutputs(
      "MatMulInteger",
      {runtime(TensorProto::UINT8, a), runtime(TensorProto::UINT8, b),
       runtime(TensorProto::UINT8, aZero), runtime(TensorProto::UINT8, bZero)},
      {{TensorProto::INT32, ref::matMulInteger(a, b, aZero, bZero)}}, kExact);
}

TEST_F(QuantNumericsTest, MatMulIntegerSignedBatchedWithoutBZeroPoint) {
  ref::Values a = randomIntegers({2, 4, 6}, -128, 127),
              b = randomIntegers({6, 3}, 0, 255);
  ref::Values aZero = scalar(-5);
  expectOutputs("MatMulInteger",
                {runtime(TensorProto::INT8, a), runtime(TensorProto::UINT8, b),
                 runtime(TensorProto::INT8, aZero)},
                {{TensorProto::INT32, ref::matMulInteger(a, b, aZero, {})}},
                kExact);
}

TEST_F(QuantNumericsTest, QLinearMatMulRequantizes) {
  ref::Values a = randomIntegers({4, 8}, 0, 255),
              b = randomIntegers({8, 5}, 0, 255);
  float aScale = 0.0066f, bScale = 0.00705f, yScale = 0.0107f;
  expectOutputs(
      "QLinearMatMul",
      {runtime(TensorProto::UINT8, a),
       runtime(TensorProto::FLOAT, scalar(aScale)),
       runtime(TensorProto::UINT8, scalar(113)), runtime(TensorProto::UINT8, b),
       runtime(TensorProto::FLOAT, scalar(bScale)),
       runtime(TensorProto::UINT8, scalar(114)),
       runtime(TensorProto::FLOAT, scalar(yScale)),
       runtime(TensorProto::UINT8, scalar(118))},
      {{TensorProto::UINT8, ref::qlinearMatMul(a, aScale, 113, b, bScale, 114,
                                               yScale, 118, ref::kUint8Range)}},
      kExact);
  // int8, batched on both sides, constant parameters.
  ref::Values c = randomIntegers({2, 3, 6}, -128, 127),
              d = randomIntegers({2, 6, 4}, -128, 127);
  expectOutputs(
      "QLinearMatMul",
      {runtime(TensorProto::INT8, c),
       constant(TensorProto::FLOAT, scalar(0.02f)),
       constant(TensorProto::INT8, scalar(-4)), runtime(TensorProto::INT8, d),
       constant(TensorProto::FLOAT, scalar(0.013f)),
       constant(TensorProto::INT8, scalar(9)),
       constant(TensorProto::FLOAT, scalar(0.05f)),
       constant(TensorProto::INT8, scalar(-1))},
      {{TensorProto::INT8, ref::qlinearMatMul(c, 0.02f, -4, d, 0.013f, 9, 0.05f,
                                              -1, ref::kInt8Range)}},
      kExact);
}

//===--- Integer convolutions
//----------------------------------------------===//

TEST_F(QuantNumericsTest, ConvIntegerPaddedStridedDilatedGrouped) {
  ref::Values x = randomIntegers({1, 4, 7, 6}, 0, 255),
              w = randomIntegers({6, 2, 3, 3}, 0, 255);
  ref::Values xZero = scalar(100), wZero = randomIntegers({6}, 0, 255);
  ref::ConvWindow window;
  window.strides = {2, 1};
  window.padding = {1, 2, 1, 0};
  window.dilations = {1, 2};
  window.groups = 2;
  expectOutputs(
      "ConvInteger",
      {runtime(TensorProto::UINT8, x), runtime(TensorProto::UINT8, w),
       runtime(TensorProto::UINT8, xZero), runtime(TensorProto::UINT8, wZero)},
      {{TensorProto::INT32, ref::convInteger(x, w, xZero, wZero, window)}},
      kExact, [](onnx::NodeProto &node) {
        setInts(node, "strides", {2, 1});
        setInts(node, "pads", {1, 2, 1, 0});
        setInts(node, "dilations", {1, 2});
        setInt(node, "group", 2);
      });
}

TEST_F(QuantNumericsTest, ConvInteger1DSignedSamePadding) {
  ref::Values x = randomIntegers({2, 3, 9}, -128, 127),
              w = randomIntegers({4, 3, 3}, -128, 127);
  // The reference convolves [N, C, 1, L]; SAME_UPPER with stride 2 over 9
  // gives 5 outputs and pads 1 on each side.
  ref::Values x4{{2, 3, 1, 9}, x.data}, w4{{4, 3, 1, 3}, w.data};
  ref::ConvWindow window;
  window.strides = {1, 2};
  window.padding = {0, 1, 0, 1};
  ref::Values expected = ref::convInteger(x4, w4, scalar(-7), {}, window);
  expected.shape = {2, 4, 5};
  expectOutputs("ConvInteger",
                {runtime(TensorProto::INT8, x), runtime(TensorProto::INT8, w),
                 runtime(TensorProto::INT8, scalar(-7))},
                {{TensorProto::INT32, expected}}, kExact,
                [](onnx::NodeProto &node) {
                  setInts(node, "strides", {2});
                  setString(node, "auto_pad", "SAME_UPPER");
                });
}

TEST_F(QuantNumericsTest, QLinearConvPerChannelWithBias) {
  ref::Values x = randomIntegers({1, 3, 6, 6}, 0, 255),
              w = randomIntegers({4, 3, 3, 3}, -128, 127);
  std::vector<float> wScale = {0.01f, 0.02f, 0.005f, 0.013f};
  ref::Values wZero = tensor1D({0, 3, -2, 0});
  ref::Values bias = randomIntegers({4}, -5000, 5000);
  ref::ConvWindow window;
  window.padding = {1, 1, 1, 1};
  float xScale = 0.0037f, yScale = 0.02f;
  expectOutputs(
      "QLinearConv",
      {runtime(TensorProto::UINT8, x),
       runtime(TensorProto::FLOAT, scalar(xScale)),
       runtime(TensorProto::UINT8, scalar(132)), runtime(TensorProto::INT8, w),
       runtime(TensorProto::FLOAT,
               tensor1D({wScale[0], wScale[1], wScale[2], wScale[3]})),
       runtime(TensorProto::INT8, wZero),
       runtime(TensorProto::FLOAT, scalar(yScale)),
       runtime(TensorProto::UINT8, scalar(123)),
       runtime(TensorProto::INT32, bias)},
      {{TensorProto::UINT8,
        ref::qlinearConv(x, xScale, scalar(132), w, wScale, wZero, yScale, 123,
                         bias, window, ref::kUint8Range)}},
      kExact, [](onnx::NodeProto &node) {
        setInts(node, "pads", {1, 1, 1, 1});
      });
}

//===--- Normalizations
//----------------------------------------------------===//

TEST_F(QuantNumericsTest, InstanceNormalization) {
  ref::Values x = randomFloats({2, 3, 4, 5}, -1.0f, 1.0f);
  ref::Values scale = randomFloats({3}, 0.5f, 2.0f),
              bias = randomFloats({3}, -1.0f, 1.0f);
  float epsilon = 1e-3f;
  expectOutputs(
      "InstanceNormalization",
      {runtime(TensorProto::FLOAT, x), runtime(TensorProto::FLOAT, scale),
       runtime(TensorProto::FLOAT, bias)},
      {{TensorProto::FLOAT,
        ref::instanceNormalization(x, scale, bias, epsilon)}},
      kNormalizationTolerance,
      [&](onnx::NodeProto &node) { setFloat(node, "epsilon", epsilon); });
}

TEST_F(QuantNumericsTest, LRNOddAndEvenWindows) {
  ref::Values x = randomFloats({2, 5, 3, 4}, -2.0f, 2.0f);
  // A large alpha, so that the window's sum matters; an even size puts one
  // more channel after the centre than before it.
  for (int64_t size : {3, 4}) {
    expectOutputs("LRN", {runtime(TensorProto::FLOAT, x)},
                  {{TensorProto::FLOAT, ref::lrn(x, size, 0.3f, 0.75f, 1.5f)}},
                  kNormalizationTolerance, [&](onnx::NodeProto &node) {
                    setInt(node, "size", size);
                    setFloat(node, "alpha", 0.3f);
                    setFloat(node, "beta", 0.75f);
                    setFloat(node, "bias", 1.5f);
                  });
  }
}

TEST_F(QuantNumericsTest, BatchNormalizationInference) {
  ref::Values x = randomFloats({2, 3, 4, 5}, -1.0f, 1.0f);
  ref::Values scale = randomFloats({3}, 0.5f, 2.0f),
              bias = randomFloats({3}, -1.0f, 1.0f),
              mean = randomFloats({3}, -0.5f, 0.5f),
              variance = randomFloats({3}, 0.2f, 1.5f);
  float epsilon = 1e-2f;
  ref::Values expected =
      ref::batchNormalization(x, scale, bias, mean, variance, epsilon);
  auto configure = [&](onnx::NodeProto &node) {
    setFloat(node, "epsilon", epsilon);
  };
  // Statistics known at run time only, then as constants (folded into one
  // multiplier and offset at import time).
  for (bool constants : {false, true}) {
    auto make = constants ? constant : runtime;
    expectOutputs(
        "BatchNormalization",
        {runtime(TensorProto::FLOAT, x), make(TensorProto::FLOAT, scale),
         make(TensorProto::FLOAT, bias), make(TensorProto::FLOAT, mean),
         make(TensorProto::FLOAT, variance)},
        {{TensorProto::FLOAT, expected}}, kNormalizationTolerance, configure);
  }
}

TEST_F(QuantNumericsTest, BatchNormalizationTrainingMode) {
  ref::Values x = randomFloats({4, 3, 2, 5}, -1.0f, 1.0f);
  ref::Values scale = randomFloats({3}, 0.5f, 2.0f),
              bias = randomFloats({3}, -1.0f, 1.0f),
              mean = randomFloats({3}, -0.5f, 0.5f),
              variance = randomFloats({3}, 0.2f, 1.5f);
  float epsilon = 1e-3f, momentum = 0.8f;
  ref::BatchNormTraining expected = ref::batchNormalizationTraining(
      x, scale, bias, mean, variance, epsilon, momentum);
  expectOutputs(
      "BatchNormalization",
      {runtime(TensorProto::FLOAT, x), runtime(TensorProto::FLOAT, scale),
       runtime(TensorProto::FLOAT, bias), runtime(TensorProto::FLOAT, mean),
       runtime(TensorProto::FLOAT, variance)},
      {{TensorProto::FLOAT, expected.y},
       {TensorProto::FLOAT, expected.runningMean},
       {TensorProto::FLOAT, expected.runningVariance}},
      kNormalizationTolerance, [&](onnx::NodeProto &node) {
        setFloat(node, "epsilon", epsilon);
        setFloat(node, "momentum", momentum);
        setInt(node, "training_mode", 1);
      });
}

//===--- Generators
//--------------------------------------------------------===//

TEST_F(QuantNumericsTest, TriluWithRunTimeK) {
  ref::Values x = randomFloats({2, 4, 6}, -1.0f, 1.0f);
  // k far outside [-rows, columns] (out to int64's extremes: the largest
  // value a double holds below 2^63), at the edges, and inside.
  std::vector<int64_t> ks = {std::numeric_limits<int64_t>::min(),
                             -9,
                             -4,
                             -1,
                             0,
                             2,
                             6,
                             7,
                             int64_t(0x1p63 - 1024)};
  for (bool upper : {true, false}) {
    std::vector<Operand> operands = {runtime(TensorProto::FLOAT, x),
                                     runtime(TensorProto::INT64, scalar(0))};
    std::optional<rt::Module> module =
        compile("Trilu", operands, {{TensorProto::FLOAT, x.shape}},
                [&](onnx::NodeProto &node) { setInt(node, "upper", upper); });
    if (!module)
      return;
    for (int64_t k : ks) {
      operands[1].values = scalar(static_cast<double>(k));
      std::vector<ref::Values> actual = run(*module, operands);
      EXPECT_TRUE(matches(actual[0], ref::trilu(x, k, upper), kExact))
          << (upper ? "upper" : "lower") << " k = " << k;
    }
  }
}

TEST_F(QuantNumericsTest, TriluConstantKAndDefaultK) {
  ref::Values x = randomIntegers({5, 3}, -1000, 1000);
  expectOutputs("Trilu",
                {runtime(TensorProto::INT64, x),
                 constant(TensorProto::INT64, scalar(-2))},
                {{TensorProto::INT64, ref::trilu(x, -2, false)}}, kExact,
                [](onnx::NodeProto &node) { setInt(node, "upper", 0); });
  expectOutputs("Trilu", {runtime(TensorProto::INT64, x)},
                {{TensorProto::INT64, ref::trilu(x, 0, true)}}, kExact);
}

TEST_F(QuantNumericsTest, EyeLikeOffsetsAndTypes) {
  ref::Values x = randomIntegers({4, 6}, -10, 10);
  expectOutputs("EyeLike", {runtime(TensorProto::INT32, x)},
                {{TensorProto::DOUBLE, ref::eyeLike(4, 6, -2)}}, kExact,
                [](onnx::NodeProto &node) {
                  setInt(node, "k", -2);
                  setInt(node, "dtype", TensorProto::DOUBLE);
                });
  // No diagonal inside the matrix: all zeros, in x's own type.
  expectOutputs("EyeLike", {runtime(TensorProto::INT32, x)},
                {{TensorProto::INT32, ref::eyeLike(4, 6, 6)}}, kExact,
                [](onnx::NodeProto &node) { setInt(node, "k", 6); });
}

TEST_F(QuantNumericsTest, OneHotAxesAndNegativeIndices) {
  int64_t depth = 5;
  // Indices in [-depth - 1, depth]: the extremes are out of range and give
  // all-off rows; negative ones count from the end.
  ref::Values indices = randomIntegers({2, 3}, -depth - 1, depth);
  ref::Values values = tensor1D({-1.5, 4.25});
  for (int64_t axis : {-1, 0, 1}) {
    int64_t position = axis < 0 ? axis + 3 : axis;
    expectOutputs("OneHot",
                  {runtime(TensorProto::INT64, indices),
                   constant(TensorProto::INT64, scalar(depth)),
                   runtime(TensorProto::FLOAT, values)},
                  {{TensorProto::FLOAT,
                    ref::oneHot(indices, depth, position, -1.5, 4.25)}},
                  kExact,
                  [&](onnx::NodeProto &node) { setInt(node, "axis", axis); });
  }
}

TEST_F(QuantNumericsTest, OneHotFloatIndicesAndRunTimeDepth) {
  // Float indices truncate; the depth is a graph input, whose value the
  // converter takes from the output shape the model declares.
  ref::Values indices = tensor1D({2.7, -1.2, 0.0, 3.9, -4.0, 4.0});
  ref::Values values = tensor1D({0, 9});
  expectOutputs("OneHot",
                {runtime(TensorProto::FLOAT, indices),
                 runtime(TensorProto::FLOAT, scalar(4)),
                 runtime(TensorProto::INT32, values)},
                {{TensorProto::INT32, ref::oneHot(indices, 4, 0, 0, 9)}},
                kExact, [](onnx::NodeProto &node) { setInt(node, "axis", 0); });
}

TEST_F(QuantNumericsTest, ReverseSequenceBothLayouts) {
  // Time-major [T, B, ...] with lengths up to T; then batch-major [B, T, ...]
  // with a zero length (nothing reversed).
  ref::Values timeMajor = randomFloats({5, 3, 2}, -1.0f, 1.0f);
  ref::Values lengths = tensor1D({5, 1, 3});
  expectOutputs(
      "ReverseSequence",
      {runtime(TensorProto::FLOAT, timeMajor),
       runtime(TensorProto::INT64, lengths)},
      {{TensorProto::FLOAT, ref::reverseSequence(timeMajor, lengths, 1, 0)}},
      kExact);
  ref::Values batchMajor = randomFloats({3, 4, 2}, -1.0f, 1.0f);
  ref::Values batchLengths = tensor1D({4, 0, 2});
  expectOutputs("ReverseSequence",
                {runtime(TensorProto::FLOAT, batchMajor),
                 runtime(TensorProto::INT64, batchLengths)},
                {{TensorProto::FLOAT,
                  ref::reverseSequence(batchMajor, batchLengths, 0, 1)}},
                kExact, [](onnx::NodeProto &node) {
                  setInt(node, "batch_axis", 0);
                  setInt(node, "time_axis", 1);
                });
}

//===--- Errors, not crashes
//-----------------------------------------------===//

TEST_F(QuantNumericsTest, BadModelsGiveErrors) {
  // A depth that is only known at run time, with a symbolic output dim.
  expectImportError("OneHot",
                    {runtime(TensorProto::INT64, tensor1D({1, 2})),
                     runtime(TensorProto::INT64, scalar(4)),
                     runtime(TensorProto::FLOAT, tensor1D({0, 1}))},
                    {{TensorProto::FLOAT, {2, -1}}}, "OneHot needs its depth");
  // ConvInteger's x_zero_point holds one value.
  expectImportError(
      "ConvInteger",
      {runtime(TensorProto::UINT8, randomIntegers({1, 2, 3, 3}, 0, 9)),
       runtime(TensorProto::UINT8, randomIntegers({1, 2, 2, 2}, 0, 9)),
       runtime(TensorProto::UINT8, tensor1D({1, 2}))},
      {{TensorProto::INT32, {1, 1, 2, 2}}},
      "x_zero_point must hold a single value");
  // A 2-D scale.
  expectImportError("QuantizeLinear",
                    {runtime(TensorProto::FLOAT, randomFloats({2, 2}, 0, 1)),
                     runtime(TensorProto::FLOAT, randomFloats({2, 2}, 1, 2)),
                     runtime(TensorProto::UINT8, scalar(0))},
                    {{TensorProto::UINT8, {2, 2}}},
                    "y_scale must be a scalar or a 1-D tensor");
  // OneHot's values must be [off, on].
  expectImportError("OneHot",
                    {runtime(TensorProto::INT64, tensor1D({1, 2})),
                     constant(TensorProto::INT64, scalar(4)),
                     runtime(TensorProto::FLOAT, tensor1D({0, 1, 2}))},
                    {{TensorProto::FLOAT, {2, 4}}},
                    "values must be [off_value, on_value]");
}

} // namespace
