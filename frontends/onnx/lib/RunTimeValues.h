//===- RunTimeValues.h - Sequences and optionals decided at run time ------===//
//
// Most ONNX sequences and optionals are resolved while importing (see
// ImportedValue.h). Control flow whose condition or trip count is known only
// at run time can decide them at run time: a Loop that grows a sequence, an
// If whose branches yield sequences of different lengths or an optional in
// one branch only. Such values are held in tensors (SequenceTensors, and a
// presence flag for optionals), built and read here with kiln ops, so that
// the rest of the compiler sees only tensors.
//
// ValueLayout says how a value crosses the boundary of an scf region (the
// results of an If, the loop-carried values of a Loop): as which tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_RUNTIMEVALUES_H
#define KILN_FRONTENDS_ONNX_RUNTIMEVALUES_H

#include "ImportedValue.h"
#include "NodeContext.h"

#include "mlir/IR/ValueRange.h"
#include "llvm/Support/Error.h"

namespace kiln::onnx_import {

//===--- Sequences held in tensors ----------------------------------------===//

/// `position` (a one-element integer tensor) as a rank-0 i64, plus `length`
/// (a rank-0 i64) when it is negative: ONNX's positions from the end.
llvm::Expected<mlir::Value>
positionFromEnd(NodeContext &context, mlir::Value position, mlir::Value length);

/// A sequence without elements, of `elementType` tensors.
llvm::Expected<SequenceTensors> emptySequenceTensors(NodeContext &context,
                                                     mlir::Type elementType);

/// `value` (a sequence of either kind) held in tensors.
llvm::Expected<SequenceTensors> toSequenceTensors(NodeContext &context,
                                                  const ImportedValue &value);

/// `sequence` with `tensor` inserted before `position` (a one-element integer
/// tensor in [-n, n], checked at run time), or appended when it is null.
llvm::Expected<SequenceTensors> insertIntoSequence(NodeContext &context,
                                                   SequenceTensors sequence,
                                                   mlir::Value tensor,
                                                   mlir::Value position);

/// `sequence` without the element at `position` (in [-n, n), checked at run
/// time), or without its last element when `position` is null.
llvm::Expected<SequenceTensors> eraseFromSequence(NodeContext &context,
                                                  SequenceTensors sequence,
                                                  mlir::Value position);

/// The number of elements, as a rank-0 i64 tensor.
llvm::Expected<mlir::Value> sequenceLength(NodeContext &context,
                                           const SequenceTensors &sequence);

/// Element `position` (in [-n, n), checked at run time); the elements must
/// have one rank, which the result has, with dims `?`.
llvm::Expected<mlir::Value> sequenceElementAt(NodeContext &context,
                                              const SequenceTensors &sequence,
                                              mlir::Value position);

//===--- Values across region boundaries ----------------------------------===//

/// The tensors a value is passed as when it leaves or enters an scf region.
struct ValueLayout {
  ImportedValue::Kind kind = ImportedValue::Tensor;
  /// Tensor: one type; Sequence (a list): one per element; RunTimeOptional
  /// holding a tensor: the content's.
  llvm::SmallVector<mlir::Type> types;
  /// RunTimeSequence, or RunTimeOptional with `holdsSequence`.
  mlir::Type elementType;
  uint32_t ranks = 0;
  bool holdsSequence = false;

  bool operator==(const ValueLayout &other) const {
    return kind == other.kind && types == other.types &&
           elementType == other.elementType && ranks == other.ranks &&
           holdsSequence == other.holdsSequence;
  }
  /// The types of the tensors the value is passed as.
  llvm::SmallVector<mlir::Type> tensorTypes() const;
};

/// The layout of `value` as it is (a list stays a list).
ValueLayout layoutOf(const ImportedValue &value);

/// A layout that both `a` and `b` (the two branches of an If, or a Loop's
/// carried value before and after an iteration) can be passed as. Lists of
/// one length and ranks stay lists unless `listsAsTensors` (a Loop's
/// sequences change length); `what` names the value in errors.
llvm::Expected<ValueLayout>
joinLayouts(NodeContext &context, const ValueLayout &a, const ValueLayout &b,
            bool listsAsTensors, const llvm::Twine &what);

/// The tensors that pass `value` as `layout`, built at the builder's insertion
/// point (converting a list to tensors, making placeholders for an empty
/// optional's content, casting to the layout's types).
llvm::Expected<llvm::SmallVector<mlir::Value>>
passAs(NodeContext &context, const ImportedValue &value,
       const ValueLayout &layout, const llvm::Twine &what);

/// The value that `tensors` (as many as layout.tensorTypes()) pass.
ImportedValue receiveAs(mlir::ValueRange tensors, const ValueLayout &layout);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_RUNTIMEVALUES_H
