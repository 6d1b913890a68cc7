//===- Autodiff.h - Reverse-mode differentiation of kiln functions --------===//
//
// Kiln differentiates graphs in the compiler: a function of kiln ops gets a
// companion function that computes its results and the gradients of their
// weighted sum (a vector-Jacobian product), built from one gradient rule per
// op. The rules are external models of kiln::GradientOpInterface, attached by
// registerGradientRules(); ops do not declare them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_AUTODIFF_AUTODIFF_H
#define KILN_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace kiln {

/// Attaches every gradient rule to the kiln ops (a dialect extension: it takes
/// effect when the kiln dialect loads, or at once if it is loaded).
void registerGradientRules(mlir::DialectRegistry &registry);

/// Builds `name` next to `function` (one block of ops; control flow as
/// scf.if, and scf.for of a trip count known at compile time): it
/// takes `function`'s arguments and then one cotangent per result, and returns
/// the results followed by the gradient of sum_i <result_i, cotangent_i> with
/// respect to each floating-point tensor argument, in argument order. Emits an
/// error at the op that cannot be differentiated and fails.
mlir::FailureOr<mlir::func::FuncOp> buildVjp(mlir::func::FuncOp function,
                                             llvm::StringRef name);

/// Emits, at the builder's insertion point, the gradients of
/// sum_i <seeds[i].first, seeds[i].second> with respect to each of `wrt`,
/// differentiating `ops` (already emitted, in program order; only those
/// computed from `wrt` matter). Zeros where nothing flows. Emits an error at
/// an op without a usable rule and fails. (ONNX's Gradient op uses this.)
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
emitGradients(mlir::OpBuilder &builder, llvm::ArrayRef<mlir::Operation *> ops,
              llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> seeds,
              llvm::ArrayRef<mlir::Value> wrt);

/// What a training step computes: the loss, the optimizer and its settings.
/// The learning rate is an argument of the step (schedules need no
/// recompilation); the rest is compiled in.
struct TrainStepOptions {
  /// The function to train, and which of its results is the prediction.
  std::string forward = "forward";
  unsigned output = 0;
  /// The function the train step runs when it differs from `forward` (which
  /// predict runs): the same graph imported in training mode (batch
  /// statistics, dropout), whose extra results marked kiln.updates are the
  /// next values of buffers and whose argument marked kiln.dropout_seed
  /// takes the step number. Empty: `forward`.
  std::string trainingForward;
  /// cross_entropy (logits [N, C], i64 class indices [N]), bce_with_logits,
  /// mse or l1 (targets of the prediction's type); all averaged.
  std::string loss = "cross_entropy";
  /// sgd (with momentum, Nesterov and weight decay as PyTorch's SGD), adam
  /// or adamw.
  std::string optimizer = "sgd";
  double momentum = 0;
  bool nesterov = false;
  double weightDecay = 0;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  /// Scale the gradients so that their global L2 norm is at most this (0:
  /// no clipping).
  double clipNorm = 0;
  /// Glob patterns of weight names that are not trained.
  std::vector<std::string> frozen;
  /// Also add `gradients(inputs..., target, params...) -> (loss,
  /// gradients...)`, for checking gradients against other frameworks.
  bool gradientsFunction = false;
  /// The names of the functions built (several train steps can live in one
  /// module, e.g. a GAN's generator and discriminator steps).
  std::string trainStepName = "train_step";
  std::string predictName = "predict";
  std::string gradientsName = "gradients";
  /// Also add `initial_weights() -> (params...)`, the model's weights, for
  /// programs that start training from a compiled module alone.
  bool initialWeightsFunction = false;
  std::string initialWeightsName = "initial_weights";
};

/// A weight that the train step updates: its name (the ONNX initializer's)
/// and its value in the model.
struct TrainableParameter {
  std::string name;
  mlir::DenseElementsAttr initial;
};

/// The weights of a train step: the trained parameters, then the buffers
/// (BatchNormalization's running statistics) that the step updates without
/// gradients.
struct TrainStepSignature {
  llvm::SmallVector<TrainableParameter> parameters;
  llvm::SmallVector<TrainableParameter> buffers;
};

/// Adds `predict` and `train_step` to `module` next to `options.forward`,
/// whose float constants named by kiln.initializer (minus the frozen ones)
/// become parameters, and those that the training forward updates buffers:
///
///   predict(inputs..., params..., buffers...) -> the forward results
///   train_step(inputs..., target, learning_rate, step, params...,
///              state..., buffers...)
///       -> (loss, prediction, params'..., state'..., buffers'...)
///
/// `step` counts from 1 (Adam's bias correction; dropout seeds); the state is
/// one tensor per parameter and slot (SGD with momentum: the velocity; Adam:
/// m, then v), zeros before the first step. Returns the parameters and the
/// buffers in argument order; emits an error and fails when the model cannot
/// be trained so.
mlir::FailureOr<TrainStepSignature>
buildTrainStep(mlir::ModuleOp module, const TrainStepOptions &options);

} // namespace kiln

#endif // KILN_AUTODIFF_AUTODIFF_H
