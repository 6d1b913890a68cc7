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
    to a result that has no rule is an error naming it.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The function to differentiate">,
    Option<"name", "name", "std::string", /*default=*/"\"\"",
           "The new function's name (default: <function>_vjp)">,
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

#endif // KILN_AUTODIFF_PASSES
