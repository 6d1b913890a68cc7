//===- BuildTrainStep.cpp - Pass kiln-build-train-step --------------------===//

#include "kiln/Autodiff/Autodiff.h"
#include "kiln/Autodiff/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNBUILDTRAINSTEPPASS
#include "kiln/Autodiff/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct BuildTrainStepPass
    : impl::KilnBuildTrainStepPassBase<BuildTrainStepPass> {
  using KilnBuildTrainStepPassBase::KilnBuildTrainStepPassBase;

  void runOnOperation() override {
    TrainStepOptions options;
    options.forward = function;
    options.output = output;
    options.loss = loss;
    options.optimizer = optimizer;
    options.momentum = momentum;
    options.nesterov = nesterov;
    options.weightDecay = weightDecay;
    options.clipNorm = clipNorm;
    if (failed(buildTrainStep(getOperation(), options)))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
