//===- Passes.h - Reverse-mode autodiff of kiln graphs --------------------===//

#ifndef KILN_AUTODIFF_PASSES_H
#define KILN_AUTODIFF_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Autodiff/Passes.h.inc"

} // namespace kiln

#endif // KILN_AUTODIFF_PASSES_H
