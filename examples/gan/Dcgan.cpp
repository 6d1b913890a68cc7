//===- Dcgan.cpp - The digits DCGAN, built with the GraphBuilder ----------===//

#include "Dcgan.h"

#include "kiln/Frontends/Native/GraphBuilder.h"
#include "kiln/Frontends/Native/Layers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

#include <stdexcept>

using namespace mlir;
using namespace kiln::native;

namespace kiln::examples {
namespace {

Value generator(GraphBuilder &g, Value noise) {
  Value x = convTranspose2d(g, "g.up1", noise, 64, 2, /*stride=*/1,
                            /*padding=*/0, /*outputPadding=*/0, /*groups=*/1,
                            /*bias=*/false);
  x = relu(g, batchNorm2d(g, "g.bn1", x));
  x = convTranspose2d(g, "g.up2", x, 32, 4, /*stride=*/2, /*padding=*/1,
                      /*outputPadding=*/0, /*groups=*/1, /*bias=*/false);
  x = relu(g, batchNorm2d(g, "g.bn2", x));
  x = convTranspose2d(g, "g.up3", x, 1, 4, /*stride=*/2, /*padding=*/1,
                      /*outputPadding=*/0, /*groups=*/1, /*bias=*/false);
  return tanh(g, x);
}

Value discriminator(GraphBuilder &g, Value images) {
  Value x = conv2d(g, "d.conv1", images, 32, 4, /*stride=*/2, /*padding=*/1,
                   /*groups=*/1, /*bias=*/false);
  x = leakyRelu(g, x, 0.2);
  x = conv2d(g, "d.conv2", x, 64, 4, /*stride=*/2, /*padding=*/1,
             /*groups=*/1, /*bias=*/false);
  x = leakyRelu(g, x, 0.2);
  x = conv2d(g, "d.conv3", x, 1, 2, /*stride=*/1, /*padding=*/0,
             /*groups=*/1, /*bias=*/false);
  return flatten(g, x);
}

/// buildTrainStep with its diagnostics turned into an exception.
SmallVector<TrainableParameter> trainStep(ModuleOp module,
                                          const TrainStepOptions &options) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(module.getContext(),
                                  [&](Diagnostic &diagnostic) {
                                    diagnostics += diagnostic.str() + "\n";
                                    return success();
                                  });
  FailureOr<TrainStepSignature> signature = buildTrainStep(module, options);
  if (failed(signature))
    throw std::runtime_error("cannot build " + options.trainStepName + ": " +
                             diagnostics);
  // The native layers update no buffers (batch_norm2d in training mode keeps
  // no running statistics).
  return signature->parameters;
}

} // namespace

Dcgan buildDcgan(MLIRContext &context, const DcganOptions &options) {
  const int64_t batch = options.batch;

  GraphOptions discriminateOptions;
  discriminateOptions.functionName = "discriminate";
  discriminateOptions.seed = options.seed;
  GraphBuilder discriminate(context, discriminateOptions);
  discriminate.output(
      "logits",
      discriminator(discriminate,
                    discriminate.input("images", {2 * batch, 1, 8, 8})));
  Dcgan dcgan;
  dcgan.module = discriminate.finish();

  // Same seed and names: the discriminator's weights here are the same
  // tensors as in `discriminate`, passed in.
  GraphOptions judgeOptions;
  judgeOptions.functionName = "generate_and_judge";
  judgeOptions.seed = options.seed;
  judgeOptions.parametersAsInputs = {"d.*"};
  GraphBuilder judge(context, judgeOptions);
  Value images =
      generator(judge, judge.input("noise", {batch, options.noise, 1, 1}));
  judge.output("logits", discriminator(judge, images));
  judge.output("images", images);
  judge.finishInto(*dcgan.module);

  TrainStepOptions step;
  step.loss = "bce_with_logits";
  step.optimizer = "adam";
  step.beta1 = options.beta1;
  step.gradientsFunction = options.gradients;

  TrainStepOptions discriminatorStep = step;
  discriminatorStep.forward = "discriminate";
  discriminatorStep.trainStepName = kTrainDiscriminator;
  discriminatorStep.predictName = kPredictDiscriminator;
  discriminatorStep.gradientsName = kGradientsDiscriminator;
  dcgan.discriminator = trainStep(*dcgan.module, discriminatorStep);

  TrainStepOptions generatorStep = step;
  generatorStep.forward = "generate_and_judge";
  generatorStep.output = 0;
  generatorStep.trainStepName = kTrainGenerator;
  generatorStep.predictName = kPredictGenerator;
  generatorStep.gradientsName = kGradientsGenerator;
  dcgan.generator = trainStep(*dcgan.module, generatorStep);
  for (const TrainableParameter &parameter : dcgan.generator)
    if (llvm::StringRef(parameter.name).starts_with("d."))
      throw std::runtime_error("the generator step would train '" +
                               parameter.name + "'");

  // The steps replace the forward functions, which would only cost compile
  // time.
  for (const char *name : {"discriminate", "generate_and_judge"})
    dcgan.module->lookupSymbol<func::FuncOp>(name).erase();
  return dcgan;
}

} // namespace kiln::examples
