//===- ModelTestSupport.cpp - Build, compile and compare kiln functions ---===//

#include "ModelTestSupport.h"

#include <cstdlib>

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;

namespace kiln::testing {

OwningOpRef<ModuleOp>
buildFunction(MLIRContext &context,
              const std::vector<std::vector<int64_t>> &inputShapes,
              BodyBuilder body) {
  context.loadDialect<KilnDialect, func::FuncDialect>();
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> argumentTypes;
  for (const auto &shape : inputShapes)
    argumentTypes.push_back(RankedTensorType::get(shape, builder.getF32Type()));
  auto func = func::FuncOp::create(builder, loc, "main",
                                   builder.getFunctionType(argumentTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  Value result = body(builder, loc, entry->getArguments());
  func::ReturnOp::create(builder, loc, result);
  func.setType(builder.getFunctionType(argumentTypes, {result.getType()}));
  return module;
}

Value buildConstant(OpBuilder &builder, Location loc,
                    const reference::Tensor &tensor) {
  auto type = RankedTensorType::get(tensor.shape, builder.getF32Type());
  return ConstantOp::create(
      builder, loc, DenseElementsAttr::get(type, llvm::ArrayRef(tensor.data)));
}

rt::Tensor toRuntime(const reference::Tensor &tensor) {
  rt::Tensor result = rt::Tensor::create(KILN_DTYPE_F32, tensor.shape);
  std::copy(tensor.data.begin(), tensor.data.end(), result.data<float>());
  return result;
}

reference::Tensor fromRuntime(const rt::Tensor &tensor) {
  const float *data = tensor.data<float>();
  return reference::Tensor(
      tensor.shape(), std::vector<float>(data, data + tensor.elementCount()));
}

std::vector<reference::Tensor>
run(const rt::Function &function,
    const std::vector<reference::Tensor> &inputs) {
  std::vector<rt::Tensor> runtimeInputs;
  std::vector<const rt::Tensor *> pointers;
  for (const reference::Tensor &input : inputs)
    runtimeInputs.push_back(toRuntime(input));
  for (const rt::Tensor &input : runtimeInputs)
    pointers.push_back(&input);
  std::vector<reference::Tensor> outputs;
  for (const rt::Tensor &output : function.run(pointers))
    outputs.push_back(fromRuntime(output));
  return outputs;
}

static std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

::testing::AssertionResult allClose(const reference::Tensor &actual,
                                    const reference::Tensor &expected,
                                    Tolerance tolerance) {
  if (actual.shape != expected.shape)
    return ::testing::AssertionFailure()
           << "shape " << shapeString(actual.shape) << " != expected "
           << shapeString(expected.shape);
  int64_t worst = -1, failures = 0;
  double worstExcess = 0;
  for (int64_t i = 0; i < actual.size(); ++i) {
    double a = actual.data[i], e = expected.data[i];
    double allowed = tolerance.atol + tolerance.rtol * std::fabs(e);
    double error = std::fabs(a - e);
    if (!(error <= allowed)) { // also catches NaN
      ++failures;
      if (worst < 0 || error - allowed > worstExcess || std::isnan(error)) {
        worst = i;
        worstExcess = error - allowed;
      }
    }
  }
  if (failures == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << failures << " of " << actual.size() << " elements differ; worst at "
         << worst << ": " << actual.data[worst] << " vs expected "
         << expected.data[worst] << " (rtol " << tolerance.rtol << ", atol "
         << tolerance.atol << ")";
}

driver::CompileOptions testCompileOptions() {
  driver::CompileOptions options;
  if (const char *kernels = std::getenv("KILN_TEST_CPU_KERNELS"))
    options.cpuKernels = kernels;
  return options;
}

void CompiledTest::expectMatches(const std::vector<reference::Tensor> &inputs,
                                 BodyBuilder body,
                                 const reference::Tensor &expected,
                                 Tolerance tolerance) {
  std::vector<std::vector<int64_t>> shapes;
  for (const reference::Tensor &input : inputs)
    shapes.push_back(input.shape);
  OwningOpRef<ModuleOp> module = buildFunction(context, shapes, body);
  ASSERT_TRUE(succeeded(verify(*module)));
  auto loaded = compiler.compileToJit(*module, testCompileOptions());
  ASSERT_TRUE(static_cast<bool>(loaded)) << llvm::toString(loaded.takeError());
  std::vector<reference::Tensor> outputs =
      run(loaded->function("main"), inputs);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(allClose(outputs[0], expected, tolerance));
}

} // namespace kiln::testing
