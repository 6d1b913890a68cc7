//===- NeuralNetwork.cpp - ONNX conv, pooling, dense and softmax to kiln --===//
//
// Conv, ConvTranspose and pooling handle auto_pad and 1-D inputs (as 2-D with
// height 1); a bias is a kiln.add. Gemm becomes transposes, kiln.matmul,
// scaling and kiln.add. (BatchNormalization is in Normalization.cpp.)
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Spatial geometry of a conv or pooling node, resolved to explicit 2-D
/// padding.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations;
  SmallVector<int64_t> padding; // kiln order: top, left, bottom, right
};

/// Reads kernel_shape (or `kernel` when given), strides, dilations, pads and
/// auto_pad for `spatialRank` (1 or 2) spatial dims of `inputShape`, and
/// returns them for 2-D.
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
  // 1-D windows become 2-D with a height of 1.
  if (spatialRank == 1) {
    window.kernel = {1, kernel[0]};
    window.strides = {1, strides[0]};
    window.dilations = {1, dilations[0]};
    window.padding = {0, pads[0], 0, pads[1]};
  } else {
    window.kernel = kernel;
    window.strides = strides;
    window.dilations = dilations;
    window.padding =
        pads; // ONNX [x1_begin, x2_begin, x1_end, x2_end] = kiln order
  }
  return window;
}

/// Reshapes `value` to `shape` through kiln.reshape.
llvm::Expected<Value> reshapeTo(NodeContext &context, Value value,
                                ArrayRef<int64_t> shape) {
  return context.create<ReshapeOp>(value, shape);
}

/// For 1-D ops: [N, C, L] -> [N, C, 1, L].
llvm::Expected<Value> addUnitHeight(NodeContext &context, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.hasStaticShape())
    return context.unsupported(
        "1-D convolution and pooling need static shapes");
  ArrayRef<int64_t> shape = type.getShape();
  return reshapeTo(context, value, {shape[0], shape[1], 1, shape[2]});
}

/// The number of spatial dims of a conv or pooling input, which must be 1 or 2.
llvm::Expected<int64_t> spatialRankOf(NodeContext &context,
                                      RankedTensorType type) {
  int64_t spatial = type.getRank() - 2;
  if (spatial == 1 || spatial == 2)
    return spatial;
  return context.unsupported(
      llvm::Twine(spatial) +
      "-D spatial inputs (only 1-D and 2-D are supported)");
}

/// Undoes addUnitHeight on a result: [N, C, 1, L] -> [N, C, L].
llvm::Expected<Value> dropUnitHeight(NodeContext &context, Value value) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(value.getType()).getShape();
  return reshapeTo(context, value, {shape[0], shape[1], shape[3]});
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
  if (spatialRank == 1) {
    KILN_ASSIGN_OR_RETURN(input, addUnitHeight(context, input));
    KILN_ASSIGN_OR_RETURN(filter, addUnitHeight(context, filter));
  }
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<Conv2DOp>(input, filter, window.strides,
                                             window.padding, window.dilations,
                                             context.intAttribute("group", 1)));
  if (Value bias = context.optionalInput(2)) {
    int64_t channels = context.inputType(2).getDimSize(0);
    KILN_ASSIGN_OR_RETURN(Value shaped,
                          reshapeTo(context, bias, {1, channels, 1, 1}));
    KILN_ASSIGN_OR_RETURN(result, context.create<AddOp>(result, shaped));
  }
  if (spatialRank == 1) {
    KILN_ASSIGN_OR_RETURN(result, dropUnitHeight(context, result));
  }
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

/// ConvTranspose (1-D as 2-D with height 1) as kiln.conv2d_transpose, plus a
/// kiln.add for the bias.
llvm::Error convertConvTranspose(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value filter, context.input(1));
  RankedTensorType inputType = context.inputType(0),
                   filterType = context.inputType(1);
  KILN_ASSIGN_OR_RETURN(int64_t spatialRank, spatialRankOf(context, inputType));
  if (filterType.getRank() != inputType.getRank())
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
  if (spatialRank == 1) {
    KILN_ASSIGN_OR_RETURN(input, addUnitHeight(context, input));
    KILN_ASSIGN_OR_RETURN(filter, addUnitHeight(context, filter));
    window.strides.insert(window.strides.begin(), 1);
    window.dilations.insert(window.dilations.begin(), 1);
    window.outputPadding.insert(window.outputPadding.begin(), 0);
    window.padding = {0, window.padding[0], 0, window.padding[1]};
  }
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<Conv2DTransposeOp>(
                            input, filter, window.strides, window.padding,
                            window.dilations, window.outputPadding,
                            context.intAttribute("group", 1)));
  if (Value bias = context.optionalInput(2)) {
    if (context.inputType(2).getRank() != 1)
      return context.invalid("B must be a 1-D tensor (one bias per output "
                             "channel)");
    int64_t features = context.inputType(2).getDimSize(0);
    KILN_ASSIGN_OR_RETURN(Value shaped,
                          reshapeTo(context, bias, {1, features, 1, 1}));
    KILN_ASSIGN_OR_RETURN(result, context.create<AddOp>(result, shaped));
  }
  if (spatialRank == 1) {
    KILN_ASSIGN_OR_RETURN(result, dropUnitHeight(context, result));
  }
  context.setOutput(0, result);
  return llvm::Error::success();
}

template <bool isMax> llvm::Error convertPool(NodeContext &context) {
  if (context.hasOutput(1))
    return context.unsupported("MaxPool's Indices output");
  if (context.intAttribute("storage_order", 0) != 0)
    return context.unsupported("storage_order 1");
  if (!isa<FloatType>(context.inputType(0).getElementType()))
    return context.unsupported("pooling of integer tensors");
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType inputType = context.inputType(0);
  KILN_ASSIGN_OR_RETURN(int64_t spatialRank, spatialRankOf(context, inputType));
  if (!context.hasAttribute("kernel_shape"))
    return context.invalid("kernel_shape is required");
  KILN_ASSIGN_OR_RETURN(Window window,
                        readWindow(context, inputType.getShape(),
                                   context.intsAttribute("kernel_shape"),
                                   spatialRank));
  if (spatialRank == 1) {
    KILN_ASSIGN_OR_RETURN(input, addUnitHeight(context, input));
  }
  bool ceilMode = context.intAttribute("ceil_mode", 0) != 0;
  Value result;
  if constexpr (isMax) {
    KILN_ASSIGN_OR_RETURN(
        result, context.create<MaxPool2DOp>(input, window.kernel,
                                            window.strides, window.padding,
                                            ceilMode, window.dilations));
  } else {
    if (llvm::any_of(window.dilations, [](int64_t d) { return d != 1; }))
      return context.unsupported("dilated average pooling");
    KILN_ASSIGN_OR_RETURN(
        result,
        context.create<AvgPool2DOp>(
            input, window.kernel, window.strides, window.padding, ceilMode,
            context.intAttribute("count_include_pad", 0) != 0));
  }
  if (spatialRank == 1) {
    KILN_ASSIGN_OR_RETURN(result, dropUnitHeight(context, result));
  }
  context.setOutput(0, result);
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

/// Inference dropout is the identity; its mask, when asked for, is all true.
llvm::Error convertDropout(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  if (context.hasInput(2)) {
    auto training = context.constantInts(2);
    if (!training || training->size() != 1 || (*training)[0] != 0)
      return convertTrainingDropout(context);
  }
  context.setOutput(0, input);
  if (context.hasOutput(1)) {
    auto maskType = RankedTensorType::get(context.inputType(0).getShape(),
                                          context.builder.getI1Type());
    if (!maskType.hasStaticShape())
      return context.unsupported("Dropout's mask for dynamic shapes");
    context.setOutput(1, context.splat(maskType, 1));
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
