//===- GradientRules.h - The families of gradient rules -------------------===//
//
// Each family's file attaches GradientOpInterface external models to its kiln
// ops; registerGradientRules() (GradientRules.cpp) calls them all when the
// kiln dialect loads.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_AUTODIFF_GRADIENTRULES_H
#define KILN_AUTODIFF_GRADIENTRULES_H

#include "mlir/IR/MLIRContext.h"

namespace kiln::autodiff {

/// Arithmetic, activations and other elementwise ops.
void attachElementwiseGradients(mlir::MLIRContext *context);
/// Reductions (sum, mean, max, min, prod), cumulative sums.
void attachReductionGradients(mlir::MLIRContext *context);
/// Reshapes, transposes, slicing, padding, concatenation, gathers.
void attachShapeGradients(mlir::MLIRContext *context);
/// Matrix products, convolutions, pooling, softmax.
void attachNNGradients(mlir::MLIRContext *context);

} // namespace kiln::autodiff

#endif // KILN_AUTODIFF_GRADIENTRULES_H
