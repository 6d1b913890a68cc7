//===- LowerReductions.cpp - kiln reductions, scans and top-k to linalg ---===//
//
// Reductions become `linalg.reduce` into a tensor filled with the neutral
// element (0 for sums, 1 for products, -inf/+inf or the lowest/highest integer
// for max/min); a mean divides the sum by the number of reduced elements;
// `keep_dims` re-inserts unit dims with `tensor.expand_shape`. Softmax becomes
// `linalg.softmax`, which `kiln-decompose-aggregates` later expands.
//
// Arg-reductions are one `linalg.generic` with two outputs, the best value and
// its index, starting from index -1 ("nothing yet"). Its combiner depends only
// on the values and indices it compares, never on the order of visits, so the
// result stays right if the reduction is ever split or reordered.
//
// A cumulative sum has no structured op upstream: it is an `scf.for` along the
// axis that carries a running sum of one slice (adding the next slice with a
// `linalg.generic`) and inserts it into the result, O(n) in the axis length.
//
// Top-k is an `scf.for` over the k outputs: iteration j is an arg-reduction
// restricted to the elements that rank after the one chosen in iteration j-1
// (in the order value, then index), which picks the j-th element without a
// mask, in O(k * n). Ties therefore come out lowest index first, as ONNX
// specifies.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// How the elements of a reduction combine.
enum class Combiner { Sum, Prod, Max, Min };

/// The element a reduction starts from: the identity of its combiner.
static TypedAttr getCombinerIdentity(Type elementType, Combiner combiner) {
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    const llvm::fltSemantics &semantics = floatType.getFloatSemantics();
    switch (combiner) {
    case Combiner::Sum:
      return FloatAttr::get(floatType, APFloat::getZero(semantics));
    case Combiner::Prod:
      return FloatAttr::get(floatType, APFloat::getOne(semantics));
    case Combiner::Max:
    case Combiner::Min:
      return FloatAttr::get(
          floatType,
          APFloat::getInf(semantics, /*Negative=*/combiner == Combiner::Max));
    }
  }
  auto intType = cast<IntegerType>(elementType);
  unsigned width = intType.getWidth();
  switch (combiner) {
  case Combiner::Sum:
    return IntegerAttr::get(intType, APInt::getZero(width));
  case Combiner::Prod:
    return IntegerAttr::get(intType, APInt(width, 1));
  case Combiner::Max:
    return IntegerAttr::get(intType, APInt::getSignedMinValue(width));
  case Combiner::Min:
    return IntegerAttr::get(intType, APInt::getSignedMaxValue(width));
  }
  llvm_unreachable("unknown combiner");
}

/// Combines two scalars. Float max and min propagate NaN, as PyTorch and ONNX
/// Runtime do.
static Value combine(OpBuilder &b, Location loc, Combiner combiner, Value lhs,
                     Value rhs) {
  bool isFloat = isa<FloatType>(lhs.getType());
  switch (combiner) {
  case Combiner::Sum:
    return createArith(b, loc, ArithKind::Add, lhs, rhs);
  case Combiner::Prod:
    return createArith(b, loc, ArithKind::Mul, lhs, rhs);
  case Combiner::Max:
    return createArith(b, loc, ArithKind::Max, lhs, rhs);
  case Combiner::Min:
    return isFloat ? arith::MinimumFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MinSIOp::create(b, loc, lhs, rhs).getResult();
  }
  llvm_unreachable("unknown combiner");
}

/// The shape and sizes of `input` without the dims in `axes`.
static std::pair<SmallVector<int64_t>, SmallVector<OpFoldResult>>
getReducedShape(OpBuilder &b, Location loc, Value input,
                ArrayRef<int64_t> axes) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < inputType.getRank(); ++d) {
    if (llvm::is_contained(axes, d))
      continue;
    shape.push_back(inputType.getDimSize(d));
    sizes.push_back(tensor::getMixedSize(b, loc, input, d));
  }
  return {shape, sizes};
}

/// Reduces `input` over `axes` with `combiner`; the result drops the reduced
/// dims.
static Value buildReduce(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> axes, Combiner combiner) {
  Type elementType = cast<RankedTensorType>(input.getType()).getElementType();
  auto [shape, sizes] = getReducedShape(b, loc, input, axes);
  Value init =
      createFilledTensor(b, loc, RankedTensorType::get(shape, elementType),
                         sizes, getCombinerIdentity(elementType, combiner));
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{init}, axes,
      [combiner](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value combined = combine(nested, nestedLoc, combiner, args[0], args[1]);
        linalg::YieldOp::create(nested, nestedLoc, combined);
      });
  return reduce.getResult(0);
}

/// Divides every element of `sum` by the number of elements reduced along
/// `axes`.
static Value divideByCount(OpBuilder &b, Location loc, Value sum, Value input,
                           ArrayRef<int64_t> axes) {
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t axis : axes) {
    Value size = tensor::DimOp::create(b, loc, input, axis);
    count = arith::MulIOp::create(b, loc, count, size);
  }
  auto type = cast<RankedTensorType>(sum.getType());
  Type elementType = type.getElementType();
  Value countInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  Value divisor = arith::UIToFPOp::create(b, loc, elementType, countInt);
  unsigned rank = type.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps(2,
                              AffineMap::getMultiDimIdentityMap(rank, context));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{sum}, ValueRange{sum}, maps,
      iterators,
      [divisor](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value quotient =
            arith::DivFOp::create(nested, nestedLoc, args[0], divisor);
        linalg::YieldOp::create(nested, nestedLoc, quotient);
      });
  return generic.getResult(0);
}

/// Groups the dims of the keep-dims result so that each reduced (unit) dim
/// joins the kept dim before it, or the first kept dim when it leads.
static SmallVector<ReassociationIndices>
keepDimsReassociation(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      if (groups.empty())
        leading.push_back(d);
      else
        groups.back().push_back(d);
      continue;
    }
    ReassociationIndices group = leading;
    leading.clear();
    group.push_back(d);
    groups.push_back(group);
  }
  return groups; // empty when every dim is reduced: expand from rank 0
}

/// Re-inserts the reduced dims of `reduced` as unit dims, giving `type`; the
/// sizes of the kept dims come from `input` where they are dynamic.
static Value expandKeptDims(OpBuilder &b, Location loc, Value reduced,
                            Value input, RankedTensorType type,
                            ArrayRef<int64_t> axes) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sizes.push_back(llvm::is_contained(axes, d)
                        ? OpFoldResult(b.getIndexAttr(1))
                        : tensor::getMixedSize(b, loc, input, d));
  return tensor::ExpandShapeOp::create(
      b, loc, type, reduced, keepDimsReassociation(type.getRank(), axes),
      sizes);
}

template <typename ReduceKilnOp, Combiner combiner, bool isMean>
struct ReduceLowering : OpConversionPattern<ReduceKilnOp> {
  using OpConversionPattern<ReduceKilnOp>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceKilnOp op, typename ReduceKilnOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> axes = op.getAxes();
    Value result = buildReduce(rewriter, loc, input, axes, combiner);
    if (isMean)
      result = divideByCount(rewriter, loc, result, input, axes);
    if (op.getKeepDims())
      result = expandKeptDims(rewriter, loc, result, input,
                              cast<RankedTensorType>(op.getType()), axes);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = createEmptyTensor(rewriter, loc, type,
                                   tensor::getMixedSizes(rewriter, loc, input));
    auto softmax = linalg::SoftmaxOp::create(rewriter, loc, TypeRange{type},
                                             input, init, op.getAxis());
    rewriter.replaceOp(op, softmax.getResult());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Orders for arg-reductions and top-k
//===----------------------------------------------------------------------===//

/// A strict order on element values: `largest` puts larger values first;
/// `nanFirst` puts NaN before every number (else after). Integers compare
/// signed.
struct ValueOrder {
  bool largest;
  bool nanFirst;

  /// Whether `a` comes strictly before `b`.
  Value before(OpBuilder &b, Location loc, Value lhs, Value rhs) const {
    if (!isa<FloatType>(lhs.getType()))
      return arith::CmpIOp::create(b, loc,
                                   largest ? arith::CmpIPredicate::sgt
                                           : arith::CmpIPredicate::slt,
                                   lhs, rhs);
    Value ordered = arith::CmpFOp::create(
        b, loc, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        lhs, rhs);
    // Exactly one of the two is NaN, and it is the one that goes first.
    Value lhsNaN = isNaN(b, loc, lhs), rhsNaN = isNaN(b, loc, rhs);
    Value onlyOne = arith::XOrIOp::create(b, loc, lhsNaN, rhsNaN);
    Value nanWins =
        arith::AndIOp::create(b, loc, onlyOne, nanFirst ? lhsNaN : rhsNaN);
    return arith::OrIOp::create(b, loc, ordered, nanWins);
  }

  /// Whether `a` and `b` hold the same place (NaN ties with NaN).
  Value same(OpBuilder &b, Location loc, Value lhs, Value rhs) const {
    if (!isa<FloatType>(lhs.getType()))
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, rhs);
    Value equal =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, lhs, rhs);
    Value bothNaN =
        arith::AndIOp::create(b, loc, isNaN(b, loc, lhs), isNaN(b, loc, rhs));
    return arith::OrIOp::create(b, loc, equal, bothNaN);
  }

  /// Whether (value a, index i) comes strictly before (value b, index j):
  /// by value, then by index (lower first, or higher with `lastIndexFirst`).
  Value beforeWithIndex(OpBuilder &b, Location loc, Value lhs, Value lhsIndex,
                        Value rhs, Value rhsIndex, bool lastIndexFirst) const {
    Value indexFirst = arith::CmpIOp::create(
        b, loc,
        lastIndexFirst ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
        lhsIndex, rhsIndex);
    Value tie =
        arith::AndIOp::create(b, loc, same(b, loc, lhs, rhs), indexFirst);
    return arith::OrIOp::create(b, loc, before(b, loc, lhs, rhs), tie);
  }

private:
  static Value isNaN(OpBuilder &b, Location loc, Value value) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, value,
                                 value);
  }
};

/// The map from loops over `rank` dims to the dims other than `axis`.
static AffineMap dropDimMap(MLIRContext *context, unsigned rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (static_cast<int64_t>(d) != axis)
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

/// The position along `axis` inside a linalg body, as i64.
static Value indexAlong(OpBuilder &b, Location loc, int64_t axis) {
  Value index = linalg::IndexOp::create(b, loc, axis);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

/// The best element along `axis` of `input` under `order` and its index, over
/// the elements for which `eligible(builder, loc, value, index, extraArgs)`
/// holds (every element when it is null). `extraInputs` have the reduced shape
/// and are passed to `eligible` as block arguments. Returns {values, indices}
/// with the axis dropped; the index is -1 where no element was eligible.
using EligibleFn = llvm::function_ref<Value(OpBuilder &, Location, Value value,
                                            Value index, ValueRange extra)>;
static std::pair<Value, Value>
buildArgReduce(OpBuilder &b, Location loc, Value input, int64_t axis,
               ValueOrder order, bool lastIndexFirst,
               ValueRange extraInputs = {}, EligibleFn eligible = nullptr) {
  auto inputType = cast<RankedTensorType>(input.getType());
  Type elementType = inputType.getElementType();
  unsigned rank = inputType.getRank();
  MLIRContext *context = b.getContext();
  auto [shape, sizes] = getReducedShape(b, loc, input, axis);
  Value initValue = createFilledTensor(
      b, loc, RankedTensorType::get(shape, elementType), sizes,
      getCombinerIdentity(elementType, Combiner::Sum));
  Value initIndex =
      createFilledTensor(b, loc, RankedTensorType::get(shape, b.getI64Type()),
                         sizes, b.getI64IntegerAttr(-1));

  AffineMap reduced = dropDimMap(context, rank, axis);
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank, context)};
  maps.append(extraInputs.size() + 2, reduced);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  SmallVector<Value> inputs = {input};
  inputs.append(extraInputs.begin(), extraInputs.end());
  size_t numExtra = extraInputs.size();

  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{initValue.getType(), initIndex.getType()}, inputs,
      ValueRange{initValue, initIndex}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value value = args[0];
        Value bestValue = args[1 + numExtra], bestIndex = args[2 + numExtra];
        Value index = indexAlong(nested, nestedLoc, axis);
        Value none = arith::ConstantIntOp::create(nested, nestedLoc, -1, 64);
        Value empty = arith::CmpIOp::create(
            nested, nestedLoc, arith::CmpIPredicate::eq, bestIndex, none);
        Value better =
            order.beforeWithIndex(nested, nestedLoc, value, index, bestValue,
                                  bestIndex, lastIndexFirst);
        Value take = arith::OrIOp::create(nested, nestedLoc, empty, better);
        if (eligible)
          take = arith::AndIOp::create(nested, nestedLoc, take,
                                       eligible(nested, nestedLoc, value, index,
                                                args.slice(1, numExtra)));
        linalg::YieldOp::create(
            nested, nestedLoc,
            ValueRange{arith::SelectOp::create(nested, nestedLoc, take, value,
                                               bestValue),
                       arith::SelectOp::create(nested, nestedLoc, take, index,
                                               bestIndex)});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

template <typename ArgKilnOp, bool isMax>
struct ArgReduceLowering : OpConversionPattern<ArgKilnOp> {
  using OpConversionPattern<ArgKilnOp>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ArgKilnOp op, typename ArgKilnOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis();
    // NumPy's argmax and argmin both return the first NaN.
    ValueOrder order{/*largest=*/isMax, /*nanFirst=*/true};
    Value indices = buildArgReduce(rewriter, loc, input, axis, order,
                                   op.getSelectLastIndex())
                        .second;
    if (op.getKeepDims())
      indices = expandKeptDims(rewriter, loc, indices, input,
                               cast<RankedTensorType>(op.getType()), axis);
    rewriter.replaceOp(op, indices);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Cumulative sum
//===----------------------------------------------------------------------===//

/// Offsets, sizes and unit strides selecting position `position` of dim `axis`
/// of `source` (all of every other dim).
struct AxisSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
static AxisSlice sliceAt(OpBuilder &b, Location loc, Value source, int64_t axis,
                         OpFoldResult position) {
  AxisSlice slice;
  int64_t rank = cast<RankedTensorType>(source.getType()).getRank();
  for (int64_t d = 0; d < rank; ++d) {
    slice.offsets.push_back(d == axis ? position : b.getIndexAttr(0));
    slice.sizes.push_back(d == axis ? OpFoldResult(b.getIndexAttr(1))
                                    : tensor::getMixedSize(b, loc, source, d));
    slice.strides.push_back(b.getIndexAttr(1));
  }
  return slice;
}

/// `accumulator + addend`, elementwise, written into `accumulator`.
static Value addInPlace(OpBuilder &b, Location loc, Value accumulator,
                        Value addend) {
  auto type = cast<RankedTensorType>(accumulator.getType());
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(
      2, AffineMap::getMultiDimIdentityMap(rank, b.getContext()));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{addend},
             ValueRange{accumulator}, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc,
                                       createArith(nested, nestedLoc,
                                                   ArithKind::Add, args[1],
                                                   args[0]));
             })
      .getResult(0);
}

struct CumSumLowering : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    int64_t axis = op.getAxis();
    bool exclusive = op.getExclusive(), reverse = op.getReverse();

    auto [sliceShape, sliceSizes] = getReducedShape(rewriter, loc, input, axis);
    auto sliceType = RankedTensorType::get(sliceShape, elementType);
    Value running =
        createFilledTensor(rewriter, loc, sliceType, sliceSizes,
                           getCombinerIdentity(elementType, Combiner::Sum));
    Value result = createEmptyTensor(
        rewriter, loc, type, tensor::getMixedSizes(rewriter, loc, input));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value length = tensor::DimOp::create(rewriter, loc, input, axis);
    Value last = arith::SubIOp::create(rewriter, loc, length, one);

    auto loop = scf::ForOp::create(
        rewriter, loc, zero, length, one, ValueRange{running, result},
        [&](OpBuilder &b, Location bodyLoc, Value step, ValueRange carried) {
          Value position =
              reverse ? arith::SubIOp::create(b, bodyLoc, last, step) : step;
          AxisSlice slice = sliceAt(b, bodyLoc, input, axis, position);
          Value addend = tensor::ExtractSliceOp::create(
              b, bodyLoc, sliceType, input, slice.offsets, slice.sizes,
              slice.strides);
          Value sum = carried[0], output = carried[1];
          // Exclusive sums store the running sum before adding this slice.
          if (exclusive)
            output = tensor::InsertSliceOp::create(b, bodyLoc, sum, output,
                                                   slice.offsets, slice.sizes,
                                                   slice.strides);
          sum = addInPlace(b, bodyLoc, sum, addend);
          if (!exclusive)
            output = tensor::InsertSliceOp::create(b, bodyLoc, sum, output,
                                                   slice.offsets, slice.sizes,
                                                   slice.strides);
          scf::YieldOp::create(b, bodyLoc, ValueRange{sum, output});
        });
    rewriter.replaceOp(op, loop.getResult(1));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis();
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Type elementType = valuesType.getElementType();
    // NaN is greater than every number: first among the largest, last among
    // the smallest, as in a NumPy sort.
    ValueOrder order{/*largest=*/op.getLargest(),
                     /*nanFirst=*/op.getLargest()};

    // Index -1 everywhere marks "nothing chosen yet" for the first round.
    SmallVector<OpFoldResult> resultSizes =
        tensor::getMixedSizes(rewriter, loc, input);
    resultSizes[axis] = rewriter.getIndexAttr(op.getK());
    Value values =
        createFilledTensor(rewriter, loc, valuesType, resultSizes,
                           getCombinerIdentity(elementType, Combiner::Sum));
    Value indices = createFilledTensor(rewriter, loc, indicesType, resultSizes,
                                       rewriter.getI64IntegerAttr(-1));
    SmallVector<int64_t> chosenShape =
        getReducedShape(rewriter, loc, input, axis).first;
    auto chosenValueType = RankedTensorType::get(chosenShape, elementType);
    auto chosenIndexType =
        RankedTensorType::get(chosenShape, rewriter.getI64Type());

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value k = arith::ConstantIndexOp::create(rewriter, loc, op.getK());
    // The loop carries only the results, each updated in place (one-shot
    // bufferization wants loop-carried tensors to stay in their buffers); the
    // previous choice is read back from them.
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, k, one, ValueRange{values, indices},
        [&](OpBuilder &b, Location bodyLoc, Value step, ValueRange carried) {
          Value previousStep = arith::MaxSIOp::create(
              b, bodyLoc, arith::SubIOp::create(b, bodyLoc, step, one), zero);
          AxisSlice previous =
              sliceAt(b, bodyLoc, carried[0], axis, previousStep);
          Value previousValue = tensor::ExtractSliceOp::create(
              b, bodyLoc, chosenValueType, carried[0], previous.offsets,
              previous.sizes, previous.strides);
          Value previousIndex = tensor::ExtractSliceOp::create(
              b, bodyLoc, chosenIndexType, carried[1], previous.offsets,
              previous.sizes, previous.strides);
          // Eligible: everything in the first round (previous index -1), then
          // only the elements that rank after the previous round's choice.
          auto afterPrevious = [&](OpBuilder &nested, Location nestedLoc,
                                   Value value, Value index,
                                   ValueRange chosen) -> Value {
            Value none =
                arith::ConstantIntOp::create(nested, nestedLoc, -1, 64);
            Value first = arith::CmpIOp::create(
                nested, nestedLoc, arith::CmpIPredicate::eq, chosen[1], none);
            Value after = order.beforeWithIndex(nested, nestedLoc, chosen[0],
                                                chosen[1], value, index,
                                                /*lastIndexFirst=*/false);
            return arith::OrIOp::create(nested, nestedLoc, first, after);
          };
          auto [chosenValue, chosenIndex] = buildArgReduce(
              b, bodyLoc, input, axis, order, /*lastIndexFirst=*/false,
              ValueRange{previousValue, previousIndex}, afterPrevious);
          AxisSlice slice = sliceAt(b, bodyLoc, carried[0], axis, step);
          Value newValues = tensor::InsertSliceOp::create(
              b, bodyLoc, chosenValue, carried[0], slice.offsets, slice.sizes,
              slice.strides);
          Value newIndices = tensor::InsertSliceOp::create(
              b, bodyLoc, chosenIndex, carried[1], slice.offsets, slice.sizes,
              slice.strides);
          scf::YieldOp::create(b, bodyLoc, ValueRange{newValues, newIndices});
        });
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, Combiner::Sum, false>,
               ReduceLowering<ReduceMeanOp, Combiner::Sum, true>,
               ReduceLowering<ReduceMaxOp, Combiner::Max, false>,
               ReduceLowering<ReduceMinOp, Combiner::Min, false>,
               ReduceLowering<ReduceProdOp, Combiner::Prod, false>,
               ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>, CumSumLowering, TopKLowering,
               SoftmaxLowering>(patterns.getContext());
}

} // namespace kiln
