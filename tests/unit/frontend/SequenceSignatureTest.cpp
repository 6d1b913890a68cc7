//===- SequenceSignatureTest.cpp - Sequence and optional graph inputs -----===//
//
// Graph inputs and outputs that are sequences or optionals are resolved when
// importing (ImportOptions::sequenceInputs and emptyOptionalInputs): a
// sequence becomes one argument or result per element, named "name[i]"; an
// optional is its element or nothing. These tests import a small model that
// takes a sequence `s` and an optional tensor `o`, check the signature and the
// values the importer resolves, and check that every wrong option gives an
// error naming the input instead of a crash.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Frontends/ONNX/Import.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

using ::testing::HasSubstr;
using namespace mlir;

namespace {

/// Makes `type` a float tensor of shape `dims`.
void setFloatTensor(onnx::TypeProto *type, std::vector<int64_t> dims) {
  auto *tensor = type->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto *shape = tensor->mutable_shape();
  for (int64_t dim : dims)
    shape->add_dim()->set_dim_value(dim);
}

onnx::NodeProto *addNode(onnx::GraphProto *graph, const std::string &opType,
                         std::vector<std::string> inputs,
                         std::vector<std::string> outputs) {
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type(opType);
  for (const std::string &input : inputs)
    node->add_input(input);
  for (const std::string &output : outputs)
    node->add_output(output);
  return node;
}

/// s: sequence of f32[2]; o: optional f32[2]. Outputs: the number of elements
/// of s, its element 1, whether o holds a tensor, and s itself.
onnx::ModelProto makeModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("g");
  onnx::ValueInfoProto *s = graph->add_input();
  s->set_name("s");
  setFloatTensor(
      s->mutable_type()->mutable_sequence_type()->mutable_elem_type(), {2});
  onnx::ValueInfoProto *o = graph->add_input();
  o->set_name("o");
  setFloatTensor(
      o->mutable_type()->mutable_optional_type()->mutable_elem_type(), {2});
  onnx::TensorProto *one = graph->add_initializer();
  one->set_name("one");
  one->set_data_type(onnx::TensorProto::INT64);
  one->add_int64_data(1);
  addNode(graph, "SequenceLength", {"s"}, {"length"});
  addNode(graph, "SequenceAt", {"s", "one"}, {"second"});
  addNode(graph, "OptionalHasElement", {"o"}, {"has"});
  addNode(graph, "Identity", {"s"}, {"same"});
  auto addOutput = [&](const std::string &name) {
    onnx::ValueInfoProto *output = graph->add_output();
    output->set_name(name);
    return output->mutable_type();
  };
  auto *length = addOutput("length")->mutable_tensor_type();
  length->set_elem_type(onnx::TensorProto::INT64);
  length->mutable_shape(); // rank 0
  setFloatTensor(addOutput("second"), {2});
  auto *has = addOutput("has")->mutable_tensor_type();
  has->set_elem_type(onnx::TensorProto::BOOL);
  has->mutable_shape();
  *addOutput("same") = s->type();
  return model;
}

class SequenceSignatureTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("kiln-sequence", directory));
    llvm::SmallString<256> file(directory);
    llvm::sys::path::append(file, "model.onnx");
    path = file.str().str();
    std::ofstream stream(path, std::ios::binary);
    stream << makeModel().SerializeAsString();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  /// The names (`kiln.name`) of the arguments or results of `@forward`.
  static std::vector<std::string> names(func::FuncOp function, bool results) {
    std::vector<std::string> list;
    unsigned count =
        results ? function.getNumResults() : function.getNumArguments();
    for (unsigned i = 0; i < count; ++i) {
      auto name = results
                      ? function.getResultAttrOfType<StringAttr>(i, "kiln.name")
                      : function.getArgAttrOfType<StringAttr>(i, "kiln.name");
      list.push_back(name ? name.str() : "");
    }
    return list;
  }

  /// The importer's error with `options` (fails the test if it imports).
  std::string importError(const kiln::onnx_import::ImportOptions &options) {
    MLIRContext context;
    auto module = kiln::onnx_import::importModel(context, path, options);
    if (module) {
      ADD_FAILURE() << "the model imported";
      return "";
    }
    return llvm::toString(module.takeError());
  }

  /// The value `@forward` returns as result `i`, as a constant, or null.
  static DenseElementsAttr returnedConstant(func::FuncOp function, unsigned i) {
    auto ret = cast<func::ReturnOp>(function.getBody().front().getTerminator());
    DenseElementsAttr value;
    if (matchPattern(ret.getOperand(i), m_Constant(&value)))
      return value;
    return {};
  }

  llvm::SmallString<256> directory;
  std::string path;
};

TEST_F(SequenceSignatureTest, SequenceElementsBecomeArgumentsAndResults) {
  MLIRContext context;
  kiln::onnx_import::ImportOptions options;
  options.sequenceInputs = {{"s", {{2}, {2}, {2}}}};
  auto module = kiln::onnx_import::importModel(context, path, options);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  auto function = (*module)->lookupSymbol<func::FuncOp>("forward");
  ASSERT_TRUE(function);
  EXPECT_EQ(names(function, /*results=*/false),
            (std::vector<std::string>{"s[0]", "s[1]", "s[2]", "o"}));
  EXPECT_EQ(names(function, /*results=*/true),
            (std::vector<std::string>{"length", "second", "has", "same[0]",
                                      "same[1]", "same[2]"}));
  // SequenceLength and OptionalHasElement are known when importing.
  DenseElementsAttr length = returnedConstant(function, 0);
  ASSERT_TRUE(length);
  EXPECT_EQ(length.getSplatValue<APInt>().getSExtValue(), 3);
  DenseElementsAttr has = returnedConstant(function, 2);
  ASSERT_TRUE(has);
  EXPECT_TRUE(has.getSplatValue<bool>());
  // SequenceAt 1 is the second argument itself; Identity passes s through.
  auto ret = cast<func::ReturnOp>(function.getBody().front().getTerminator());
  EXPECT_EQ(ret.getOperand(1), function.getArgument(1));
  for (unsigned i = 0; i < 3; ++i)
    EXPECT_EQ(ret.getOperand(3 + i), function.getArgument(i));
}

TEST_F(SequenceSignatureTest, EmptyOptionalHasNoArgument) {
  MLIRContext context;
  kiln::onnx_import::ImportOptions options;
  options.sequenceInputs = {{"s", {{2}, {2}}}};
  options.emptyOptionalInputs = {"o"};
  auto module = kiln::onnx_import::importModel(context, path, options);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  auto function = (*module)->lookupSymbol<func::FuncOp>("forward");
  ASSERT_TRUE(function);
  EXPECT_EQ(names(function, /*results=*/false),
            (std::vector<std::string>{"s[0]", "s[1]"}));
  DenseElementsAttr has = returnedConstant(function, 2);
  ASSERT_TRUE(has);
  EXPECT_FALSE(has.getSplatValue<bool>());
}

TEST_F(SequenceSignatureTest, SequenceWithoutShapesIsUnsupported) {
  MLIRContext context;
  auto module = kiln::onnx_import::importModel(context, path);
  ASSERT_FALSE(static_cast<bool>(module));
  bool unsupported = false;
  std::string message;
  llvm::handleAllErrors(
      module.takeError(),
      [&](const kiln::onnx_import::UnsupportedError &error) {
        unsupported = true;
        message = error.reason;
      },
      [&](const llvm::ErrorInfoBase &error) { message = error.message(); });
  EXPECT_TRUE(unsupported) << message;
  EXPECT_THAT(message, HasSubstr("input 's' is a sequence, whose length and "
                                 "element shapes must be given"));
}

TEST_F(SequenceSignatureTest, WrongOptionsNameTheInput) {
  kiln::onnx_import::ImportOptions options;
  options.sequenceInputs = {{"s", {{2}, {2, 1}}}};
  EXPECT_THAT(importError(options),
              HasSubstr("input 's' element 1 is given rank 2 but the model "
                        "declares rank 1"));
  options.sequenceInputs = {{"s", {{3}}}};
  EXPECT_THAT(importError(options),
              HasSubstr("input 's' element 0 is given shape 3, which "
                        "contradicts the model's dimension 0 (2)"));
  options.sequenceInputs = {{"s", {{2}}}, {"o", {{2}}}};
  EXPECT_THAT(importError(options),
              HasSubstr("sequence shapes are given for 'o', which is not a "
                        "sequence input of the model"));
  options.sequenceInputs = {{"s", {{2}}}};
  options.emptyOptionalInputs = {"s"};
  EXPECT_THAT(importError(options),
              HasSubstr("'s' is said to be an empty optional, but it is not "
                        "an optional input of the model"));
}

TEST_F(SequenceSignatureTest, SequenceAtOutOfRangeIsAnError) {
  kiln::onnx_import::ImportOptions options;
  options.sequenceInputs = {{"s", {{2}}}}; // SequenceAt 1 of one element
  EXPECT_THAT(importError(options),
              HasSubstr("position 1 is out of range for a sequence of 1 "
                        "tensors"));
}

} // namespace
