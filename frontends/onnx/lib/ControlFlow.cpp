//===- ControlFlow.cpp - ONNX If and Loop to scf on tensors ---------------===//
//
// If and Loop carry subgraphs (branches, a loop body) that read values of the
// graphs around them, so the importer converts them itself rather than
// through the converter registry:
//
//   * If with a condition known at import time imports the taken branch
//     inline; otherwise both branches go into the regions of an `scf.if` on
//     tensors, which must then produce the same types.
//   * Loop with a trip count known at import time, and a condition that is
//     absent or stays true, becomes an `scf.for` that carries the loop-carried
//     values; each scan output is collected into a tensor of the static trip
//     count with `tensor.insert_slice`. Loops that end on a condition computed
//     in the body, or run a trip count known only at run time, are
//     unsupported: their results would have dynamic shapes.
//
// A subgraph is first imported into a detached block, since the types of its
// outputs (and so of the scf op's results) are known only afterwards; its ops
// then move into the scf op's region.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "NodeContext.h"
#include "ops/ConverterUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Frontends/ONNX/TensorData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

std::string typeText(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

/// Keeps an error's kind (unsupported or invalid) while adding context.
llvm::Error withContext(const llvm::Twine &prefix, llvm::Error error) {
  bool isUnsupported = error.isA<UnsupportedError>();
  std::string message =
      (prefix + ": " + llvm::toString(std::move(error))).str();
  if (isUnsupported)
    return llvm::make_error<UnsupportedError>(message);
  return llvm::createStringError(message);
}

/// A block that is not (yet) in a region; deletes itself and its ops unless
/// released into a region.
class DetachedBlock {
public:
  DetachedBlock() : block(new Block()) {}
  ~DetachedBlock() { delete block; }
  DetachedBlock(const DetachedBlock &) = delete;
  DetachedBlock &operator=(const DetachedBlock &) = delete;
  Block *get() const { return block; }
  Block *release() { return std::exchange(block, nullptr); }

private:
  Block *block;
};

/// The graph-valued attribute `name` of `context`'s node.
llvm::Expected<const onnx::GraphProto *> graphAttribute(NodeContext &context,
                                                        llvm::StringRef name) {
  const onnx::AttributeProto *attribute = context.attribute(name);
  if (!attribute || !attribute->has_g())
    return context.invalid("attribute '" + name + "' must be a graph");
  return &attribute->g();
}

/// The single boolean in `value` when it is a constant.
std::optional<bool> constantBool(Value value) {
  DenseElementsAttr elements;
  if (!value || !matchPattern(value, m_Constant(&elements)) ||
      elements.getNumElements() != 1 || !elements.getElementType().isInteger(1))
    return std::nullopt;
  return *elements.getValues<bool>().begin();
}

/// Reads the one element of a boolean tensor (rank 0 or [1], [1, 1], ...) as
/// an i1 scalar.
llvm::Expected<Value> extractCondition(NodeContext &context, Value condition,
                                       llvm::StringRef what) {
  auto type = cast<RankedTensorType>(condition.getType());
  if (!type.getElementType().isInteger(1) || !type.hasStaticShape() ||
      type.getNumElements() != 1)
    return context.invalid(what + " must be a single boolean, not " +
                           typeText(type));
  Value zero = arith::ConstantIndexOp::create(context.builder, context.loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  return tensor::ExtractOp::create(context.builder, context.loc, condition,
                                   indices)
      .getResult();
}

/// Gives every value yielded for result `index` the type `expected` when the
/// types differ only in what one of them leaves dynamic.
llvm::Expected<Value> castTo(NodeContext &context, Value value, Type expected,
                             const llvm::Twine &what) {
  if (value.getType() == expected)
    return value;
  auto from = dyn_cast<RankedTensorType>(value.getType());
  auto to = dyn_cast<RankedTensorType>(expected);
  if (!from || !to || from.getElementType() != to.getElementType() ||
      failed(verifyCompatibleShape(from, to)))
    return context.unsupported(what + " has type " + typeText(value.getType()) +
                               " where " + typeText(expected) +
                               " is needed; Kiln needs the same static type "
                               "on every path");
  return tensor::CastOp::create(context.builder, context.loc, to, value)
      .getResult();
}

/// The tensor type `info` declares, or null when it declares no shape.
RankedTensorType declaredTypeOf(MLIRContext &context,
                                const onnx::ValueInfoProto &info) {
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape())
    return {};
  auto element = elementTypeFromOnnx(&context, type.tensor_type().elem_type());
  if (!element) {
    llvm::consumeError(element.takeError());
    return {};
  }
  SmallVector<int64_t> shape;
  for (const auto &dim : type.tensor_type().shape().dim())
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, *element);
}

} // namespace

bool GraphImporter::isControlFlow(const onnx::NodeProto &node) {
  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  return defaultDomain && (node.op_type() == "If" || node.op_type() == "Loop");
}

llvm::Error GraphImporter::importControlFlow(NodeContext &context) {
  return context.node.op_type() == "If" ? importIf(context)
                                        : importLoop(context);
}

llvm::Expected<SmallVector<Value>>
GraphImporter::importTensorSubgraph(const onnx::GraphProto &graph,
                                    ValueRange inputs, llvm::StringRef what) {
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return llvm::createStringError(
        what + " has " + llvm::Twine(graph.input_size()) + " inputs where " +
        llvm::Twine(inputs.size()) + " are needed");
  if (graph.sparse_initializer_size() > 0)
    return llvm::make_error<UnsupportedError>(
        (what + " has sparse initializers").str());
  // The subgraph's names live only inside it: restore the enclosing scope's
  // names and types when it is done.
  llvm::StringMap<ImportedValue> outerValues = values;
  llvm::StringMap<RankedTensorType> outerTypes = declaredTypes;
  auto restore = llvm::make_scope_exit([&] {
    values = std::move(outerValues);
    declaredTypes = std::move(outerTypes);
  });
  for (const auto *list :
       {&graph.input(), &graph.value_info(), &graph.output()})
    for (const auto &value : *list) {
      if (RankedTensorType type = declaredTypeOf(context, value))
        declaredTypes[value.name()] = type;
    }
  for (auto [input, value] : llvm::zip(graph.input(), inputs))
    define(input.name(), value);
  for (const auto &initializer : graph.initializer()) {
    auto value = convertTensor(initializer);
    if (!value)
      return withContext(what, value.takeError());
    define(initializer.name(),
           constant(
               builder,
               NameLoc::get(builder.getStringAttr(initializer.name()), fileLoc),
               *value));
  }
  for (int64_t index = 0; index < graph.node_size(); ++index) {
    const onnx::NodeProto &node = graph.node(index);
    if (llvm::Error error = importNode(node, index))
      return withContext(describeNode(node, index) + " of " + what,
                         std::move(error));
  }
  SmallVector<Value> outputs;
  for (const auto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value && lookupValue(output.name()))
      return llvm::make_error<UnsupportedError>(
          (what + ": output '" + output.name() +
           "' is a sequence or an optional; branches and loop bodies that "
           "yield them are not supported")
              .str());
    if (!value)
      return llvm::createStringError(what + ": output '" + output.name() +
                                     "' is not produced by any node");
    outputs.push_back(value);
  }
  return outputs;
}

llvm::Error GraphImporter::importIf(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value condition, context.input(0));
  KILN_ASSIGN_OR_RETURN(const onnx::GraphProto *thenGraph,
                        graphAttribute(context, "then_branch"));
  KILN_ASSIGN_OR_RETURN(const onnx::GraphProto *elseGraph,
                        graphAttribute(context, "else_branch"));
  const size_t numOutputs = context.numOutputs();
  if (thenGraph->output_size() != static_cast<int>(numOutputs) ||
      elseGraph->output_size() != static_cast<int>(numOutputs))
    return context.invalid("both branches must have one output per output of "
                           "the node (" +
                           llvm::Twine(numOutputs) + ")");

  // A condition known now: only the taken branch exists.
  if (std::optional<bool> known = constantBool(condition)) {
    KILN_ASSIGN_OR_RETURN(
        SmallVector<Value> outputs,
        importTensorSubgraph(*known ? *thenGraph : *elseGraph, {},
                       *known ? "then_branch" : "else_branch"));
    for (auto [index, value] : llvm::enumerate(outputs))
      context.setOutput(index, value);
    return llvm::Error::success();
  }

  KILN_ASSIGN_OR_RETURN(Value flag,
                        extractCondition(context, condition, "cond"));
  DetachedBlock thenBlock, elseBlock;
  SmallVector<Value> thenOutputs, elseOutputs;
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(thenBlock.get());
    KILN_ASSIGN_OR_RETURN(thenOutputs,
                          importTensorSubgraph(*thenGraph, {}, "then_branch"));
    builder.setInsertionPointToEnd(elseBlock.get());
    KILN_ASSIGN_OR_RETURN(elseOutputs,
                          importTensorSubgraph(*elseGraph, {}, "else_branch"));
  }
  // Both branches must yield the same types; a dim one branch leaves dynamic
  // takes the other's static size.
  SmallVector<Type> resultTypes;
  for (size_t i = 0; i < numOutputs; ++i) {
    Type thenType = thenOutputs[i].getType(),
         elseType = elseOutputs[i].getType();
    auto thenTensor = cast<RankedTensorType>(thenType);
    resultTypes.push_back(thenTensor.hasStaticShape() ? thenType : elseType);
  }
  for (auto [block, outputs] : {std::pair(thenBlock.get(), &thenOutputs),
                                std::pair(elseBlock.get(), &elseOutputs)}) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(block);
    for (size_t i = 0; i < numOutputs; ++i) {
      KILN_ASSIGN_OR_RETURN(
          (*outputs)[i],
          castTo(context, (*outputs)[i], resultTypes[i],
                 "output " + llvm::Twine(i) + " of the " +
                     (block == thenBlock.get() ? "then" : "else") + " branch"));
    }
    scf::YieldOp::create(builder, context.loc, *outputs);
  }
  auto ifOp = scf::IfOp::create(builder, context.loc, resultTypes, flag,
                                /*addThenBlock=*/false,
                                /*addElseBlock=*/false);
  ifOp.getThenRegion().push_back(thenBlock.release());
  ifOp.getElseRegion().push_back(elseBlock.release());
  for (auto [index, result] : llvm::enumerate(ifOp.getResults()))
    context.setOutput(index, result);
  return llvm::Error::success();
}

namespace {

/// What a Loop node asks for, checked.
struct LoopPlan {
  int64_t tripCount = 0;
  bool conditionMatters = false; ///< the body's condition output is read
  SmallVector<Value> carriedInits;
  int64_t numScans = 0;
  const onnx::GraphProto *body = nullptr;
};

llvm::Expected<LoopPlan> planLoop(NodeContext &context) {
  LoopPlan plan;
  KILN_ASSIGN_OR_RETURN(plan.body, graphAttribute(context, "body"));
  if (!context.hasInput(0))
    return context.unsupported(
        "a Loop without a trip count runs until its condition turns false, "
        "so its results have dynamic shapes; Kiln compiles only loops with a "
        "trip count known when the model is compiled");
  std::optional<SmallVector<int64_t>> tripCount = context.constantInts(0);
  if (!tripCount || tripCount->size() != 1)
    return context.unsupported(
        "the trip count (input 0, M) must be known when the model is "
        "compiled; loops over a run-time trip count are not supported yet");
  plan.tripCount = std::max<int64_t>(0, tripCount->front());
  if (context.hasInput(1)) {
    std::optional<bool> initial = constantBool(context.optionalInput(1));
    if (!initial)
      return context.unsupported(
          "the loop condition (input 1, cond) must be known when the model "
          "is compiled; data-dependent termination is not supported yet");
    if (!*initial)
      plan.tripCount = 0;
    plan.conditionMatters = true;
  }
  const int64_t numCarried = static_cast<int64_t>(context.numInputs()) - 2;
  if (numCarried < 0)
    return context.invalid("Loop needs inputs M and cond (either may be '')");
  for (int64_t i = 0; i < numCarried; ++i) {
    KILN_ASSIGN_OR_RETURN(Value init, context.input(2 + i));
    plan.carriedInits.push_back(init);
  }
  plan.numScans = plan.body->output_size() - 1 - numCarried;
  if (plan.body->input_size() != numCarried + 2 || plan.numScans < 0)
    return context.invalid(
        "the body must take the iteration number, the condition and the " +
        llvm::Twine(numCarried) +
        " loop-carried values, and return the condition, the loop-carried "
        "values and the scan outputs");
  if (static_cast<int64_t>(context.numOutputs()) > numCarried + plan.numScans)
    return context.invalid("the node has more outputs than its body produces");
  return plan;
}

/// The type of a one-element body input (the iteration number or the
/// condition): the shape the body declares for it (rank 0 when it declares
/// none) with `elementType`.
RankedTensorType scalarInputType(RankedTensorType declared, Type elementType) {
  SmallVector<int64_t> shape;
  if (declared && declared.hasStaticShape() && declared.getNumElements() == 1)
    shape.assign(declared.getShape().begin(), declared.getShape().end());
  return RankedTensorType::get(shape, elementType);
}

} // namespace

llvm::Error GraphImporter::importLoop(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(LoopPlan plan, planLoop(context));
  const onnx::GraphProto &body = *plan.body;
  Location loc = context.loc;
  Type indexType = builder.getIndexType();

  // The body, imported into a detached block whose arguments are the
  // induction variable and the loop-carried values.
  DetachedBlock block;
  Value induction = block.get()->addArgument(indexType, loc);
  SmallVector<Value> bodyInputs;
  SmallVector<Value> carriedOutputs, scanOutputs;
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(block.get());
    Value iteration = arith::IndexCastOp::create(
        builder, loc, builder.getI64Type(), induction);
    bodyInputs.push_back(tensor::FromElementsOp::create(
        builder, loc,
        scalarInputType(declaredTypeOf(getContext(), body.input(0)),
                        builder.getI64Type()),
        iteration));
    // The condition inside the body is true on every iteration that runs; a
    // kiln constant, so that a body passing it on is seen to keep it true.
    bodyInputs.push_back(constant(
        builder, loc,
        DenseElementsAttr::get(
            scalarInputType(declaredTypeOf(getContext(), body.input(1)),
                            builder.getI1Type()),
            true)));
    for (Value init : plan.carriedInits)
      bodyInputs.push_back(block.get()->addArgument(init.getType(), loc));
    KILN_ASSIGN_OR_RETURN(SmallVector<Value> outputs,
                          importTensorSubgraph(body, bodyInputs, "the body"));
    if (plan.conditionMatters) {
      std::optional<bool> stays = constantBool(outputs.front());
      if (!stays || !*stays)
        return context.unsupported(
            "the body computes the loop condition from data, so the number "
            "of iterations is known only at run time; Kiln compiles loops "
            "whose condition stays true");
    }
    for (auto [index, init] : llvm::enumerate(plan.carriedInits)) {
      KILN_ASSIGN_OR_RETURN(
          Value carried,
          castTo(context, outputs[1 + index], init.getType(),
                 "loop-carried value '" + body.output(1 + index).name() + "'"));
      carriedOutputs.push_back(carried);
    }
    scanOutputs.assign(outputs.begin() + 1 + plan.carriedInits.size(),
                       outputs.end());
  }

  // Each scan output collects its per-iteration values along a new first dim
  // of the trip count.
  SmallVector<Value> inits(plan.carriedInits);
  for (auto [index, scan] : llvm::enumerate(scanOutputs)) {
    auto type = cast<RankedTensorType>(scan.getType());
    std::string name = body.output(1 + plan.carriedInits.size() + index).name();
    if (!type.hasStaticShape())
      return context.unsupported("scan output '" + name + "' has type " +
                                 typeText(type) +
                                 "; Kiln needs a static shape per iteration");
    std::vector<int64_t> shape = {plan.tripCount};
    shape.insert(shape.end(), type.getShape().begin(), type.getShape().end());
    auto count = checkedElementCount(shape, 8, "scan output '" + name + "'");
    if (!count)
      return count.takeError();
    inits.push_back(tensor::EmptyOp::create(
        builder, loc, SmallVector<int64_t>(shape.begin(), shape.end()),
        type.getElementType()));
  }

  Value lower = arith::ConstantIndexOp::create(builder, loc, 0);
  Value upper = arith::ConstantIndexOp::create(builder, loc, plan.tripCount);
  Value step = arith::ConstantIndexOp::create(builder, loc, 1);
  auto forOp = scf::ForOp::create(builder, loc, lower, upper, step, inits);
  Block *loopBody = forOp.getBody();
  // Without iter_args the builder added an empty yield; the real one follows.
  if (!loopBody->empty())
    loopBody->back().erase();
  // Move the imported ops in, wired to the loop's own block arguments.
  for (auto [old, replacement] :
       llvm::zip(block.get()->getArguments(), loopBody->getArguments()))
    old.replaceAllUsesWith(replacement);
  loopBody->getOperations().splice(loopBody->end(),
                                   block.get()->getOperations());
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(loopBody);
    SmallVector<Value> yields(carriedOutputs);
    auto accumulators =
        loopBody->getArguments().drop_front(1 + plan.carriedInits.size());
    for (auto [scan, accumulator] : llvm::zip(scanOutputs, accumulators)) {
      auto type = cast<RankedTensorType>(scan.getType());
      SmallVector<OpFoldResult> offsets = {forOp.getInductionVar()};
      SmallVector<OpFoldResult> sizes = {builder.getIndexAttr(1)};
      for (int64_t dim : type.getShape()) {
        offsets.push_back(builder.getIndexAttr(0));
        sizes.push_back(builder.getIndexAttr(dim));
      }
      SmallVector<OpFoldResult> strides(sizes.size(), builder.getIndexAttr(1));
      yields.push_back(tensor::InsertSliceOp::create(
          builder, loc, scan, accumulator, offsets, sizes, strides));
    }
    scf::YieldOp::create(builder, loc, yields);
  }
  for (auto [index, result] : llvm::enumerate(forOp.getResults()))
    context.setOutput(index, result);
  return llvm::Error::success();
}

} // namespace kiln::onnx_import
