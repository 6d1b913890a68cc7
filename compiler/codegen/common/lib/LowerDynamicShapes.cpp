//===- LowerDynamicShapes.cpp - Ops with run-time shape operands to linalg ===//
//
// The ops of KilnDynamicShapeOps.td read their shape-like operands (a target
// shape, axes, starts and ends, pads, repeats, sizes) at run time. Each
// lowering first computes the result sizes in scalar i64 code from those
// operands, exactly as ONNX defines them, and checks with `cf.assert` every
// value that would otherwise make the generated code read or write out of
// bounds or allocate a wrong size: negative sizes, element counts that
// overflow, axes out of range or repeated, a zero step, a reshape whose element
// count differs, incompatible broadcasts, and result dims that the op's type
// declares static but that come out differently at run time. Messages name the
// op and its origin (describeForCheck). Then the data movement itself is
// `tensor.reshape`, `tensor.extract_slice`, `linalg.fill`, or a
// `linalg.generic` over the result that computes its source index and reads
// it with `tensor.extract`.
//
// kiln.dynamic_resize is in LowerResize.cpp, next to the static resize whose
// interpolation passes it shares.
//
//===----------------------------------------------------------------------===//

#include "DynamicShapeLowering.h"
#include "LoweringUtils.h"
#include "ShapeLoweringHelpers.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln {

//===----------------------------------------------------------------------===//
// RunTimeShapeBuilder
//===----------------------------------------------------------------------===//

Value RunTimeShapeBuilder::constant(int64_t value) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), value);
}

Value RunTimeShapeBuilder::add(Value lhs, Value rhs) {
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::sub(Value lhs, Value rhs) {
  return arith::SubIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::mul(Value lhs, Value rhs) {
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::min(Value lhs, Value rhs) {
  return arith::MinSIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::max(Value lhs, Value rhs) {
  return arith::MaxSIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::clamp(Value value, Value low, Value high) {
  return min(max(value, low), high);
}

Value RunTimeShapeBuilder::select(Value condition, Value ifTrue,
                                  Value ifFalse) {
  return arith::SelectOp::create(b, loc, condition, ifTrue, ifFalse);
}

Value RunTimeShapeBuilder::compare(arith::CmpIPredicate predicate, Value lhs,
                                   Value rhs) {
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

Value RunTimeShapeBuilder::both(Value lhs, Value rhs) {
  return arith::AndIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::either(Value lhs, Value rhs) {
  return arith::OrIOp::create(b, loc, lhs, rhs);
}

Value RunTimeShapeBuilder::negate(Value condition) {
  return arith::XOrIOp::create(
      b, loc, condition,
      arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
}

Value RunTimeShapeBuilder::element(Value tensor, int64_t index) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> position;
  if (type.getRank() == 1)
    position.push_back(arith::ConstantIndexOp::create(b, loc, index));
  Value value = tensor::ExtractOp::create(b, loc, tensor, position);
  if (value.getType().isInteger(64))
    return value;
  return arith::ExtSIOp::create(b, loc, b.getI64Type(), value);
}

Value RunTimeShapeBuilder::dim(Value tensor, int64_t d) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(d))
    return constant(type.getDimSize(d));
  return toI64(tensor::DimOp::create(b, loc, tensor, d));
}

Value RunTimeShapeBuilder::toIndex(Value value) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value RunTimeShapeBuilder::toI64(Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

Value RunTimeShapeBuilder::checkedAdd(Value lhs, Value rhs, Value &fits) {
  Value sum = add(lhs, rhs);
  // Signed addition overflows when the sum's sign differs from both
  // operands'.
  Value lhsFlip = arith::XOrIOp::create(b, loc, lhs, sum);
  Value rhsFlip = arith::XOrIOp::create(b, loc, rhs, sum);
  Value overflow =
      compare(arith::CmpIPredicate::slt,
              arith::AndIOp::create(b, loc, lhsFlip, rhsFlip), constant(0));
  fits = fits ? both(fits, negate(overflow)) : negate(overflow);
  return sum;
}

Value RunTimeShapeBuilder::checkedMul(Value lhs, Value rhs, Value &fits) {
  auto product = arith::MulSIExtendedOp::create(b, loc, lhs, rhs);
  // The 128-bit product fits in 64 bits when its high half is the sign
  // extension of its low half.
  Value sign = arith::ShRSIOp::create(b, loc, product.getLow(), constant(63));
  Value ok = compare(arith::CmpIPredicate::eq, product.getHigh(), sign);
  fits = fits ? both(fits, ok) : ok;
  return product.getLow();
}

void RunTimeShapeBuilder::check(Value condition, const Twine &message) {
  emitRunTimeCheck(b, loc, condition, prefix + ": " + message);
}

void RunTimeShapeBuilder::checkElementCount(ArrayRef<Value> sizes,
                                            Type elementType) {
  int64_t bytes = std::max<int64_t>(
      1, (getElementTypeOrSelf(elementType).getIntOrFloatBitWidth() + 7) / 8);
  Value fits;
  Value count = constant(bytes);
  for (Value size : sizes)
    count = checkedMul(count, size, fits);
  if (fits)
    check(fits, "the result's size in bytes overflows int64");
}

Value RunTimeShapeBuilder::normalizeAxis(Value axis, int64_t rank,
                                         const Twine &what) {
  Value rankValue = constant(rank);
  Value inRange =
      both(compare(arith::CmpIPredicate::sge, axis, constant(-rank)),
           compare(arith::CmpIPredicate::slt, axis, rankValue));
  check(inRange, what + " is out of range for rank " + Twine(rank));
  Value negative = compare(arith::CmpIPredicate::slt, axis, constant(0));
  return select(negative, add(axis, rankValue), axis);
}

SmallVector<Value> RunTimeShapeBuilder::normalizeAxes(Value axes, int64_t rank,
                                                      const Twine &what) {
  int64_t count = cast<RankedTensorType>(axes.getType()).getDimSize(0);
  SmallVector<Value> normalized;
  for (int64_t i = 0; i < count; ++i)
    normalized.push_back(
        normalizeAxis(element(axes, i), rank, what + " entry " + Twine(i)));
  Value distinct;
  for (int64_t i = 0; i < count; ++i)
    for (int64_t j = i + 1; j < count; ++j) {
      Value differ =
          compare(arith::CmpIPredicate::ne, normalized[i], normalized[j]);
      distinct = distinct ? both(distinct, differ) : differ;
    }
  if (distinct)
    check(distinct, what + " repeat an axis");
  return normalized;
}

SmallVector<Value> RunTimeShapeBuilder::axisMask(ArrayRef<Value> axes,
                                                 int64_t rank) {
  SmallVector<Value> mask;
  for (int64_t d = 0; d < rank; ++d) {
    Value listed = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
    for (Value axis : axes)
      listed =
          either(listed, compare(arith::CmpIPredicate::eq, axis, constant(d)));
    mask.push_back(listed);
  }
  return mask;
}

SmallVector<OpFoldResult>
RunTimeShapeBuilder::resultSizes(RankedTensorType type, ArrayRef<Value> sizes) {
  SmallVector<OpFoldResult> result;
  for (auto [d, size] : llvm::enumerate(sizes)) {
    if (type.isDynamicDim(d)) {
      result.push_back(toIndex(size));
      continue;
    }
    int64_t declared = type.getDimSize(d);
    std::optional<int64_t> known = getConstantIntValue(size);
    if (!known || *known != declared)
      check(compare(arith::CmpIPredicate::eq, size, constant(declared)),
            "dimension " + Twine(d) +
                " of the result differs at run time from its declared size " +
                Twine(declared));
    result.push_back(b.getIndexAttr(declared));
  }
  return result;
}

namespace {

/// A `linalg.generic` over a new tensor of `type` and `sizes` whose body
/// computes each element from the loop indices.
Value buildIndexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType type,
    ArrayRef<OpFoldResult> sizes,
    function_ref<Value(OpBuilder &, Location, ValueRange)> element) {
  int64_t rank = type.getRank();
  Value init = createEmptyTensor(b, loc, type, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange(), init,
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nested, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d)
          indices.push_back(linalg::IndexOp::create(nb, nested, d));
        linalg::YieldOp::create(nb, nested, element(nb, nested, indices));
      });
  return generic.getResult(0);
}

/// `tensor.reshape` of `input` to `sizes` (i64, whose element count the
/// caller has made equal to the input's), checked against the static dims of
/// `type`.
Value reshapeTo(RunTimeShapeBuilder &shapes, Value input, RankedTensorType type,
                ArrayRef<Value> sizes) {
  OpBuilder &b = shapes.builder();
  Location loc = shapes.location();
  SmallVector<OpFoldResult> checked = shapes.resultSizes(type, sizes);
  SmallVector<Value> dims;
  for (OpFoldResult size : checked)
    dims.push_back(shapes.toI64(getValueOrCreateConstantIndexOp(b, loc, size)));
  Value shape;
  if (dims.empty())
    shape = arith::ConstantOp::create(
        b, loc,
        DenseIntElementsAttr::get(RankedTensorType::get({0}, b.getI64Type()),
                                  ArrayRef<int64_t>{}));
  else
    shape = tensor::FromElementsOp::create(b, loc, dims);
  return tensor::ReshapeOp::create(b, loc, type, input, shape);
}

/// The product of every dim of `input` (which cannot overflow: the tensor
/// exists).
Value elementCount(RunTimeShapeBuilder &shapes, Value input) {
  Value count = shapes.constant(1);
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  for (int64_t d = 0; d < rank; ++d)
    count = shapes.mul(count, shapes.dim(input, d));
  return count;
}

//===----------------------------------------------------------------------===//
// shape_of, dynamic_reshape, unsqueeze, squeeze
//===----------------------------------------------------------------------===//

struct ShapeOfLowering : OpConversionPattern<ShapeOfOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ShapeOfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    if (rank == 0) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseIntElementsAttr::get(cast<RankedTensorType>(op.getType()),
                                        ArrayRef<int64_t>{}));
      return success();
    }
    SmallVector<Value> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(shapes.dim(input, d));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), dims);
    return success();
  }
};

struct DynamicReshapeLowering : OpConversionPattern<DynamicReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<Value> entries, inferred;
    Value fits, inferredCount = shapes.constant(0), known = shapes.constant(1);
    for (int64_t i = 0; i < type.getRank(); ++i) {
      Value entry = shapes.element(adaptor.getShape(), i);
      Value isZero =
          shapes.compare(arith::CmpIPredicate::eq, entry, shapes.constant(0));
      if (!op.getAllowZero() && i < inputRank)
        entry = shapes.select(isZero, shapes.dim(input, i), entry);
      else if (!op.getAllowZero())
        shapes.check(shapes.negate(isZero),
                     "shape entry " + Twine(i) +
                         " is 0 (copy the input dimension) but the input has "
                         "rank " +
                         Twine(inputRank));
      shapes.check(
          shapes.compare(arith::CmpIPredicate::sge, entry, shapes.constant(-1)),
          "shape entry " + Twine(i) + " is negative (other than -1)");
      Value isInferred =
          shapes.compare(arith::CmpIPredicate::eq, entry, shapes.constant(-1));
      inferredCount = shapes.add(
          inferredCount,
          shapes.select(isInferred, shapes.constant(1), shapes.constant(0)));
      known = shapes.checkedMul(
          known, shapes.select(isInferred, shapes.constant(1), entry), fits);
      entries.push_back(entry);
      inferred.push_back(isInferred);
    }
    if (fits)
      shapes.check(fits, "the target shape's element count overflows int64");
    Value one = shapes.constant(1);
    Value hasInferred =
        shapes.compare(arith::CmpIPredicate::eq, inferredCount, one);
    shapes.check(shapes.compare(arith::CmpIPredicate::sle, inferredCount, one),
                 "the target shape has more than one -1");
    // With a -1, the known entries must divide the element count (and not be
    // 0, which would leave the -1 undecided); without one, they must equal it.
    Value count = elementCount(shapes, input);
    Value divisor = shapes.max(known, one);
    Value quotient =
        arith::DivSIOp::create(rewriter, op.getLoc(), count, divisor);
    Value divides = shapes.both(
        shapes.compare(arith::CmpIPredicate::sgt, known, shapes.constant(0)),
        shapes.compare(arith::CmpIPredicate::eq, shapes.mul(quotient, divisor),
                       count));
    Value equal = shapes.compare(arith::CmpIPredicate::eq, known, count);
    shapes.check(shapes.select(hasInferred, divides, equal),
                 "the input's element count does not fit the target shape at "
                 "run time");
    SmallVector<Value> sizes;
    for (auto [entry, isInferred] : llvm::zip(entries, inferred))
      sizes.push_back(shapes.select(isInferred, quotient, entry));
    rewriter.replaceOp(op, reshapeTo(shapes, input, type, sizes));
    return success();
  }
};

struct UnsqueezeLowering : OpConversionPattern<UnsqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnsqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<Value> axes =
        shapes.normalizeAxes(adaptor.getAxes(), rank, "axes");
    SmallVector<Value> inserted = shapes.axisMask(axes, rank);
    // Result dim p is 1 where an axis is inserted, else input dim `source`,
    // the number of input dims before it.
    SmallVector<Value> sizes;
    Value source = shapes.constant(0);
    for (int64_t p = 0; p < rank; ++p) {
      Value size = shapes.constant(1);
      for (int64_t d = 0; d < inputRank; ++d)
        size = shapes.select(shapes.compare(arith::CmpIPredicate::eq, source,
                                            shapes.constant(d)),
                             shapes.dim(input, d), size);
      sizes.push_back(shapes.select(inserted[p], shapes.constant(1), size));
      source = shapes.add(source, shapes.select(inserted[p], shapes.constant(0),
                                                shapes.constant(1)));
    }
    rewriter.replaceOp(op, reshapeTo(shapes, input, type, sizes));
    return success();
  }
};

struct SqueezeLowering : OpConversionPattern<SqueezeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<Value> axes =
        shapes.normalizeAxes(adaptor.getAxes(), inputRank, "axes");
    SmallVector<Value> removed = shapes.axisMask(axes, inputRank);
    // Input dim d, when kept, is result dim `position`: the number of kept
    // dims before it.
    SmallVector<Value> sizes(type.getRank(), shapes.constant(1));
    Value position = shapes.constant(0);
    for (int64_t d = 0; d < inputRank; ++d) {
      Value size = shapes.dim(input, d);
      Value isOne =
          shapes.compare(arith::CmpIPredicate::eq, size, shapes.constant(1));
      shapes.check(shapes.either(shapes.negate(removed[d]), isOne),
                   "dimension " + Twine(d) +
                       " is removed but its size is not 1 at run time");
      for (int64_t p = 0; p < type.getRank(); ++p)
        sizes[p] = shapes.select(
            shapes.both(shapes.negate(removed[d]),
                        shapes.compare(arith::CmpIPredicate::eq, position,
                                       shapes.constant(p))),
            size, sizes[p]);
      position =
          shapes.add(position, shapes.select(removed[d], shapes.constant(0),
                                             shapes.constant(1)));
    }
    rewriter.replaceOp(op, reshapeTo(shapes, input, type, sizes));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dynamic_broadcast_to, tile
//===----------------------------------------------------------------------===//

struct DynamicBroadcastToLowering : OpConversionPattern<DynamicBroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicBroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), inputRank = inputType.getRank();
    int64_t length =
        cast<RankedTensorType>(adaptor.getShape().getType()).getDimSize(0);
    SmallVector<Value> sizes, stretches;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t shapeIndex = d - (rank - length),
              inputDim = d - (rank - inputRank);
      Value one = shapes.constant(1);
      Value given = shapeIndex >= 0
                        ? shapes.element(adaptor.getShape(), shapeIndex)
                        : one;
      Value dim = inputDim >= 0 ? shapes.dim(input, inputDim) : one;
      shapes.check(
          shapes.compare(arith::CmpIPredicate::sge, given, shapes.constant(0)),
          "shape entry " + Twine(shapeIndex) + " is negative");
      Value stretch = shapes.compare(arith::CmpIPredicate::eq, dim, one);
      Value compatible = shapes.either(
          stretch,
          shapes.either(shapes.compare(arith::CmpIPredicate::eq, given, one),
                        shapes.compare(arith::CmpIPredicate::eq, given, dim)));
      shapes.check(compatible, "dimension " + Twine(d) +
                                   " of the shape cannot broadcast the "
                                   "input's at run time (neither is 1 and "
                                   "they differ)");
      sizes.push_back(shapes.select(stretch, given, dim));
      if (inputDim >= 0)
        stretches.push_back(stretch);
    }
    shapes.checkElementCount(sizes, type.getElementType());
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    // An input dim stretches when it is 1 at run time: read index 0 there.
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), type, resultSizes,
        [&](OpBuilder &b, Location loc, ValueRange indices) {
          SmallVector<Value> position;
          Value zero = arith::ConstantIndexOp::create(b, loc, 0);
          for (int64_t d = 0; d < inputRank; ++d) {
            Value index = indices[d + rank - inputRank];
            if (inputType.getDimSize(d) == 1)
              position.push_back(zero);
            else if (!inputType.isDynamicDim(d))
              position.push_back(index);
            else
              position.push_back(
                  arith::SelectOp::create(b, loc, stretches[d], zero, index));
          }
          return tensor::ExtractOp::create(b, loc, input, position);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TileLowering : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    SmallVector<Value> sizes, dims;
    Value fits;
    for (int64_t d = 0; d < rank; ++d) {
      Value repeat = shapes.element(adaptor.getRepeats(), d);
      shapes.check(
          shapes.compare(arith::CmpIPredicate::sge, repeat, shapes.constant(0)),
          "repeats entry " + Twine(d) + " is negative");
      dims.push_back(shapes.dim(input, d));
      sizes.push_back(shapes.checkedMul(dims.back(), repeat, fits));
    }
    if (fits)
      shapes.check(fits, "a tiled dimension overflows int64");
    shapes.checkElementCount(sizes, type.getElementType());
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    // Result element i reads input element i mod dim (dims are not 0 where
    // the result has elements).
    SmallVector<Value> dimIndices;
    for (Value dim : dims)
      dimIndices.push_back(shapes.toIndex(dim));
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), type, resultSizes,
        [&](OpBuilder &b, Location loc, ValueRange indices) {
          SmallVector<Value> position;
          for (int64_t d = 0; d < rank; ++d)
            position.push_back(
                arith::RemUIOp::create(b, loc, indices[d], dimIndices[d]));
          return tensor::ExtractOp::create(b, loc, input, position);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dynamic_slice, split
//===----------------------------------------------------------------------===//

/// One dim of a slice: the first index read, the element count and the step.
struct SliceDim {
  Value offset, size, step;
};

/// ONNX's rules for one sliced axis of size `dim`: negative starts and ends
/// count from the end, then both are clamped ([0, dim] for positive steps,
/// [0, dim - 1] and [-1, dim - 1] for negative ones). The step's magnitude is
/// divided unsigned, since -INT64_MIN is not an int64.
SliceDim resolveSliceDim(RunTimeShapeBuilder &shapes, Value start, Value end,
                         Value step, Value dim) {
  using P = arith::CmpIPredicate;
  Value zero = shapes.constant(0), one = shapes.constant(1);
  Value last = shapes.sub(dim, one);
  start = shapes.select(shapes.compare(P::slt, start, zero),
                        shapes.add(start, dim), start);
  end = shapes.select(shapes.compare(P::slt, end, zero), shapes.add(end, dim),
                      end);
  Value forward = shapes.compare(P::sgt, step, zero);
  start = shapes.select(forward, shapes.clamp(start, zero, dim),
                        shapes.clamp(start, zero, last));
  end = shapes.select(forward, shapes.clamp(end, zero, dim),
                      shapes.clamp(end, shapes.constant(-1), last));
  Value span =
      shapes.select(forward, shapes.sub(end, start), shapes.sub(start, end));
  Value magnitude = shapes.select(forward, step, shapes.sub(zero, step));
  Value quotient =
      arith::DivUIOp::create(shapes.builder(), shapes.location(),
                             shapes.sub(shapes.max(span, one), one), magnitude);
  Value size = shapes.select(shapes.compare(P::sgt, span, zero),
                             shapes.add(quotient, one), zero);
  Value empty = shapes.compare(P::eq, size, zero);
  return {shapes.select(empty, zero, start), size,
          shapes.select(shapes.compare(P::sle, size, one), one, step)};
}

/// Whether a constant `steps` operand makes every dim's step 1.
bool hasUnitSteps(Value steps) {
  DenseIntElementsAttr values;
  return matchPattern(steps, m_Constant(&values)) &&
         llvm::all_of(values.getValues<APInt>(),
                      [](const APInt &step) { return step.isOne(); });
}

struct DynamicSliceLowering : OpConversionPattern<DynamicSliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    SmallVector<SliceDim> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(
          {shapes.constant(0), shapes.dim(input, d), shapes.constant(1)});
    SmallVector<Value> axes =
        shapes.normalizeAxes(adaptor.getAxes(), rank, "axes");
    for (auto [i, axis] : llvm::enumerate(axes)) {
      Value start = shapes.element(adaptor.getStarts(), i);
      Value end = shapes.element(adaptor.getEnds(), i);
      Value step = shapes.element(adaptor.getSteps(), i);
      shapes.check(
          shapes.compare(arith::CmpIPredicate::ne, step, shapes.constant(0)),
          "steps entry " + Twine(i) + " is 0");
      // Which dim entry i slices is known only at run time: resolve it
      // against every dim and keep the one it names.
      for (int64_t d = 0; d < rank; ++d) {
        Value named =
            shapes.compare(arith::CmpIPredicate::eq, axis, shapes.constant(d));
        SliceDim resolved =
            resolveSliceDim(shapes, start, end, step, shapes.dim(input, d));
        dims[d] = {shapes.select(named, resolved.offset, dims[d].offset),
                   shapes.select(named, resolved.size, dims[d].size),
                   shapes.select(named, resolved.step, dims[d].step)};
      }
    }
    SmallVector<Value> sizes;
    for (const SliceDim &dim : dims)
      sizes.push_back(dim.size);
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    // Unit steps: a view.
    if (hasUnitSteps(op.getSteps())) {
      SmallVector<OpFoldResult> offsets;
      for (const SliceDim &dim : dims)
        offsets.push_back(shapes.toIndex(dim.offset));
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, input, offsets, resultSizes,
          SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));
      return success();
    }
    SmallVector<Value> offsets, steps;
    for (const SliceDim &dim : dims) {
      offsets.push_back(shapes.toIndex(dim.offset));
      steps.push_back(shapes.toIndex(dim.step));
    }
    Value result = buildIndexedGeneric(
        rewriter, loc, type, resultSizes,
        [&](OpBuilder &b, Location nested, ValueRange indices) {
          SmallVector<Value> position;
          for (int64_t d = 0; d < rank; ++d)
            position.push_back(arith::AddIOp::create(
                b, nested, offsets[d],
                arith::MulIOp::create(b, nested, indices[d], steps[d])));
          return tensor::ExtractOp::create(b, nested, input, position);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitLowering : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<Value> offsets, sizes;
    Value total = shapes.constant(0), fits;
    for (int64_t i = 0, e = op.getNumResults(); i < e; ++i) {
      Value size = shapes.element(adaptor.getSizes(), i);
      shapes.check(
          shapes.compare(arith::CmpIPredicate::sge, size, shapes.constant(0)),
          "sizes entry " + Twine(i) + " is negative");
      offsets.push_back(total);
      sizes.push_back(size);
      total = shapes.checkedAdd(total, size, fits);
    }
    if (fits)
      shapes.check(fits, "the sizes add up to more than int64 holds");
    shapes.check(shapes.compare(arith::CmpIPredicate::eq, total,
                                shapes.dim(input, axis)),
                 "the sizes do not add up to dimension " + Twine(axis) +
                     " at run time");
    SmallVector<Value> parts;
    for (auto [result, offset, size] :
         llvm::zip(op.getResults(), offsets, sizes)) {
      auto type = cast<RankedTensorType>(result.getType());
      SmallVector<Value> dims;
      for (int64_t d = 0; d < rank; ++d)
        dims.push_back(d == axis ? size : shapes.dim(input, d));
      SmallVector<OpFoldResult> partSizes = shapes.resultSizes(type, dims);
      SmallVector<OpFoldResult> partOffsets(rank, rewriter.getIndexAttr(0));
      partOffsets[axis] = shapes.toIndex(offset);
      parts.push_back(tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), type, input, partOffsets, partSizes,
          SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1))));
    }
    rewriter.replaceOp(op, parts);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dynamic_pad
//===----------------------------------------------------------------------===//

/// Negative pads remove elements first, as the static path's kiln.slice does;
/// then the remaining `window` elements of each dim (from `start`) are padded
/// by the positive amounts. Reflection and edges are those of the window.
struct DynamicPadLowering : OpConversionPattern<DynamicPadOp> {
  using OpConversionPattern::OpConversionPattern;

  /// One dim: the first input index kept, the number kept, the elements added
  /// before them, and (constant mode) the full input dim.
  struct PadDim {
    Value start, window, before, dim;
  };

  LogicalResult
  matchAndRewrite(DynamicPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    using P = arith::CmpIPredicate;
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    StringRef mode = op.getMode();
    SmallVector<PadDim> dims;
    SmallVector<Value> sizes;
    Value fits;
    Value zero = shapes.constant(0);
    for (int64_t d = 0; d < rank; ++d) {
      Value low = shapes.element(adaptor.getPads(), d);
      Value high = shapes.element(adaptor.getPads(), rank + d);
      Value dim = shapes.dim(input, d);
      Value window =
          shapes.checkedAdd(shapes.checkedAdd(dim, shapes.min(low, zero), fits),
                            shapes.min(high, zero), fits);
      shapes.check(shapes.compare(P::sge, window, zero),
                   "the pads of dimension " + Twine(d) +
                       " remove more elements than it has");
      Value before = shapes.max(low, zero), after = shapes.max(high, zero);
      Value size = shapes.checkedAdd(shapes.checkedAdd(window, before, fits),
                                     after, fits);
      if (mode == "reflect")
        for (Value pad : {before, after})
          shapes.check(shapes.compare(P::slt, pad,
                                      shapes.max(window, shapes.constant(1))),
                       "a reflect pad of dimension " + Twine(d) +
                           " is not smaller than the dimension");
      if (mode == "edge")
        shapes.check(shapes.either(shapes.compare(P::sgt, window, zero),
                                   shapes.compare(P::eq, size, zero)),
                     "edge padding of dimension " + Twine(d) +
                         " has no element to repeat");
      // low = INT64_MIN cannot get here: its window is negative.
      Value start = shapes.sub(zero, shapes.min(low, zero));
      dims.push_back({shapes.toIndex(start), shapes.toIndex(window),
                      shapes.toIndex(before), shapes.toIndex(dim)});
      sizes.push_back(size);
    }
    if (fits)
      shapes.check(fits, "a padded size overflows int64");
    shapes.checkElementCount(sizes, type.getElementType());
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    Value padValue = paddingValue(rewriter, op.getLoc(), adaptor.getValue(),
                                  type.getElementType());
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), type, resultSizes,
        [&](OpBuilder &b, Location loc, ValueRange indices) {
          return buildElement(b, loc, mode, input, padValue, indices, dims);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The constant mode's value: the `value` operand's element, or zero.
  static Value paddingValue(OpBuilder &b, Location loc, Value value,
                            Type elementType) {
    if (!value)
      return createElementConstant(b, loc,
                                   cast<TypedAttr>(b.getZeroAttr(elementType)));
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<Value> position(type.getRank(),
                                arith::ConstantIndexOp::create(b, loc, 0));
    return tensor::ExtractOp::create(b, loc, value, position);
  }

  /// The element at result `indices`: window position `index - before` of
  /// every dim, mirrored (reflect) or clamped (edge) into the window, or for
  /// the constant mode the value outside it (read under an `scf.if`, since an
  /// empty input has no element to read speculatively).
  static Value buildElement(OpBuilder &b, Location loc, StringRef mode,
                            Value input, Value padValue, ValueRange indices,
                            ArrayRef<PadDim> dims) {
    using P = arith::CmpIPredicate;
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<Value> position;
    Value inside;
    for (auto [index, dim] : llvm::zip(indices, dims)) {
      Value source = arith::SubIOp::create(b, loc, index, dim.before);
      Value last = arith::SubIOp::create(b, loc, dim.window, one);
      if (mode == "constant") {
        Value within = arith::AndIOp::create(
            b, loc, arith::CmpIOp::create(b, loc, P::sge, source, zero),
            arith::CmpIOp::create(b, loc, P::slt, source, dim.window));
        inside = inside
                     ? arith::AndIOp::create(b, loc, inside, within).getResult()
                     : within;
      } else if (mode == "reflect") {
        // Before the start: -source. After the end: 2 * last - source.
        Value negated = arith::SubIOp::create(b, loc, zero, source);
        source = arith::SelectOp::create(
            b, loc, arith::CmpIOp::create(b, loc, P::slt, source, zero),
            negated, source);
        Value mirrored = arith::SubIOp::create(
            b, loc, arith::AddIOp::create(b, loc, last, last), source);
        source = arith::SelectOp::create(
            b, loc, arith::CmpIOp::create(b, loc, P::sgt, source, last),
            mirrored, source);
      }
      // The clamp is edge padding itself; for reflect it is a guard.
      if (mode != "constant")
        source = arith::MinSIOp::create(
            b, loc, arith::MaxSIOp::create(b, loc, source, zero), last);
      position.push_back(arith::AddIOp::create(b, loc, source, dim.start));
    }
    if (mode != "constant" || !inside)
      return tensor::ExtractOp::create(b, loc, input, position);
    auto branch = scf::IfOp::create(
        b, loc, inside,
        [&](OpBuilder &tb, Location tloc) {
          scf::YieldOp::create(
              tb, tloc,
              tensor::ExtractOp::create(tb, tloc, input, position).getResult());
        },
        [&](OpBuilder &eb, Location eloc) {
          scf::YieldOp::create(eb, eloc, padValue);
        });
    return branch.getResult(0);
  }
};

//===----------------------------------------------------------------------===//
// constant_of_shape, range
//===----------------------------------------------------------------------===//

struct ConstantOfShapeLowering : OpConversionPattern<ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOfShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      Value size = shapes.element(adaptor.getShape(), d);
      shapes.check(
          shapes.compare(arith::CmpIPredicate::sge, size, shapes.constant(0)),
          "shape entry " + Twine(d) + " is negative");
      sizes.push_back(size);
    }
    shapes.checkElementCount(sizes, type.getElementType());
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    Value empty = createEmptyTensor(rewriter, op.getLoc(), type, resultSizes);
    Value value = createElementConstant(rewriter, op.getLoc(), op.getValue());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, value, empty);
    return success();
  }
};

struct RangeLowering : OpConversionPattern<RangeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    Value start = scalar(rewriter, loc, adaptor.getStart());
    Value limit = scalar(rewriter, loc, adaptor.getLimit());
    Value delta = scalar(rewriter, loc, adaptor.getDelta());
    Value count = isa<FloatType>(elementType)
                      ? floatCount(shapes, start, limit, delta)
                      : integerCount(shapes, start, limit, delta);
    shapes.checkElementCount(count, elementType);
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, count);
    Value result = buildIndexedGeneric(
        rewriter, loc, type, resultSizes,
        [&](OpBuilder &b, Location nested, ValueRange indices) {
          return buildElement(b, nested, indices[0], start, delta);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The one element of a rank-0 or [1] operand.
  static Value scalar(OpBuilder &b, Location loc, Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<Value> position(type.getRank(),
                                arith::ConstantIndexOp::create(b, loc, 0));
    return tensor::ExtractOp::create(b, loc, tensor, position);
  }

  /// max(ceil((limit - start) / delta), 0), exactly, in i64.
  static Value integerCount(RunTimeShapeBuilder &shapes, Value start,
                            Value limit, Value delta) {
    using P = arith::CmpIPredicate;
    OpBuilder &b = shapes.builder();
    Location loc = shapes.location();
    auto widen = [&](Value value) {
      return value.getType().isInteger(64)
                 ? value
                 : arith::ExtSIOp::create(b, loc, b.getI64Type(), value)
                       .getResult();
    };
    start = widen(start);
    limit = widen(limit);
    delta = widen(delta);
    Value zero = shapes.constant(0);
    shapes.check(shapes.compare(P::ne, delta, zero), "delta is 0");
    Value fits;
    Value difference = shapes.checkedAdd(limit, shapes.sub(zero, start), fits);
    // -INT64_MIN is not an int64: such a start overflows too.
    fits = shapes.both(
        fits, shapes.compare(P::ne, start, shapes.constant(INT64_MIN)));
    shapes.check(fits, "limit - start overflows int64");
    // INT64_MIN / -1 (limit = INT64_MIN, start = 0) traps on x86; its count,
    // 2^63, does not fit anyway.
    shapes.check(
        shapes.either(
            shapes.compare(P::ne, difference, shapes.constant(INT64_MIN)),
            shapes.compare(P::ne, delta, shapes.constant(-1))),
        "the element count overflows int64");
    // Truncating division, then one more when a remainder of the same sign
    // as delta was cut off.
    Value quotient = arith::DivSIOp::create(b, loc, difference, delta);
    Value remainder = shapes.sub(difference, shapes.mul(quotient, delta));
    Value roundUp = shapes.both(
        shapes.compare(P::ne, remainder, zero),
        shapes.compare(P::eq, shapes.compare(P::sgt, remainder, zero),
                       shapes.compare(P::sgt, delta, zero)));
    Value ceiling =
        shapes.add(quotient, shapes.select(roundUp, shapes.constant(1), zero));
    return shapes.max(ceiling, zero);
  }

  /// max(ceil((limit - start) / delta), 0) in double precision.
  static Value floatCount(RunTimeShapeBuilder &shapes, Value start, Value limit,
                          Value delta) {
    OpBuilder &b = shapes.builder();
    Location loc = shapes.location();
    auto widen = [&](Value value) {
      return value.getType().isF64()
                 ? value
                 : arith::ExtFOp::create(b, loc, b.getF64Type(), value)
                       .getResult();
    };
    Value steps = math::CeilOp::create(
        b, loc,
        arith::DivFOp::create(
            b, loc, arith::SubFOp::create(b, loc, widen(limit), widen(start)),
            widen(delta)));
    auto constant = [&](double value) {
      return arith::ConstantFloatOp::create(b, loc, b.getF64Type(),
                                            APFloat(value));
    };
    shapes.check(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                                       widen(delta), constant(0)),
                 "delta is 0 or NaN");
    // Also false for NaN, which start, limit or infinities can give.
    shapes.check(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, steps,
                                       constant(0x1p62)),
                 "the element count is not finite or overflows int64");
    Value clamped = arith::MaximumFOp::create(b, loc, steps, constant(0));
    return arith::FPToSIOp::create(b, loc, b.getI64Type(), clamped);
  }

  /// start + i * delta in the element type (f32 for narrower floats).
  static Value buildElement(OpBuilder &b, Location loc, Value index,
                            Value start, Value delta) {
    Type type = start.getType();
    auto floatType = dyn_cast<FloatType>(type);
    if (!floatType) {
      Value i = arith::IndexCastOp::create(b, loc, type, index);
      return arith::AddIOp::create(b, loc, start,
                                   arith::MulIOp::create(b, loc, i, delta));
    }
    FloatType compute = floatType.getWidth() < 32 ? b.getF32Type() : floatType;
    auto widen = [&](Value value) {
      return compute == floatType
                 ? value
                 : arith::ExtFOp::create(b, loc, compute, value).getResult();
    };
    Value i = arith::SIToFPOp::create(
        b, loc, compute,
        arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
    Value value = arith::AddFOp::create(
        b, loc, widen(start), arith::MulFOp::create(b, loc, i, widen(delta)));
    return compute == floatType
               ? value
               : arith::TruncFOp::create(b, loc, floatType, value).getResult();
  }
};

//===----------------------------------------------------------------------===//
// random_uniform_like
//===----------------------------------------------------------------------===//

/// MT19937's state size, middle word and constants (Matsumoto and Nishimura).
constexpr int64_t kStateWords = 624;
constexpr int64_t kMiddleWord = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;
/// init_genrand's multiplier: word i is
/// kSeedMultiplier * (word[i-1] ^ (word[i-1] >> 30)) + i, modulo 2^32.
constexpr uint32_t kSeedMultiplier = 1812433253u;

/// The state `init_genrand(seed)` leaves, before the first twist, when the
/// seed is known when compiling (Mersenne::seededState computes the same at
/// run time).
SmallVector<int32_t> seededState(uint32_t seed) {
  SmallVector<int32_t> state;
  uint32_t word = seed;
  for (int64_t i = 0; i < kStateWords; ++i) {
    state.push_back(static_cast<int32_t>(word));
    word =
        kSeedMultiplier * (word ^ (word >> 30)) + static_cast<uint32_t>(i + 1);
  }
  return state;
}

/// Scalar and tensor code of MT19937 over a tensor<624xi32> state.
struct Mersenne {
  OpBuilder &b;
  Location loc;

  Value word(uint32_t value) {
    return arith::ConstantOp::create(
        b, loc, b.getI32IntegerAttr(static_cast<int32_t>(value)));
  }
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  /// The state `init_genrand(seed)` leaves for an i32 `seed` known only at
  /// run time: word 0 is the seed, then one scf.for over words 1 to 623
  /// carries the previous word (seededState's recurrence in i32 arithmetic,
  /// which wraps modulo 2^32 as uint32_t does).
  Value seededState(Value seed) {
    Value empty = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{kStateWords}, b.getI32Type());
    Value first = tensor::InsertOp::create(b, loc, seed, empty, index(0));
    auto loop = scf::ForOp::create(
        b, loc, index(1), index(kStateWords), index(1), ValueRange{first, seed},
        [&](OpBuilder &lb, Location l, Value i, ValueRange args) {
          Mersenne m{lb, l};
          Value previous = args[1];
          Value shifted = arith::ShRUIOp::create(lb, l, previous, m.word(30));
          Value mixed = arith::XOrIOp::create(lb, l, previous, shifted);
          Value product =
              arith::MulIOp::create(lb, l, m.word(kSeedMultiplier), mixed);
          Value position =
              arith::IndexCastUIOp::create(lb, l, lb.getI32Type(), i);
          Value word = arith::AddIOp::create(lb, l, product, position);
          Value state = tensor::InsertOp::create(lb, l, word, args[0], i);
          scf::YieldOp::create(lb, l, ValueRange{state, word});
        });
    return loop.getResult(0);
  }

  /// The next 624 words, computed in place as the reference does (words past
  /// the middle one read already updated words).
  Value twist(Value state) {
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(kStateWords), index(1), ValueRange{state},
        [&](OpBuilder &lb, Location l, Value k, ValueRange args) {
          Mersenne m{lb, l};
          Value mt = args[0];
          auto at = [&](int64_t offset) {
            Value position = arith::RemUIOp::create(
                lb, l, arith::AddIOp::create(lb, l, k, m.index(offset)),
                m.index(kStateWords));
            return tensor::ExtractOp::create(lb, l, mt, position).getResult();
          };
          Value upper =
              arith::AndIOp::create(lb, l, at(0), m.word(0x80000000u));
          Value lower =
              arith::AndIOp::create(lb, l, at(1), m.word(0x7fffffffu));
          Value y = arith::OrIOp::create(lb, l, upper, lower);
          Value odd = arith::CmpIOp::create(
              lb, l, arith::CmpIPredicate::ne,
              arith::AndIOp::create(lb, l, y, m.word(1)), m.word(0));
          Value magic =
              arith::SelectOp::create(lb, l, odd, m.word(kMatrixA), m.word(0));
          Value next = arith::XOrIOp::create(
              lb, l,
              arith::XOrIOp::create(
                  lb, l, at(kMiddleWord),
                  arith::ShRUIOp::create(lb, l, y, m.word(1))),
              magic);
          scf::YieldOp::create(
              lb, l, tensor::InsertOp::create(lb, l, next, mt, k).getResult());
        });
    return loop.getResult(0);
  }

  /// The next 32-bit output: twists when all 624 words are used, then tempers
  /// word `position`. Updates `state` and `position`.
  Value draw(Value &state, Value &position) {
    Value exhausted = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            position, index(kStateWords));
    auto refill = scf::IfOp::create(
        b, loc, exhausted,
        [&](OpBuilder &tb, Location l) {
          scf::YieldOp::create(tb, l, Mersenne{tb, l}.twist(state));
        },
        [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, state); });
    state = refill.getResult(0);
    position = arith::SelectOp::create(b, loc, exhausted, index(0), position);
    Value y = tensor::ExtractOp::create(b, loc, state, position);
    auto mix = [&](Value shifted, uint32_t mask) {
      Value masked =
          mask == 0xffffffffu
              ? shifted
              : arith::AndIOp::create(b, loc, shifted, word(mask)).getResult();
      y = arith::XOrIOp::create(b, loc, y, masked);
    };
    mix(arith::ShRUIOp::create(b, loc, y, word(11)), 0xffffffffu);
    mix(arith::ShLIOp::create(b, loc, y, word(7)), 0x9d2c5680u);
    mix(arith::ShLIOp::create(b, loc, y, word(15)), 0xefc60000u);
    mix(arith::ShRUIOp::create(b, loc, y, word(18)), 0xffffffffu);
    position = arith::AddIOp::create(b, loc, position, index(1));
    return y;
  }

  /// NumPy's random_sample from two outputs: (a >> 5) * 2^26 + (b >> 6),
  /// over 2^53.
  Value sample(Value first, Value second) {
    auto toDouble = [&](Value value, int64_t shift) {
      Value shifted = arith::ShRUIOp::create(b, loc, value, word(shift));
      return arith::UIToFPOp::create(b, loc, b.getF64Type(), shifted)
          .getResult();
    };
    auto constant = [&](double value) {
      return arith::ConstantFloatOp::create(b, loc, b.getF64Type(),
                                            APFloat(value));
    };
    Value high =
        arith::MulFOp::create(b, loc, toDouble(first, 5), constant(67108864.0));
    Value sum = arith::AddFOp::create(b, loc, high, toDouble(second, 6));
    return arith::DivFOp::create(b, loc, sum, constant(9007199254740992.0));
  }
};

/// The draws are sequential: one scf.for over the elements in row-major order
/// carries the generator's state (a tensor<624xi32> that bufferizes in place)
/// and writes a flat tensor, which is then reshaped to the result. The initial
/// state is a constant computed when compiling, or, with a `seed_offset`,
/// computed at run time from (seed + offset) mod 2^32; the draws are the same
/// code either way.
struct RandomUniformLikeLowering : OpConversionPattern<RandomUniformLikeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RandomUniformLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RunTimeShapeBuilder shapes(rewriter, op);
    auto type = cast<RankedTensorType>(op.getType());
    Value like = adaptor.getLike();
    SmallVector<Value> dims;
    Value count = shapes.constant(1);
    for (int64_t d = 0; d < type.getRank(); ++d) {
      dims.push_back(shapes.dim(like, d));
      // Cannot overflow: `like` exists with these dims.
      count = shapes.mul(count, dims.back());
    }
    Mersenne m{rewriter, loc};
    Value seeded;
    if (Value offset = adaptor.getSeedOffset()) {
      // i64 addition wraps modulo 2^64, a multiple of 2^32, so truncating the
      // sum gives (seed + offset) mod 2^32 for negative offsets too.
      Value offsetValue = tensor::ExtractOp::create(rewriter, loc, offset);
      Value sum = shapes.add(shapes.constant(op.getSeed()), offsetValue);
      seeded = m.seededState(
          arith::TruncIOp::create(rewriter, loc, rewriter.getI32Type(), sum));
    } else {
      auto stateType =
          RankedTensorType::get({kStateWords}, rewriter.getI32Type());
      seeded = arith::ConstantOp::create(
          rewriter, loc,
          DenseIntElementsAttr::get(
              stateType,
              ArrayRef(seededState(static_cast<uint32_t>(op.getSeed())))));
    }
    Value flat = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{shapes.toIndex(count)},
        rewriter.getF64Type());
    auto loop = scf::ForOp::create(
        rewriter, loc, m.index(0), shapes.toIndex(count), m.index(1),
        ValueRange{seeded, m.index(kStateWords), flat},
        [&](OpBuilder &lb, Location l, Value i, ValueRange args) {
          Mersenne inner{lb, l};
          Value state = args[0], position = args[1];
          Value first = inner.draw(state, position);
          Value second = inner.draw(state, position);
          Value value = inner.sample(first, second);
          Value written = tensor::InsertOp::create(lb, l, value, args[2], i);
          scf::YieldOp::create(lb, l, ValueRange{state, position, written});
        });
    rewriter.replaceOp(op, reshapeTo(shapes, loop.getResult(2), type, dims));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dynamic_reduce_sum, dynamic_cumsum
//===----------------------------------------------------------------------===//

struct DynamicReduceSumLowering : OpConversionPattern<DynamicReduceSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicReduceSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    SmallVector<Value> axes =
        shapes.normalizeAxes(adaptor.getAxes(), rank, "axes");
    SmallVector<Value> reduced = shapes.axisMask(axes, rank);
    SmallVector<Value> sizes, bounds;
    for (int64_t d = 0; d < rank; ++d) {
      Value dim = shapes.dim(input, d);
      sizes.push_back(shapes.select(reduced[d], shapes.constant(1), dim));
      // Each result element sums a box: the whole of a reduced dim, one
      // position of the others.
      bounds.push_back(
          shapes.toIndex(shapes.select(reduced[d], dim, shapes.constant(1))));
    }
    SmallVector<OpFoldResult> resultSizes = shapes.resultSizes(type, sizes);
    TypedAttr zero =
        getNeutralElement(type.getElementType(), ReductionKind::Sum);
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), type, resultSizes,
        [&](OpBuilder &b, Location loc, ValueRange indices) {
          Value initial = arith::ConstantOp::create(b, loc, zero);
          return sumBox(b, loc, input, reduced, bounds, indices, {}, initial);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The sum over the box of result position `indices`, one `scf.for` per
  /// dim; `inner` holds the box positions of the outer loops.
  static Value sumBox(OpBuilder &b, Location loc, Value input,
                      ArrayRef<Value> reduced, ArrayRef<Value> bounds,
                      ValueRange indices, SmallVector<Value> inner,
                      Value accumulator) {
    int64_t d = inner.size();
    if (d == static_cast<int64_t>(bounds.size())) {
      SmallVector<Value> position;
      for (int64_t k = 0; k < d; ++k)
        position.push_back(
            arith::SelectOp::create(b, loc, reduced[k], inner[k], indices[k]));
      Value element = tensor::ExtractOp::create(b, loc, input, position);
      return createArith(b, loc, ArithKind::Add, accumulator, element);
    }
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(
        b, loc, zero, bounds[d], one, accumulator,
        [&](OpBuilder &lb, Location lloc, Value iv, ValueRange args) {
          SmallVector<Value> deeper = inner;
          deeper.push_back(iv);
          Value sum = sumBox(lb, lloc, input, reduced, bounds, indices, deeper,
                             args[0]);
          scf::YieldOp::create(lb, lloc, sum);
        });
    return loop.getResult(0);
  }
};

/// Dispatches on the run-time axis to one `kiln.cumsum` per possible axis,
/// which its own pattern then lowers.
struct DynamicCumSumLowering : OpConversionPattern<DynamicCumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DynamicCumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RunTimeShapeBuilder shapes(rewriter, op);
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    Value axis = shapes.toIndex(shapes.normalizeAxis(
        shapes.element(adaptor.getAxis(), 0), rank, "the axis"));
    auto cases = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    auto dispatch = scf::IndexSwitchOp::create(rewriter, loc, TypeRange{type},
                                               axis, cases, rank);
    for (int64_t d = 0; d < rank; ++d) {
      Block &block = dispatch.getCaseRegions()[d].emplaceBlock();
      rewriter.setInsertionPointToStart(&block);
      Value sum = CumSumOp::create(rewriter, loc, type, input, d,
                                   op.getExclusive(), op.getReverse());
      scf::YieldOp::create(rewriter, loc, sum);
    }
    // Unreachable: the axis was checked.
    Block &fallback = dispatch.getDefaultRegion().emplaceBlock();
    rewriter.setInsertionPointToStart(&fallback);
    scf::YieldOp::create(rewriter, loc, input);
    rewriter.replaceOp(op, dispatch.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Checked tensor.cast
//===----------------------------------------------------------------------===//

/// Marks a cast whose run-time sizes the lowering has checked.
constexpr llvm::StringLiteral kCheckedAttrName = "kiln.checked";

/// Whether a cast makes a dim that is `?` in its source static.
bool refinesRunTimeDims(tensor::CastOp op) {
  auto source = dyn_cast<RankedTensorType>(op.getSource().getType());
  auto type = dyn_cast<RankedTensorType>(op.getType());
  if (!source || !type)
    return false;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (source.isDynamicDim(d) && !type.isDynamicDim(d))
      return true;
  return false;
}

/// A cast from `?` to a static size trusts the size: generated code would
/// read and write that many elements. Check it at run time first.
struct CheckedCastLowering : OpConversionPattern<tensor::CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(tensor::CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!refinesRunTimeDims(op) || op->hasAttr(kCheckedAttrName))
      return failure();
    Location loc = op.getLoc();
    Value source = adaptor.getSource();
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto type = cast<RankedTensorType>(op.getType());
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (sourceType.isDynamicDim(d) && !type.isDynamicDim(d))
        emitSizeCheck(rewriter, loc,
                      tensor::getMixedSize(rewriter, loc, source, d),
                      rewriter.getIndexAttr(type.getDimSize(d)),
                      describeForCheck(op) + ": dimension " + Twine(d) +
                          " differs at run time from the static size " +
                          Twine(type.getDimSize(d)) + " of its result type");
    auto checked = tensor::CastOp::create(rewriter, loc, type, source);
    checked->setAttr(kCheckedAttrName, rewriter.getUnitAttr());
    rewriter.replaceOp(op, checked.getResult());
    return success();
  }
};

} // namespace

void addCheckedCastLegality(ConversionTarget &target,
                            const TypeConverter &converter) {
  target.addDynamicallyLegalOp<tensor::CastOp>([&converter](tensor::CastOp op) {
    return converter.isLegal(op.getOperation()) &&
           (!refinesRunTimeDims(op) || op->hasAttr(kCheckedAttrName));
  });
}

void populateDynamicShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<CheckedCastLowering>(patterns.getContext());
  patterns
      .add<ShapeOfLowering, DynamicReshapeLowering, UnsqueezeLowering,
           SqueezeLowering, DynamicBroadcastToLowering, TileLowering,
           DynamicSliceLowering, SplitLowering, DynamicPadLowering,
           ConstantOfShapeLowering, RangeLowering, RandomUniformLikeLowering,
           DynamicReduceSumLowering, DynamicCumSumLowering>(
          patterns.getContext());
}

} // namespace kiln
