//===- LowerStridedCopies.cpp - The kiln-lower-strided-copies pass --------===//
//
// Keeps compiled modules free of MLIR runtime libraries: only copies that the
// LLVM lowering can turn into a memcpy stay memref.copy. With `vectorize`,
// copies of static shape with contiguous rows move each row with vector loads
// and stores (the pass description says why).
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERSTRIDEDCOPIESPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The LLVM lowering emits a memcpy only when both sides are identity-layout
/// memrefs (dense, row-major, no offset).
static bool isContiguous(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getLayout().isIdentity();
}

/// The bytes one vector load moves (an AVX-512 register).
constexpr int64_t kVectorBytes = 64;
/// Rows up to this many bytes are moved by unrolled vector loads and stores
/// (256 floats: the channels of a convolution's output); longer ones stay
/// loops, which LLVM vectorizes without unrolling them first.
constexpr int64_t kMaxRowBytes = 16 * kVectorBytes;

/// Whether `type` is a static memref whose innermost dim is contiguous and
/// at most kMaxRowBytes long.
static bool hasStaticContiguousRows(MemRefType type) {
  if (!type.hasStaticShape() || type.getRank() == 0 ||
      !type.getElementType().isIntOrFloat() ||
      type.getShape().back() * type.getElementTypeBitWidth() / 8 > kMaxRowBytes)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

/// Copies `source` into `target` (same static shape, contiguous rows): a
/// parallel loop over the rows, each moved by vector loads and stores of
/// kVectorBytes, then of halving sizes for the rest of the row.
static void buildVectorCopy(IRRewriter &rewriter, memref::CopyOp copy) {
  Location loc = copy.getLoc();
  Value source = copy.getSource(), target = copy.getTarget();
  auto type = cast<MemRefType>(source.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rowLength = shape.back();
  int64_t elementBytes =
      std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  int64_t width = std::max<int64_t>(1, kVectorBytes / elementBytes);
  auto moveRow = [&](OpBuilder &b, Location nested, ValueRange rowIvs) {
    SmallVector<Value> indices(rowIvs);
    indices.push_back(Value());
    for (int64_t start = 0; start < rowLength;) {
      int64_t chunk = width;
      while (chunk > rowLength - start)
        chunk /= 2;
      indices.back() = arith::ConstantIndexOp::create(b, nested, start);
      auto vectorType = VectorType::get({chunk}, type.getElementType());
      Value row =
          vector::LoadOp::create(b, nested, vectorType, source, indices);
      vector::StoreOp::create(b, nested, row, target, indices);
      start += chunk;
    }
  };
  rewriter.setInsertionPoint(copy);
  if (shape.size() == 1) {
    moveRow(rewriter, loc, {});
  } else {
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lower, upper, steps;
    for (int64_t size : shape.drop_back()) {
      lower.push_back(zero);
      upper.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
      steps.push_back(one);
    }
    scf::ParallelOp::create(rewriter, loc, lower, upper, steps,
                            [&](OpBuilder &b, Location nested, ValueRange ivs) {
                              moveRow(b, nested, ivs);
                            });
  }
  rewriter.eraseOp(copy);
}

struct LowerStridedCopiesPass
    : impl::KilnLowerStridedCopiesPassBase<LowerStridedCopiesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) {
      if (!isContiguous(copy.getSource().getType()) ||
          !isContiguous(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      auto sourceType = cast<MemRefType>(copy.getSource().getType());
      auto targetType = cast<MemRefType>(copy.getTarget().getType());
      if (vectorize && hasStaticContiguousRows(sourceType) &&
          hasStaticContiguousRows(targetType) &&
          sourceType.getElementType() == targetType.getElementType()) {
        buildVectorCopy(rewriter, copy);
        continue;
      }
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};

} // namespace
} // namespace kiln
