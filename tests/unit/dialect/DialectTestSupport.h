//===- DialectTestSupport.h - Shared fixture of the kiln dialect tests ----===//
//
// A context with the kiln and func dialects loaded and a function whose
// arguments the tests create on demand, so ops can be built on values of any
// tensor type.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_UNIT_DIALECT_DIALECTTESTSUPPORT_H
#define KILN_TESTS_UNIT_DIALECT_DIALECTTESTSUPPORT_H

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <string>

namespace kiln::test {

/// A dynamic dimension, for brevity in shapes.
inline constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// Builds kiln ops inside `func.func @test` of a fresh module in a given
/// context (the kiln and func dialects are loaded into it).
class FunctionBuilder {
public:
  explicit FunctionBuilder(mlir::MLIRContext &context)
      : builder(&context), loc(mlir::UnknownLoc::get(&context)) {
    context.loadDialect<KilnDialect, mlir::func::FuncDialect>();
    module = mlir::ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    func = mlir::func::FuncOp::create(builder, loc, "test",
                                      builder.getFunctionType({}, {}));
    builder.setInsertionPointToEnd(func.addEntryBlock());
  }

  /// A ranked tensor type; f32 elements unless given.
  mlir::RankedTensorType tensor(llvm::ArrayRef<int64_t> shape,
                                mlir::Type elementType = {}) {
    return mlir::RankedTensorType::get(
        shape, elementType ? elementType : builder.getF32Type());
  }

  /// A new argument of the test function with the given type.
  mlir::Value argument(mlir::Type type) {
    unsigned index = func.getNumArguments();
    if (mlir::failed(func.insertArgument(index, type, {}, loc)))
      return {};
    return func.getArgument(index);
  }

  /// A new argument: a tensor of the given shape, f32 elements unless given.
  mlir::Value argument(llvm::ArrayRef<int64_t> shape,
                       mlir::Type elementType = {}) {
    return argument(tensor(shape, elementType));
  }

  /// The shape of `value`'s ranked tensor type.
  static llvm::SmallVector<int64_t> shapeOf(mlir::Value value) {
    return llvm::to_vector(
        mlir::cast<mlir::RankedTensorType>(value.getType()).getShape());
  }

  /// Terminates the test function and runs the verifier on the module; the
  /// diagnostics it reports are appended to `diagnostics`.
  mlir::LogicalResult verifyModule() {
    mlir::Block &body = func.getBody().front();
    if (body.empty() || !body.back().hasTrait<mlir::OpTrait::IsTerminator>())
      mlir::func::ReturnOp::create(builder, loc);
    mlir::ScopedDiagnosticHandler handler(
        builder.getContext(), [&](mlir::Diagnostic &diagnostic) {
          diagnostics += diagnostic.str() + "\n";
          return mlir::success();
        });
    return mlir::verify(*module);
  }

  mlir::OpBuilder builder;
  mlir::Location loc;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  std::string diagnostics;
};

/// Holds the context, so that it outlives the FunctionBuilder base after it.
struct ContextHolder {
  mlir::MLIRContext context;
};

/// A test with its own context and a FunctionBuilder in it.
class DialectTest : public ::testing::Test,
                    protected ContextHolder,
                    protected FunctionBuilder {
protected:
  DialectTest() : FunctionBuilder(context) {}
};

} // namespace kiln::test

#endif // KILN_TESTS_UNIT_DIALECT_DIALECTTESTSUPPORT_H
