//===- FlattenConstantGlobals.cpp - The kiln-flatten-constant-globals pass ===//
//
// A weight of shape [512, 512, 3, 3] becomes an LLVM global of nested array
// type, and translation to LLVM IR builds one constant per innermost row of
// it: hundreds of thousands of tiny constants per filter, which made
// translating ResNet-50 take 15 s. Its bytes do not depend on the nesting, and
// every user addresses it through an opaque pointer, so the global is given a
// flat array type with the same elements, which translates as one block.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFLATTENCONSTANTGLOBALSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The innermost element type of a nested LLVM array type, and how many
/// elements the nesting holds; null for a type that is not a nested array.
std::pair<Type, int64_t> flattenArrayType(Type type) {
  int64_t count = 1;
  int depth = 0;
  while (auto array = dyn_cast<LLVM::LLVMArrayType>(type)) {
    count *= array.getNumElements();
    type = array.getElementType();
    ++depth;
  }
  if (depth < 2)
    return {nullptr, 0};
  return {type, count};
}

/// `value` as a 1-D attribute of `count` elements, or null when it is not a
/// dense or resource-backed elements attribute.
Attribute flattenValue(Attribute value, int64_t count) {
  auto elements = dyn_cast_or_null<ShapedType>(
      isa_and_nonnull<ElementsAttr>(value) ? cast<ElementsAttr>(value).getType()
                                           : Type());
  if (!elements || elements.getNumElements() != count)
    return nullptr;
  auto flatType = RankedTensorType::get({count}, elements.getElementType());
  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value))
    return dense.reshape(flatType);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(flatType, resource.getRawHandle());
  return nullptr;
}

struct FlattenConstantGlobalsPass
    : impl::KilnFlattenConstantGlobalsPassBase<FlattenConstantGlobalsPass> {
  void runOnOperation() override {
    getOperation().walk([](LLVM::GlobalOp global) {
      auto [elementType, count] = flattenArrayType(global.getGlobalType());
      // Booleans are packed differently in attributes and in memory.
      if (!elementType || !(isa<FloatType>(elementType) ||
                            elementType.getIntOrFloatBitWidth() >= 8))
        return;
      Attribute flat = flattenValue(global.getValueOrNull(), count);
      if (!flat)
        return;
      global.setGlobalType(LLVM::LLVMArrayType::get(elementType, count));
      global.setValueAttr(flat);
    });
  }
};

} // namespace
} // namespace kiln
