//===- MergeDuplicateFunctions.cpp - kiln-merge-duplicate-functions -------===//
//
// async-parallel-for outlines every parallel loop into functions of its own
// (the loop body over a range of rows, and the dispatch that splits the range
// into tasks), also when several loops are the same loop on other buffers: an
// unrolled LSTM of 2 x 64 steps had 256 copies of its two gate loops, which
// LLVM optimized and compiled one by one. Private functions that are equal
// but for their names are merged into one, and their callers call it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMERGEDUPLICATEFUNCTIONSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Function equality but for the symbol name: attributes (visibility and
/// type included) and bodies, locations ignored.
struct FunctionContentInfo : llvm::DenseMapInfo<func::FuncOp> {
  static unsigned getHashValue(const func::FuncOp constFunction) {
    auto function = const_cast<func::FuncOp &>(constFunction);
    if (!function || function == getEmptyKey() || function == getTombstoneKey())
      return llvm::DenseMapInfo<func::FuncOp>::getHashValue(function);
    llvm::hash_code hash = {};
    StringAttr nameAttr = function.getSymNameAttrName();
    for (NamedAttribute attribute : function->getAttrs())
      if (attribute.getName() != nameAttr)
        hash = llvm::hash_combine(hash, attribute);
    function.getBody().walk([&](Operation *op) {
      hash = llvm::hash_combine(hash,
                                OperationEquivalence::computeHash(
                                    op, OperationEquivalence::ignoreHashValue,
                                    OperationEquivalence::ignoreHashValue,
                                    OperationEquivalence::IgnoreLocations));
    });
    return hash;
  }

  static bool isEqual(const func::FuncOp constLhs,
                      const func::FuncOp constRhs) {
    auto lhs = const_cast<func::FuncOp &>(constLhs);
    auto rhs = const_cast<func::FuncOp &>(constRhs);
    if (lhs == rhs)
      return true;
    if (!lhs || !rhs || lhs == getEmptyKey() || rhs == getEmptyKey() ||
        lhs == getTombstoneKey() || rhs == getTombstoneKey())
      return false;
    if (lhs->getAttrDictionary().size() != rhs->getAttrDictionary().size())
      return false;
    StringAttr nameAttr = lhs.getSymNameAttrName();
    for (NamedAttribute attribute : lhs->getAttrs())
      if (attribute.getName() != nameAttr &&
          attribute.getValue() != rhs->getAttr(attribute.getName()))
        return false;
    return OperationEquivalence::isRegionEquivalentTo(
        &lhs.getBody(), &rhs.getBody(), OperationEquivalence::IgnoreLocations);
  }
};

struct MergeDuplicateFunctionsPass
    : impl::KilnMergeDuplicateFunctionsPassBase<MergeDuplicateFunctionsPass> {
  void runOnOperation() override {
    // Merging callees can make their callers equal (a dispatch function per
    // loop calls its own body): repeat until nothing merges.
    while (mergeOnce()) {
    }
  }

  /// Merges each private function into the first equal one; whether any was.
  bool mergeOnce() {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> candidates;
    for (auto function : module.getOps<func::FuncOp>())
      // Public functions are entry points, whose names are what they are.
      if (function.isPrivate() && !function.isExternal())
        candidates.push_back(function);
    // A dispatch function calls itself (for each half of its range): its
    // calls of itself are named alike in every function while comparing.
    auto self = StringAttr::get(&getContext(), "__kiln_merge_self");
    for (func::FuncOp function : candidates)
      if (failed(SymbolTable::replaceAllSymbolUses(function.getSymNameAttr(),
                                                   self, function)))
        return fail(function);

    llvm::DenseSet<func::FuncOp, FunctionContentInfo> representatives;
    SmallVector<std::pair<func::FuncOp, func::FuncOp>> merged;
    for (func::FuncOp function : candidates) {
      auto [representative, inserted] = representatives.insert(function);
      if (!inserted)
        merged.push_back({function, *representative});
    }
    for (auto [duplicate, representative] : merged) {
      if (failed(SymbolTable::replaceAllSymbolUses(
              duplicate.getSymNameAttr(), representative.getSymNameAttr(),
              module)))
        return fail(duplicate);
      duplicate.erase();
    }
    for (func::FuncOp function : representatives)
      if (failed(SymbolTable::replaceAllSymbolUses(
              self, function.getSymNameAttr(), function)))
        return fail(function);
    return !merged.empty();
  }

  bool fail(func::FuncOp function) {
    function.emitError("cannot rename the uses of this function");
    signalPassFailure();
    return false;
  }
};

} // namespace
} // namespace kiln
