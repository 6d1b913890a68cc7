//===- DataDependent.cpp - ONNX ops whose output sizes depend on data -----===//
//
// NonZero, Compress and Unique become kiln.nonzero, kiln.compress and
// kiln.unique, whose data-dependent dims are dynamic (`?`); the compiled
// function allocates such outputs itself. On constant inputs (shape
// computations) the ops are evaluated while importing instead, so later
// converters see constants of static shape.
//
// - Compress without an axis works on the flattened input.
// - Unique without an axis works on the flattened input (axis 0 of a 1-D
//   tensor); its four outputs are the op's four results. kiln.unique orders
//   integers as signed: unsigned inputs go through a signed type twice as
//   wide.
//
//===----------------------------------------------------------------------===//

#include "../ConverterRegistry.h"
#include "CompositionHelpers.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The largest constant input evaluated while importing (Unique compares every
/// pair of elements); larger ones are left to the compiled code.
constexpr int64_t kMaxEvaluatedElements = int64_t(1) << 12;

/// Input `i` when it is a constant small enough to evaluate, else null.
DenseElementsAttr evaluableInput(NodeContext &context, size_t i) {
  DenseElementsAttr elements = context.constantInput(i);
  if (!elements || elements.getNumElements() > kMaxEvaluatedElements)
    return {};
  return elements;
}

/// `input` flattened to 1-D (itself when it is 1-D already).
llvm::Expected<Value> flattened(NodeContext &context, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() == 1)
    return input;
  int64_t count = type.hasStaticShape() ? type.getNumElements() : -1;
  return context.create<ReshapeOp>(input, ArrayRef<int64_t>{count});
}

llvm::Error convertNonZero(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  if (context.inputType(0).getRank() == 0)
    return context.unsupported("NonZero of a rank-0 tensor");
  if (DenseElementsAttr elements = evaluableInput(context, 0)) {
    context.setOutput(0, context.constant(NonZeroOp::evaluate(elements)));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(Value result, context.create<NonZeroOp>(input));
  context.setOutput(0, result);
  return llvm::Error::success();
}

llvm::Error convertCompress(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  KILN_ASSIGN_OR_RETURN(Value condition, context.input(1));
  if (!elementTypeOf(condition).isInteger(1))
    return context.invalid("the condition must be a bool tensor");
  int64_t axis = 0;
  if (context.hasAttribute("axis")) {
    KILN_ASSIGN_OR_RETURN(axis, normalizeAxis(context,
                                              context.intAttribute("axis", 0),
                                              context.inputType(0).getRank()));
  } else {
    KILN_ASSIGN_OR_RETURN(input, flattened(context, input));
  }
  DenseElementsAttr constantInput = evaluableInput(context, 0),
                    constantCondition = evaluableInput(context, 1);
  if (constantInput && constantCondition &&
      cast<RankedTensorType>(input.getType()).hasStaticShape() &&
      constantCondition.getType().getRank() == 1 &&
      constantCondition.getNumElements() <=
          cast<RankedTensorType>(input.getType()).getDimSize(axis)) {
    auto reshaped =
        constantInput.reshape(cast<ShapedType>(input.getType())
                                  .clone(constantInput.getElementType()));
    context.setOutput(0, context.constant(CompressOp::evaluate(
                             reshaped, constantCondition, axis)));
    return llvm::Error::success();
  }
  KILN_ASSIGN_OR_RETURN(Value result,
                        context.create<CompressOp>(input, condition, axis));
  context.setOutput(0, result);
  return llvm::Error::success();
}

/// Builds a kiln.unique, whose four results NodeContext::create cannot build:
/// its result types are inferred here, and a type error becomes an error.
llvm::Expected<UniqueOp> createUnique(NodeContext &context, Value input,
                                      int64_t axis, bool sorted) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(
      context.builder.getContext(), [&](Diagnostic &diagnostic) {
        diagnostics += (diagnostics.empty() ? "" : "; ") + diagnostic.str();
        return success();
      });
  Type none = context.builder.getNoneType();
  auto op =
      UniqueOp::create(context.builder, context.loc,
                       TypeRange{none, none, none, none}, input, axis, sorted);
  SmallVector<Type> types;
  if (failed(UniqueOp::inferReturnTypes(
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

/// The signed integer type that holds every value of the unsigned `type`
/// (kiln.unique compares integers as signed), or null for ui64.
Type signedHolderOf(IntegerType type) {
  unsigned width = type.getWidth();
  if (width >= 64)
    return {};
  return IntegerType::get(type.getContext(), width * 2);
}

llvm::Error convertUnique(NodeContext &context) {
  KILN_ASSIGN_OR_RETURN(Value input, context.input(0));
  int64_t axis = 0;
  if (context.hasAttribute("axis")) {
    KILN_ASSIGN_OR_RETURN(axis, normalizeAxis(context,
                                              context.intAttribute("axis", 0),
                                              context.inputType(0).getRank()));
  } else {
    KILN_ASSIGN_OR_RETURN(input, flattened(context, input));
  }
  bool sorted = context.intAttribute("sorted", 1) != 0;
  if (DenseElementsAttr elements = evaluableInput(context, 0)) {
    auto reshaped = elements.reshape(
        cast<ShapedType>(input.getType()).clone(elements.getElementType()));
    SmallVector<DenseElementsAttr> results;
    if (succeeded(UniqueOp::evaluate(reshaped, axis, sorted, results))) {
      for (auto [i, result] : llvm::enumerate(results))
        context.setOutput(i, context.constant(result));
      return llvm::Error::success();
    }
  }
  // Unsigned integers are sorted as a wider signed type that holds them all,
  // and the distinct values cast back (exactly).
  auto unsignedType = dyn_cast<IntegerType>(elementTypeOf(input));
  if (unsignedType && !unsignedType.isUnsigned())
    unsignedType = nullptr;
  if (unsignedType) {
    Type holder = signedHolderOf(unsignedType);
    if (!holder)
      return context.unsupported("Unique of uint64 (Kiln sorts integers as "
                                 "signed, and no wider type holds uint64)");
    KILN_ASSIGN_OR_RETURN(input, castElements(context, input, holder));
  }
  KILN_ASSIGN_OR_RETURN(UniqueOp unique,
                        createUnique(context, input, axis, sorted));
  SmallVector<Value> results(unique.getResults());
  if (unsignedType) {
    KILN_ASSIGN_OR_RETURN(results[0],
                          castElements(context, results[0], unsignedType));
  }
  for (auto [i, result] : llvm::enumerate(results))
    context.setOutput(i, result);
  return llvm::Error::success();
}

} // namespace

void registerDataDependentConverters(ConverterRegistry &registry) {
  registry.add("", "NonZero", convertNonZero);
  registry.add("", "Compress", convertCompress);
  registry.add("", "Unique", convertUnique);
}

} // namespace kiln::onnx_import
