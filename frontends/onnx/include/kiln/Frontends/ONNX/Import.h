//===- Import.h - ONNX models to the kiln dialect -------------------------===//
//
// Reads a `.onnx` file with Protobuf (2 GiB cap), runs the ONNX library's
// checker, converts it to opset 17 with the ONNX version converter, expands ops
// that ONNX defines as functions of other ops when Kiln has no converter for
// them, runs ONNX shape inference (with data propagation), and converts every
// node to kiln ops. The result is one public function `@forward` whose
// arguments and results carry the graph's input and output names (`kiln.name`).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORT_H
#define KILN_FRONTENDS_ONNX_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::onnx_import {

/// The opset every model is converted to before import.
inline constexpr int64_t kTargetOpset = 17;

/// An error that means "Kiln cannot import this (yet)", as opposed to "this
/// model is invalid". Import errors of this kind keep this type, so callers can
/// tell them apart (llvm::handleErrors) — the conformance runner counts them as
/// unsupported.
class UnsupportedError : public llvm::ErrorInfo<UnsupportedError> {
public:
  static char ID;
  explicit UnsupportedError(std::string reason) : reason(std::move(reason)) {}
  void log(llvm::raw_ostream &os) const override { os << reason; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  std::string reason;
};

struct ImportOptions {
  /// Sizes for inputs with symbolic dims, by input name ("--shape
  /// x=1x3x224x224").
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
  /// Graph inputs that are sequences: the shape of each element (-1 for a dim
  /// known only at run time), by input name. Kiln compiles sequences of a
  /// length known in advance: each element becomes an input of its own,
  /// named "name[i]" (and a sequence output one output per element).
  std::vector<std::pair<std::string, std::vector<std::vector<int64_t>>>>
      sequenceInputs;
  /// Graph inputs that are optionals holding nothing; every other optional
  /// input holds its element (a tensor input, or a sequence as above).
  std::vector<std::string> emptyOptionalInputs;
  /// The semantics the graph is imported with. Inference: as written, with
  /// BatchNormalization's running statistics as constants. Evaluation: as
  /// PyTorch's model.eval(), whatever mode the nodes were exported in
  /// (BatchNormalization on its running statistics, Dropout off); the
  /// running statistics stay named initializers marked kiln.statistic (never
  /// trained), so a trainer can pass in their updated values. Training: as
  /// PyTorch's model.train(): every BatchNormalization normalizes with the
  /// batch's statistics and the function returns its updated running
  /// statistics as extra results (marked kiln.updates); every Dropout with a
  /// non-zero ratio drops, with masks seeded by an extra argument (marked
  /// kiln.dropout_seed).
  enum class Mode { Inference, Evaluation, Training };
  Mode mode = Mode::Inference;
};

/// A node Kiln cannot import, and why.
struct UnsupportedNode {
  int64_t index; ///< position in its graph's node list
  std::string name;
  std::string opType;
  std::string reason;
};

/// Imports the model at `path` into a new module in `context`. Errors name the
/// file, and for node problems the node (name, op type, index) and the reason.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(mlir::MLIRContext &context, llvm::StringRef path,
            const ImportOptions &options = {});

/// Every node of the model at `path` that cannot be imported (empty when all
/// can). Errors are returned only for files that cannot be loaded at all.
llvm::Expected<std::vector<UnsupportedNode>>
findUnsupportedNodes(mlir::MLIRContext &context, llvm::StringRef path,
                     const ImportOptions &options = {});

/// Registers the dialects the importer creates ops in.
void loadImportDialects(mlir::MLIRContext &context);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_IMPORT_H
