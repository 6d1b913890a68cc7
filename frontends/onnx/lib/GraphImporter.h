//===- GraphImporter.h - One ONNX graph to one kiln function --------------===//

#ifndef KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H
#define KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H

#include "ImportedValue.h"
#include "ModelLoader.h"

#include "kiln/Frontends/ONNX/Import.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>

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

  /// The tensor called `name`, or null when it is not defined (yet) or is not
  /// a tensor.
  mlir::Value lookup(llvm::StringRef name) const;
  void define(llvm::StringRef name, mlir::Value value);
  /// Whatever `name` stands for, or nothing when it is not defined (yet).
  std::optional<ImportedValue> lookupValue(llvm::StringRef name) const;
  /// Binds `name` to a tensor, a sequence or an empty optional.
  void defineValue(llvm::StringRef name, ImportedValue value);
  /// Imports `graph` (a node's subgraph attribute) once, with its inputs bound
  /// to `inputs`, and returns its outputs. Names it defines are visible only
  /// inside; it reads outer names as ONNX scoping allows. `owner` names the
  /// node that holds the graph, for diagnostics.
  llvm::Expected<llvm::SmallVector<ImportedValue>>
  importSubgraph(const onnx::GraphProto &graph,
                 llvm::ArrayRef<ImportedValue> inputs, llvm::StringRef owner);

  /// The type ONNX (shape inference or the graph's declarations) gives `name`.
  mlir::RankedTensorType declaredType(llvm::StringRef name) const;
  /// What ONNX declares for the tensors of sequence `name` (unranked when it
  /// does not know their rank), or null.
  mlir::TensorType declaredSequenceElementType(llvm::StringRef name) const;
  /// The data ONNX's propagation computed for `name`, or null.
  const onnx::TensorShapeProto *propagatedData(llvm::StringRef name) const;
  /// Converts an initializer or tensor attribute to elements.
  llvm::Expected<mlir::DenseElementsAttr>
  convertTensor(const onnx::TensorProto &tensor);
  /// A kiln constant, shared with any identical one already built.
  mlir::Value constant(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::DenseElementsAttr value);

  mlir::MLIRContext &getContext() { return context; }

  //===--- Training (ImportOptions::mode) ---------------------------------===//

  ImportOptions::Mode mode() const { return options.mode; }
  /// Whether a subgraph (If, Loop, Scan body) is being imported.
  bool inSubgraph() const { return !scopes.empty(); }
  /// Returns `next` from the function as the next value of initializer
  /// `name` (a result marked kiln.updates); false when `name` already has
  /// one.
  bool addInitializerUpdate(llvm::StringRef name, mlir::Value next);
  /// The argument seeding Dropout masks in training mode, added on first use.
  mlir::Value dropoutSeed();

private:
  /// Runs every node; with `collect` set, records unsupported nodes instead of
  /// stopping at the first.
  llvm::Error importGraph(std::vector<UnsupportedNode> *collect);
  llvm::Error createFunction();
  /// Renames a sequence or an empty optional for Identity, whose converter
  /// takes tensors only; false when the input is a tensor.
  bool aliasNonTensor(const onnx::NodeProto &node);
  /// Checks that the sequence called `name` has the element type and shapes
  /// ONNX infers for it.
  llvm::Error checkSequenceOutput(llvm::StringRef name,
                                  const ImportedSequence &sequence);
  llvm::Error importNode(const onnx::NodeProto &node, int64_t index);
  llvm::Error checkOutputs(const onnx::NodeProto &node, mlir::Location loc);
  llvm::Error finishFunction();

  //===--- Control flow (ControlFlow.cpp) ---------------------------------===//

  /// Whether `node` is an If, Loop or Scan, which the importer converts
  /// itself (their subgraphs need it).
  static bool isControlFlow(const onnx::NodeProto &node);
  llvm::Error importControlFlow(NodeContext &context);
  llvm::Error importIf(NodeContext &context);
  /// An If under a run-time condition: an scf.if (whose branches may yield
  /// sequences and optionals).
  llvm::Error importRunTimeIf(NodeContext &context, mlir::Value condition,
                              const onnx::GraphProto &thenGraph,
                              const onnx::GraphProto &elseGraph);
  llvm::Error importLoop(NodeContext &context);
  llvm::Error importScan(NodeContext &context);
  /// Imports the body of the Loop `plan` describes into `block`, whose
  /// arguments become the iteration number (an index) and the loop-carried
  /// values.
  llvm::Expected<LoopBody> importLoopBody(NodeContext &context,
                                          const LoopPlan &plan,
                                          mlir::Block *block);
  /// Imports the body of a Loop into a new block (owned by `owner`), widening
  /// the layouts of `plan`'s loop-carried sequences and optionals until the
  /// body's outputs fit them, and passes those outputs as tensors.
  llvm::Expected<LoopBody>
  importLoopBodyAndLayouts(NodeContext &context, LoopPlan &plan,
                           mlir::Block *&block,
                           std::unique_ptr<mlir::Block> &owner);
  /// Imports `graph` as importTensorSubgraph does, but its inputs and
  /// outputs may be sequences and optionals too.
  llvm::Expected<llvm::SmallVector<ImportedValue>>
  importValueSubgraph(const onnx::GraphProto &graph,
                      llvm::ArrayRef<ImportedValue> inputs,
                      llvm::StringRef what);
  /// Imports `graph` (a branch or loop body) at the builder's insertion point,
  /// with `inputs` bound to its inputs, and returns its outputs. The
  /// subgraph's nodes read values of the enclosing graphs; its own values
  /// are forgotten afterwards. `what` names it in errors.
  llvm::Expected<llvm::SmallVector<mlir::Value>>
  importTensorSubgraph(const onnx::GraphProto &graph, mlir::ValueRange inputs,
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
  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<mlir::RankedTensorType> declaredTypes;
  /// What ONNX declares for the tensors of sequences (unranked when it does
  /// not know their rank).
  llvm::StringMap<mlir::TensorType> declaredSequenceElementTypes;
  /// The subgraphs being imported, outermost first, for diagnostics.
  llvm::SmallVector<std::string> scopes;
  /// Training mode's extra results: initializer names and their next values.
  llvm::SmallVector<std::pair<std::string, mlir::Value>> initializerUpdates;
  mlir::Value dropoutSeedArgument;
  /// Nodes imported from subgraphs so far (each Loop iteration and SequenceMap
  /// element imports its body again), and the most that may be.
  int64_t subgraphNodesImported = 0;
  static constexpr int64_t kMaxSubgraphNodes = int64_t(1) << 18;
};

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H
