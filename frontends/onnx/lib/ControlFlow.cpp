//===- ControlFlow.cpp - ONNX If, Loop and Scan to scf on tensors ---------===//
//
// If, Loop and Scan carry subgraphs (branches, a loop body) that read values
// of the graphs around them, so the importer converts them itself rather than
// through the converter registry:
//
//   * If with a condition known at import time imports the taken branch
//     inline; otherwise both branches go into the regions of an `scf.if` on
//     tensors, each output passed in a layout both branches fit
//     (RunTimeValues.h: `?` where dims differ, sequences and optionals held
//     in tensors where the branches disagree on them).
//   * Loop whose body passes the condition on unchanged (or that has no
//     condition) becomes an `scf.for` that carries the loop-carried values;
//     each scan output is collected into a tensor of the trip count with
//     `tensor.insert_slice`. With the trip count and condition known at
//     import time the bounds and scan outputs are static; otherwise the trip
//     count (M, or 0 when cond is false) is read at run time, checked, and
//     sizes the scan outputs' first dim.
//   * Loop whose body computes the condition becomes an `scf.while` carrying
//     the iteration number and the condition; scan outputs grow by doubling
//     and keep the rows of the iterations that ran. So does a Loop whose
//     loop-carried sequences or optionals are held in tensors.
//   * Scan (opset 9 and later) becomes an `scf.for` over the static length of
//     its scan inputs, slicing each input and collecting each output along
//     its axis, in either direction.
//
// A subgraph is first imported into a detached block, since the types of its
// outputs (and so of the scf op's results) are known only afterwards; its ops
// then move into the scf op's region.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "NodeContext.h"
#include "RunTimeValues.h"
#include "ops/ConverterUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Frontends/ONNX/TensorData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"

#include <limits>

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
  return defaultDomain && (node.op_type() == "If" || node.op_type() == "Loop" ||
                           node.op_type() == "Scan");
}

llvm::Error GraphImporter::importControlFlow(NodeContext &context) {
  if (context.node.op_type() == "If")
    return importIf(context);
  if (context.node.op_type() == "Scan")
    return importScan(context);
  return importLoop(context);
}

llvm::Expected<SmallVector<ImportedValue>>
GraphImporter::importValueSubgraph(const onnx::GraphProto &graph,
                                   ArrayRef<ImportedValue> inputs,
                                   llvm::StringRef what) {
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
  llvm::scope_exit restore([&] {
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
    defineValue(input.name(), value);
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
  SmallVector<ImportedValue> outputs;
  for (const auto &output : graph.output()) {
    std::optional<ImportedValue> value = lookupValue(output.name());
    if (!value)
      return llvm::createStringError(what + ": output '" + output.name() +
                                     "' is not produced by any node");
    outputs.push_back(*value);
  }
  return outputs;
}

llvm::Expected<SmallVector<Value>>
GraphImporter::importTensorSubgraph(const onnx::GraphProto &graph,
                                    ValueRange inputs, llvm::StringRef what) {
  SmallVector<ImportedValue> bound;
  for (Value input : inputs)
    bound.push_back(ImportedValue::ofTensor(input));
  KILN_ASSIGN_OR_RETURN(SmallVector<ImportedValue> outputs,
                        importValueSubgraph(graph, bound, what));
  SmallVector<Value> tensors;
  for (auto [index, output] : llvm::enumerate(outputs)) {
    if (output.kind != ImportedValue::Tensor)
      return llvm::make_error<UnsupportedError>(
          (what + ": output '" + graph.output(index).name() +
           "' is a sequence or an optional, which Kiln does not take here")
              .str());
    tensors.push_back(output.tensor);
  }
  return tensors;
}

llvm::Error GraphImporter::importRunTimeIf(NodeContext &context,
                                           Value condition,
                                           const onnx::GraphProto &thenGraph,
                                           const onnx::GraphProto &elseGraph) {
  KILN_ASSIGN_OR_RETURN(Value flag,
                        extractCondition(context, condition, "cond"));
  const size_t numOutputs = context.numOutputs();
  DetachedBlock thenBlock, elseBlock;
  SmallVector<ImportedValue> thenOutputs, elseOutputs;
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(thenBlock.get());
    KILN_ASSIGN_OR_RETURN(thenOutputs,
                          importValueSubgraph(thenGraph, {}, "then_branch"));
    builder.setInsertionPointToEnd(elseBlock.get());
    KILN_ASSIGN_OR_RETURN(elseOutputs,
                          importValueSubgraph(elseGraph, {}, "else_branch"));
  }
  // One layout per output that both branches can yield: sequences of one
  // length stay lists, others are held in tensors; an optional that one
  // branch leaves empty gets a run-time flag.
  SmallVector<ValueLayout> layouts;
  SmallVector<Type> resultTypes;
  for (size_t i = 0; i < numOutputs; ++i) {
    KILN_ASSIGN_OR_RETURN(
        ValueLayout layout,
        joinLayouts(context, layoutOf(thenOutputs[i]), layoutOf(elseOutputs[i]),
                    /*listsAsTensors=*/false,
                    "output " + llvm::Twine(i) + " of the branches"));
    llvm::append_range(resultTypes, layout.tensorTypes());
    layouts.push_back(std::move(layout));
  }
  for (auto [block, outputs] : {std::pair(thenBlock.get(), &thenOutputs),
                                std::pair(elseBlock.get(), &elseOutputs)}) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(block);
    SmallVector<Value> yields;
    for (size_t i = 0; i < numOutputs; ++i) {
      KILN_ASSIGN_OR_RETURN(
          SmallVector<Value> tensors,
          passAs(context, (*outputs)[i], layouts[i],
                 "output " + llvm::Twine(i) + " of the " +
                     (block == thenBlock.get() ? "then" : "else") + " branch"));
      llvm::append_range(yields, tensors);
    }
    scf::YieldOp::create(builder, context.loc, yields);
  }
  auto ifOp = scf::IfOp::create(builder, context.loc, resultTypes, flag,
                                /*addThenBlock=*/false,
                                /*addElseBlock=*/false);
  ifOp.getThenRegion().push_back(thenBlock.release());
  ifOp.getElseRegion().push_back(elseBlock.release());
  ValueRange results = ifOp.getResults();
  for (size_t i = 0; i < numOutputs; ++i) {
    size_t count = layouts[i].tensorTypes().size();
    context.setValueOutput(i, receiveAs(results.take_front(count), layouts[i]));
    results = results.drop_front(count);
  }
  return llvm::Error::success();
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

  // A condition known now: only the taken branch exists, and it may yield
  // anything.
  if (std::optional<bool> known = constantBool(condition)) {
    KILN_ASSIGN_OR_RETURN(
        SmallVector<ImportedValue> outputs,
        importValueSubgraph(*known ? *thenGraph : *elseGraph, {},
                            *known ? "then_branch" : "else_branch"));
    for (auto [index, value] : llvm::enumerate(outputs))
      context.setValueOutput(index, value);
    return llvm::Error::success();
  }
  return importRunTimeIf(context, condition, *thenGraph, *elseGraph);
}

//===--- Loop -------------------------------------------------------------===//

/// What a Loop node asks for, checked.
struct LoopPlan {
  const onnx::GraphProto *body = nullptr;
  /// M, when present, and its value when known at import time.
  Value tripCount;
  std::optional<int64_t> constantTripCount;
  /// cond, when present, and its value when known at import time (an absent
  /// cond is a constant true).
  Value condition;
  std::optional<bool> constantCondition = true;
  /// The loop-carried values as the node receives them, how each is carried
  /// (a sequence in tensors, an optional with a run-time flag), and the
  /// tensors that carry them into the first iteration.
  SmallVector<ImportedValue> carriedValues;
  SmallVector<ValueLayout> carriedLayouts;
  SmallVector<Value> carriedInits;
  int64_t numScans = 0;
};

/// A Loop body imported into a detached block whose arguments are the
/// iteration number (an index) and the loop-carried values.
struct LoopBody {
  Value conditionOut; ///< what the body returns as the next condition
  /// What the body returns for the loop-carried values, and the tensors that
  /// carry them to the next iteration (once the layouts are settled).
  SmallVector<ImportedValue> carriedValues;
  SmallVector<Value> carriedOutputs, scanOutputs;
  SmallVector<std::string> scanNames;
};

namespace {

/// Checks that `value` is a one-element tensor (rank 0 or [1], [1, 1], ...) of
/// `elementType`; `what` names it in the error.
llvm::Error checkScalar(NodeContext &context, Value value, Type elementType,
                        const llvm::Twine &what) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() != elementType || !type.hasStaticShape() ||
      type.getNumElements() != 1)
    return context.invalid(what + " must be a single " + typeText(elementType) +
                           ", not " + typeText(type));
  return llvm::Error::success();
}

/// Reads the one element of a one-element tensor.
Value extractScalar(OpBuilder &builder, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  return tensor::ExtractOp::create(builder, loc, value, indices);
}

llvm::Expected<LoopPlan> planLoop(NodeContext &context) {
  LoopPlan plan;
  KILN_ASSIGN_OR_RETURN(plan.body, graphAttribute(context, "body"));
  OpBuilder &builder = context.builder;
  if (context.hasInput(0)) {
    KILN_ASSIGN_OR_RETURN(plan.tripCount, context.input(0));
    if (llvm::Error error = checkScalar(context, plan.tripCount,
                                        builder.getI64Type(), "input 0 (M)"))
      return std::move(error);
    if (std::optional<SmallVector<int64_t>> known = context.constantInts(0);
        known && known->size() == 1)
      plan.constantTripCount = known->front();
  }
  if (context.hasInput(1)) {
    KILN_ASSIGN_OR_RETURN(plan.condition, context.input(1));
    if (llvm::Error error = checkScalar(context, plan.condition,
                                        builder.getI1Type(), "input 1 (cond)"))
      return std::move(error);
    plan.constantCondition = constantBool(plan.condition);
  }
  if (!plan.tripCount && !plan.condition)
    return context.unsupported(
        "a Loop with neither a trip count (M) nor a condition (cond) never "
        "ends");
  const int64_t numCarried = static_cast<int64_t>(context.numInputs()) - 2;
  if (numCarried < 0)
    return context.invalid("Loop needs inputs M and cond (either may be '')");
  for (int64_t i = 0; i < numCarried; ++i) {
    KILN_ASSIGN_OR_RETURN(ImportedValue init, context.valueInput(2 + i));
    // A tensor keeps its type; a sequence changes length, so it is carried
    // in tensors.
    ValueLayout layout = layoutOf(init);
    if (init.kind != ImportedValue::Tensor) {
      KILN_ASSIGN_OR_RETURN(
          layout, joinLayouts(context, layout, layout,
                              /*listsAsTensors=*/true,
                              "loop-carried value " + llvm::Twine(i)));
    }
    plan.carriedValues.push_back(std::move(init));
    plan.carriedLayouts.push_back(std::move(layout));
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

/// Checks that every scan output has a static shape per iteration.
llvm::Error checkScanShapes(NodeContext &context, const LoopBody &body) {
  for (auto [scan, name] : llvm::zip(body.scanOutputs, body.scanNames)) {
    auto type = cast<RankedTensorType>(scan.getType());
    if (!type.hasStaticShape())
      return context.unsupported("scan output '" + name + "' has type " +
                                 typeText(type) +
                                 "; Kiln needs a static shape per iteration");
  }
  return llvm::Error::success();
}

/// The type of the tensor that collects the values of `scan` along a new
/// first dim of `rows` (dynamic when null).
RankedTensorType stackedType(Value scan, std::optional<int64_t> rows) {
  auto type = cast<RankedTensorType>(scan.getType());
  SmallVector<int64_t> shape = {rows ? *rows : ShapedType::kDynamic};
  shape.append(type.getShape().begin(), type.getShape().end());
  return RankedTensorType::get(shape, type.getElementType());
}

/// Inserts `scan` into row `row` of `stack`.
Value insertRow(OpBuilder &builder, Location loc, Value scan, Value stack,
                OpFoldResult row) {
  auto type = cast<RankedTensorType>(scan.getType());
  SmallVector<OpFoldResult> offsets = {row};
  SmallVector<OpFoldResult> sizes = {builder.getIndexAttr(1)};
  for (int64_t dim : type.getShape()) {
    offsets.push_back(builder.getIndexAttr(0));
    sizes.push_back(builder.getIndexAttr(dim));
  }
  SmallVector<OpFoldResult> strides(sizes.size(), builder.getIndexAttr(1));
  return tensor::InsertSliceOp::create(builder, loc, scan, stack, offsets,
                                       sizes, strides);
}

/// Moves the ops of `block` to the end of `target`, with the block's
/// arguments replaced by `arguments`. The values in `outputs` that are the
/// block's arguments themselves (a body that returns an input unchanged) are
/// replaced too.
void spliceBody(Block *block, Block *target, ValueRange arguments,
                llvm::ArrayRef<SmallVectorImpl<Value> *> outputs) {
  for (SmallVectorImpl<Value> *list : outputs)
    for (Value &value : *list)
      if (auto argument = dyn_cast<BlockArgument>(value);
          argument && argument.getOwner() == block)
        value = arguments[argument.getArgNumber()];
  for (auto [old, replacement] : llvm::zip(block->getArguments(), arguments))
    old.replaceAllUsesWith(replacement);
  target->getOperations().splice(target->end(), block->getOperations());
}

/// Builds the `scf.for` of a Loop that runs `tripCount` iterations (an index
/// value; a constant gives static scan outputs), and returns its results.
SmallVector<Value> emitForLoop(NodeContext &context, const LoopPlan &plan,
                               LoopBody &body, Block *block, Value tripCount) {
  OpBuilder &builder = context.builder;
  Location loc = context.loc;
  // Each scan output collects its per-iteration values along a new first dim
  // of the trip count, allocated once before the loop.
  SmallVector<Value> inits(plan.carriedInits);
  std::optional<int64_t> rows = getConstantIntValue(tripCount);
  for (Value scan : body.scanOutputs) {
    RankedTensorType type = stackedType(scan, rows);
    inits.push_back(tensor::EmptyOp::create(
        builder, loc, type, rows ? ValueRange() : ValueRange(tripCount)));
  }
  Value lower = arith::ConstantIndexOp::create(builder, loc, 0);
  Value step = arith::ConstantIndexOp::create(builder, loc, 1);
  auto forOp = scf::ForOp::create(builder, loc, lower, tripCount, step, inits);
  Block *loopBody = forOp.getBody();
  // Without iter_args the builder added an empty yield; the real one follows.
  if (!loopBody->empty())
    loopBody->back().erase();
  spliceBody(block, loopBody,
             loopBody->getArguments().take_front(1 + plan.carriedInits.size()),
             {&body.carriedOutputs, &body.scanOutputs});
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(loopBody);
  SmallVector<Value> yields(body.carriedOutputs);
  auto stacks =
      loopBody->getArguments().drop_front(1 + plan.carriedInits.size());
  for (auto [scan, stack] : llvm::zip(body.scanOutputs, stacks))
    yields.push_back(
        insertRow(builder, loc, scan, stack, forOp.getInductionVar()));
  scf::YieldOp::create(builder, loc, yields);
  return SmallVector<Value>(forOp.getResults());
}

/// The number of iterations of a Loop whose body keeps the condition true:
/// M, or 0 when cond is false. With scan outputs, whose first dim it is, it
/// is checked at run time not to be negative nor so large that a scan output's
/// size overflows.
Value runTimeTripCount(NodeContext &context, const LoopPlan &plan,
                       const LoopBody &body) {
  OpBuilder &builder = context.builder;
  Location loc = context.loc;
  Value count = extractScalar(builder, loc, plan.tripCount);
  Value zero = arith::ConstantIntOp::create(builder, loc, 0, 64);
  if (plan.constantCondition == false)
    count = zero;
  else if (!plan.constantCondition)
    count = arith::SelectOp::create(
        builder, loc, extractScalar(builder, loc, plan.condition), count, zero);
  if (!body.scanOutputs.empty()) {
    context.emitCheck(arith::CmpIOp::create(
                          builder, loc, arith::CmpIPredicate::sge, count, zero),
                      "the trip count M is negative; a Loop with scan outputs "
                      "needs M >= 0");
    // Bytes per iteration of the largest scan output bound M.
    int64_t rowBytes = 1;
    for (Value scan : body.scanOutputs) {
      auto type = cast<RankedTensorType>(scan.getType());
      int64_t bytes = std::max<int64_t>(
          1, type.getNumElements() *
                 std::max<int64_t>(1, type.getElementTypeBitWidth() / 8));
      rowBytes = std::max(rowBytes, bytes);
    }
    Value limit = arith::ConstantIntOp::create(
        builder, loc, std::numeric_limits<int64_t>::max() / rowBytes, 64);
    context.emitCheck(arith::CmpIOp::create(builder, loc,
                                            arith::CmpIPredicate::sle, count,
                                            limit),
                      "the trip count M is so large that the scan outputs' "
                      "size overflows");
  }
  return arith::IndexCastOp::create(builder, loc, builder.getIndexType(),
                                    count);
}

/// Makes room for row `row` in `stack`: when it is full, a new tensor of
/// twice its rows plus one takes its rows.
Value growIfFull(OpBuilder &builder, Location loc, Value stack, Value row) {
  auto type = cast<RankedTensorType>(stack.getType());
  Value rows = tensor::DimOp::create(builder, loc, stack, 0);
  Value full =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, row, rows);
  auto ifOp = scf::IfOp::create(builder, loc, TypeRange(type), full,
                                /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(ifOp.thenBlock());
    Value two = arith::ConstantIndexOp::create(builder, loc, 2);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    Value grownRows = arith::AddIOp::create(
        builder, loc, arith::MulIOp::create(builder, loc, rows, two), one);
    Value grown =
        tensor::EmptyOp::create(builder, loc, type, ValueRange(grownRows));
    SmallVector<OpFoldResult> offsets(type.getRank(), builder.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = {rows};
    for (int64_t dim : type.getShape().drop_front())
      sizes.push_back(builder.getIndexAttr(dim));
    SmallVector<OpFoldResult> strides(type.getRank(), builder.getIndexAttr(1));
    Value copied = tensor::InsertSliceOp::create(builder, loc, stack, grown,
                                                 offsets, sizes, strides);
    scf::YieldOp::create(builder, loc, copied);
    builder.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(builder, loc, stack);
  }
  return ifOp.getResult(0);
}

/// Builds the `scf.while` of a Loop whose body computes its condition: it
/// carries the iteration number, the condition, the loop-carried values and
/// one growing tensor per scan output, and runs while the condition holds and
/// (with M) fewer than M iterations ran. The scan outputs keep the rows of
/// the iterations that ran.
llvm::Expected<SmallVector<Value>> emitWhileLoop(NodeContext &context,
                                                 const LoopPlan &plan,
                                                 LoopBody &body, Block *block) {
  OpBuilder &builder = context.builder;
  Location loc = context.loc;
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value limit;
  if (plan.tripCount)
    limit =
        arith::IndexCastOp::create(builder, loc, builder.getIndexType(),
                                   extractScalar(builder, loc, plan.tripCount));
  Value go = plan.constantCondition
                 ? arith::ConstantIntOp::create(builder, loc,
                                                *plan.constantCondition, 1)
                       .getResult()
                 : extractScalar(builder, loc, plan.condition);
  SmallVector<Value> inits = {zero, go};
  inits.append(plan.carriedInits.begin(), plan.carriedInits.end());
  for (Value scan : body.scanOutputs)
    inits.push_back(tensor::EmptyOp::create(
        builder, loc, stackedType(scan, std::nullopt), ValueRange(zero)));
  const size_t numCarried = plan.carriedInits.size();

  auto whileOp = scf::WhileOp::create(
      builder, loc, TypeRange(ValueRange(inits)), inits,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange arguments) {
        Value proceed = arguments[1];
        if (limit)
          proceed = arith::AndIOp::create(
              nested, nestedLoc, proceed,
              arith::CmpIOp::create(nested, nestedLoc,
                                    arith::CmpIPredicate::slt, arguments[0],
                                    limit));
        scf::ConditionOp::create(nested, nestedLoc, proceed, arguments);
      },
      [](OpBuilder &, Location, ValueRange) {});
  Block *after = whileOp.getAfterBody();
  SmallVector<Value> bodyArguments = {after->getArgument(0)};
  for (size_t i = 0; i < numCarried; ++i)
    bodyArguments.push_back(after->getArgument(2 + i));
  SmallVector<Value> condition = {body.conditionOut};
  spliceBody(block, after, bodyArguments,
             {&body.carriedOutputs, &body.scanOutputs, &condition});
  body.conditionOut = condition.front();

  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(after);
  Value iteration = after->getArgument(0);
  SmallVector<Value> yields = {
      arith::AddIOp::create(builder, loc, iteration,
                            arith::ConstantIndexOp::create(builder, loc, 1))};
  KILN_ASSIGN_OR_RETURN(Value next,
                        extractCondition(context, body.conditionOut,
                                         "the body's condition output"));
  yields.push_back(next);
  yields.append(body.carriedOutputs.begin(), body.carriedOutputs.end());
  for (auto [index, scan] : llvm::enumerate(body.scanOutputs)) {
    Value stack = growIfFull(
        builder, loc, after->getArgument(2 + numCarried + index), iteration);
    yields.push_back(insertRow(builder, loc, scan, stack, iteration));
  }
  scf::YieldOp::create(builder, loc, yields);

  // Results: the loop-carried values, and the rows of the scan outputs that
  // the iterations filled.
  builder.setInsertionPointAfter(whileOp);
  Value count = whileOp.getResult(0);
  SmallVector<Value> results(whileOp.getResults().slice(2, numCarried).begin(),
                             whileOp.getResults().slice(2, numCarried).end());
  for (auto [index, scan] : llvm::enumerate(body.scanOutputs)) {
    Value stack = whileOp.getResult(2 + numCarried + index);
    auto type = cast<RankedTensorType>(stack.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), builder.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = {count};
    for (int64_t dim : type.getShape().drop_front())
      sizes.push_back(builder.getIndexAttr(dim));
    SmallVector<OpFoldResult> strides(type.getRank(), builder.getIndexAttr(1));
    results.push_back(tensor::ExtractSliceOp::create(builder, loc, type, stack,
                                                     offsets, sizes, strides));
  }
  return results;
}

} // namespace

llvm::Expected<LoopBody> GraphImporter::importLoopBody(NodeContext &context,
                                                       const LoopPlan &plan,
                                                       Block *block) {
  const onnx::GraphProto &body = *plan.body;
  Location loc = context.loc;
  Value induction = block->addArgument(builder.getIndexType(), loc);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  SmallVector<Value> bodyInputs;
  Value iteration =
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(), induction);
  bodyInputs.push_back(tensor::FromElementsOp::create(
      builder, loc,
      scalarInputType(declaredTypeOf(getContext(), body.input(0)),
                      builder.getI64Type()),
      iteration));
  // The condition inside the body is true on every iteration that runs; a
  // kiln constant, so that a body passing it on is seen to keep it true.
  bodyInputs.push_back(
      constant(builder, loc,
               DenseElementsAttr::get(
                   scalarInputType(declaredTypeOf(getContext(), body.input(1)),
                                   builder.getI1Type()),
                   true)));
  SmallVector<ImportedValue> boundInputs;
  for (Value input : bodyInputs)
    boundInputs.push_back(ImportedValue::ofTensor(input));
  for (const ValueLayout &layout : plan.carriedLayouts) {
    SmallVector<Value> arguments;
    for (Type type : layout.tensorTypes())
      arguments.push_back(block->addArgument(type, loc));
    boundInputs.push_back(receiveAs(arguments, layout));
  }
  KILN_ASSIGN_OR_RETURN(SmallVector<ImportedValue> outputs,
                        importValueSubgraph(body, boundInputs, "the body"));
  LoopBody result;
  if (outputs.front().kind != ImportedValue::Tensor)
    return context.invalid("the body's condition output must be a tensor");
  result.conditionOut = outputs.front().tensor;
  const size_t numCarried = plan.carriedLayouts.size();
  result.carriedValues.assign(outputs.begin() + 1,
                              outputs.begin() + 1 + numCarried);
  for (size_t index = 1 + numCarried; index < outputs.size(); ++index) {
    if (outputs[index].kind != ImportedValue::Tensor)
      return context.unsupported("scan output '" + body.output(index).name() +
                                 "' of a Loop body is not a tensor");
    result.scanOutputs.push_back(outputs[index].tensor);
    result.scanNames.push_back(body.output(index).name());
  }
  return result;
}

namespace {

/// The layouts that carry both what enters the loop (`plan`) and what the
/// body returns: a sequence may gain elements of other ranks, an optional
/// may become present.
llvm::Expected<SmallVector<ValueLayout>> settleLayouts(NodeContext &context,
                                                       const LoopPlan &plan,
                                                       const LoopBody &body) {
  SmallVector<ValueLayout> layouts;
  for (auto [index, layout] : llvm::enumerate(plan.carriedLayouts)) {
    if (layout.kind == ImportedValue::Tensor) {
      layouts.push_back(layout); // cast to the initial type, as before
      continue;
    }
    KILN_ASSIGN_OR_RETURN(
        ValueLayout joined,
        joinLayouts(context, layout, layoutOf(body.carriedValues[index]),
                    /*listsAsTensors=*/true,
                    "loop-carried value '" +
                        plan.body->output(1 + index).name() + "'"));
    layouts.push_back(std::move(joined));
  }
  return layouts;
}

} // namespace

llvm::Expected<LoopBody>
GraphImporter::importLoopBodyAndLayouts(NodeContext &context, LoopPlan &plan,
                                        Block *&block,
                                        std::unique_ptr<Block> &owner) {
  // A body whose carried sequences or optionals change kind (an element of
  // another rank, an optional that becomes present) is imported again with
  // the wider layout; each try widens it, so this ends.
  for (int attempt = 0;; ++attempt) {
    owner = std::make_unique<Block>();
    block = owner.get();
    KILN_ASSIGN_OR_RETURN(LoopBody body, importLoopBody(context, plan, block));
    KILN_ASSIGN_OR_RETURN(SmallVector<ValueLayout> layouts,
                          settleLayouts(context, plan, body));
    if (layouts != plan.carriedLayouts) {
      if (attempt == 8)
        return context.unsupported("the loop-carried sequences and optionals "
                                   "do not settle on one type");
      plan.carriedLayouts = std::move(layouts);
      continue;
    }
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(block);
    for (auto [index, layout] : llvm::enumerate(plan.carriedLayouts)) {
      KILN_ASSIGN_OR_RETURN(SmallVector<Value> tensors,
                            passAs(context, body.carriedValues[index], layout,
                                   "loop-carried value '" +
                                       plan.body->output(1 + index).name() +
                                       "'"));
      llvm::append_range(body.carriedOutputs, tensors);
    }
    return body;
  }
}

llvm::Error GraphImporter::importLoop(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(LoopPlan plan, planLoop(context));
  Block *bodyBlock = nullptr;
  std::unique_ptr<Block> bodyOwner;
  KILN_ASSIGN_OR_RETURN(
      LoopBody body,
      importLoopBodyAndLayouts(context, plan, bodyBlock, bodyOwner));
  for (auto [index, layout] : llvm::enumerate(plan.carriedLayouts)) {
    KILN_ASSIGN_OR_RETURN(SmallVector<Value> tensors,
                          passAs(context, plan.carriedValues[index], layout,
                                 "loop-carried value " + llvm::Twine(index)));
    llvm::append_range(plan.carriedInits, tensors);
  }
  // The emitters move the body's ops into the loop; the emptied block is
  // freed with bodyOwner.
  if (llvm::Error error = checkScanShapes(context, body))
    return error;
  // Without cond the Loop is a for loop and ignores the body's condition.
  bool staysTrue =
      !plan.condition || constantBool(body.conditionOut).value_or(false);
  // scf.for's canonicalization gives a carried value the static type of its
  // initial tensor (folding the tensor.cast), which a growing sequence does
  // not keep: loops that carry sequences or optionals in tensors are
  // scf.while loops.
  bool carriesRunTimeValues =
      llvm::any_of(plan.carriedLayouts, [](const ValueLayout &layout) {
        return layout.kind != ImportedValue::Tensor;
      });
  SmallVector<Value> results;
  if (!staysTrue || (carriesRunTimeValues && plan.tripCount &&
                     plan.constantCondition != false)) {
    KILN_ASSIGN_OR_RETURN(results,
                          emitWhileLoop(context, plan, body, bodyBlock));
  } else if (plan.constantCondition == false) {
    results =
        emitForLoop(context, plan, body, bodyBlock,
                    arith::ConstantIndexOp::create(builder, context.loc, 0));
  } else if (!plan.tripCount) {
    return context.unsupported(
        "the body passes the condition on unchanged and there is no trip "
        "count (M), so the loop never ends once it starts");
  } else if (plan.constantTripCount && plan.constantCondition) {
    // Known now: a static trip count (a negative one runs no iteration).
    const int64_t tripCount = std::max<int64_t>(0, *plan.constantTripCount);
    for (auto [scan, name] : llvm::zip(body.scanOutputs, body.scanNames)) {
      ArrayRef<int64_t> shape = stackedType(scan, tripCount).getShape();
      auto count = checkedElementCount({shape.begin(), shape.end()}, 8,
                                       "scan output '" + name + "'");
      if (!count)
        return count.takeError();
    }
    results = emitForLoop(
        context, plan, body, bodyBlock,
        arith::ConstantIndexOp::create(builder, context.loc, tripCount));
  } else {
    results = emitForLoop(context, plan, body, bodyBlock,
                          runTimeTripCount(context, plan, body));
  }
  ValueRange remaining = results;
  for (auto [index, layout] : llvm::enumerate(plan.carriedLayouts)) {
    size_t count = layout.tensorTypes().size();
    context.setValueOutput(index,
                           receiveAs(remaining.take_front(count), layout));
    remaining = remaining.drop_front(count);
  }
  for (auto [index, result] : llvm::enumerate(remaining))
    context.setOutput(plan.carriedLayouts.size() + index, result);
  return llvm::Error::success();
}

//===--- Scan -------------------------------------------------------------===//

namespace {

/// Where a scan input or output of a Scan node runs: along which axis, and
/// whether from the end.
struct ScanAxis {
  int64_t axis = 0;
  bool reverse = false;
};

/// The axes (attribute `axesName`, default 0) and directions (attribute
/// `directionsName`, default forward) of scans of ranks `ranks`.
llvm::Expected<SmallVector<ScanAxis>>
readScanAxes(NodeContext &context, llvm::StringRef axesName,
             llvm::StringRef directionsName, ArrayRef<int64_t> ranks) {
  SmallVector<int64_t> zeros(ranks.size(), 0);
  SmallVector<int64_t> axes = context.intsAttribute(axesName, zeros);
  SmallVector<int64_t> directions =
      context.intsAttribute(directionsName, zeros);
  for (auto [name, values] :
       {std::pair(axesName, &axes), std::pair(directionsName, &directions)})
    if (values->size() != ranks.size())
      return context.invalid("attribute '" + name + "' has " +
                             llvm::Twine(values->size()) + " entries where " +
                             llvm::Twine(ranks.size()) + " are needed");
  SmallVector<ScanAxis> result;
  for (auto [axis, direction, rank] : llvm::zip(axes, directions, ranks)) {
    KILN_ASSIGN_OR_RETURN(int64_t normalized,
                          normalizeAxis(context, axis, rank, axesName));
    if (direction != 0 && direction != 1)
      return context.invalid("attribute '" + directionsName +
                             "' must hold 0 (forward) or 1 (reverse), not " +
                             llvm::Twine(direction));
    result.push_back({normalized, direction == 1});
  }
  return result;
}

/// The number of iterations of a Scan: the length of every scan input along
/// its axis, which must be static and the same for all.
llvm::Expected<int64_t> scanLength(NodeContext &context,
                                   ArrayRef<Value> scanInputs,
                                   ArrayRef<ScanAxis> axes) {
  std::optional<int64_t> length;
  for (auto [index, input, axis] : llvm::enumerate(scanInputs, axes)) {
    int64_t size =
        cast<RankedTensorType>(input.getType()).getDimSize(axis.axis);
    if (ShapedType::isDynamic(size))
      return context.unsupported(
          "scan input " + llvm::Twine(index) +
          " has a run-time length along "
          "axis " +
          llvm::Twine(axis.axis) +
          "; Kiln needs scan lengths known when the model is compiled");
    if (length && *length != size)
      return context.invalid("scan input " + llvm::Twine(index) + " has " +
                             llvm::Twine(size) +
                             " elements along its axis "
                             "where scan input 0 has " +
                             llvm::Twine(*length));
    length = size;
  }
  return *length;
}

/// Offsets, sizes and strides of the slice at `position` along `axis` of
/// `full` (a tensor of the whole scan) with one element along the axis.
void scanSlice(OpBuilder &builder, Location loc, Value full, int64_t axis,
               Value position, SmallVectorImpl<OpFoldResult> &offsets,
               SmallVectorImpl<OpFoldResult> &sizes,
               SmallVectorImpl<OpFoldResult> &strides) {
  sizes = tensor::getMixedSizes(builder, loc, full);
  sizes[axis] = builder.getIndexAttr(1);
  offsets.assign(sizes.size(), builder.getIndexAttr(0));
  offsets[axis] = position;
  strides.assign(sizes.size(), builder.getIndexAttr(1));
}

} // namespace

namespace {

/// What a Scan node asks for, checked.
struct ScanPlan {
  const onnx::GraphProto *body = nullptr;
  SmallVector<Value> stateInits, scanInputs;
  SmallVector<ScanAxis> inputAxes;
  int64_t length = 0;      ///< the number of iterations
  bool anyReverse = false; ///< whether a scan input or output runs backwards
};

llvm::Expected<ScanPlan> planScan(NodeContext &context) {
  ScanPlan plan;
  KILN_ASSIGN_OR_RETURN(plan.body, graphAttribute(context, "body"));
  const int64_t numInputs = context.numInputs();
  const int64_t numScanInputs = context.intAttribute("num_scan_inputs", 0);
  if (numScanInputs < 1 || numScanInputs > numInputs)
    return context.invalid("attribute 'num_scan_inputs' must be between 1 "
                           "and the number of inputs (" +
                           llvm::Twine(numInputs) + ")");
  const int64_t numStates = numInputs - numScanInputs;
  const int64_t numScanOutputs = plan.body->output_size() - numStates;
  if (plan.body->input_size() != numInputs || numScanOutputs < 0)
    return context.invalid(
        "the body must take the " + llvm::Twine(numStates) +
        " state variables and one element of each of the " +
        llvm::Twine(numScanInputs) +
        " scan inputs, and return the state variables and the scan outputs");
  if (static_cast<int64_t>(context.numOutputs()) > numStates + numScanOutputs)
    return context.invalid("the node has more outputs than its body produces");
  SmallVector<int64_t> inputRanks;
  for (int64_t i = 0; i < numInputs; ++i) {
    KILN_ASSIGN_OR_RETURN(Value input, context.input(i));
    (i < numStates ? plan.stateInits : plan.scanInputs).push_back(input);
    if (i >= numStates)
      inputRanks.push_back(cast<RankedTensorType>(input.getType()).getRank());
  }
  KILN_ASSIGN_OR_RETURN(plan.inputAxes,
                        readScanAxes(context, "scan_input_axes",
                                     "scan_input_directions", inputRanks));
  KILN_ASSIGN_OR_RETURN(plan.length,
                        scanLength(context, plan.scanInputs, plan.inputAxes));
  plan.anyReverse =
      llvm::any_of(plan.inputAxes,
                   [](ScanAxis axis) { return axis.reverse; }) ||
      llvm::is_contained(context.intsAttribute("scan_output_directions"), 1);
  return plan;
}

/// The element of each scan input that iteration `induction` reads (at
/// `reversed` for scans that run backwards), without the scan axis.
SmallVector<Value> sliceScanInputs(OpBuilder &builder, Location loc,
                                   const ScanPlan &plan, Value induction,
                                   Value reversed) {
  SmallVector<Value> slices;
  for (auto [input, axis] : llvm::zip(plan.scanInputs, plan.inputAxes)) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    scanSlice(builder, loc, input, axis.axis,
              axis.reverse ? reversed : induction, offsets, sizes, strides);
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape.erase(shape.begin() + axis.axis);
    slices.push_back(tensor::ExtractSliceOp::create(
        builder, loc, RankedTensorType::get(shape, type.getElementType()),
        input, offsets, sizes, strides));
  }
  return slices;
}

/// The axes of the scan outputs and the empty tensors that collect them:
/// each iteration's value along its axis, of the scan's length.
llvm::Error planScanOutputs(NodeContext &context, const ScanPlan &plan,
                            ArrayRef<Value> scanOutputs,
                            SmallVectorImpl<ScanAxis> &outputAxes,
                            SmallVectorImpl<Value> &stacks) {
  const int64_t numStates = plan.stateInits.size();
  auto nameOf = [&](size_t index) {
    return "scan output '" + plan.body->output(numStates + index).name() + "'";
  };
  SmallVector<int64_t> outputRanks;
  for (auto [index, scan] : llvm::enumerate(scanOutputs)) {
    auto type = cast<RankedTensorType>(scan.getType());
    if (!type.hasStaticShape())
      return context.unsupported(nameOf(index) + " has type " + typeText(type) +
                                 "; Kiln needs a static shape per iteration");
    outputRanks.push_back(type.getRank() + 1);
  }
  KILN_ASSIGN_OR_RETURN(SmallVector<ScanAxis> axes,
                        readScanAxes(context, "scan_output_axes",
                                     "scan_output_directions", outputRanks));
  outputAxes.assign(axes.begin(), axes.end());
  for (auto [index, scan, axis] : llvm::enumerate(scanOutputs, outputAxes)) {
    auto type = cast<RankedTensorType>(scan.getType());
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    shape.insert(shape.begin() + axis.axis, plan.length);
    auto count = checkedElementCount(shape, 8, nameOf(index));
    if (!count)
      return count.takeError();
    stacks.push_back(tensor::EmptyOp::create(
        context.builder, context.loc,
        SmallVector<int64_t>(shape.begin(), shape.end()),
        type.getElementType()));
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error GraphImporter::importScan(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(ScanPlan plan, planScan(context));
  const int64_t numStates = plan.stateInits.size();
  Location loc = context.loc;

  // The body, in a detached block whose arguments are the iteration number
  // and the state variables; it reads one slice of each scan input.
  DetachedBlock block;
  Value induction = block.get()->addArgument(builder.getIndexType(), loc);
  SmallVector<Value> stateOutputs, scanOutputs;
  Value reversed; // length - 1 - induction, when a scan runs backwards
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(block.get());
    if (plan.anyReverse)
      reversed = arith::SubIOp::create(
          builder, loc,
          arith::ConstantIndexOp::create(builder, loc, plan.length - 1),
          induction);
    SmallVector<Value> bodyInputs;
    for (Value init : plan.stateInits)
      bodyInputs.push_back(block.get()->addArgument(init.getType(), loc));
    llvm::append_range(
        bodyInputs, sliceScanInputs(builder, loc, plan, induction, reversed));
    KILN_ASSIGN_OR_RETURN(
        SmallVector<Value> outputs,
        importTensorSubgraph(*plan.body, bodyInputs, "the body"));
    for (auto [index, init] : llvm::enumerate(plan.stateInits)) {
      KILN_ASSIGN_OR_RETURN(
          Value state,
          castTo(context, outputs[index], init.getType(),
                 "state variable '" + plan.body->output(index).name() + "'"));
      stateOutputs.push_back(state);
    }
    scanOutputs.assign(outputs.begin() + numStates, outputs.end());
  }

  SmallVector<ScanAxis> outputAxes;
  SmallVector<Value> inits(plan.stateInits);
  if (llvm::Error error =
          planScanOutputs(context, plan, scanOutputs, outputAxes, inits))
    return error;
  Value lower = arith::ConstantIndexOp::create(builder, loc, 0);
  Value upper = arith::ConstantIndexOp::create(builder, loc, plan.length);
  Value step = arith::ConstantIndexOp::create(builder, loc, 1);
  auto forOp = scf::ForOp::create(builder, loc, lower, upper, step, inits);
  Block *loopBody = forOp.getBody();
  if (!loopBody->empty())
    loopBody->back().erase();
  spliceBody(block.get(), loopBody,
             loopBody->getArguments().take_front(1 + numStates),
             {&stateOutputs, &scanOutputs});
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(loopBody);
  SmallVector<Value> yields(stateOutputs);
  auto stacks = loopBody->getArguments().drop_front(1 + numStates);
  for (auto [scan, stack, axis] : llvm::zip(scanOutputs, stacks, outputAxes)) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    scanSlice(builder, loc, stack, axis.axis,
              axis.reverse ? reversed : forOp.getInductionVar(), offsets, sizes,
              strides);
    yields.push_back(tensor::InsertSliceOp::create(builder, loc, scan, stack,
                                                   offsets, sizes, strides));
  }
  scf::YieldOp::create(builder, loc, yields);
  for (auto [index, result] : llvm::enumerate(forOp.getResults()))
    context.setOutput(index, result);
  return llvm::Error::success();
}

} // namespace kiln::onnx_import
