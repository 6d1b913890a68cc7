//===- AsyncParallelFor.cpp - kiln-async-parallel-for ---------------------===//
//
// MLIR's async-parallel-for rewrite, with the minimum task size of each loop
// derived from the work of one iteration, so that loops of heavy iterations
// (tiles of a matrix product) are split as finely as loops of light ones
// (rows of an elementwise op) are split coarsely.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Async/Transforms.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNASYNCPARALLELFORPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The static trip count of `loop`, or 1 when it is only known at run time.
int64_t getStaticTripCount(scf::ForOp loop) {
  std::optional<APInt> count = loop.getStaticTripCount();
  return count ? std::max<int64_t>(1, count->getSExtValue()) : 1;
}

/// Whether `block` computes on vectors itself: its loop's iterations are
/// then rows of their own (a loop over pixels whose body moves vectors of
/// channels), not elements of one row that LLVM will vectorize.
bool computesOnVectors(Block &block) {
  for (Operation &op : block)
    if (llvm::any_of(op.getOperandTypes(), llvm::IsaPred<VectorType>))
      return true;
  return false;
}

/// Iterations of innermost loops that one run of `block` executes along its
/// deepest loop nest, counting the innermost loop itself as one (a row)
/// unless its body computes on vectors (then each iteration is a row).
int64_t getRows(Block &block) {
  int64_t rows = 1;
  for (Operation &op : block)
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      bool innermost = loop.getBody()->getOps<scf::ForOp>().empty();
      int64_t inner = getRows(*loop.getBody());
      bool countsAsOneRow = innermost && !computesOnVectors(*loop.getBody());
      rows =
          std::max(rows, countsAsOneRow ? 1 : getStaticTripCount(loop) * inner);
    }
  return rows;
}

struct AsyncParallelForPass
    : impl::KilnAsyncParallelForPassBase<AsyncParallelForPass> {
  using Base::Base;

  void runOnOperation() override {
    int64_t minRows = minTaskSize;
    RewritePatternSet patterns(&getContext());
    async::populateAsyncParallelForPatterns(
        patterns, /*asyncDispatch=*/true, /*numWorkerThreads=*/-1,
        [minRows](ImplicitLocOpBuilder builder, scf::ParallelOp loop) {
          int64_t rows = getRows(*loop.getBody());
          int64_t iterations = std::max<int64_t>(1, minRows / rows);
          return arith::ConstantIndexOp::create(builder, iterations)
              .getResult();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
