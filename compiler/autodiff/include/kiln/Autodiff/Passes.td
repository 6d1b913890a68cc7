//===- Passes.td - Reverse-mode autodiff of kiln graphs ----*- tablegen -*-===//

#ifndef KILN_AUTODIFF_PASSES
#define KILN_AUTODIFF_PASSES

include "mlir/Pass/PassBase.td"

def KilnDifferentiatePass : Pass<"kiln-differentiate", "mlir::ModuleOp"> {
  let summary = "Build the vector-Jacobian product of a function";
  let description = [{
    Adds `@<function>_vjp` (or `@<name>`) next to `@<function>`: it takes the
    function's arguments and then one cotangent per result, and returns the
    function's results followed by the gradient of
    `sum_i <result_i, cotangent_i>` with respect to each floating-point tensor
    argument. The body is the forward computation followed by the ops that the
    gradient rules (kiln's GradientOpInterface, attached by
    `kiln::registerGradientRules`) build, in reverse order, with the gradients
    of values used more than once added up. An op on the path from an argument
    to a result that has no rule is an error naming it. Control flow: `scf.if`
    gets a backward `scf.if` on the same condition, `scf.for` loops of a trip
    count known at compile time are unrolled in `@<function>_vjp`, and other
    loops (`scf.while`, run-time trip counts) are errors.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The function to differentiate">,
    Option<"name", "name", "std::string", /*default=*/"\"\"",
           "The new function's name (default: <function>_vjp)">,
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def KilnBuildTrainStepPass : Pass<"kiln-build-train-step", "mlir::ModuleOp"> {
  let summary = "Add predict and train_step functions for training a function";
  let description = [{
    Turns the float constants of `@forward` that hold named weights
    (`kiln.initializer`) into parameters and adds `@predict` (the forward pass
    with the parameters as arguments) and `@train_step` (forward pass, loss,
    reverse sweep, gradient clipping, optimizer update), as
    `kiln::buildTrainStep` describes. kiln-train and `kiln-compile --train`
    build the same functions.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The function to train">,
    Option<"output", "output", "unsigned", /*default=*/"0",
           "Which result is the prediction">,
    Option<"loss", "loss", "std::string", /*default=*/"\"cross_entropy\"",
           "cross_entropy, bce_with_logits, mse or l1">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd, adam or adamw">,
    Option<"momentum", "momentum", "double", /*default=*/"0", "SGD momentum">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false",
           "Nesterov momentum">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0",
           "Weight decay">,
    Option<"clipNorm", "clip-norm", "double", /*default=*/"0",
           "Clip the gradients' global norm to this (0: no clipping)">,
  ];
}

#endif // KILN_AUTODIFF_PASSES
