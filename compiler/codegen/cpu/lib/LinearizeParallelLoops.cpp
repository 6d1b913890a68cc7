//===- LinearizeParallelLoops.cpp - kiln-linearize-parallel-loops ---------===//
//
// Gives async-parallel-for one dimension to split: the outer dimensions of a
// parallel loop become one linear index, the innermost stays a sequential
// loop that LLVM can vectorize.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLINEARIZEPARALLELLOOPSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Rewrites `loop` (N > 1 dimensions, no reductions) as described above.
void linearize(scf::ParallelOp loop) {
  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  size_t rank = loop.getNumLoops();
  auto lowers = loop.getLowerBound(), uppers = loop.getUpperBound(),
       steps = loop.getStep();
  // Trip counts of the outer dimensions and their product.
  SmallVector<Value> counts;
  Value total = arith::ConstantIndexOp::create(builder, loc, 1);
  for (size_t d = 0; d + 1 < rank; ++d) {
    Value extent = builder.createOrFold<arith::SubIOp>(loc, uppers[d], lowers[d]);
    Value count = builder.createOrFold<arith::CeilDivUIOp>(loc, extent, steps[d]);
    counts.push_back(count);
    total = builder.createOrFold<arith::MulIOp>(loc, total, count);
  }
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  auto outer = scf::ParallelOp::create(
      builder, loc, ValueRange{zero}, ValueRange{total}, ValueRange{one},
      [&](OpBuilder &b, Location loc, ValueRange ivs) {
        IRMapping mapping;
        Value rest = ivs[0];
        for (int64_t d = static_cast<int64_t>(counts.size()) - 1; d >= 0;
             --d) {
          Value index = rest;
          if (d > 0) {
            index = arith::RemUIOp::create(b, loc, rest, counts[d]);
            rest = arith::DivUIOp::create(b, loc, rest, counts[d]);
          }
          Value offset = arith::MulIOp::create(b, loc, index, steps[d]);
          mapping.map(loop.getInductionVars()[d],
                      arith::AddIOp::create(b, loc, lowers[d], offset));
        }
        auto inner = scf::ForOp::create(b, loc, lowers[rank - 1],
                                        uppers[rank - 1], steps[rank - 1]);
        mapping.map(loop.getInductionVars()[rank - 1],
                    inner.getInductionVar());
        OpBuilder body = OpBuilder::atBlockBegin(inner.getBody());
        for (Operation &op : loop.getBody()->without_terminator())
          body.clone(op, mapping);
      });
  (void)outer;
  loop.erase();
}

struct LinearizeParallelLoopsPass
    : impl::KilnLinearizeParallelLoopsPassBase<LinearizeParallelLoopsPass> {
  void runOnOperation() override {
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
