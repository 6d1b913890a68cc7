//===- ConformanceCase.cpp - Running one ONNX backend test case -----------===//

#include "ConformanceCase.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/Frontends/ONNX/Import.h"
#include "kiln/Frontends/ONNX/TensorData.h"

#include "onnx/onnx-data_pb.h"
#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <set>
#include <variant>

namespace kiln::conformance {

using onnx_import::TensorData;

namespace {

/// Cases compared with another tolerance, each with the reason.
struct ToleranceOverride {
  const char *caseName;
  Tolerance tolerance;
  const char *reason;
};

// ONNX 1.12's data for casts to bfloat16 truncates the float32 bits; Kiln
// rounds to nearest even, as PyTorch and ONNX 1.14's reference do. The two
// differ by at most one bfloat16 ulp, 2^-7 relative.
constexpr Tolerance kBfloat16Ulp{7.9e-3, 1e-7};
const char *const kBfloat16Rounding =
    "ONNX 1.12 truncates to bfloat16; Kiln rounds to nearest even";

const ToleranceOverride kToleranceOverrides[] = {
    {"test_cast_FLOAT_to_BFLOAT16", kBfloat16Ulp, kBfloat16Rounding},
    {"test_castlike_FLOAT_to_BFLOAT16", kBfloat16Ulp, kBfloat16Rounding},
    {"test_castlike_FLOAT_to_BFLOAT16_expanded", kBfloat16Ulp,
     kBfloat16Rounding},
    {nullptr, {}, nullptr},
};

Tolerance toleranceFor(llvm::StringRef caseName, Tolerance fallback) {
  for (const ToleranceOverride &entry : kToleranceOverrides)
    if (entry.caseName && caseName == entry.caseName)
      return entry.tolerance;
  return fallback;
}

std::string firstLine(const std::string &text) {
  return llvm::StringRef(text).split('\n').first.str();
}

/// The op types of a model and its subgraphs, read straight from the file.
std::vector<std::string> modelOps(const std::string &modelPath) {
  std::set<std::string> ops;
  auto buffer = llvm::MemoryBuffer::getFile(modelPath);
  onnx::ModelProto model;
  if (!buffer ||
      !model.ParseFromArray((*buffer)->getBufferStart(),
                            static_cast<int>((*buffer)->getBufferSize())))
    return {};
  std::function<void(const onnx::GraphProto &)> walk =
      [&](const onnx::GraphProto &graph) {
        for (const auto &node : graph.node()) {
          ops.insert((node.domain().empty() || node.domain() == "ai.onnx"
                          ? ""
                          : node.domain() + ".") +
                     node.op_type());
          for (const auto &attribute : node.attribute()) {
            if (attribute.has_g())
              walk(attribute.g());
            for (const auto &subgraph : attribute.graphs())
              walk(subgraph);
          }
        }
      };
  walk(model.graph());
  return std::vector<std::string>(ops.begin(), ops.end());
}

/// The numbered files `<prefix>_<i>.pb` of a data set, in order.
std::vector<std::string> numberedFiles(const std::string &directory,
                                       llvm::StringRef prefix) {
  std::vector<std::string> files;
  for (int i = 0;; ++i) {
    std::string path =
        directory + "/" + prefix.str() + "_" + std::to_string(i) + ".pb";
    if (!llvm::sys::fs::exists(path))
      return files;
    files.push_back(path);
  }
}

double elementAsDouble(kiln_dtype dtype, const uint8_t *data, int64_t i) {
  switch (dtype) {
  case KILN_DTYPE_F32: {
    float v;
    std::memcpy(&v, data + 4 * i, 4);
    return v;
  }
  case KILN_DTYPE_F64: {
    double v;
    std::memcpy(&v, data + 8 * i, 8);
    return v;
  }
  case KILN_DTYPE_F16: {
    uint16_t bits;
    std::memcpy(&bits, data + 2 * i, 2);
    uint32_t sign = (bits & 0x8000u) << 16, exponent = (bits >> 10) & 0x1f,
             mantissa = bits & 0x3ff;
    if (exponent == 0x1f)
      return mantissa ? NAN : (sign ? -INFINITY : INFINITY);
    double value = exponent
                       ? std::ldexp(1.0 + mantissa / 1024.0, int(exponent) - 15)
                       : std::ldexp(mantissa / 1024.0, -14);
    return sign ? -value : value;
  }
  case KILN_DTYPE_BF16: {
    uint16_t bits;
    std::memcpy(&bits, data + 2 * i, 2);
    uint32_t widened = uint32_t(bits) << 16;
    float v;
    std::memcpy(&v, &widened, 4);
    return v;
  }
  default:
    return 0;
  }
}

bool isFloat(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64 ||
         dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

/// An empty string when `actual` matches `expected`, else what differs.
std::string compare(const rt::Tensor &actual, const TensorData &expected,
                    Tolerance tolerance) {
  if (actual.dtype() != expected.dtype)
    return std::string("dtype ") + kiln_dtype_name(actual.dtype()) +
           ", expected " + kiln_dtype_name(expected.dtype);
  if (actual.shape() != expected.shape)
    return "shape " + shapeText(actual.shape()) + ", expected " +
           shapeText(expected.shape);
  int64_t count = expected.elementCount();
  if (expected.dtype == KILN_DTYPE_STRING) {
    for (int64_t i = 0; i < count; ++i)
      if (expected.strings[i] != actual.string(i))
        return "element " + std::to_string(i) + " is \"" + actual.string(i) +
               "\", expected \"" + expected.strings[i] +
               "\" (exact comparison)";
    return "";
  }
  const auto *got =
      static_cast<const uint8_t *>(kiln_tensor_const_data(actual.get()));
  if (!isFloat(expected.dtype)) {
    size_t size = kiln_dtype_size(expected.dtype);
    for (int64_t i = 0; i < count; ++i)
      if (std::memcmp(got + i * size, expected.bytes.data() + i * size, size) !=
          0)
        return "element " + std::to_string(i) + " differs (exact comparison)";
    return "";
  }
  int64_t worst = -1, mismatches = 0;
  double worstError = 0, worstGot = 0, worstWant = 0;
  for (int64_t i = 0; i < count; ++i) {
    double a = elementAsDouble(expected.dtype, got, i);
    double e = elementAsDouble(expected.dtype, expected.bytes.data(), i);
    if (std::isnan(a) && std::isnan(e))
      continue;
    if (std::isinf(e) && a == e)
      continue;
    double error = std::fabs(a - e);
    if (error <= tolerance.atol + tolerance.rtol * std::fabs(e))
      continue;
    ++mismatches;
    if (worst < 0 || !(error <= worstError)) {
      worst = i;
      worstError = error;
      worstGot = a;
      worstWant = e;
    }
  }
  if (mismatches == 0)
    return "";
  std::string text;
  llvm::raw_string_ostream(text)
      << mismatches << " of " << count << " elements differ; largest error "
      << llvm::format("%.3g", worstError) << " at element " << worst << " (got "
      << llvm::format("%.6g", worstGot) << ", expected "
      << llvm::format("%.6g", worstWant) << ")";
  return text;
}

/// The value of one test data file, flattened as Kiln compiles it: one tensor
/// for a tensor, one per element for a sequence, none for an empty optional.
struct DataValue {
  enum Kind { Tensor, Sequence, EmptyOptional };
  Kind kind = Tensor;
  std::vector<TensorData> tensors;
};

/// Reads the protobuf message of type `Message` in `path`.
template <typename Message>
llvm::Error readMessage(const std::string &path, Message &message) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read '" + path + "'");
  if ((*buffer)->getBufferSize() > static_cast<size_t>(INT32_MAX) ||
      !message.ParseFromArray((*buffer)->getBufferStart(),
                              static_cast<int>((*buffer)->getBufferSize())))
    return llvm::createStringError("'" + path + "' is not a serialized " +
                                   message.GetTypeName());
  return llvm::Error::success();
}

/// The tensors of a sequence of tensors.
llvm::Error readSequence(const onnx::SequenceProto &sequence,
                         const std::string &path, DataValue &value) {
  if (sequence.elem_type() != onnx::SequenceProto::TENSOR)
    return llvm::createStringError("'" + path +
                                   "' holds a sequence of non-tensors");
  value.kind = DataValue::Sequence;
  for (const onnx::TensorProto &tensor : sequence.tensor_values()) {
    auto data = onnx_import::readTensorProto(tensor, /*modelDirectory=*/"");
    if (!data)
      return data.takeError();
    value.tensors.push_back(std::move(*data));
  }
  return llvm::Error::success();
}

/// Reads the test data file `path` of a graph input or output of ONNX type
/// `type`: a TensorProto, a SequenceProto of tensors, or an OptionalProto
/// holding nothing, a tensor or such a sequence.
llvm::Expected<DataValue> readDataValue(const std::string &path,
                                        const onnx::TypeProto &type) {
  DataValue value;
  if (type.has_sequence_type()) {
    onnx::SequenceProto sequence;
    if (llvm::Error error = readMessage(path, sequence))
      return std::move(error);
    if (llvm::Error error = readSequence(sequence, path, value))
      return std::move(error);
    return value;
  }
  if (type.has_optional_type()) {
    onnx::OptionalProto optional;
    if (llvm::Error error = readMessage(path, optional))
      return std::move(error);
    switch (optional.elem_type()) {
    case onnx::OptionalProto::UNDEFINED:
      value.kind = DataValue::EmptyOptional;
      return value;
    case onnx::OptionalProto::TENSOR: {
      auto data = onnx_import::readTensorProto(optional.tensor_value(), "");
      if (!data)
        return data.takeError();
      value.tensors.push_back(std::move(*data));
      return value;
    }
    case onnx::OptionalProto::SEQUENCE:
      if (llvm::Error error =
              readSequence(optional.sequence_value(), path, value))
        return std::move(error);
      return value;
    default:
      return llvm::createStringError("'" + path +
                                     "' holds an optional of a map or a "
                                     "sparse tensor");
    }
  }
  if (!type.has_tensor_type())
    return llvm::createStringError("'" + path + "' holds a map");
  auto data = onnx_import::readTensorProtoFile(path);
  if (!data)
    return data.takeError();
  value.tensors.push_back(std::move(*data));
  return value;
}

/// The graph inputs fed at run time (not initializers) and the outputs of
/// the model at `modelPath`, with their ONNX types.
struct GraphSignature {
  std::vector<onnx::ValueInfoProto> inputs, outputs;
};
llvm::Expected<GraphSignature> readSignature(const std::string &modelPath) {
  onnx::ModelProto model;
  if (llvm::Error error = readMessage(modelPath, model))
    return std::move(error);
  std::set<std::string> initializers;
  for (const auto &initializer : model.graph().initializer())
    initializers.insert(initializer.name());
  GraphSignature signature;
  for (const auto &input : model.graph().input())
    if (!initializers.count(input.name()))
      signature.inputs.push_back(input);
  signature.outputs.assign(model.graph().output().begin(),
                           model.graph().output().end());
  return signature;
}

/// What the importer must be told to compile for these input values: the
/// element shapes of sequences and which optionals are empty.
driver::ImportOptions importOptionsFor(const GraphSignature &signature,
                                       const std::vector<DataValue> &inputs) {
  driver::ImportOptions options;
  for (auto [info, value] : llvm::zip(signature.inputs, inputs)) {
    if (value.kind == DataValue::EmptyOptional) {
      options.emptyOptionalInputs.push_back(info.name());
      continue;
    }
    if (value.kind != DataValue::Sequence)
      continue;
    std::vector<std::vector<int64_t>> shapes;
    for (const TensorData &element : value.tensors)
      shapes.push_back(element.shape);
    options.sequenceInputs.emplace_back(info.name(), std::move(shapes));
  }
  return options;
}

/// A key for import options, to compile again only when they change.
std::string optionsKey(const driver::ImportOptions &options) {
  std::string key;
  for (const auto &[name, shapes] : options.sequenceInputs) {
    key += name + "=";
    for (const auto &shape : shapes)
      key += shapeText(shape);
    key += ";";
  }
  for (const std::string &name : options.emptyOptionalInputs)
    key += name + "=none;";
  return key;
}

CaseResult unsupported(std::string message, std::vector<std::string> ops) {
  return {CaseStatus::Unsupported, firstLine(message), std::move(ops)};
}

CaseResult fail(std::string message, std::vector<std::string> ops) {
  return {CaseStatus::Fail, firstLine(message), std::move(ops)};
}

/// Imports and JIT-compiles the model with `options`; an unsupported model
/// gives an Unsupported result, any other error a Fail.
std::variant<rt::Module, CaseResult>
compileCase(driver::Compiler &compiler, const std::string &modelPath,
            const driver::ImportOptions &options,
            const std::vector<std::string> &ops,
            const std::string &cpuKernels) {
  auto module = compiler.loadModel(modelPath, options);
  if (!module) {
    std::string message;
    bool isUnsupported = false;
    llvm::handleAllErrors(
        module.takeError(),
        [&](const onnx_import::UnsupportedError &error) {
          isUnsupported = true;
          message = error.reason;
        },
        [&](const llvm::ErrorInfoBase &error) { message = error.message(); });
    // The model's path is in every message; drop it to keep the line short.
    llvm::StringRef text(message);
    text.consume_front("'" + modelPath + "': ");
    return isUnsupported ? unsupported(text.str(), ops)
                         : fail("import: " + text.str(), ops);
  }
  driver::CompileOptions compileOptions;
  compileOptions.cpuKernels = cpuKernels;
  auto loaded = compiler.compileToJit(**module, compileOptions);
  if (!loaded)
    return fail("compile: " + llvm::toString(loaded.takeError()), ops);
  return std::move(*loaded);
}

/// Reads the files `<prefix>_<i>.pb` of a data set as the values of
/// `infos` (graph inputs or outputs, in order).
llvm::Expected<std::vector<DataValue>>
readDataValues(const std::string &dataSet, llvm::StringRef prefix,
               const std::vector<onnx::ValueInfoProto> &infos) {
  std::vector<std::string> files = numberedFiles(dataSet, prefix);
  if (files.size() != infos.size())
    return llvm::createStringError(
        llvm::sys::path::filename(dataSet) + " has " +
        llvm::Twine(files.size()) + " " + prefix + " files but the model has " +
        llvm::Twine(infos.size()) + " " + prefix + "s");
  std::vector<DataValue> values;
  for (auto [file, info] : llvm::zip(files, infos)) {
    auto value = readDataValue(file, info.type());
    if (!value)
      return value.takeError();
    values.push_back(std::move(*value));
  }
  return values;
}

/// What the function returned for one graph output, decoded as the test data
/// is read: the tensors (the elements of a sequence), and for an optional
/// decided at run time whether it holds them.
struct ReturnedValue {
  std::optional<bool> present;
  std::vector<rt::Tensor> tensors;
};

/// Whether function output `output` holds (part of) graph output `name`:
/// "name", "name[i]" or the run-time forms of runtime.h.
bool belongsTo(llvm::StringRef output, llvm::StringRef name) {
  if (!output.consume_front(name))
    return false;
  return output.empty() || output.starts_with("[") || output == ".has_value" ||
         output == ".values" || output == ".index";
}

/// Groups the function's outputs by graph output and decodes sequences and
/// optionals that the model decided at run time.
llvm::Expected<std::vector<ReturnedValue>>
decodeOutputs(const std::vector<rt::ValueInfo> &infos,
              std::vector<rt::Tensor> &outputs,
              const std::vector<onnx::ValueInfoProto> &graphOutputs) {
  std::vector<ReturnedValue> returned;
  size_t next = 0;
  for (const onnx::ValueInfoProto &graphOutput : graphOutputs) {
    const std::string &name = graphOutput.name();
    ReturnedValue value;
    rt::Tensor *sequenceValues = nullptr;
    for (; next < outputs.size() && belongsTo(infos[next].name, name); ++next) {
      llvm::StringRef suffix =
          llvm::StringRef(infos[next].name).substr(name.size());
      if (suffix == ".has_value") {
        value.present = *outputs[next].data<bool>();
      } else if (suffix == ".values") {
        sequenceValues = &outputs[next];
      } else if (suffix == ".index") {
        if (!sequenceValues)
          return llvm::createStringError("output '" + infos[next].name +
                                         "' does not follow its values");
        value.tensors = rt::sequenceElements(*sequenceValues, outputs[next]);
      } else {
        value.tensors.push_back(std::move(outputs[next]));
      }
    }
    if (value.present == false)
      value.tensors.clear(); // placeholders
    returned.push_back(std::move(value));
  }
  if (next != outputs.size())
    return llvm::createStringError("function output '" + infos[next].name +
                                   "' belongs to no graph output");
  return returned;
}

} // namespace

CaseResult runCase(const std::string &directory, Tolerance defaultTolerance,
                   const std::string &cpuKernels) {
  std::string modelPath = directory + "/model.onnx";
  std::vector<std::string> ops = modelOps(modelPath);
  std::string caseName = llvm::sys::path::filename(directory).str();

  auto signature = readSignature(modelPath);
  if (!signature)
    return fail("import: " + llvm::toString(signature.takeError()), ops);
  std::vector<std::string> dataSets;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(directory, error), end;
       it != end && !error; it.increment(error))
    if (llvm::StringRef(llvm::sys::path::filename(it->path()))
            .starts_with("test_data_set_"))
      dataSets.push_back(it->path());
  std::sort(dataSets.begin(), dataSets.end());

  driver::Compiler compiler;
  // Sequences and optionals are resolved when compiling, so the compiled
  // function depends on each data set's sequence lengths and shapes and on
  // which optionals are empty: compile again when they change.
  std::optional<rt::Module> loaded;
  std::string loadedKey;
  auto compileFor =
      [&](const driver::ImportOptions &options) -> std::optional<CaseResult> {
    std::string key = optionsKey(options);
    if (loaded && key == loadedKey)
      return std::nullopt;
    auto compiled = compileCase(compiler, modelPath, options, ops, cpuKernels);
    if (auto *result = std::get_if<CaseResult>(&compiled))
      return *result;
    loaded.emplace(std::move(std::get<rt::Module>(compiled)));
    loadedKey = key;
    return std::nullopt;
  };
  if (dataSets.empty()) {
    // Still report whether the model imports.
    if (auto result = compileFor({}))
      return *result;
    return fail("no test_data_set_* folders", ops);
  }

  try {
    for (const std::string &dataSet : dataSets) {
      std::string setName = llvm::sys::path::filename(dataSet).str();
      auto inputValues = readDataValues(dataSet, "input", signature->inputs);
      if (!inputValues) {
        // Data Kiln cannot read (strings, maps): the model's own import
        // error says more, if it has one.
        std::string reason = llvm::toString(inputValues.takeError());
        if (auto result = compileFor({}))
          return *result;
        return unsupported("inputs that Kiln cannot read (" + reason + ")",
                           ops);
      }
      if (auto result = compileFor(importOptionsFor(*signature, *inputValues)))
        return *result;
      rt::Function function = loaded->functions().at(0);
      std::vector<TensorData> inputData;
      for (DataValue &value : *inputValues)
        for (TensorData &tensor : value.tensors)
          inputData.push_back(std::move(tensor));
      if (inputData.size() != function.inputs().size())
        return fail(setName + " has " + std::to_string(inputData.size()) +
                        " input tensors but the compiled function takes " +
                        std::to_string(function.inputs().size()),
                    ops);
      // ONNX 1.12's test data stores bfloat16 tensors as their uint16 bits.
      for (auto [data, info] : llvm::zip(inputData, function.inputs()))
        if (data.dtype == KILN_DTYPE_U16 && info.dtype == KILN_DTYPE_BF16)
          data.dtype = KILN_DTYPE_BF16;
      std::vector<rt::Tensor> inputs;
      std::vector<const rt::Tensor *> pointers;
      for (TensorData &data : inputData) {
        if (data.dtype != KILN_DTYPE_STRING) {
          inputs.push_back(rt::Tensor::wrap(
              data.dtype, data.shape, data.bytes.data(), data.bytes.size()));
          continue;
        }
        // String tensors own copies of the strings.
        inputs.push_back(rt::Tensor::create(data.dtype, data.shape));
        for (size_t i = 0; i < data.strings.size(); ++i)
          inputs.back().setString(static_cast<int64_t>(i), data.strings[i]);
      }
      for (const rt::Tensor &input : inputs)
        pointers.push_back(&input);
      std::vector<rt::Tensor> outputs = function.run(pointers);

      auto expectedValues =
          readDataValues(dataSet, "output", signature->outputs);
      if (!expectedValues)
        return unsupported("expected outputs that Kiln cannot read (" +
                               llvm::toString(expectedValues.takeError()) + ")",
                           ops);
      auto returned =
          decodeOutputs(function.outputs(), outputs, signature->outputs);
      if (!returned)
        return fail(setName + ": " + llvm::toString(returned.takeError()), ops);
      for (size_t k = 0; k < returned->size(); ++k) {
        ReturnedValue &got = (*returned)[k];
        DataValue &want = (*expectedValues)[k];
        std::string which = setName + " output " + std::to_string(k);
        bool wantPresent = want.kind != DataValue::EmptyOptional;
        if (got.present && *got.present != wantPresent)
          return fail(which + ": the optional " +
                          (wantPresent ? "is empty but should hold a value"
                                       : "holds a value but should be empty"),
                      ops);
        if (got.tensors.size() != want.tensors.size())
          return fail(which + " has " + std::to_string(got.tensors.size()) +
                          " tensors but " +
                          std::to_string(want.tensors.size()) + " are expected",
                      ops);
        for (size_t i = 0; i < got.tensors.size(); ++i) {
          TensorData &expected = want.tensors[i];
          if (expected.dtype == KILN_DTYPE_U16 &&
              got.tensors[i].dtype() == KILN_DTYPE_BF16)
            expected.dtype = KILN_DTYPE_BF16; // bfloat16 bits, as for inputs
          std::string difference =
              compare(got.tensors[i], expected,
                      toleranceFor(caseName, defaultTolerance));
          if (!difference.empty())
            return fail(which +
                            (got.tensors.size() > 1
                                 ? " element " + std::to_string(i)
                                 : std::string()) +
                            ": " + difference,
                        ops);
        }
      }
    }
  } catch (const rt::Error &error) {
    return fail(std::string("run: ") + error.what(), ops);
  }
  return {CaseStatus::Pass, "", ops};
}

std::string serializeResult(const CaseResult &result) {
  std::string message = result.message;
  std::replace(message.begin(), message.end(), '\t', ' ');
  std::replace(message.begin(), message.end(), '\n', ' ');
  return std::to_string(static_cast<int>(result.status)) + "\t" + message +
         "\t" + llvm::join(result.ops, ",") + "\n";
}

CaseResult parseResult(const std::string &text) {
  llvm::SmallVector<llvm::StringRef> fields;
  llvm::StringRef(text).trim('\n').split(fields, '\t');
  if (fields.size() != 3)
    return {CaseStatus::Fail, "the case's process ended without a result", {}};
  CaseResult result;
  int status = 1;
  fields[0].getAsInteger(10, status);
  result.status = static_cast<CaseStatus>(status);
  result.message = fields[1].str();
  llvm::SmallVector<llvm::StringRef> ops;
  fields[2].split(ops, ',', -1, false);
  for (llvm::StringRef op : ops)
    result.ops.push_back(op.str());
  return result;
}

} // namespace kiln::conformance
