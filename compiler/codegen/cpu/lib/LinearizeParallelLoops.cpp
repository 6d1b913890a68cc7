//===- LinearizeParallelLoops.cpp - kiln-linearize-parallel-loops ---------===//
//
// Gives async-parallel-for one dimension to split: the outer dimensions of a
// parallel loop become one linear index, the innermost stays a sequential
// loop that LLVM can vectorize (unless the body runs loops of its own: then
// all of them). A parallel loop inside another one becomes
// sequential: only the outermost is split into tasks. linalg's parallel
// dimensions after its reductions (the channels of a global average pooling
// in NHWC, inside the loops over H and W) would otherwise be dispatched once
// per iteration of the loops around them (SqueezeNet's pooling: 169 dispatches
// of 1000 additions, 0.14 ms of a 3.5 ms run).
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/LoopLinearization.h"

#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLINEARIZEPARALLELLOOPSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Rewrites `loop` (N > 1 dimensions, no reductions) as described above.
/// When its body runs loops of its own (a pooling's window loops, inside the
/// loops over N and H), every dimension goes into the linear index: the
/// innermost one is not a row then, and keeping it sequential left
/// SqueezeNet's first pooling one task (N = 1).
void linearize(scf::ParallelOp loop) {
  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  size_t rank = loop.getNumLoops();
  bool innermostIsRow = loop.getBody()->getOps<scf::ForOp>().empty();
  size_t linearDims = innermostIsRow ? rank - 1 : rank;
  SmallVector<Value> counts = getTripCounts(builder, loc, loop, linearDims);
  Value rows = getProduct(builder, loc, counts);
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  scf::ParallelOp::create(
      builder, loc, ValueRange{zero}, ValueRange{rows}, ValueRange{one},
      [&](OpBuilder &b, Location loc, ValueRange ivs) {
        IRMapping mapping;
        mapDelinearized(b, loc, ivs[0], counts, loop, mapping);
        OpBuilder body = b;
        if (innermostIsRow) {
          auto inner = scf::ForOp::create(
              b, loc, loop.getLowerBound()[rank - 1],
              loop.getUpperBound()[rank - 1], loop.getStep()[rank - 1]);
          mapping.map(loop.getInductionVars()[rank - 1],
                      inner.getInductionVar());
          body = OpBuilder::atBlockBegin(inner.getBody());
        }
        for (Operation &op : loop.getBody()->without_terminator())
          body.clone(op, mapping);
      });
  loop.erase();
}

struct LinearizeParallelLoopsPass
    : impl::KilnLinearizeParallelLoopsPassBase<LinearizeParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> nested;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (loop->getParentOfType<scf::ParallelOp>() && loop.getNumResults() == 0)
        nested.push_back(loop);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : nested) {
      rewriter.setInsertionPoint(loop);
      if (failed(scf::parallelForToNestedFors(rewriter, loop)))
        return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (loop.getNumLoops() > 1 && loop.getNumResults() == 0)
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops)
      linearize(loop);
  }
};

} // namespace
} // namespace kiln
