//===- ApproximateMath.cpp - The kiln-approximate-math pass ---------------===//
//
// Generated elementwise loops call libm for exp, tanh and erf (LLVM has no
// vector form of them without a vector math library), which keeps every
// sigmoid, tanh, softmax and GELU element a scalar call: in the LSTM language
// model of benchmarks/, 14% of a run; erf in the BERT-like encoder, 10%. MLIR's
// polynomial approximations are plain arithmetic that LLVM vectorizes.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNAPPROXIMATEMATHPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The math ops approximated. Others keep libm: their approximations were not
/// measured against it, and no model here spends its time in them.
bool isApproximated(StringRef name) {
  name.consume_front("math.");
  return name == "exp" || name == "tanh" || name == "erf";
}

/// Whether `op` is one of them on f32 (the approximations are written for
/// f32; f16 and bf16 are computed in f32 by then).
bool isApproximatedOp(Operation *op) {
  return isa<math::ExpOp, math::TanhOp, math::ErfOp>(op) &&
         getElementTypeOrSelf(op->getResult(0).getType()).isF32();
}

struct ApproximateMathPass
    : impl::KilnApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isApproximatedOp(op))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    // Only those ops and what their rewrites create: a greedy rewrite of the
    // whole module would also fold and simplify everything else in it.
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
