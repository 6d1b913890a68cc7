//===- LowerIndexingOps.cpp - kiln gathers and scatters to linalg and scf -===//
//
// Gathers are a `linalg.generic` over the result: the index operand is read
// through an indexing map (or with `tensor.extract` when one result element
// needs several indices, as in gather_nd) and the data element is read with
// `tensor.extract` at the computed position. Scatters must apply updates in
// order (duplicate indices: the last write wins, reductions accumulate), so
// they are an `scf.for` nest carrying the result tensor, with `tensor.insert`;
// one-shot bufferization makes that an in-place update of one copy of `data`.
// A scatter along an axis after the first is an `scf.forall` over the dims
// before it (updates there never meet), each iteration such a nest on its
// slice.
//
// Runtime indices follow the ops' documented rules: a negative index counts
// from the end; a gather clamps an index still out of range, a scatter skips
// the update. Either way no access leaves the tensor.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

/// `index` (i32 or i64) as an `index` value with negative values counted from
/// `size`: index < 0 ? index + size : index.
Value wrapNegativeIndex(OpBuilder &b, Location loc, Value index, Value size) {
  Value position = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, position, zero);
  Value wrapped = arith::AddIOp::create(b, loc, position, size);
  return arith::SelectOp::create(b, loc, negative, wrapped, position);
}

/// A gather index: wrapped, then clamped into [0, size).
Value resolveGatherIndex(OpBuilder &b, Location loc, Value index, Value size) {
  Value position = wrapNegativeIndex(b, loc, index, size);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last = arith::SubIOp::create(b, loc, size,
                                     arith::ConstantIndexOp::create(b, loc, 1));
  position = arith::MinSIOp::create(b, loc, position, last);
  return arith::MaxSIOp::create(b, loc, position, zero);
}

/// Whether `position` lies in [0, size).
Value isInRange(OpBuilder &b, Location loc, Value position, Value size) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value notNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, position, zero);
  Value belowSize =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, position, size);
  return arith::AndIOp::create(b, loc, notNegative, belowSize);
}

/// Dim `d` of `value` as an index value (a constant when static).
Value dimSize(OpBuilder &b, Location loc, Value value, int64_t d) {
  return getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, value, d));
}

/// The sizes of a gather result: static dims from the type, dynamic ones from
/// `sourceDims`, which gives for each result dim a (tensor, dim) it copies.
SmallVector<OpFoldResult>
resultSizes(OpBuilder &b, Location loc, RankedTensorType type,
            ArrayRef<std::pair<Value, int64_t>> sourceDims) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
    else
      sizes.push_back(tensor::getMixedSize(b, loc, sourceDims[d].first,
                                           sourceDims[d].second));
  }
  return sizes;
}

/// A parallel linalg.generic producing `type` from `inputs` (read through
/// `inputMaps`) with `body`, which gets the input elements and yields the
/// result element.
Value buildParallelGeneric(
    OpBuilder &b, Location loc, RankedTensorType type,
    ArrayRef<OpFoldResult> sizes, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = type.getRank();
  Value init = createEmptyTensor(b, loc, type, sizes);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  auto generic = linalg::GenericOp::create(
      b, loc, type, inputs, init, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nested, ValueRange args) {
        linalg::YieldOp::create(nb, nested, body(nb, nested, args.drop_back()));
      });
  return generic.getResult(0);
}

/// The loop indices of the enclosing linalg op, [first, first + count).
SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t first,
                               int64_t count) {
  SmallVector<Value> indices;
  for (int64_t d = first; d < first + count; ++d)
    indices.push_back(linalg::IndexOp::create(b, loc, d));
  return indices;
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    int64_t indicesRank = cast<RankedTensorType>(indices.getType()).getRank();
    int64_t dataRank = cast<RankedTensorType>(data.getType()).getRank();

    // Result dims: data[:axis], indices, data[axis + 1:].
    SmallVector<std::pair<Value, int64_t>> sources;
    for (int64_t d = 0; d < axis; ++d)
      sources.push_back({data, d});
    for (int64_t d = 0; d < indicesRank; ++d)
      sources.push_back({indices, d});
    for (int64_t d = axis + 1; d < dataRank; ++d)
      sources.push_back({data, d});
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < indicesRank; ++d)
      indexExprs.push_back(rewriter.getAffineDimExpr(axis + d));
    AffineMap indexMap =
        AffineMap::get(type.getRank(), 0, indexExprs, getContext());

    Value axisSize = dimSize(rewriter, loc, data, axis);
    Value result = buildParallelGeneric(
        rewriter, loc, type, resultSizes(rewriter, loc, type, sources), indices,
        indexMap, [&](OpBuilder &b, Location nested, ValueRange args) {
          SmallVector<Value> position = loopIndices(b, nested, 0, axis);
          position.push_back(resolveGatherIndex(b, nested, args[0], axisSize));
          llvm::append_range(
              position,
              loopIndices(b, nested, axis + indicesRank, dataRank - axis - 1));
          return tensor::ExtractOp::create(b, nested, data, position);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis(), rank = type.getRank();
    SmallVector<std::pair<Value, int64_t>> sources;
    for (int64_t d = 0; d < rank; ++d)
      sources.push_back({indices, d});
    Value axisSize = dimSize(rewriter, loc, data, axis);
    Value result = buildParallelGeneric(
        rewriter, loc, type, resultSizes(rewriter, loc, type, sources), indices,
        rewriter.getMultiDimIdentityMap(rank),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          SmallVector<Value> position = loopIndices(b, nested, 0, rank);
          position[axis] = resolveGatherIndex(b, nested, args[0], axisSize);
          return tensor::ExtractOp::create(b, nested, data, position);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto type = cast<RankedTensorType>(op.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t batchDims = op.getBatchDims();
    int64_t prefixRank = indicesType.getRank() - 1;
    int64_t depth = indicesType.getShape().back();
    int64_t dataRank = cast<RankedTensorType>(data.getType()).getRank();

    // Result dims: indices[:-1] (the first batch_dims shared with data), then
    // data[batch_dims + depth:].
    SmallVector<std::pair<Value, int64_t>> sources;
    for (int64_t d = 0; d < prefixRank; ++d)
      sources.push_back({indices, d});
    for (int64_t d = batchDims + depth; d < dataRank; ++d)
      sources.push_back({data, d});
    SmallVector<Value> sizes;
    for (int64_t j = 0; j < depth; ++j)
      sizes.push_back(dimSize(rewriter, loc, data, batchDims + j));

    Value result = buildParallelGeneric(
        rewriter, loc, type, resultSizes(rewriter, loc, type, sources),
        ValueRange(), {}, [&](OpBuilder &b, Location nested, ValueRange) {
          SmallVector<Value> prefix = loopIndices(b, nested, 0, prefixRank);
          SmallVector<Value> position(prefix.begin(),
                                      prefix.begin() + batchDims);
          SmallVector<Value> tuple(prefix);
          tuple.push_back(Value());
          for (int64_t j = 0; j < depth; ++j) {
            tuple.back() = arith::ConstantIndexOp::create(b, nested, j);
            Value index = tensor::ExtractOp::create(b, nested, indices, tuple);
            position.push_back(resolveGatherIndex(b, nested, index, sizes[j]));
          }
          llvm::append_range(
              position,
              loopIndices(b, nested, prefixRank, dataRank - batchDims - depth));
          return tensor::ExtractOp::create(b, nested, data, position);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Combines the element already at a scattered position with the update.
Value combineScattered(OpBuilder &b, Location loc, StringRef reduction,
                       Value current, Value update) {
  if (reduction == "add")
    return createArith(b, loc, ArithKind::Add, current, update);
  return createArith(b, loc, ArithKind::Mul, current, update);
}

/// Writes `update` into `result` at `position` (reducing with the element
/// there when `reduction` is not "none") if `inRange`, else returns `result`.
Value buildScatterStep(OpBuilder &b, Location loc, Value result,
                       ValueRange position, Value inRange, Value update,
                       StringRef reduction) {
  auto ifOp = scf::IfOp::create(
      b, loc, inRange,
      [&](OpBuilder &tb, Location nested) {
        Value element = update;
        if (reduction != "none") {
          Value current =
              tensor::ExtractOp::create(tb, nested, result, position);
          element = combineScattered(tb, nested, reduction, current, update);
        }
        Value written =
            tensor::InsertOp::create(tb, nested, element, result, position);
        scf::YieldOp::create(tb, nested, written);
      },
      [&](OpBuilder &eb, Location nested) {
        scf::YieldOp::create(eb, nested, result);
      });
  return ifOp.getResult(0);
}

/// Loop bounds over dims [first, first + count) of `value`.
void appendLoopBounds(OpBuilder &b, Location loc, Value value, int64_t first,
                      int64_t count, SmallVectorImpl<Value> &lower,
                      SmallVectorImpl<Value> &upper,
                      SmallVectorImpl<Value> &steps) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = first; d < first + count; ++d) {
    lower.push_back(zero);
    upper.push_back(dimSize(b, loc, value, d));
    steps.push_back(one);
  }
}

/// Scatters along `axis` sequentially: an update at position p lands at p
/// with p[axis] replaced by its index, so updates whose positions differ
/// outside `axis` never meet. The dims before `axis` are therefore an
/// scf.forall, each of its iterations scattering into its own slice of the
/// result (max pooling's gradient scatters each (n, c) plane on its own);
/// the axis and the dims after it stay a sequential nest that keeps the order
/// of updates to one element.
struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData();
    int64_t axis = op.getAxis();
    if (axis == 0) {
      rewriter.replaceOp(op, scatterSequentially(rewriter, loc, adaptor, op,
                                                 data, /*outer=*/{}));
      return success();
    }
    int64_t rank = cast<RankedTensorType>(data.getType()).getRank();
    SmallVector<OpFoldResult> outerSizes;
    for (int64_t d = 0; d < axis; ++d)
      outerSizes.push_back(
          tensor::getMixedSize(rewriter, loc, adaptor.getUpdates(), d));
    auto forall = scf::ForallOp::create(
        rewriter, loc, outerSizes, ValueRange{data}, std::nullopt,
        [&](OpBuilder &b, Location nested, ValueRange args) {
          ValueRange outer = args.take_front(axis);
          Value result = args.back();
          // The slice of the result at `outer`: its dims from `axis` on.
          SmallVector<OpFoldResult> offsets(outer.begin(), outer.end()),
              sizes(axis, b.getIndexAttr(1)), strides(rank, b.getIndexAttr(1));
          offsets.append(rank - axis, b.getIndexAttr(0));
          for (int64_t d = axis; d < rank; ++d)
            sizes.push_back(tensor::getMixedSize(b, nested, result, d));
          auto sliceType =
              RankedTensorType::get(cast<RankedTensorType>(data.getType())
                                        .getShape()
                                        .drop_front(axis),
                                    getElementTypeOrSelf(data.getType()));
          Value slice = tensor::ExtractSliceOp::create(
              b, nested, sliceType, result, offsets, sizes, strides);
          Value scattered =
              scatterSequentially(b, nested, adaptor, op, slice, outer);
          auto inParallel = scf::InParallelOp::create(b, nested);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(b, nested, scattered, result,
                                                offsets, sizes, strides);
        });
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }

private:
  /// Scatters the updates at positions `outer` (the dims before the axis,
  /// none when the axis is the first) into `target`, which holds the dims of
  /// the result from the axis on, in order.
  static Value scatterSequentially(OpBuilder &b, Location loc,
                                   OpAdaptor adaptor, ScatterElementsOp op,
                                   Value target, ValueRange outer) {
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t rank = cast<RankedTensorType>(updates.getType()).getRank();
    int64_t axis = op.getAxis();
    StringRef reduction = op.getReduction();
    Value axisSize = dimSize(b, loc, adaptor.getData(), axis);
    SmallVector<Value> lower, upper, steps;
    appendLoopBounds(b, loc, updates, outer.size(), rank - outer.size(), lower,
                     upper, steps);
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lower, upper, steps, target,
        [&](OpBuilder &nb, Location nested, ValueRange ivs, ValueRange args) {
          SmallVector<Value> source(outer);
          llvm::append_range(source, ivs);
          Value index = tensor::ExtractOp::create(nb, nested, indices, source);
          Value update = tensor::ExtractOp::create(nb, nested, updates, source);
          SmallVector<Value> position(ivs);
          int64_t axisInTarget = axis - static_cast<int64_t>(outer.size());
          position[axisInTarget] =
              wrapNegativeIndex(nb, nested, index, axisSize);
          Value inRange =
              isInRange(nb, nested, position[axisInTarget], axisSize);
          return scf::ValueVector{buildScatterStep(
              nb, nested, args[0], position, inRange, update, reduction)};
        });
    return nest.results.front();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t prefixRank = indicesType.getRank() - 1;
    int64_t depth = indicesType.getShape().back();
    int64_t sliceRank =
        cast<RankedTensorType>(data.getType()).getRank() - depth;
    StringRef reduction = op.getReduction();

    // Outer loops over the index tuples, inner loops over the slice each
    // tuple addresses; the tuple is read and checked once per slice.
    SmallVector<Value> lower, upper, steps;
    appendLoopBounds(rewriter, loc, indices, 0, prefixRank, lower, upper,
                     steps);
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lower, upper, steps, data,
        [&](OpBuilder &b, Location nested, ValueRange tupleIvs,
            ValueRange args) {
          SmallVector<Value> tuple;
          Value inRange;
          SmallVector<Value> indexPosition(tupleIvs);
          indexPosition.push_back(Value());
          for (int64_t j = 0; j < depth; ++j) {
            indexPosition.back() = arith::ConstantIndexOp::create(b, nested, j);
            Value index =
                tensor::ExtractOp::create(b, nested, indices, indexPosition);
            Value size = dimSize(b, nested, data, j);
            Value position = wrapNegativeIndex(b, nested, index, size);
            Value valid = isInRange(b, nested, position, size);
            inRange = inRange ? arith::AndIOp::create(b, nested, inRange, valid)
                                    .getResult()
                              : valid;
            tuple.push_back(position);
          }
          SmallVector<Value> innerLower, innerUpper, innerSteps;
          appendLoopBounds(b, nested, updates, prefixRank, sliceRank,
                           innerLower, innerUpper, innerSteps);
          scf::LoopNest inner = scf::buildLoopNest(
              b, nested, innerLower, innerUpper, innerSteps, args[0],
              [&](OpBuilder &ib, Location innerLoc, ValueRange sliceIvs,
                  ValueRange innerArgs) {
                SmallVector<Value> updatePosition(tupleIvs);
                llvm::append_range(updatePosition, sliceIvs);
                Value update = tensor::ExtractOp::create(ib, innerLoc, updates,
                                                         updatePosition);
                SmallVector<Value> position(tuple);
                llvm::append_range(position, sliceIvs);
                return scf::ValueVector{
                    buildScatterStep(ib, innerLoc, innerArgs[0], position,
                                     inRange, update, reduction)};
              });
          return scf::ValueVector{inner.results.front()};
        });
    rewriter.replaceOp(op, nest.results.front());
    return success();
  }
};

} // namespace

void populateIndexingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering>(
      patterns.getContext());
}

} // namespace kiln
