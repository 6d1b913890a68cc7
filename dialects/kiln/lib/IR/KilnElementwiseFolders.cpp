//===- KilnElementwiseFolders.cpp - Folders of the elementwise kiln ops ---===//
//
// ONNX models compute shapes with elementwise ops (Cast, Equal, Where, Mul,
// Div, ...) on small constants, so every elementwise op folds when all of its
// operands are constants: one evaluator broadcasts the operands and applies a
// per-element function, on splats whatever their size and on other constants
// up to kMaxFoldedElements elements. The per-element functions compute what the
// lowering computes at run time (the same rounding, wrapping, NaN rules and
// division-by-zero results); where run time is unspecified (a float out of an
// integer's range) or traps in C (integer division by zero) the op is not
// folded, so the one definition stays the generated code's.
//
// An identity fold is taken only when it is exact in IEEE arithmetic: x * 1,
// x / 1 and x - 0 are, x + 0 is not (-0 + 0 = +0), so the latter is folded for
// integers only.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <optional>
#include <variant>

using namespace mlir;
using namespace kiln;

namespace {

/// One element of a constant tensor.
using Element = std::variant<APInt, APFloat>;
/// Computes one result element from one element of each operand, or nothing
/// when the op must not be folded.
using ElementFn =
    llvm::function_ref<std::optional<Element>(ArrayRef<Element> operands)>;

/// Constants with more elements than this are left to run time unless all
/// operands are splats: folding is for shape arithmetic and scalars, and a
/// large evaluation here would only move work from run time to compile time.
constexpr int64_t kMaxFoldedElements = 1 << 16;

} // namespace

static bool isUnsignedInteger(Type type) {
  auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(type));
  return integer && integer.isUnsigned();
}

static SmallVector<Element> readElements(DenseElementsAttr attr, bool splat) {
  SmallVector<Element> elements;
  if (isa<FloatType>(attr.getElementType())) {
    if (splat)
      return {attr.getSplatValue<APFloat>()};
    for (APFloat value : attr.getValues<APFloat>())
      elements.push_back(value);
  } else {
    if (splat)
      return {attr.getSplatValue<APInt>()};
    for (APInt value : attr.getValues<APInt>())
      elements.push_back(value);
  }
  return elements;
}

/// The stride of each result dim in an operand of `shape` broadcast to
/// `resultShape`: 0 where the operand is stretched or missing.
static SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> shape,
                                             ArrayRef<int64_t> resultShape) {
  SmallVector<int64_t> strides(resultShape.size(), 0);
  int64_t stride = 1;
  int64_t offset = resultShape.size() - shape.size();
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    if (shape[d] != 1)
      strides[d + offset] = stride;
    stride *= shape[d];
  }
  return strides;
}

/// Evaluates `fn` over the broadcast of `operands` when they are all dense
/// constants and the result is static and small (or everything is a splat).
static Attribute foldElementwise(Operation *op, ArrayRef<Attribute> operands,
                                 ElementFn fn) {
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType || !resultType.hasStaticShape())
    return {};
  SmallVector<DenseElementsAttr> constants;
  for (Attribute operand : operands) {
    auto dense = dyn_cast_if_present<DenseElementsAttr>(operand);
    if (!dense)
      return {};
    constants.push_back(dense);
  }
  bool allSplat = llvm::all_of(
      constants, [](DenseElementsAttr attr) { return attr.isSplat(); });
  int64_t count = allSplat ? 1 : resultType.getNumElements();
  if (count > kMaxFoldedElements)
    return {};

  ArrayRef<int64_t> resultShape = resultType.getShape();
  SmallVector<SmallVector<Element>> elements;
  SmallVector<SmallVector<int64_t>> strides;
  for (DenseElementsAttr constant : constants) {
    elements.push_back(readElements(constant, allSplat));
    strides.push_back(
        broadcastStrides(constant.getType().getShape(), resultShape));
  }

  bool floatResult = isa<FloatType>(resultType.getElementType());
  SmallVector<APInt> ints;
  SmallVector<APFloat> floats;
  SmallVector<Element> arguments(constants.size());
  for (int64_t linear = 0; linear < count; ++linear) {
    for (size_t i = 0; i < constants.size(); ++i) {
      int64_t index = 0;
      if (!allSplat && !constants[i].isSplat()) {
        int64_t rest = linear;
        for (int64_t d = resultShape.size() - 1; d >= 0; --d) {
          index += (rest % resultShape[d]) * strides[i][d];
          rest /= resultShape[d];
        }
      }
      arguments[i] = elements[i][constants[i].isSplat() ? 0 : index];
    }
    std::optional<Element> result = fn(arguments);
    if (!result)
      return {};
    if (floatResult)
      floats.push_back(std::get<APFloat>(*result));
    else
      ints.push_back(std::get<APInt>(*result));
  }
  if (floatResult)
    return DenseElementsAttr::get(resultType, floats);
  return DenseElementsAttr::get(resultType, ints);
}

/// Evaluates `fn` in double precision and rounds back to `x`'s semantics.
template <typename Fn> static APFloat applyInDouble(const APFloat &x, Fn fn) {
  bool losesInfo = false;
  APFloat wide = x;
  wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  APFloat result(fn(wide.convertToDouble()));
  result.convert(x.getSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

/// Folds a float-to-float op computed in double precision.
template <typename Fn>
static Attribute foldFloatMath(Operation *op, Attribute operand, Fn fn) {
  return foldElementwise(op, operand, [&](ArrayRef<Element> x) {
    return Element(applyInDouble(std::get<APFloat>(x[0]), fn));
  });
}

/// Folds an op by its float and integer forms; `intFn` gets whether the type
/// is unsigned. Either may return nothing to leave the op alone.
template <typename FloatFn, typename IntFn>
static Attribute foldNumeric(Operation *op, ArrayRef<Attribute> operands,
                             FloatFn floatFn, IntFn intFn) {
  bool isUnsigned = isUnsignedInteger(op->getOperand(0).getType());
  return foldElementwise(
      op, operands, [&](ArrayRef<Element> x) -> std::optional<Element> {
        if (std::holds_alternative<APFloat>(x[0])) {
          SmallVector<APFloat, 3> values;
          for (const Element &each : x)
            values.push_back(std::get<APFloat>(each));
          std::optional<APFloat> result = floatFn(values);
          if (!result)
            return std::nullopt;
          return Element(*result);
        }
        SmallVector<APInt, 3> values;
        for (const Element &each : x)
          values.push_back(std::get<APInt>(each));
        std::optional<APInt> result = intFn(values, isUnsigned);
        if (!result)
          return std::nullopt;
        return Element(*result);
      });
}

static Element boolElement(bool value) { return Element(APInt(1, value)); }

//===----------------------------------------------------------------------===//
// Identities
//===----------------------------------------------------------------------===//

/// Whether `attr` is a splat constant equal to `value` (exactly, for floats).
static bool isSplatOf(Attribute attr, double value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type elementType = splat.getElementType();
  if (isa<FloatType>(elementType)) {
    APFloat element = splat.getSplatValue<APFloat>();
    bool losesInfo = false;
    APFloat expected(value);
    expected.convert(element.getSemantics(), APFloat::rmNearestTiesToEven,
                     &losesInfo);
    return element.bitwiseIsEqual(expected);
  }
  if (isa<IntegerType>(elementType)) {
    // Wider integers must not be truncated to their low 64 bits.
    APInt element = splat.getSplatValue<APInt>();
    return element.isSignedIntN(64) &&
           element.getSExtValue() == static_cast<int64_t>(value);
  }
  return false;
}

/// Whether broadcasting `other` against `operand` cannot change `operand`'s
/// shape: each of its dims, aligned at the end, is 1 or equals a static dim of
/// the operand (a dynamic dim may be 1 at run time and stretch).
static bool broadcastKeepsShape(Type operand, ArrayRef<int64_t> otherShape) {
  ArrayRef<int64_t> shape = cast<ShapedType>(operand).getShape();
  if (otherShape.size() > shape.size())
    return false;
  for (auto [dim, otherDim] :
       llvm::zip(llvm::reverse(shape), llvm::reverse(otherShape)))
    if (otherDim != 1 && otherDim != dim)
      return false;
  return true;
}

/// Returns `operand` when the op is an identity on it: the other operand is the
/// neutral splat, broadcasting cannot change the operand's shape, and the
/// result type is the operand's type.
static Value foldNeutral(Operation *op, Value operand, Attribute other,
                         double neutral) {
  if (operand.getType() != op->getResult(0).getType() ||
      !isSplatOf(other, neutral))
    return {};
  if (!broadcastKeepsShape(operand.getType(),
                           cast<SplatElementsAttr>(other).getType().getShape()))
    return {};
  return operand;
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getElementTypeOrSelf(getType()))) {
    if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 0))
      return v;
    if (Value v = foldNeutral(*this, getRhs(), adaptor.getLhs(), 0))
      return v;
  }
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) { return std::optional(x[0] + x[1]); },
      [](ArrayRef<APInt> x, bool) { return std::optional(x[0] + x[1]); });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 0))
    return v;
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) { return std::optional(x[0] - x[1]); },
      [](ArrayRef<APInt> x, bool) { return std::optional(x[0] - x[1]); });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 1))
    return v;
  if (Value v = foldNeutral(*this, getRhs(), adaptor.getLhs(), 1))
    return v;
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) { return std::optional(x[0] * x[1]); },
      [](ArrayRef<APInt> x, bool) { return std::optional(x[0] * x[1]); });
}

/// Integer division truncating toward zero; nothing for a zero divisor.
static std::optional<APInt> divideIntegers(const APInt &lhs, const APInt &rhs,
                                           bool isUnsigned) {
  if (rhs.isZero())
    return std::nullopt;
  // APInt's sdiv wraps the minimum divided by -1, as the generated code does.
  return isUnsigned ? lhs.udiv(rhs) : lhs.sdiv(rhs);
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (Value v = foldNeutral(*this, getLhs(), adaptor.getRhs(), 1))
    return v;
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) { return std::optional(x[0] / x[1]); },
      [](ArrayRef<APInt> x, bool isUnsigned) {
        return divideIntegers(x[0], x[1], isUnsigned);
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) {
        return std::optional(llvm::maximum(x[0], x[1]));
      },
      [](ArrayRef<APInt> x, bool isUnsigned) {
        bool lhsLarger = isUnsigned ? x[0].uge(x[1]) : x[0].sge(x[1]);
        return std::optional(lhsLarger ? x[0] : x[1]);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) {
        return std::optional(llvm::minimum(x[0], x[1]));
      },
      [](ArrayRef<APInt> x, bool isUnsigned) {
        bool lhsSmaller = isUnsigned ? x[0].ule(x[1]) : x[0].sle(x[1]);
        return std::optional(lhsSmaller ? x[0] : x[1]);
      });
}

/// `base` to the power `exponent` by squaring, wrapping; a negative (signed)
/// exponent gives 1 / base^-exponent truncated: 0 unless base is 1 or -1.
static APInt powIntegers(const APInt &base, const APInt &exponent,
                         bool isUnsigned) {
  unsigned width = base.getBitWidth();
  if (!isUnsigned && exponent.isNegative()) {
    if (base.isOne())
      return base;
    if (base.isAllOnes()) // -1
      return exponent[0] ? base : APInt(width, 1);
    return APInt(width, 0);
  }
  APInt result(width, 1), power = base;
  for (unsigned bit = 0; bit < exponent.getActiveBits(); ++bit) {
    if (exponent[bit])
      result *= power;
    power *= power;
  }
  return result;
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (foldNeutral(*this, getLhs(), adaptor.getRhs(), 1))
    return getLhs();
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) -> std::optional<APFloat> {
        bool losesInfo = false;
        APFloat exponent = x[1];
        exponent.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                         &losesInfo);
        double e = exponent.convertToDouble();
        return applyInDouble(x[0], [e](double b) { return std::pow(b, e); });
      },
      [](ArrayRef<APInt> x, bool isUnsigned) {
        return std::optional(powIntegers(x[0], x[1], isUnsigned));
      });
}

/// The integer remainder: with `fmod`, C's (sign of the dividend), else
/// Python's (sign of the divisor). Nothing for a zero divisor.
static std::optional<APInt> remainderIntegers(const APInt &lhs,
                                              const APInt &rhs, bool isUnsigned,
                                              bool fmod) {
  if (rhs.isZero())
    return std::nullopt;
  if (isUnsigned)
    return lhs.urem(rhs);
  APInt remainder = lhs.srem(rhs);
  if (!fmod && !remainder.isZero() &&
      remainder.isNegative() != rhs.isNegative())
    remainder += rhs;
  return remainder;
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  bool fmod = getFmod();
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) -> std::optional<APFloat> {
        APFloat remainder = x[0];
        remainder.mod(x[1]); // C's fmod
        return remainder;
      },
      [fmod](ArrayRef<APInt> x, bool isUnsigned) {
        return remainderIntegers(x[0], x[1], isUnsigned, fmod);
      });
}

OpFoldResult BitShiftOp::fold(FoldAdaptor adaptor) {
  bool left = getDirection() == ShiftDirection::left;
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat>) -> std::optional<APFloat> { return std::nullopt; },
      [left](ArrayRef<APInt> x, bool isUnsigned) -> std::optional<APInt> {
        const APInt &value = x[0], &amount = x[1];
        unsigned width = value.getBitWidth();
        // Out-of-range amounts (negative ones are huge when read unsigned)
        // shift everything out, as the generated code does.
        if (amount.uge(width)) {
          if (left || isUnsigned || !value.isNegative())
            return APInt(width, 0);
          return APInt::getAllOnes(width);
        }
        unsigned places = amount.getZExtValue();
        if (left)
          return value.shl(places);
        return isUnsigned ? value.lshr(places) : value.ashr(places);
      });
}

//===----------------------------------------------------------------------===//
// Logic, comparisons, select and cast
//===----------------------------------------------------------------------===//

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return Element(std::get<APInt>(x[0]) & std::get<APInt>(x[1]));
  });
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return Element(std::get<APInt>(x[0]) | std::get<APInt>(x[1]));
  });
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return Element(std::get<APInt>(x[0]) ^ std::get<APInt>(x[1]));
  });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NotOp>())
    return inner.getInput();
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return Element(~std::get<APInt>(x[0]));
  });
}

/// Whether `predicate` holds for a float comparison outcome (unordered is
/// false for every predicate).
static bool holds(ComparisonPredicate predicate, APFloat::cmpResult result) {
  switch (predicate) {
  case ComparisonPredicate::eq:
    return result == APFloat::cmpEqual;
  case ComparisonPredicate::lt:
    return result == APFloat::cmpLessThan;
  case ComparisonPredicate::le:
    return result == APFloat::cmpLessThan || result == APFloat::cmpEqual;
  case ComparisonPredicate::gt:
    return result == APFloat::cmpGreaterThan;
  case ComparisonPredicate::ge:
    return result == APFloat::cmpGreaterThan || result == APFloat::cmpEqual;
  }
  llvm_unreachable("unknown comparison predicate");
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  ComparisonPredicate predicate = getPredicate();
  bool isUnsigned = isUnsignedInteger(getLhs().getType());
  return foldElementwise(
      *this, adaptor.getOperands(), [&](ArrayRef<Element> x) {
        if (std::holds_alternative<APFloat>(x[0]))
          return boolElement(holds(predicate, std::get<APFloat>(x[0]).compare(
                                                  std::get<APFloat>(x[1]))));
        const APInt &lhs = std::get<APInt>(x[0]), &rhs = std::get<APInt>(x[1]);
        int order = isUnsigned ? (lhs.ult(rhs) ? -1
                                  : lhs == rhs ? 0
                                               : 1)
                               : (lhs.slt(rhs) ? -1
                                  : lhs == rhs ? 0
                                               : 1);
        APFloat::cmpResult result = order < 0    ? APFloat::cmpLessThan
                                    : order == 0 ? APFloat::cmpEqual
                                                 : APFloat::cmpGreaterThan;
        return boolElement(holds(predicate, result));
      });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  // A uniform condition picks one operand when that is the whole result.
  if (auto condition =
          dyn_cast_if_present<SplatElementsAttr>(adaptor.getCondition())) {
    Value chosen =
        condition.getSplatValue<bool>() ? getTrueValue() : getFalseValue();
    if (chosen.getType() == getType() &&
        broadcastKeepsShape(chosen.getType(), condition.getType().getShape()))
      return chosen;
  }
  if (getTrueValue() == getFalseValue() &&
      getTrueValue().getType() == getType())
    return getTrueValue();
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return std::get<APInt>(x[0]).isOne() ? x[1] : x[2];
  });
}

/// Converts one element from `source` to `target` as kiln.cast does, or
/// nothing where the result is unspecified (a float out of an integer's
/// range).
static std::optional<Element> castElement(const Element &value, Type source,
                                          Type target) {
  auto targetInteger = dyn_cast<IntegerType>(target);
  if (targetInteger && targetInteger.getWidth() == 1) {
    if (const auto *floatValue = std::get_if<APFloat>(&value))
      return boolElement(!floatValue->isZero());
    return boolElement(!std::get<APInt>(value).isZero());
  }
  if (const auto *floatValue = std::get_if<APFloat>(&value)) {
    if (auto targetFloat = dyn_cast<FloatType>(target)) {
      APFloat result = *floatValue;
      bool losesInfo = false;
      result.convert(targetFloat.getFloatSemantics(),
                     APFloat::rmNearestTiesToEven, &losesInfo);
      return Element(result);
    }
    APSInt result(targetInteger.getWidth(), targetInteger.isUnsigned());
    bool isExact = false;
    if (floatValue->convertToInteger(result, APFloat::rmTowardZero, &isExact) ==
        APFloat::opInvalidOp)
      return std::nullopt;
    return Element(APInt(result));
  }
  const APInt &integer = std::get<APInt>(value);
  auto sourceInteger = cast<IntegerType>(source);
  bool sourceSigned =
      !sourceInteger.isUnsigned() && sourceInteger.getWidth() > 1;
  if (auto targetFloat = dyn_cast<FloatType>(target)) {
    APFloat result(targetFloat.getFloatSemantics());
    result.convertFromAPInt(integer, sourceSigned,
                            APFloat::rmNearestTiesToEven);
    return Element(result);
  }
  unsigned width = targetInteger.getWidth();
  return Element(sourceSigned ? integer.sextOrTrunc(width)
                              : integer.zextOrTrunc(width));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Type source = getElementTypeOrSelf(getInput().getType());
  Type target = getTo();
  // Strings have no constants to fold; formatting belongs to the runtime.
  if (isa<StringType>(source) || isa<StringType>(target))
    return {};
  return foldElementwise(
      *this, adaptor.getOperands(),
      [&](ArrayRef<Element> x) { return castElement(x[0], source, target); });
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // relu(relu(x)) = relu(x)
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return foldNumeric(
      *this, adaptor.getOperands(),
      // maximum, as the lowering: NaN stays NaN.
      [](ArrayRef<APFloat> x) {
        return std::optional(
            llvm::maximum(x[0], APFloat::getZero(x[0].getSemantics())));
      },
      [](ArrayRef<APInt> x, bool isUnsigned) {
        bool negative = !isUnsigned && x[0].isNegative();
        return std::optional(negative ? APInt(x[0].getBitWidth(), 0) : x[0]);
      });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) { return std::optional(-x[0]); },
      [](ArrayRef<APInt> x, bool) { return std::optional(-x[0]); });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (getInput().getDefiningOp<AbsOp>() || isUnsignedInteger(getType()))
    return getInput();
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) { return std::optional(llvm::abs(x[0])); },
      [](ArrayRef<APInt> x, bool) { return std::optional(x[0].abs()); });
}

OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  return foldNumeric(
      *this, adaptor.getOperands(),
      [](ArrayRef<APFloat> x) {
        // Zeros and NaN are their own sign.
        if (x[0].isZero() || x[0].isNaN())
          return std::optional(x[0]);
        return std::optional(
            APFloat::getOne(x[0].getSemantics(), x[0].isNegative()));
      },
      [](ArrayRef<APInt> x, bool isUnsigned) {
        unsigned width = x[0].getBitWidth();
        if (x[0].isZero())
          return std::optional(APInt(width, 0));
        if (!isUnsigned && x[0].isNegative())
          return std::optional(APInt::getAllOnes(width));
        return std::optional(APInt(width, 1));
      });
}

/// Rounds to an integral value in `mode`.
static Attribute foldRounding(Operation *op, Attribute operand,
                              APFloat::roundingMode mode) {
  return foldElementwise(op, operand, [mode](ArrayRef<Element> x) {
    APFloat result = std::get<APFloat>(x[0]);
    result.roundToIntegral(mode);
    return Element(result);
  });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldRounding(*this, adaptor.getInput(), APFloat::rmTowardNegative);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldRounding(*this, adaptor.getInput(), APFloat::rmTowardPositive);
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldRounding(*this, adaptor.getInput(), APFloat::rmNearestTiesToEven);
}

#define KILN_FOLD_FLOAT_MATH(OpClass, expression)                              \
  OpFoldResult OpClass::fold(FoldAdaptor adaptor) {                            \
    return foldFloatMath(*this, adaptor.getInput(),                            \
                         [](double x) { return expression; });                 \
  }

KILN_FOLD_FLOAT_MATH(SigmoidOp, 1.0 / (1.0 + std::exp(-x)))
KILN_FOLD_FLOAT_MATH(TanhOp, std::tanh(x))
KILN_FOLD_FLOAT_MATH(ExpOp, std::exp(x))
KILN_FOLD_FLOAT_MATH(LogOp, std::log(x))
KILN_FOLD_FLOAT_MATH(SqrtOp, std::sqrt(x))
KILN_FOLD_FLOAT_MATH(SinOp, std::sin(x))
KILN_FOLD_FLOAT_MATH(CosOp, std::cos(x))
KILN_FOLD_FLOAT_MATH(TanOp, std::tan(x))
KILN_FOLD_FLOAT_MATH(AsinOp, std::asin(x))
KILN_FOLD_FLOAT_MATH(AcosOp, std::acos(x))
KILN_FOLD_FLOAT_MATH(AtanOp, std::atan(x))
KILN_FOLD_FLOAT_MATH(SinhOp, std::sinh(x))
KILN_FOLD_FLOAT_MATH(CoshOp, std::cosh(x))
KILN_FOLD_FLOAT_MATH(AsinhOp, std::asinh(x))
KILN_FOLD_FLOAT_MATH(AcoshOp, std::acosh(x))
KILN_FOLD_FLOAT_MATH(AtanhOp, std::atanh(x))
KILN_FOLD_FLOAT_MATH(ErfOp, std::erf(x))

#undef KILN_FOLD_FLOAT_MATH

OpFoldResult IsNaNOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return boolElement(std::get<APFloat>(x[0]).isNaN());
  });
}

OpFoldResult IsInfOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(*this, adaptor.getOperands(), [](ArrayRef<Element> x) {
    return boolElement(std::get<APFloat>(x[0]).isInfinity());
  });
}
