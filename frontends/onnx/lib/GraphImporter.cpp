//===- GraphImporter.cpp - One ONNX graph to one kiln function ------------===//
//
// Graph inputs become function arguments (their symbolic dims dynamic unless
// the user fixed them), initializers become kiln constants, every node goes
// through its converter in graph order, and graph outputs become results. After
// each node the importer compares what the converter built with what ONNX's
// shape inference says: a conflict is a converter bug and is reported, never
// silently passed on.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "ConverterRegistry.h"
#include "NodeContext.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Frontends/ONNX/TensorData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace kiln::onnx_import {

/// Mirrors kiln::kDimNamesAttrName (codegen), which the frontend does not
/// link against.
static constexpr llvm::StringLiteral kDimNamesAttr = "kiln.dim_names";

static std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + (ShapedType::isDynamic(shape[i])
                                  ? std::string("?")
                                  : std::to_string(shape[i]));
  return text;
}

/// The tensor type an ONNX TypeProto describes; dims without a value are
/// dynamic.
static llvm::Expected<RankedTensorType>
tensorTypeFromOnnx(MLIRContext &context, const onnx::TypeProto &type,
                   StringRef what) {
  if (!type.has_tensor_type())
    return llvm::make_error<UnsupportedError>(
        (what +
         " is not a tensor (sequences, maps and optionals are not supported)")
            .str());
  const auto &tensor = type.tensor_type();
  auto elementType = elementTypeFromOnnx(&context, tensor.elem_type(),
                                         /*allowString=*/true);
  if (!elementType)
    return elementType.takeError();
  if (!tensor.has_shape())
    return llvm::make_error<UnsupportedError>(
        (what + " has no known rank; give its shape with --shape").str());
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() < 0)
      return llvm::createStringError(what + " has a negative dimension (" +
                                     llvm::Twine(dim.dim_value()) + ")");
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, *elementType);
}

/// The ONNX names of the run-time dims of `type` (e.g. "batch"), "" for
/// unnamed ones, as `kiln.dim_names` wants them; null when every dim is known.
/// Dims of the same name share one run-time size, which the runtime checks.
static ArrayAttr dimNamesAttr(Builder &builder, const onnx::TypeProto &proto,
                              Type type) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType || tensorType.hasStaticShape())
    return nullptr;
  const auto *shape = proto.has_tensor_type() && proto.tensor_type().has_shape()
                          ? &proto.tensor_type().shape()
                          : nullptr;
  bool sameRank = shape && shape->dim_size() == tensorType.getRank();
  SmallVector<Attribute> names;
  for (int64_t d = 0; d < tensorType.getRank(); ++d) {
    std::string name;
    if (sameRank && tensorType.isDynamicDim(d) && shape->dim(d).has_dim_param())
      name = shape->dim(d).dim_param();
    names.push_back(builder.getStringAttr(name));
  }
  return builder.getArrayAttr(names);
}

GraphImporter::GraphImporter(MLIRContext &context, LoadedModel &model,
                             const ImportOptions &options)
    : context(context), model(model), options(options), builder(&context),
      fileLoc(FileLineColLoc::get(&context, model.path, 0, 0)) {
  // If and Loop become scf ops on tensors, with arith and tensor ops around.
  context.loadDialect<arith::ArithDialect, scf::SCFDialect>();
}

Value GraphImporter::lookup(StringRef name) const {
  auto found = values.find(name);
  return found == values.end() ? Value() : found->second;
}

void GraphImporter::define(StringRef name, Value value) {
  values[name] = value;
}

RankedTensorType GraphImporter::declaredType(StringRef name) const {
  auto found = declaredTypes.find(name);
  return found == declaredTypes.end() ? RankedTensorType() : found->second;
}

const onnx::TensorShapeProto *
GraphImporter::propagatedData(StringRef name) const {
  auto found = model.propagatedData.find(name.str());
  return found == model.propagatedData.end() ? nullptr : &found->second;
}

llvm::Expected<DenseElementsAttr>
GraphImporter::convertTensor(const onnx::TensorProto &tensor) {
  auto data = readTensorProto(tensor, model.directory);
  if (!data)
    return data.takeError();
  auto elementType = elementTypeFromOnnx(&context, tensor.data_type());
  if (!elementType)
    return elementType.takeError();
  auto type = RankedTensorType::get(data->shape, *elementType);
  if (data->dtype == KILN_DTYPE_BOOL) {
    SmallVector<bool> bits(data->bytes.begin(), data->bytes.end());
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  ArrayRef<char> raw(reinterpret_cast<const char *>(data->bytes.data()),
                     data->bytes.size());
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}

Value GraphImporter::constant(OpBuilder &b, Location loc,
                              DenseElementsAttr value) {
  return ConstantOp::create(b, loc, value);
}

std::string GraphImporter::describeNode(const onnx::NodeProto &node,
                                        int64_t index) const {
  if (node.name().empty())
    return "node #" + std::to_string(index) + " (" + node.op_type() + ")";
  return "node '" + node.name() + "' (" + node.op_type() + ", #" +
         std::to_string(index) + ")";
}

Location GraphImporter::nodeLocation(const onnx::NodeProto &node,
                                     int64_t index) {
  return NameLoc::get(StringAttr::get(&context, describeNode(node, index)),
                      fileLoc);
}

llvm::Error GraphImporter::createFunction() {
  const onnx::GraphProto &graph = model.model.graph();
  for (const auto *list :
       {&graph.input(), &graph.value_info(), &graph.output()})
    for (const auto &value : *list)
      if (auto type = tensorTypeFromOnnx(context, value.type(), value.name()))
        declaredTypes[value.name()] = *type;
      else
        llvm::consumeError(
            type.takeError()); // only a hint; inputs are checked below

  llvm::StringSet<> initializers;
  for (const auto &initializer : graph.initializer())
    initializers.insert(initializer.name());
  std::map<std::string, std::vector<int64_t>> overrides(
      options.inputShapes.begin(), options.inputShapes.end());

  SmallVector<Type> argumentTypes;
  SmallVector<std::string> argumentNames;
  SmallVector<const onnx::ValueInfoProto *> argumentProtos;
  for (const auto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue; // before IR version 4, initializers were listed as inputs too
    std::string what = "input '" + input.name() + "'";
    auto type = tensorTypeFromOnnx(context, input.type(), what);
    if (!type)
      return type.takeError();
    RankedTensorType inputType = *type;
    if (auto given = overrides.find(input.name()); given != overrides.end()) {
      const std::vector<int64_t> &dims = given->second;
      if (static_cast<int64_t>(dims.size()) != inputType.getRank())
        return llvm::createStringError(
            "--shape " + input.name() + " gives " + llvm::Twine(dims.size()) +
            " dims but the input has rank " + llvm::Twine(inputType.getRank()) +
            " (" + shapeText(inputType.getShape()) + ")");
      for (size_t d = 0; d < dims.size(); ++d)
        if (!inputType.isDynamicDim(d) && inputType.getDimSize(d) != dims[d])
          return llvm::createStringError("--shape " + input.name() + "=" +
                                         shapeText(dims) +
                                         " contradicts its declared shape " +
                                         shapeText(inputType.getShape()) +
                                         " in dimension " + llvm::Twine(d));
      inputType = RankedTensorType::get(dims, inputType.getElementType());
      overrides.erase(given);
    }
    if (inputType.hasStaticShape()) {
      auto count =
          checkedElementCount(std::vector<int64_t>(inputType.getShape().begin(),
                                                   inputType.getShape().end()),
                              8, what);
      if (!count)
        return count.takeError();
    }
    argumentTypes.push_back(inputType);
    argumentNames.push_back(input.name());
    argumentProtos.push_back(&input);
  }
  if (!overrides.empty()) {
    std::string names;
    for (const std::string &name : argumentNames)
      names += (names.empty() ? "" : ", ") + name;
    return llvm::createStringError(
        "--shape names '" + overrides.begin()->first +
        "', which is not an input of the model (its inputs: " +
        (names.empty() ? std::string("none") : names) + ")");
  }

  module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  function = func::FuncOp::create(builder, fileLoc, "forward",
                                  builder.getFunctionType(argumentTypes, {}));
  Block *entry = function.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [index, name] : llvm::enumerate(argumentNames)) {
    function.setArgAttr(index, "kiln.name", builder.getStringAttr(name));
    if (ArrayAttr dimNames = dimNamesAttr(
            builder, argumentProtos[index]->type(), argumentTypes[index]))
      function.setArgAttr(index, kDimNamesAttr, dimNames);
    define(name, entry->getArgument(index));
  }
  for (const auto &initializer : graph.initializer()) {
    auto value = convertTensor(initializer);
    if (!value)
      return value.takeError();
    define(initializer.name(),
           constant(
               builder,
               NameLoc::get(builder.getStringAttr(initializer.name()), fileLoc),
               *value));
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::checkOutputs(const onnx::NodeProto &node,
                                        Location loc) {
  for (const std::string &name : node.output()) {
    if (name.empty())
      continue;
    Value value = lookup(name);
    if (!value)
      return llvm::createStringError(
          "internal error: the converter did not produce "
          "output '" +
          name + "'");
    RankedTensorType declared = declaredType(name);
    auto built = dyn_cast<RankedTensorType>(value.getType());
    if (!declared || !built)
      continue;
    if (declared.getElementType() != built.getElementType() ||
        failed(verifyCompatibleShape(declared, built))) {
      std::string ours, theirs;
      llvm::raw_string_ostream(ours) << built;
      llvm::raw_string_ostream(theirs) << declared;
      return llvm::createStringError("internal error: Kiln computed " + ours +
                                     " for output '" + name +
                                     "' but ONNX infers " + theirs);
    }
    // ONNX knew more (e.g. from data propagation): keep its static dims.
    if (!built.hasStaticShape() && declared.hasStaticShape())
      define(name, tensor::CastOp::create(builder, loc, declared, value));
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::importNode(const onnx::NodeProto &node,
                                      int64_t index) {
  Location loc = nodeLocation(node, index);
  ConverterFn converter =
      ConverterRegistry::get().lookup(node.domain(), node.op_type());
  bool controlFlow = isControlFlow(node);
  if (!converter && !controlFlow)
    return llvm::make_error<UnsupportedError>(
        "Kiln has no converter for " +
        (node.domain().empty() ? "" : node.domain() + ".") + node.op_type());
  for (const std::string &input : node.input())
    if (!input.empty() && !lookup(input))
      return llvm::createStringError("its input '" + input +
                                     "' is not produced by any earlier node, "
                                     "initializer or graph input");
  NodeContext nodeContext(*this, node, index, builder, loc);
  if (llvm::Error error =
          controlFlow ? importControlFlow(nodeContext) : converter(nodeContext))
    return error;
  return checkOutputs(node, loc);
}

llvm::Error GraphImporter::importGraph(std::vector<UnsupportedNode> *collect) {
  const auto &nodes = model.model.graph().node();
  // Values of nodes that could not be imported: nodes reading them are only
  // checked for a converter, since their own conversion might fail for the
  // upstream node's reason.
  llvm::StringSet<> unavailable;
  for (int64_t index = 0; index < nodes.size(); ++index) {
    const onnx::NodeProto &node = nodes[index];
    if (collect && llvm::any_of(node.input(), [&](const std::string &input) {
          return unavailable.contains(input);
        })) {
      if (!ConverterRegistry::get().lookup(node.domain(), node.op_type()) &&
          !isControlFlow(node))
        collect->push_back({index, node.name(), node.op_type(),
                            "Kiln has no converter for " + node.op_type()});
      for (const std::string &output : node.output())
        unavailable.insert(output);
      continue;
    }
    llvm::Error error = importNode(node, index);
    if (!error)
      continue;
    bool isUnsupported = error.isA<UnsupportedError>();
    std::string reason = llvm::toString(std::move(error));
    if (!collect) {
      std::string message =
          "'" + model.path + "': " + describeNode(node, index) + ": " + reason;
      if (isUnsupported)
        return llvm::make_error<UnsupportedError>(message);
      return llvm::createStringError(message);
    }
    collect->push_back({index, node.name(), node.op_type(), reason});
    for (const std::string &output : node.output())
      unavailable.insert(output);
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::finishFunction() {
  SmallVector<Value> results;
  for (const auto &output : model.model.graph().output()) {
    Value value = lookup(output.name());
    if (!value)
      return llvm::createStringError("'" + model.path + "': graph output '" +
                                     output.name() +
                                     "' is not produced by any node");
    results.push_back(value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  function.setType(builder.getFunctionType(function.getArgumentTypes(),
                                           ValueRange(results).getTypes()));
  for (auto [index, output] : llvm::enumerate(model.model.graph().output())) {
    function.setResultAttr(index, "kiln.name",
                           builder.getStringAttr(output.name()));
    if (ArrayAttr dimNames =
            dimNamesAttr(builder, output.type(), results[index].getType()))
      function.setResultAttr(index, kDimNamesAttr, dimNames);
  }
  return llvm::Error::success();
}

/// Prefixes the model's path to `error`, keeping an UnsupportedError
/// unsupported.
static llvm::Error prefixError(StringRef path, llvm::Error error) {
  bool isUnsupported = error.isA<UnsupportedError>();
  std::string message =
      "'" + path.str() + "': " + llvm::toString(std::move(error));
  if (isUnsupported)
    return llvm::make_error<UnsupportedError>(message);
  return llvm::createStringError(message);
}

llvm::Expected<OwningOpRef<ModuleOp>> GraphImporter::import() {
  if (llvm::Error error = createFunction())
    return prefixError(model.path, std::move(error));
  if (llvm::Error error = importGraph(nullptr))
    return std::move(error);
  if (llvm::Error error = finishFunction())
    return std::move(error);
  return std::move(module);
}

llvm::Expected<std::vector<UnsupportedNode>> GraphImporter::findUnsupported() {
  if (llvm::Error error = createFunction())
    return prefixError(model.path, std::move(error));
  std::vector<UnsupportedNode> unsupported;
  if (llvm::Error error = importGraph(&unsupported))
    return std::move(error);
  return unsupported;
}

} // namespace kiln::onnx_import
