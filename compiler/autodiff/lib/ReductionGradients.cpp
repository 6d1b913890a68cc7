//===- ReductionGradients.cpp - Gradient rules of kiln reductions ---===//

#include "GradientRules.h"

using namespace mlir;

namespace kiln::autodiff {

void attachReductionGradients(MLIRContext *context) { (void)context; }

} // namespace kiln::autodiff
