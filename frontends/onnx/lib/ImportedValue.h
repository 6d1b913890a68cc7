//===- ImportedValue.h - What an ONNX name stands for while importing ----===//
//
// ONNX values are tensors, sequences, maps or optionals. Kiln compiles
// tensors; sequences and optionals are resolved while importing: a sequence
// whose length is known is a list of tensors, and an optional whose presence
// is known is either its content or nothing.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORTEDVALUE_H
#define KILN_FRONTENDS_ONNX_IMPORTEDVALUE_H

#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace kiln::onnx_import {

/// An ONNX sequence whose length is known when importing: its tensors, in
/// order, and their element type (which an empty sequence still has). Kiln
/// has no run-time sequence type; sequence ops work on this list.
struct ImportedSequence {
  llvm::SmallVector<mlir::Value> elements;
  mlir::Type elementType;
  /// Why some elements are null: Kiln knows how many there are but cannot
  /// build them (SplitToSequence with part sizes known only at run time).
  /// SequenceLength, SequenceInsert and SequenceErase work all the same;
  /// anything that reads a null element reports this reason.
  std::string unbuiltReason;
};

/// What an ONNX name stands for while importing: a tensor, a sequence, or an
/// optional known to be empty. (An optional that holds something is that
/// thing: whether it does is known when importing.)
struct ImportedValue {
  enum Kind { Tensor, Sequence, EmptyOptional };
  Kind kind = Tensor;
  mlir::Value tensor;        ///< for Tensor
  ImportedSequence sequence; ///< for Sequence

  static ImportedValue ofTensor(mlir::Value value) {
    return {Tensor, value, {}};
  }
  static ImportedValue ofSequence(ImportedSequence sequence) {
    return {Sequence, nullptr, std::move(sequence)};
  }
  static ImportedValue emptyOptional() { return {EmptyOptional, nullptr, {}}; }
};

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_IMPORTEDVALUE_H
