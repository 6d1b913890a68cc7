//===- LoopLinearization.cpp - One linear index over a parallel loop ------===//

#include "kiln/Codegen/LoopLinearization.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace kiln {

SmallVector<Value> getTripCounts(OpBuilder &builder, Location loc,
                                 scf::ParallelOp loop, unsigned dims) {
  SmallVector<Value> counts;
  for (unsigned d = 0; d < dims; ++d) {
    Value extent = builder.createOrFold<arith::SubIOp>(
        loc, loop.getUpperBound()[d], loop.getLowerBound()[d]);
    counts.push_back(builder.createOrFold<arith::CeilDivUIOp>(
        loc, extent, loop.getStep()[d]));
  }
  return counts;
}

Value getProduct(OpBuilder &builder, Location loc, ArrayRef<Value> counts) {
  Value product = arith::ConstantIndexOp::create(builder, loc, 1);
  for (Value count : counts)
    product = builder.createOrFold<arith::MulIOp>(loc, product, count);
  return product;
}

void mapDelinearized(OpBuilder &builder, Location loc, Value linear,
                     ArrayRef<Value> counts, scf::ParallelOp loop,
                     IRMapping &mapping) {
  Value rest = linear;
  for (int64_t d = static_cast<int64_t>(counts.size()) - 1; d >= 0; --d) {
    Value index = rest;
    if (d > 0) {
      index = arith::RemUIOp::create(builder, loc, rest, counts[d]);
      rest = arith::DivUIOp::create(builder, loc, rest, counts[d]);
    }
    Value offset =
        arith::MulIOp::create(builder, loc, index, loop.getStep()[d]);
    mapping.map(loop.getInductionVars()[d],
                arith::AddIOp::create(builder, loc, loop.getLowerBound()[d],
                                      offset));
  }
}

} // namespace kiln
