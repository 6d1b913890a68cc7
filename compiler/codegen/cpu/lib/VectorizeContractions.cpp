//===- VectorizeContractions.cpp - kiln-vectorize-contractions ------------===//
//
// Matrix products in generated code, scheduled with MLIR's transform dialect:
// for each product this pass writes a transform script sized for its shape
// (cache tiles, a reduction slice, a register tile) and applies it with the
// transform interpreter. The register tile is the classic outer-product
// micro-kernel: `rows` x `columns` accumulators stay in vector registers
// while the loop over the reduction dimension loads one row of B and
// broadcasts one element of A per row.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

namespace kiln {
#define GEN_PASS_DEF_KILNVECTORIZECONTRACTIONSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Elements of one AVX-512 register of f32: products are padded to whole
/// vectors of columns (padToWholeVectors).
constexpr int64_t kVectorWidth = 16;

int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// The largest divisor of `value` that is at most `limit`.
int64_t largestDivisor(int64_t value, int64_t limit) {
  for (int64_t divisor = std::min(value, limit); divisor > 1; --divisor)
    if (value % divisor == 0)
      return divisor;
  return 1;
}

/// The largest multiple of `unit` that divides `value` (a multiple of
/// `unit`) and is at most `limit` (at least `unit`).
int64_t largestDividingMultiple(int64_t value, int64_t unit, int64_t limit) {
  return unit *
         largestDivisor(value / unit, std::max<int64_t>(1, limit / unit));
}

/// Tile sizes of one product, in the order of its loops: (batch,) rows,
/// columns, reduction.
struct Schedule {
  bool batched = false;
  int64_t tileRows, tileColumns; // one parallel task's output tile
  int64_t reductionTile;         // slice of the reduction kept in cache
  int64_t rows, columns;         // register tile
  bool fuseFill = false;         // the output starts as a linalg.fill
};

/// "[a, b, c]" with a leading 0 (or `batchSize`) for the batch dimension.
std::string sizes(const Schedule &schedule, int64_t batchSize,
                  ArrayRef<int64_t> values) {
  std::string text = "[";
  if (schedule.batched)
    text += std::to_string(batchSize) + ", ";
  for (auto [index, value] : llvm::enumerate(values))
    text += (index ? ", " : "") + std::to_string(value);
  return text + "]";
}

/// The transform script for one product. Its entry point takes the product.
std::string buildScript(const Schedule &s) {
  // The fill's handle is taken before tiling consumes the product's.
  std::string fillHandle =
      s.fuseFill ? "%fill = transform.get_producer_of_operand %op[2] "
                   ": (!transform.any_op) -> !transform.any_op"
                 : "";
  std::string fuseFill =
      s.fuseFill
          ? "%fused, %forall = transform.structured.fuse_into_containing_op "
            "%fill into %forall0 : (!transform.any_op, !transform.any_op) -> "
            "(!transform.any_op, !transform.any_op)"
          : "%forall = transform.cast %forall0 : !transform.any_op to "
            "!transform.any_op";
  return llvm::formatv(
             R"mlir(
module attributes {{transform.with_named_sequence} {{
  transform.named_sequence @schedule(%op: !transform.any_op {{transform.consumed}) {{
    {5}
    %tiled, %forall0 = transform.structured.tile_using_forall %op tile_sizes {0}
      : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    {1}
    %sliced, %reduction = transform.structured.tile_using_for %tiled tile_sizes {2}
      : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %registers, %loops:2 = transform.structured.tile_using_for %sliced tile_sizes {3}
      : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %step, %stepLoop = transform.structured.tile_using_for %registers tile_sizes {4}
      : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %step : !transform.any_op
    transform.apply_patterns to %forall {{
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
    } : !transform.any_op
    transform.apply_patterns to %forall {{
      transform.apply_patterns.canonicalization
      transform.apply_patterns.linalg.tiling_canonicalization
    } : !transform.any_op
    %all = transform.structured.match interface{{LoopLikeInterface} in %forall
      : (!transform.any_op) -> !transform.any_op
    transform.apply_licm to %all : !transform.any_op
    transform.loop.hoist_loop_invariant_subsets %all : !transform.any_op
    transform.apply_patterns to %forall {{
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %forall {{
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
    } : !transform.any_op
    transform.yield
  }
}
)mlir",
             sizes(s, 1, {s.tileRows, s.tileColumns}), fuseFill,
             sizes(s, 0, {0, 0, s.reductionTile}),
             sizes(s, 0, {s.rows, s.columns, 0}), sizes(s, 0, {0, 0, 1}),
             fillHandle)
      .str();
}

/// Shapes this pass schedules: f32 operands of static shape.
bool isScheduled(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
    return false;
  // Named ops with user-defined indexing maps (transposed or broadcast
  // operands) keep the default lowering.
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation()))
    if (matmul.hasUserDefinedMaps())
      return false;
  if (auto matmul = dyn_cast<linalg::BatchMatmulOp>(op.getOperation()))
    if (matmul.hasUserDefinedMaps())
      return false;
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape())
    return false;
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && shaped.getElementType().isF32();
  });
}

/// `value` with its dimensions grown to `shape` by zeros at the high end.
Value padHigh(OpBuilder &builder, Location loc, Value value,
              ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  Value zero = arith::ConstantOp::create(
      builder, loc, builder.getZeroAttr(type.getElementType()));
  return tensor::createPadHighOp(type.clone(shape), value, zero,
                                 /*nofold=*/false, loc, builder);
}

/// Grows a product whose columns are not whole vectors (or whose rows have
/// no divisor of 4 to 8) to one that is, with zero rows and columns, and
/// takes the original part of its result. Without it the register tile of
/// 196 columns would be 28 wide, which LLVM splits into scalar code (27 ms
/// instead of 1.1 ms for a 256x2304 by 2304x196 product). Returns the
/// product to schedule.
linalg::LinalgOp padToWholeVectors(linalg::LinalgOp op, int64_t rowsLimit,
                                   int64_t columnsLimit, bool padColumns) {
  SmallVector<int64_t> loops = op.getStaticLoopRanges();
  size_t rank = loops.size();
  int64_t m = loops[rank - 3], n = loops[rank - 2];
  if (!padColumns)
    columnsLimit = 1;
  // Whole register tiles of `columnsLimit` where that costs at most a
  // quarter more columns, else whole vectors: 196 columns (a 14x14 image)
  // become 224, an 8x32 tile of 16 accumulators, instead of 208 in tiles of
  // 8x16 (a 256-channel 3x3 convolution: 1.19 ms instead of 1.27).
  int64_t paddedN = !padColumns ? n
                    : roundUp(n, columnsLimit) - n <= n / 4
                        ? roundUp(n, columnsLimit)
                        : roundUp(n, kVectorWidth);
  int64_t paddedM =
      m > rowsLimit && largestDivisor(m, rowsLimit) < rowsLimit / 2
          ? roundUp(m, rowsLimit)
          : m;
  if (paddedM == m && paddedN == n)
    return op;

  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  Value init = op.getDpsInits()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  SmallVector<int64_t> lhsShape(
      cast<RankedTensorType>(lhs.getType()).getShape());
  SmallVector<int64_t> rhsShape(
      cast<RankedTensorType>(rhs.getType()).getShape());
  SmallVector<int64_t> initShape(initType.getShape());
  lhsShape[lhsShape.size() - 2] = paddedM;
  rhsShape.back() = paddedN;
  initShape[initShape.size() - 2] = paddedM;
  initShape.back() = paddedN;

  Value paddedInit;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    Value empty = tensor::EmptyOp::create(builder, loc, initShape,
                                          initType.getElementType());
    paddedInit =
        linalg::FillOp::create(builder, loc, fill.getInputs()[0], empty)
            .getResult(0);
  } else {
    paddedInit = padHigh(builder, loc, init, initShape);
  }
  Operation *padded =
      clone(builder, op, TypeRange{paddedInit.getType()},
            ValueRange{padHigh(builder, loc, lhs, lhsShape),
                       padHigh(builder, loc, rhs, rhsShape), paddedInit});
  SmallVector<OpFoldResult> offsets(initShape.size(), builder.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes,
      strides(initShape.size(), builder.getIndexAttr(1));
  for (int64_t size : initType.getShape())
    sizes.push_back(builder.getIndexAttr(size));
  Value result = tensor::ExtractSliceOp::create(
      builder, loc, initType, padded->getResult(0), offsets, sizes, strides);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return cast<linalg::LinalgOp>(padded);
}

/// Whether splitColumns applies to `op`: its output starts as a fill (so
/// each part can start as one) and its columns are more than, but not a
/// multiple of, `columns`.
bool isSplittable(linalg::LinalgOp op, int64_t columns) {
  int64_t n = op.getStaticLoopRanges().end()[-2];
  return n > columns && n % columns != 0 &&
         op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
}

/// Splits a product whose columns are not a multiple of `columns` into one
/// of the largest multiple and products of power-of-two widths for the rest
/// (784 = 768 + 16, 196 = 192 + 4), each reading a slice of B and written
/// into its slice of the result (eliminate-empty-tensors makes those writes
/// in place). Unlike padding, nothing is copied. Returns the parts.
SmallVector<linalg::LinalgOp> splitColumns(linalg::LinalgOp op,
                                           int64_t columns) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t rank = resultType.getRank(), n = resultType.getShape().back();
  MLIRContext *context = op.getContext();

  SmallVector<int64_t> widths = {n / columns * columns};
  for (int64_t rest = n % columns, bit = columns / 2; bit > 0; bit /= 2)
    if (rest & bit)
      widths.push_back(bit);

  Value result = tensor::EmptyOp::create(builder, loc, resultType.getShape(),
                                         resultType.getElementType());
  SmallVector<linalg::LinalgOp> parts;
  int64_t offset = 0;
  for (int64_t width : widths) {
    // The columns [offset, offset + width) of a tensor of `shape`.
    auto columnsOf = [&](ArrayRef<int64_t> shape) {
      SmallVector<int64_t> offsets(rank, 0), sizes(shape);
      offsets.back() = offset;
      sizes.back() = width;
      return std::make_pair(getAsIndexOpFoldResult(context, offsets),
                            getAsIndexOpFoldResult(context, sizes));
    };
    SmallVector<OpFoldResult> strides(rank, builder.getIndexAttr(1));
    auto [rhsOffsets, rhsSizes] = columnsOf(rhsType.getShape());
    Value rhsPart = tensor::ExtractSliceOp::create(
        builder, loc, rhs, rhsOffsets, rhsSizes, strides);
    SmallVector<int64_t> partShape(resultType.getShape());
    partShape.back() = width;
    Value empty = tensor::EmptyOp::create(builder, loc, partShape,
                                          resultType.getElementType());
    Value init =
        linalg::FillOp::create(builder, loc, fill.getInputs()[0], empty)
            .getResult(0);
    Operation *part = clone(builder, op, TypeRange{init.getType()},
                            ValueRange{lhs, rhsPart, init});
    parts.push_back(cast<linalg::LinalgOp>(part));
    auto [offsets, sizes] = columnsOf(resultType.getShape());
    result = tensor::InsertSliceOp::create(builder, loc, part->getResult(0),
                                           result, offsets, sizes, strides);
    offset += width;
  }
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return parts;
}

struct VectorizeContractionsPass
    : impl::KilnVectorizeContractionsPassBase<VectorizeContractionsPass> {
  using Base::Base;

  Schedule scheduleFor(linalg::LinalgOp op) const {
    SmallVector<int64_t> loops = op.getStaticLoopRanges();
    Schedule s;
    s.batched = loops.size() == 4;
    int64_t m = loops[loops.size() - 3], n = loops[loops.size() - 2],
            k = loops.back();
    // Every tile of a parallel dimension divides it (columns are whole
    // vectors after padToWholeVectors), so that all register tiles have the
    // same static shape and vectorize without masks; a slice of the
    // reduction need not (the register tile steps through it one element at
    // a time).
    s.rows = largestDivisor(m, rows);
    s.columns = n % kVectorWidth == 0
                    ? largestDividingMultiple(n, kVectorWidth, columns)
                    : n; // a power of two below 16 (splitColumns)
    s.tileRows = largestDividingMultiple(m, s.rows, tileRows);
    s.tileColumns = largestDividingMultiple(n, s.columns, tileColumns);
    s.reductionTile = std::min<int64_t>(reductionTile, k);
    s.fuseFill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>() != nullptr;
    return s;
  }

  LogicalResult schedule(linalg::LinalgOp op) {
    std::string script = buildScript(scheduleFor(op));
    ParserConfig config(&getContext());
    OwningOpRef<ModuleOp> library =
        parseSourceString<ModuleOp>(script, config, "kiln-schedule");
    if (!library)
      return op->emitError("kiln-vectorize-contractions: internal error: "
                           "the schedule does not parse");
    auto entry = library->lookupSymbol<transform::NamedSequenceOp>("schedule");
    return transform::applyTransformNamedSequence(
        op, entry, *library, transform::TransformOptions());
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> products;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isScheduled(op))
        products.push_back(op);
    });
    for (linalg::LinalgOp op : products) {
      bool split = isSplittable(op, columns);
      linalg::LinalgOp padded = padToWholeVectors(op, rows, columns, !split);
      SmallVector<linalg::LinalgOp> parts =
          split ? splitColumns(padded, columns)
                : SmallVector<linalg::LinalgOp>{padded};
      for (linalg::LinalgOp part : parts)
        if (failed(schedule(part)))
          return signalPassFailure();
    }
  }
};

} // namespace
} // namespace kiln
