//===- ModelLoader.cpp - Reading, checking and normalizing ONNX models ----===//
//
// Everything here uses the ONNX library itself: its checker, its version
// converter, its function definitions (to expand ops Kiln has no converter for
// into the ops they are defined as), and its shape inference with data
// propagation. The ONNX library reports problems by throwing; they become
// llvm::Error here.
//
//===----------------------------------------------------------------------===//

#include "ModelLoader.h"

#include "Scan8.h"

#include "kiln/Frontends/ONNX/Import.h"
#include "kiln/Frontends/ONNX/TensorData.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <map>

namespace kiln::onnx_import {

/// Protobuf cannot parse messages of 2 GiB or more; larger weights must be
/// external.
static constexpr uint64_t kMaxModelBytes = (uint64_t(1) << 31) - 1;

static llvm::Error parseModel(llvm::StringRef path, onnx::ModelProto &model) {
  uint64_t size = 0;
  if (std::error_code error = llvm::sys::fs::file_size(path, size))
    return llvm::createStringError(error, "cannot read '" + path +
                                              "': " + error.message());
  if (size > kMaxModelBytes)
    return llvm::createStringError(
        "'" + path + "' is " + llvm::Twine(size) +
        " bytes; ONNX files are limited to 2 GiB (store "
        "large weights as external data)");
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
      static_cast<int>((*buffer)->getBufferSize()));
  stream.SetTotalBytesLimit(static_cast<int>(kMaxModelBytes));
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return llvm::createStringError(
        "'" + path +
        "' is not a valid ONNX model: it does not parse as an "
        "ONNX ModelProto (truncated, or not an ONNX file)");
  if (!model.has_graph() || model.opset_import_size() == 0)
    return llvm::createStringError(
        "'" + path +
        "' is not a valid ONNX model: it has no graph or no "
        "opset_import (is it an ONNX file?)");
  return llvm::Error::success();
}

static int64_t defaultDomainOpset(const onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return -1;
}

/// The types of the graph's inputs and outputs that are not tensors
/// (sequences, optionals, maps), by name.
static std::map<std::string, onnx::TypeProto>
nonTensorSignatureTypes(const onnx::GraphProto &graph) {
  std::map<std::string, onnx::TypeProto> types;
  for (const auto *list : {&graph.input(), &graph.output()})
    for (const auto &value : *list)
      if (value.has_type() && !value.type().has_tensor_type())
        types[value.name()] = value.type();
  return types;
}

/// Gives graph inputs and outputs back the non-tensor `types` that ONNX 1.12's
/// version converter drops (its IR only knows tensors).
static void
restoreSignatureTypes(onnx::GraphProto &graph,
                      const std::map<std::string, onnx::TypeProto> &types) {
  for (auto *list : {graph.mutable_input(), graph.mutable_output()})
    for (auto &value : *list) {
      auto found = types.find(value.name());
      if (found != types.end() && !value.type().has_tensor_type())
        *value.mutable_type() = found->second;
    }
}

static llvm::Error convertOpset(onnx::ModelProto &model, llvm::StringRef path) {
  int64_t opset = defaultDomainOpset(model);
  if (opset > kTargetOpset)
    return llvm::createStringError(
        "'" + path + "' uses opset " + llvm::Twine(opset) +
        "; Kiln's ONNX library supports opsets up to " +
        llvm::Twine(kTargetOpset));
  if (opset < 0 || opset == kTargetOpset)
    return llvm::Error::success();
  // ONNX's Scan 8-to-9 adapter changes what the model computes.
  if (llvm::Error error = upgradeScan8(model, path))
    return error;
  std::map<std::string, onnx::TypeProto> nonTensorTypes =
      nonTensorSignatureTypes(model.graph());
  try {
    model = onnx::version_conversion::ConvertVersion(model, kTargetOpset);
    restoreSignatureTypes(*model.mutable_graph(), nonTensorTypes);
  } catch (const std::exception &error) {
    return llvm::createStringError("'" + path +
                                   "': the ONNX version converter could not "
                                   "convert opset " +
                                   llvm::Twine(opset) + " to " +
                                   llvm::Twine(kTargetOpset) + ": " +
                                   error.what());
  }
  return llvm::Error::success();
}

namespace {

/// Replaces nodes that Kiln has no converter for, but that ONNX defines as a
/// function of other ops, by that function's body.
class FunctionExpander {
public:
  FunctionExpander(const onnx::ModelProto &model,
                   const HasConverterFn &hasConverter)
      : hasConverter(hasConverter) {
    for (const auto &opset : model.opset_import())
      opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] =
          static_cast<int>(opset.version());
    collectTypes(model.graph());
  }

  /// Expands one level of functions everywhere; returns whether anything
  /// changed.
  bool expand(onnx::GraphProto &graph) {
    bool changed = false;
    onnx::GraphProto rebuilt;
    for (onnx::NodeProto &node : *graph.mutable_node()) {
      for (auto &attribute : *node.mutable_attribute()) {
        if (attribute.has_g())
          changed |= expand(*attribute.mutable_g());
        for (auto &subgraph : *attribute.mutable_graphs())
          changed |= expand(subgraph);
      }
      if (expandNode(node, rebuilt)) {
        changed = true;
        continue;
      }
      *rebuilt.add_node() = node;
    }
    if (changed)
      graph.mutable_node()->Swap(rebuilt.mutable_node());
    return changed;
  }

private:
  void collectTypes(const onnx::GraphProto &graph) {
    for (const auto *list :
         {&graph.input(), &graph.output(), &graph.value_info()})
      for (const auto &value : *list)
        types[value.name()] = value.type();
    for (const auto &initializer : graph.initializer()) {
      onnx::TypeProto type;
      auto *tensor = type.mutable_tensor_type();
      tensor->set_elem_type(initializer.data_type());
      for (int64_t dim : initializer.dims())
        tensor->mutable_shape()->add_dim()->set_dim_value(dim);
      types[initializer.name()] = type;
    }
  }

  bool expandNode(const onnx::NodeProto &node, onnx::GraphProto &into) {
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    if (hasConverter(domain, node.op_type()))
      return false;
    auto opset = opsets.find(domain);
    if (opset == opsets.end())
      return false;
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), opset->second, domain);
    if (!schema)
      return false;
    onnx::FunctionProto function;
    if (schema->HasFunction() && schema->GetFunction()) {
      function = *schema->GetFunction();
    } else if (schema->HasContextDependentFunction()) {
      // Context-dependent bodies read their inputs' element types; without them
      // the ONNX library dereferences missing data, so do not try.
      std::vector<onnx::TypeProto> inputTypes;
      for (const std::string &input : node.input()) {
        auto type = types.find(input);
        if (input.empty()) {
          inputTypes.emplace_back();
          continue;
        }
        if (type == types.end() || !type->second.has_tensor_type() ||
            type->second.tensor_type().elem_type() == 0)
          return false;
        inputTypes.push_back(type->second);
      }
      onnx::FunctionBodyBuildContextImpl context(node, inputTypes);
      try {
        if (!schema->BuildContextDependentFunction(context, function))
          return false;
      } catch (const std::exception &) {
        return false; // the body needs type information we do not have
      }
    } else {
      return false;
    }
    return inlineFunction(node, function, *schema, into);
  }

  /// Appends `function`'s body to `into`, wired to `node`'s inputs, outputs and
  /// attributes. (ONNX 1.12's FunctionExpandHelper crashes on nodes that omit
  /// optional outputs and on context-dependent bodies, so this does it itself.)
  bool inlineFunction(const onnx::NodeProto &node,
                      const onnx::FunctionProto &function,
                      const onnx::OpSchema &schema, onnx::GraphProto &into) {
    std::string prefix = "kiln_expanded_" + std::to_string(counter++) + "_";
    std::unordered_map<std::string, std::string> names;
    for (int i = 0; i < function.input_size(); ++i)
      names[function.input(i)] = i < node.input_size() ? node.input(i) : "";
    for (int i = 0; i < function.output_size(); ++i)
      names[function.output(i)] =
          i < node.output_size() && !node.output(i).empty()
              ? node.output(i)
              : prefix + function.output(i);
    auto rename = [&](const std::string &name) {
      if (name.empty())
        return name;
      auto found = names.find(name);
      return found != names.end() ? found->second : prefix + name;
    };
    std::unordered_map<std::string, const onnx::AttributeProto *> given;
    for (const auto &attribute : node.attribute())
      given[attribute.name()] = &attribute;

    onnx::GraphProto body;
    for (const onnx::NodeProto &bodyNode : function.node()) {
      onnx::NodeProto copy = bodyNode;
      for (auto &input : *copy.mutable_input())
        input = rename(input);
      for (auto &output : *copy.mutable_output())
        output = rename(output);
      if (!copy.name().empty())
        copy.set_name(prefix + copy.name());
      google::protobuf::RepeatedPtrField<onnx::AttributeProto> attributes;
      for (const auto &attribute : bodyNode.attribute()) {
        if (attribute.has_g() || attribute.graphs_size() > 0)
          return false; // subgraphs would need their outer names renamed too
        if (attribute.ref_attr_name().empty()) {
          *attributes.Add() = attribute;
          continue;
        }
        // A reference to the node's attribute, or to the schema's default.
        const onnx::AttributeProto *value = nullptr;
        if (auto found = given.find(attribute.ref_attr_name());
            found != given.end())
          value = found->second;
        else if (auto declared =
                     schema.attributes().find(attribute.ref_attr_name());
                 declared != schema.attributes().end() &&
                 declared->second.default_value.type() !=
                     onnx::AttributeProto::UNDEFINED)
          value = &declared->second.default_value;
        if (!value)
          continue; // not given and no default: the attribute is left out
        onnx::AttributeProto *resolved = attributes.Add();
        *resolved = *value;
        resolved->set_name(attribute.name());
      }
      copy.mutable_attribute()->Swap(&attributes);
      *body.add_node() = std::move(copy);
    }
    for (auto &bodyNode : *body.mutable_node())
      *into.add_node() = std::move(bodyNode);
    return true;
  }

  const HasConverterFn &hasConverter;
  std::unordered_map<std::string, int> opsets;
  std::unordered_map<std::string, onnx::TypeProto> types;
  int counter = 0;
};

} // namespace

/// Runs ONNX shape inference; strict (node errors are errors) unless `lenient`.
static llvm::Error inferShapes(LoadedModel &loaded, bool lenient) {
  // Lenient runs also skip type checks: old exporters wrote e.g. int64
  // Constants at opsets whose Constant allowed only floats, which the version
  // converter then makes valid.
  onnx::ShapeInferenceOptions options(/*check_type=*/!lenient,
                                      /*error_mode=*/lenient ? 0 : 1,
                                      /*enable_data_propagation=*/true);
  loaded.propagatedData.clear();
  try {
    onnx::shape_inference::InferShapes(loaded.model,
                                       onnx::OpSchemaRegistry::Instance(),
                                       options, &loaded.propagatedData);
  } catch (const std::exception &error) {
    return llvm::createStringError(
        "'" + loaded.path + "': ONNX shape inference failed: " + error.what());
  }
  return llvm::Error::success();
}

/// Loads every external tensor (initializers and tensor attributes, in
/// subgraphs too) into the model, with Kiln's checks: the ONNX 1.12 checker
/// would look the files up relative to the working directory and does not
/// confine them.
static llvm::Error internalizeAll(onnx::GraphProto &graph,
                                  llvm::StringRef directory) {
  for (auto &initializer : *graph.mutable_initializer())
    if (llvm::Error error = internalizeExternalData(initializer, directory))
      return error;
  for (auto &node : *graph.mutable_node())
    for (auto &attribute : *node.mutable_attribute()) {
      if (attribute.has_t())
        if (llvm::Error error =
                internalizeExternalData(*attribute.mutable_t(), directory))
          return error;
      for (auto &tensor : *attribute.mutable_tensors())
        if (llvm::Error error = internalizeExternalData(tensor, directory))
          return error;
      if (attribute.has_g())
        if (llvm::Error error =
                internalizeAll(*attribute.mutable_g(), directory))
          return error;
      for (auto &subgraph : *attribute.mutable_graphs())
        if (llvm::Error error = internalizeAll(subgraph, directory))
          return error;
    }
  return llvm::Error::success();
}

/// Rejects negative dims in the graph's declared inputs, outputs and value
/// infos before shape inference trips over them with a less clear message.
static llvm::Error checkDeclaredDims(const onnx::GraphProto &graph) {
  for (const auto *list :
       {&graph.input(), &graph.output(), &graph.value_info()})
    for (const auto &value : *list) {
      if (!value.type().has_tensor_type() ||
          !value.type().tensor_type().has_shape())
        continue;
      for (const auto &dim : value.type().tensor_type().shape().dim())
        if (dim.has_dim_value() && dim.dim_value() < 0)
          return llvm::createStringError("'" + value.name() +
                                         "' has a negative dimension (" +
                                         llvm::Twine(dim.dim_value()) + ")");
    }
  return llvm::Error::success();
}

llvm::Expected<onnx::ModelProto> readModelWithData(llvm::StringRef path) {
  onnx::ModelProto model;
  if (llvm::Error error = parseModel(path, model))
    return std::move(error);
  llvm::SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  if (llvm::Error error = internalizeAll(
          *model.mutable_graph(), directory.empty() ? "." : directory.str()))
    return llvm::createStringError("'" + path +
                                   "': " + llvm::toString(std::move(error)));
  return model;
}

llvm::Expected<std::unique_ptr<LoadedModel>>
loadModelFile(llvm::StringRef path, const HasConverterFn &hasConverter) {
  auto loaded = std::make_unique<LoadedModel>();
  loaded->path = path.str();
  llvm::SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  loaded->directory = directory.empty() ? "." : directory.str().str();

  if (llvm::Error error = parseModel(path, loaded->model))
    return std::move(error);
  if (llvm::Error error = checkDeclaredDims(loaded->model.graph()))
    return llvm::createStringError("'" + path +
                                   "': " + llvm::toString(std::move(error)));
  if (llvm::Error error =
          internalizeAll(*loaded->model.mutable_graph(), loaded->directory))
    return llvm::createStringError("'" + path +
                                   "': " + llvm::toString(std::move(error)));
  try {
    onnx::checker::check_model(loaded->model);
  } catch (const std::exception &error) {
    return llvm::createStringError("'" + path +
                                   "' fails the ONNX checker: " + error.what());
  }
  // Shapes first: the version converter and context-dependent function bodies
  // need them. Then convert, expand until no function is left, and finish with
  // the strict inference.
  if (llvm::Error error = inferShapes(*loaded, /*lenient=*/true))
    return std::move(error);
  if (llvm::Error error = convertOpset(loaded->model, path))
    return std::move(error);
  if (llvm::Error error = inferShapes(*loaded, /*lenient=*/true))
    return std::move(error);
  for (int round = 0; round < 8; ++round) {
    FunctionExpander expander(loaded->model, hasConverter);
    if (!expander.expand(*loaded->model.mutable_graph()))
      break;
    if (llvm::Error error = inferShapes(*loaded, /*lenient=*/true))
      return std::move(error);
  }
  if (llvm::Error error = inferShapes(*loaded, /*lenient=*/false)) {
    // Some valid models trip ONNX's strict node checks; Kiln's own type
    // inference still checks every op, so continue with what the lenient pass
    // inferred.
    llvm::consumeError(std::move(error));
    if (llvm::Error lenientError = inferShapes(*loaded, /*lenient=*/true))
      return std::move(lenientError);
  }
  return std::move(loaded);
}

} // namespace kiln::onnx_import
