//===- LowerElementwise.cpp - kiln elementwise ops to linalg.generic ------===//
//
// Constants become `arith.constant`; unary and broadcasting binary ops become
// one `linalg.generic` each, so that linalg's elementwise fusion can merge
// chains later.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

/// Builds the scalar body of an elementwise op from its scalar operands.
using ScalarBuilder = std::function<Value(OpBuilder &, Location, ValueRange)>;

/// Emits a linalg.generic computing `body` elementwise over `operands`,
/// broadcast to `resultType`.
static Value buildElementwiseGeneric(OpBuilder &builder, Location loc,
                                     RankedTensorType resultType,
                                     ValueRange operands,
                                     const ScalarBuilder &body) {
  MLIRContext *context = builder.getContext();
  unsigned rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(getBroadcastMap(
        context, cast<RankedTensorType>(operand.getType()).getShape(),
        resultType.getShape(), rank));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, context));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);

  Value init = createEmptyTensor(
      builder, loc, resultType,
      getBroadcastResultSizes(builder, loc, resultType, operands));
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{resultType}, operands, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

template <typename KilnOp>
struct ElementwiseLowering : OpConversionPattern<KilnOp> {
  ElementwiseLowering(MLIRContext *context, ScalarBuilder body)
      : OpConversionPattern<KilnOp>(context), body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(KilnOp op, typename KilnOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value result = buildElementwiseGeneric(rewriter, op.getLoc(), resultType,
                                           adaptor.getOperands(), body);
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarBuilder body;
};

template <typename KilnOp>
static void addBinary(RewritePatternSet &patterns, ArithKind kind) {
  patterns.add<ElementwiseLowering<KilnOp>>(
      patterns.getContext(),
      [kind](OpBuilder &b, Location loc, ValueRange args) {
        return createArith(b, loc, kind, args[0], args[1]);
      });
}

template <typename KilnOp>
static void addUnary(RewritePatternSet &patterns, ScalarBuilder body) {
  patterns.add<ElementwiseLowering<KilnOp>>(patterns.getContext(),
                                            std::move(body));
}

} // namespace

void populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering>(patterns.getContext());
  addBinary<AddOp>(patterns, ArithKind::Add);
  addBinary<SubOp>(patterns, ArithKind::Sub);
  addBinary<MulOp>(patterns, ArithKind::Mul);
  addBinary<DivOp>(patterns, ArithKind::Div);

  addUnary<ReluOp>(patterns, [](OpBuilder &b, Location loc, ValueRange args) {
    Value zero = createScalarConstant(b, loc, args[0].getType(), 0.0);
    return createArith(b, loc, ArithKind::Max, args[0], zero);
  });
  addUnary<SigmoidOp>(
      patterns, [](OpBuilder &b, Location loc, ValueRange args) {
        // 1 / (1 + exp(-x)): exp overflows to +inf for very negative x and the
        // result correctly becomes 0.
        Value one = createScalarConstant(b, loc, args[0].getType(), 1.0);
        Value negated = arith::NegFOp::create(b, loc, args[0]);
        Value exp = math::ExpOp::create(b, loc, negated);
        Value denominator = arith::AddFOp::create(b, loc, one, exp);
        return arith::DivFOp::create(b, loc, one, denominator).getResult();
      });
  addUnary<TanhOp>(patterns, [](OpBuilder &b, Location loc, ValueRange args) {
    return math::TanhOp::create(b, loc, args[0]).getResult();
  });
  addUnary<ExpOp>(patterns, [](OpBuilder &b, Location loc, ValueRange args) {
    return math::ExpOp::create(b, loc, args[0]).getResult();
  });
  addUnary<LogOp>(patterns, [](OpBuilder &b, Location loc, ValueRange args) {
    return math::LogOp::create(b, loc, args[0]).getResult();
  });
}

} // namespace kiln
