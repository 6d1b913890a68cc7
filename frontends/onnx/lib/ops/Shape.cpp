//===- Shape.cpp - ONNX constants and shape ops to kiln -------------------===//
//
// Constant, Reshape, Flatten-like Squeeze/Unsqueeze, Transpose, Concat, and
// Shape and Size (which are constants when the input's shape is static).
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "ConverterUtils.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

llvm::Error convertConstant(NodeContext &context) {
  Builder &b = context.builder;
  DenseElementsAttr value;
  if (context.hasAttribute("value")) {
    KILN_ASSIGN_OR_RETURN(value, context.tensorAttribute("value"));
  } else if (const auto *attribute = context.attribute("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attribute->f());
  } else if (const auto *attribute = context.attribute("value_floats")) {
    SmallVector<float> floats(attribute->floats().begin(),
                              attribute->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(floats.size())},
                              b.getF32Type()),
        ArrayRef<float>(floats));
  } else if (const auto *attribute = context.attribute("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attribute->i()));
  } else if (const auto *attribute = context.attribute("value_ints")) {
    SmallVector<int64_t> ints(attribute->ints().begin(),
                              attribute->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(ints.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(ints));
  } else {
    return context.unsupported(
        "Constant without a numeric value (sparse or string)");
  }
  context.setOutput(0, context.constant(value));
  return llvm::Error::success();
}

/// ONNX Reshape: a 0 entry copies the input's dim (unless allowzero), -1 is
/// inferred.
llvm::Error convertReshape(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> shape,
                        context.requireConstantInts(1, "the target shape"));
  RankedTensorType type = context.inputType(0);
  if (context.intAttribute("allowzero", 0) == 0) {
    for (auto [index, dim] : llvm::enumerate(shape)) {
      if (dim != 0)
        continue;
      if (static_cast<int64_t>(index) >= type.getRank())
        return context.invalid(
            "shape entry " + llvm::Twine(index) +
            " is 0 (copy the input dim) but the input has rank " +
            llvm::Twine(type.getRank()));
      if (type.isDynamicDim(index))
        return context.unsupported("a 0 entry copying a dynamic dim");
      dim = type.getDimSize(index);
    }
  }
  KILN_ASSIGN_OR_RETURN(Value result, context.create<ReshapeOp>(input, shape));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error reshapeToStatic(NodeContext &context, Value input,
                            ArrayRef<int64_t> shape) {
  KILN_ASSIGN_OR_RETURN(Value result, context.create<ReshapeOp>(input, shape));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertSqueeze(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  SmallVector<int64_t> axes;
  if (context.hasInput(1)) {
    KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> given,
                          context.requireConstantInts(1, "the axes"));
    KILN_ASSIGN_OR_RETURN(axes, normalizeAxes(context, given, type.getRank()));
  } else {
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.isDynamicDim(d))
        return context.unsupported(
            "Squeeze without axes of a tensor with dynamic dims");
      if (type.getDimSize(d) == 1)
        axes.push_back(d);
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool squeezed = llvm::is_contained(axes, d);
    if (squeezed && !type.isDynamicDim(d) && type.getDimSize(d) != 1)
      return context.invalid("cannot squeeze dim " + llvm::Twine(d) +
                             " of size " + llvm::Twine(type.getDimSize(d)));
    if (!squeezed)
      shape.push_back(type.isDynamicDim(d) ? -1 : type.getDimSize(d));
  }
  if (llvm::count(shape, -1) > 1)
    return context.unsupported("Squeeze of a tensor with several dynamic dims");
  return reshapeToStatic(context, input, shape);
}

llvm::Error convertUnsqueeze(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  RankedTensorType type = context.inputType(0);
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> given,
                        context.requireConstantInts(1, "the axes"));
  int64_t rank = type.getRank() + given.size();
  KILN_ASSIGN_OR_RETURN(SmallVector<int64_t> axes,
                        normalizeAxes(context, given, rank));
  SmallVector<int64_t> shape;
  int64_t source = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      shape.push_back(1);
      continue;
    }
    shape.push_back(type.isDynamicDim(source) ? -1 : type.getDimSize(source));
    ++source;
  }
  if (llvm::count(shape, -1) > 1)
    return context.unsupported(
        "Unsqueeze of a tensor with several dynamic dims");
  return reshapeToStatic(context, input, shape);
}

llvm::Error convertTranspose(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  int64_t rank = context.inputType(0).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  SmallVector<int64_t> permutation = context.intsAttribute("perm", reversed);
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<TransposeOp>(input, permutation));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertConcat(NodeContext &context) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < context.numInputs(); ++i) {
    KILN_ASSIGN_OR_RETURN(Value input, context.input(i));
    inputs.push_back(input);
  }
  if (inputs.empty())
    return context.invalid("Concat needs at least one input");
  if (!context.hasAttribute("axis"))
    return context.invalid("attribute 'axis' is required");
  KILN_ASSIGN_OR_RETURN(int64_t axis,
                        normalizeAxis(context, context.intAttribute("axis", 0),
                                      context.inputType(0).getRank()));
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<ConcatOp>(ValueRange(inputs), axis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Shape of a statically shaped tensor, with opset 15's start and end.
llvm::Error convertShape(NodeContext &context) {
  RankedTensorType type = context.inputType(0);
  int64_t rank = type.getRank();
  auto clamp = [&](int64_t index) {
    if (index < 0)
      index += rank;
    return std::clamp<int64_t>(index, 0, rank);
  };
  int64_t start = clamp(context.intAttribute("start", 0));
  int64_t end = clamp(context.intAttribute("end", rank));
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d) {
    if (type.isDynamicDim(d))
      return context.unsupported("Shape of a tensor with dynamic dims");
    dims.push_back(type.getDimSize(d));
  }
  auto resultType = RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                          context.builder.getI64Type());
  context.setOutput(0, context.constant(DenseElementsAttr::get(
                           resultType, ArrayRef<int64_t>(dims))));
  return llvm::Error::success();
}

llvm::Error convertSize(NodeContext &context) {
  RankedTensorType type = context.inputType(0);
  if (!type.hasStaticShape())
    return context.unsupported("Size of a tensor with dynamic dims");
  context.setOutput(0,
                    context.constant(DenseElementsAttr::get(
                        RankedTensorType::get({}, context.builder.getI64Type()),
                        type.getNumElements())));
  return llvm::Error::success();
}

} // namespace

void registerShapeConverters(ConverterRegistry &registry) {
  registry.add("", "Constant", convertConstant);
  registry.add("", "Reshape", convertReshape);
  registry.add("", "Squeeze", convertSqueeze);
  registry.add("", "Unsqueeze", convertUnsqueeze);
  registry.add("", "Transpose", convertTranspose);
  registry.add("", "Concat", convertConcat);
  registry.add("", "Shape", convertShape);
  registry.add("", "Size", convertSize);
}

} // namespace kiln::onnx_import
