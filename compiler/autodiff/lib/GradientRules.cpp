//===- GradientRules.cpp - Attaches every gradient rule to the kiln ops ---===//

#include "GradientRules.h"

#include "kiln/Autodiff/Autodiff.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

namespace kiln {

void registerGradientRules(mlir::DialectRegistry &registry) {
  registry.addExtension(+[](mlir::MLIRContext *context, KilnDialect *) {
    autodiff::attachElementwiseGradients(context);
    autodiff::attachReductionGradients(context);
    autodiff::attachShapeGradients(context);
    autodiff::attachNNGradients(context);
  });
}

} // namespace kiln
