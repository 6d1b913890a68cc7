//===- GraphImporter.h - One ONNX graph to one kiln function --------------===//

#ifndef KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H
#define KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H

#include "ModelLoader.h"

#include "kiln/Frontends/ONNX/Import.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace kiln::onnx_import {

class NodeContext;
struct LoopPlan;
struct LoopBody;

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, LoadedModel &model,
                const ImportOptions &options);

  /// Imports the main graph; stops at the first node that cannot be imported.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> import();

  /// Converts every node it can and returns the ones it cannot.
  llvm::Expected<std::vector<UnsupportedNode>> findUnsupported();

  //===--- For NodeContext ------------------------------------------------===//

  /// The value called `name`, or null when it is not defined (yet).
  mlir::Value lookup(llvm::StringRef name) const;
  void define(llvm::StringRef name, mlir::Value value);
  /// The type ONNX (shape inference or the graph's declarations) gives `name`.
  mlir::RankedTensorType declaredType(llvm::StringRef name) const;
  /// The data ONNX's propagation computed for `name`, or null.
  const onnx::TensorShapeProto *propagatedData(llvm::StringRef name) const;
  /// Converts an initializer or tensor attribute to elements.
  llvm::Expected<mlir::DenseElementsAttr>
  convertTensor(const onnx::TensorProto &tensor);
  /// A kiln constant, shared with any identical one already built.
  mlir::Value constant(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::DenseElementsAttr value);

  mlir::MLIRContext &getContext() { return context; }

private:
  /// Runs every node; with `collect` set, records unsupported nodes instead of
  /// stopping at the first.
  llvm::Error importGraph(std::vector<UnsupportedNode> *collect);
  llvm::Error createFunction();
  llvm::Error importNode(const onnx::NodeProto &node, int64_t index);
  llvm::Error checkOutputs(const onnx::NodeProto &node, mlir::Location loc);
  llvm::Error finishFunction();

  //===--- Control flow (ControlFlow.cpp) ---------------------------------===//

  /// Whether `node` is an If, Loop or Scan, which the importer converts
  /// itself (their subgraphs need it).
  static bool isControlFlow(const onnx::NodeProto &node);
  llvm::Error importControlFlow(NodeContext &context);
  llvm::Error importIf(NodeContext &context);
  llvm::Error importLoop(NodeContext &context);
  llvm::Error importScan(NodeContext &context);
  /// Imports the body of the Loop `plan` describes into `block`, whose
  /// arguments become the iteration number (an index) and the loop-carried
  /// values.
  llvm::Expected<LoopBody> importLoopBody(NodeContext &context,
                                          const LoopPlan &plan,
                                          mlir::Block *block);
  /// Imports `graph` (a branch or loop body) at the builder's insertion point,
  /// with `inputs` bound to its inputs, and returns its outputs. The
  /// subgraph's nodes read values of the enclosing graphs; its own values
  /// are forgotten afterwards. `what` names it in errors.
  llvm::Expected<llvm::SmallVector<mlir::Value>>
  importSubgraph(const onnx::GraphProto &graph, mlir::ValueRange inputs,
                 llvm::StringRef what);
  mlir::Location nodeLocation(const onnx::NodeProto &node, int64_t index);
  std::string describeNode(const onnx::NodeProto &node, int64_t index) const;

  mlir::MLIRContext &context;
  LoadedModel &model;
  const ImportOptions &options;
  mlir::OpBuilder builder;
  mlir::Location fileLoc;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp function;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<mlir::RankedTensorType> declaredTypes;
};

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H
