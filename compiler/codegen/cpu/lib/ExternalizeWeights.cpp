//===- ExternalizeWeights.cpp - The kiln-externalize-weights pass ---------===//
//
// Turns the constant tensors of a module in the LLVM dialect into writable,
// zero-initialized globals, collects their bytes into one blob (the weights
// file), and describes the blob to the runtime with a `kiln_abi_weights`
// table. Layouts mirror runtime/include/kiln/module_abi.h field by field.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/CPU/Weights.h"
#include "kiln/module_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace kiln {
#define GEN_PASS_DEF_KILNEXTERNALIZEWEIGHTSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The bytes of one element of `type`, or 0 when the pass leaves constants
/// of this element type embedded (i1 and odd widths have no simple layout).
unsigned elementBytes(Type type) {
  unsigned bits = 0;
  if (auto integer = dyn_cast<IntegerType>(type))
    bits = integer.getWidth();
  else if (auto real = dyn_cast<FloatType>(type))
    bits = real.getWidth();
  return bits == 8 || bits == 16 || bits == 32 || bits == 64 ? bits / 8 : 0;
}

/// The row-major little-endian bytes of a constant's value, or nothing when
/// the pass cannot lay it out.
std::optional<std::vector<char>> constantBytes(Attribute value) {
  auto elements = dyn_cast_or_null<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  unsigned width = elementBytes(elements.getElementType());
  if (width == 0)
    return std::nullopt;
  uint64_t size = static_cast<uint64_t>(elements.getNumElements()) * width;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat() && raw.size() == width) {
      std::vector<char> bytes;
      bytes.reserve(size);
      for (int64_t i = 0, e = elements.getNumElements(); i < e; ++i)
        bytes.insert(bytes.end(), raw.begin(), raw.end());
      return bytes;
    }
    if (raw.size() == size)
      return std::vector<char>(raw.begin(), raw.end());
    return std::nullopt;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size)
      return std::nullopt;
    ArrayRef<char> raw = blob->getData();
    return std::vector<char>(raw.begin(), raw.end());
  }
  return std::nullopt;
}

/// One global moved to the weights file.
struct Segment {
  LLVM::GlobalOp global;
  uint64_t offset;
  uint64_t size;
};

/// Makes `global` writable and zero-initialized.
void zeroInitialize(LLVM::GlobalOp global) {
  global.setConstant(false);
  global.removeValueAttr();
  OpBuilder builder(global.getContext());
  Block *block = builder.createBlock(&global.getInitializerRegion());
  builder.setInsertionPointToStart(block);
  Value zero = LLVM::ZeroOp::create(builder, global.getLoc(), global.getType());
  LLVM::ReturnOp::create(builder, global.getLoc(), zero);
}

/// Emits the kiln_abi_weights table and its parts at the end of `module`.
class WeightsTableBuilder {
public:
  explicit WeightsTableBuilder(ModuleOp module)
      : context(module.getContext()), builder(context), loc(module.getLoc()),
        ptrType(LLVM::LLVMPointerType::get(context)),
        i32Type(IntegerType::get(context, 32)),
        i64Type(IntegerType::get(context, 64)) {
    builder.setInsertionPointToEnd(module.getBody());
  }

  void build(StringRef fileName, uint64_t byteSize, uint64_t hash,
             ArrayRef<Segment> segments);

private:
  using ValueBuilder = function_ref<Value(OpBuilder &)>;

  LLVM::GlobalOp createGlobal(Type type, StringRef name, bool isConstant,
                              ValueBuilder buildValue) {
    auto global =
        LLVM::GlobalOp::create(builder, loc, type, isConstant,
                               LLVM::Linkage::Internal, name, Attribute());
    OpBuilder init(context);
    init.setInsertionPointToStart(
        init.createBlock(&global.getInitializerRegion()));
    LLVM::ReturnOp::create(init, loc, buildValue(init));
    return global;
  }
  Value constant(OpBuilder &b, Type type, uint64_t value) {
    return LLVM::ConstantOp::create(
        b, loc, type, IntegerAttr::get(type, static_cast<int64_t>(value)));
  }
  Value insert(OpBuilder &b, Value container, Value value,
               ArrayRef<int64_t> position) {
    return LLVM::InsertValueOp::create(b, loc, container, value, position);
  }

  MLIRContext *context;
  OpBuilder builder;
  Location loc;
  Type ptrType, i32Type, i64Type;
};

void WeightsTableBuilder::build(StringRef fileName, uint64_t byteSize,
                                uint64_t hash, ArrayRef<Segment> segments) {
  // struct kiln_abi_weight_segment { uint64_t offset, size; void *dest; }
  auto segmentType =
      LLVM::LLVMStructType::getLiteral(context, {i64Type, i64Type, ptrType});
  auto segmentsType = LLVM::LLVMArrayType::get(segmentType, segments.size());
  LLVM::GlobalOp segmentTable = createGlobal(
      segmentsType, "__kiln_weight_segments", true, [&](OpBuilder &b) {
        Value array = LLVM::UndefOp::create(b, loc, segmentsType);
        for (auto [i, segment] : llvm::enumerate(segments)) {
          int64_t index = i;
          array = insert(b, array, constant(b, i64Type, segment.offset),
                         {index, 0});
          array =
              insert(b, array, constant(b, i64Type, segment.size), {index, 1});
          array = insert(b, array,
                         LLVM::AddressOfOp::create(b, loc, segment.global),
                         {index, 2});
        }
        return array;
      });
  LLVM::GlobalOp state =
      createGlobal(i32Type, "__kiln_weights_state", false, [&](OpBuilder &b) {
        return constant(b, i32Type, KILN_WEIGHTS_EMPTY);
      });
  std::string terminated = fileName.str();
  terminated.push_back('\0');
  auto name = LLVM::GlobalOp::create(
      builder, loc,
      LLVM::LLVMArrayType::get(IntegerType::get(context, 8), terminated.size()),
      /*isConstant=*/true, LLVM::Linkage::Internal, "__kiln_weights_file_name",
      builder.getStringAttr(terminated));

  // struct kiln_abi_weights { uint32_t magic, version; const char *file_name;
  //   uint64_t byte_size, fnv1a64; int32_t num_segments;
  //   const kiln_abi_weight_segment *segments; uint32_t *state; }
  auto tableType = LLVM::LLVMStructType::getLiteral(
      context,
      {i32Type, i32Type, ptrType, i64Type, i64Type, i32Type, ptrType, ptrType});
  createGlobal(tableType, kWeightsTableSymbol, true, [&](OpBuilder &b) {
    Value table = LLVM::UndefOp::create(b, loc, tableType);
    table = insert(b, table, constant(b, i32Type, KILN_WEIGHTS_MAGIC), {0});
    table = insert(b, table, constant(b, i32Type, KILN_WEIGHTS_VERSION), {1});
    table = insert(b, table, LLVM::AddressOfOp::create(b, loc, name), {2});
    table = insert(b, table, constant(b, i64Type, byteSize), {3});
    table = insert(b, table, constant(b, i64Type, hash), {4});
    table = insert(b, table, constant(b, i32Type, segments.size()), {5});
    table =
        insert(b, table, LLVM::AddressOfOp::create(b, loc, segmentTable), {6});
    table = insert(b, table, LLVM::AddressOfOp::create(b, loc, state), {7});
    return table;
  });
}

struct ExternalizeWeightsPass
    : impl::KilnExternalizeWeightsPassBase<ExternalizeWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (fileName.empty() || StringRef(fileName).contains('/') ||
        fileName == "." || fileName == "..") {
      module.emitError() << "the weights file name '" << fileName
                         << "' must be a plain file name without a folder";
      return signalPassFailure();
    }
    if (module.lookupSymbol(kWeightsTableSymbol) ||
        module->hasAttr(kWeightsAttrName)) {
      module.emitError() << "the module's weights were already externalized";
      return signalPassFailure();
    }

    std::vector<char> blob;
    SmallVector<Segment> segments;
    for (auto global : module.getOps<LLVM::GlobalOp>()) {
      // Kiln's own tables and messages stay in the code, and so does the
      // message convert-async-to-llvm adds for its abort path (parallel
      // loops): they are not tensors.
      if (!global.getConstant() || global.getSymName().starts_with("__kiln") ||
          global.getSymName().starts_with("assert_msg"))
        continue;
      std::optional<std::vector<char>> bytes =
          constantBytes(global.getValueOrNull());
      if (!bytes)
        continue;
      uint64_t offset = llvm::alignTo(blob.size(), kWeightsSegmentAlignment);
      blob.resize(offset, 0);
      blob.insert(blob.end(), bytes->begin(), bytes->end());
      segments.push_back({global, offset, bytes->size()});
    }
    for (Segment &segment : segments)
      zeroInitialize(segment.global);

    uint64_t hash = fnv1a64(blob);
    WeightsTableBuilder(module).build(fileName, blob.size(), hash, segments);

    Builder builder(&getContext());
    auto bytesType = RankedTensorType::get({static_cast<int64_t>(blob.size())},
                                           builder.getIntegerType(8));
    auto data = DenseResourceElementsAttr::get(
        bytesType, "kiln_weights",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(blob, alignof(uint64_t)));
    module->setAttr(
        kWeightsAttrName,
        builder.getDictionaryAttr({
            builder.getNamedAttr("file", builder.getStringAttr(fileName)),
            builder.getNamedAttr(
                "size",
                builder.getI64IntegerAttr(static_cast<int64_t>(blob.size()))),
            builder.getNamedAttr("fnv1a64", builder.getI64IntegerAttr(
                                                static_cast<int64_t>(hash))),
            builder.getNamedAttr("data", data),
        }));
  }
};

} // namespace

std::optional<WeightsBlob> takeWeightsBlob(ModuleOp module) {
  auto record = module->getAttrOfType<DictionaryAttr>(kWeightsAttrName);
  if (!record)
    return std::nullopt;
  module->removeAttr(kWeightsAttrName);
  WeightsBlob weights;
  if (auto file = record.getAs<StringAttr>("file"))
    weights.fileName = file.str();
  if (auto data = record.getAs<DenseResourceElementsAttr>("data"))
    if (AsmResourceBlob *blob = data.getRawHandle().getBlob())
      weights.bytes.assign(blob->getData().begin(), blob->getData().end());
  return weights;
}

} // namespace kiln
