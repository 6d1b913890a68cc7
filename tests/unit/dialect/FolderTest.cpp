//===- FolderTest.cpp - Folding kiln ops while building them --------------===//
//
// OpBuilder::createOrFold runs each op's folder as the op is built (as
// frontends do for weight preprocessing): constant results are materialized as
// kiln.constant, identities return the operand, and in-place folds rewrite the
// op.
//
//===----------------------------------------------------------------------===//

#include "DialectTestSupport.h"

using namespace mlir;
using namespace kiln;
using kiln::test::DialectTest;
using kiln::test::kDyn;

namespace {

class FolderTest : public DialectTest {
protected:
  /// A kiln.constant splat of `value` with the given type.
  Value splat(RankedTensorType type, double value) {
    Attribute element =
        isa<FloatType>(type.getElementType())
            ? Attribute(builder.getFloatAttr(type.getElementType(), value))
            : Attribute(builder.getIntegerAttr(type.getElementType(),
                                               static_cast<int64_t>(value)));
    return ConstantOp::create(builder, loc,
                              DenseElementsAttr::get(type, element));
  }

  /// A kiln.constant of f32 values with the given shape.
  Value floats(ArrayRef<int64_t> shape, ArrayRef<float> values) {
    return ConstantOp::create(builder, loc,
                              DenseElementsAttr::get(tensor(shape), values));
  }

  /// The f32 values of the kiln.constant that defines `value`; empty if none
  /// does.
  static SmallVector<float> constantValues(Value value) {
    auto constant = value.getDefiningOp<ConstantOp>();
    if (!constant)
      return {};
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense)
      return {};
    return llvm::to_vector(dense.getValues<float>());
  }
};

TEST_F(FolderTest, BinaryOpsOnConstantsFoldToAConstant) {
  Value a = floats({2}, {1.0f, 2.0f}), b = floats({2}, {3.0f, 8.0f});
  Value sum = builder.createOrFold<AddOp>(loc, a, b);
  Value difference = builder.createOrFold<SubOp>(loc, a, b);
  Value product = builder.createOrFold<MulOp>(loc, a, b);
  Value quotient = builder.createOrFold<DivOp>(loc, a, b);
  EXPECT_EQ(constantValues(sum), SmallVector<float>({4.0f, 10.0f}));
  EXPECT_EQ(constantValues(difference), SmallVector<float>({-2.0f, -6.0f}));
  EXPECT_EQ(constantValues(product), SmallVector<float>({3.0f, 16.0f}));
  EXPECT_EQ(constantValues(quotient), SmallVector<float>({1.0f / 3.0f, 0.25f}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(FolderTest, IntegerConstantsFold) {
  auto type = tensor({3}, builder.getI32Type());
  Value sum = builder.createOrFold<AddOp>(loc, splat(type, 5), splat(type, -7));
  auto constant = sum.getDefiningOp<ConstantOp>();
  ASSERT_TRUE(constant);
  auto dense = cast<DenseElementsAttr>(constant.getValue());
  ASSERT_TRUE(dense.isSplat());
  EXPECT_EQ(dense.getSplatValue<APInt>().getSExtValue(), -2);
  EXPECT_EQ(sum.getType(), type);
}

TEST_F(FolderTest, IntegerDivisionIsNotFolded) {
  auto type = tensor({3}, builder.getI32Type());
  Value quotient =
      builder.createOrFold<DivOp>(loc, splat(type, 6), splat(type, 0));
  EXPECT_TRUE(quotient.getDefiningOp<DivOp>());
}

TEST_F(FolderTest, BroadcastingConstantsFold) {
  Value a = floats({2}, {1.0f, 2.0f});
  Value b = splat(tensor({3, 2}), 1.5);
  Value sum = builder.createOrFold<AddOp>(loc, a, b);
  EXPECT_EQ(sum.getType(), tensor({3, 2}));
  EXPECT_EQ(constantValues(sum),
            SmallVector<float>({2.5f, 3.5f, 2.5f, 3.5f, 2.5f, 3.5f}));
}

TEST_F(FolderTest, UnaryOpsOnConstantsFold) {
  Value x = floats({3}, {-1.0f, 0.0f, 2.0f});
  EXPECT_EQ(constantValues(builder.createOrFold<ReluOp>(loc, x)),
            SmallVector<float>({0.0f, 0.0f, 2.0f}));
  SmallVector<float> sigmoid =
      constantValues(builder.createOrFold<SigmoidOp>(loc, x));
  ASSERT_EQ(sigmoid.size(), 3u);
  EXPECT_FLOAT_EQ(sigmoid[0], 1.0f / (1.0f + std::exp(1.0f)));
  EXPECT_FLOAT_EQ(sigmoid[1], 0.5f);
  SmallVector<float> exp = constantValues(builder.createOrFold<ExpOp>(loc, x));
  ASSERT_EQ(exp.size(), 3u);
  EXPECT_FLOAT_EQ(exp[2], std::exp(2.0f));
  SmallVector<float> tanh =
      constantValues(builder.createOrFold<TanhOp>(loc, x));
  ASSERT_EQ(tanh.size(), 3u);
  EXPECT_FLOAT_EQ(tanh[0], std::tanh(-1.0f));
  SmallVector<float> log =
      constantValues(builder.createOrFold<LogOp>(loc, floats({1}, {1.0f})));
  EXPECT_EQ(log, SmallVector<float>({0.0f}));
}

TEST_F(FolderTest, NeutralOperandsFoldToTheOtherOperand) {
  Value x = argument({2, kDyn});
  // x * 1 and 1 * x, with 1 broadcast from a lower rank or from size 1.
  EXPECT_EQ(builder.createOrFold<MulOp>(loc, x, splat(tensor({1}), 1.0)), x);
  EXPECT_EQ(builder.createOrFold<MulOp>(loc, splat(tensor({2, 1}), 1.0), x), x);
  EXPECT_EQ(builder.createOrFold<DivOp>(loc, x, splat(tensor({}), 1.0)), x);
  EXPECT_EQ(builder.createOrFold<SubOp>(loc, x, splat(tensor({1, 1}), 0.0)), x);
  Value i = argument({4}, builder.getI64Type());
  Value zero = splat(tensor({4}, builder.getI64Type()), 0);
  EXPECT_EQ(builder.createOrFold<AddOp>(loc, i, zero), i);
  EXPECT_EQ(builder.createOrFold<AddOp>(loc, zero, i), i);
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(FolderTest, InexactOrShapeChangingIdentitiesAreNotFolded) {
  Value x = argument({4});
  // Float x + 0 turns -0.0 into +0.0; x - (-0.0) likewise; 1 / x and 0 - x are
  // not x.
  EXPECT_NE(builder.createOrFold<AddOp>(loc, x, splat(tensor({4}), 0.0)), x);
  EXPECT_NE(builder.createOrFold<SubOp>(loc, x, splat(tensor({4}), -0.0)), x);
  EXPECT_NE(builder.createOrFold<DivOp>(loc, splat(tensor({4}), 1.0), x), x);
  EXPECT_NE(builder.createOrFold<SubOp>(loc, splat(tensor({4}), 0.0), x), x);
  // The neutral operand broadcasts x to a larger shape.
  Value product =
      builder.createOrFold<MulOp>(loc, x, splat(tensor({3, 4}), 1.0));
  EXPECT_EQ(product.getType(), tensor({3, 4}));
  EXPECT_TRUE(product.getDefiningOp<MulOp>());
  // A dynamic dim of x may be 1 and stretch to the neutral operand's 4, even
  // when the declared result type is x's.
  Value dynamic = argument({kDyn});
  Value stretched = MulOp::create(builder, loc, dynamic.getType(), dynamic,
                                  splat(tensor({4}), 1.0));
  SmallVector<Value> folded;
  EXPECT_TRUE(failed(builder.tryFold(stretched.getDefiningOp(), folded)));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(FolderTest, ReluOfReluFoldsToTheInnerRelu) {
  Value x = argument({4});
  Value inner = ReluOp::create(builder, loc, x);
  EXPECT_EQ(builder.createOrFold<ReluOp>(loc, inner), inner);
  // relu of anything else stays.
  Value sigmoid = SigmoidOp::create(builder, loc, x);
  EXPECT_TRUE(
      builder.createOrFold<ReluOp>(loc, sigmoid).getDefiningOp<ReluOp>());
}

TEST_F(FolderTest, ReshapeFolds) {
  Value x = argument({2, 3, 4});
  // To the same static type: the input itself.
  EXPECT_EQ(
      builder.createOrFold<ReshapeOp>(loc, x, ArrayRef<int64_t>{2, -1, 4}), x);
  // Of a reshape: in place, reading the original input.
  Value flat = ReshapeOp::create(builder, loc, x, ArrayRef<int64_t>{24});
  Value reshaped =
      builder.createOrFold<ReshapeOp>(loc, flat, ArrayRef<int64_t>{4, 6});
  auto reshape = reshaped.getDefiningOp<ReshapeOp>();
  ASSERT_TRUE(reshape);
  EXPECT_EQ(reshape.getInput(), x);
  EXPECT_EQ(reshaped.getType(), tensor({4, 6}));
  // Of a constant: a constant of the new shape.
  Value c = floats({4}, {1.0f, 2.0f, 3.0f, 4.0f});
  Value square =
      builder.createOrFold<ReshapeOp>(loc, c, ArrayRef<int64_t>{2, 2});
  EXPECT_EQ(square.getType(), tensor({2, 2}));
  EXPECT_EQ(constantValues(square),
            SmallVector<float>({1.0f, 2.0f, 3.0f, 4.0f}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(FolderTest, ReshapeToTheSameDynamicTypeIsNotAlwaysAnIdentity) {
  // One unknown dim: the element count fixes it, so the shapes are equal.
  Value one = argument({kDyn, 6});
  EXPECT_EQ(builder.createOrFold<ReshapeOp>(loc, one, ArrayRef<int64_t>{-1, 6}),
            one);
  // Two unknown dims: a 2x3 input would become 1x6.
  Value two = argument({kDyn, kDyn});
  Value reshaped = ReshapeOp::create(builder, loc, two.getType(), two,
                                     ArrayRef<int64_t>{-1, 6});
  SmallVector<Value> folded;
  EXPECT_TRUE(failed(builder.tryFold(reshaped.getDefiningOp(), folded)));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(FolderTest, TransposeFolds) {
  Value x = argument({2, 3, 4});
  // The identity permutation.
  EXPECT_EQ(
      builder.createOrFold<TransposeOp>(loc, x, ArrayRef<int64_t>{0, 1, 2}), x);
  // transpose(transpose(x, [1, 2, 0]), [1, 0, 2]) = transpose(x, [2, 1, 0]), in
  // place.
  Value inner =
      TransposeOp::create(builder, loc, x, ArrayRef<int64_t>{1, 2, 0});
  Value outer =
      builder.createOrFold<TransposeOp>(loc, inner, ArrayRef<int64_t>{1, 0, 2});
  auto transpose = outer.getDefiningOp<TransposeOp>();
  ASSERT_TRUE(transpose);
  EXPECT_EQ(transpose.getInput(), x);
  EXPECT_EQ(transpose.getPermutation(), ArrayRef<int64_t>({2, 1, 0}));
  EXPECT_EQ(outer.getType(), tensor({4, 3, 2}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(FolderTest, ConcatOfOneInputIsTheInput) {
  Value x = argument({2, kDyn});
  EXPECT_EQ(builder.createOrFold<ConcatOp>(loc, ValueRange{x}, 1), x);
  Value twice = builder.createOrFold<ConcatOp>(loc, ValueRange{x, x}, 0);
  EXPECT_TRUE(twice.getDefiningOp<ConcatOp>());
  EXPECT_EQ(twice.getType(), tensor({4, kDyn}));
}

TEST_F(FolderTest, ConstantFoldsToItsValue) {
  auto type = tensor({2});
  auto value = DenseElementsAttr::get(type, ArrayRef<float>{1.0f, 2.0f});
  auto constant = ConstantOp::create(builder, loc, value);
  SmallVector<OpFoldResult> results;
  ASSERT_TRUE(succeeded(constant->fold(results)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(dyn_cast<Attribute>(results.front()), value);
  // The dialect materializes a folded value of the same type as a kiln.constant
  // and refuses one whose type differs.
  auto *dialect = context.getLoadedDialect<KilnDialect>();
  Operation *materialized =
      dialect->materializeConstant(builder, value, type, loc);
  ASSERT_TRUE(materialized);
  EXPECT_TRUE(isa<ConstantOp>(materialized));
  EXPECT_EQ(dialect->materializeConstant(builder, value, tensor({1, 2}), loc),
            nullptr);
}

} // namespace
