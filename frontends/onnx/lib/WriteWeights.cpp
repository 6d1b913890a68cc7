//===- WriteWeights.cpp - An ONNX model with new initializer values -------===//

#include "kiln/Frontends/ONNX/WriteWeights.h"

#include "ModelLoader.h"

#include "onnx/checker.h"

#include <cstring>
#include <optional>

namespace kiln::onnx_import {
namespace {

/// The dims of the float tensor a main-graph Identity (of an initializer) or
/// Constant node `node` produces, or nothing.
std::optional<std::vector<int64_t>> producedDims(const onnx::GraphProto &graph,
                                                 const onnx::NodeProto &node) {
  const onnx::TensorProto *tensor = nullptr;
  if (node.op_type() == "Identity" && node.input_size() == 1) {
    for (const onnx::TensorProto &initializer : graph.initializer())
      if (initializer.name() == node.input(0))
        tensor = &initializer;
  } else if (node.op_type() == "Constant") {
    for (const onnx::AttributeProto &attribute : node.attribute())
      if (attribute.name() == "value" && attribute.has_t())
        tensor = &attribute.t();
  }
  if (!tensor || tensor->data_type() != onnx::TensorProto::FLOAT)
    return std::nullopt;
  return std::vector<int64_t>(tensor->dims().begin(), tensor->dims().end());
}

/// Writes `values` as the value called `name` that a main-graph Identity or
/// Constant node produces (exporters alias equal initializers so, e.g. a
/// fresh running_var and its layer's weight): the node gives way to an
/// initializer of that name.
llvm::Error replaceProducer(onnx::GraphProto &graph, const std::string &name,
                            const std::vector<float> &values) {
  auto *nodes = graph.mutable_node();
  for (int i = 0; i < nodes->size(); ++i) {
    const onnx::NodeProto &node = nodes->Get(i);
    if (node.output_size() != 1 || node.output(0) != name)
      continue;
    auto dims = producedDims(graph, node);
    int64_t count = 1;
    for (int64_t dim : dims ? *dims : std::vector<int64_t>{})
      count *= dim;
    if (!dims || count != static_cast<int64_t>(values.size()))
      break;
    onnx::TensorProto *initializer = graph.add_initializer();
    initializer->set_name(name);
    initializer->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : *dims)
      initializer->add_dims(dim);
    std::string raw(values.size() * sizeof(float), '\0');
    std::memcpy(raw.data(), values.data(), raw.size());
    initializer->set_raw_data(std::move(raw));
    nodes->DeleteSubrange(i, 1);
    return llvm::Error::success();
  }
  return llvm::createStringError("no float initializer '" + name +
                                 "' to write (nor an Identity or Constant "
                                 "node of " +
                                 llvm::Twine(values.size()) +
                                 " floats producing it)");
}

} // namespace

llvm::Expected<std::string>
replaceInitializers(llvm::StringRef modelPath,
                    const std::map<std::string, std::vector<float>> &weights) {
  auto model = readModelWithData(modelPath);
  if (!model)
    return model.takeError();
  std::map<std::string, bool> written;
  for (onnx::TensorProto &initializer :
       *model->mutable_graph()->mutable_initializer()) {
    auto found = weights.find(initializer.name());
    if (found == weights.end())
      continue;
    int64_t count = 1;
    for (int64_t dim : initializer.dims())
      count *= dim;
    if (initializer.data_type() != onnx::TensorProto::FLOAT ||
        count != static_cast<int64_t>(found->second.size()))
      return llvm::createStringError(
          "'" + modelPath + "': initializer '" + initializer.name() +
          "' is not a float32 tensor of " + llvm::Twine(found->second.size()) +
          " elements");
    // Little-endian float32, as ONNX's raw_data is.
    std::string raw(found->second.size() * sizeof(float), '\0');
    std::memcpy(raw.data(), found->second.data(), raw.size());
    initializer.clear_float_data();
    initializer.clear_external_data();
    initializer.clear_data_location();
    initializer.set_raw_data(std::move(raw));
    written[initializer.name()] = true;
  }
  for (const auto &[name, values] : weights)
    if (!written.count(name))
      if (llvm::Error error =
              replaceProducer(*model->mutable_graph(), name, values))
        return llvm::createStringError("'" + modelPath + "': " +
                                       llvm::toString(std::move(error)));
  try {
    onnx::checker::check_model(*model);
  } catch (const std::exception &error) {
    return llvm::createStringError(
        "the trained model fails the ONNX checker: " +
        std::string(error.what()));
  }
  std::string bytes;
  if (!model->SerializeToString(&bytes))
    return llvm::createStringError("cannot serialize the trained model");
  return bytes;
}

} // namespace kiln::onnx_import
