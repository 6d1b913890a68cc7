//===- Indexing.cpp - ONNX gathers, scatters and Resize to kiln -----------===//
//
// Gather, GatherElements, GatherND, ScatterElements (and the deprecated
// Scatter, its opset 9/10 name), ScatterND, and Resize (Upsample arrives as
// Resize from the version converter). Indices stay run-time values; the kiln
// ops define what out-of-range indices do (see their descriptions). Resize
// needs its scales or sizes and the input shape at compile time: its output
// shape depends on them.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"
#include "DynamicShapeHelpers.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Input `i` as an index tensor (int32 or int64), or an error.
llvm::Expected<Value> indicesInput(NodeContext &context, size_t i) {
  KILN_ASSIGN_OR_RETURN(Value indices, context.input(i));
  Type elementType = context.inputType(i).getElementType();
  if (!elementType.isSignlessInteger(32) && !elementType.isSignlessInteger(64))
    return context.invalid("indices must be int32 or int64");
  return indices;
}

llvm::Error convertGather(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value data, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value indices, indicesInput(context, 1));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<GatherOp>(data, indices, axis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertGatherElements(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value data, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value indices, indicesInput(context, 1));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<GatherElementsOp>(data, indices, axis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertGatherND(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value data, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value indices, indicesInput(context, 1));
  if (!context.inputType(1).getElementType().isSignlessInteger(64))
    return context.invalid("GatherND indices must be int64");
  int64_t batchDims = context.intAttribute("batch_dims", 0);
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<GatherNDOp>(data, indices, batchDims));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// The reduction attribute of ScatterElements and ScatterND (opset 16+).
llvm::Expected<std::string> scatterReduction(NodeContext &context) {
  std::string reduction = context.stringAttribute("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return context.unsupported("scatter reduction '" + reduction + "'");
  return reduction;
}

llvm::Error convertScatterElements(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value data, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value indices, indicesInput(context, 1));
  KILN_ASSIGN_OR_RETURN(Value updates, context.input(2));
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(std::string reduction, scatterReduction(context));
  KILN_ASSIGN_OR_RETURN(Value result, context.create<ScatterElementsOp>(
                                          data, indices, updates, axis,
                                          llvm::StringRef(reduction)));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertScatterND(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value data, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value indices, indicesInput(context, 1));
  if (!context.inputType(1).getElementType().isSignlessInteger(64))
    return context.invalid("ScatterND indices must be int64");
  KILN_ASSIGN_OR_RETURN(Value updates, context.input(2));
  KILN_ASSIGN_OR_RETURN(std::string reduction, scatterReduction(context));
  KILN_ASSIGN_OR_RETURN(
      Value result, context.create<ScatterNDOp>(data, indices, updates,
                                                llvm::StringRef(reduction)));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// The values of a constant float operand in double precision, or nullopt
/// when it is not known at compile time.
std::optional<SmallVector<double>> constantFloats(NodeContext &context,
                                                  size_t i) {
  DenseElementsAttr elements = context.constantInput(i);
  if (!elements || !isa<FloatType>(elements.getElementType()))
    return std::nullopt;
  SmallVector<double> values;
  for (APFloat value : elements.getValues<APFloat>()) {
    bool losesInfo = false;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    values.push_back(value.convertToDouble());
  }
  return values;
}

/// Whether optional input `i` is present and not an empty tensor (opset 11
/// models pass an empty `scales` when they give `sizes`).
bool hasNonEmptyInput(NodeContext &context, size_t i) {
  if (!context.hasInput(i))
    return false;
  RankedTensorType type = context.inputType(i);
  return !type.hasStaticShape() || type.getNumElements() != 0;
}

/// Resize's output sizes and scales from its `scales` or `sizes` input.
llvm::Error resolveResizeShape(NodeContext &context, ArrayRef<int64_t> shape,
                               SmallVector<int64_t> &sizes,
                               SmallVector<double> &scales) {
  int64_t rank = shape.size();
  bool hasScales = hasNonEmptyInput(context, 2),
       hasSizes = hasNonEmptyInput(context, 3);
  if (hasScales == hasSizes)
    return context.invalid("exactly one of scales and sizes must be given");
  if (hasSizes) {
    KILN_ASSIGN_OR_RETURN(sizes, context.requireConstantInts(3, "the sizes"));
    if (static_cast<int64_t>(sizes.size()) != rank)
      return context.invalid("sizes has " + llvm::Twine(sizes.size()) +
                             " entries for rank " + llvm::Twine(rank));
    for (int64_t d = 0; d < rank; ++d) {
      if (sizes[d] < 1)
        return context.unsupported("Resize to an empty dimension");
      scales.push_back(static_cast<double>(sizes[d]) /
                       static_cast<double>(shape[d]));
    }
    return llvm::Error::success();
  }
  std::optional<SmallVector<double>> given = constantFloats(context, 2);
  if (!given)
    return context.unsupported(
        "scales (input 2) must be known when the model is compiled");
  if (static_cast<int64_t>(given->size()) != rank)
    return context.invalid("scales has " + llvm::Twine(given->size()) +
                           " entries for rank " + llvm::Twine(rank));
  scales = *given;
  for (int64_t d = 0; d < rank; ++d) {
    if (!(scales[d] > 0) || !std::isfinite(scales[d]))
      return context.invalid("scales must be positive");
    // ONNX: output size = floor(input size * scale).
    double size = std::floor(static_cast<double>(shape[d]) * scales[d]);
    if (size < 1)
      return context.unsupported("Resize to an empty dimension");
    if (!(size < double(int64_t(1) << 40)))
      return context.invalid("the resized dimension is too large");
    sizes.push_back(static_cast<int64_t>(size));
  }
  return llvm::Error::success();
}

/// Whether Resize's output must be computed at run time: its scales, sizes or
/// (for tf_crop_and_resize) roi are not known when compiling, or its input
/// has dims known only at run time (or empty ones, which kiln.resize
/// rejects).
bool needsRunTimeResize(NodeContext &context) {
  RankedTensorType type = context.inputType(0);
  bool crop = context.stringAttribute("coordinate_transformation_mode",
                                      "half_pixel") == "tf_crop_and_resize";
  return !type.hasStaticShape() || llvm::is_contained(type.getShape(), 0) ||
         (hasNonEmptyInput(context, 2) && !constantFloats(context, 2)) ||
         (hasNonEmptyInput(context, 3) && !context.constantInts(3)) ||
         (crop && context.hasInput(1) && !constantFloats(context, 1));
}

/// Resize with run-time scales, sizes, roi or input dims:
/// kiln.dynamic_resize, with the output type the model declares.
llvm::Error convertRunTimeResize(NodeContext &context, Value input) {
  bool hasScales = hasNonEmptyInput(context, 2),
       hasSizes = hasNonEmptyInput(context, 3);
  if (hasScales == hasSizes)
    return context.invalid("exactly one of scales and sizes must be given");
  std::string mode = context.stringAttribute("mode", "nearest");
  std::string transform =
      context.stringAttribute("coordinate_transformation_mode", "half_pixel");
  Value roi;
  if (transform == "tf_crop_and_resize") {
    if (!context.hasInput(1))
      return context.invalid("tf_crop_and_resize needs roi (input 1)");
    roi = context.optionalInput(1);
  }
  Builder &b = context.builder;
  KILN_ASSIGN_OR_RETURN(
      Value result,
      context.create<DynamicResizeOp>(
          input, hasScales ? context.optionalInput(2) : Value(),
          hasSizes ? context.optionalInput(3) : Value(), roi,
          b.getStringAttr(mode), b.getStringAttr(transform),
          b.getStringAttr(
              context.stringAttribute("nearest_mode", "round_prefer_floor")),
          b.getF64FloatAttr(context.floatAttribute("cubic_coeff_a", -0.75f)),
          b.getBoolAttr(context.intAttribute("exclude_outside", 0) != 0),
          b.getF64FloatAttr(
              context.floatAttribute("extrapolation_value", 0.0f))));
  context.setOutput(0, refineToDeclared(context, result, 0));
  return llvm::Error::success();
}

/// Resize (opset 13 semantics, the same at 17): kiln.resize when the output
/// is known when compiling, else kiln.dynamic_resize.
llvm::Error convertResize(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  if (needsRunTimeResize(context))
    return convertRunTimeResize(context, input);
  SmallVector<int64_t> sizes;
  SmallVector<double> scales;
  if (llvm::Error error =
          resolveResizeShape(context, type.getShape(), sizes, scales))
    return error;

  std::string mode = context.stringAttribute("mode", "nearest");
  std::string transform =
      context.stringAttribute("coordinate_transformation_mode", "half_pixel");
  if (mode != "nearest" && !isa<FloatType>(type.getElementType()))
    return context.unsupported("Resize mode '" + mode +
                               "' of a non-float tensor");
  std::optional<SmallVector<double>> roi;
  if (transform == "tf_crop_and_resize") {
    if (!context.hasInput(1))
      return context.invalid("tf_crop_and_resize needs roi (input 1)");
    roi = constantFloats(context, 1);
    if (!roi)
      return context.unsupported(
          "roi (input 1) must be known when the model is compiled");
  }
  Builder &b = context.builder;
  KILN_ASSIGN_OR_RETURN(
      Value result,
      context.create<ResizeOp>(
          input, b.getDenseI64ArrayAttr(sizes), b.getDenseF64ArrayAttr(scales),
          b.getStringAttr(mode), b.getStringAttr(transform),
          b.getStringAttr(
              context.stringAttribute("nearest_mode", "round_prefer_floor")),
          b.getF64FloatAttr(context.floatAttribute("cubic_coeff_a", -0.75f)),
          b.getBoolAttr(context.intAttribute("exclude_outside", 0) != 0),
          b.getF64FloatAttr(
              context.floatAttribute("extrapolation_value", 0.0f)),
          roi ? b.getDenseF64ArrayAttr(*roi) : DenseF64ArrayAttr()));
  context.setOutput(0, result);
  return llvm::Error::success();
}

} // namespace

void registerIndexingConverters(ConverterRegistry &registry) {
  registry.add("", "Gather", convertGather);
  registry.add("", "GatherElements", convertGatherElements);
  registry.add("", "GatherND", convertGatherND);
  registry.add("", "ScatterElements", convertScatterElements);
  registry.add("", "Scatter", convertScatterElements);
  registry.add("", "ScatterND", convertScatterND);
  registry.add("", "Resize", convertResize);
}

} // namespace kiln::onnx_import
