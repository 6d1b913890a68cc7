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
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/StringRef.h"

namespace kiln {

/// Attaches every gradient rule to the kiln ops (a dialect extension: it takes
/// effect when the kiln dialect loads, or at once if it is loaded).
void registerGradientRules(mlir::DialectRegistry &registry);

/// Builds `name` next to `function` (one block of ops without regions): it
/// takes `function`'s arguments and then one cotangent per result, and returns
/// the results followed by the gradient of sum_i <result_i, cotangent_i> with
/// respect to each floating-point tensor argument, in argument order. Emits an
/// error at the op that cannot be differentiated and fails.
mlir::FailureOr<mlir::func::FuncOp> buildVjp(mlir::func::FuncOp function,
                                             llvm::StringRef name);

} // namespace kiln

#endif // KILN_AUTODIFF_AUTODIFF_H
