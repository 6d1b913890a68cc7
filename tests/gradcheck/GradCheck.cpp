//===- GradCheck.cpp - Gradient rules against finite differences ----------===//

#include "GradCheck.h"

#include "kiln/Autodiff/Passes.h"
#include "kiln/Driver/Compiler.h"
#include "kiln/runtime.hpp"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>
#include <sstream>

namespace kiln::gradcheck {
namespace {

bool isFloat(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64;
}

double read(const rt::Tensor &tensor, int64_t i) {
  return tensor.dtype() == KILN_DTYPE_F64 ? tensor.data<double>()[i]
                                          : tensor.data<float>()[i];
}

void write(rt::Tensor &tensor, int64_t i, double value) {
  if (tensor.dtype() == KILN_DTYPE_F64)
    tensor.data<double>()[i] = value;
  else
    tensor.data<float>()[i] = static_cast<float>(value);
}

std::vector<const rt::Tensor *> pointersTo(const std::vector<rt::Tensor> &all) {
  std::vector<const rt::Tensor *> pointers;
  for (const rt::Tensor &tensor : all)
    pointers.push_back(&tensor);
  return pointers;
}

/// sum_i <results_i, cotangents_i> over the float results.
double weightedSum(const std::vector<rt::Tensor> &results,
                   const std::vector<rt::Tensor> &cotangents) {
  double sum = 0;
  for (size_t r = 0; r < results.size(); ++r) {
    if (!isFloat(results[r].dtype()))
      continue;
    for (int64_t i = 0; i < results[r].elementCount(); ++i)
      sum += read(results[r], i) * read(cotangents[r], i);
  }
  return sum;
}

} // namespace

::testing::AssertionResult checkGradients(const std::string &source,
                                          const Options &options) {
  driver::Compiler compiler;
  auto module = compiler.parseSource(source, "gradcheck");
  if (!module)
    return ::testing::AssertionFailure()
           << "parse: " << llvm::toString(module.takeError());
  std::string diagnostics;
  {
    mlir::ScopedDiagnosticHandler handler(
        &compiler.getContext(), [&](mlir::Diagnostic &diagnostic) {
          llvm::raw_string_ostream(diagnostics) << diagnostic << "\n";
          return mlir::success();
        });
    mlir::PassManager pm(&compiler.getContext());
    pm.addPass(createKilnDifferentiatePass());
    if (mlir::failed(pm.run(**module)))
      return ::testing::AssertionFailure()
             << "kiln-differentiate: " << diagnostics;
  }
  auto loaded = compiler.compileToJit(**module, {});
  if (!loaded)
    return ::testing::AssertionFailure()
           << "compile: " << llvm::toString(loaded.takeError());
  rt::Function forward = loaded->function("forward");
  rt::Function vjp = loaded->function("forward_vjp");

  std::mt19937 engine(options.seed);
  std::vector<rt::Tensor> inputs;
  size_t floatIndex = 0, integerIndex = 0;
  for (const rt::ValueInfo &info : forward.inputs()) {
    rt::Tensor tensor = rt::Tensor::create(info.dtype, info.dims);
    if (isFloat(info.dtype)) {
      Range range = floatIndex < options.ranges.size()
                        ? options.ranges[floatIndex]
                        : Range();
      ++floatIndex;
      std::uniform_real_distribution<double> uniform(range.low, range.high);
      for (int64_t i = 0; i < tensor.elementCount(); ++i)
        write(tensor, i, uniform(engine));
    } else {
      if (integerIndex >= options.integerArguments.size())
        return ::testing::AssertionFailure()
               << "no values for integer argument '" << info.name << "'";
      const std::vector<int64_t> &values =
          options.integerArguments[integerIndex++];
      if (static_cast<int64_t>(values.size()) != tensor.elementCount() ||
          info.dtype != KILN_DTYPE_I64)
        return ::testing::AssertionFailure()
               << "integer argument '" << info.name
               << "' needs i64 values, one per element";
      for (int64_t i = 0; i < tensor.elementCount(); ++i)
        tensor.data<int64_t>()[i] = values[i];
    }
    inputs.push_back(std::move(tensor));
  }
  std::vector<rt::Tensor> cotangents;
  std::uniform_real_distribution<double> unit(-1, 1);
  for (const rt::ValueInfo &info : forward.outputs()) {
    rt::Tensor tensor = rt::Tensor::create(info.dtype, info.dims);
    if (isFloat(info.dtype))
      for (int64_t i = 0; i < tensor.elementCount(); ++i)
        write(tensor, i, unit(engine));
    cotangents.push_back(std::move(tensor));
  }

  std::vector<const rt::Tensor *> vjpInputs = pointersTo(inputs);
  for (const rt::Tensor &cotangent : cotangents)
    vjpInputs.push_back(&cotangent);
  std::vector<rt::Tensor> vjpOutputs = vjp.run(vjpInputs);
  size_t gradientIndex = forward.outputs().size();

  std::ostringstream failures;
  int mismatches = 0;
  for (size_t a = 0; a < inputs.size(); ++a) {
    if (!isFloat(inputs[a].dtype()))
      continue;
    const rt::Tensor &gradient = vjpOutputs.at(gradientIndex++);
    for (int64_t i = 0; i < inputs[a].elementCount(); ++i) {
      double original = read(inputs[a], i);
      write(inputs[a], i, original + options.step);
      double above = weightedSum(forward.run(pointersTo(inputs)), cotangents);
      write(inputs[a], i, original - options.step);
      double below = weightedSum(forward.run(pointersTo(inputs)), cotangents);
      write(inputs[a], i, original);
      double numeric = (above - below) / (2 * options.step);
      double analytic = read(gradient, i);
      // Written so that a NaN on either side is a mismatch.
      if (!(std::abs(analytic - numeric) <=
            options.atol + options.rtol * std::abs(numeric))) {
        if (++mismatches <= 5)
          failures << "\n  argument " << a << " ('"
                   << forward.inputs()[a].name << "') element " << i
                   << ": autodiff " << analytic << ", finite difference "
                   << numeric;
      }
    }
  }
  if (mismatches > 0)
    return ::testing::AssertionFailure()
           << mismatches << " gradient entries differ:" << failures.str();
  return ::testing::AssertionSuccess();
}

} // namespace kiln::gradcheck
