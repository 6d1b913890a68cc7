//===- EmitRuntimeAbi.cpp - The kiln-emit-runtime-abi pass ----------------===//
//
// Writes, in the LLVM dialect, the data and code that make a compiled module
// loadable by Kiln's runtime: the `kiln_abi_module` table and one uniform entry
// point per function. The layouts mirror runtime/include/kiln/module_abi.h
// field by field.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/Passes.h"
#include "kiln/module_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_KILNEMITRUNTIMEABIPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Builds the LLVM globals of the ABI table at the end of a module.
class AbiTableBuilder {
public:
  AbiTableBuilder(ModuleOp module)
      : module(module), context(module.getContext()), builder(context),
        loc(module.getLoc()), ptrType(LLVM::LLVMPointerType::get(context)),
        i32Type(IntegerType::get(context, 32)),
        i64Type(IntegerType::get(context, 64)) {
    builder.setInsertionPointToEnd(module.getBody());
    // struct kiln_abi_value { const char *name; int32_t dtype; int32_t rank;
    //                         const int64_t *dims; }
    valueType = LLVM::LLVMStructType::getLiteral(
        context, {ptrType, i32Type, i32Type, ptrType});
    // struct kiln_abi_function { const char *name; entry; int32_t num_inputs;
    //                            int32_t num_outputs; inputs; outputs;
    //                            int32_t num_errors; errors; }
    functionType = LLVM::LLVMStructType::getLiteral(
        context, {ptrType, ptrType, i32Type, i32Type, ptrType, ptrType, i32Type,
                  ptrType});
    // struct kiln_abi_module { uint32_t magic; uint32_t abi_version;
    //                          int32_t num_functions; functions; producer; }
    moduleType = LLVM::LLVMStructType::getLiteral(
        context, {i32Type, i32Type, i32Type, ptrType, ptrType});
  }

  LogicalResult build(ArrayAttr entryPoints, StringRef producer);

private:
  using ValueBuilder = function_ref<Value(OpBuilder &)>;

  /// A constant global whose value is computed by `buildValue` in its
  /// initializer.
  LLVM::GlobalOp createGlobal(Type type, StringRef name, LLVM::Linkage linkage,
                              ValueBuilder buildValue) {
    auto global = LLVM::GlobalOp::create(
        builder, loc, type, /*isConstant=*/true, linkage, name, Attribute());
    OpBuilder initBuilder(context);
    initBuilder.setInsertionPointToStart(
        initBuilder.createBlock(&global.getInitializerRegion()));
    LLVM::ReturnOp::create(initBuilder, loc, buildValue(initBuilder));
    return global;
  }

  LLVM::GlobalOp createString(StringRef name, StringRef text) {
    std::string terminated = text.str();
    terminated.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(context, 8),
                                         terminated.size());
    return LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Internal, name,
                                  builder.getStringAttr(terminated));
  }

  Value address(OpBuilder &b, LLVM::GlobalOp global) {
    return LLVM::AddressOfOp::create(b, loc, global);
  }
  Value nullPointer(OpBuilder &b) {
    return LLVM::ZeroOp::create(b, loc, ptrType);
  }
  Value i32Constant(OpBuilder &b, int64_t value) {
    return LLVM::ConstantOp::create(b, loc, i32Type, value);
  }
  Value insert(OpBuilder &b, Value container, Value value,
               ArrayRef<int64_t> position) {
    return LLVM::InsertValueOp::create(b, loc, container, value, position);
  }

  /// The array of kiln_abi_value for one function's inputs or outputs.
  LLVM::GlobalOp createValueArray(StringRef prefix, ArrayAttr values);
  FailureOr<LLVM::LLVMFuncOp> createEntry(StringRef symbolPrefix,
                                          DictionaryAttr entryPoint);
  LLVM::LLVMStructType descriptorType(int64_t rank);
  LLVM::LLVMFuncOp getOrCreateSetjmp();
  LLVM::GlobalOp createErrorTable(StringRef prefix, ArrayAttr errors);

public:
  /// Gives `__kiln_fail` (declared by kiln-lower-assertions) its body.
  LogicalResult defineFailFunction();

private:
  ModuleOp module;
  MLIRContext *context;
  OpBuilder builder;
  Location loc;
  Type ptrType, i32Type, i64Type;
  LLVM::LLVMStructType valueType, functionType, moduleType;
};

LLVM::GlobalOp AbiTableBuilder::createValueArray(StringRef prefix,
                                                 ArrayAttr values) {
  SmallVector<LLVM::GlobalOp> names, dims;
  SmallVector<int32_t> dtypes, ranks;
  for (auto [index, attr] : llvm::enumerate(values)) {
    auto value = cast<DictionaryAttr>(attr);
    std::string valuePrefix = (prefix + "_" + Twine(index)).str();
    names.push_back(createString(
        valuePrefix + "_name", cast<StringAttr>(value.get("name")).getValue()));
    dtypes.push_back(cast<IntegerAttr>(value.get("dtype")).getInt());
    // Dynamic dims are already recorded as -1, the ABI's spelling.
    ArrayRef<int64_t> stored =
        cast<DenseI64ArrayAttr>(value.get("shape")).asArrayRef();
    ranks.push_back(stored.size());
    if (stored.empty()) {
      dims.push_back(nullptr);
      continue;
    }
    auto arrayType = LLVM::LLVMArrayType::get(i64Type, stored.size());
    dims.push_back(LLVM::GlobalOp::create(
        builder, loc, arrayType, /*isConstant=*/true, LLVM::Linkage::Internal,
        valuePrefix + "_dims",
        DenseElementsAttr::get(
            RankedTensorType::get({static_cast<int64_t>(stored.size())},
                                  i64Type),
            stored)));
  }
  auto arrayType = LLVM::LLVMArrayType::get(valueType, values.size());
  return createGlobal(
      arrayType, prefix, LLVM::Linkage::Internal, [&](OpBuilder &b) {
        Value array = LLVM::UndefOp::create(b, loc, arrayType);
        for (size_t i = 0; i < names.size(); ++i) {
          int64_t index = i;
          array = insert(b, array, address(b, names[i]), {index, 0});
          array = insert(b, array, i32Constant(b, dtypes[i]), {index, 1});
          array = insert(b, array, i32Constant(b, ranks[i]), {index, 2});
          array =
              insert(b, array, dims[i] ? address(b, dims[i]) : nullPointer(b),
                     {index, 3});
        }
        return array;
      });
}

/// The LLVM struct of a rank-`rank` memref descriptor.
LLVM::LLVMStructType AbiTableBuilder::descriptorType(int64_t rank) {
  if (rank == 0)
    return LLVM::LLVMStructType::getLiteral(context,
                                            {ptrType, ptrType, i64Type});
  auto array = LLVM::LLVMArrayType::get(i64Type, rank);
  return LLVM::LLVMStructType::getLiteral(
      context, {ptrType, ptrType, i64Type, array, array});
}

/// Whether an output (from the signature record) has a run-time size: the
/// function then allocates it and returns it instead of writing a parameter.
static bool isFunctionAllocated(DictionaryAttr value) {
  return llvm::any_of(cast<DenseI64ArrayAttr>(value.get("shape")).asArrayRef(),
                      [](int64_t dim) { return dim < 0; });
}

FailureOr<LLVM::LLVMFuncOp>
AbiTableBuilder::createEntry(StringRef symbolPrefix,
                             DictionaryAttr entryPoint) {
  StringRef name = cast<StringAttr>(entryPoint.get("name")).getValue();
  auto inputs = cast<ArrayAttr>(entryPoint.get("inputs"));
  auto outputs = cast<ArrayAttr>(entryPoint.get("outputs"));
  auto errors = entryPoint.getAs<ArrayAttr>("errors");
  bool hasContext = errors && !errors.empty();
  SmallVector<unsigned> staticOutputs, dynamicOutputs;
  for (auto [index, value] : llvm::enumerate(outputs))
    (isFunctionAllocated(cast<DictionaryAttr>(value)) ? dynamicOutputs
                                                      : staticOutputs)
        .push_back(index);

  std::string cInterfaceName = ("_mlir_ciface_" + name).str();
  auto cInterface = module.lookupSymbol<LLVM::LLVMFuncOp>(cInterfaceName);
  if (!cInterface)
    return module.emitError()
           << "entry point @" << name << " has no C interface @"
           << cInterfaceName << " (was it lowered with llvm.emit_c_interface?)";
  // _mlir_ciface_f(results?, inputs..., static outputs..., context?)
  size_t numArguments = (dynamicOutputs.empty() ? 0 : 1) + inputs.size() +
                        staticOutputs.size() + (hasContext ? 1 : 0);
  LLVM::LLVMFunctionType cType = cInterface.getFunctionType();
  if (cType.getNumParams() != numArguments ||
      !llvm::all_of(cType.getParams(), [&](Type t) { return t == ptrType; }) ||
      !isa<LLVM::LLVMVoidType>(cType.getReturnType()))
    return cInterface.emitError()
           << "C interface of @" << name << " does not take " << numArguments
           << " descriptor pointers and return nothing; was "
              "kiln-outputs-to-params "
              "run?";

  auto entryType = LLVM::LLVMFunctionType::get(i32Type, {ptrType});
  auto entry =
      LLVM::LLVMFuncOp::create(builder, loc, (symbolPrefix + "_entry").str(),
                               entryType, LLVM::Linkage::Internal);
  OpBuilder body(context);
  body.setInsertionPointToStart(entry.addEntryBlock(body));
  Value descriptors = entry.getArgument(0);
  auto slot = [&](size_t index) -> Value {
    Value address = LLVM::GEPOp::create(
        body, loc, ptrType, ptrType, descriptors,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
    return LLVM::LoadOp::create(body, loc, ptrType, address);
  };
  Value one = LLVM::ConstantOp::create(body, loc, i64Type, 1);

  SmallVector<Value> arguments;
  // Results: one output's slot is already a descriptor of the right layout;
  // several need a struct of descriptors, copied out after the call.
  LLVM::LLVMStructType resultsType;
  Value results;
  if (dynamicOutputs.size() == 1) {
    arguments.push_back(slot(inputs.size() + dynamicOutputs.front()));
  } else if (!dynamicOutputs.empty()) {
    SmallVector<Type> members;
    for (unsigned index : dynamicOutputs)
      members.push_back(
          descriptorType(cast<DenseI64ArrayAttr>(
                             cast<DictionaryAttr>(outputs[index]).get("shape"))
                             .size()));
    resultsType = LLVM::LLVMStructType::getLiteral(context, members);
    results = LLVM::AllocaOp::create(body, loc, ptrType, resultsType, one);
    arguments.push_back(results);
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    arguments.push_back(slot(i));
  for (unsigned index : staticOutputs)
    arguments.push_back(slot(inputs.size() + index));

  Block *callBlock = nullptr;
  if (hasContext) {
    // A memref<64xi64> descriptor of a jmp_buf on this frame, armed here:
    // __kiln_fail longjmps back with the failed check's number.
    LLVM::LLVMStructType contextType = descriptorType(1);
    auto bufferType = LLVM::LLVMArrayType::get(i64Type, 64);
    Value buffer =
        LLVM::AllocaOp::create(body, loc, ptrType, bufferType, one, 16);
    Value contextValue = LLVM::UndefOp::create(body, loc, contextType);
    contextValue = insert(body, contextValue, buffer, {0});
    contextValue = insert(body, contextValue, buffer, {1});
    contextValue = insert(body, contextValue,
                          LLVM::ConstantOp::create(body, loc, i64Type, 0), {2});
    contextValue =
        insert(body, contextValue,
               LLVM::ConstantOp::create(body, loc, i64Type, 64), {3, 0});
    contextValue = insert(body, contextValue, one, {4, 0});
    Value context =
        LLVM::AllocaOp::create(body, loc, ptrType, contextType, one);
    LLVM::StoreOp::create(body, loc, contextValue, context);
    arguments.push_back(context);

    Value status =
        LLVM::CallOp::create(body, loc, getOrCreateSetjmp(), ValueRange{buffer})
            .getResult();
    Value zero = i32Constant(body, 0);
    Value armed =
        LLVM::ICmpOp::create(body, loc, LLVM::ICmpPredicate::eq, status, zero);
    Block *failBlock = body.createBlock(&entry.getBody());
    callBlock = body.createBlock(&entry.getBody());
    body.setInsertionPointToEnd(&entry.getBody().front());
    LLVM::CondBrOp::create(body, loc, armed, callBlock, failBlock);
    body.setInsertionPointToStart(failBlock);
    LLVM::ReturnOp::create(body, loc, status);
    body.setInsertionPointToStart(callBlock);
  }

  LLVM::CallOp::create(body, loc, cInterface, arguments);
  if (resultsType) {
    for (auto [member, index] : llvm::enumerate(dynamicOutputs)) {
      Type memberType = resultsType.getBody()[member];
      Value address = LLVM::GEPOp::create(
          body, loc, ptrType, resultsType, results,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(member)});
      Value descriptor = LLVM::LoadOp::create(body, loc, memberType, address);
      LLVM::StoreOp::create(body, loc, descriptor, slot(inputs.size() + index));
    }
  }
  LLVM::ReturnOp::create(body, loc, i32Constant(body, 0));
  return entry;
}

LLVM::LLVMFuncOp AbiTableBuilder::getOrCreateSetjmp() {
  // _setjmp/_longjmp (POSIX) leave the signal mask alone: plain setjmp saves
  // it with a system call on every run.
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>("_setjmp"))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  auto setjmp = LLVM::LLVMFuncOp::create(
      builder, loc, "_setjmp", LLVM::LLVMFunctionType::get(i32Type, {ptrType}));
  // setjmp returns twice: the optimizer must not keep values in registers
  // across it.
  setjmp.setPassthroughAttr(
      builder.getArrayAttr({builder.getStringAttr("returns_twice")}));
  return setjmp;
}

LogicalResult AbiTableBuilder::defineFailFunction() {
  auto fail = module.lookupSymbol<LLVM::LLVMFuncOp>(kFailFunctionName);
  if (!fail)
    return success(); // no entry point has run-time checks
  if (!fail.isExternal())
    return fail.emitError()
           << "@" << kFailFunctionName << " is already defined";
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  auto longjmp = module.lookupSymbol<LLVM::LLVMFuncOp>("_longjmp");
  if (!longjmp) {
    longjmp = LLVM::LLVMFuncOp::create(
        builder, loc, "_longjmp",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {ptrType, i32Type}));
    longjmp.setPassthroughAttr(
        builder.getArrayAttr({builder.getStringAttr("noreturn")}));
  }
  fail.setLinkage(LLVM::Linkage::Internal);
  OpBuilder body(context);
  body.setInsertionPointToStart(fail.addEntryBlock(body));
  Value buffer =
      LLVM::IntToPtrOp::create(body, loc, ptrType, fail.getArgument(0));
  LLVM::CallOp::create(body, loc, longjmp,
                       ValueRange{buffer, fail.getArgument(1)});
  LLVM::UnreachableOp::create(body, loc);
  return success();
}

LLVM::GlobalOp AbiTableBuilder::createErrorTable(StringRef prefix,
                                                 ArrayAttr errors) {
  SmallVector<LLVM::GlobalOp> messages;
  for (auto [index, message] : llvm::enumerate(errors))
    messages.push_back(createString((prefix + "_" + Twine(index)).str(),
                                    cast<StringAttr>(message).getValue()));
  auto arrayType = LLVM::LLVMArrayType::get(ptrType, messages.size());
  return createGlobal(arrayType, prefix, LLVM::Linkage::Internal,
                      [&](OpBuilder &b) {
                        Value array = LLVM::UndefOp::create(b, loc, arrayType);
                        for (auto [index, message] : llvm::enumerate(messages))
                          array = insert(b, array, address(b, message),
                                         {static_cast<int64_t>(index)});
                        return array;
                      });
}

LogicalResult AbiTableBuilder::build(ArrayAttr entryPoints,
                                     StringRef producer) {
  struct FunctionRecord {
    LLVM::GlobalOp name, inputs, outputs, errors;
    LLVM::LLVMFuncOp entry;
    int32_t numInputs, numOutputs, numErrors;
  };
  SmallVector<FunctionRecord> records;
  for (auto [index, attr] : llvm::enumerate(entryPoints)) {
    auto entryPoint = cast<DictionaryAttr>(attr);
    StringRef name = cast<StringAttr>(entryPoint.get("name")).getValue();
    auto inputs = cast<ArrayAttr>(entryPoint.get("inputs"));
    auto outputs = cast<ArrayAttr>(entryPoint.get("outputs"));
    std::string prefix = "__kiln_abi_f" + std::to_string(index);
    FailureOr<LLVM::LLVMFuncOp> entry = createEntry(prefix, entryPoint);
    if (failed(entry))
      return failure();
    auto errors = entryPoint.getAs<ArrayAttr>("errors");
    records.push_back({createString(prefix + "_name", name),
                       createValueArray(prefix + "_inputs", inputs),
                       createValueArray(prefix + "_outputs", outputs),
                       errors && !errors.empty()
                           ? createErrorTable(prefix + "_errors", errors)
                           : LLVM::GlobalOp(),
                       *entry, static_cast<int32_t>(inputs.size()),
                       static_cast<int32_t>(outputs.size()),
                       static_cast<int32_t>(errors ? errors.size() : 0)});
  }

  auto functionsType = LLVM::LLVMArrayType::get(functionType, records.size());
  LLVM::GlobalOp functions = createGlobal(
      functionsType, "__kiln_abi_functions", LLVM::Linkage::Internal,
      [&](OpBuilder &b) {
        Value array = LLVM::UndefOp::create(b, loc, functionsType);
        for (auto [i, record] : llvm::enumerate(records)) {
          int64_t index = i;
          array = insert(b, array, address(b, record.name), {index, 0});
          array =
              insert(b, array, LLVM::AddressOfOp::create(b, loc, record.entry),
                     {index, 1});
          array =
              insert(b, array, i32Constant(b, record.numInputs), {index, 2});
          array =
              insert(b, array, i32Constant(b, record.numOutputs), {index, 3});
          array = insert(b, array, address(b, record.inputs), {index, 4});
          array = insert(b, array, address(b, record.outputs), {index, 5});
          array =
              insert(b, array, i32Constant(b, record.numErrors), {index, 6});
          array =
              insert(b, array,
                     record.errors ? address(b, record.errors) : nullPointer(b),
                     {index, 7});
        }
        return array;
      });
  LLVM::GlobalOp producerString = createString("__kiln_abi_producer", producer);
  createGlobal(
      moduleType, KILN_ABI_SYMBOL, LLVM::Linkage::External, [&](OpBuilder &b) {
        Value table = LLVM::UndefOp::create(b, loc, moduleType);
        table = insert(b, table, i32Constant(b, KILN_ABI_MAGIC), {0});
        table = insert(b, table, i32Constant(b, KILN_ABI_VERSION), {1});
        table = insert(b, table, i32Constant(b, records.size()), {2});
        table = insert(b, table, address(b, functions), {3});
        table = insert(b, table, address(b, producerString), {4});
        return table;
      });
  return success();
}

struct EmitRuntimeAbiPass
    : impl::KilnEmitRuntimeAbiPassBase<EmitRuntimeAbiPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto entryPoints = module->getAttrOfType<ArrayAttr>(kEntryPointsAttrName);
    if (!entryPoints) {
      module.emitError() << "no '" << kEntryPointsAttrName
                         << "' attribute: run kiln-prepare-entry-points before "
                            "lowering to the LLVM dialect";
      return signalPassFailure();
    }
    if (module.lookupSymbol(KILN_ABI_SYMBOL)) {
      module.emitError() << "the module already defines " << KILN_ABI_SYMBOL;
      return signalPassFailure();
    }
    AbiTableBuilder tables(module);
    if (failed(tables.build(entryPoints, producer)) ||
        failed(tables.defineFailFunction()))
      return signalPassFailure();
    // Everything it said is now in the table; LLVM IR has no use for it.
    module->removeAttr(kEntryPointsAttrName);
  }
};

} // namespace
} // namespace kiln
