//===- Reduction.cpp - ONNX reductions, arg-reductions, scans and TopK ----===//
//
// At opset 17 ReduceSum takes its axes as an input and the others as an
// attribute. No axes means every axis (or, with noop_with_empty_axes, no
// reduction at all). The reductions ONNX defines from others (ReduceL1/L2,
// ReduceLogSum, ReduceLogSumExp, ReduceSumSquare) are built from kiln
// reductions and elementwise ops; Hardmax is built from a max, elementwise
// ops and a cumulative sum.
//
// Inputs that are data in ONNX but attributes in kiln (ReduceSum's axes,
// CumSum's axis, TopK's k) are taken at compile time when they are known:
// constants, ONNX's data propagation, or (where it decides them) the output
// shape the model declares. Otherwise ReduceSum becomes
// kiln.dynamic_reduce_sum (and kiln.squeeze without keepdims) and CumSum
// kiln.dynamic_cumsum, which read them at run time; TopK's k must be known.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"
#include "DynamicShapeHelpers.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The axes a keepdims=1 reduction must have reduced to turn the input's shape
/// into the output shape the model declares: dims that become 1. Dims that
/// were 1 already may or may not be reduced; reducing them changes nothing.
/// Nothing when the declared shape does not decide.
std::optional<SmallVector<int64_t>>
axesFromDeclaredShape(NodeContext &context) {
  RankedTensorType input = context.inputType(0),
                   declared = context.inferredOutputType(0);
  if (!declared || !input.hasStaticShape() || !declared.hasStaticShape() ||
      declared.getRank() != input.getRank())
    return std::nullopt;
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < input.getRank(); ++d) {
    int64_t before = input.getDimSize(d), after = declared.getDimSize(d);
    if (after == before)
      continue;
    if (after != 1)
      return std::nullopt;
    axes.push_back(d);
  }
  return axes;
}

/// The axes of a ReduceSum whose axes input is not a constant: none when the
/// input is statically empty, else those the declared output shape implies.
llvm::Expected<SmallVector<int64_t>> nonConstantAxes(NodeContext &context,
                                                     bool &decided) {
  RankedTensorType axesType = context.inputType(1);
  if (axesType.hasStaticShape() && axesType.getNumElements() == 0)
    return SmallVector<int64_t>();
  if (context.intAttribute("keepdims", 1) != 0) {
    if (auto axes = axesFromDeclaredShape(context)) {
      decided = true;
      return *axes;
    }
  }
  return context.requireConstantInts(1, "the axes");
}

/// The normalized axes to reduce, or nothing when the node is a no-op.
llvm::Expected<std::optional<SmallVector<int64_t>>>
reductionAxes(NodeContext &context, bool axesFromInput) {
  int64_t rank = context.inputType(0).getRank();
  SmallVector<int64_t> axes;
  // Axes read from the declared output shape are exactly the dims to reduce,
  // even when there are none.
  bool decided = false;
  if (axesFromInput) {
    if (context.hasInput(1)) {
      if (auto constant = context.constantInts(1)) {
        axes = *constant;
      } else {
        KILN_ASSIGN_OR_RETURN(axes, nonConstantAxes(context, decided));
      }
    }
  } else {
    axes = context.intsAttribute("axes");
  }
  if (axes.empty()) {
    if (decided || context.intAttribute("noop_with_empty_axes", 0) != 0)
      return std::optional<SmallVector<int64_t>>();
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> normalized,
                        normalizeAxes(context, axes, rank));
  return std::optional<SmallVector<int64_t>>(normalized);
}

/// Builds the kiln form of one ONNX reduction of `input` over (normalized,
/// non-empty) `axes`.
using ReduceBuilder = llvm::Expected<Value> (*)(NodeContext &context,
                                                Value input,
                                                ArrayRef<int64_t> axes,
                                                bool keepDims);

template <typename OpTy>
llvm::Expected<Value> buildReduce(NodeContext &context, Value input,
                                  ArrayRef<int64_t> axes, bool keepDims) {
  return context.create<OpTy>(input, axes, keepDims);
}

/// Fails with "unsupported" for the integer inputs that the float-only kiln
/// ops (exp, log) a reduction is built from cannot take.
llvm::Error requireFloat(NodeContext &context, Value input) {
  if (isa<FloatType>(getElementTypeOrSelf(input.getType())))
    return llvm::Error::success();
  return context.unsupported(context.node.op_type() +
                             " of integer tensors (only floating point)");
}

/// sum(x * x)
llvm::Expected<Value> buildSumSquare(NodeContext &context, Value input,
                                     ArrayRef<int64_t> axes, bool keepDims) {
  KILN_ASSIGN_OR_RETURN(Value square, context.create<MulOp>(input, input));
  return context.create<ReduceSumOp>(square, axes, keepDims);
}

/// log(sum(x))
llvm::Expected<Value> buildLogSum(NodeContext &context, Value input,
                                  ArrayRef<int64_t> axes, bool keepDims) {
  if (llvm::Error error = requireFloat(context, input))
    return std::move(error);
  KILN_ASSIGN_OR_RETURN(Value sum,
                        context.create<ReduceSumOp>(input, axes, keepDims));
  return context.create<LogOp>(sum);
}

/// log(sum(exp(x - m))) + m with m = max(x), so that exp cannot overflow. (A
/// slice that is all -inf gives NaN, where the exact answer is -inf.)
llvm::Expected<Value> buildLogSumExp(NodeContext &context, Value input,
                                     ArrayRef<int64_t> axes, bool keepDims) {
  if (llvm::Error error = requireFloat(context, input))
    return std::move(error);
  KILN_ASSIGN_OR_RETURN(Value max,
                        context.create<ReduceMaxOp>(input, axes, true));
  KILN_ASSIGN_OR_RETURN(Value shifted, context.create<SubOp>(input, max));
  KILN_ASSIGN_OR_RETURN(Value exp, context.create<ExpOp>(shifted));
  KILN_ASSIGN_OR_RETURN(Value sum,
                        context.create<ReduceSumOp>(exp, axes, keepDims));
  KILN_ASSIGN_OR_RETURN(Value log, context.create<LogOp>(sum));
  if (!keepDims) {
    // The max with the reduced dims dropped; reshaping the one above would
    // need static shapes.
    KILN_ASSIGN_OR_RETURN(max, context.create<ReduceMaxOp>(input, axes, false));
  }
  return context.create<AddOp>(log, max);
}

/// sum(|x|).
llvm::Expected<Value> buildL1(NodeContext &context, Value input,
                              ArrayRef<int64_t> axes, bool keepDims) {
  KILN_ASSIGN_OR_RETURN(Value magnitude, context.create<AbsOp>(input));
  return context.create<ReduceSumOp>(magnitude, axes, keepDims);
}

/// sqrt(sum(x * x)), for floating-point inputs.
llvm::Expected<Value> buildL2(NodeContext &context, Value input,
                              ArrayRef<int64_t> axes, bool keepDims) {
  if (!isa<FloatType>(cast<RankedTensorType>(input.getType()).getElementType()))
    return context.unsupported("ReduceL2 of integers");
  KILN_ASSIGN_OR_RETURN(Value square, context.create<MulOp>(input, input));
  KILN_ASSIGN_OR_RETURN(Value sum,
                        context.create<ReduceSumOp>(square, axes, keepDims));
  return context.create<SqrtOp>(sum);
}

/// Whether ReduceSum's axes are a non-empty list known only at run time that
/// the declared output shape does not decide either.
bool hasRunTimeAxes(NodeContext &context) {
  if (!isRunTimeInput(context, 1))
    return false;
  RankedTensorType axesType = context.inputType(1);
  if (axesType.hasStaticShape() && axesType.getNumElements() == 0)
    return false;
  return context.intAttribute("keepdims", 1) == 0 ||
         !axesFromDeclaredShape(context);
}

/// ReduceSum over axes read at run time: kiln.dynamic_reduce_sum keeps the
/// reduced dims, kiln.squeeze removes them without keepdims.
llvm::Error convertRunTimeReduceSum(NodeContext &context, Value input) {
  KILN_ASSIGN_OR_RETURN(Value axes, context.input(1));
  KILN_ASSIGN_OR_RETURN(int64_t count,
                        requireStaticLength(context, 1, "the axes"));
  if (count > context.inputType(0).getRank())
    return context.invalid("more axes than the input has dims");
  KILN_ASSIGN_OR_RETURN(Value sum,
                        context.create<DynamicReduceSumOp>(input, axes));
  if (context.intAttribute("keepdims", 1) != 0) {
    context.setOutput(0, refineToDeclared(context, sum, 0));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(Value squeezed, context.create<SqueezeOp>(sum, axes));
  context.setOutput(0, refineToDeclared(context, squeezed, 0));
  return llvm::Error::success();
}

template <ReduceBuilder build, bool axesFromInput>
llvm::Error convertReduce(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  if (axesFromInput && hasRunTimeAxes(context))
    return convertRunTimeReduceSum(context, input);
  KILN_ASSIGN_OR_RETURN(auto axes, reductionAxes(context, axesFromInput));
  if (!axes) {
    context.setOutput(0, input);
    return llvm::Error::success();
  }
  bool keepDims = context.intAttribute("keepdims", 1) != 0;
  if (context.inputType(0).getRank() == 0) {
    // A scalar reduces over nothing, but ReduceSumSquare and the others still
    // apply their elementwise part: reduce it as [1] back to rank 0.
    KILN_ASSIGN_OR_RETURN(
        input, context.create<ReshapeOp>(input, ArrayRef<int64_t>{1}));
    axes = SmallVector<int64_t>{0};
    keepDims = false;
  }
  KILN_ASSIGN_OR_RETURN(Value result, build(context, input, *axes, keepDims));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ArgMax, ArgMin, Hardmax
//===----------------------------------------------------------------------===//

template <typename OpTy> llvm::Error convertArgReduce(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<OpTy>(
                        input, axis, context.intAttribute("keepdims", 1) != 0,
                        context.intAttribute("select_last_index", 0) != 0));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// 1 where `distance` (>= 0) is exactly 0, else 0, in float arithmetic that
/// is exact for every value: 2^254 times the smallest positive float is still
/// 2^105, so 1 - 2^254 * distance is 1 at 0 and hugely negative (or -inf)
/// elsewhere, and relu clamps it to 0.
llvm::Expected<Value> isZero(NodeContext &context, Value distance) {
  Type elementType = getElementTypeOrSelf(distance.getType());
  Value scale = context.scalar(elementType, 0x1p127);
  KILN_ASSIGN_OR_RETURN(Value scaled, context.create<MulOp>(distance, scale));
  KILN_ASSIGN_OR_RETURN(scaled, context.create<MulOp>(scaled, scale));
  KILN_ASSIGN_OR_RETURN(
      Value flipped,
      context.create<SubOp>(context.scalar(elementType, 1.0), scaled));
  return context.create<ReluOp>(flipped);
}

/// Hardmax: 1 at the first maximum along `axis`, 0 elsewhere. Kiln has no
/// comparison or cast op to turn arg_max's index into a one-hot tensor, so it
/// is built in float arithmetic: `max` marks every maximum (isZero(max - x)),
/// and a cumulative sum of the marks keeps the first (where it equals 1).
/// A NaN in a slice makes that slice NaN (ONNX would mark the first NaN).
llvm::Error convertHardmax(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return context.invalid("Hardmax takes a floating-point tensor");
  KILN_ASSIGN_OR_RETURN(
      int64_t axis,
      normalizeAxis(context, context.intAttribute("axis", -1), type.getRank()));
  SmallVector<int64_t> axes = {axis};
  KILN_ASSIGN_OR_RETURN(Value max,
                        context.create<ReduceMaxOp>(input, axes, true));
  KILN_ASSIGN_OR_RETURN(Value distance, context.create<SubOp>(max, input));
  KILN_ASSIGN_OR_RETURN(Value isMax, isZero(context, distance));
  KILN_ASSIGN_OR_RETURN(Value count, context.create<CumSumOp>(isMax, axis));
  // Counts are small integers: 2 - count is 1 at the first maximum and <= 0
  // after it, so relu(2 - count) keeps exactly the first.
  KILN_ASSIGN_OR_RETURN(
      Value keep,
      context.create<SubOp>(context.scalar(type.getElementType(), 2.0), count));
  KILN_ASSIGN_OR_RETURN(keep, context.create<ReluOp>(keep));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<MulOp>(isMax, keep));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// CumSum
//===----------------------------------------------------------------------===//

llvm::Error convertCumSum(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  int64_t rank = context.inputType(0).getRank();
  if (rank == 0)
    return context.invalid("CumSum needs an input of rank 1 or more");
  bool exclusive = context.intAttribute("exclusive", 0) != 0,
       reverse = context.intAttribute("reverse", 0) != 0;
  SmallVector<int64_t> axisValues;
  if (rank == 1) {
    axisValues = {0}; // the only valid axis, whatever the input says
  } else if (auto known = context.constantInts(1)) {
    axisValues = *known;
  } else {
    KILN_ASSIGN_OR_RETURN(Value axis, context.input(1));
    KILN_ASSIGN_OR_RETURN(Value result, context.create<DynamicCumSumOp>(
                                            input, axis, exclusive, reverse));
    context.setOutput(0, result);
    return llvm::Error::success();
  }
  if (axisValues.size() != 1)
    return context.invalid("the axis must hold one value");
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, axisValues[0], rank));
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<CumSumOp>(input, axis, exclusive, reverse));
  context.setOutput(0, result);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

/// k: the constant input, else the size the model declares for the values
/// along the axis (which fixes it).
llvm::Expected<int64_t> topKCount(NodeContext &context, int64_t axis) {
  if (!context.hasInput(1))
    return context.invalid("input 1 (K) is required but missing");
  if (auto given = context.constantInts(1)) {
    if (given->size() != 1)
      return context.invalid("K must hold one value");
    return (*given)[0];
  }
  RankedTensorType declared = context.inferredOutputType(0);
  if (declared && declared.getRank() == context.inputType(0).getRank() &&
      !declared.isDynamicDim(axis))
    return declared.getDimSize(axis);
  return context.unsupported(
      "K (input 1) must be known when the model is compiled");
}

/// Builds a kiln.top_k, whose two results NodeContext::create cannot build:
/// its result types are inferred here, and a type error becomes an error.
llvm::Expected<TopKOp> createTopK(NodeContext &context, Value input, int64_t k,
                                  int64_t axis, bool largest, bool sorted) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(
      context.builder.getContext(), [&](Diagnostic &diagnostic) {
        diagnostics += (diagnostics.empty() ? "" : "; ") + diagnostic.str();
        return success();
      });
  Type none = context.builder.getNoneType();
  auto op = TopKOp::create(context.builder, context.loc, TypeRange{none, none},
                           input, k, axis, largest, sorted);
  SmallVector<Type> types;
  if (failed(TopKOp::inferReturnTypes(
          context.builder.getContext(), op.getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), types))) {
    op->erase();
    return context.invalid(diagnostics);
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  if (failed(verify(op))) {
    op->erase();
    return context.invalid(diagnostics);
  }
  return op;
}

llvm::Error convertTopK(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", -1),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(int64_t k, topKCount(context, axis));
  KILN_ASSIGN_OR_RETURN(TopKOp topK,
                        createTopK(context, input, k, axis,
                                   context.intAttribute("largest", 1) != 0,
                                   context.intAttribute("sorted", 1) != 0));
  context.setOutput(0, topK.getValues());
  context.setOutput(1, topK.getIndices());
  return llvm::Error::success();
}

} // namespace

void registerReductionConverters(ConverterRegistry &registry) {
  registry.add("", "ReduceSum", convertReduce<buildReduce<ReduceSumOp>, true>);
  registry.add("", "ReduceMean",
               convertReduce<buildReduce<ReduceMeanOp>, false>);
  registry.add("", "ReduceMax", convertReduce<buildReduce<ReduceMaxOp>, false>);
  registry.add("", "ReduceMin", convertReduce<buildReduce<ReduceMinOp>, false>);
  registry.add("", "ReduceProd",
               convertReduce<buildReduce<ReduceProdOp>, false>);
  registry.add("", "ReduceSumSquare", convertReduce<buildSumSquare, false>);
  registry.add("", "ReduceLogSum", convertReduce<buildLogSum, false>);
  registry.add("", "ReduceLogSumExp", convertReduce<buildLogSumExp, false>);
  registry.add("", "ReduceL1", convertReduce<buildL1, false>);
  registry.add("", "ReduceL2", convertReduce<buildL2, false>);
  registry.add("", "ArgMax", convertArgReduce<ArgMaxOp>);
  registry.add("", "ArgMin", convertArgReduce<ArgMinOp>);
  registry.add("", "Hardmax", convertHardmax);
  registry.add("", "CumSum", convertCumSum);
  registry.add("", "TopK", convertTopK);
}

} // namespace kiln::onnx_import
