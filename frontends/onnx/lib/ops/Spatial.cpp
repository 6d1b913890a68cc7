//===- Spatial.cpp - ONNX sampling, unpooling, transforms and Det to kiln -===//
//
// GridSample, RoiAlign, DFT and Det map to one kiln op each. MaxUnpool is a
// kiln.scatter_elements into a flat zero tensor, padded to output_shape; STFT
// gathers its frames with one constant index table, applies the window and
// takes a kiln.dft; MelWeightMatrix, whose inputs are all scalars, is computed
// here as a constant. Sizes that ONNX passes as inputs (dft_length, frame_step,
// MelWeightMatrix's inputs) must be known when the model is compiled;
// MaxUnpool's output_shape may be a run-time value (the output's dims are
// then `?`). NonMaxSuppression, whose output
// size depends on the data, is reported as unsupported.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"
#include "DynamicShapeHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

llvm::Error convertGridSample(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value grid, context.input(1));
  if (context.inputType(0).getRank() != 4)
    return context.unsupported("GridSample of a " +
                               llvm::Twine(context.inputType(0).getRank()) +
                               "-D input (only 4-D [N, C, H, W])");
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<GridSampleOp>(
                            input, grid,
                            context.stringAttribute("mode", "bilinear"),
                            context.stringAttribute("padding_mode", "zeros"),
                            context.intAttribute("align_corners", 0) != 0));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertRoiAlign(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value rois, context.input(1));
  KILN_ASSIGN_OR_RETURN(Value batchIndices, context.input(2));
  std::string mode =
      context.stringAttribute("coordinate_transformation_mode", "half_pixel");
  if (mode != "half_pixel" && mode != "output_half_pixel")
    return context.invalid("unknown coordinate_transformation_mode '" + mode +
                           "'");
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<RoiAlignOp>(
                            input, rois, batchIndices,
                            context.stringAttribute("mode", "avg"),
                            context.intAttribute("output_height", 1),
                            context.intAttribute("output_width", 1),
                            context.intAttribute("sampling_ratio", 0),
                            APFloat(static_cast<double>(
                                context.floatAttribute("spatial_scale", 1.0f))),
                            mode == "half_pixel"));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertDet(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<DetOp>(input));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// `signal` padded with zeros or cut along `axis` to `length` elements.
llvm::Expected<Value> resizeSignal(NodeContext &context, Value signal,
                                   int64_t axis, int64_t length) {
  auto type = cast<RankedTensorType>(signal.getType());
  int64_t current = type.getDimSize(axis);
  if (ShapedType::isDynamic(current))
    return context.unsupported("dft_length with a dynamic signal length");
  int64_t rank = type.getRank();
  if (length > current) {
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    high[axis] = length - current;
    return context.create<PadOp>(signal, low, high, "constant", TypedAttr());
  }
  SmallVector<int64_t> offsets(rank, 0), sizes(rank, -1), steps(rank, 1);
  sizes[axis] = length;
  return context.create<SliceOp>(signal, offsets, sizes, steps);
}

/// DFT (opset 17): the signal along `axis`, padded or cut to dft_length (input
/// 1) when given.
llvm::Error convertDFT(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2)
    return context.invalid("the input must have rank 2 or more ([..., signal, "
                           "1 or 2])");
  int64_t axis = context.intAttribute("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return context.invalid("axis " +
                           llvm::Twine(context.intAttribute("axis", 1)) +
                           " is out of range for rank " + llvm::Twine(rank) +
                           " (the last dimension holds the components)");
  bool onesided = context.intAttribute("onesided", 0) != 0;
  if (onesided && type.getShape().back() == 2)
    return context.invalid("onesided needs a real input (last dimension 1)");
  if (context.hasInput(1)) {
    KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> length,
                          context.requireConstantInts(1, "dft_length"));
    if (length.size() != 1 || length[0] < 1)
      return context.invalid("dft_length must be one positive integer");
    KILN_ASSIGN_OR_RETURN(input, resizeSignal(context, input, axis, length[0]));
  }
  KILN_ASSIGN_OR_RETURN(
      Value result,
      context.create<DFTOp>(input, axis,
                            context.intAttribute("inverse", 0) != 0, onesided));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// A single integer input that must be known at compile time.
llvm::Expected<int64_t> requireConstantScalar(NodeContext &context, size_t i,
                                              llvm::StringRef what) {
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> values,
                        context.requireConstantInts(i, what));
  if (values.size() != 1)
    return context.invalid(what + " must be a single integer");
  return values[0];
}

/// STFT (opset 17): frames of frame_length samples every frame_step samples,
/// each multiplied by the window and transformed: kiln.gather with a constant
/// [frames, frame_length] index table, kiln.mul, kiln.dft along the frame.
llvm::Error convertSTFT(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value signal, context.input(0));
  RankedTensorType signalType = context.inputType(0);
  if (signalType.getRank() != 3)
    return context.invalid("the signal must be [batch, length, 1 or 2]");
  int64_t signalLength = signalType.getDimSize(1);
  if (ShapedType::isDynamic(signalLength))
    return context.unsupported("STFT of a signal of dynamic length");
  KILN_ASSIGN_OR_RETURN(int64_t step,
                        requireConstantScalar(context, 1, "frame_step"));
  Value window = context.optionalInput(2);
  int64_t frameLength = ShapedType::kDynamic;
  if (window) {
    if (context.inputType(2).getRank() != 1)
      return context.invalid("the window must be 1-D");
    frameLength = context.inputType(2).getDimSize(0);
  }
  if (context.hasInput(3)) {
    KILN_ASSIGN_OR_RETURN(int64_t length,
                          requireConstantScalar(context, 3, "frame_length"));
    if (window && length != frameLength)
      return context.invalid("frame_length differs from the window's length");
    frameLength = length;
  }
  if (ShapedType::isDynamic(frameLength))
    return context.invalid("STFT needs a window or a frame_length");
  if (step < 1 || frameLength < 1 || frameLength > signalLength)
    return context.invalid("frame_step and frame_length must be positive and "
                           "frame_length at most the signal's length");
  bool onesided = context.intAttribute("onesided", 1) != 0;
  if (onesided && signalType.getShape().back() == 2)
    return context.invalid("onesided needs a real signal (last dimension 1)");
  // ONNX 1.12's shape inference reads a missing onesided as 0, against the
  // operator's definition (default 1, which ONNX's own test data follows);
  // the importer would then see Kiln's output disagree with ONNX's.
  RankedTensorType inferred = context.inferredOutputType(0);
  if (!context.hasAttribute("onesided") && inferred &&
      inferred.getRank() == 4 && !inferred.isDynamicDim(2) &&
      inferred.getDimSize(2) != frameLength / 2 + 1)
    return context.unsupported(
        "STFT without an explicit onesided attribute: ONNX 1.12's shape "
        "inference takes it as 0, against the default of 1 in the operator's "
        "definition; set onesided explicitly");

  int64_t frames = (signalLength - frameLength) / step + 1;
  SmallVector<int64_t> positions;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t j = 0; j < frameLength; ++j)
      positions.push_back(f * step + j);
  auto indexType = RankedTensorType::get({frames, frameLength},
                                         context.builder.getI64Type());
  Value indices =
      context.constant(DenseElementsAttr::get(indexType, ArrayRef(positions)));
  KILN_ASSIGN_OR_RETURN(Value framed,
                        context.create<GatherOp>(signal, indices, 1));
  if (window) {
    KILN_ASSIGN_OR_RETURN(Value shaped,
                          context.create<ReshapeOp>(
                              window, ArrayRef<int64_t>{1, 1, frameLength, 1}));
    KILN_ASSIGN_OR_RETURN(framed, context.create<MulOp>(framed, shaped));
  }
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<DFTOp>(framed, 2, false, onesided));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// MaxUnpool's output_shape known only at run time: `unpooled` (of the
/// inferred shape) padded at the end of each dim up to it, with the padded
/// amounts (and that output_shape repeats X's N and C) checked at run time.
llvm::Error padToRunTimeShape(NodeContext &context, Value unpooled) {
  auto type = cast<RankedTensorType>(unpooled.getType());
  KILN_ASSIGN_OR_RETURN(int64_t length,
                        requireStaticLength(context, 2, "output_shape"));
  if (length != type.getRank())
    return context.invalid("output_shape must have one entry per dim of X");
  KILN_ASSIGN_OR_RETURN(Value shape, context.input(2));
  if (!cast<RankedTensorType>(shape.getType()).getElementType().isInteger(64))
    return context.invalid("output_shape must be an int64 tensor");
  OpBuilder &builder = context.builder;
  Location loc = context.loc;
  Value fits;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    Value position = arith::ConstantIndexOp::create(builder, loc, dim);
    Value size = tensor::ExtractOp::create(builder, loc, shape, position);
    Value inferred =
        arith::ConstantIntOp::create(builder, loc, type.getDimSize(dim), 64);
    // N and C stay; the spatial dims may only grow.
    Value ok = arith::CmpIOp::create(builder, loc,
                                     dim < 2 ? arith::CmpIPredicate::eq
                                             : arith::CmpIPredicate::sge,
                                     size, inferred);
    fits = dim == 0 ? ok
                    : arith::AndIOp::create(builder, loc, fits, ok).getResult();
  }
  context.emitCheck(fits, "output_shape must repeat X's N and C and be at "
                          "least the unpooled size in every spatial dim");
  KILN_ASSIGN_OR_RETURN(
      Value high,
      context.create<SubOp>(shape, int64Vector(context, type.getShape())));
  KILN_ASSIGN_OR_RETURN(
      Value pads, context.create<ConcatOp>(
                      ValueRange{int64Vector(context, SmallVector<int64_t>(
                                                          type.getRank(), 0)),
                                 high},
                      0));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<DynamicPadOp>(
                                          unpooled, pads, Value(), "constant"));
  context.setOutput(0, refineToDeclared(context, result, 0));
  return llvm::Error::success();
}

/// MaxUnpool as ONNX's reference computes it: zeros of the shape that
/// kernel_shape, strides and pads infer, with X written at the flat positions
/// I (a kiln.scatter_elements into the flattened zeros), then, with
/// output_shape, placed at the start of a zero tensor of that shape.
llvm::Error convertMaxUnpool(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value indices, context.input(1));
  RankedTensorType type = context.inputType(0);
  if (!type.hasStaticShape())
    return context.unsupported("MaxUnpool of a tensor of dynamic shape");
  if (context.inputType(1).getShape() != type.getShape())
    return context.invalid("I must have the shape of X");
  int64_t rank = type.getRank(), spatialRank = rank - 2;
  if (spatialRank < 1)
    return context.invalid("X must be [N, C, spatial...]");
  SmallVector<int64_t> kernel = context.intsAttribute("kernel_shape");
  SmallVector<int64_t> strides =
      context.intsAttribute("strides", SmallVector<int64_t>(spatialRank, 1));
  SmallVector<int64_t> pads =
      context.intsAttribute("pads", SmallVector<int64_t>(2 * spatialRank, 0));
  if (static_cast<int64_t>(kernel.size()) != spatialRank ||
      static_cast<int64_t>(strides.size()) != spatialRank ||
      static_cast<int64_t>(pads.size()) != 2 * spatialRank)
    return context.invalid("kernel_shape, strides and pads must have one "
                           "entry per spatial dimension, pads two");
  SmallVector<int64_t> inferredShape(type.getShape().take_front(2));
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t size = (type.getDimSize(2 + i) - 1) * strides[i] + kernel[i] -
                   pads[i] - pads[spatialRank + i];
    if (size < 0)
      return context.invalid("the pads leave no output");
    inferredShape.push_back(size);
  }
  int64_t inferredSize = 1;
  for (int64_t d : inferredShape)
    if (llvm::MulOverflow(inferredSize, d, inferredSize))
      return context.invalid("the output's element count overflows int64");

  Value zeros = context.splat(
      RankedTensorType::get({inferredSize}, type.getElementType()), 0.0);
  KILN_ASSIGN_OR_RETURN(Value flatInput,
                        context.create<ReshapeOp>(
                            input, ArrayRef<int64_t>{type.getNumElements()}));
  KILN_ASSIGN_OR_RETURN(Value flatIndices,
                        context.create<ReshapeOp>(
                            indices, ArrayRef<int64_t>{type.getNumElements()}));
  KILN_ASSIGN_OR_RETURN(
      Value scattered, context.create<ScatterElementsOp>(zeros, flatIndices,
                                                         flatInput, 0, "none"));
  KILN_ASSIGN_OR_RETURN(Value unpooled,
                        context.create<ReshapeOp>(scattered, inferredShape));
  if (isRunTimeInput(context, 2))
    return padToRunTimeShape(context, unpooled);
  if (context.hasInput(2)) {
    KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> outputShape,
                          context.requireConstantInts(2, "output_shape"));
    if (static_cast<int64_t>(outputShape.size()) != rank ||
        outputShape[0] != type.getDimSize(0) ||
        outputShape[1] != type.getDimSize(1))
      return context.invalid("output_shape must be [N, C, spatial...] with X's "
                             "N and C");
    SmallVector<int64_t> low(rank, 0), high;
    for (auto [wanted, inferred] : llvm::zip(outputShape, inferredShape)) {
      if (wanted < inferred)
        return context.invalid("output_shape must be at least the unpooled "
                               "size in every spatial dim");
      high.push_back(wanted - inferred);
    }
    KILN_ASSIGN_OR_RETURN(
        unpooled,
        context.create<PadOp>(unpooled, low, high, "constant", TypedAttr()));
  }
  context.setOutput(0, unpooled);
  return llvm::Error::success();
}

/// A scalar input known at compile time, as a double.
llvm::Expected<double> requireConstantNumber(NodeContext &context, size_t i,
                                             llvm::StringRef what) {
  DenseElementsAttr value = context.constantInput(i);
  if (!value)
    return context.unsupported(what +
                               " must be known when the model is compiled "
                               "(the output's shape depends on it)");
  if (value.getNumElements() != 1)
    return context.invalid(what + " must be a scalar");
  Type elementType = value.getElementType();
  if (isa<FloatType>(elementType)) {
    APFloat number = *value.value_begin<APFloat>();
    bool losesInfo;
    number.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                   &losesInfo);
    return number.convertToDouble();
  }
  APInt number = *value.value_begin<APInt>();
  return elementType.isUnsignedInteger()
             ? static_cast<double>(number.getZExtValue())
             : static_cast<double>(number.getSExtValue());
}

/// MelWeightMatrix (opset 17), computed at import time exactly as ONNX's
/// reference: triangular filters between mel-spaced frequency bins.
llvm::Error convertMelWeightMatrix(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(double melBins,
                        requireConstantNumber(context, 0, "num_mel_bins"));
  KILN_ASSIGN_OR_RETURN(double dftLength,
                        requireConstantNumber(context, 1, "dft_length"));
  KILN_ASSIGN_OR_RETURN(double sampleRate,
                        requireConstantNumber(context, 2, "sample_rate"));
  KILN_ASSIGN_OR_RETURN(double lowerHertz,
                        requireConstantNumber(context, 3, "lower_edge_hertz"));
  KILN_ASSIGN_OR_RETURN(double upperHertz,
                        requireConstantNumber(context, 4, "upper_edge_hertz"));
  auto bins = static_cast<int64_t>(melBins);
  auto length = static_cast<int64_t>(dftLength);
  if (bins < 1 || length < 1 || sampleRate <= 0 || bins > (1 << 20) ||
      length > (1 << 24))
    return context.invalid("num_mel_bins, dft_length and sample_rate must be "
                           "positive (and of sensible size)");
  int64_t spectrogramBins = length / 2 + 1;
  auto toMel = [](double hertz) {
    return 2595.0 * std::log10(1.0 + hertz / 700.0);
  };
  double lowMel = toMel(lowerHertz), highMel = toMel(upperHertz);
  // The reference divides the mel range by num_mel_bins + 2 (the number of
  // points), not by the number of gaps.
  double melStep = (highMel - lowMel) / static_cast<double>(bins + 2);
  SmallVector<int64_t> points;
  for (int64_t i = 0; i < bins + 2; ++i) {
    double hertz =
        700.0 * (std::pow(10.0, (i * melStep + lowMel) / 2595.0) - 1.0);
    points.push_back(static_cast<int64_t>(
        std::floor((static_cast<double>(length) + 1) * hertz / sampleRate)));
  }
  std::vector<double> weights(spectrogramBins * bins, 0.0);
  auto set = [&](int64_t row, int64_t column, double value) -> bool {
    if (row < 0 || row >= spectrogramBins)
      return false;
    weights[row * bins + column] = value;
    return true;
  };
  for (int64_t i = 0; i < bins; ++i) {
    int64_t low = points[i], center = points[i + 1], high = points[i + 2];
    bool inside = true;
    if (center == low) {
      inside &= set(center, i, 1.0);
    } else {
      for (int64_t j = low; j <= center; ++j)
        inside &= set(j, i, double(j - low) / double(center - low));
    }
    for (int64_t j = center; j < high; ++j)
      inside &= set(j, i, double(high - j) / double(high - center));
    if (!inside)
      return context.invalid("the mel filters reach beyond the spectrogram's "
                             "bins (upper_edge_hertz above half the sample "
                             "rate?)");
  }
  int64_t outputType = context.intAttribute("output_datatype", 1);
  KILN_ASSIGN_OR_RETURN(Type elementType,
                        elementTypeFromOnnx(context.builder.getContext(),
                                            static_cast<int32_t>(outputType)));
  auto type = RankedTensorType::get({spectrogramBins, bins}, elementType);
  SmallVector<Attribute> elements;
  for (double weight : weights) {
    if (auto floatType = dyn_cast<FloatType>(elementType))
      elements.push_back(FloatAttr::get(floatType, weight));
    else
      elements.push_back(
          IntegerAttr::get(elementType, static_cast<int64_t>(weight)));
  }
  context.setOutput(0,
                    context.constant(DenseElementsAttr::get(type, elements)));
  return llvm::Error::success();
}

llvm::Error convertNonMaxSuppression(NodeContext &context) {
  return context.unsupported(
      "NonMaxSuppression's output holds one row per selected box, so its "
      "size depends on the input values; Kiln needs output shapes known "
      "when the model is compiled");
}

} // namespace

void registerSpatialConverters(ConverterRegistry &registry) {
  registry.add("", "GridSample", convertGridSample);
  registry.add("", "RoiAlign", convertRoiAlign);
  registry.add("", "Det", convertDet);
  registry.add("", "DFT", convertDFT);
  registry.add("", "STFT", convertSTFT);
  registry.add("", "MaxUnpool", convertMaxUnpool);
  registry.add("", "MelWeightMatrix", convertMelWeightMatrix);
  registry.add("", "NonMaxSuppression", convertNonMaxSuppression);
}

} // namespace kiln::onnx_import
