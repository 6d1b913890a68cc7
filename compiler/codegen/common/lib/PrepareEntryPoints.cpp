//===- PrepareEntryPoints.cpp - The kiln-prepare-entry-points pass --------===//
//
// Public functions are what the runtime calls. Their signatures (names, dtypes,
// shapes) must survive until the LLVM dialect, where `kiln-emit-runtime-abi`
// writes them into the module's ABI table, but lowering erases tensor types; so
// they are recorded here, while still at the tensor level, in the module
// attribute `kiln.entry_points`.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"
#include "kiln/Codegen/RuntimeTypes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPREPAREENTRYPOINTSPASS
#include "kiln/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Numbers the run-time dims of one function's signature: dims with the same
/// name (`kiln.dim_names`, e.g. ONNX's "batch") share a symbol, and unnamed
/// ones each get their own.
class SymbolTable {
public:
  int64_t symbolFor(StringRef name) {
    if (name.empty())
      return next++;
    auto [it, inserted] = named.try_emplace(name, next);
    if (inserted)
      ++next;
    return it->second;
  }

private:
  llvm::StringMap<int64_t> named;
  int64_t next = 0;
};

/// Describes one input or output as {name, dtype, shape}, where a run-time dim
/// is recorded as -(symbol + 1), or fails with a diagnostic.
static FailureOr<DictionaryAttr> describeValue(func::FuncOp func,
                                               StringRef kind, unsigned index,
                                               Type type, DictionaryAttr attrs,
                                               SymbolTable &symbols) {
  Builder builder(func.getContext());
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return func.emitError() << kind << " #" << index << " of @"
                            << func.getSymName() << " has type " << type
                            << "; entry points take and return ranked tensors";
  std::optional<kiln_dtype> dtype =
      getRuntimeDtype(tensorType.getElementType());
  if (!dtype)
    return func.emitError()
           << kind << " #" << index << " of @" << func.getSymName()
           << " has element type " << tensorType.getElementType()
           << ", which the runtime does not support";
  if (tensorType.getRank() > KILN_ABI_MAX_RANK)
    return func.emitError()
           << kind << " #" << index << " of @" << func.getSymName()
           << " has rank " << tensorType.getRank()
           << "; the runtime supports up to " << KILN_ABI_MAX_RANK;
  std::string name;
  if (auto given =
          attrs ? attrs.getAs<StringAttr>(kValueNameAttrName) : StringAttr())
    name = given.str();
  else
    name = (kind == "input" ? "input_" : "output_") + std::to_string(index);
  auto dimNames =
      attrs ? attrs.getAs<ArrayAttr>(kDimNamesAttrName) : ArrayAttr();
  if (dimNames && static_cast<int64_t>(dimNames.size()) != tensorType.getRank())
    return func.emitError()
           << kind << " #" << index << " of @" << func.getSymName() << " has "
           << dimNames.size() << " " << kDimNamesAttrName << " for rank "
           << tensorType.getRank();
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(tensorType.getShape())) {
    if (!ShapedType::isDynamic(size)) {
      shape.push_back(size);
      continue;
    }
    StringRef dimName;
    if (dimNames)
      if (auto text = dyn_cast<StringAttr>(dimNames[d]))
        dimName = text.getValue();
    int64_t symbol = symbols.symbolFor(dimName);
    if (symbol >= KILN_ABI_MAX_SYMBOLS)
      return func.emitError() << "@" << func.getSymName() << " has more than "
                              << KILN_ABI_MAX_SYMBOLS << " run-time dimensions";
    shape.push_back(-(symbol + 1));
  }
  return builder.getDictionaryAttr({
      builder.getNamedAttr("name", builder.getStringAttr(name)),
      builder.getNamedAttr("dtype", builder.getI32IntegerAttr(*dtype)),
      builder.getNamedAttr("shape", builder.getDenseI64ArrayAttr(shape)),
  });
}

/// Fails when two values of the same kind share a name.
static LogicalResult checkUniqueNames(func::FuncOp func, StringRef kind,
                                      ArrayRef<Attribute> values) {
  llvm::StringSet<> seen;
  for (Attribute value : values) {
    StringRef name =
        cast<StringAttr>(cast<DictionaryAttr>(value).get("name")).getValue();
    if (!seen.insert(name).second)
      return func.emitError() << "two " << kind << "s of @" << func.getSymName()
                              << " are both named '" << name << "'";
  }
  return success();
}

static FailureOr<DictionaryAttr> prepareEntryPoint(func::FuncOp func) {
  Builder builder(func.getContext());
  SmallVector<Attribute> inputs, outputs;
  SymbolTable symbols;
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto value = describeValue(func, "input", index, type,
                               func.getArgAttrDict(index), symbols);
    if (failed(value))
      return failure();
    inputs.push_back(*value);
    // Compiled code must never write into the caller's input tensors.
    func.setArgAttr(index,
                    bufferization::BufferizationDialect::kWritableAttrName,
                    builder.getBoolAttr(false));
  }
  for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
    auto value = describeValue(func, "output", index, type,
                               func.getResultAttrDict(index), symbols);
    if (failed(value))
      return failure();
    outputs.push_back(*value);
  }
  if (failed(checkUniqueNames(func, "input", inputs)) ||
      failed(checkUniqueNames(func, "output", outputs)))
    return failure();
  // The names now live in the signature record; dropping them keeps dialect
  // attributes off the LLVM-level function arguments.
  for (StringRef attrName : {kValueNameAttrName, kDimNamesAttrName}) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, attrName);
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, builder.getStringAttr(attrName));
  }
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                builder.getUnitAttr());
  return builder.getDictionaryAttr({
      builder.getNamedAttr("name", func.getSymNameAttr()),
      builder.getNamedAttr("inputs", builder.getArrayAttr(inputs)),
      builder.getNamedAttr("outputs", builder.getArrayAttr(outputs)),
  });
}

struct PrepareEntryPointsPass
    : impl::KilnPrepareEntryPointsPassBase<PrepareEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Attribute> entryPoints;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      auto entryPoint = prepareEntryPoint(func);
      if (failed(entryPoint))
        return signalPassFailure();
      entryPoints.push_back(*entryPoint);
    }
    module->setAttr(kEntryPointsAttrName,
                    ArrayAttr::get(module.getContext(), entryPoints));
  }
};

} // namespace
} // namespace kiln
