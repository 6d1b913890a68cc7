//===- Dcgan.h - The digits DCGAN, built with the GraphBuilder ------------===//
//
// A small DCGAN for 8x8 images in [-1, 1]:
//
//   generator      noise [N, Z, 1, 1]
//                  -> conv_transpose 64, 2x2          -> batch norm -> relu
//                  -> conv_transpose 32, 4x4 stride 2 -> batch norm -> relu
//                  -> conv_transpose 1, 4x4 stride 2  -> tanh   [N, 1, 8, 8]
//   discriminator  image [N, 1, 8, 8]
//                  -> conv 32, 4x4 stride 2 -> leaky relu 0.2
//                  -> conv 64, 4x4 stride 2 -> leaky relu 0.2
//                  -> conv 1, 2x2 -> flatten                  [N, 1] logits
//
// Convolutions have no bias (as in the DCGAN paper: batch norm has the
// shift, and a bias before it would cancel). Batch norm runs in training
// mode, on the batch's statistics. Parameters are named "g.*" and "d.*".
//
// One module holds both train steps. The discriminator step trains
// `discriminate` (images -> logits) on a batch of N real images (target 1)
// followed by N generated ones (target 0); the generator step trains
// `generate_and_judge` (noise -> D(G(noise)), and the images), whose
// discriminator weights are inputs: a train step compiles frozen weights
// in as constants, while the generator step must see the discriminator's
// current weights at every call.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXAMPLES_GAN_DCGAN_H
#define KILN_EXAMPLES_GAN_DCGAN_H

#include "kiln/Autodiff/Autodiff.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>

namespace kiln::examples {

/// The sizes and training settings that the compiled functions fix.
struct DcganOptions {
  int64_t batch = 64;
  int64_t noise = 16;
  uint64_t seed = 0;
  /// Adam's first beta (0.5, as the DCGAN paper).
  double beta1 = 0.5;
  /// Also build `gradients_discriminator` and `gradients_generator` (the
  /// loss and every weight's gradient, without a step).
  bool gradients = false;
};

/// The built module and the weights of each step (names and first values),
/// in the order of the steps' arguments.
struct Dcgan {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  llvm::SmallVector<TrainableParameter> discriminator, generator;
};

/// The names of the compiled functions.
inline constexpr const char *kTrainDiscriminator = "train_discriminator";
inline constexpr const char *kTrainGenerator = "train_generator";
inline constexpr const char *kPredictDiscriminator = "predict_discriminator";
inline constexpr const char *kPredictGenerator = "predict_generator";
inline constexpr const char *kGradientsDiscriminator =
    "gradients_discriminator";
inline constexpr const char *kGradientsGenerator = "gradients_generator";

/// Builds the module with both train steps (Adam, bce_with_logits):
///
///   train_discriminator(images [2N,1,8,8], target [2N,1], lr, step,
///                       d weights..., d adam state...)
///   train_generator(noise [N,Z,1,1], d weights..., target [N,1], lr, step,
///                   g weights..., g adam state...)
///   predict_discriminator(images [2N,1,8,8], d weights...) -> logits
///   predict_generator(noise, d weights..., g weights...) -> (logits, images)
///
/// Throws native::BuildError or std::runtime_error on failure.
Dcgan buildDcgan(mlir::MLIRContext &context, const DcganOptions &options);

} // namespace kiln::examples

#endif // KILN_EXAMPLES_GAN_DCGAN_H
