//===- GradientInterfaceTest.cpp - Gradient rules as external models ------===//
//
// No kiln op declares GradientOpInterface: autodiff attaches one external model
// per op. These tests attach a model to kiln.add the two ways autodiff can (a
// dialect registry extension, and attachInterface on a live context), check
// that the op then implements the interface and builds its gradients, and that
// ops without a model do not.
//
//===----------------------------------------------------------------------===//

#include "DialectTestSupport.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace kiln;
using kiln::test::FunctionBuilder;

namespace {

/// The gradient rule of kiln.add: each operand receives the result's gradient,
/// summed over the dimensions along which that operand was broadcast.
struct AddGradientModel
    : GradientOpInterface::ExternalModel<AddGradientModel, AddOp> {
  LogicalResult buildGradients(Operation *op, OpBuilder &builder,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    if (resultGradients.size() != 1 || !resultGradients.front())
      return failure();
    Value gradient = resultGradients.front();
    auto gradientType = cast<RankedTensorType>(gradient.getType());
    for (Value operand : op->getOperands()) {
      auto type = cast<RankedTensorType>(operand.getType());
      if (type == gradientType) {
        operandGradients.push_back(gradient);
        continue;
      }
      int64_t leading = gradientType.getRank() - type.getRank();
      SmallVector<int64_t> axes;
      for (int64_t d = 0; d < gradientType.getRank(); ++d)
        if (d < leading || (type.getDimSize(d - leading) == 1 &&
                            gradientType.getDimSize(d) != 1))
          axes.push_back(d);
      Value sum = ReduceSumOp::create(builder, op->getLoc(), gradient, axes,
                                      /*keep_dims=*/true);
      operandGradients.push_back(
          ReshapeOp::create(builder, op->getLoc(), sum, type.getShape()));
    }
    return success();
  }
};

/// Checks the gradients AddGradientModel builds for `lhs (2x3) + rhs (3)`.
void checkAddGradients(FunctionBuilder &f) {
  Value lhs = f.argument({2, 3}), rhs = f.argument({3});
  Value seed = f.argument({2, 3});
  auto add = AddOp::create(f.builder, f.loc, lhs, rhs);

  auto gradientOp = dyn_cast<GradientOpInterface>(add.getOperation());
  ASSERT_TRUE(gradientOp);
  EXPECT_TRUE(gradientOp.isOperandDifferentiable(0));
  EXPECT_TRUE(gradientOp.isOperandDifferentiable(1));

  SmallVector<Value> gradients;
  ASSERT_TRUE(succeeded(gradientOp.buildGradients(f.builder, seed, gradients)));
  ASSERT_EQ(gradients.size(), 2u);
  // lhs has the result's shape: its gradient is the seed itself.
  EXPECT_EQ(gradients[0], seed);
  // rhs was broadcast along dimension 0: its gradient sums the seed over it.
  EXPECT_EQ(gradients[1].getType(), rhs.getType());
  auto reshape = gradients[1].getDefiningOp<ReshapeOp>();
  ASSERT_TRUE(reshape);
  auto sum = reshape.getInput().getDefiningOp<ReduceSumOp>();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum.getInput(), seed);
  EXPECT_EQ(sum.getAxes(), ArrayRef<int64_t>({0}));
  EXPECT_EQ(sum.getType(), f.tensor({1, 3}));

  // A missing result gradient is reported, not dereferenced.
  SmallVector<Value> none;
  EXPECT_TRUE(failed(gradientOp.buildGradients(f.builder, Value(), none)));

  EXPECT_TRUE(succeeded(f.verifyModule())) << f.diagnostics;
}

TEST(GradientInterface, NoKilnOpDeclaresIt) {
  MLIRContext context;
  context.loadDialect<KilnDialect>();
  int kilnOps = 0;
  for (RegisteredOperationName name : context.getRegisteredOperations()) {
    if (name.getDialectNamespace() != KilnDialect::getDialectNamespace())
      continue;
    ++kilnOps;
    EXPECT_FALSE(name.hasInterface<GradientOpInterface>())
        << name.getStringRef().str();
  }
  // At least the foundation's constant, 4 binary, 5 unary, matmul, conv, 2
  // pooling, reshape, transpose, concat, 3 reductions and softmax; each op
  // family adds more.
  EXPECT_GE(kilnOps, 21);
}

TEST(GradientInterface, AttachedThroughARegistryExtension) {
  DialectRegistry registry;
  registry.insert<KilnDialect>();
  registry.addExtension(+[](MLIRContext *context, KilnDialect *) {
    AddOp::attachInterface<AddGradientModel>(*context);
  });
  MLIRContext context(registry);
  FunctionBuilder f(context);
  checkAddGradients(f);
}

TEST(GradientInterface, AttachedOnALiveContext) {
  MLIRContext context;
  FunctionBuilder f(context);
  AddOp::attachInterface<AddGradientModel>(context);
  checkAddGradients(f);
}

TEST(GradientInterface, OnlyTheOpWithAModelImplementsIt) {
  MLIRContext context;
  FunctionBuilder f(context);
  Value x = f.argument({4}), y = f.argument({4});
  auto before = AddOp::create(f.builder, f.loc, x, y);
  EXPECT_FALSE(isa<GradientOpInterface>(before.getOperation()));

  AddOp::attachInterface<AddGradientModel>(context);
  // The model belongs to the op name: existing ops gain it too.
  EXPECT_TRUE(isa<GradientOpInterface>(before.getOperation()));
  auto mul = MulOp::create(f.builder, f.loc, x, y);
  EXPECT_FALSE(isa<GradientOpInterface>(mul.getOperation()));
  EXPECT_FALSE(dyn_cast<GradientOpInterface>(mul.getOperation()));
  EXPECT_FALSE(MulOp::getOperationName().empty());
  EXPECT_FALSE(mul->getName().hasInterface<GradientOpInterface>());
  EXPECT_TRUE(before->getName().hasInterface<GradientOpInterface>());
}

TEST(GradientInterface, ContextsDoNotShareModels) {
  MLIRContext withModel, withoutModel;
  withModel.loadDialect<KilnDialect>();
  AddOp::attachInterface<AddGradientModel>(withModel);
  FunctionBuilder f(withoutModel);
  auto add = AddOp::create(f.builder, f.loc, f.argument({2}), f.argument({2}));
  EXPECT_FALSE(isa<GradientOpInterface>(add.getOperation()));
}

TEST(GradientInterface, DefaultDifferentiabilityFollowsTheElementType) {
  MLIRContext context;
  FunctionBuilder f(context);
  AddOp::attachInterface<AddGradientModel>(context);
  Type i32 = f.builder.getI32Type();
  auto add = AddOp::create(f.builder, f.loc, f.argument({4}, i32),
                           f.argument({4}, i32));
  auto gradientOp = cast<GradientOpInterface>(add.getOperation());
  EXPECT_FALSE(gradientOp.isOperandDifferentiable(0));
  EXPECT_FALSE(gradientOp.isOperandDifferentiable(1));
}

} // namespace
