//===- Differentiate.cpp - Pass kiln-differentiate ------------------------===//

#include "kiln/Autodiff/Autodiff.h"
#include "kiln/Autodiff/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDIFFERENTIATEPASS
#include "kiln/Autodiff/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct DifferentiatePass : impl::KilnDifferentiatePassBase<DifferentiatePass> {
  using KilnDifferentiatePassBase::KilnDifferentiatePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto function = module.lookupSymbol<func::FuncOp>(this->function);
    if (!function) {
      module.emitError() << "kiln-differentiate: no function '"
                         << this->function << "'";
      return signalPassFailure();
    }
    std::string vjpName =
        name.empty() ? this->function + "_vjp" : std::string(name);
    if (SymbolTable::lookupSymbolIn(module, vjpName)) {
      module.emitError() << "kiln-differentiate: '" << vjpName
                         << "' already exists";
      return signalPassFailure();
    }
    if (failed(buildVjp(function, vjpName)))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
