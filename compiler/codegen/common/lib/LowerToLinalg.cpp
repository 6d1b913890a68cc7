//===- LowerToLinalg.cpp - The kiln-lower-to-linalg pass ------------------===//
//
// Runs the pattern families of LowerElementwise, LowerContractions,
// LowerPooling, LowerShapeOps and LowerReductions as one partial conversion:
// the kiln dialect is illegal afterwards, so an op no pattern can lower fails
// the pass with its location.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Codegen/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERTOLINALGPASS
#include "kiln/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct LowerToLinalgPass : impl::KilnLowerToLinalgPassBase<LowerToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    populateElementwiseLoweringPatterns(patterns);
    populateContractionLoweringPatterns(patterns);
    populatePoolingLoweringPatterns(patterns);
    populateShapeLoweringPatterns(patterns);
    populateIndexingLoweringPatterns(patterns);
    populateResizeLoweringPatterns(patterns);
    populateReductionLoweringPatterns(patterns);

    ConversionTarget target(*context);
    target.addIllegalDialect<KilnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
