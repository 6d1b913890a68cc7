//===- NeuralNetwork.cpp - ONNX conv, pooling, dense and softmax to kiln --===//
//
// Conv, ConvTranspose and pooling map to Kiln's N-D ops (any number of spatial
// dims) after resolving auto_pad; a bias is a kiln.add. Gemm becomes
// transposes, kiln.matmul, scaling and kiln.add. (BatchNormalization is in
// Normalization.cpp.) Dropout in training mode draws its mask with
// kiln.random_uniform_like, NumPy's generator, as ONNX's reference
// implementation does. ImportOptions::Mode::Training turns on every Dropout
// of a non-zero ratio, its generator seeded from the step number (a run-time
// seed_offset) so that each training step draws a new mask.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Spatial geometry of a conv or pooling node, with explicit padding.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations;
  SmallVector<int64_t> padding; // begins, then ends: ONNX's and kiln's order
};

/// Reads kernel_shape (or `kernel` when given), strides, dilations, pads and
/// auto_pad for the spatial dims of `inputShape`.
llvm::Expected<Window> readWindow(NodeContext &context,
                                  ArrayRef<int64_t> inputShape,
                                  SmallVector<int64_t> kernel,
                                  int64_t spatialRank) {
  Window window;
  SmallVector<int64_t> ones(spatialRank, 1), zeros(2 * spatialRank, 0);
  SmallVector<int64_t> strides = context.intsAttribute("strides", ones);
  SmallVector<int64_t> dilations = context.intsAttribute("dilations", ones);
  SmallVector<int64_t> pads = context.intsAttribute("pads", zeros);
  if (static_cast<int64_t>(kernel.size()) != spatialRank ||
      static_cast<int64_t>(strides.size()) != spatialRank ||
      static_cast<int64_t>(dilations.size()) != spatialRank ||
      static_cast<int64_t>(pads.size()) != 2 * spatialRank)
    return context.invalid(
        "kernel_shape, strides, dilations and pads must have one "
        "entry per spatial dimension (" +
        llvm::Twine(spatialRank) + "), pads two");
  std::string autoPad = context.stringAttribute("auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < spatialRank; ++i) {
      int64_t input = inputShape[inputShape.size() - spatialRank + i];
      if (ShapedType::isDynamic(input))
        return context.unsupported("auto_pad " + autoPad +
                                   " needs static spatial input sizes");
      if (strides[i] < 1 || dilations[i] < 1 || kernel[i] < 1)
        return context.invalid(
            "kernel_shape, strides and dilations must be positive");
      int64_t output = (input + strides[i] - 1) / strides[i];
      int64_t total =
          std::max<int64_t>(0, (output - 1) * strides[i] +
                                   dilations[i] * (kernel[i] - 1) + 1 - input);
      int64_t small = total / 2, large = total - small;
      pads[i] = autoPad == "SAME_UPPER" ? small : large;
      pads[spatialRank + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad == "VALID") {
    pads.assign(2 * spatialRank, 0);
  } else if (autoPad != "NOTSET") {
    return context.invalid("unknown auto_pad '" + autoPad + "'");
  }
  window.kernel = kernel;
  window.strides = strides;
  window.dilations = dilations;
  window.padding = pads;
  return window;
}

/// Reshapes `value` to `shape` through kiln.reshape.
llvm::Expected<Value> reshapeTo(NodeContext &context, Value value,
                                ArrayRef<int64_t> shape) {
  return context.create<ReshapeOp>(value, shape);
}

/// The number of spatial dims of a conv or pooling input ([N, C, spatial...]),
/// which must be at least 1.
llvm::Expected<int64_t> spatialRankOf(NodeContext &context,
                                      RankedTensorType type) {
  if (type.getRank() >= 3)
    return type.getRank() - 2;
  return context.invalid("the input must be [N, C, spatial...] with at least "
                         "one spatial dimension, got rank " +
                         llvm::Twine(type.getRank()));
}

/// Adds a per-channel bias (input `biasInput`, [C]) to `result` ([N, C,
/// spatial...]).
llvm::Expected<Value> addChannelBias(NodeContext &context, Value result,
                                     size_t biasInput) {
  Value bias = context.optionalInput(biasInput);
  if (!bias)
    return result;
  if (context.inputType(biasInput).getRank() != 1)
    return context.invalid("B must be a 1-D tensor (one bias per output "
                           "channel)");
  int64_t rank = cast<RankedTensorType>(result.getType()).getRank();
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = context.inputType(biasInput).getDimSize(0);
  KILN_ASSIGN_OR_RETURN(Value shaped, reshapeTo(context, bias, shape));
  return context.create<AddOp>(result, shaped);
}

llvm::Error convertConv(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value filter, context.input(1));
  RankedTensorType inputType = context.inputType(0),
                   filterType = context.inputType(1);
  KILN_ASSIGN_OR_RETURN(int64_t spatialRank, spatialRankOf(context, inputType));
  if (filterType.getRank() != inputType.getRank())
    return context.invalid("the filter's rank differs from the input's");
  SmallVector<int64_t> kernel = context.intsAttribute(
      "kernel_shape",
      SmallVector<int64_t>(filterType.getShape().drop_front(2)));
  KILN_ASSIGN_OR_RETURN(Window window, readWindow(context, inputType.getShape(),
                                                  kernel, spatialRank));
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<ConvOp>(input, filter, window.strides,
                                           window.padding, window.dilations,
                                           context.intAttribute("group", 1)));
  KILN_ASSIGN_OR_RETURN(result, addChannelBias(context, result, 2));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// The geometry of a ConvTranspose node, for 1 or 2 spatial dims.
struct TransposedWindow {
  SmallVector<int64_t> strides, dilations, outputPadding;
  SmallVector<int64_t> padding; // ONNX order: begins, then ends
};

/// Resolves a ConvTranspose's pads from output_shape or auto_pad as ONNX
/// specifies: total = stride * (in - 1) + output_padding + dilation * (k - 1)
/// + 1 - out is split with the extra unit at the end for SAME_UPPER and at the
/// beginning otherwise. A negative end (an output larger than the input
/// covers) becomes output padding; a negative beginning is unsupported.
llvm::Error resolveTransposedPads(NodeContext &context,
                                  ArrayRef<int64_t> inputShape,
                                  ArrayRef<int64_t> kernel,
                                  TransposedWindow &window) {
  int64_t spatialRank = kernel.size();
  std::string autoPad = context.stringAttribute("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return context.invalid("unknown auto_pad '" + autoPad + "'");
  if (autoPad == "VALID") {
    window.padding.assign(2 * spatialRank, 0);
    return llvm::Error::success();
  }
  SmallVector<int64_t> outputShape = context.intsAttribute("output_shape");
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (outputShape.empty() && !same)
    return llvm::Error::success(); // explicit pads
  // output_shape may list N and C too.
  if (static_cast<int64_t>(outputShape.size()) == spatialRank + 2)
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() &&
      static_cast<int64_t>(outputShape.size()) != spatialRank)
    return context.invalid("output_shape must have one entry per spatial "
                           "dimension");
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t input = inputShape[inputShape.size() - spatialRank + i];
    if (ShapedType::isDynamic(input))
      return context.unsupported("ConvTranspose with output_shape or auto_pad "
                                 "needs static spatial input sizes");
    int64_t output = outputShape.empty() ? 0 : outputShape[i];
    int64_t spread, span, total;
    if ((outputShape.empty() &&
         llvm::MulOverflow(input, window.strides[i], output)) ||
        llvm::MulOverflow(window.strides[i], input - 1, spread) ||
        llvm::MulOverflow(window.dilations[i], kernel[i] - 1, span) ||
        llvm::AddOverflow(spread, span, total) ||
        llvm::AddOverflow(total, window.outputPadding[i], total) ||
        llvm::AddOverflow(total, int64_t(1), total) ||
        llvm::SubOverflow(total, output, total))
      return context.invalid("the output size overflows int64");
    int64_t half = llvm::divideFloorSigned(total, 2);
    int64_t begin = autoPad == "SAME_UPPER" ? half : total - half;
    int64_t end = total - begin;
    if (begin < 0)
      return context.unsupported(
          "an output_shape that needs negative leading padding");
    if (end < 0) {
      window.outputPadding[i] -= end;
      end = 0;
    }
    window.padding[i] = begin;
    window.padding[spatialRank + i] = end;
  }
  return llvm::Error::success();
}

/// Reads strides, dilations, output_padding, pads (resolved by
/// resolveTransposedPads) for `kernel`.
llvm::Expected<TransposedWindow>
readTransposedWindow(NodeContext &context, ArrayRef<int64_t> inputShape,
                     ArrayRef<int64_t> kernel) {
  int64_t spatialRank = kernel.size();
  SmallVector<int64_t> ones(spatialRank, 1), zeros(spatialRank, 0);
  TransposedWindow window;
  window.strides = context.intsAttribute("strides", ones);
  window.dilations = context.intsAttribute("dilations", ones);
  window.outputPadding = context.intsAttribute("output_padding", zeros);
  window.padding =
      context.intsAttribute("pads", SmallVector<int64_t>(2 * spatialRank, 0));
  if (static_cast<int64_t>(window.strides.size()) != spatialRank ||
      static_cast<int64_t>(window.dilations.size()) != spatialRank ||
      static_cast<int64_t>(window.outputPadding.size()) != spatialRank ||
      static_cast<int64_t>(window.padding.size()) != 2 * spatialRank)
    return context.invalid(
        "strides, dilations, output_padding and pads must have one entry per "
        "spatial dimension (" +
        llvm::Twine(spatialRank) + "), pads two");
  for (int64_t i = 0; i < spatialRank; ++i)
    if (window.strides[i] < 1 || window.dilations[i] < 1 ||
        window.outputPadding[i] < 0)
      return context.invalid("strides and dilations must be positive and "
                             "output_padding not negative");
  if (llvm::Error error =
          resolveTransposedPads(context, inputShape, kernel, window))
    return std::move(error);
  return window;
}

/// ConvTranspose as kiln.conv_transpose, plus a kiln.add for the bias.
llvm::Error convertConvTranspose(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value filter, context.input(1));
  RankedTensorType inputType = context.inputType(0),
                   filterType = context.inputType(1);
  KILN_ASSIGN_OR_RETURN(int64_t spatialRank, spatialRankOf(context, inputType));
  if (filterType.getRank() != spatialRank + 2)
    return context.invalid("the filter's rank differs from the input's");
  SmallVector<int64_t> kernel(filterType.getShape().drop_front(2));
  if (context.hasAttribute("kernel_shape") &&
      context.intsAttribute("kernel_shape") != kernel)
    return context.invalid("kernel_shape does not match the filter's shape");
  if (llvm::any_of(kernel, ShapedType::isDynamic))
    return context.unsupported("ConvTranspose with a dynamic filter shape");
  KILN_ASSIGN_OR_RETURN(
      TransposedWindow window,
      readTransposedWindow(context, inputType.getShape(), kernel));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<ConvTransposeOp>(
                            input, filter, window.strides, window.padding,
                            window.dilations, window.outputPadding,
                            context.intAttribute("group", 1)));
  KILN_ASSIGN_OR_RETURN(result, addChannelBias(context, result, 2));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Builds a kiln.max_pool_with_indices, whose two results NodeContext::create
/// cannot build: its result types are inferred here, and a type error becomes
/// an error.
llvm::Expected<MaxPoolWithIndicesOp>
createMaxPoolWithIndices(NodeContext &context, Value input,
                         const Window &window, bool ceilMode,
                         bool columnMajor) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(
      context.builder.getContext(), [&](Diagnostic &diagnostic) {
        diagnostics += (diagnostics.empty() ? "" : "; ") + diagnostic.str();
        return success();
      });
  Type none = context.builder.getNoneType();
  auto op = MaxPoolWithIndicesOp::create(
      context.builder, context.loc, TypeRange{none, none}, input, window.kernel,
      window.strides, window.padding, ceilMode, window.dilations, columnMajor);
  SmallVector<Type> types;
  if (failed(MaxPoolWithIndicesOp::inferReturnTypes(
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

/// The signed integer type that holds every value of `type` (an unsigned
/// integer) exactly, or null for 64 bits.
Type widerSignedType(IntegerType type) {
  if (type.getWidth() >= 64)
    return Type();
  return IntegerType::get(type.getContext(), type.getWidth() * 2);
}

/// MaxPool (with its Indices output when asked for) and AveragePool. Kiln's
/// lowering compares integers as signed, so unsigned max pooling runs on the
/// next wider signed type, which holds every value exactly.
template <bool isMax> llvm::Error convertPool(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType inputType = context.inputType(0);
  Type elementType = inputType.getElementType();
  if (!isMax && !isa<FloatType>(elementType))
    return context.invalid("AveragePool needs a floating-point input");
  auto unsignedType = dyn_cast<IntegerType>(elementType);
  if (unsignedType && !unsignedType.isUnsigned())
    unsignedType = nullptr;
  KILN_ASSIGN_OR_RETURN(int64_t spatialRank, spatialRankOf(context, inputType));
  if (!context.hasAttribute("kernel_shape"))
    return context.invalid("kernel_shape is required");
  KILN_ASSIGN_OR_RETURN(Window window,
                        readWindow(context, inputType.getShape(),
                                   context.intsAttribute("kernel_shape"),
                                   spatialRank));
  bool ceilMode = context.intAttribute("ceil_mode", 0) != 0;
  if constexpr (!isMax) {
    if (llvm::any_of(window.dilations, [](int64_t d) { return d != 1; }))
      return context.unsupported("dilated average pooling");
    KILN_ASSIGN_OR_RETURN(
        Value result,
        context.create<AvgPoolOp>(
            input, window.kernel, window.strides, window.padding, ceilMode,
            context.intAttribute("count_include_pad", 0) != 0));
    context.setOutput(0, result);
    return llvm::Error::success();
  }

  int64_t storageOrder = context.intAttribute("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return context.invalid("storage_order must be 0 or 1");
  if (unsignedType) {
    Type wider = widerSignedType(unsignedType);
    if (!wider)
      return context.unsupported("MaxPool of uint64 tensors");
    KILN_ASSIGN_OR_RETURN(input,
                          context.create<CastOp>(input, TypeAttr::get(wider)));
  }
  Value values, indices;
  if (context.hasOutput(1)) {
    KILN_ASSIGN_OR_RETURN(MaxPoolWithIndicesOp pool,
                          createMaxPoolWithIndices(context, input, window,
                                                   ceilMode,
                                                   storageOrder == 1));
    values = pool.getValues();
    indices = pool.getIndices();
  } else {
    KILN_ASSIGN_OR_RETURN(
        values,
        context.create<MaxPoolOp>(input, window.kernel, window.strides,
                                  window.padding, ceilMode, window.dilations));
  }
  if (unsignedType) {
    KILN_ASSIGN_OR_RETURN(
        values, context.create<CastOp>(values, TypeAttr::get(unsignedType)));
  }
  context.setOutput(0, values);
  if (indices)
    context.setOutput(1, indices);
  return llvm::Error::success();
}

template <typename ReduceOpTy>
llvm::Error convertGlobalPool(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  int64_t rank = context.inputType(0).getRank();
  if (rank < 3)
    return context.invalid("the input must have rank 3 or more");
  SmallVector<int64_t> spatial;
  for (int64_t d = 2; d < rank; ++d)
    spatial.push_back(d);
  KILN_ASSIGN_OR_RETURN(Value result, context.create<ReduceOpTy>(
                                          input, spatial, /*keep_dims=*/true));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// ONNX MatMul: NumPy matmul, where a 1-D operand is a vector.
llvm::Error convertMatMul(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value lhs, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rhs, context.input(1));
  RankedTensorType lhsType = context.inputType(0),
                   rhsType = context.inputType(1);
  bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
  if (lhsVector) {
    KILN_ASSIGN_OR_RETURN(lhs,
                          reshapeTo(context, lhs, {1, lhsType.getDimSize(0)}));
  }
  if (rhsVector) {
    KILN_ASSIGN_OR_RETURN(rhs,
                          reshapeTo(context, rhs, {rhsType.getDimSize(0), 1}));
  }
  KILN_ASSIGN_OR_RETURN(Value result, context.create<MatMulOp>(lhs, rhs));
  if (lhsVector || rhsVector) {
    // Drop the unit dims that stood for the vectors.
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(result.getType()).getShape());
    if (rhsVector)
      shape.pop_back();
    if (lhsVector)
      shape.erase(shape.end() - (rhsVector ? 1 : 2));
    KILN_ASSIGN_OR_RETURN(result, reshapeTo(context, result, shape));
  }
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Y = alpha * op(A) * op(B) + beta * C.
llvm::Error convertGemm(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value a, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value b, context.input(1));
  if (context.inputType(0).getRank() != 2 ||
      context.inputType(1).getRank() != 2)
    return context.invalid("A and B must be matrices");
  SmallVector<int64_t> swap = {1, 0};
  if (context.intAttribute("transA", 0)) {
    KILN_ASSIGN_OR_RETURN(a, context.create<TransposeOp>(a, swap));
  }
  if (context.intAttribute("transB", 0)) {
    KILN_ASSIGN_OR_RETURN(b, context.create<TransposeOp>(b, swap));
  }
  KILN_ASSIGN_OR_RETURN(Value result, context.create<MatMulOp>(a, b));
  Type elementType = context.inputType(0).getElementType();
  float alpha = context.floatAttribute("alpha", 1.0f);
  if (alpha != 1.0f) {
    KILN_ASSIGN_OR_RETURN(
        result,
        context.create<MulOp>(result, context.scalar(elementType, alpha)));
  }
  if (Value c = context.optionalInput(2)) {
    float beta = context.floatAttribute("beta", 1.0f);
    if (beta != 1.0f) {
      KILN_ASSIGN_OR_RETURN(
          c, context.create<MulOp>(c, context.scalar(elementType, beta)));
    }
    KILN_ASSIGN_OR_RETURN(result, context.create<AddOp>(result, c));
  }
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertSoftmax(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", -1),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<SoftmaxOp>(input, axis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// log(softmax(x)) = (x - max) - log(sum(exp(x - max))), which stays finite
/// where softmax itself underflows to 0.
llvm::Error convertLogSoftmax(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", -1),
                                      context.inputType(0).getRank()));
  SmallVector<int64_t> axes = {axis};
  KILN_ASSIGN_OR_RETURN(Value max,
                        context.create<ReduceMaxOp>(input, axes, true));
  KILN_ASSIGN_OR_RETURN(Value shifted, context.create<SubOp>(input, max));
  KILN_ASSIGN_OR_RETURN(Value exp, context.create<ExpOp>(shifted));
  KILN_ASSIGN_OR_RETURN(Value sum,
                        context.create<ReduceSumOp>(exp, axes, true));
  KILN_ASSIGN_OR_RETURN(Value logSum, context.create<LogOp>(sum));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<SubOp>(shifted, logSum));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertFlatten(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  // Flatten's axis ranges over [-rank, rank]: negative counts from the end.
  int64_t axis = context.intAttribute("axis", 1);
  if (axis < 0)
    axis += type.getRank();
  if (axis < 0 || axis > type.getRank())
    return context.invalid(
        "axis " + llvm::Twine(context.intAttribute("axis", 1)) +
        " is out of range for rank " + llvm::Twine(type.getRank()));
  // A side with a dim known only at run time becomes reshape's -1, which
  // kiln.reshape infers from the element count; one such side at most.
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t &side = d < axis ? outer : inner;
    if (type.isDynamicDim(d) || side == -1)
      side = -1;
    else
      side *= type.getDimSize(d);
  }
  if (outer == -1 && inner == -1)
    return context.unsupported(
        "Flatten with dims known only at run time on both sides of the axis");
  KILN_ASSIGN_OR_RETURN(Value result,
                        reshapeTo(context, input, {outer, inner}));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Dropout's mask when nothing is dropped: all true, of the input's shape
/// (read at run time where it has `?` dims).
llvm::Expected<Value> keepEverything(NodeContext &context, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  Type boolType = context.builder.getI1Type();
  if (type.hasStaticShape())
    return context.splat(type.clone(boolType), 1);
  KILN_ASSIGN_OR_RETURN(Value shape, context.create<ShapeOfOp>(input));
  return context.create<ConstantOfShapeOp>(
      shape, context.builder.getIntegerAttr(boolType, 1));
}

/// Whether input `i` is a constant whose one element is `value`.
bool isConstantScalar(NodeContext &context, size_t i, double value) {
  DenseElementsAttr given = context.constantInput(i);
  if (!given || given.getNumElements() != 1)
    return false;
  Attribute element = *given.getValues<Attribute>().begin();
  if (auto number = dyn_cast<FloatAttr>(element))
    return number.getValueAsDouble() == value;
  if (auto number = dyn_cast<IntegerAttr>(element))
    return number.getValue().getZExtValue() == value;
  return false;
}

/// Training dropout as ONNX's reference implementation computes it: the mask
/// keeps elements whose kiln.random_uniform_like draw (NumPy's generator,
/// seeded with `seed`) is at least the ratio, and kept elements are scaled by
/// 1 / (1 - ratio). Where training_mode or the ratio is known only at run
/// time, a kiln.select picks the identity (mask all true) when training is
/// off or the ratio is 0; both sides are computed.
llvm::Error convertTrainingDropout(NodeContext &context, Value input,
                                   bool trainingKnown, Value seedOffset) {
  auto type = cast<RankedTensorType>(input.getType());
  if (!isa<FloatType>(type.getElementType()))
    return context.invalid("Dropout of a non-float tensor");
  int64_t seed = context.intAttribute("seed", 0);
  if (seed < 0 || seed > int64_t(UINT32_MAX))
    return context.unsupported("Dropout seed outside [0, 2^32) (Kiln seeds "
                               "MT19937 as NumPy does)");
  Value ratio = context.hasInput(1)
                    ? context.optionalInput(1)
                    : context.scalar(context.builder.getF32Type(), 0.5);
  auto ratioType = dyn_cast<RankedTensorType>(ratio.getType());
  if (!ratioType || !ratioType.hasStaticShape() ||
      ratioType.getNumElements() != 1 || ratioType.getRank() > 1 ||
      !isa<FloatType>(ratioType.getElementType()))
    return context.invalid("ratio must be a float tensor of one element");
  Type f64 = context.builder.getF64Type();
  KILN_ASSIGN_OR_RETURN(Value draws,
                        context.create<RandomUniformLikeOp>(
                            input, seedOffset, static_cast<uint64_t>(seed)));
  KILN_ASSIGN_OR_RETURN(Value wideRatio,
                        context.create<CastOp>(ratio, TypeAttr::get(f64)));
  KILN_ASSIGN_OR_RETURN(
      Value keep,
      context.create<CompareOp>(ComparisonPredicate::ge, draws, wideRatio));
  // The scale in the ratio's type, as NumPy computes 1 / (1 - ratio), then in
  // the input's.
  Type ratioElement = ratioType.getElementType();
  KILN_ASSIGN_OR_RETURN(
      Value remaining,
      context.create<SubOp>(context.scalar(ratioElement, 1.0), ratio));
  KILN_ASSIGN_OR_RETURN(
      Value scale,
      context.create<DivOp>(context.scalar(ratioElement, 1.0), remaining));
  if (ratioElement != type.getElementType()) {
    KILN_ASSIGN_OR_RETURN(
        scale,
        context.create<CastOp>(scale, TypeAttr::get(type.getElementType())));
  }
  KILN_ASSIGN_OR_RETURN(Value scaled, context.create<MulOp>(input, scale));
  KILN_ASSIGN_OR_RETURN(
      Value dropped,
      context.create<SelectOp>(keep, scaled,
                               context.scalar(type.getElementType(), 0.0)));
  Value output = dropped, mask = keep;
  bool ratioKnownNonZero =
      context.constantInput(1) && !isConstantScalar(context, 1, 0.0);
  if (!trainingKnown || !ratioKnownNonZero) {
    // active = training && ratio != 0.
    KILN_ASSIGN_OR_RETURN(
        Value zeroRatio,
        context.create<CompareOp>(ComparisonPredicate::eq, ratio,
                                  context.scalar(ratioElement, 0.0)));
    KILN_ASSIGN_OR_RETURN(Value active, context.create<NotOp>(zeroRatio));
    if (!trainingKnown) {
      KILN_ASSIGN_OR_RETURN(Value training, context.input(2));
      KILN_ASSIGN_OR_RETURN(active, context.create<AndOp>(active, training));
    }
    KILN_ASSIGN_OR_RETURN(output,
                          context.create<SelectOp>(active, dropped, input));
    KILN_ASSIGN_OR_RETURN(Value inactive, context.create<NotOp>(active));
    KILN_ASSIGN_OR_RETURN(mask, context.create<OrOp>(inactive, keep));
  }
  context.setOutput(0, output);
  if (context.hasOutput(1))
    context.setOutput(1, mask);
  return llvm::Error::success();
}

/// ImportOptions::Mode::Training's dropout seed offset: the step number (the
/// function's kiln.dropout_seed argument) times a large odd number, and the
/// node's index, so that every node and every step draws its own mask.
Value trainStepSeedOffset(NodeContext &context) {
  auto i64 = context.builder.getI64Type();
  Value step = MulOp::create(context.builder, context.loc,
                             context.dropoutSeed(),
                             context.scalar(i64, 1000003.0));
  return AddOp::create(context.builder, context.loc, step,
                       context.scalar(i64, 7919.0 * (context.index + 1)));
}

/// Dropout: the identity in inference mode (training_mode absent or a
/// constant false) or with a constant ratio of 0, with a mask of all true;
/// otherwise convertTrainingDropout.
llvm::Error convertDropout(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  bool trainingKnown = true, training = false;
  if (context.hasInput(2)) {
    auto given = context.constantInts(2);
    if (given && given->size() != 1)
      return context.invalid("training_mode must hold one value");
    trainingKnown = given.has_value();
    training = given && (*given)[0] != 0;
  }
  // ImportOptions::Mode::Evaluation and Training override a constant
  // training_mode, as model.eval() and model.train() do.
  bool zeroRatio = context.hasInput(1) && isConstantScalar(context, 1, 0.0);
  ImportOptions::Mode mode = context.mode();
  if (mode == ImportOptions::Mode::Evaluation && trainingKnown)
    training = false;
  if (mode == ImportOptions::Mode::Training && !zeroRatio)
    return convertTrainingDropout(context, input, trainingKnown,
                                  trainStepSeedOffset(context));
  bool identity = (trainingKnown && !training) || zeroRatio;
  if (!identity)
    return convertTrainingDropout(context, input, trainingKnown, Value());
  context.setOutput(0, input);
  if (context.hasOutput(1)) {
    KILN_ASSIGN_OR_RETURN(Value mask, keepEverything(context, input));
    context.setOutput(1, mask);
  }
  return llvm::Error::success();
}

} // namespace

void registerNeuralNetworkConverters(ConverterRegistry &registry) {
  registry.add("", "Conv", convertConv);
  registry.add("", "ConvTranspose", convertConvTranspose);
  registry.add("", "MaxPool", convertPool<true>);
  registry.add("", "AveragePool", convertPool<false>);
  registry.add("", "GlobalAveragePool", convertGlobalPool<ReduceMeanOp>);
  registry.add("", "GlobalMaxPool", convertGlobalPool<ReduceMaxOp>);
  registry.add("", "MatMul", convertMatMul);
  registry.add("", "Gemm", convertGemm);
  registry.add("", "Softmax", convertSoftmax);
  registry.add("", "LogSoftmax", convertLogSoftmax);
  registry.add("", "Flatten", convertFlatten);
  registry.add("", "Dropout", convertDropout);
}

} // namespace kiln::onnx_import
