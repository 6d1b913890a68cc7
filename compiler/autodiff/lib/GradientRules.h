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

} // namespace kiln::autodiff

#endif // KILN_AUTODIFF_GRADIENTRULES_H
