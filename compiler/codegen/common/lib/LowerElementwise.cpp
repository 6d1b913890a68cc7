//===- LowerElementwise.cpp - kiln elementwise ops to linalg.generic ------===//
//
// Constants become `arith.constant`; unary, broadcasting binary, compare and
// select ops become one `linalg.generic` each, so that linalg's elementwise
// fusion can merge chains later. These patterns take the pass's type converter:
// their operands arrive as signless tensors, and the arithmetic (divui, cmpi
// ult, maxui, uitofp, extui, shrui, ...) is chosen from the element types of
// the ORIGINAL kiln op. Integer division and remainder never trap at run time:
// a zero divisor gives 0 and the signed minimum divided by -1 wraps.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace kiln {
namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// Whether `value` (of the original kiln op) has unsigned integer elements.
bool isUnsigned(Value value) {
  auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(value.getType()));
  return integer && integer.isUnsigned();
}

Value constantInt(OpBuilder &b, Location loc, Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, value));
}

Value constantFloat(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, FloatAttr::get(type, value));
}

Value compareInts(OpBuilder &b, Location loc, arith::CmpIPredicate predicate,
                  Value lhs, Value rhs) {
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

Value select(OpBuilder &b, Location loc, Value condition, Value ifTrue,
             Value ifFalse) {
  return arith::SelectOp::create(b, loc, condition, ifTrue, ifFalse);
}

/// Integer division (or remainder) that cannot trap: a zero divisor gives 0
/// and, when signed, a divisor of -1 is answered without dividing (x / -1 =
/// -x, wrapping; x % -1 = 0).
Value divideIntegers(OpBuilder &b, Location loc, Value lhs, Value rhs,
                     bool isUnsigned, bool remainder) {
  Type type = lhs.getType();
  Value zero = constantInt(b, loc, type, 0);
  Value one = constantInt(b, loc, type, 1);
  Value isZero = compareInts(b, loc, arith::CmpIPredicate::eq, rhs, zero);
  if (isUnsigned) {
    Value divisor = select(b, loc, isZero, one, rhs);
    Value result =
        remainder ? arith::RemUIOp::create(b, loc, lhs, divisor).getResult()
                  : arith::DivUIOp::create(b, loc, lhs, divisor).getResult();
    return select(b, loc, isZero, zero, result);
  }
  Value minusOne = constantInt(b, loc, type, -1);
  Value isMinusOne =
      compareInts(b, loc, arith::CmpIPredicate::eq, rhs, minusOne);
  Value guarded = arith::OrIOp::create(b, loc, isZero, isMinusOne);
  Value divisor = select(b, loc, guarded, one, rhs);
  Value result;
  if (remainder) {
    result = arith::RemSIOp::create(b, loc, lhs, divisor);
    return select(b, loc, guarded, zero, result);
  }
  result = arith::DivSIOp::create(b, loc, lhs, divisor);
  Value negated = arith::SubIOp::create(b, loc, zero, lhs);
  result = select(b, loc, isMinusOne, negated, result);
  return select(b, loc, isZero, zero, result);
}

/// Python's remainder (the sign of the divisor) from C's: add the divisor when
/// a nonzero remainder's sign differs from it.
Value floorRemainder(OpBuilder &b, Location loc, Value cRemainder, Value rhs) {
  Value zero = constantInt(b, loc, rhs.getType(), 0);
  Value nonzero =
      compareInts(b, loc, arith::CmpIPredicate::ne, cRemainder, zero);
  Value remainderNegative =
      compareInts(b, loc, arith::CmpIPredicate::slt, cRemainder, zero);
  Value divisorNegative =
      compareInts(b, loc, arith::CmpIPredicate::slt, rhs, zero);
  Value signsDiffer =
      arith::XOrIOp::create(b, loc, remainderNegative, divisorNegative);
  Value adjust = arith::AndIOp::create(b, loc, nonzero, signsDiffer);
  Value adjusted = arith::AddIOp::create(b, loc, cRemainder, rhs);
  return select(b, loc, adjust, adjusted, cRemainder);
}

/// Integer power by squaring over the exponent's bits (a loop of bit-width
/// steps, wrapping on overflow). A negative signed exponent gives
/// 1 / base^-exponent truncated: 1 for base 1, +-1 for base -1, else 0.
Value powIntegers(OpBuilder &b, Location loc, Value base, Value exponent,
                  bool isUnsigned) {
  Type type = base.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value zero = constantInt(b, loc, type, 0);
  Value one = constantInt(b, loc, type, 1);
  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = arith::ConstantIndexOp::create(b, loc, width);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lower, upper, step, ValueRange{one, base},
      [&](OpBuilder &nested, Location nestedLoc, Value bit, ValueRange iter) {
        Value shift = arith::IndexCastOp::create(nested, nestedLoc, type, bit);
        Value shifted =
            arith::ShRUIOp::create(nested, nestedLoc, exponent, shift);
        Value lowBit =
            arith::AndIOp::create(nested, nestedLoc, shifted,
                                  constantInt(nested, nestedLoc, type, 1));
        Value isSet =
            compareInts(nested, nestedLoc, arith::CmpIPredicate::ne, lowBit,
                        constantInt(nested, nestedLoc, type, 0));
        Value product =
            arith::MulIOp::create(nested, nestedLoc, iter[0], iter[1]);
        Value result = select(nested, nestedLoc, isSet, product, iter[0]);
        Value square =
            arith::MulIOp::create(nested, nestedLoc, iter[1], iter[1]);
        scf::YieldOp::create(nested, loc, ValueRange{result, square});
      });
  Value power = loop.getResult(0);
  if (isUnsigned || width == 1)
    return power;
  Value minusOne = constantInt(b, loc, type, -1);
  Value negativeExponent =
      compareInts(b, loc, arith::CmpIPredicate::slt, exponent, zero);
  Value baseIsOne = compareInts(b, loc, arith::CmpIPredicate::eq, base, one);
  Value baseIsMinusOne =
      compareInts(b, loc, arith::CmpIPredicate::eq, base, minusOne);
  Value oddExponent =
      compareInts(b, loc, arith::CmpIPredicate::ne,
                  arith::AndIOp::create(b, loc, exponent, one), zero);
  Value minusOnePower = select(b, loc, oddExponent, minusOne, one);
  Value reciprocal = select(b, loc, baseIsMinusOne, minusOnePower,
                            select(b, loc, baseIsOne, one, zero));
  return select(b, loc, negativeExponent, reciprocal, power);
}

/// `lhs` shifted by `rhs` places; amounts of the bit width or more (negative
/// signed amounts included, read unsigned) shift every bit out.
Value shiftIntegers(OpBuilder &b, Location loc, Value lhs, Value rhs, bool left,
                    bool isUnsigned) {
  Type type = lhs.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value zero = constantInt(b, loc, type, 0);
  Value widthValue = constantInt(b, loc, type, width);
  Value tooFar =
      compareInts(b, loc, arith::CmpIPredicate::uge, rhs, widthValue);
  if (!left && !isUnsigned) {
    // An arithmetic shift by width - 1 fills with the sign bit.
    Value amount =
        select(b, loc, tooFar, constantInt(b, loc, type, width - 1), rhs);
    return arith::ShRSIOp::create(b, loc, lhs, amount);
  }
  Value amount = select(b, loc, tooFar, zero, rhs);
  Value shifted = left
                      ? arith::ShLIOp::create(b, loc, lhs, amount).getResult()
                      : arith::ShRUIOp::create(b, loc, lhs, amount).getResult();
  return select(b, loc, tooFar, zero, shifted);
}

/// Declares the runtime function `name` (string_abi.h) in `op`'s module once.
func::FuncOp declareRuntimeFunction(OpBuilder &b, Operation *op, StringRef name,
                                    FunctionType type) {
  auto module = op->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto function = func::FuncOp::create(b, module.getLoc(), name, type);
  function.setPrivate();
  return function;
}

/// The address of a NUL-terminated module constant that names `op` for the
/// runtime's error message (what a failed conversion reports).
Value siteString(OpBuilder &b, Location loc, Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  std::string name;
  for (unsigned i = 0;; ++i) {
    name = "__kiln_string_site_" + std::to_string(i);
    if (!module.lookupSymbol(name))
      break;
  }
  std::string text = describeForCheck(op);
  text.push_back('\0');
  LLVM::GlobalOp global;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
    global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Internal, name,
                                    b.getStringAttr(text));
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

/// Converts a scalar between a number and a string by a call of the runtime's
/// helpers. Strings are i64 in lowered tensors (the bits of a pointer, since
/// builtin memrefs cannot hold `!llvm.ptr`), so the pointer is converted at
/// the call.
Value castString(OpBuilder &b, Location loc, CastOp op, Value value,
                 Type source, Type target) {
  Type ptr = LLVM::LLVMPointerType::get(b.getContext());
  Type i64 = b.getI64Type();
  if (isa<StringType>(target)) {
    // Integers are formatted as 64-bit ones, extended by their signedness.
    StringRef name = "kiln_string_from_i64";
    if (source.isF32())
      name = "kiln_string_from_f32";
    else if (source.isF64())
      name = "kiln_string_from_f64";
    else if (source.isUnsignedInteger())
      name = "kiln_string_from_u64";
    Type argument = source;
    if (auto integer = dyn_cast<IntegerType>(source)) {
      argument = i64;
      if (integer.getWidth() < 64 && integer.isUnsigned())
        value = arith::ExtUIOp::create(b, loc, i64, value);
      else if (integer.getWidth() < 64)
        value = arith::ExtSIOp::create(b, loc, i64, value);
    }
    func::FuncOp callee = declareRuntimeFunction(
        b, op, name, b.getFunctionType({argument}, {ptr}));
    Value text = func::CallOp::create(b, loc, callee, value).getResult(0);
    return LLVM::PtrToIntOp::create(b, loc, i64, text);
  }
  // Integers are parsed as int64 and truncated (wrapping, as NumPy does).
  auto integer = dyn_cast<IntegerType>(target);
  StringRef name = "kiln_string_to_i64";
  if (target.isF32())
    name = "kiln_string_to_f32";
  else if (target.isF64())
    name = "kiln_string_to_f64";
  Type result = integer ? i64 : target;
  func::FuncOp callee = declareRuntimeFunction(
      b, op, name, b.getFunctionType({ptr, ptr}, {result}));
  Value text = LLVM::IntToPtrOp::create(b, loc, ptr, value);
  Value site = siteString(b, loc, op);
  Value parsed =
      func::CallOp::create(b, loc, callee, ValueRange{text, site}).getResult(0);
  if (integer && integer.getWidth() < 64)
    return arith::TruncIOp::create(b, loc, b.getIntegerType(integer.getWidth()),
                                   parsed);
  return parsed;
}

/// Converts a scalar from `source` to `target` (the original element types;
/// `value` and the result are signless) as kiln.cast defines it.
Value castScalar(OpBuilder &b, Location loc, Value value, Type source,
                 Type target, Type convertedTarget) {
  auto sourceInteger = dyn_cast<IntegerType>(source);
  auto targetInteger = dyn_cast<IntegerType>(target);
  auto sourceFloat = dyn_cast<FloatType>(source);
  auto targetFloat = dyn_cast<FloatType>(target);
  if (targetInteger && targetInteger.getWidth() == 1) {
    if (sourceFloat) // NaN != 0 is true (unordered or not equal).
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   constantFloat(b, loc, source, 0.0));
    return compareInts(b, loc, arith::CmpIPredicate::ne, value,
                       constantInt(b, loc, value.getType(), 0));
  }
  if (sourceFloat && targetFloat) {
    unsigned from = sourceFloat.getWidth(), to = targetFloat.getWidth();
    if (sourceFloat == targetFloat)
      return value;
    if (from == to) { // f16 <-> bf16: through f32, which holds both exactly.
      value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
      return arith::TruncFOp::create(b, loc, target, value);
    }
    if (from < to)
      return arith::ExtFOp::create(b, loc, target, value);
    return arith::TruncFOp::create(b, loc, target, value);
  }
  if (sourceFloat) {
    if (targetInteger.isUnsigned())
      return arith::FPToUIOp::create(b, loc, convertedTarget, value);
    return arith::FPToSIOp::create(b, loc, convertedTarget, value);
  }
  // Integer sources: i1 and unsigned extend with zeros.
  bool sourceSigned =
      !sourceInteger.isUnsigned() && sourceInteger.getWidth() > 1;
  if (targetFloat) {
    if (sourceSigned)
      return arith::SIToFPOp::create(b, loc, target, value);
    return arith::UIToFPOp::create(b, loc, target, value);
  }
  unsigned from = sourceInteger.getWidth(), to = targetInteger.getWidth();
  if (from == to)
    return value;
  if (from > to)
    return arith::TruncIOp::create(b, loc, convertedTarget, value);
  if (sourceSigned)
    return arith::ExtSIOp::create(b, loc, convertedTarget, value);
  return arith::ExtUIOp::create(b, loc, convertedTarget, value);
}

/// Applies a float math op, in f32 for f16 and bf16: libm has no half
/// precision functions, and f32 is exact for their inputs and accurate
/// enough for their outputs.
template <typename MathOp>
Value floatMath(OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  if (type.getIntOrFloatBitWidth() >= 32)
    return MathOp::create(b, loc, x);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  Value result = MathOp::create(b, loc, wide);
  return arith::TruncFOp::create(b, loc, type, result);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// A constant whose unsigned elements are reinterpreted as signless ones (the
/// bits stay).
struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast_if_present<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    if (!type)
      return rewriter.notifyMatchFailure(op, "unconvertible type");
    Attribute value = op.getValue();
    if (type != op.getType()) {
      if (auto dense = dyn_cast<DenseElementsAttr>(value))
        value = dense.bitcast(type.getElementType());
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(type, resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unsupported unsigned elements");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

/// Builds the scalar body of an elementwise op from its (signless) scalar
/// operands; the op gives the original types and attributes.
template <typename KilnOp>
using ScalarBuilder =
    std::function<Value(OpBuilder &, Location, KilnOp, ValueRange)>;

/// Emits a linalg.generic computing `body` elementwise over `operands`,
/// broadcast to `resultType`.
template <typename Body>
Value buildElementwiseGeneric(OpBuilder &builder, Operation *op,
                              RankedTensorType resultType, ValueRange operands,
                              Body body) {
  Location loc = op->getLoc();
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

  SmallVector<OpFoldResult> sizes =
      getBroadcastResultSizes(builder, loc, resultType, operands);
  if (operands.size() > 1)
    emitBroadcastChecks(builder, op, sizes, operands);
  Value init = createEmptyTensor(builder, loc, resultType, sizes);
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
  ElementwiseLowering(const TypeConverter &typeConverter, MLIRContext *context,
                      ScalarBuilder<KilnOp> body)
      : OpConversionPattern<KilnOp>(typeConverter, context),
        body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(KilnOp op, typename KilnOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = dyn_cast_if_present<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unconvertible result type");
    Value result = buildElementwiseGeneric(
        rewriter, op, resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return body(b, loc, op, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarBuilder<KilnOp> body;
};

/// Registers the lowering of `KilnOp`.
class Registrar {
public:
  Registrar(const TypeConverter &typeConverter, RewritePatternSet &patterns)
      : typeConverter(typeConverter), patterns(patterns) {}

  template <typename KilnOp> void add(ScalarBuilder<KilnOp> body) {
    patterns.add<ElementwiseLowering<KilnOp>>(
        typeConverter, patterns.getContext(), std::move(body));
  }

  /// A float-only unary op that is one math op.
  template <typename KilnOp, typename MathOp> void addMath() {
    add<KilnOp>([](OpBuilder &b, Location loc, KilnOp, ValueRange args) {
      return floatMath<MathOp>(b, loc, args[0]);
    });
  }

  /// A float or integer binary op (signed and unsigned integers alike).
  template <typename KilnOp> void addArith(ArithKind kind) {
    add<KilnOp>([kind](OpBuilder &b, Location loc, KilnOp, ValueRange args) {
      return createArith(b, loc, kind, args[0], args[1]);
    });
  }

  /// A float, signed or unsigned binary op.
  template <typename KilnOp, typename FloatOp, typename SignedOp,
            typename UnsignedOp>
  void addBySignedness() {
    add<KilnOp>([](OpBuilder &b, Location loc, KilnOp op, ValueRange args) {
      if (isa<FloatType>(args[0].getType()))
        return FloatOp::create(b, loc, args[0], args[1]).getResult();
      if (isUnsigned(op.getLhs()))
        return UnsignedOp::create(b, loc, args[0], args[1]).getResult();
      return SignedOp::create(b, loc, args[0], args[1]).getResult();
    });
  }

private:
  const TypeConverter &typeConverter;
  RewritePatternSet &patterns;
};

/// The arith predicate of a kiln comparison on floats (ordered: false with
/// NaN) or integers.
arith::CmpFPredicate floatPredicate(ComparisonPredicate predicate) {
  switch (predicate) {
  case ComparisonPredicate::eq:
    return arith::CmpFPredicate::OEQ;
  case ComparisonPredicate::lt:
    return arith::CmpFPredicate::OLT;
  case ComparisonPredicate::le:
    return arith::CmpFPredicate::OLE;
  case ComparisonPredicate::gt:
    return arith::CmpFPredicate::OGT;
  case ComparisonPredicate::ge:
    return arith::CmpFPredicate::OGE;
  }
  llvm_unreachable("unknown comparison predicate");
}

arith::CmpIPredicate integerPredicate(ComparisonPredicate predicate,
                                      bool isUnsigned) {
  using P = arith::CmpIPredicate;
  switch (predicate) {
  case ComparisonPredicate::eq:
    return P::eq;
  case ComparisonPredicate::lt:
    return isUnsigned ? P::ult : P::slt;
  case ComparisonPredicate::le:
    return isUnsigned ? P::ule : P::sle;
  case ComparisonPredicate::gt:
    return isUnsigned ? P::ugt : P::sgt;
  case ComparisonPredicate::ge:
    return isUnsigned ? P::uge : P::sge;
  }
  llvm_unreachable("unknown comparison predicate");
}

void addArithmetic(Registrar &r) {
  r.addArith<AddOp>(ArithKind::Add);
  r.addArith<SubOp>(ArithKind::Sub);
  r.addArith<MulOp>(ArithKind::Mul);
  r.add<DivOp>([](OpBuilder &b, Location loc, DivOp op, ValueRange args) {
    if (isa<FloatType>(args[0].getType()))
      return arith::DivFOp::create(b, loc, args[0], args[1]).getResult();
    return divideIntegers(b, loc, args[0], args[1], isUnsigned(op.getLhs()),
                          /*remainder=*/false);
  });
  // maximumf/minimumf propagate NaN, as ONNX's Max and Min do.
  r.addBySignedness<MaxOp, arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>();
  r.addBySignedness<MinOp, arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>();
  r.add<PowOp>([](OpBuilder &b, Location loc, PowOp op, ValueRange args) {
    if (isa<FloatType>(args[0].getType())) {
      Type type = args[0].getType();
      if (type.getIntOrFloatBitWidth() >= 32)
        return math::PowFOp::create(b, loc, args[0], args[1]).getResult();
      Value base = arith::ExtFOp::create(b, loc, b.getF32Type(), args[0]);
      Value exponent = arith::ExtFOp::create(b, loc, b.getF32Type(), args[1]);
      Value power = math::PowFOp::create(b, loc, base, exponent);
      return arith::TruncFOp::create(b, loc, type, power).getResult();
    }
    return powIntegers(b, loc, args[0], args[1], isUnsigned(op.getLhs()));
  });
  r.add<ModOp>([](OpBuilder &b, Location loc, ModOp op, ValueRange args) {
    if (isa<FloatType>(args[0].getType())) // the verifier ensures fmod
      return arith::RemFOp::create(b, loc, args[0], args[1]).getResult();
    bool isUnsignedType = isUnsigned(op.getLhs());
    Value remainder = divideIntegers(b, loc, args[0], args[1], isUnsignedType,
                                     /*remainder=*/true);
    if (op.getFmod() || isUnsignedType)
      return remainder;
    return floorRemainder(b, loc, remainder, args[1]);
  });
  r.add<BitShiftOp>(
      [](OpBuilder &b, Location loc, BitShiftOp op, ValueRange args) {
        return shiftIntegers(b, loc, args[0], args[1],
                             op.getDirection() == ShiftDirection::left,
                             isUnsigned(op.getLhs()));
      });
}

void addLogicAndSelection(Registrar &r) {
  r.add<AndOp>([](OpBuilder &b, Location loc, AndOp, ValueRange args) {
    return arith::AndIOp::create(b, loc, args[0], args[1]).getResult();
  });
  r.add<OrOp>([](OpBuilder &b, Location loc, OrOp, ValueRange args) {
    return arith::OrIOp::create(b, loc, args[0], args[1]).getResult();
  });
  r.add<XorOp>([](OpBuilder &b, Location loc, XorOp, ValueRange args) {
    return arith::XOrIOp::create(b, loc, args[0], args[1]).getResult();
  });
  r.add<NotOp>([](OpBuilder &b, Location loc, NotOp, ValueRange args) {
    Value one = constantInt(b, loc, args[0].getType(), 1);
    return arith::XOrIOp::create(b, loc, args[0], one).getResult();
  });
  r.add<CompareOp>([](OpBuilder &b, Location loc, CompareOp op,
                      ValueRange args) -> Value {
    if (isa<FloatType>(args[0].getType()))
      return arith::CmpFOp::create(b, loc, floatPredicate(op.getPredicate()),
                                   args[0], args[1]);
    return compareInts(
        b, loc, integerPredicate(op.getPredicate(), isUnsigned(op.getLhs())),
        args[0], args[1]);
  });
  r.add<SelectOp>([](OpBuilder &b, Location loc, SelectOp, ValueRange args) {
    return select(b, loc, args[0], args[1], args[2]);
  });
  r.add<CastOp>([](OpBuilder &b, Location loc, CastOp op, ValueRange args) {
    Type source = getElementTypeOrSelf(op.getInput().getType());
    Type target = op.getTo();
    if (source == target)
      return args[0];
    if (isa<StringType>(source) || isa<StringType>(target))
      return castString(b, loc, op, args[0], source, target);
    Type convertedTarget = target;
    if (auto integer = dyn_cast<IntegerType>(target))
      convertedTarget = b.getIntegerType(integer.getWidth());
    return castScalar(b, loc, args[0], source, target, convertedTarget);
  });
  r.add<IsNaNOp>([](OpBuilder &b, Location loc, IsNaNOp, ValueRange args) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, args[0],
                                 args[0])
        .getResult();
  });
  r.add<IsInfOp>([](OpBuilder &b, Location loc, IsInfOp, ValueRange args) {
    auto type = cast<FloatType>(args[0].getType());
    Value magnitude = math::AbsFOp::create(b, loc, args[0]);
    Value infinity = arith::ConstantOp::create(
        b, loc,
        FloatAttr::get(type, APFloat::getInf(type.getFloatSemantics())));
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, magnitude,
                                 infinity)
        .getResult();
  });
}

void addSignOps(Registrar &r) {
  r.add<ReluOp>([](OpBuilder &b, Location loc, ReluOp op, ValueRange args) {
    Value x = args[0];
    if (isUnsigned(op.getInput()))
      return x;
    Value zero = createScalarConstant(b, loc, x.getType(), 0.0);
    // maximumf propagates NaN, as PyTorch and ONNX Runtime do.
    return createArith(b, loc, ArithKind::Max, x, zero);
  });
  r.add<NegOp>([](OpBuilder &b, Location loc, NegOp, ValueRange args) {
    Value x = args[0];
    if (isa<FloatType>(x.getType()))
      return arith::NegFOp::create(b, loc, x).getResult();
    return arith::SubIOp::create(b, loc, constantInt(b, loc, x.getType(), 0), x)
        .getResult();
  });
  r.add<AbsOp>([](OpBuilder &b, Location loc, AbsOp op, ValueRange args) {
    Value x = args[0];
    if (isa<FloatType>(x.getType()))
      return math::AbsFOp::create(b, loc, x).getResult();
    if (isUnsigned(op.getInput()))
      return x;
    return math::AbsIOp::create(b, loc, x).getResult(); // wraps the minimum
  });
  r.add<SignOp>([](OpBuilder &b, Location loc, SignOp op, ValueRange args) {
    Value x = args[0];
    Type type = x.getType();
    if (isa<FloatType>(type)) {
      // Zeros and NaN fail both tests and are their own sign.
      Value zero = constantFloat(b, loc, type, 0.0);
      Value positive =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
      Value negative =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
      return select(
          b, loc, positive, constantFloat(b, loc, type, 1.0),
          select(b, loc, negative, constantFloat(b, loc, type, -1.0), x));
    }
    Value zero = constantInt(b, loc, type, 0);
    Value one = constantInt(b, loc, type, 1);
    if (isUnsigned(op.getInput()))
      return select(b, loc,
                    compareInts(b, loc, arith::CmpIPredicate::ne, x, zero), one,
                    zero);
    Value positive = compareInts(b, loc, arith::CmpIPredicate::sgt, x, zero);
    Value negative = compareInts(b, loc, arith::CmpIPredicate::slt, x, zero);
    return select(
        b, loc, positive, one,
        select(b, loc, negative, constantInt(b, loc, type, -1), zero));
  });
}

void addFloatMath(Registrar &r) {
  r.add<SigmoidOp>([](OpBuilder &b, Location loc, SigmoidOp, ValueRange args) {
    // 1 / (1 + exp(-x)): exp overflows to +inf for very negative x and the
    // result correctly becomes 0.
    Value one = createScalarConstant(b, loc, args[0].getType(), 1.0);
    Value negated = arith::NegFOp::create(b, loc, args[0]);
    Value exp = math::ExpOp::create(b, loc, negated);
    Value denominator = arith::AddFOp::create(b, loc, one, exp);
    return arith::DivFOp::create(b, loc, one, denominator).getResult();
  });
  r.addMath<TanhOp, math::TanhOp>();
  r.addMath<ExpOp, math::ExpOp>();
  r.addMath<LogOp, math::LogOp>();
  r.addMath<SqrtOp, math::SqrtOp>();
  r.addMath<FloorOp, math::FloorOp>();
  r.addMath<CeilOp, math::CeilOp>();
  r.addMath<RoundOp, math::RoundEvenOp>();
  r.addMath<SinOp, math::SinOp>();
  r.addMath<CosOp, math::CosOp>();
  r.addMath<TanOp, math::TanOp>();
  r.addMath<AsinOp, math::AsinOp>();
  r.addMath<AcosOp, math::AcosOp>();
  r.addMath<AtanOp, math::AtanOp>();
  r.addMath<SinhOp, math::SinhOp>();
  r.addMath<CoshOp, math::CoshOp>();
  r.addMath<AsinhOp, math::AsinhOp>();
  r.addMath<AcoshOp, math::AcoshOp>();
  r.addMath<AtanhOp, math::AtanhOp>();
  r.addMath<ErfOp, math::ErfOp>();
}

} // namespace

void populateElementwiseLoweringPatterns(const TypeConverter &typeConverter,
                                         RewritePatternSet &patterns) {
  patterns.add<ConstantLowering>(typeConverter, patterns.getContext());
  Registrar registrar(typeConverter, patterns);
  addArithmetic(registrar);
  addLogicAndSelection(registrar);
  addSignOps(registrar);
  addFloatMath(registrar);
}

bool isLoweredWithUnsignedTypes(Operation *op) {
  return isa<ConstantOp, AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, ModOp,
             BitShiftOp, AndOp, OrOp, XorOp, NotOp, CompareOp, SelectOp, CastOp,
             IsNaNOp, IsInfOp, ReluOp, NegOp, AbsOp, SignOp, SigmoidOp, TanhOp,
             ExpOp, LogOp, SqrtOp, FloorOp, CeilOp, RoundOp, SinOp, CosOp,
             TanOp, AsinOp, AcosOp, AtanOp, SinhOp, CoshOp, AsinhOp, AcoshOp,
             AtanhOp, ErfOp>(op);
}

} // namespace kiln
