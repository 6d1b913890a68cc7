//===- NodeContext.h - What an op converter sees of its ONNX node ---------===//
//
// Converters (lib/ops/*.cpp, one file per op family) get a NodeContext: typed
// access to the node's inputs, attributes and constant operands, a way to build
// kiln ops that reports a type error as an llvm::Error instead of aborting, and
// a place to put the node's outputs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_NODECONTEXT_H
#define KILN_FRONTENDS_ONNX_NODECONTEXT_H

#include "ImportedValue.h"

#include "kiln/Frontends/ONNX/Import.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <unordered_map>

namespace kiln::onnx_import {

class GraphImporter;

class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              int64_t index, mlir::OpBuilder &builder, mlir::Location loc);

  const onnx::NodeProto &node;
  const int64_t index;
  mlir::OpBuilder &builder;
  const mlir::Location loc;

  //===--- Inputs ---------------------------------------------------------===//

  size_t numInputs() const { return node.input_size(); }
  /// Whether input `i` is present (ONNX marks omitted optional inputs with "").
  bool hasInput(size_t i) const {
    return i < numInputs() && !node.input(i).empty();
  }
  /// Input `i`, or an error when it is missing.
  llvm::Expected<mlir::Value> input(size_t i) const;
  /// Input `i`, or a null value when it is omitted.
  mlir::Value optionalInput(size_t i) const;
  /// The type of input `i` (which must be present).
  mlir::RankedTensorType inputType(size_t i) const;

  /// The constant contents of input `i` when they are known at import time.
  mlir::DenseElementsAttr constantInput(size_t i) const;
  /// Input `i` as integers (a shape, axes, pads, ...), when known at import
  /// time: from a constant or from ONNX's data propagation.
  std::optional<llvm::SmallVector<int64_t>> constantInts(size_t i) const;
  /// Like constantInts, but an UnsupportedError naming `what` when not known.
  llvm::Expected<llvm::SmallVector<int64_t>>
  requireConstantInts(size_t i, llvm::StringRef what) const;

  /// The tensor an ONNX name in scope stands for, or null (for ops such as
  /// Gradient that name values in attributes).
  mlir::Value tensorNamed(llvm::StringRef name) const;
  /// Input `i` whatever it is (tensor, sequence, empty optional), or an error
  /// when it is missing. Only converters registered with
  /// ConverterRegistry::addTakingNonTensors see anything but tensors.
  llvm::Expected<ImportedValue> valueInput(size_t i) const;
  /// Input `i` as a sequence, or an error when it is not one.
  llvm::Expected<ImportedSequence> sequenceInput(size_t i) const;

  //===--- Attributes -----------------------------------------------------===//

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  bool hasAttribute(llvm::StringRef name) const {
    return attribute(name) != nullptr;
  }
  int64_t intAttribute(llvm::StringRef name, int64_t fallback) const;
  float floatAttribute(llvm::StringRef name, float fallback) const;
  std::string stringAttribute(llvm::StringRef name,
                              llvm::StringRef fallback) const;
  llvm::SmallVector<int64_t>
  intsAttribute(llvm::StringRef name,
                llvm::ArrayRef<int64_t> fallback = {}) const;
  llvm::SmallVector<float> floatsAttribute(llvm::StringRef name) const;
  /// A tensor-valued attribute as elements.
  llvm::Expected<mlir::DenseElementsAttr>
  tensorAttribute(llvm::StringRef name) const;

  //===--- Outputs --------------------------------------------------------===//

  size_t numOutputs() const { return node.output_size(); }
  bool hasOutput(size_t i) const {
    return i < numOutputs() && !node.output(i).empty();
  }
  /// The type ONNX shape inference gave output `i`, or null.
  mlir::RankedTensorType inferredOutputType(size_t i) const;
  /// What ONNX shape inference says of the tensors of sequence output `i`
  /// (unranked when it does not know their rank), or null.
  mlir::TensorType inferredSequenceElementType(size_t i) const;
  void setOutput(size_t i, mlir::Value value);
  /// Sets output `i` to a tensor, a sequence or an empty optional (nothing
  /// when the node leaves that output out).
  void setValueOutput(size_t i, ImportedValue value);
  /// Sets output `i` to a sequence.
  void setSequenceOutput(size_t i, ImportedSequence sequence) {
    setValueOutput(i, ImportedValue::ofSequence(std::move(sequence)));
  }

  //===--- Subgraphs ------------------------------------------------------===//

  /// The graph attribute `name`, or an error when the node has none.
  llvm::Expected<const onnx::GraphProto *>
  graphAttribute(llvm::StringRef name) const;
  /// Imports `graph` (one of this node's graph attributes) once with its
  /// inputs bound to `inputs`, and returns its outputs.
  llvm::Expected<llvm::SmallVector<ImportedValue>>
  importSubgraph(const onnx::GraphProto &graph,
                 llvm::ArrayRef<ImportedValue> inputs);

  //===--- Training (ImportOptions::mode) ---------------------------------===//

  /// The semantics the graph is imported with.
  ImportOptions::Mode mode() const;
  /// Makes `next` (a training-mode BatchNormalization's updated running
  /// statistic) a result of the function, as the next value of the
  /// initializer that input `index` reads. An error when that input is not
  /// an initializer or the node is inside a subgraph.
  llvm::Error updateInitializer(size_t index, mlir::Value next);
  /// Binds the ONNX name of input `index` to `value` from here on (for this
  /// node and every later reader).
  void redefineInput(size_t index, mlir::Value value);
  /// The rank-0 i64 argument that seeds training-mode Dropout masks (added
  /// to the function on first use).
  mlir::Value dropoutSeed();

  //===--- Building ops ---------------------------------------------------===//

  /// Builds a single-result op whose result type it infers, then folds it when
  /// possible. A type error (operands that do not fit the op) becomes an
  /// llvm::Error naming the node instead of aborting. `args` are the op's ODS
  /// builder arguments after the result type.
  template <typename OpTy, typename... Args>
  llvm::Expected<mlir::Value> create(Args &&...args) {
    mlir::OperationState state(loc, OpTy::getOperationName());
    OpTy::build(builder, state, builder.getNoneType(),
                std::forward<Args>(args)...);
    return finishInferredOp(state);
  }

  /// A kiln constant of `type` holding `value` in every element.
  mlir::Value splat(mlir::RankedTensorType type, double value);
  /// A rank-0 or [1] kiln constant of `elementType` holding `value`.
  mlir::Value scalar(mlir::Type elementType, double value, int64_t rank = 0);
  /// A kiln constant with the given elements.
  mlir::Value constant(mlir::DenseElementsAttr value);

  //===--- Errors ---------------------------------------------------------===//

  /// "Kiln cannot import this node (yet)".
  llvm::Error unsupported(const llvm::Twine &reason) const;
  /// "This node is invalid".
  llvm::Error invalid(const llvm::Twine &reason) const;
  /// Emits a run-time check that the i1 `condition` holds: a `cf.assert`,
  /// which the CPU back end turns into an error return of the call whose
  /// message names this node and says `message`.
  void emitCheck(mlir::Value condition, const llvm::Twine &message);

private:
  llvm::Expected<mlir::Value> finishInferredOp(mlir::OperationState &state);
  /// Erases `op`, which did not verify, and returns the error: unsupported
  /// when an operand is a string tensor, else invalid with `message`.
  llvm::Error rejectOp(mlir::Operation *op, const std::string &message) const;

  GraphImporter &importer;
};

/// The element type Kiln uses for an ONNX element type, or an UnsupportedError.
/// STRING (`!kiln.string`) only with `allowString`: for values (graph inputs
/// and outputs, Cast targets), not for constants or generated data.
llvm::Expected<mlir::Type> elementTypeFromOnnx(mlir::MLIRContext *context,
                                               int32_t onnxType,
                                               bool allowString = false);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_NODECONTEXT_H
