//===- Import.cpp - ONNX models to the kiln dialect -----------------------===//

#include "kiln/Frontends/ONNX/Import.h"

#include "ConverterRegistry.h"
#include "GraphImporter.h"
#include "ModelLoader.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace kiln::onnx_import {

void loadImportDialects(mlir::MLIRContext &context) {
  context.loadDialect<KilnDialect, mlir::func::FuncDialect,
                      mlir::tensor::TensorDialect>();
}

static llvm::Expected<std::unique_ptr<LoadedModel>> load(llvm::StringRef path) {
  const ConverterRegistry &registry = ConverterRegistry::get();
  return loadModelFile(
      path, [&](const std::string &domain, const std::string &opType) {
        return registry.lookup(domain, opType) != nullptr;
      });
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(mlir::MLIRContext &context, llvm::StringRef path,
            const ImportOptions &options) {
  loadImportDialects(context);
  auto loaded = load(path);
  if (!loaded)
    return loaded.takeError();
  return GraphImporter(context, **loaded, options).import();
}

llvm::Expected<std::vector<UnsupportedNode>>
findUnsupportedNodes(mlir::MLIRContext &context, llvm::StringRef path,
                     const ImportOptions &options) {
  loadImportDialects(context);
  auto loaded = load(path);
  if (!loaded)
    return loaded.takeError();
  return GraphImporter(context, **loaded, options).findUnsupported();
}

} // namespace kiln::onnx_import
