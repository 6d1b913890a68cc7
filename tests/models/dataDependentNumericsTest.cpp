//===- dataDependentNumericsTest.cpp - nonzero, compress, unique, run -----===//
//
// kiln.nonzero, kiln.compress and kiln.unique compiled (JIT) and run through
// the runtime against the plain loops of dataDependentReference.h. Their
// results have sizes known only at run time, which the compiled function
// allocates. Inputs are small integers (as floats) so that zeros and repeated
// values are frequent, plus NaN and -0.0 where the op defines what they do.
// Every result is exact: these ops only select and count, so values must be
// the input's own bits and indices must be equal.
//
// Also checked: a result size declared static that the data or the input
// contradicts, and compress's condition longer than the input dim, all only
// known at run time, fail the call with a message instead of writing out of
// bounds.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"
#include "dataDependentReference.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace kiln;
using namespace kiln::testing;
namespace ref = kiln::reference;

namespace {

/// An argument of a compiled test function: its MLIR type and its runtime
/// tensor.
struct Argument {
  RankedTensorType type;
  rt::Tensor tensor;
};

Argument floatArgument(MLIRContext &context, const ref::Tensor &tensor) {
  return {RankedTensorType::get(tensor.shape, Float32Type::get(&context)),
          toRuntime(tensor)};
}

Argument int32Argument(MLIRContext &context, const ref::IntTensor &tensor) {
  rt::Tensor result = rt::Tensor::create(KILN_DTYPE_I32, tensor.shape);
  for (int64_t i = 0; i < tensor.size(); ++i)
    result.data<int32_t>()[i] = static_cast<int32_t>(tensor.data[i]);
  return {RankedTensorType::get(tensor.shape, IntegerType::get(&context, 32)),
          std::move(result)};
}

Argument boolArgument(MLIRContext &context, const std::vector<bool> &values) {
  std::vector<int64_t> shape{static_cast<int64_t>(values.size())};
  rt::Tensor result = rt::Tensor::create(KILN_DTYPE_BOOL, shape);
  for (size_t i = 0; i < values.size(); ++i)
    result.data<uint8_t>()[i] = values[i];
  return {RankedTensorType::get(shape, IntegerType::get(&context, 1)),
          std::move(result)};
}

/// The arguments, moved into a vector (runtime tensors cannot be copied, so an
/// initializer list will not do).
template <typename... Arguments>
std::vector<Argument> argumentList(Arguments &&...arguments) {
  std::vector<Argument> list;
  (list.push_back(std::forward<Arguments>(arguments)), ...);
  return list;
}

/// An i64 runtime tensor as a reference tensor.
ref::IntTensor fromRuntimeI64(const rt::Tensor &tensor) {
  std::vector<int64_t> data(tensor.data<int64_t>(),
                            tensor.data<int64_t>() + tensor.elementCount());
  return ref::IntTensor(tensor.shape(), data);
}

/// Shapes and every integer equal.
::testing::AssertionResult intsEqual(const rt::Tensor &actual,
                                     const ref::IntTensor &expected) {
  if (actual.dtype() != KILN_DTYPE_I64)
    return ::testing::AssertionFailure() << "not an i64 tensor";
  ref::IntTensor got = fromRuntimeI64(actual);
  if (got.shape != expected.shape)
    return ::testing::AssertionFailure()
           << "shape " << ::testing::PrintToString(got.shape) << ", expected "
           << ::testing::PrintToString(expected.shape);
  for (int64_t i = 0; i < got.size(); ++i)
    if (got.data[i] != expected.data[i])
      return ::testing::AssertionFailure()
             << "element " << i << " is " << got.data[i] << ", expected "
             << expected.data[i];
  return ::testing::AssertionSuccess();
}

/// Shapes equal and every float bit-for-bit equal (NaN matches NaN).
::testing::AssertionResult floatsIdentical(const rt::Tensor &actual,
                                           const ref::Tensor &expected) {
  ref::Tensor got = fromRuntime(actual);
  if (got.shape != expected.shape)
    return ::testing::AssertionFailure()
           << "shape " << ::testing::PrintToString(got.shape) << ", expected "
           << ::testing::PrintToString(expected.shape);
  for (int64_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got.data[i], &expected.data[i], sizeof(float)) != 0)
      return ::testing::AssertionFailure()
             << "element " << i << " is " << got.data[i] << ", expected "
             << expected.data[i];
  return ::testing::AssertionSuccess();
}

/// Floats from the integers in [low, high]: zeros and ties are frequent.
ref::Tensor smallIntegers(std::vector<int64_t> shape, std::mt19937 &engine,
                          int low, int high) {
  return ref::randomSmallIntegers(std::move(shape), engine, low, high);
}

std::vector<bool> randomConditions(int64_t size, std::mt19937 &engine) {
  std::bernoulli_distribution coin(0.5);
  std::vector<bool> values(size);
  for (int64_t i = 0; i < size; ++i)
    values[i] = coin(engine);
  return values;
}

/// Builds the results of the test function from its arguments.
using ResultsBuilder = llvm::function_ref<SmallVector<Value>(
    OpBuilder &, Location, ValueRange arguments)>;

class DataDependentNumericsTest : public CompiledTest {
protected:
  /// Compiles `@main(arguments) -> build(...)` (argument types as given, so
  /// they may have dynamic dims) and runs it on the arguments' tensors.
  std::vector<rt::Tensor> compileAndRun(const std::vector<Argument> &arguments,
                                        ResultsBuilder build) {
    context
        .loadDialect<KilnDialect, func::FuncDialect, tensor::TensorDialect>();
    OpBuilder builder(&context);
    Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    SmallVector<Type> types;
    for (const Argument &argument : arguments)
      types.push_back(argument.type);
    auto func = func::FuncOp::create(builder, loc, "main",
                                     builder.getFunctionType(types, {}));
    builder.setInsertionPointToStart(func.addEntryBlock());
    SmallVector<Value> results =
        build(builder, loc, func.getBody().getArguments());
    func::ReturnOp::create(builder, loc, results);
    func.setType(
        builder.getFunctionType(types, ValueRange(results).getTypes()));
    EXPECT_TRUE(succeeded(verify(*module)));
    auto loaded = compiler.compileToJit(*module);
    if (!loaded) {
      ADD_FAILURE() << llvm::toString(loaded.takeError());
      return {};
    }
    std::vector<const rt::Tensor *> inputs;
    for (const Argument &argument : arguments)
      inputs.push_back(&argument.tensor);
    return loaded->function("main").run(inputs);
  }

  /// The message of the rt::Error that running fails with ("" if it runs).
  std::string runFailure(const std::vector<Argument> &arguments,
                         ResultsBuilder build) {
    try {
      compileAndRun(arguments, build);
    } catch (const rt::Error &error) {
      return error.what();
    }
    return "";
  }
};

/// A kiln.unique with the result types its definition gives: the distinct
/// count dynamic, the inverse indices as long as the axis.
UniqueOp buildUnique(OpBuilder &b, Location loc, Value input, int64_t axis,
                     bool sorted) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t size = shape[axis];
  shape[axis] = ShapedType::kDynamic;
  Type i64 = b.getI64Type();
  auto counted = RankedTensorType::get({ShapedType::kDynamic}, i64);
  return UniqueOp::create(b, loc,
                          TypeRange{type.clone(shape), counted,
                                    RankedTensorType::get({size}, i64),
                                    counted},
                          input, axis, sorted);
}

//===--- nonzero ----------------------------------------------------------===//

class NonZeroTest : public DataDependentNumericsTest,
                    public ::testing::WithParamInterface<std::vector<int64_t>> {
};

TEST_P(NonZeroTest, Float) {
  ref::Tensor x = smallIntegers(GetParam(), engine, -1, 1);
  auto outputs = compileAndRun(
      argumentList(floatArgument(context, x)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{NonZeroOp::create(b, loc, args[0])};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(intsEqual(outputs[0], ref::nonZero(x)));
}

TEST_P(NonZeroTest, Int32) {
  ref::IntTensor x = ref::randomInts(GetParam(), engine, -1, 1);
  auto outputs = compileAndRun(
      argumentList(int32Argument(context, x)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{NonZeroOp::create(b, loc, args[0])};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(intsEqual(outputs[0], ref::nonZero(x)));
}

INSTANTIATE_TEST_SUITE_P(Shapes, NonZeroTest,
                         ::testing::Values(std::vector<int64_t>{7},
                                           std::vector<int64_t>{3, 5},
                                           std::vector<int64_t>{2, 3, 4},
                                           std::vector<int64_t>{2, 0, 3}));

TEST_F(DataDependentNumericsTest, NonZeroCountsNaNButNotNegativeZero) {
  ref::Tensor x({2, 3}, {0.0f, NAN, -0.0f, 4.0f, 0.0f, -6.0f});
  auto outputs = compileAndRun(
      argumentList(floatArgument(context, x)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{NonZeroOp::create(b, loc, args[0])};
      });
  ASSERT_EQ(outputs.size(), 1u);
  // (0, 1) NaN, (1, 0) 4, (1, 2) -6.
  EXPECT_TRUE(
      intsEqual(outputs[0], ref::IntTensor({2, 3}, {0, 1, 1, 1, 0, 2})));
}

TEST_F(DataDependentNumericsTest, NonZeroOfBooleans) {
  std::vector<bool> values = randomConditions(9, engine);
  ref::IntTensor asInts({9},
                        std::vector<int64_t>(values.begin(), values.end()));
  auto outputs = compileAndRun(
      argumentList(boolArgument(context, values)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{NonZeroOp::create(b, loc, args[0])};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(intsEqual(outputs[0], ref::nonZero(asInts)));
}

TEST_F(DataDependentNumericsTest, NonZeroOfDynamicInput) {
  ref::Tensor x = smallIntegers({4, 6}, engine, -1, 1);
  Argument argument = floatArgument(context, x);
  argument.type = RankedTensorType::get({ShapedType::kDynamic, 6},
                                        argument.type.getElementType());
  auto outputs = compileAndRun(
      argumentList(std::move(argument)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{NonZeroOp::create(b, loc, args[0])};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(intsEqual(outputs[0], ref::nonZero(x)));
}

TEST_F(DataDependentNumericsTest, NonZeroDeclaredCountIsCheckedAtRunTime) {
  ref::Tensor x({4}, {1.0f, 0.0f, 2.0f, 3.0f});
  auto declared = [&](int64_t count) {
    return [count](OpBuilder &b, Location loc, ValueRange args) {
      auto type = RankedTensorType::get({1, count}, b.getI64Type());
      return SmallVector<Value>{NonZeroOp::create(b, loc, type, args[0])};
    };
  };
  // Three nonzero elements: declaring 3 runs, declaring 2 fails the call.
  auto outputs =
      compileAndRun(argumentList(floatArgument(context, x)), declared(3));
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(intsEqual(outputs[0], ref::IntTensor({1, 3}, {0, 2, 3})));
  std::string message =
      runFailure(argumentList(floatArgument(context, x)), declared(2));
  EXPECT_NE(message.find("kiln.nonzero"), std::string::npos) << message;
  EXPECT_NE(message.find("number of nonzero elements"), std::string::npos)
      << message;
}

//===--- compress ---------------------------------------------------------===//

struct CompressCase {
  std::vector<int64_t> shape;
  int64_t axis, conditionLength;
};

void PrintTo(const CompressCase &c, std::ostream *os) {
  *os << "shape " << ::testing::PrintToString(c.shape) << " axis " << c.axis
      << " condition of " << c.conditionLength;
}

class CompressTest : public DataDependentNumericsTest,
                     public ::testing::WithParamInterface<CompressCase> {};

TEST_P(CompressTest, Float) {
  const CompressCase &c = GetParam();
  ref::Tensor x = ref::random(c.shape, engine);
  std::vector<bool> condition = randomConditions(c.conditionLength, engine);
  auto outputs = compileAndRun(
      argumentList(floatArgument(context, x), boolArgument(context, condition)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            CompressOp::create(b, loc, args[0], args[1], c.axis)};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(floatsIdentical(outputs[0], ref::compress(x, condition, c.axis)));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, CompressTest,
    ::testing::Values(CompressCase{{9}, 0, 9}, CompressCase{{3, 5}, 0, 3},
                      CompressCase{{3, 5}, 1, 5},
                      CompressCase{{2, 6, 3}, 1, 4}, // shorter condition
                      CompressCase{{2, 3, 4}, 2, 4},
                      CompressCase{{4, 2}, 0, 0}));

TEST_F(DataDependentNumericsTest, CompressOfNothing) {
  ref::Tensor x = ref::random({3, 4}, engine);
  std::vector<bool> none(4, false);
  auto outputs = compileAndRun(
      argumentList(floatArgument(context, x), boolArgument(context, none)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>{
            CompressOp::create(b, loc, args[0], args[1], 1)};
      });
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].shape(), (std::vector<int64_t>{3, 0}));
}

TEST_F(DataDependentNumericsTest, CompressConditionLongerThanDimFails) {
  ref::Tensor x = ref::random({3, 4}, engine);
  Argument condition = boolArgument(context, randomConditions(5, engine));
  condition.type = RankedTensorType::get({ShapedType::kDynamic},
                                         condition.type.getElementType());
  std::vector<Argument> arguments;
  arguments.push_back(floatArgument(context, x));
  arguments.push_back(std::move(condition));
  std::string message = runFailure(arguments, [&](OpBuilder &b, Location loc,
                                                  ValueRange args) {
    return SmallVector<Value>{CompressOp::create(b, loc, args[0], args[1], 1)};
  });
  EXPECT_NE(message.find("kiln.compress"), std::string::npos) << message;
  EXPECT_NE(message.find("more entries than dimension 1"), std::string::npos)
      << message;
}

TEST_F(DataDependentNumericsTest, CompressDeclaredDimIsCheckedAtRunTime) {
  // The rows are a run-time size that the declared result fixes at 3: 3 rows
  // run, 2 fail the call instead of being cast to 3.
  auto declared = [](OpBuilder &b, Location loc, ValueRange args) {
    auto type =
        RankedTensorType::get({3, ShapedType::kDynamic}, b.getF32Type());
    return SmallVector<Value>{
        CompressOp::create(b, loc, type, args[0], args[1], 1)};
  };
  auto arguments = [&](int64_t rows) {
    Argument x = floatArgument(context, ref::random({rows, 4}, engine));
    x.type = RankedTensorType::get({ShapedType::kDynamic, 4},
                                   x.type.getElementType());
    return argumentList(std::move(x),
                        boolArgument(context, {true, false, true, true}));
  };
  auto outputs = compileAndRun(arguments(3), declared);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].shape(), (std::vector<int64_t>{3, 3}));
  std::string message = runFailure(arguments(2), declared);
  EXPECT_NE(message.find("kiln.compress"), std::string::npos) << message;
  EXPECT_NE(message.find("dimension 0 of the result (3 in the declared type)"),
            std::string::npos)
      << message;
}

//===--- unique -----------------------------------------------------------===//

struct UniqueCase {
  std::vector<int64_t> shape;
  int64_t axis;
  bool sorted;
  int high; ///< values are integers in [-high, high]: fewer, more ties
};

void PrintTo(const UniqueCase &c, std::ostream *os) {
  *os << "shape " << ::testing::PrintToString(c.shape) << " axis " << c.axis
      << (c.sorted ? " sorted" : " in order") << " values in [-" << c.high
      << ", " << c.high << "]";
}

class UniqueTest : public DataDependentNumericsTest,
                   public ::testing::WithParamInterface<UniqueCase> {};

/// Runs kiln.unique on `x` and compares all four results.
void expectUnique(const std::vector<rt::Tensor> &outputs, const ref::Tensor &x,
                  int64_t axis, bool sorted) {
  ASSERT_EQ(outputs.size(), 4u);
  ref::UniqueResult expected = ref::unique(x, axis, sorted);
  EXPECT_TRUE(floatsIdentical(outputs[0], expected.values));
  EXPECT_TRUE(intsEqual(outputs[1], expected.indices));
  EXPECT_TRUE(intsEqual(outputs[2], expected.inverse));
  EXPECT_TRUE(intsEqual(outputs[3], expected.counts));
}

TEST_P(UniqueTest, Float) {
  const UniqueCase &c = GetParam();
  ref::Tensor x = smallIntegers(c.shape, engine, -c.high, c.high);
  auto outputs = compileAndRun(
      argumentList(floatArgument(context, x)),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return SmallVector<Value>(
            buildUnique(b, loc, args[0], c.axis, c.sorted).getResults());
      });
  expectUnique(outputs, x, c.axis, c.sorted);
}

INSTANTIATE_TEST_SUITE_P(Shapes, UniqueTest,
                         ::testing::Values(UniqueCase{{12}, 0, true, 3},
                                           UniqueCase{{12}, 0, false, 3},
                                           UniqueCase{{6, 2}, 0, true, 1},
                                           UniqueCase{{6, 2}, 0, false, 1},
                                           UniqueCase{{2, 7}, 1, true, 1},
                                           UniqueCase{{2, 5, 2}, 1, true, 1},
                                           UniqueCase{{2, 5, 2}, 1, false, 1},
                                           UniqueCase{{3, 2, 4}, 2, true, 1}));

TEST_F(DataDependentNumericsTest, UniqueTreatsNaNAsEqualAndLast) {
  ref::Tensor x({8}, {2.0f, NAN, -0.0f, 1.0f, 0.0f, NAN, 2.0f, -3.0f});
  for (bool sorted : {true, false}) {
    auto outputs = compileAndRun(
        argumentList(floatArgument(context, x)),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return SmallVector<Value>(
              buildUnique(b, loc, args[0], 0, sorted).getResults());
        });
    expectUnique(outputs, x, 0, sorted);
  }
}

TEST_F(DataDependentNumericsTest, UniqueOfInt32) {
  ref::IntTensor x = ref::randomInts({10}, engine, -3, 3);
  ref::Tensor asFloats({10}, std::vector<float>(x.data.begin(), x.data.end()));
  auto outputs =
      compileAndRun(argumentList(int32Argument(context, x)),
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      return SmallVector<Value>(
                          buildUnique(b, loc, args[0], 0, true).getResults());
                    });
  ASSERT_EQ(outputs.size(), 4u);
  ref::UniqueResult expected = ref::unique(asFloats, 0, true);
  std::vector<int64_t> values(outputs[0].data<int32_t>(),
                              outputs[0].data<int32_t>() +
                                  outputs[0].elementCount());
  std::vector<int64_t> expectedValues(expected.values.data.begin(),
                                      expected.values.data.end());
  EXPECT_EQ(values, expectedValues);
  EXPECT_TRUE(intsEqual(outputs[1], expected.indices));
  EXPECT_TRUE(intsEqual(outputs[2], expected.inverse));
  EXPECT_TRUE(intsEqual(outputs[3], expected.counts));
}

TEST_F(DataDependentNumericsTest, UniqueOfBooleansSortsFalseFirst) {
  std::vector<bool> values{true, false, true, true, false};
  ref::Tensor asFloats({5}, std::vector<float>(values.begin(), values.end()));
  auto outputs =
      compileAndRun(argumentList(boolArgument(context, values)),
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      return SmallVector<Value>(
                          buildUnique(b, loc, args[0], 0, true).getResults());
                    });
  ASSERT_EQ(outputs.size(), 4u);
  ref::UniqueResult expected = ref::unique(asFloats, 0, true);
  std::vector<float> got(outputs[0].data<uint8_t>(),
                         outputs[0].data<uint8_t>() +
                             outputs[0].elementCount());
  EXPECT_EQ(got, expected.values.data);
  EXPECT_TRUE(intsEqual(outputs[1], expected.indices));
  EXPECT_TRUE(intsEqual(outputs[2], expected.inverse));
  EXPECT_TRUE(intsEqual(outputs[3], expected.counts));
}

TEST_F(DataDependentNumericsTest, UniqueOfDynamicInput) {
  ref::Tensor x = smallIntegers({9}, engine, -2, 2);
  Argument argument = floatArgument(context, x);
  argument.type = RankedTensorType::get({ShapedType::kDynamic},
                                        argument.type.getElementType());
  auto outputs =
      compileAndRun(argumentList(std::move(argument)),
                    [&](OpBuilder &b, Location loc, ValueRange args) {
                      return SmallVector<Value>(
                          buildUnique(b, loc, args[0], 0, true).getResults());
                    });
  expectUnique(outputs, x, 0, true);
}

} // namespace
