//===- ImportedValue.h - What an ONNX name stands for while importing ----===//
//
// ONNX values are tensors, sequences, maps or optionals. Kiln compiles
// tensors; sequences and optionals are resolved while importing where they
// can be: a sequence whose length is known is a list of tensors, and an
// optional whose presence is known is either its content or nothing. Where
// control flow decides them at run time (a Loop that grows a sequence, an If
// whose branches yield different sequences or optionals), they are held in
// tensors: a sequence in a values tensor and an index tensor (the layout is
// KILN_SEQUENCE_INDEX_COLUMNS in kiln/runtime.h), an optional in a flag and
// its content.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORTEDVALUE_H
#define KILN_FRONTENDS_ONNX_IMPORTEDVALUE_H

#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kiln::onnx_import {

/// An ONNX sequence whose length is known when importing: its tensors, in
/// order, and their element type (which an empty sequence still has).
struct ImportedSequence {
  llvm::SmallVector<mlir::Value> elements;
  mlir::Type elementType;
  /// Why some elements are null: Kiln knows how many there are but cannot
  /// build them (SplitToSequence with part sizes known only at run time).
  /// SequenceLength, SequenceInsert and SequenceErase work all the same;
  /// anything that reads a null element reports this reason.
  std::string unbuiltReason;
};

/// An ONNX sequence whose length is known only at run time, held in two
/// tensors: `values` (tensor<?xT>: the elements' data one after another,
/// each in row-major order) and `index` (tensor<?xCxi64> with C =
/// KILN_SEQUENCE_INDEX_COLUMNS: per element its offset into `values`, its
/// rank and its dims, then zeros).
struct SequenceTensors {
  mlir::Value values;
  mlir::Value index;
  mlir::Type elementType;
  /// The ranks its elements may have: bit r for rank r.
  uint32_t ranks = 0;

  /// The rank of every element, when only one is possible.
  std::optional<int64_t> uniformRank() const {
    if (ranks == 0 || (ranks & (ranks - 1)) != 0)
      return std::nullopt;
    int64_t rank = 0;
    while (!(ranks & (1u << rank)))
      ++rank;
    return rank;
  }
};

/// What an ONNX name stands for while importing.
struct ImportedValue {
  enum Kind {
    Tensor,          ///< `tensor`
    Sequence,        ///< `sequence`, of a length known now
    EmptyOptional,   ///< an optional known to hold nothing
    RunTimeSequence, ///< `sequenceTensors`
    /// An optional whose presence is known only at run time: `present` (a
    /// rank-0 i1 tensor) says whether it holds its content, which is `tensor`
    /// or, with `holdsSequence`, `sequenceTensors` (a placeholder of the
    /// right types when it holds nothing). An optional known to hold
    /// something is that thing.
    RunTimeOptional,
  };
  Kind kind = Tensor;
  mlir::Value tensor;
  ImportedSequence sequence;
  SequenceTensors sequenceTensors;
  mlir::Value present;
  bool holdsSequence = false;

  static ImportedValue ofTensor(mlir::Value value) {
    ImportedValue result;
    result.tensor = value;
    return result;
  }
  static ImportedValue ofSequence(ImportedSequence sequence) {
    ImportedValue result;
    result.kind = Sequence;
    result.sequence = std::move(sequence);
    return result;
  }
  static ImportedValue ofSequenceTensors(SequenceTensors tensors) {
    ImportedValue result;
    result.kind = RunTimeSequence;
    result.sequenceTensors = tensors;
    return result;
  }
  static ImportedValue emptyOptional() {
    ImportedValue result;
    result.kind = EmptyOptional;
    return result;
  }
  /// An optional holding `content` (a tensor or a run-time sequence) when
  /// `present` is true at run time.
  static ImportedValue ofRunTimeOptional(mlir::Value present,
                                         const ImportedValue &content) {
    ImportedValue result = content;
    result.kind = RunTimeOptional;
    result.present = present;
    result.holdsSequence = content.kind == RunTimeSequence;
    return result;
  }
  /// The content of a RunTimeOptional, as a value of its own.
  ImportedValue content() const {
    return holdsSequence ? ofSequenceTensors(sequenceTensors)
                         : ofTensor(tensor);
  }
  bool isSequence() const {
    return kind == Sequence || kind == RunTimeSequence;
  }
};

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_IMPORTEDVALUE_H
