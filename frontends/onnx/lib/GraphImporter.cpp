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
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace kiln::onnx_import {

/// Mirrors kiln::kDimNamesAttrName (codegen), which the frontend does not
/// link against.
static constexpr llvm::StringLiteral kDimNamesAttr = "kiln.dim_names";

/// `type` as MLIR prints it, for diagnostics.
static std::string describeType(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

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

/// A graph input and the function arguments it becomes: one for a tensor, one
/// per element for a sequence, none for an empty optional.
struct GraphInputArguments {
  enum Kind { Tensor, Sequence, EmptyOptional };
  std::string name;
  Kind kind;
  unsigned firstArgument, numArguments;
  Type elementType; // of a sequence's tensors
};

/// What ONNX declares for the tensors of a sequence of type `type`: their
/// element type, and their shape when it knows their rank; null when `type`
/// is not a sequence of tensors of a type Kiln supports.
static TensorType sequenceTensorTypeOf(MLIRContext &context,
                                       const onnx::TypeProto &type) {
  if (!type.has_sequence_type() ||
      !type.sequence_type().elem_type().has_tensor_type())
    return nullptr;
  const auto &tensor = type.sequence_type().elem_type().tensor_type();
  auto elementType = elementTypeFromOnnx(&context, tensor.elem_type());
  if (!elementType) {
    llvm::consumeError(elementType.takeError());
    return nullptr;
  }
  if (!tensor.has_shape())
    return UnrankedTensorType::get(*elementType);
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                        ? dim.dim_value()
                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, *elementType);
}

/// The element type of the tensors of a sequence whose elements ONNX
/// describes with `element`.
static llvm::Expected<Type> sequenceElementType(MLIRContext &context,
                                                const onnx::TypeProto &element,
                                                StringRef what) {
  if (!element.has_tensor_type())
    return llvm::make_error<UnsupportedError>(
        (what + " is a sequence of non-tensors (only sequences of tensors are "
                "supported)")
            .str());
  return elementTypeFromOnnx(&context, element.tensor_type().elem_type());
}

/// The types of a sequence input's elements: `shapes` (given when compiling;
/// -1 is a dim known only at run time), checked against the element shape
/// ONNX declares, if any.
static llvm::Expected<SmallVector<Type>>
sequenceElementTypes(Type elementType, const onnx::TypeProto &element,
                     ArrayRef<std::vector<int64_t>> shapes, StringRef what) {
  SmallVector<Type> types;
  const auto &tensor = element.tensor_type();
  for (auto [index, shape] : llvm::enumerate(shapes)) {
    std::string where = (what + " element " + llvm::Twine(index)).str();
    for (int64_t dim : shape)
      if (dim < -1)
        return llvm::createStringError(where + " has a negative dimension");
    SmallVector<int64_t> dims;
    for (int64_t dim : shape)
      dims.push_back(dim < 0 ? ShapedType::kDynamic : dim);
    if (tensor.has_shape()) {
      if (tensor.shape().dim_size() != static_cast<int>(dims.size()))
        return llvm::createStringError(where + " is given rank " +
                                       llvm::Twine(dims.size()) +
                                       " but the model declares rank " +
                                       llvm::Twine(tensor.shape().dim_size()));
      for (auto [d, dim] : llvm::enumerate(tensor.shape().dim()))
        if (dim.has_dim_value() && !ShapedType::isDynamic(dims[d]) &&
            dim.dim_value() != dims[d])
          return llvm::createStringError(
              where + " is given shape " + shapeText(dims) +
              ", which contradicts the model's dimension " + llvm::Twine(d) +
              " (" + llvm::Twine(dim.dim_value()) + ")");
    }
    if (!llvm::is_contained(shape, -1))
      if (auto count = checkedElementCount(shape, 8, where); !count)
        return count.takeError();
    types.push_back(RankedTensorType::get(dims, elementType));
  }
  return types;
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
  return found == values.end() ? Value() : found->second.tensor;
}

void GraphImporter::define(StringRef name, Value value) {
  values[name] = ImportedValue::ofTensor(value);
}

std::optional<ImportedValue> GraphImporter::lookupValue(StringRef name) const {
  auto found = values.find(name);
  if (found == values.end())
    return std::nullopt;
  return found->second;
}

void GraphImporter::defineValue(StringRef name, ImportedValue value) {
  values[name] = std::move(value);
}

RankedTensorType GraphImporter::declaredType(StringRef name) const {
  auto found = declaredTypes.find(name);
  return found == declaredTypes.end() ? RankedTensorType() : found->second;
}

TensorType GraphImporter::declaredSequenceElementType(StringRef name) const {
  auto found = declaredSequenceElementTypes.find(name);
  return found == declaredSequenceElementTypes.end() ? TensorType()
                                                     : found->second;
}

const onnx::TensorShapeProto *
GraphImporter::propagatedData(StringRef name) const {
  // Inside a subgraph imported several times (a Loop or SequenceMap body),
  // one name stands for a different value each time: ONNX's propagation of
  // the main graph says nothing about it.
  if (!scopes.empty())
    return nullptr;
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
  std::string text = describeNode(node, index);
  // Inside subgraphs, say whose (innermost first).
  for (const std::string &scope : llvm::reverse(scopes))
    text += " in the subgraph of " + scope;
  return NameLoc::get(StringAttr::get(&context, text), fileLoc);
}

llvm::Error GraphImporter::createFunction() {
  const onnx::GraphProto &graph = model.model.graph();
  for (const auto *list :
       {&graph.input(), &graph.value_info(), &graph.output()})
    for (const auto &value : *list) {
      if (auto type = tensorTypeFromOnnx(context, value.type(), value.name()))
        declaredTypes[value.name()] = *type;
      else
        llvm::consumeError(
            type.takeError()); // only a hint; inputs are checked below
      if (auto type = sequenceTensorTypeOf(context, value.type()))
        declaredSequenceElementTypes[value.name()] = type;
    }

  llvm::StringSet<> initializers;
  for (const auto &initializer : graph.initializer())
    initializers.insert(initializer.name());
  std::map<std::string, std::vector<int64_t>> overrides(
      options.inputShapes.begin(), options.inputShapes.end());

  std::map<std::string, std::vector<std::vector<int64_t>>> sequenceShapes(
      options.sequenceInputs.begin(), options.sequenceInputs.end());
  llvm::StringSet<> emptyOptionalNames;
  for (const std::string &name : options.emptyOptionalInputs)
    emptyOptionalNames.insert(name);

  SmallVector<Type> argumentTypes;
  SmallVector<std::string> argumentNames;
  SmallVector<const onnx::TypeProto *> argumentProtos;
  SmallVector<GraphInputArguments> graphInputs;
  for (const auto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue; // before IR version 4, initializers were listed as inputs too
    std::string what = "input '" + input.name() + "'";
    GraphInputArguments arguments{input.name(), GraphInputArguments::Tensor,
                                  static_cast<unsigned>(argumentTypes.size()),
                                  0, nullptr};
    // An optional input holds its element unless the options say it is empty.
    const onnx::TypeProto *inputProto = &input.type();
    if (inputProto->has_optional_type()) {
      if (emptyOptionalNames.erase(input.name())) {
        arguments.kind = GraphInputArguments::EmptyOptional;
        graphInputs.push_back(arguments);
        continue;
      }
      inputProto = &inputProto->optional_type().elem_type();
    }
    if (inputProto->has_sequence_type()) {
      auto given = sequenceShapes.find(input.name());
      if (given == sequenceShapes.end())
        return llvm::make_error<UnsupportedError>(
            what +
            " is a sequence, whose length and element shapes must be "
            "given when compiling (--sequence " +
            input.name() +
            "=DIMS:DIMS:... with kiln-compile and kiln-run, "
            "ImportOptions::sequenceInputs in the API)");
      const onnx::TypeProto &elementProto =
          inputProto->sequence_type().elem_type();
      auto elementType = sequenceElementType(context, elementProto, what);
      if (!elementType)
        return elementType.takeError();
      auto elementTypes =
          sequenceElementTypes(*elementType, elementProto, given->second, what);
      if (!elementTypes)
        return elementTypes.takeError();
      arguments.kind = GraphInputArguments::Sequence;
      arguments.numArguments = given->second.size();
      arguments.elementType = *elementType;
      for (auto [index, type] : llvm::enumerate(*elementTypes)) {
        argumentTypes.push_back(type);
        argumentNames.push_back(input.name() + "[" + std::to_string(index) +
                                "]");
        argumentProtos.push_back(nullptr); // element dims have no shared names
      }
      sequenceShapes.erase(given);
      graphInputs.push_back(arguments);
      continue;
    }
    auto type = tensorTypeFromOnnx(context, *inputProto, what);
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
    argumentProtos.push_back(inputProto);
    arguments.numArguments = 1;
    graphInputs.push_back(arguments);
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
  if (!sequenceShapes.empty())
    return llvm::createStringError("sequence shapes are given for '" +
                                   sequenceShapes.begin()->first +
                                   "', which is not a sequence input of the "
                                   "model");
  if (!emptyOptionalNames.empty())
    return llvm::createStringError(
        "'" + emptyOptionalNames.begin()->first().str() +
        "' is said to be an empty optional, but it is not an optional input "
        "of the model");

  module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  function = func::FuncOp::create(builder, fileLoc, "forward",
                                  builder.getFunctionType(argumentTypes, {}));
  Block *entry = function.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [index, name] : llvm::enumerate(argumentNames)) {
    function.setArgAttr(index, "kiln.name", builder.getStringAttr(name));
    if (argumentProtos[index])
      if (ArrayAttr dimNames = dimNamesAttr(builder, *argumentProtos[index],
                                            argumentTypes[index]))
        function.setArgAttr(index, kDimNamesAttr, dimNames);
  }
  for (const GraphInputArguments &input : graphInputs) {
    ValueRange arguments =
        entry->getArguments().slice(input.firstArgument, input.numArguments);
    switch (input.kind) {
    case GraphInputArguments::Tensor:
      define(input.name, arguments.front());
      break;
    case GraphInputArguments::Sequence:
      defineValue(input.name,
                  ImportedValue::ofSequence(
                      {SmallVector<Value>(arguments), input.elementType}));
      break;
    case GraphInputArguments::EmptyOptional:
      defineValue(input.name, ImportedValue::emptyOptional());
      break;
    }
  }
  for (const auto &initializer : graph.initializer()) {
    auto value = convertTensor(initializer);
    if (!value)
      return value.takeError();
    Value weight = constant(
        builder,
        NameLoc::get(builder.getStringAttr(initializer.name()), fileLoc),
        *value);
    // Training finds the model's weights by this name (and writes them back
    // to the initializer of that name).
    weight.getDefiningOp()->setAttr(kInitializerAttrName,
                                    builder.getStringAttr(initializer.name()));
    define(initializer.name(), weight);
  }
  return llvm::Error::success();
}

llvm::Error
GraphImporter::checkSequenceOutput(StringRef name,
                                   const ImportedSequence &sequence) {
  auto declared = declaredSequenceElementTypes.find(name);
  if (declared == declaredSequenceElementTypes.end())
    return llvm::Error::success();
  TensorType expected = declared->second;
  if (sequence.elementType != expected.getElementType())
    return llvm::createStringError("internal error: Kiln built a sequence of " +
                                   describeType(sequence.elementType) +
                                   " for output '" + name +
                                   "' but ONNX infers a sequence of " +
                                   describeType(expected.getElementType()));
  for (auto [index, element] : llvm::enumerate(sequence.elements))
    if (element && failed(verifyCompatibleShape(element.getType(), expected)))
      return llvm::createStringError(
          "internal error: Kiln computed " + describeType(element.getType()) +
          " for element " + llvm::Twine(index) + " of sequence '" + name +
          "' but ONNX infers " + describeType(expected));
  return llvm::Error::success();
}

llvm::Error GraphImporter::checkOutputs(const onnx::NodeProto &node,
                                        Location loc) {
  for (const std::string &name : node.output()) {
    if (name.empty())
      continue;
    std::optional<ImportedValue> imported = lookupValue(name);
    if (!imported ||
        (imported->kind == ImportedValue::Tensor && !imported->tensor))
      return llvm::createStringError(
          "internal error: the converter did not produce "
          "output '" +
          name + "'");
    if (imported->kind == ImportedValue::Sequence) {
      if (llvm::Error error = checkSequenceOutput(name, imported->sequence))
        return error;
      continue;
    }
    if (imported->kind != ImportedValue::Tensor)
      continue;
    Value value = imported->tensor;
    RankedTensorType declared = declaredType(name);
    auto built = dyn_cast<RankedTensorType>(value.getType());
    if (!declared || !built)
      continue;
    if (declared.getElementType() != built.getElementType() ||
        failed(verifyCompatibleShape(declared, built)))
      return llvm::createStringError("internal error: Kiln computed " +
                                     describeType(built) + " for output '" +
                                     name + "' but ONNX infers " +
                                     describeType(declared));
    // ONNX knew more (e.g. from data propagation): keep its static dims.
    if (!built.hasStaticShape() && declared.hasStaticShape())
      define(name, tensor::CastOp::create(builder, loc, declared, value));
  }
  return llvm::Error::success();
}

bool GraphImporter::aliasNonTensor(const onnx::NodeProto &node) {
  if (node.op_type() != "Identity" || !node.domain().empty() ||
      node.input_size() != 1 || node.output_size() != 1)
    return false;
  std::optional<ImportedValue> input = lookupValue(node.input(0));
  if (!input || input->kind == ImportedValue::Tensor)
    return false;
  defineValue(node.output(0), *input);
  return true;
}

llvm::Error GraphImporter::importNode(const onnx::NodeProto &node,
                                      int64_t index) {
  Location loc = nodeLocation(node, index);
  for (const std::string &input : node.input())
    if (!input.empty() && !lookupValue(input))
      return llvm::createStringError("its input '" + input +
                                     "' is not produced by any earlier node, "
                                     "initializer or graph input");
  if (aliasNonTensor(node))
    return checkOutputs(node, loc);
  ConverterFn converter =
      ConverterRegistry::get().lookup(node.domain(), node.op_type());
  bool controlFlow = isControlFlow(node);
  // If and Loop compile to scf ops on tensors. A Loop that carries sequences
  // or optionals and whose trip count and condition are known now goes to
  // the converter that unrolls it, when there is one: its body may then
  // index them with the iteration number. Otherwise they are carried in
  // tensors (RunTimeValues.h).
  auto knownNow = [&](int index) {
    if (index >= node.input_size() || node.input(index).empty())
      return true;
    Value value = lookup(node.input(index));
    return value && matchPattern(value, m_Constant());
  };
  if (controlFlow && converter && knownNow(0) && knownNow(1) &&
      llvm::any_of(node.input(), [&](const std::string &input) {
        return !input.empty() && !lookup(input);
      }))
    controlFlow = false;
  if (!converter && !controlFlow)
    return llvm::make_error<UnsupportedError>(
        "Kiln has no converter for " +
        (node.domain().empty() ? "" : node.domain() + ".") + node.op_type());
  // Only converters registered for them see sequences and empty optionals;
  // the others may assume every present input is a tensor.
  if (!ConverterRegistry::get().takesNonTensors(node.domain(), node.op_type()))
    for (const std::string &input : node.input())
      if (!input.empty() && !lookup(input))
        return llvm::make_error<UnsupportedError>(
            "its input '" + input +
            "' is a sequence or an empty optional, which Kiln's converter "
            "for " +
            node.op_type() + " does not take");
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
  // A sequence output becomes one result per element ("name[i]"); an empty
  // optional becomes none; sequences and optionals decided at run time
  // become the tensors that hold them.
  SmallVector<Value> results;
  SmallVector<std::string> resultNames;
  SmallVector<const onnx::TypeProto *> resultProtos;
  for (const auto &output : model.model.graph().output()) {
    std::optional<ImportedValue> value = lookupValue(output.name());
    if (!value)
      return llvm::createStringError("'" + model.path + "': graph output '" +
                                     output.name() +
                                     "' is not produced by any node");
    switch (value->kind) {
    case ImportedValue::Tensor:
      results.push_back(value->tensor);
      resultNames.push_back(output.name());
      resultProtos.push_back(&output.type());
      break;
    case ImportedValue::Sequence:
      if (llvm::is_contained(value->sequence.elements, Value()))
        return llvm::make_error<UnsupportedError>(
            "'" + model.path + "': graph output '" + output.name() +
            "': " + value->sequence.unbuiltReason);
      for (auto [index, element] : llvm::enumerate(value->sequence.elements)) {
        results.push_back(element);
        resultNames.push_back(output.name() + "[" + std::to_string(index) +
                              "]");
        resultProtos.push_back(nullptr); // element dims have no shared names
      }
      break;
    case ImportedValue::EmptyOptional:
      break;
    case ImportedValue::RunTimeSequence:
    case ImportedValue::RunTimeOptional: {
      // Decided at run time: the tensors that hold it, named as runtime.h
      // describes ("NAME.has_value", "NAME.values", "NAME.index").
      auto add = [&](Value result, const std::string &suffix) {
        results.push_back(result);
        resultNames.push_back(output.name() + suffix);
        resultProtos.push_back(nullptr);
      };
      if (value->kind == ImportedValue::RunTimeOptional)
        add(value->present, ".has_value");
      if (value->kind == ImportedValue::RunTimeSequence ||
          value->holdsSequence) {
        add(value->sequenceTensors.values, ".values");
        add(value->sequenceTensors.index, ".index");
      } else {
        add(value->tensor, "");
      }
      break;
    }
    }
  }
  // Training mode's updated running statistics follow the graph's outputs.
  size_t firstUpdate = results.size();
  for (const auto &[name, next] : initializerUpdates) {
    results.push_back(next);
    resultNames.push_back(name + ".next");
    resultProtos.push_back(nullptr);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  function.setType(builder.getFunctionType(function.getArgumentTypes(),
                                           ValueRange(results).getTypes()));
  for (auto [index, name] : llvm::enumerate(resultNames)) {
    function.setResultAttr(index, "kiln.name", builder.getStringAttr(name));
    if (resultProtos[index])
      if (ArrayAttr dimNames = dimNamesAttr(builder, *resultProtos[index],
                                            results[index].getType()))
        function.setResultAttr(index, kDimNamesAttr, dimNames);
  }
  for (auto [offset, update] : llvm::enumerate(initializerUpdates))
    function.setResultAttr(firstUpdate + offset, kUpdatesAttrName,
                           builder.getStringAttr(update.first));
  return llvm::Error::success();
}

bool GraphImporter::addInitializerUpdate(StringRef name, Value next) {
  if (llvm::any_of(initializerUpdates,
                   [&](const auto &update) { return update.first == name; }))
    return false;
  initializerUpdates.emplace_back(name.str(), next);
  return true;
}

Value GraphImporter::dropoutSeed() {
  if (dropoutSeedArgument)
    return dropoutSeedArgument;
  unsigned index = function.getNumArguments();
  auto type = RankedTensorType::get({}, builder.getI64Type());
  NamedAttribute attributes[] = {
      builder.getNamedAttr("kiln.name", builder.getStringAttr("dropout_seed")),
      builder.getNamedAttr(kDropoutSeedAttrName, builder.getUnitAttr())};
  if (failed(function.insertArgument(
          index, type, builder.getDictionaryAttr(attributes), fileLoc)))
    llvm::report_fatal_error("internal error: cannot add the dropout seed");
  dropoutSeedArgument = function.getArgument(index);
  return dropoutSeedArgument;
}

llvm::Expected<SmallVector<ImportedValue>>
GraphImporter::importSubgraph(const onnx::GraphProto &graph,
                              ArrayRef<ImportedValue> inputs, StringRef owner) {
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return llvm::createStringError("the subgraph of " + owner + " takes " +
                                   llvm::Twine(graph.input_size()) +
                                   " inputs, but " +
                                   llvm::Twine(inputs.size()) + " are given");
  // Names defined inside go out of scope afterwards: restore the outer ones.
  llvm::StringMap<ImportedValue> outer = values;
  llvm::scope_exit restore([&] {
    values = std::move(outer);
    scopes.pop_back();
  });
  scopes.push_back(owner.str());
  for (auto [input, value] : llvm::zip(graph.input(), inputs))
    defineValue(input.name(), value);
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
  // Unrolled loops (nested ones multiply) must not make the import endless.
  subgraphNodesImported += graph.node_size();
  if (subgraphNodesImported > kMaxSubgraphNodes)
    return llvm::make_error<UnsupportedError>(
        ("unrolling the subgraph of " + owner + " imports more than " +
         llvm::Twine(kMaxSubgraphNodes) + " nodes in all")
            .str());
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (llvm::Error error = importNode(node, index)) {
      bool isUnsupported = error.isA<UnsupportedError>();
      std::string message = "its subgraph's " + describeNode(node, index) +
                            ": " + llvm::toString(std::move(error));
      if (isUnsupported)
        return llvm::make_error<UnsupportedError>(message);
      return llvm::createStringError(message);
    }
  SmallVector<ImportedValue> outputs;
  for (const auto &output : graph.output()) {
    std::optional<ImportedValue> value = lookupValue(output.name());
    if (!value)
      return llvm::createStringError("the subgraph of " + owner +
                                     " does not produce its output '" +
                                     output.name() + "'");
    outputs.push_back(*value);
  }
  return outputs;
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
