//===- LowerDataDependent.cpp - kiln ops with data-dependent sizes --------===//
//
// kiln.nonzero, kiln.compress and kiln.unique have result dims that depend on
// the input's values. Each is lowered to scf loops on tensors in two passes:
// the first counts (and, for unique, finds each slice's first occurrence and
// its place in the result), then the results are allocated with that count
// and the second pass fills them. A result dim declared static must match the
// count: that is checked at run time, as is compress's condition length
// against the input dim when either is only known then.
//
// unique works on a [n, s] table: the input with the unique axis moved first
// (linalg.transpose) and the other dims collapsed. It compares every pair of
// rows, so its time is quadratic in n.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace kiln {
namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// `count` + 1 when `condition` holds, else `count` (both index).
Value addIf(OpBuilder &b, Location loc, Value condition, Value count) {
  Value one = indexConstant(b, loc, 1);
  Value next = arith::AddIOp::create(b, loc, count, one);
  return arith::SelectOp::create(b, loc, condition, next, count);
}

/// Whether a scalar is not zero (NaN is not zero, neither is -0.0).
Value isNonZero(OpBuilder &b, Location loc, Value element) {
  Type type = element.getType();
  if (isa<FloatType>(type)) {
    Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(type, 0.0));
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, element,
                                 zero);
  }
  Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 0));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, element, zero);
}

/// Checks at run time that `count` fits dim `dim` of the declared
/// `resultType` when that dim is static (inference leaves it dynamic).
void checkDeclaredCount(OpBuilder &b, Location loc, Operation *op,
                        RankedTensorType resultType, int64_t dim, Value count,
                        StringRef what) {
  if (resultType.isDynamicDim(dim))
    return;
  emitSizeCheck(b, loc, count, b.getIndexAttr(resultType.getDimSize(dim)),
                describeForCheck(op) + ": the " + what + " (" +
                    Twine(resultType.getDimSize(dim)) +
                    " in the declared result type) differs at run time");
}

/// Checks at run time that dim `sourceDim` of `source` equals dim `dim` of the
/// declared `resultType` when only the latter is static (the result is built
/// with the source's sizes and then cast to the declared type).
void checkDeclaredDim(OpBuilder &b, Location loc, Operation *op,
                      RankedTensorType resultType, int64_t dim, Value source,
                      int64_t sourceDim, StringRef what) {
  auto sourceType = cast<RankedTensorType>(source.getType());
  if (resultType.isDynamicDim(dim) || !sourceType.isDynamicDim(sourceDim))
    return;
  Value size = tensor::DimOp::create(b, loc, source, sourceDim);
  emitSizeCheck(b, loc, size, b.getIndexAttr(resultType.getDimSize(dim)),
                describeForCheck(op) + ": dimension " + Twine(dim) + " of " +
                    what + " (" + Twine(resultType.getDimSize(dim)) +
                    " in the declared type) differs at run time");
}

/// checkDeclaredDim for every dim of `resultType` but `skip`, which take
/// their sizes from the same dims of `source`.
void checkDeclaredDimsExcept(OpBuilder &b, Location loc, Operation *op,
                             RankedTensorType resultType, Value source,
                             int64_t skip, StringRef what) {
  for (int64_t d = 0; d < resultType.getRank(); ++d)
    if (d != skip)
      checkDeclaredDim(b, loc, op, resultType, d, source, d, what);
}

/// `value` as `type` (a declared result type may be more static than what was
/// built; the counts were checked against it).
Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

/// The sizes of `source` with `size` in place of dim `dim`.
SmallVector<OpFoldResult> sizesWith(OpBuilder &b, Location loc, Value source,
                                    int64_t dim, OpFoldResult size) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, source);
  sizes[dim] = size;
  return sizes;
}

/// Offsets, sizes and unit strides of the slice at `position` of dim `axis`
/// of `source` (all of every other dim).
struct AxisSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
AxisSlice sliceAt(OpBuilder &b, Location loc, Value source, int64_t axis,
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

/// Copies slice `from` of dim `axis` of `source` to slice `to` of `dest`.
Value copySlice(OpBuilder &b, Location loc, Value source, Value dest,
                int64_t axis, Value from, Value to) {
  AxisSlice read = sliceAt(b, loc, source, axis, from);
  AxisSlice write = sliceAt(b, loc, dest, axis, to);
  Value slice = tensor::ExtractSliceOp::create(b, loc, source, read.offsets,
                                               read.sizes, read.strides);
  return tensor::InsertSliceOp::create(b, loc, slice, dest, write.offsets,
                                       write.sizes, write.strides);
}

//===----------------------------------------------------------------------===//
// nonzero
//===----------------------------------------------------------------------===//

struct NonZeroLowering : OpConversionPattern<NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(NonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    Value zero = indexConstant(rewriter, loc, 0);
    Value one = indexConstant(rewriter, loc, 1);
    SmallVector<Value> lowerBounds(rank, zero), steps(rank, one);
    SmallVector<Value> upperBounds;
    for (int64_t d = 0; d < rank; ++d)
      upperBounds.push_back(tensor::DimOp::create(rewriter, loc, input, d));

    // Pass 1: count the nonzero elements.
    scf::LoopNest counting = scf::buildLoopNest(
        rewriter, loc, lowerBounds, upperBounds, steps, ValueRange{zero},
        [&](OpBuilder &b, Location bodyLoc, ValueRange indices,
            ValueRange carried) -> scf::ValueVector {
          Value element = tensor::ExtractOp::create(b, bodyLoc, input, indices);
          return {
              addIf(b, bodyLoc, isNonZero(b, bodyLoc, element), carried[0])};
        });
    Value count = counting.results[0];
    checkDeclaredCount(rewriter, loc, op, resultType, 1, count,
                       "number of nonzero elements");

    // Pass 2: write the coordinates of each into its column.
    Value result =
        createEmptyTensor(rewriter, loc, resultType,
                          {rewriter.getIndexAttr(rank), OpFoldResult(count)});
    scf::LoopNest filling = scf::buildLoopNest(
        rewriter, loc, lowerBounds, upperBounds, steps,
        ValueRange{result, zero},
        [&](OpBuilder &b, Location bodyLoc, ValueRange indices,
            ValueRange carried) -> scf::ValueVector {
          Value element = tensor::ExtractOp::create(b, bodyLoc, input, indices);
          auto write = scf::IfOp::create(
              b, bodyLoc, isNonZero(b, bodyLoc, element),
              [&](OpBuilder &tb, Location thenLoc) {
                Value written = carried[0];
                for (int64_t d = 0; d < rank; ++d) {
                  Value coordinate = arith::IndexCastOp::create(
                      tb, thenLoc, tb.getI64Type(), indices[d]);
                  written = tensor::InsertOp::create(
                      tb, thenLoc, coordinate, written,
                      ValueRange{indexConstant(tb, thenLoc, d), carried[1]});
                }
                Value next = arith::AddIOp::create(
                    tb, thenLoc, carried[1], indexConstant(tb, thenLoc, 1));
                scf::YieldOp::create(tb, thenLoc, ValueRange{written, next});
              },
              [&](OpBuilder &eb, Location elseLoc) {
                scf::YieldOp::create(eb, elseLoc, carried);
              });
          return {write.getResult(0), write.getResult(1)};
        });
    rewriter.replaceOp(op,
                       castTo(rewriter, loc, filling.results[0], resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// compress
//===----------------------------------------------------------------------===//

struct CompressLowering : OpConversionPattern<CompressOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CompressOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), condition = adaptor.getCondition();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    Value zero = indexConstant(rewriter, loc, 0);
    Value one = indexConstant(rewriter, loc, 1);
    Value length = tensor::DimOp::create(rewriter, loc, condition, 0);
    auto inputType = cast<RankedTensorType>(input.getType());
    auto conditionType = cast<RankedTensorType>(condition.getType());
    if (inputType.isDynamicDim(axis) || conditionType.isDynamicDim(0)) {
      Value size = tensor::DimOp::create(rewriter, loc, input, axis);
      Value fits = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ule, length, size);
      emitRunTimeCheck(rewriter, loc, fits,
                       describeForCheck(op) +
                           ": the condition has more entries than dimension " +
                           Twine(axis) + " of the input at run time");
    }

    // Pass 1: count the true conditions.
    auto counting = scf::ForOp::create(
        rewriter, loc, zero, length, one, ValueRange{zero},
        [&](OpBuilder &b, Location bodyLoc, Value i, ValueRange carried) {
          Value keep = tensor::ExtractOp::create(b, bodyLoc, condition, i);
          scf::YieldOp::create(b, bodyLoc, addIf(b, bodyLoc, keep, carried[0]));
        });
    Value count = counting.getResult(0);
    checkDeclaredCount(rewriter, loc, op, resultType, axis, count,
                       "number of kept slices");
    checkDeclaredDimsExcept(rewriter, loc, op, resultType, input, axis,
                            "the result");

    // Pass 2: copy each kept slice to the next free one of the result.
    Value result = createEmptyTensor(
        rewriter, loc, resultType,
        sizesWith(rewriter, loc, input, axis, OpFoldResult(count)));
    auto filling = scf::ForOp::create(
        rewriter, loc, zero, length, one, ValueRange{result, zero},
        [&](OpBuilder &b, Location bodyLoc, Value i, ValueRange carried) {
          Value keep = tensor::ExtractOp::create(b, bodyLoc, condition, i);
          auto write = scf::IfOp::create(
              b, bodyLoc, keep,
              [&](OpBuilder &tb, Location thenLoc) {
                Value written = copySlice(tb, thenLoc, input, carried[0], axis,
                                          i, carried[1]);
                Value next = arith::AddIOp::create(
                    tb, thenLoc, carried[1], indexConstant(tb, thenLoc, 1));
                scf::YieldOp::create(tb, thenLoc, ValueRange{written, next});
              },
              [&](OpBuilder &eb, Location elseLoc) {
                scf::YieldOp::create(eb, elseLoc, carried);
              });
          scf::YieldOp::create(b, bodyLoc, write.getResults());
        });
    rewriter.replaceOp(op,
                       castTo(rewriter, loc, filling.getResult(0), resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// unique
//===----------------------------------------------------------------------===//

/// The order of two scalars as an i32: -1, 0 or 1. Floats compare as numbers
/// except that NaN equals NaN and sorts after every number; integers compare
/// as signed, except booleans (false before true).
Value compareScalars(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  Value less, greater;
  if (isa<FloatType>(lhs.getType())) {
    using P = arith::CmpFPredicate;
    Value lhsNaN = arith::CmpFOp::create(b, loc, P::UNO, lhs, lhs);
    Value rhsNaN = arith::CmpFOp::create(b, loc, P::UNO, rhs, rhs);
    Value lhsNumber = arith::CmpFOp::create(b, loc, P::ORD, lhs, lhs);
    Value rhsNumber = arith::CmpFOp::create(b, loc, P::ORD, rhs, rhs);
    less = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, P::OLT, lhs, rhs),
        arith::AndIOp::create(b, loc, lhsNumber, rhsNaN));
    greater = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, P::OGT, lhs, rhs),
        arith::AndIOp::create(b, loc, lhsNaN, rhsNumber));
  } else {
    // As a signed i1, true would be -1.
    bool isBool = lhs.getType().isInteger(1);
    using P = arith::CmpIPredicate;
    less = arith::CmpIOp::create(b, loc, isBool ? P::ult : P::slt, lhs, rhs);
    greater = arith::CmpIOp::create(b, loc, isBool ? P::ugt : P::sgt, lhs, rhs);
  }
  Value minusOne = arith::ConstantIntOp::create(b, loc, -1, 32);
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
  Value plusOne = arith::ConstantIntOp::create(b, loc, 1, 32);
  return arith::SelectOp::create(
      b, loc, less, minusOne,
      arith::SelectOp::create(b, loc, greater, plusOne, zero));
}

/// The lexicographic order of rows `lhs` and `rhs` of the [n, s] `table`, as
/// an i32: -1, 0 or 1.
Value compareRows(OpBuilder &b, Location loc, Value table, Value lhs,
                  Value rhs) {
  Value zero = indexConstant(b, loc, 0);
  Value one = indexConstant(b, loc, 1);
  Value width = tensor::DimOp::create(b, loc, table, 1);
  Value equal = arith::ConstantIntOp::create(b, loc, 0, 32);
  auto loop = scf::ForOp::create(
      b, loc, zero, width, one, ValueRange{equal},
      [&](OpBuilder &lb, Location bodyLoc, Value k, ValueRange carried) {
        Value left =
            tensor::ExtractOp::create(lb, bodyLoc, table, ValueRange{lhs, k});
        Value right =
            tensor::ExtractOp::create(lb, bodyLoc, table, ValueRange{rhs, k});
        Value order = compareScalars(lb, bodyLoc, left, right);
        // The first difference decides.
        Value undecided = arith::CmpIOp::create(
            lb, bodyLoc, arith::CmpIPredicate::eq, carried[0],
            arith::ConstantIntOp::create(lb, bodyLoc, 0, 32));
        scf::YieldOp::create(lb, bodyLoc,
                             ValueRange{arith::SelectOp::create(
                                 lb, bodyLoc, undecided, order, carried[0])});
      });
  return loop.getResult(0);
}

/// Whether an i32 order is `expected`.
Value orderIs(OpBuilder &b, Location loc, Value order, int64_t expected) {
  return arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, order,
      arith::ConstantIntOp::create(b, loc, expected, 32));
}

/// The permutation that moves dim `axis` of a rank-`rank` tensor first, and
/// its inverse.
SmallVector<int64_t> axisFirst(int64_t rank, int64_t axis) {
  SmallVector<int64_t> permutation{axis};
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      permutation.push_back(d);
  return permutation;
}
SmallVector<int64_t> axisBack(int64_t rank, int64_t axis) {
  SmallVector<int64_t> permutation;
  for (int64_t d = 0; d < rank; ++d)
    permutation.push_back(d == axis ? 0 : (d < axis ? d + 1 : d));
  return permutation;
}

/// `source` transposed by `permutation` (itself for the identity).
Value transposed(OpBuilder &b, Location loc, Value source,
                 ArrayRef<int64_t> permutation) {
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return source;
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> shape;
  for (int64_t d : permutation) {
    sizes.push_back(tensor::getMixedSize(b, loc, source, d));
    shape.push_back(type.getDimSize(d));
  }
  Value init = createEmptyTensor(
      b, loc, RankedTensorType::get(shape, type.getElementType()), sizes);
  return linalg::TransposeOp::create(b, loc, source, init, permutation)
      ->getResult(0);
}

/// The reassociation grouping dim 0 alone and every other dim together (for
/// rank 1, a new unit dim is the second group).
SmallVector<ReassociationIndices> tableGroups(int64_t rank) {
  if (rank == 1)
    return {{0, 1}};
  ReassociationIndices rest;
  for (int64_t d = 1; d < rank; ++d)
    rest.push_back(d);
  return {{0}, rest};
}

/// The [n, s] table of `source` (whose first dim is the unique axis).
Value toTable(OpBuilder &b, Location loc, Value source) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t rank = type.getRank();
  if (rank == 1) {
    auto tableType =
        RankedTensorType::get({type.getDimSize(0), 1}, type.getElementType());
    SmallVector<OpFoldResult> sizes{tensor::getMixedSize(b, loc, source, 0),
                                    b.getIndexAttr(1)};
    return tensor::ExpandShapeOp::create(b, loc, tableType, source,
                                         tableGroups(1), sizes);
  }
  if (rank == 2)
    return source;
  int64_t width = 1;
  for (int64_t d = 1; d < rank; ++d)
    width = ShapedType::isDynamic(width) || type.isDynamicDim(d)
                ? ShapedType::kDynamic
                : width * type.getDimSize(d);
  auto tableType =
      RankedTensorType::get({type.getDimSize(0), width}, type.getElementType());
  return tensor::CollapseShapeOp::create(b, loc, tableType, source,
                                         tableGroups(rank));
}

/// The inverse of toTable: a [u, s] table back to the shape of `like` (the
/// transposed input) with `u` in place of its first dim.
Value fromTable(OpBuilder &b, Location loc, Value table, Value like,
                Value rows) {
  auto likeType = cast<RankedTensorType>(like.getType());
  int64_t rank = likeType.getRank();
  if (rank == 2)
    return table;
  SmallVector<int64_t> shape(likeType.getShape());
  shape[0] = ShapedType::kDynamic;
  auto type = RankedTensorType::get(shape, likeType.getElementType());
  if (rank == 1)
    return tensor::CollapseShapeOp::create(b, loc, type, table, tableGroups(1));
  SmallVector<OpFoldResult> sizes = sizesWith(b, loc, like, 0, rows);
  return tensor::ExpandShapeOp::create(b, loc, type, table, tableGroups(rank),
                                       sizes);
}

/// Writes `value` (index) as i64 at `position` of a 1-D i64 tensor.
Value insertIndex(OpBuilder &b, Location loc, Value dest, Value value,
                  Value position) {
  Value element = arith::IndexCastOp::create(b, loc, b.getI64Type(), value);
  return tensor::InsertOp::create(b, loc, element, dest, position);
}

struct UniqueLowering : OpConversionPattern<UniqueOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UniqueOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    int64_t axis = op.getAxis();
    bool sorted = op.getSorted();
    Value front = transposed(rewriter, loc, input, axisFirst(rank, axis));
    Value table = toTable(rewriter, loc, front);
    Value zero = indexConstant(rewriter, loc, 0);
    Value one = indexConstant(rewriter, loc, 1);
    Value rows = tensor::DimOp::create(rewriter, loc, table, 0);
    auto indexTensor = [&](Value size) {
      return tensor::EmptyOp::create(rewriter, loc,
                                     ArrayRef<OpFoldResult>{size},
                                     rewriter.getIndexType())
          .getResult();
    };

    // Pass 1: the first row equal to each row, and the number of distinct
    // rows (those that are their own first).
    auto firsts = scf::ForOp::create(
        rewriter, loc, zero, rows, one, ValueRange{indexTensor(rows), zero},
        [&](OpBuilder &b, Location bodyLoc, Value i, ValueRange carried) {
          auto search = scf::ForOp::create(
              b, bodyLoc, zero, i, one, ValueRange{i},
              [&](OpBuilder &sb, Location searchLoc, Value j,
                  ValueRange found) {
                Value unfound = arith::CmpIOp::create(
                    sb, searchLoc, arith::CmpIPredicate::eq, found[0], i);
                Value same = orderIs(
                    sb, searchLoc, compareRows(sb, searchLoc, table, j, i), 0);
                Value take =
                    arith::AndIOp::create(sb, searchLoc, unfound, same);
                scf::YieldOp::create(sb, searchLoc,
                                     ValueRange{arith::SelectOp::create(
                                         sb, searchLoc, take, j, found[0])});
              });
          Value first = search.getResult(0);
          Value written =
              tensor::InsertOp::create(b, bodyLoc, first, carried[0], i);
          Value isFirst = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::eq, first, i);
          scf::YieldOp::create(
              b, bodyLoc,
              ValueRange{written, addIf(b, bodyLoc, isFirst, carried[1])});
        });
    Value firstOf = firsts.getResult(0), count = firsts.getResult(1);
    for (int64_t result : {0, 1, 3})
      checkDeclaredCount(
          rewriter, loc, op,
          cast<RankedTensorType>(op->getResult(result).getType()),
          result == 0 ? axis : 0, count, "number of distinct slices");
    checkDeclaredDimsExcept(rewriter, loc, op,
                            cast<RankedTensorType>(op.getValues().getType()),
                            input, axis, "the values");
    checkDeclaredDim(rewriter, loc, op,
                     cast<RankedTensorType>(op.getInverseIndices().getType()),
                     0, input, axis, "the inverse indices");

    // Pass 2: the place of each distinct row in the result: the number of
    // distinct rows before it (in input order, or in sorted order).
    auto places = scf::ForOp::create(
        rewriter, loc, zero, rows, one, ValueRange{indexTensor(rows)},
        [&](OpBuilder &b, Location bodyLoc, Value i, ValueRange carried) {
          Value iFirst = tensor::ExtractOp::create(b, bodyLoc, firstOf, i);
          Value iIsFirst = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::eq, iFirst, i);
          auto ranking = scf::ForOp::create(
              b, bodyLoc, zero, rows, one, ValueRange{zero},
              [&](OpBuilder &rb, Location rankLoc, Value j, ValueRange before) {
                Value jFirst =
                    tensor::ExtractOp::create(rb, rankLoc, firstOf, j);
                Value jIsFirst = arith::CmpIOp::create(
                    rb, rankLoc, arith::CmpIPredicate::eq, jFirst, j);
                Value earlier =
                    sorted ? orderIs(rb, rankLoc,
                                     compareRows(rb, rankLoc, table, j, i), -1)
                           : arith::CmpIOp::create(
                                 rb, rankLoc, arith::CmpIPredicate::ult, j, i)
                                 .getResult();
                Value counts = arith::AndIOp::create(
                    rb, rankLoc, iIsFirst,
                    arith::AndIOp::create(rb, rankLoc, jIsFirst, earlier));
                scf::YieldOp::create(
                    rb, rankLoc,
                    ValueRange{addIf(rb, rankLoc, counts, before[0])});
              });
          scf::YieldOp::create(
              b, bodyLoc,
              ValueRange{tensor::InsertOp::create(
                  b, bodyLoc, ranking.getResult(0), carried[0], i)});
        });
    Value placeOf = places.getResult(0);

    // Pass 3: fill the results.
    auto tableType = cast<RankedTensorType>(table.getType());
    Value valuesTable = createEmptyTensor(
        rewriter, loc,
        RankedTensorType::get({ShapedType::kDynamic, tableType.getDimSize(1)},
                              tableType.getElementType()),
        {OpFoldResult(count), tensor::getMixedSize(rewriter, loc, table, 1)});
    auto i64Vector =
        RankedTensorType::get({ShapedType::kDynamic}, rewriter.getI64Type());
    Value indices =
        createEmptyTensor(rewriter, loc, i64Vector, {OpFoldResult(count)});
    Value inverse =
        createEmptyTensor(rewriter, loc, i64Vector, {OpFoldResult(rows)});
    Value counts =
        createFilledTensor(rewriter, loc, i64Vector, {OpFoldResult(count)},
                           rewriter.getI64IntegerAttr(0));
    auto filling = scf::ForOp::create(
        rewriter, loc, zero, rows, one,
        ValueRange{valuesTable, indices, inverse, counts},
        [&](OpBuilder &b, Location bodyLoc, Value i, ValueRange carried) {
          Value first = tensor::ExtractOp::create(b, bodyLoc, firstOf, i);
          Value place = tensor::ExtractOp::create(b, bodyLoc, placeOf, first);
          Value newInverse = insertIndex(b, bodyLoc, carried[2], place, i);
          Value seen = tensor::ExtractOp::create(b, bodyLoc, carried[3], place);
          Value newCounts = tensor::InsertOp::create(
              b, bodyLoc,
              arith::AddIOp::create(
                  b, bodyLoc, seen,
                  arith::ConstantIntOp::create(b, bodyLoc, 1, 64)),
              carried[3], place);
          Value isFirst = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::eq, first, i);
          auto write = scf::IfOp::create(
              b, bodyLoc, isFirst,
              [&](OpBuilder &tb, Location thenLoc) {
                Value row =
                    copySlice(tb, thenLoc, table, carried[0], 0, i, place);
                Value index = insertIndex(tb, thenLoc, carried[1], i, place);
                scf::YieldOp::create(tb, thenLoc, ValueRange{row, index});
              },
              [&](OpBuilder &eb, Location elseLoc) {
                scf::YieldOp::create(eb, elseLoc,
                                     ValueRange{carried[0], carried[1]});
              });
          scf::YieldOp::create(b, bodyLoc,
                               ValueRange{write.getResult(0),
                                          write.getResult(1), newInverse,
                                          newCounts});
        });

    Value values = fromTable(rewriter, loc, filling.getResult(0), front, count);
    values = transposed(rewriter, loc, values, axisBack(rank, axis));
    SmallVector<Value> results{values, filling.getResult(1),
                               filling.getResult(2), filling.getResult(3)};
    for (auto [result, built] : llvm::zip(op->getResults(), results))
      built = castTo(rewriter, loc, built, result.getType());
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateDataDependentLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<NonZeroLowering, CompressLowering, UniqueLowering>(
      patterns.getContext());
}

} // namespace kiln
