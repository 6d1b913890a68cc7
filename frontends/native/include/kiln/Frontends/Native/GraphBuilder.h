//===- GraphBuilder.h - Kiln graphs written as C++ calls ------------------===//
//
// The native frontend: a program builds a model as C++ calls instead of
// loading a file. A GraphBuilder makes a kiln module with one function; its
// inputs, parameters (float `kiln.constant`s named by `kiln.initializer`, so
// that kiln::buildTrainStep trains them) and outputs come from the calls
// below, and the layers of Layers.h are plain functions on its values:
//
//   driver::Compiler compiler;
//   native::GraphBuilder g(compiler.getContext());     // function "forward"
//   mlir::Value x = g.input("x", {32, 784});
//   x = native::relu(g, native::linear(g, "fc1", x, 128));
//   g.output("logits", native::linear(g, "fc2", x, 10));
//   mlir::OwningOpRef<mlir::ModuleOp> module = g.finish();
//
// Mistakes (a shape that does not fit, a repeated name, a value of another
// graph) throw a BuildError whose message names the layer; no builder call
// creates an op that does not verify.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_NATIVE_GRAPHBUILDER_H
#define KILN_FRONTENDS_NATIVE_GRAPHBUILDER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln::native {

/// A mistake in a graph being built: a shape that does not fit, a repeated or
/// unknown name, a bad argument. The message names the layer.
class BuildError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// How a parameter's first values are made. Random initializers draw from a
/// 64-bit Mersenne Twister seeded with `seed` and turn its numbers into floats
/// themselves (not with <random>'s distributions, which differ between
/// standard libraries), so a seed gives the same values everywhere.
struct Initializer {
  enum class Kind { Zeros, Ones, Uniform, Normal, Values };
  Kind kind = Kind::Zeros;
  /// Uniform: the interval [low, high). Normal: the mean and the standard
  /// deviation.
  double low = 0, high = 0, mean = 0, standardDeviation = 1;
  uint64_t seed = 0;
  /// Values: every element, in row-major order.
  std::vector<float> values;

  static Initializer zeros();
  static Initializer ones();
  static Initializer uniform(double low, double high, uint64_t seed);
  static Initializer normal(double mean, double standardDeviation,
                            uint64_t seed);
  static Initializer given(std::vector<float> values);

  /// The first values of a parameter of `count` elements; a BuildError when
  /// given values do not number `count` or an interval is empty.
  std::vector<float> materialize(int64_t count) const;
};

/// How a GraphBuilder builds its function.
struct GraphOptions {
  /// The function's name (several builders can fill one module, see
  /// GraphBuilder::finishInto).
  std::string functionName = "forward";
  /// Layers seed each random parameter with this and the parameter's name
  /// (GraphBuilder::seedFor), so adding a layer does not change the others'
  /// values, and two graphs with the same seed get the same values for
  /// parameters of the same name.
  uint64_t seed = 0;
  /// Glob patterns of parameter names that become inputs of the function
  /// (named like the parameter) instead of constants: weights that another
  /// function trains and this one only reads, such as the discriminator's in
  /// a GAN's generator step, which must see the current values at every call.
  std::vector<std::string> parametersAsInputs;
};

/// A parameter the builder made.
struct ParameterInfo {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  /// True when the parameter is an input of the function
  /// (GraphOptions::parametersAsInputs), false for a named constant.
  bool isInput = false;
};

/// Builds a kiln module with one function, value by value. Values are f32
/// tensors of static shape.
class GraphBuilder {
public:
  /// A builder of `options.functionName` in a module of its own. Loads the
  /// kiln and func dialects into `context`.
  explicit GraphBuilder(mlir::MLIRContext &context, GraphOptions options = {});
  /// A builder of `functionName` with the other options at their defaults.
  GraphBuilder(mlir::MLIRContext &context, llvm::StringRef functionName);
  ~GraphBuilder();
  GraphBuilder(const GraphBuilder &) = delete;
  GraphBuilder &operator=(const GraphBuilder &) = delete;

  /// A new input of the function, an f32 tensor of `shape` (static, every
  /// dim at least 1).
  mlir::Value input(llvm::StringRef name, llvm::ArrayRef<int64_t> shape);

  /// A trained weight: a `kiln.constant` holding `initializer`'s values with
  /// `kiln.initializer = name`, or an input of that name when the name
  /// matches GraphOptions::parametersAsInputs. Names are unique within the
  /// function (inputs included).
  mlir::Value parameter(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                        const Initializer &initializer);

  /// An unnamed constant (never trained): `values` in row-major order, or
  /// one value for every element.
  mlir::Value constant(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<float> values);
  /// A rank-0 constant.
  mlir::Value scalar(float value);

  /// Makes `value` the next result of the function, named `name`.
  void output(llvm::StringRef name, mlir::Value value);

  /// Ends the function and returns its module, verified. A BuildError when
  /// the function has no output or does not verify. The builder cannot be
  /// used afterwards.
  mlir::OwningOpRef<mlir::ModuleOp> finish();
  /// Ends the function like finish() and moves it into `module` (of the same
  /// context), which must not have a symbol of its name yet.
  void finishInto(mlir::ModuleOp module);

  /// The seed of the random parameter `parameterName` (see GraphOptions).
  uint64_t seedFor(llvm::StringRef parameterName) const;

  /// The parameters made so far, in order.
  const std::vector<ParameterInfo> &parameters() const { return made; }
  const GraphOptions &options() const { return graphOptions; }
  mlir::MLIRContext &getContext() { return *context; }
  /// The builder that layers create ops with (its insertion point is the end
  /// of the function).
  mlir::OpBuilder &opBuilder() { return builder; }

  /// The type of `value`, checked to be a ranked f32 tensor of this graph;
  /// `what` names it in the error ("the input").
  mlir::RankedTensorType typeOf(mlir::Value value,
                                llvm::StringRef what = "the value");
  /// The shape of `value` (checked as typeOf does).
  llvm::ArrayRef<int64_t> shapeOf(mlir::Value value,
                                  llvm::StringRef what = "the value") {
    return typeOf(value, what).getShape();
  }

  /// Creates an op whose result type the op infers, at the current layer's
  /// location. An op that does not infer a type or does not verify is a
  /// BuildError with the verifier's message, instead of the abort that the
  /// ops' own inferring builders end in.
  template <typename OpTy, typename... Args>
  mlir::Value create(Args &&...args) {
    static_assert(OpTy::template hasTrait<mlir::InferTypeOpInterface::Trait>(),
                  "create<OpTy>() is for ops that infer their result type; use "
                  "createTyped<OpTy>()");
    mlir::OperationState state(currentLocation(), OpTy::getOperationName());
    // Build with a placeholder type, then infer the real one with the
    // diagnostics caught.
    mlir::Type placeholder = builder.getNoneType();
    OpTy::build(builder, state, mlir::TypeRange(placeholder),
                std::forward<Args>(args)...);
    state.types.clear();
    return finishOp(state, [&](llvm::SmallVectorImpl<mlir::Type> &types) {
      return OpTy::inferReturnTypes(context, state.location, state.operands,
                                    state.attributes.getDictionary(context),
                                    state.getRawProperties(), state.regions,
                                    types);
    });
  }

  /// Creates an op with the given result type (for ops that do not infer
  /// it); checked by the op's verifier like create().
  template <typename OpTy, typename... Args>
  mlir::Value createTyped(mlir::Type resultType, Args &&...args) {
    mlir::OperationState state(currentLocation(), OpTy::getOperationName());
    OpTy::build(builder, state, mlir::TypeRange(resultType),
                std::forward<Args>(args)...);
    return finishOp(state, nullptr);
  }

  /// Throws a BuildError whose message starts with the current layer
  /// ("conv2d 'conv1': ").
  [[noreturn]] void fail(const llvm::Twine &message) const;

  /// While a Layer lives, ops get a location named after it and errors name
  /// it. Layers nest (an LSTM's cells inside the LSTM).
  class Layer {
  public:
    /// `kind` is the layer function ("conv2d"), `name` the layer's name
    /// (empty for layers without parameters).
    Layer(GraphBuilder &graph, llvm::StringRef kind, llvm::StringRef name);
    ~Layer();
    Layer(const Layer &) = delete;
    Layer &operator=(const Layer &) = delete;

  private:
    GraphBuilder &graph;
  };

private:
  using InferTypes = llvm::function_ref<mlir::LogicalResult(
      llvm::SmallVectorImpl<mlir::Type> &)>;
  /// Sets the inferred types (when `infer` is given), creates the op and
  /// verifies it; on failure erases it and throws.
  mlir::Value finishOp(mlir::OperationState &state, InferTypes infer);
  mlir::Location currentLocation();
  void checkOpen() const;
  void checkNewName(llvm::StringRef name, llvm::StringRef what) const;
  mlir::func::FuncOp close();

  struct Scope {
    std::string kind, name;
    mlir::Location location;
  };

  mlir::MLIRContext *context;
  GraphOptions graphOptions;
  mlir::OpBuilder builder;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp function;
  std::vector<std::string> inputNames, outputNames;
  std::vector<mlir::Value> outputs;
  std::vector<ParameterInfo> made;
  std::vector<Scope> scopes;
  bool finished = false;
};

} // namespace kiln::native

#endif // KILN_FRONTENDS_NATIVE_GRAPHBUILDER_H
