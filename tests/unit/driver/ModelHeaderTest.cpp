//===- ModelHeaderTest.cpp - Tests of the generated model header ----------===//
//
// Names from a model become C identifiers: sanitized, never keywords, never
// colliding; strings are escaped; values with dynamic dimensions get no typed
// function. (That the header compiles and runs is shown by the lit tests,
// which build C programs against it.)
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/ModelHeader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace kiln::driver;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

ValueSignature f32(std::string name, std::vector<int64_t> dims) {
  return ValueSignature{std::move(name), KILN_DTYPE_F32, std::move(dims)};
}

std::string generate(std::vector<FunctionSignature> functions,
                     HeaderLinkage linkage = HeaderLinkage::SharedLibrary,
                     std::string name = "net") {
  ModelHeaderOptions options;
  options.moduleName = std::move(name);
  options.linkage = linkage;
  options.sourceName = "net.mlir";
  options.outputName = "net.so";
  options.producer = "kiln test";
  options.functions = std::move(functions);
  auto header = generateModelHeader(options);
  if (!header) {
    ADD_FAILURE() << llvm::toString(header.takeError());
    return "";
  }
  return *header;
}

TEST(ModelHeaderTest, IdentifiersAreSanitized) {
  EXPECT_EQ(makeCIdentifier("input.1"), "input_1");
  EXPECT_EQ(makeCIdentifier("0"), "m_0");
  EXPECT_EQ(makeCIdentifier(""), "m_");
  EXPECT_EQ(makeCIdentifier("int"), "m_int");
  EXPECT_EQ(makeCIdentifier("_x"), "m__x");
  EXPECT_TRUE(isCIdentifier("resnet18"));
  EXPECT_FALSE(isCIdentifier("18resnet"));
  EXPECT_FALSE(isCIdentifier("_reserved"));
  EXPECT_FALSE(isCIdentifier("float"));
  EXPECT_FALSE(isCIdentifier("a-b"));
  EXPECT_EQ(defaultModuleName("out/libnet.a", /*isArchive=*/true), "net");
  EXPECT_EQ(defaultModuleName("out/libnet.so", /*isArchive=*/false), "libnet");
  EXPECT_EQ(defaultModuleName("my-model.so", false), "my_model");
}

TEST(ModelHeaderTest, DescribesEveryValue) {
  std::string header = generate(
      {{"forward", {f32("input.1", {1, 3, 8, 8})}, {f32("logits", {1, 10})}}});
  EXPECT_THAT(header,
              HasSubstr("#define NET_FORWARD_INPUT_INPUT_1_NAME \"input.1\""));
  EXPECT_THAT(
      header,
      HasSubstr("#define NET_FORWARD_INPUT_INPUT_1_SHAPE {1, 3, 8, 8}"));
  EXPECT_THAT(header,
              HasSubstr("#define NET_FORWARD_INPUT_INPUT_1_ELEMENTS 192"));
  EXPECT_THAT(header, HasSubstr("#define NET_FORWARD_INPUT_INPUT_1_BYTES 768"));
  EXPECT_THAT(header, HasSubstr("#define NET_FORWARD_OUTPUT_LOGITS_DIM1 10"));
  EXPECT_THAT(
      header,
      HasSubstr(
          "static inline kiln_status *net_forward(const net_model *model,\n"
          "    const float *input_1,\n"
          "    float *logits)"));
  EXPECT_THAT(header, HasSubstr("kiln_module_load(path, &model->module)"));
}

TEST(ModelHeaderTest, LinkedModelsUsePrefixedTables) {
  std::string header = generate({{"f", {f32("x", {2})}, {f32("y", {2})}}},
                                HeaderLinkage::Linked);
  EXPECT_THAT(
      header,
      HasSubstr("extern const kiln_abi_module net_kiln_module_abi_v1;"));
  EXPECT_THAT(
      header,
      HasSubstr(
          "static inline kiln_status *net_model_load(net_model *model) {"));
  EXPECT_THAT(header, Not(HasSubstr("kiln_module_load(")));
}

TEST(ModelHeaderTest, CollidingNamesGetSuffixes) {
  std::string header =
      generate({{"f",
                 {f32("a.b", {1}), f32("a_b", {1}), f32("model", {1})},
                 {f32("a.b", {1})}},
                {"model_load", {}, {f32("int", {1})}}});
  // Two inputs that sanitize alike, a parameter named like the model
  // argument, an output that shares an input's name.
  EXPECT_THAT(header, HasSubstr("#define NET_F_INPUT_A_B_NAME \"a.b\""));
  EXPECT_THAT(header, HasSubstr("#define NET_F_INPUT_A_B_1_NAME \"a_b\""));
  EXPECT_THAT(header, HasSubstr("#define NET_F_OUTPUT_A_B_NAME \"a.b\""));
  EXPECT_THAT(header,
              HasSubstr("const float *a_b,\n    const float *a_b_1,\n"
                        "    const float *model_1,\n    float *a_b_2)"));
  // A function named like the header's own load function.
  EXPECT_THAT(header, HasSubstr("net_model_load_1(const net_model *model"));
  EXPECT_THAT(header, HasSubstr("float *m_int)"));
}

TEST(ModelHeaderTest, StringsAndCommentsAreEscaped) {
  std::string header =
      generate({{"f\"*/", {f32("x\\n", {1})}, {f32("y?", {1})}}});
  EXPECT_THAT(header, HasSubstr("#define NET_F____NAME \"f\\\"*/\""));
  EXPECT_THAT(header, HasSubstr("\"x\\\\n\""));
  EXPECT_THAT(header, HasSubstr("\"y\\077\""));
  // The comment naming the function does not end early.
  EXPECT_THAT(
      header,
      HasSubstr("/*===--- f\"* /(x\\n: f32[1]) -> (y?: f32[1]) ---===*/"));
}

TEST(ModelHeaderTest, ScalarsAndFunctionsWithoutInputs) {
  std::string header = generate({{"constant", {}, {f32("one", {})}}});
  EXPECT_THAT(header, HasSubstr("#define NET_CONSTANT_OUTPUT_ONE_RANK 0"));
  EXPECT_THAT(header, Not(HasSubstr("NET_CONSTANT_OUTPUT_ONE_SHAPE")));
  EXPECT_THAT(header, HasSubstr("#define NET_CONSTANT_OUTPUT_ONE_ELEMENTS 1"));
  EXPECT_THAT(header, HasSubstr("const void * const *inputs_ = NULL;"));
  EXPECT_THAT(header, HasSubstr("kiln_function_run_buffers(model->constant, "
                                "inputs_, 0, outputs_, 1)"));
}

TEST(ModelHeaderTest, DynamicDimensionsGetNoTypedFunction) {
  std::string header =
      generate({{"rows", {f32("x", {-1, 3})}, {f32("y", {-1})}}});
  EXPECT_THAT(header, HasSubstr("#define NET_ROWS_INPUT_X_DIM0 -1"));
  EXPECT_THAT(header, Not(HasSubstr("NET_ROWS_INPUT_X_ELEMENTS")));
  EXPECT_THAT(header, Not(HasSubstr("net_rows(")));
  EXPECT_THAT(header, HasSubstr("has dynamic dimensions: run it with"));
}

TEST(ModelHeaderTest, StringValuesGetNoTypedFunction) {
  // Plain buffers cannot own the strings a run returns.
  ValueSignature text{"text", KILN_DTYPE_STRING, {4}};
  std::string header = generate({{"format", {f32("x", {4})}, {text}},
                                 {"sum", {f32("a", {2})}, {f32("b", {2})}}});
  EXPECT_THAT(
      header,
      HasSubstr("#define NET_FORMAT_OUTPUT_TEXT_DTYPE KILN_DTYPE_STRING"));
  EXPECT_THAT(header, HasSubstr("#define NET_FORMAT_OUTPUT_TEXT_BYTES 32"));
  EXPECT_THAT(header, Not(HasSubstr("net_format(")));
  EXPECT_THAT(header, HasSubstr("has string values: run it with"));
  // Other functions of the model keep theirs.
  EXPECT_THAT(header, HasSubstr("net_sum("));
}

TEST(ModelHeaderTest, BadModelNameIsAnError) {
  ModelHeaderOptions options;
  options.moduleName = "my-net";
  auto header = generateModelHeader(options);
  ASSERT_FALSE(static_cast<bool>(header));
  EXPECT_THAT(llvm::toString(header.takeError()),
              HasSubstr("'my-net' is not a C identifier"));
}

} // namespace
