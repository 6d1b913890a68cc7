//===- CompilerTest.cpp - Tests of the driver library ---------------------===//
//
// The Compiler class as its callers see it: parse errors with locations, JIT
// and file outputs, stage reporting, atomic outputs, bad options, and module
// lifetimes.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

using namespace kiln;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

/// y = relu(x * w + b) over a [2, 3] input, with fixed weights.
constexpr const char *kDenseLayer = R"mlir(
func.func @dense(%x: tensor<2x3xf32> {kiln.name = "x"}) -> (tensor<2x2xf32> {kiln.name = "y"}) {
  %w = kiln.constant dense<[[1.0, -1.0], [2.0, 0.5], [-1.0, 1.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %0 = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = kiln.add %0, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %2 = kiln.relu %1 : tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}
)mlir";

/// The expected output of kDenseLayer for input [[1, 2, 3], [-1, 0, 1]]:
/// row 0: [1 + 4 - 3 + 0.5, -1 + 1 + 3 - 0.5] = [2.5, 2.5]
/// row 1: [-1 + 0 - 1 + 0.5, 1 + 0 + 1 - 0.5] = relu([-1.5, 1.5]) = [0, 1.5]
const std::vector<float> kDenseInput = {1, 2, 3, -1, 0, 1};
const std::vector<float> kDenseExpected = {2.5f, 2.5f, 0.0f, 1.5f};

class CompilerTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("kiln-driver-test", directory));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  std::string pathIn(llvm::StringRef name) {
    llvm::SmallString<128> path(directory);
    llvm::sys::path::append(path, name);
    return path.str().str();
  }

  mlir::OwningOpRef<mlir::ModuleOp> parse(llvm::StringRef source) {
    auto module = compiler.parseSource(source, "test.mlir");
    if (!module) {
      ADD_FAILURE() << llvm::toString(module.takeError());
      return nullptr;
    }
    return std::move(*module);
  }

  /// Runs `function` on kDenseInput and returns the output values.
  static std::vector<float> runDense(const rt::Function &function) {
    std::vector<float> input = kDenseInput;
    rt::Tensor x = rt::Tensor::wrap(KILN_DTYPE_F32, {2, 3}, input.data(),
                                    input.size() * sizeof(float));
    std::vector<rt::Tensor> outputs = function.run({&x});
    const float *y = outputs.at(0).data<float>();
    return std::vector<float>(y, y + outputs[0].elementCount());
  }

  static std::string errorText(llvm::Error error) {
    return llvm::toString(std::move(error));
  }

  driver::Compiler compiler;
  llvm::SmallString<128> directory;
};

TEST_F(CompilerTest, ParseErrorNamesFileLineAndColumn) {
  auto module = compiler.parseSource(
      "func.func @f(%x: tensor<4xf32>) {\n  %0 = kiln.relu\n}", "broken.mlir");
  ASSERT_FALSE(static_cast<bool>(module));
  std::string message = errorText(module.takeError());
  EXPECT_THAT(message, HasSubstr("cannot parse broken.mlir"));
  EXPECT_THAT(message,
              HasSubstr("broken.mlir:2:17: error: expected SSA operand"));
}

TEST_F(CompilerTest, VerifierErrorNamesTheOp) {
  auto module = compiler.parseSource(
      "func.func @f(%a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xf32> {\n"
      "  %0 = kiln.add %a, %b : (tensor<4xf32>, tensor<3xf32>) -> "
      "tensor<4xf32>\n"
      "  return %0 : tensor<4xf32>\n}",
      "mismatch.mlir");
  ASSERT_FALSE(static_cast<bool>(module));
  EXPECT_THAT(
      errorText(module.takeError()),
      HasSubstr("mismatch.mlir:2:8: error: kiln.add operand shapes [4] and [3] "
                "are not broadcast-compatible"));
}

TEST_F(CompilerTest, MissingFileIsAnError) {
  auto module = compiler.parseFile(pathIn("absent.mlir"));
  ASSERT_FALSE(static_cast<bool>(module));
  EXPECT_THAT(errorText(module.takeError()),
              HasSubstr("absent.mlir': No such file or directory"));
}

TEST_F(CompilerTest, JitComputesTheRightValues) {
  auto module = parse(kDenseLayer);
  auto loaded = compiler.compileToJit(*module);
  ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
  rt::Function dense = loaded->function("dense");
  ASSERT_EQ(dense.inputs().size(), 1u);
  EXPECT_EQ(dense.inputs()[0].name, "x");
  EXPECT_EQ(dense.outputs()[0].name, "y");
  EXPECT_EQ(dense.outputs()[0].dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(runDense(dense), kDenseExpected);
}

TEST_F(CompilerTest, CompilingDoesNotChangeTheModule) {
  auto module = parse(kDenseLayer);
  std::string before, after;
  llvm::raw_string_ostream beforeStream(before), afterStream(after);
  module->print(beforeStream);
  auto loaded = compiler.compileToJit(*module);
  ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
  module->print(afterStream);
  EXPECT_EQ(before, after);
  // And it compiles a second time to the same result.
  auto again = compiler.compileToJit(*module);
  ASSERT_TRUE(static_cast<bool>(again)) << errorText(again.takeError());
  EXPECT_EQ(runDense(again->function("dense")), kDenseExpected);
}

/// Three convolutions (library kernels) in a row, the last adding the
/// first's output: their intermediate buffers (NHWC activations between the
/// kernels) go to one planned arena.
constexpr const char *kConvChain = R"mlir(
func.func @chain(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %w = arith.constant dense<0.01> : tensor<8x8x3x3xf32>
  %0 = kiln.conv %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %1 = kiln.relu %0 : tensor<1x8x16x16xf32>
  %2 = kiln.conv %1, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %3 = kiln.relu %2 : tensor<1x8x16x16xf32>
  %4 = kiln.conv %3, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %5 = kiln.add %4, %1 : (tensor<1x8x16x16xf32>, tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %6 = kiln.sigmoid %5 : tensor<1x8x16x16xf32>
  return %6 : tensor<1x8x16x16xf32>
})mlir";

TEST_F(CompilerTest, PlannedArenaIsReportedAndInTheModuleInfo) {
  auto module = parse(kConvChain);
  std::vector<driver::MemoryPlan> plans;
  driver::CompileOptions options;
  options.onMemoryPlan = [&](const driver::MemoryPlan &plan) {
    plans.push_back(plan);
  };
  auto loaded = compiler.compileToJit(*module, options);
  ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].function, "chain");
  // The arena holds two live activations (8x16x16 f32) at most: at least
  // one, and no more than the buffers' sum.
  EXPECT_LE(plans[0].arenaBytes, plans[0].bufferBytes);
  EXPECT_GE(plans[0].arenaBytes, 8 * 16 * 16 * 4);
  EXPECT_EQ(loaded->plannedArenaSize(),
            static_cast<size_t>(plans[0].arenaBytes));
  // Sessions are not given the arena: each run allocates it.
  EXPECT_EQ(loaded->arenaSize(), 0u);
}

TEST_F(CompilerTest, StagesAreReportedInOrder) {
  auto module = parse(kDenseLayer);
  std::vector<std::string> started, ended;
  driver::CompileOptions options;
  options.onStageStart = [&](llvm::StringRef stage) {
    started.push_back(stage.str());
  };
  options.onStageEnd = [&](llvm::StringRef stage, double seconds) {
    EXPECT_GE(seconds, 0.0);
    ended.push_back(stage.str());
  };
  auto loaded = compiler.compileToJit(*module, options);
  ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
  EXPECT_THAT(started,
              ElementsAre("optimize graph", "lower to linalg", "bufferize",
                          "lower to LLVM dialect", "generate machine code",
                          "translate to LLVM IR", "optimize LLVM IR"));
  // The LLVM stages run inside machine-code generation (the JIT asks for the
  // module), so they end before it does.
  EXPECT_THAT(ended,
              ElementsAre("optimize graph", "lower to linalg", "bufferize",
                          "lower to LLVM dialect", "translate to LLVM IR",
                          "optimize LLVM IR", "generate machine code"));
}

TEST_F(CompilerTest, SharedLibraryLoadsThroughTheRuntime) {
  auto module = parse(kDenseLayer);
  std::string library = pathIn("dense.so");
  llvm::Error error = compiler.compileToFile(*module, library,
                                             driver::OutputKind::SharedLibrary);
  ASSERT_FALSE(static_cast<bool>(error)) << errorText(std::move(error));
  rt::Module loaded = rt::Module::load(library);
  EXPECT_EQ(runDense(loaded.function("dense")), kDenseExpected);
  // Only the library itself is left in the folder: no temporaries.
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(directory, ec), end;
       it != end && !ec; it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(CompilerTest, EveryOtherOutputKindIsWritten) {
  auto module = parse(kDenseLayer);
  struct Expectation {
    driver::OutputKind kind;
    const char *name;
    const char *contains;
  };
  for (const Expectation &expect :
       {Expectation{driver::OutputKind::Object, "dense.o",
                    "\x7f"
                    "ELF"},
        Expectation{driver::OutputKind::KilnMLIR, "dense.kiln.mlir",
                    "kiln.matmul"},
        Expectation{driver::OutputKind::LLVMDialect, "dense.llvm.mlir",
                    "llvm.mlir.global external constant @kiln_module_abi_v1"},
        Expectation{driver::OutputKind::LLVMIR, "dense.ll",
                    "@kiln_module_abi_v1 ="}}) {
    std::string path = pathIn(expect.name);
    llvm::Error error = compiler.compileToFile(*module, path, expect.kind);
    ASSERT_FALSE(static_cast<bool>(error)) << errorText(std::move(error));
    auto contents = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(static_cast<bool>(contents)) << expect.name;
    EXPECT_THAT((*contents)->getBuffer().str(), HasSubstr(expect.contains))
        << expect.name;
  }
  // The kiln-level output parses back and compiles.
  auto reparsed = compiler.parseFile(pathIn("dense.kiln.mlir"));
  ASSERT_TRUE(static_cast<bool>(reparsed)) << errorText(reparsed.takeError());
  auto loaded = compiler.compileToJit(**reparsed);
  ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
  EXPECT_EQ(runDense(loaded->function("dense")), kDenseExpected);
}

TEST_F(CompilerTest, FailedCompileNamesTheStageAndWritesNothing) {
  auto module = parse(
      "func.func @f(%x: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {\n"
      "  return %x : tensor<4xcomplex<f32>>\n}");
  std::string library = pathIn("complex.so");
  std::string message = errorText(compiler.compileToFile(
      *module, library, driver::OutputKind::SharedLibrary));
  EXPECT_THAT(message,
              HasSubstr("compilation failed in stage 'lower to linalg'"));
  EXPECT_THAT(message, HasSubstr("test.mlir:1:1: error: input #0 of @f"));
  EXPECT_FALSE(llvm::sys::fs::exists(library));
}

TEST_F(CompilerTest, MissingLinkerIsAClearErrorAndWritesNothing) {
  auto module = parse(kDenseLayer);
  driver::CompileOptions options;
  options.linker = "/nonexistent/kiln-test-cc";
  std::string library = pathIn("dense.so");
  std::string message = errorText(compiler.compileToFile(
      *module, library, driver::OutputKind::SharedLibrary, options));
  EXPECT_THAT(message,
              HasSubstr("cannot find the linker '/nonexistent/kiln-test-cc'"));
  EXPECT_FALSE(llvm::sys::fs::exists(library));
}

TEST_F(CompilerTest, FailingLinkerReportsItsOutputAndWritesNothing) {
  auto module = parse(kDenseLayer);
  driver::CompileOptions options;
  options.linker = "false"; // exists, fails
  std::string library = pathIn("dense.so");
  std::string message = errorText(compiler.compileToFile(
      *module, library, driver::OutputKind::SharedLibrary, options));
  EXPECT_THAT(message, HasSubstr("linking the shared library with"));
  EXPECT_THAT(message, HasSubstr("failed"));
  int entries = 0;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(directory, ec), end;
       it != end && !ec; it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 0) << "temporaries were left behind";
}

TEST_F(CompilerTest, UnknownTargetCpuIsAnError) {
  auto module = parse(kDenseLayer);
  driver::CompileOptions options;
  options.targetCpu = "not-a-cpu";
  auto loaded = compiler.compileToJit(*module, options);
  ASSERT_FALSE(static_cast<bool>(loaded));
  EXPECT_THAT(errorText(loaded.takeError()),
              HasSubstr("unknown target CPU 'not-a-cpu'"));
}

TEST_F(CompilerTest, ModuleWithoutPublicFunctionsIsAnError) {
  auto module =
      parse("func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
            "  return %x : tensor<4xf32>\n}");
  auto loaded = compiler.compileToJit(*module);
  ASSERT_FALSE(static_cast<bool>(loaded));
  EXPECT_THAT(errorText(loaded.takeError()), HasSubstr("nothing to compile"));
}

TEST_F(CompilerTest, EveryOptimizationLevelGivesTheSameValues) {
  auto module = parse(kDenseLayer);
  for (unsigned level = 0; level <= 3; ++level) {
    driver::CompileOptions options;
    options.optLevel = level;
    auto loaded = compiler.compileToJit(*module, options);
    ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
    EXPECT_EQ(runDense(loaded->function("dense")), kDenseExpected)
        << "-O" << level;
  }
}

TEST_F(CompilerTest, JitModuleOutlivesItsCompiler) {
  std::optional<rt::Module> loaded;
  {
    driver::Compiler shortLived;
    auto module = shortLived.parseSource(kDenseLayer);
    ASSERT_TRUE(static_cast<bool>(module)) << errorText(module.takeError());
    auto compiled = shortLived.compileToJit(**module);
    ASSERT_TRUE(static_cast<bool>(compiled)) << errorText(compiled.takeError());
    loaded.emplace(std::move(*compiled));
  }
  EXPECT_EQ(runDense(loaded->function("dense")), kDenseExpected);
}

TEST_F(CompilerTest, JitFunctionRunsFromManyThreadsAtOnce) {
  auto module = parse(kDenseLayer);
  auto loaded = compiler.compileToJit(*module);
  ASSERT_TRUE(static_cast<bool>(loaded)) << errorText(loaded.takeError());
  rt::Function dense = loaded->function("dense");
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i)
        if (runDense(dense) != kDenseExpected)
          ++mismatches[t];
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

} // namespace
