//===- LowerToLinalg.cpp - The kiln-lower-to-linalg pass ------------------===//
//
// Runs the pattern families of LowerElementwise, LowerContractions,
// LowerPooling, LowerShapeOps and LowerReductions as one partial conversion:
// the kiln dialect is illegal afterwards, so an op no pattern can lower fails
// the pass with its location. Convolution filter gradients are expanded into
// kiln ops first (ExpandFilterGradients.cpp), which these then lower.
//
// arith works on signless integers only, so the same conversion turns unsigned
// tensor types (ONNX's uint8..uint64) into signless ones: function signatures,
// returns and calls through the type converter, constants by reinterpreting
// their bits, and elementwise ops by patterns that pick unsigned arithmetic
// from the original types. Other kiln ops whose result does not depend on
// signedness (data movement, sums and products that wrap) are re-created with
// signless types and then lowered by their usual patterns; any other kiln op
// on unsigned types is rejected before anything is rewritten, since its
// pattern would treat the values as signed.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Codegen/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERTOLINALGPASS
#include "kiln/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Unsigned integers (alone or as tensor elements) become signless integers of
/// the same width, and strings become i64 (the bits of their `const char *`:
/// builtin memrefs cannot hold `!llvm.ptr`); every other type stays.
class SignlessTypeConverter : public TypeConverter {
public:
  SignlessTypeConverter() {
    addConversion([](Type type) { return type; });
    addConversion([](IntegerType type) -> Type {
      if (!type.isUnsigned())
        return type;
      return IntegerType::get(type.getContext(), type.getWidth());
    });
    addConversion([](StringType type) -> Type {
      return IntegerType::get(type.getContext(), 64);
    });
    addConversion([this](RankedTensorType type) -> Type {
      Type element = convertType(type.getElementType());
      return element ? type.clone(element) : Type();
    });
  }
};

/// Kiln ops whose results do not depend on whether integers are signed:
/// they move or copy elements, or add and multiply with wrapping.
bool isSignednessAgnostic(Operation *op) {
  if (auto resize = dyn_cast<ResizeOp>(op))
    return resize.getMode() == "nearest"; // interpolation converts to float
  if (auto resize = dyn_cast<DynamicResizeOp>(op))
    return resize.getMode() == "nearest";
  return isa<ReshapeOp, TransposeOp, ConcatOp, MatMulOp, ReduceSumOp,
             ReduceProdOp, CumSumOp, SliceOp, PadOp, BroadcastToOp, GatherOp,
             GatherElementsOp, GatherNDOp, ScatterElementsOp, ScatterNDOp,
             ShapeOfOp, DynamicReshapeOp, UnsqueezeOp, SqueezeOp,
             DynamicBroadcastToOp, TileOp, DynamicSliceOp, SplitOp,
             DynamicPadOp, ConstantOfShapeOp, DynamicReduceSumOp,
             DynamicCumSumOp, RandomUniformLikeOp, NonZeroOp, CompressOp>(op);
}

/// `attribute` with unsigned integer types replaced by signless ones of the same
/// bits (a pad value, say), so that it matches the retyped operands.
Attribute toSignless(Attribute attribute) {
  if (auto integer = dyn_cast<IntegerAttr>(attribute)) {
    auto type = dyn_cast<IntegerType>(integer.getType());
    if (type && type.isUnsigned())
      return IntegerAttr::get(
          IntegerType::get(type.getContext(), type.getWidth()), integer.getValue());
  }
  return attribute;
}

/// True when an operand or result of `op` is a string tensor.
bool hasStringTypes(Operation *op) {
  auto isString = [](Type type) {
    return isa<StringType>(getElementTypeOrSelf(type));
  };
  return llvm::any_of(op->getOperandTypes(), isString) ||
         llvm::any_of(op->getResultTypes(), isString);
}

bool hasUnsignedTypes(Operation *op, const TypeConverter &converter) {
  return !converter.isLegal(op);
}

/// Re-creates an op that has unsigned types with signless ones: signedness
/// agnostic kiln ops (which their own patterns then lower) and region-free ops
/// of other dialects (such as the `tensor.cast` the ONNX importer adds).
struct SignlessRetyping : ConversionPattern {
  SignlessRetyping(const TypeConverter &converter, MLIRContext *context)
      // Ahead of every family's pattern, which would read the values as
      // signed.
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/100,
                          context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getNumRegions() != 0 || !hasUnsignedTypes(op, *typeConverter))
      return failure();
    if (isa<KilnDialect>(op->getDialect()) && !isSignednessAgnostic(op))
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(typeConverter->convertTypes(op->getResultTypes(), resultTypes)))
      return failure();
    IRMapping mapping;
    mapping.map(op->getOperands(), operands);
    Operation *retyped = rewriter.clone(*op, mapping);
    for (auto [result, type] : llvm::zip(retyped->getResults(), resultTypes))
      result.setType(type);
    for (NamedAttribute attribute : retyped->getAttrs())
      if (Attribute signless = toSignless(attribute.getValue());
          signless != attribute.getValue())
        retyped->setAttr(attribute.getName(), signless);
    rewriter.replaceOp(op, retyped->getResults());
    return success();
  }
};

/// Fails (with an error on each) when a kiln op with unsigned types has no
/// lowering that knows what unsigned means for it.
LogicalResult checkUnsignedSupport(ModuleOp module,
                                   const TypeConverter &converter) {
  bool ok = true;
  module.walk([&](Operation *op) {
    if (!isa<KilnDialect>(op->getDialect()) || !hasUnsignedTypes(op, converter))
      return;
    // String tensors are pointer bits: ops that move elements take them as
    // they are, casts call the runtime, and nothing else may touch them.
    bool supported =
        hasStringTypes(op)
            ? isa<CastOp, SelectOp>(op) || isSignednessAgnostic(op)
            : isLoweredWithUnsignedTypes(op) || isSignednessAgnostic(op);
    if (supported)
      return;
    if (hasStringTypes(op))
      op->emitOpError("on string tensors is not supported by the CPU "
                      "lowering yet (strings convert to and from floats "
                      "with kiln.cast)");
    else
      op->emitOpError("on unsigned integer types is not supported by the CPU "
                      "lowering yet; cast the operands to a signed type "
                      "first");
    ok = false;
  });
  return success(ok);
}

struct LowerToLinalgPass : impl::KilnLowerToLinalgPassBase<LowerToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SignlessTypeConverter converter;
    if (failed(checkUnsignedSupport(getOperation(), converter)))
      return signalPassFailure();

    RewritePatternSet patterns(context);
    populateElementwiseLoweringPatterns(converter, patterns);
    populateContractionLoweringPatterns(patterns);
    populatePoolingLoweringPatterns(patterns);
    populateShapeLoweringPatterns(patterns);
    populateIndexingLoweringPatterns(patterns);
    populateResizeLoweringPatterns(patterns);
    populateReductionLoweringPatterns(patterns);
    populateSpatialLoweringPatterns(patterns);
    populateDynamicShapeLoweringPatterns(patterns);
    populateDataDependentLoweringPatterns(patterns);
    populateFilterGradientExpansionPatterns(patterns);
    patterns.add<SignlessRetyping>(converter, context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    scf::populateSCFStructuralTypeConversions(converter, patterns);

    ConversionTarget target(*context);
    target.addIllegalDialect<KilnDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    // Everything else is legal once its types are signless.
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    addCheckedCastLegality(target, converter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
