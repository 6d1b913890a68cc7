//===- GraphBuilder.cpp - Kiln graphs written as C++ calls ----------------===//

#include "kiln/Frontends/Native/GraphBuilder.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/GlobPattern.h"

#include <algorithm>

using namespace mlir;

namespace kiln::native {
namespace {

/// "[2, 3, 4]".
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// The element count of a checked static shape (dims of 1 or more). The
/// product is bounded so that a typo like 1000000 x 1000000 is an error, not
/// an overflow.
int64_t elementCount(ArrayRef<int64_t> shape) {
  constexpr int64_t kMaxElements = int64_t(1) << 40;
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 1)
      throw BuildError("every dim must be 1 or more, not " +
                       formatShape(shape));
    if (count > kMaxElements / dim)
      throw BuildError("the shape " + formatShape(shape) +
                       " has too many elements");
    count *= dim;
  }
  return count;
}

bool matchesAny(StringRef name, ArrayRef<std::string> patterns) {
  for (const std::string &pattern : patterns) {
    auto glob = llvm::GlobPattern::create(pattern);
    if (glob && glob->match(name))
      return true;
  }
  return false;
}

/// 64-bit FNV-1a.
uint64_t hashName(StringRef name) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : name)
    hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

/// The finalizer of SplitMix64: spreads nearby seeds far apart.
uint64_t mix(uint64_t value) {
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

} // namespace

GraphBuilder::GraphBuilder(MLIRContext &context, GraphOptions options)
    : context(&context), graphOptions(std::move(options)), builder(&context) {
  context.getOrLoadDialect<KilnDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  if (graphOptions.functionName.empty())
    throw BuildError("the function needs a name");
  for (const std::string &pattern : graphOptions.parametersAsInputs)
    if (auto glob = llvm::GlobPattern::create(pattern); !glob) {
      std::string message = llvm::toString(glob.takeError());
      throw BuildError("parametersAsInputs: bad pattern '" + pattern +
                       "': " + message);
    }
  Location location =
      NameLoc::get(StringAttr::get(&context, graphOptions.functionName));
  module = ModuleOp::create(location);
  builder.setInsertionPointToEnd(module->getBody());
  function = func::FuncOp::create(builder, location, graphOptions.functionName,
                                  builder.getFunctionType({}, {}));
  builder.setInsertionPointToEnd(function.addEntryBlock());
}

GraphBuilder::GraphBuilder(MLIRContext &context, StringRef functionName)
    : GraphBuilder(context, [&] {
        GraphOptions options;
        options.functionName = functionName.str();
        return options;
      }()) {}

GraphBuilder::~GraphBuilder() = default;

void GraphBuilder::fail(const llvm::Twine &message) const {
  std::string prefix;
  if (!scopes.empty()) {
    const Scope &scope = scopes.back();
    prefix = scope.kind;
    if (!scope.name.empty())
      prefix += " '" + scope.name + "'";
    prefix += ": ";
  }
  throw BuildError(prefix + message.str());
}

void GraphBuilder::checkOpen() const {
  if (finished)
    throw BuildError("the graph '" + graphOptions.functionName +
                     "' is finished; start a new GraphBuilder");
}

void GraphBuilder::checkNewName(StringRef name, StringRef what) const {
  if (name.empty())
    fail(what + " needs a name");
  bool taken = llvm::is_contained(inputNames, name) ||
               llvm::any_of(made, [&](const ParameterInfo &parameter) {
                 return parameter.name == name;
               });
  if (taken)
    fail(what + " '" + name +
         "': the name is taken (inputs and parameters need different names; "
         "give each layer its own name)");
}

Location GraphBuilder::currentLocation() {
  return scopes.empty() ? function.getLoc() : scopes.back().location;
}

GraphBuilder::Layer::Layer(GraphBuilder &graph, StringRef kind, StringRef name)
    : graph(graph) {
  graph.checkOpen();
  Location location =
      NameLoc::get(StringAttr::get(graph.context, name.empty() ? kind : name));
  graph.scopes.push_back({kind.str(), name.str(), location});
}

GraphBuilder::Layer::~Layer() { graph.scopes.pop_back(); }

Value GraphBuilder::input(StringRef name, ArrayRef<int64_t> shape) {
  checkOpen();
  checkNewName(name, "input");
  try {
    elementCount(shape);
  } catch (const BuildError &error) {
    fail("input '" + name + "': " + error.what());
  }
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  inputNames.push_back(name.str());
  return function.getBody().front().addArgument(type, currentLocation());
}

Value GraphBuilder::parameter(StringRef name, ArrayRef<int64_t> shape,
                              const Initializer &initializer) {
  checkOpen();
  checkNewName(name, "parameter");
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  std::vector<float> values;
  try {
    int64_t count = elementCount(shape);
    if (!matchesAny(name, graphOptions.parametersAsInputs))
      values = initializer.materialize(count);
  } catch (const BuildError &error) {
    fail("parameter '" + name + "': " + error.what());
  }
  ParameterInfo info{name.str(), SmallVector<int64_t>(shape), false};
  if (matchesAny(name, graphOptions.parametersAsInputs)) {
    info.isInput = true;
    made.push_back(std::move(info));
    inputNames.push_back(name.str());
    return function.getBody().front().addArgument(type, currentLocation());
  }
  made.push_back(std::move(info));
  auto constant =
      ConstantOp::create(builder, currentLocation(),
                         DenseElementsAttr::get(type, ArrayRef<float>(values)));
  constant->setAttr(kInitializerAttrName, builder.getStringAttr(name));
  return constant.getResult();
}

Value GraphBuilder::constant(ArrayRef<int64_t> shape, ArrayRef<float> values) {
  checkOpen();
  int64_t count = 0;
  try {
    count = elementCount(shape);
  } catch (const BuildError &error) {
    fail(std::string("constant: ") + error.what());
  }
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  DenseElementsAttr attribute;
  if (values.size() == 1)
    attribute = DenseElementsAttr::get(type, values.front());
  else if (static_cast<int64_t>(values.size()) == count)
    attribute = DenseElementsAttr::get(type, values);
  else
    fail("constant: " + std::to_string(values.size()) + " values for the " +
         std::to_string(count) + " elements of " + formatShape(shape));
  return ConstantOp::create(builder, currentLocation(), attribute);
}

Value GraphBuilder::scalar(float value) { return constant({}, {value}); }

void GraphBuilder::output(StringRef name, Value value) {
  checkOpen();
  if (name.empty())
    fail("an output needs a name");
  if (llvm::is_contained(outputNames, name))
    fail("output '" + name + "': the name is taken");
  typeOf(value, ("output '" + name + "'").str());
  outputNames.push_back(name.str());
  outputs.push_back(value);
}

RankedTensorType GraphBuilder::typeOf(Value value, StringRef what) {
  checkOpen();
  if (!value)
    fail(what + " is a null value");
  if (value.getParentRegion() != &function.getBody())
    fail(what + " is a value of another graph");
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.getElementType().isF32())
    fail(what + " must be an f32 tensor");
  return type;
}

uint64_t GraphBuilder::seedFor(StringRef parameterName) const {
  return mix(mix(graphOptions.seed) ^ hashName(parameterName));
}

Value GraphBuilder::finishOp(OperationState &state, InferTypes infer) {
  checkOpen();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diagnostic) {
    if (!diagnostics.empty())
      diagnostics += "; ";
    diagnostics += diagnostic.str();
    return success();
  });
  auto explain = [&]() -> std::string {
    if (!diagnostics.empty())
      return diagnostics;
    return "'" + state.name.getStringRef().str() + "' does not accept these " +
           "operands";
  };
  if (infer) {
    SmallVector<Type> types;
    if (failed(infer(types)))
      fail(explain());
    state.addTypes(types);
  }
  Operation *op = builder.create(state);
  if (failed(verify(op))) {
    op->erase();
    fail(explain());
  }
  return op->getResult(0);
}

func::FuncOp GraphBuilder::close() {
  checkOpen();
  if (outputs.empty())
    fail("the graph '" + graphOptions.functionName + "' has no outputs");
  Location location = function.getLoc();
  func::ReturnOp::create(builder, location, outputs);
  Block &body = function.getBody().front();
  SmallVector<Type> resultTypes;
  for (Value value : outputs)
    resultTypes.push_back(value.getType());
  function.setFunctionType(
      builder.getFunctionType(body.getArgumentTypes(), resultTypes));
  for (auto [index, name] : llvm::enumerate(inputNames))
    function.setArgAttr(index, "kiln.name", builder.getStringAttr(name));
  for (auto [index, name] : llvm::enumerate(outputNames))
    function.setResultAttr(index, "kiln.name", builder.getStringAttr(name));

  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diagnostic) {
      diagnostics += diagnostic.str();
      return success();
    });
    if (failed(verify(*module)))
      throw BuildError("the graph '" + graphOptions.functionName +
                       "' does not verify: " + diagnostics);
  }
  finished = true;
  return function;
}

OwningOpRef<ModuleOp> GraphBuilder::finish() {
  close();
  return std::move(module);
}

void GraphBuilder::finishInto(ModuleOp target) {
  checkOpen();
  if (!target)
    throw BuildError("finishInto: no module");
  if (target.getContext() != context)
    throw BuildError("finishInto: the module belongs to another MLIRContext");
  if (SymbolTable::lookupSymbolIn(target, graphOptions.functionName))
    throw BuildError("finishInto: the module already has '" +
                     graphOptions.functionName + "'");
  func::FuncOp closed = close();
  closed->remove();
  target.push_back(closed);
  module = nullptr;
}

} // namespace kiln::native
