//===- NodeContext.cpp - What an op converter sees of its ONNX node -------===//

#include "NodeContext.h"

#include "GraphImporter.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace kiln::onnx_import {

char UnsupportedError::ID = 0;

llvm::Expected<Type> elementTypeFromOnnx(MLIRContext *context, int32_t onnxType,
                                         bool allowString) {
  using onnx::TensorProto;
  if (onnxType == TensorProto::STRING && allowString)
    return StringType::get(context);
  switch (onnxType) {
  case TensorProto::FLOAT:
    return Float32Type::get(context);
  case TensorProto::DOUBLE:
    return Float64Type::get(context);
  case TensorProto::FLOAT16:
    return Float16Type::get(context);
  case TensorProto::BFLOAT16:
    return BFloat16Type::get(context);
  case TensorProto::BOOL:
    return IntegerType::get(context, 1);
  case TensorProto::INT8:
    return IntegerType::get(context, 8);
  case TensorProto::INT16:
    return IntegerType::get(context, 16);
  case TensorProto::INT32:
    return IntegerType::get(context, 32);
  case TensorProto::INT64:
    return IntegerType::get(context, 64);
  case TensorProto::UINT8:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case TensorProto::UINT16:
    return IntegerType::get(context, 16, IntegerType::Unsigned);
  case TensorProto::UINT32:
    return IntegerType::get(context, 32, IntegerType::Unsigned);
  case TensorProto::UINT64:
    return IntegerType::get(context, 64, IntegerType::Unsigned);
  default: {
    std::string name = TensorProto::DataType_IsValid(onnxType)
                           ? TensorProto::DataType_Name(
                                 static_cast<TensorProto::DataType>(onnxType))
                           : "unknown (" + std::to_string(onnxType) + ")";
    return llvm::make_error<UnsupportedError>("element type " + name +
                                              " is not supported");
  }
  }
}

NodeContext::NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
                         int64_t index, OpBuilder &builder, Location loc)
    : node(node), index(index), builder(builder), loc(loc), importer(importer) {
}

llvm::Expected<Value> NodeContext::input(size_t i) const {
  if (!hasInput(i))
    return invalid("input " + llvm::Twine(i) + " is required but missing");
  Value value = importer.lookup(node.input(i));
  if (!value)
    return invalid("input " + llvm::Twine(i) + " ('" + node.input(i) +
                   "') must be a tensor");
  return value;
}

llvm::Expected<ImportedValue> NodeContext::valueInput(size_t i) const {
  if (!hasInput(i))
    return invalid("input " + llvm::Twine(i) + " is required but missing");
  std::optional<ImportedValue> value = importer.lookupValue(node.input(i));
  if (!value)
    return invalid("input '" + node.input(i) + "' is not defined");
  return *value;
}

llvm::Expected<ImportedSequence> NodeContext::sequenceInput(size_t i) const {
  auto value = valueInput(i);
  if (!value)
    return value.takeError();
  if (value->kind == ImportedValue::RunTimeSequence)
    return unsupported("input " + llvm::Twine(i) + " ('" + node.input(i) +
                       "') is a sequence whose length is known only at run "
                       "time, which Kiln's converter for " +
                       node.op_type() + " does not take");
  if (value->kind != ImportedValue::Sequence)
    return invalid("input " + llvm::Twine(i) + " ('" + node.input(i) +
                   "') must be a sequence");
  return value->sequence;
}

Value NodeContext::tensorNamed(StringRef name) const {
  return importer.lookup(name);
}

Value NodeContext::optionalInput(size_t i) const {
  return hasInput(i) ? importer.lookup(node.input(i)) : Value();
}

RankedTensorType NodeContext::inputType(size_t i) const {
  return cast<RankedTensorType>(optionalInput(i).getType());
}

DenseElementsAttr NodeContext::constantInput(size_t i) const {
  Value value = optionalInput(i);
  DenseElementsAttr elements;
  if (value && matchPattern(value, m_Constant(&elements)))
    return elements;
  return {};
}

std::optional<SmallVector<int64_t>> NodeContext::constantInts(size_t i) const {
  if (DenseElementsAttr elements = constantInput(i)) {
    if (!isa<IntegerType>(elements.getElementType()))
      return std::nullopt;
    SmallVector<int64_t> values;
    for (const APInt &value : elements.getValues<APInt>())
      values.push_back(value.getSExtValue());
    return values;
  }
  if (!hasInput(i))
    return std::nullopt;
  const onnx::TensorShapeProto *data = importer.propagatedData(node.input(i));
  if (!data)
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const auto &dim : data->dim()) {
    if (!dim.has_dim_value())
      return std::nullopt;
    values.push_back(dim.dim_value());
  }
  return values;
}

llvm::Expected<SmallVector<int64_t>>
NodeContext::requireConstantInts(size_t i, StringRef what) const {
  if (auto values = constantInts(i))
    return *values;
  return unsupported(what + " (input " + llvm::Twine(i) +
                     ") must be known when the model is compiled");
}

const onnx::AttributeProto *NodeContext::attribute(StringRef name) const {
  for (const auto &attribute : node.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

int64_t NodeContext::intAttribute(StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *found = attribute(name);
  return found ? found->i() : fallback;
}

float NodeContext::floatAttribute(StringRef name, float fallback) const {
  const onnx::AttributeProto *found = attribute(name);
  return found ? found->f() : fallback;
}

std::string NodeContext::stringAttribute(StringRef name,
                                         StringRef fallback) const {
  const onnx::AttributeProto *found = attribute(name);
  return found ? found->s() : fallback.str();
}

SmallVector<int64_t>
NodeContext::intsAttribute(StringRef name, ArrayRef<int64_t> fallback) const {
  const onnx::AttributeProto *found = attribute(name);
  if (!found)
    return SmallVector<int64_t>(fallback);
  return SmallVector<int64_t>(found->ints().begin(), found->ints().end());
}

SmallVector<float> NodeContext::floatsAttribute(StringRef name) const {
  const onnx::AttributeProto *found = attribute(name);
  if (!found)
    return {};
  return SmallVector<float>(found->floats().begin(), found->floats().end());
}

llvm::Expected<DenseElementsAttr>
NodeContext::tensorAttribute(StringRef name) const {
  const onnx::AttributeProto *found = attribute(name);
  if (!found || !found->has_t())
    return invalid("attribute '" + name + "' must be a tensor");
  return importer.convertTensor(found->t());
}

RankedTensorType NodeContext::inferredOutputType(size_t i) const {
  return hasOutput(i) ? importer.declaredType(node.output(i))
                      : RankedTensorType();
}

TensorType NodeContext::inferredSequenceElementType(size_t i) const {
  return hasOutput(i) ? importer.declaredSequenceElementType(node.output(i))
                      : TensorType();
}

void NodeContext::setOutput(size_t i, Value value) {
  if (hasOutput(i))
    importer.define(node.output(i), value);
}

void NodeContext::setValueOutput(size_t i, ImportedValue value) {
  if (hasOutput(i))
    importer.defineValue(node.output(i), std::move(value));
}

llvm::Expected<const onnx::GraphProto *>
NodeContext::graphAttribute(StringRef name) const {
  const onnx::AttributeProto *found = attribute(name);
  if (!found || !found->has_g())
    return invalid("attribute '" + name + "' must be a graph");
  return &found->g();
}

llvm::Expected<SmallVector<ImportedValue>>
NodeContext::importSubgraph(const onnx::GraphProto &graph,
                            ArrayRef<ImportedValue> inputs) {
  std::string owner =
      node.name().empty()
          ? "node #" + std::to_string(index) + " (" + node.op_type() + ")"
          : "node '" + node.name() + "' (" + node.op_type() + ")";
  return importer.importSubgraph(graph, inputs, owner);
}

Value NodeContext::constant(DenseElementsAttr value) {
  return importer.constant(builder, loc, value);
}

Value NodeContext::splat(RankedTensorType type, double value) {
  Type elementType = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(elementType))
    return constant(
        DenseElementsAttr::get(type, FloatAttr::get(floatType, value)));
  return constant(DenseElementsAttr::get(
      type,
      IntegerAttr::get(elementType, APInt(elementType.getIntOrFloatBitWidth(),
                                          static_cast<int64_t>(value),
                                          /*isSigned=*/true))));
}

Value NodeContext::scalar(Type elementType, double value, int64_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  return splat(RankedTensorType::get(shape, elementType), value);
}

llvm::Error NodeContext::unsupported(const llvm::Twine &reason) const {
  return llvm::make_error<UnsupportedError>(reason.str());
}

ImportOptions::Mode NodeContext::mode() const { return importer.mode(); }

llvm::Error NodeContext::updateInitializer(size_t index, Value next) {
  Value input = optionalInput(index);
  auto constant = input ? input.getDefiningOp<ConstantOp>() : ConstantOp();
  auto name = constant
                  ? constant->getAttrOfType<StringAttr>(kInitializerAttrName)
                  : StringAttr();
  if (!name)
    return unsupported("training mode needs input " + llvm::Twine(index) +
                       " to be an initializer, whose value a train step "
                       "updates");
  if (importer.inSubgraph())
    return unsupported("training mode cannot update running statistics "
                       "inside an If, Loop or Scan body");
  if (!importer.addInitializerUpdate(name.getValue(), next))
    return unsupported("initializer '" + name.getValue() +
                       "' is the running statistic of two nodes (an exporter "
                       "merged equal initializers?), so training mode cannot "
                       "update it; train with evaluation semantics instead");
  return llvm::Error::success();
}

void NodeContext::redefineInput(size_t index, Value value) {
  importer.define(node.input(index), value);
}

Value NodeContext::dropoutSeed() { return importer.dropoutSeed(); }

void NodeContext::emitCheck(Value condition, const llvm::Twine &message) {
  // The node's name as its location carries it ("node 'x' (Loop, #3)").
  std::string name = node.op_type();
  if (auto named = dyn_cast<NameLoc>(loc))
    name = named.getName().str();
  builder.getContext()->getOrLoadDialect<cf::ControlFlowDialect>();
  cf::AssertOp::create(builder, loc, condition, name + ": " + message.str());
}

llvm::Error NodeContext::invalid(const llvm::Twine &reason) const {
  return llvm::createStringError(reason.str());
}

/// Collects the diagnostics of one op's type inference and verification.
namespace {
struct CollectedDiagnostics {
  explicit CollectedDiagnostics(MLIRContext *context)
      : handler(context, [this](Diagnostic &diagnostic) {
          text += (text.empty() ? "" : "; ") + diagnostic.str();
          return success();
        }) {}
  std::string text;
  ScopedDiagnosticHandler handler;
};
} // namespace

llvm::Error NodeContext::rejectOp(Operation *op,
                                  const std::string &message) const {
  // Most kiln ops take numbers only: on strings, that is a missing feature
  // of Kiln, not a broken model.
  bool onStrings = llvm::any_of(op->getOperandTypes(), [](Type type) {
    return isa<StringType>(getElementTypeOrSelf(type));
  });
  std::string name = op->getName().getStringRef().str();
  op->erase();
  if (onStrings)
    return unsupported(name + " on STRING tensors is not supported yet");
  return invalid(message);
}

llvm::Expected<Value> NodeContext::finishInferredOp(OperationState &state) {
  Operation *op = Operation::create(state);
  builder.insert(op);
  CollectedDiagnostics diagnostics(builder.getContext());
  auto inferable = cast<InferTypeOpInterface>(op);
  SmallVector<Type> types;
  if (failed(inferable.inferReturnTypes(
          builder.getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), types)) ||
      types.size() != 1)
    return rejectOp(op, diagnostics.text.empty()
                            ? "its operands do not fit " +
                                  state.name.getStringRef().str()
                            : diagnostics.text);
  op->getResult(0).setType(types.front());
  if (failed(verify(op)))
    return rejectOp(op, diagnostics.text);
  // Ops on the model's float weights stay ops, so that training can
  // differentiate through them (BatchNormalization's scale computed from its
  // gamma and variance); compiling folds them later all the same.
  bool readsWeights = llvm::any_of(op->getOperands(), [](Value operand) {
    auto constant = operand.getDefiningOp<ConstantOp>();
    return constant && constant->hasAttr(kInitializerAttrName) &&
           isa<FloatType>(getElementTypeOrSelf(operand.getType()));
  });
  SmallVector<Value> folded;
  if (!readsWeights && succeeded(builder.tryFold(op, folded)) &&
      !folded.empty()) {
    op->erase();
    return folded.front();
  }
  return op->getResult(0);
}

} // namespace kiln::onnx_import
