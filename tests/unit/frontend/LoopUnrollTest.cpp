//===- LoopUnrollTest.cpp - Loop is unrolled while importing, within limits
//===//
//
// Loops that carry sequences are unrolled while importing (loops of tensors
// compile to scf loops), when their trip count and conditions are known then.
// These tests (loops that carry an empty sequence besides a tensor) pin where
// unrolling stops: more iterations than it unrolls and nested loops whose
// unrolling would import too many nodes give an "unsupported" error that says
// which, quickly, instead of hanging; a trip count known only at run time
// makes an scf loop that carries the sequence in tensors instead.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/ONNX/Import.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

using ::testing::HasSubstr;

namespace {

void setTensor(onnx::TypeProto *type, int32_t elementType,
               std::vector<int64_t> dims) {
  auto *tensor = type->mutable_tensor_type();
  tensor->set_elem_type(elementType);
  auto *shape = tensor->mutable_shape();
  for (int64_t dim : dims)
    shape->add_dim()->set_dim_value(dim);
}

void addValue(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> *list,
              const std::string &name, int32_t elementType,
              std::vector<int64_t> dims) {
  onnx::ValueInfoProto *value = list->Add();
  value->set_name(name);
  setTensor(value->mutable_type(), elementType, dims);
}

void addScalar(onnx::GraphProto *graph, const std::string &name,
               int32_t elementType, int64_t value) {
  onnx::TensorProto *tensor = graph->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(elementType);
  if (elementType == onnx::TensorProto::BOOL)
    tensor->add_int32_data(static_cast<int32_t>(value));
  else
    tensor->add_int64_data(value);
}

/// Declares `name` a sequence of f32 tensors in `list`.
void addSequence(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> *list,
                 const std::string &name) {
  onnx::ValueInfoProto *value = list->Add();
  value->set_name(name);
  value->mutable_type()
      ->mutable_sequence_type()
      ->mutable_elem_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::FLOAT);
}

/// A Loop body that carries `acc` (f32[2]) through `extraNodes` Identity
/// nodes and an Add of `x`, passes a sequence through, and keeps its
/// condition.
onnx::GraphProto makeBody(int extraNodes) {
  onnx::GraphProto body;
  body.set_name("body");
  addValue(body.mutable_input(), "k", onnx::TensorProto::INT64, {});
  addValue(body.mutable_input(), "cond_in", onnx::TensorProto::BOOL, {});
  addValue(body.mutable_input(), "acc_in", onnx::TensorProto::FLOAT, {2});
  addSequence(body.mutable_input(), "seq_in");
  auto *passSequence = body.add_node();
  passSequence->set_op_type("Identity");
  passSequence->add_input("seq_in");
  passSequence->add_output("seq_out");
  auto *identity = body.add_node();
  identity->set_op_type("Identity");
  identity->add_input("cond_in");
  identity->add_output("cond_out");
  std::string last = "acc_in";
  for (int i = 0; i < extraNodes; ++i) {
    auto *node = body.add_node();
    node->set_op_type("Identity");
    node->add_input(last);
    last = "copy" + std::to_string(i);
    node->add_output(last);
  }
  auto *add = body.add_node();
  add->set_op_type("Add");
  add->add_input(last);
  add->add_input("x");
  add->add_output("acc_out");
  addValue(body.mutable_output(), "cond_out", onnx::TensorProto::BOOL, {});
  addValue(body.mutable_output(), "acc_out", onnx::TensorProto::FLOAT, {2});
  addSequence(body.mutable_output(), "seq_out");
  return body;
}

/// y = x added `tripCount` times to x, by a Loop; the trip count is a graph
/// input when `tripCount` is negative.
onnx::ModelProto makeModel(int64_t tripCount, int extraNodes = 0) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("g");
  addValue(graph->mutable_input(), "x", onnx::TensorProto::FLOAT, {2});
  if (tripCount < 0)
    addValue(graph->mutable_input(), "m", onnx::TensorProto::INT64, {});
  else
    addScalar(graph, "m", onnx::TensorProto::INT64, tripCount);
  addScalar(graph, "yes", onnx::TensorProto::BOOL, 1);
  auto *empty = graph->add_node();
  empty->set_op_type("SequenceEmpty");
  empty->add_output("nothing");
  auto *loop = graph->add_node();
  loop->set_op_type("Loop");
  loop->set_name("the_loop");
  for (const char *input : {"m", "yes", "x", "nothing"})
    loop->add_input(input);
  loop->add_output("y");
  loop->add_output("still_nothing");
  auto *attribute = loop->add_attribute();
  attribute->set_name("body");
  attribute->set_type(onnx::AttributeProto::GRAPH);
  *attribute->mutable_g() = makeBody(extraNodes);
  addValue(graph->mutable_output(), "y", onnx::TensorProto::FLOAT, {2});
  return model;
}

class LoopUnrollTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-loop", directory));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  /// Imports `model`; returns "" when it imports, else the error, and sets
  /// `unsupported` when the error is an UnsupportedError.
  std::string import(const onnx::ModelProto &model, bool &unsupported) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, "model.onnx");
    {
      std::ofstream stream(path.c_str(), std::ios::binary);
      stream << model.SerializeAsString();
    }
    mlir::MLIRContext context;
    auto module = kiln::onnx_import::importModel(context, path);
    unsupported = false;
    if (module)
      return "";
    std::string message;
    llvm::handleAllErrors(
        module.takeError(),
        [&](const kiln::onnx_import::UnsupportedError &error) {
          unsupported = true;
          message = error.reason;
        },
        [&](const llvm::ErrorInfoBase &error) { message = error.message(); });
    return message;
  }

  llvm::SmallString<256> directory;
};

TEST_F(LoopUnrollTest, KnownTripCountImports) {
  bool unsupported = false;
  EXPECT_EQ(import(makeModel(5), unsupported), "");
}

TEST_F(LoopUnrollTest, RunTimeTripCountCarriesTheSequenceInTensors) {
  // Not unrolled: an scf loop carries the sequence in tensors
  // (RunTimeValues.h; lit test onnx/run-time-sequences runs such loops).
  bool unsupported = false;
  EXPECT_EQ(import(makeModel(-1), unsupported), "");
}

TEST_F(LoopUnrollTest, TooManyIterationsAreUnsupported) {
  bool unsupported = false;
  std::string message = import(makeModel(1 << 20), unsupported);
  EXPECT_TRUE(unsupported) << message;
  EXPECT_THAT(message, HasSubstr("a Loop of more than 4096 iterations"));
}

TEST_F(LoopUnrollTest, TooManyUnrolledNodesAreUnsupported) {
  // 4000 iterations of a 100-node body: within the iteration limit, beyond
  // the node budget.
  bool unsupported = false;
  std::string message = import(makeModel(4000, 100), unsupported);
  EXPECT_TRUE(unsupported) << message;
  EXPECT_THAT(message, HasSubstr("the subgraph of node 'the_loop' (Loop) "
                                 "imports more than 262144 nodes in all"));
}

} // namespace
