//===- TypeInferenceTest.cpp - Result types inferred by kiln builders -----===//
//
// The ODS builders that take no result type infer it: frontends and the native
// GraphBuilder rely on this, so each op's rule is checked here through them,
// and a few failures through the verifier and the static inference hooks.
//
//===----------------------------------------------------------------------===//

#include "DialectTestSupport.h"

using namespace mlir;
using namespace kiln;
using kiln::test::DialectTest;
using kiln::test::kDyn;

namespace {

using Shape = SmallVector<int64_t>;

class TypeInferenceTest : public DialectTest {};

TEST_F(TypeInferenceTest, ConstantTakesTheTypeOfItsValue) {
  auto type = tensor({2, 3}, builder.getI32Type());
  auto value = DenseElementsAttr::get(type, builder.getI32IntegerAttr(7));
  auto constant = ConstantOp::create(builder, loc, value);
  EXPECT_EQ(constant.getType(), type);
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, BinaryOpsBroadcast) {
  Value a = argument({8, 1}), b = argument({16}), c = argument({8, 16});
  EXPECT_EQ(AddOp::create(builder, loc, a, b).getType(), tensor({8, 16}));
  EXPECT_EQ(SubOp::create(builder, loc, b, c).getType(), tensor({8, 16}));
  EXPECT_EQ(MulOp::create(builder, loc, c, c).getType(), tensor({8, 16}));
  Value scalar = argument(tensor({}));
  EXPECT_EQ(DivOp::create(builder, loc, scalar, a).getType(), tensor({8, 1}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, BinaryOpsKeepIntegerElementsAndDynamicDims) {
  Type i32 = builder.getI32Type();
  Value a = argument({kDyn, 4}, i32), b = argument({4}, i32);
  Value c = argument({kDyn, 1}, i32), d = argument({1, kDyn}, i32);
  Value e = argument({kDyn}, i32), f = argument({3}, i32);
  EXPECT_EQ(AddOp::create(builder, loc, a, b).getType(),
            tensor({kDyn, 4}, i32));
  EXPECT_EQ(MulOp::create(builder, loc, c, d).getType(),
            tensor({kDyn, kDyn}, i32));
  // An unknown dim broadcast against 3 must be 1 or 3: the result has 3.
  EXPECT_EQ(SubOp::create(builder, loc, e, f).getType(), tensor({3}, i32));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, UnaryOpsAndSoftmaxKeepTheOperandType) {
  Value x = argument({4, kDyn});
  Value h = argument({2}, builder.getBF16Type());
  EXPECT_EQ(ReluOp::create(builder, loc, x).getType(), x.getType());
  EXPECT_EQ(SigmoidOp::create(builder, loc, x).getType(), x.getType());
  EXPECT_EQ(TanhOp::create(builder, loc, x).getType(), x.getType());
  EXPECT_EQ(ExpOp::create(builder, loc, x).getType(), x.getType());
  EXPECT_EQ(LogOp::create(builder, loc, h).getType(), h.getType());
  EXPECT_EQ(SoftmaxOp::create(builder, loc, x, 1).getType(), x.getType());
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, MatMulBroadcastsBatchDims) {
  Value x = argument({32, 784}), w = argument({784, 128});
  EXPECT_EQ(MatMulOp::create(builder, loc, x, w).getType(), tensor({32, 128}));
  Value a = argument({4, 1, 3, 5}), b = argument({6, 5, 7});
  EXPECT_EQ(MatMulOp::create(builder, loc, a, b).getType(),
            tensor({4, 6, 3, 7}));
  Value q = argument({2, 8, 64, 32}), k = argument({32, 64});
  EXPECT_EQ(MatMulOp::create(builder, loc, q, k).getType(),
            tensor({2, 8, 64, 64}));
  Type i8 = builder.getI8Type();
  Value c = argument({kDyn, kDyn, 3}, i8), d = argument({kDyn, 3, kDyn}, i8);
  EXPECT_EQ(MatMulOp::create(builder, loc, c, d).getType(),
            tensor({kDyn, kDyn, kDyn}, i8));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, Conv2DOutputSizes) {
  Value x = argument({1, 3, 32, 32}), w = argument({16, 3, 3, 3});
  EXPECT_EQ(ConvOp::create(builder, loc, x, w).getType(),
            tensor({1, 16, 30, 30}));
  EXPECT_EQ(ConvOp::create(builder, loc, x, w, /*strides=*/{2, 2},
                           /*padding=*/{1, 1, 1, 1})
                .getType(),
            tensor({1, 16, 16, 16}));
  // Padding is [top, left, bottom, right]; dilations widen the filter.
  EXPECT_EQ(ConvOp::create(builder, loc, x, w, /*strides=*/{1, 1},
                           /*padding=*/{0, 1, 2, 3}, /*dilations=*/{2, 3})
                .getType(),
            tensor({1, 16, 30, 30}));
  // Depthwise, with dynamic batch and spatial dims.
  Value y = argument({kDyn, 8, kDyn, 10}), dw = argument({8, 1, 3, 3});
  EXPECT_EQ(ConvOp::create(builder, loc, y, dw, /*strides=*/{1, 1},
                           /*padding=*/{0, 0, 0, 0}, /*dilations=*/{1, 1},
                           /*groups=*/8)
                .getType(),
            tensor({kDyn, 8, kDyn, 8}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, PoolingOutputSizes) {
  Value x = argument({1, 16, 32, 32});
  EXPECT_EQ(MaxPoolOp::create(builder, loc, x, /*kernel_size=*/{2, 2},
                              /*strides=*/{2, 2})
                .getType(),
            tensor({1, 16, 16, 16}));
  Value s = argument({1, 1, 6, 6});
  EXPECT_EQ(MaxPoolOp::create(builder, loc, s, /*kernel_size=*/{3, 3},
                              /*strides=*/{2, 2}, /*padding=*/{0, 0, 0, 0},
                              /*ceil_mode=*/true)
                .getType(),
            tensor({1, 1, 3, 3}));
  EXPECT_EQ(MaxPoolOp::create(builder, loc, s, /*kernel_size=*/{3, 3},
                              /*strides=*/{1, 1}, /*padding=*/{2, 2, 2, 2},
                              /*ceil_mode=*/false, /*dilations=*/{2, 2})
                .getType(),
            tensor({1, 1, 6, 6}));
  // Ceil mode drops the window that would start in the end padding.
  Value d = argument({kDyn, 3, kDyn, 5});
  EXPECT_EQ(AvgPoolOp::create(builder, loc, d, /*kernel_size=*/{2, 2},
                              /*strides=*/{2, 2}, /*padding=*/{1, 1, 1, 1},
                              /*ceil_mode=*/true, /*count_include_pad=*/true)
                .getType(),
            tensor({kDyn, 3, kDyn, 3}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, ReshapeInfersTheMinusOne) {
  Value x = argument({1, 16, 4, 4});
  EXPECT_EQ(
      ReshapeOp::create(builder, loc, x, ArrayRef<int64_t>{1, -1}).getType(),
      tensor({1, 256}));
  EXPECT_EQ(
      ReshapeOp::create(builder, loc, x, ArrayRef<int64_t>{16, 16}).getType(),
      tensor({16, 16}));
  // With a dynamic input the -1 stays unknown and the other entries are kept.
  Value d = argument({kDyn, 4}, builder.getI64Type());
  EXPECT_EQ(
      ReshapeOp::create(builder, loc, d, ArrayRef<int64_t>{2, -1, 2}).getType(),
      tensor({2, kDyn, 2}, builder.getI64Type()));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, TransposePermutesDims) {
  Value x = argument({kDyn, 3, 5}, builder.getI32Type());
  EXPECT_EQ(TransposeOp::create(builder, loc, x, ArrayRef<int64_t>{2, 0, 1})
                .getType(),
            tensor({5, kDyn, 3}, builder.getI32Type()));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, ConcatSumsTheAxis) {
  Value a = argument({1, 16, 8, 8}), b = argument({1, 32, 8, 8});
  EXPECT_EQ(ConcatOp::create(builder, loc, ValueRange{a, b}, 1).getType(),
            tensor({1, 48, 8, 8}));
  // Other dims take the static size of whichever input has one; a dynamic size
  // on the axis makes the sum dynamic.
  Value c = argument({kDyn, 4}), d = argument({3, kDyn});
  EXPECT_EQ(ConcatOp::create(builder, loc, ValueRange{c, d}, 0).getType(),
            tensor({kDyn, 4}));
  EXPECT_EQ(ConcatOp::create(builder, loc, ValueRange{d, c}, 1).getType(),
            tensor({3, kDyn}));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, ReductionsDropOrKeepDims) {
  Value x = argument({1, 64, 7, 7});
  EXPECT_EQ(ReduceSumOp::create(builder, loc, x, ArrayRef<int64_t>{2, 3},
                                /*keep_dims=*/true)
                .getType(),
            tensor({1, 64, 1, 1}));
  EXPECT_EQ(
      ReduceMeanOp::create(builder, loc, x, ArrayRef<int64_t>{2, 3}).getType(),
      tensor({1, 64}));
  EXPECT_EQ(ReduceMaxOp::create(builder, loc, x, ArrayRef<int64_t>{0, 1, 2, 3})
                .getType(),
            tensor({}));
  Value y = argument({kDyn, 5}, builder.getI32Type());
  EXPECT_EQ(
      ReduceSumOp::create(builder, loc, y, ArrayRef<int64_t>{1}).getType(),
      tensor({kDyn}, builder.getI32Type()));
  EXPECT_TRUE(succeeded(verifyModule())) << diagnostics;
}

TEST_F(TypeInferenceTest, VerifierRejectsAnIncompatibleDeclaredType) {
  Value a = argument({2, 3}), b = argument({3});
  // A more static declared type is fine; a contradicting one is not.
  AddOp::create(builder, loc, tensor({2, 3}), argument({kDyn, 3}), b);
  AddOp::create(builder, loc, tensor({3, 3}), a, b);
  EXPECT_TRUE(failed(verifyModule()));
  EXPECT_NE(
      diagnostics.find("'kiln.add' op inferred type(s) 'tensor<2x3xf32>' "
                       "are incompatible with return type(s) of operation "
                       "'tensor<3x3xf32>'"),
      std::string::npos)
      << diagnostics;
}

TEST_F(TypeInferenceTest, VerifierReportsTheBroadcastMismatch) {
  Value a = argument({2, 3}), b = argument({4});
  AddOp::create(builder, loc, tensor({2, 3}), a, b);
  EXPECT_TRUE(failed(verifyModule()));
  EXPECT_NE(diagnostics.find("kiln.add operand shapes [2, 3] and [4] are not "
                             "broadcast-compatible"),
            std::string::npos)
      << diagnostics;
}

TEST_F(TypeInferenceTest, StaticInferenceHookFailsWithADiagnostic) {
  // Frontends may call the inference hook before building: it reports, not
  // asserts.
  Value x = argument({2, 3});
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    message = diagnostic.str();
    return success();
  });
  TransposeOp::Properties properties;
  properties.setPermutation(builder.getDenseI64ArrayAttr({0, 0}));
  SmallVector<Type> inferred;
  EXPECT_TRUE(failed(TransposeOp::inferReturnTypes(
      &context, loc, ValueRange{x}, /*attributes=*/{}, &properties,
      /*regions=*/{}, inferred)));
  EXPECT_EQ(message,
            "kiln.transpose permutation [0, 0] is not a permutation of "
            "[0, 2)");

  properties.setPermutation(builder.getDenseI64ArrayAttr({1, 0}));
  inferred.clear();
  ASSERT_TRUE(succeeded(TransposeOp::inferReturnTypes(
      &context, loc, ValueRange{x}, /*attributes=*/{}, &properties,
      /*regions=*/{}, inferred)));
  ASSERT_EQ(inferred.size(), 1u);
  EXPECT_EQ(inferred.front(), tensor({3, 2}));
}

} // namespace
