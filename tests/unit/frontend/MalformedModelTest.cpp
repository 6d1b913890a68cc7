//===- MalformedModelTest.cpp - Bad ONNX files give errors, not crashes ---===//
//
// Each test writes a broken model (built with the ONNX protobuf classes, or raw
// bytes) into a fresh folder, then checks two things: the importer returns an
// error that says what is wrong, and `kiln-compile` on the same file exits with
// status 1 (not a signal, not a hang) and leaves nothing in the folder but the
// inputs.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/ONNX/Import.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

using ::testing::HasSubstr;

namespace {

/// A valid model: y = relu(x) with x: f32[2, 3], plus one initializer `w`
/// (f32[3]) added to it, so that tests can break the initializer.
onnx::ModelProto makeValidModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("kiln-test");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("g");
  auto addValue = [](auto *list, const std::string &name,
                     std::vector<int64_t> dims) {
    onnx::ValueInfoProto *value = list->Add();
    value->set_name(name);
    auto *tensor = value->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : dims)
      tensor->mutable_shape()->add_dim()->set_dim_value(dim);
  };
  addValue(graph->mutable_input(), "x", {2, 3});
  addValue(graph->mutable_output(), "y", {2, 3});
  onnx::TensorProto *w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(3);
  for (float value : {1.0f, 2.0f, 3.0f})
    w->add_float_data(value);
  onnx::NodeProto *add = graph->add_node();
  add->set_op_type("Add");
  add->add_input("x");
  add->add_input("w");
  add->add_output("sum");
  onnx::NodeProto *relu = graph->add_node();
  relu->set_op_type("Relu");
  relu->add_input("sum");
  relu->add_output("y");
  return model;
}

class MalformedModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("kiln-malformed", directory));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  std::string pathIn(llvm::StringRef name) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, name);
    return path.str().str();
  }

  void writeBytes(const std::string &path, const std::string &bytes) {
    std::ofstream stream(path, std::ios::binary);
    stream << bytes;
  }

  std::string writeModel(const onnx::ModelProto &model) {
    std::string path = pathIn("model.onnx");
    writeBytes(path, model.SerializeAsString());
    return path;
  }

  std::set<std::string> folderContents() {
    std::set<std::string> names;
    std::error_code error;
    for (llvm::sys::fs::directory_iterator it(directory, error), end;
         it != end && !error; it.increment(error))
      names.insert(llvm::sys::path::filename(it->path()).str());
    return names;
  }

  /// The importer's error for `path` (fails the test if it imports).
  std::string
  importError(const std::string &path,
              const kiln::onnx_import::ImportOptions &options = {}) {
    mlir::MLIRContext context;
    auto module = kiln::onnx_import::importModel(context, path, options);
    if (module) {
      ADD_FAILURE() << "the model imported";
      return "";
    }
    return llvm::toString(module.takeError());
  }

  /// Runs kiln-compile on `path`; expects exit status 1, an error on stderr
  /// that contains `expected`, and no new file in the folder.
  void expectCompileFails(const std::string &path, llvm::StringRef expected,
                          std::vector<std::string> extraArguments = {}) {
    std::set<std::string> before = folderContents();
    std::string output = pathIn("out.so"), log = directory.str().str() + ".log";
    std::vector<llvm::StringRef> arguments = {KILN_COMPILE_PATH, path, "-o",
                                              output};
    for (const std::string &argument : extraArguments)
      arguments.push_back(argument);
    std::optional<llvm::StringRef> redirects[] = {
        std::nullopt, llvm::StringRef(log), llvm::StringRef(log)};
    std::string message;
    int status = llvm::sys::ExecuteAndWait(KILN_COMPILE_PATH, arguments,
                                           std::nullopt, redirects,
                                           /*SecondsToWait=*/120, 0, &message);
    auto stderrText = llvm::MemoryBuffer::getFile(log);
    std::string text = stderrText ? (*stderrText)->getBuffer().str() : "";
    llvm::sys::fs::remove(log);
    EXPECT_EQ(status, 1) << "kiln-compile should fail cleanly (" << message
                         << "): " << text;
    EXPECT_THAT(text, HasSubstr("kiln-compile: error:"));
    EXPECT_THAT(text, HasSubstr(expected.str()));
    EXPECT_EQ(folderContents(), before) << "kiln-compile left files behind";
  }

  llvm::SmallString<128> directory;
};

TEST_F(MalformedModelTest, ValidModelImports) {
  mlir::MLIRContext context;
  auto module =
      kiln::onnx_import::importModel(context, writeModel(makeValidModel()));
  EXPECT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
}

TEST_F(MalformedModelTest, TruncatedFile) {
  std::string bytes = makeValidModel().SerializeAsString();
  std::string path = pathIn("model.onnx");
  writeBytes(path, bytes.substr(0, bytes.size() / 2));
  EXPECT_THAT(importError(path), HasSubstr("is not a valid ONNX model"));
  expectCompileFails(path, "is not a valid ONNX model");
}

TEST_F(MalformedModelTest, NotAnOnnxFile) {
  std::string path = pathIn("model.onnx");
  writeBytes(path, "\x89PNG\r\n\x1a\n this is a picture, not a model");
  EXPECT_THAT(importError(path), HasSubstr("is not a valid ONNX model"));
  expectCompileFails(path, "is not a valid ONNX model");
}

TEST_F(MalformedModelTest, EmptyFile) {
  std::string path = pathIn("model.onnx");
  writeBytes(path, "");
  EXPECT_THAT(importError(path),
              HasSubstr("it has no graph or no opset_import"));
  expectCompileFails(path, "no graph");
}

TEST_F(MalformedModelTest, NodeWithMissingInput) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()->mutable_node(1)->set_input(0, "never_defined");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("fails the ONNX checker"));
  EXPECT_THAT(importError(path), HasSubstr("never_defined"));
  expectCompileFails(path, "fails the ONNX checker");
}

TEST_F(MalformedModelTest, CyclicGraph) {
  onnx::ModelProto model = makeValidModel();
  // sum = x + y and y = relu(sum): each node needs the other's output.
  model.mutable_graph()->mutable_node(0)->set_input(1, "y");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("topologically sorted"));
  expectCompileFails(path, "topologically sorted");
}

TEST_F(MalformedModelTest, UnknownOp) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()->mutable_node(1)->set_op_type("Frobnicate");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("Frobnicate"));
  expectCompileFails(path, "Frobnicate");
}

TEST_F(MalformedModelTest, OpInCustomDomainIsUnsupported) {
  onnx::ModelProto model = makeValidModel();
  auto *opset = model.add_opset_import();
  opset->set_domain("com.example");
  opset->set_version(1);
  onnx::NodeProto *node = model.mutable_graph()->mutable_node(1);
  node->set_op_type("FancyRelu");
  node->set_domain("com.example");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path),
              HasSubstr("node #1 (FancyRelu): Kiln has no converter for "
                        "com.example.FancyRelu"));
  expectCompileFails(path, "no converter for com.example.FancyRelu");
}

TEST_F(MalformedModelTest, DimsOverflowingInt64) {
  onnx::ModelProto model = makeValidModel();
  onnx::TensorProto *w = model.mutable_graph()->mutable_initializer(0);
  w->clear_dims();
  w->clear_float_data();
  for (int64_t dim : {int64_t(1) << 40, int64_t(1) << 40})
    w->add_dims(dim);
  std::string path = writeModel(model);
  std::string message = importError(path);
  EXPECT_THAT(message, ::testing::AnyOf(HasSubstr("overflows int64"),
                                        HasSubstr("too large")));
  expectCompileFails(path, "tensor 'w'");
}

TEST_F(MalformedModelTest, NegativeInputDim) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->set_dim_value(-5);
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("negative dimension"));
  expectCompileFails(path, "negative dimension");
}

TEST_F(MalformedModelTest, RawDataOfTheWrongLength) {
  onnx::ModelProto model = makeValidModel();
  onnx::TensorProto *w = model.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_raw_data(std::string(5, '\0'));
  std::string path = writeModel(model);
  EXPECT_THAT(
      importError(path),
      HasSubstr(
          "tensor 'w' has 5 bytes of raw_data but its dims and type need 12"));
  expectCompileFails(path, "raw_data");
}

TEST_F(MalformedModelTest, TypedDataOfTheWrongCount) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()->mutable_initializer(0)->add_float_data(4.0f);
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path),
              HasSubstr("tensor 'w' has 4 values but its dims need 3"));
  expectCompileFails(path, "4 values");
}

/// Moves `w`'s data to an external file entry with `location`.
void makeExternal(onnx::ModelProto &model, const std::string &location,
                  int64_t offset = 0) {
  onnx::TensorProto *w = model.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto *entry = w->add_external_data();
  entry->set_key("location");
  entry->set_value(location);
  if (offset) {
    auto *offsetEntry = w->add_external_data();
    offsetEntry->set_key("offset");
    offsetEntry->set_value(std::to_string(offset));
  }
}

TEST_F(MalformedModelTest, ExternalDataReadsInsideTheFolder) {
  onnx::ModelProto model = makeValidModel();
  makeExternal(model, "weights.bin");
  float values[3] = {1, 2, 3};
  writeBytes(pathIn("weights.bin"),
             std::string(reinterpret_cast<char *>(values), 12));
  mlir::MLIRContext context;
  auto module = kiln::onnx_import::importModel(context, writeModel(model));
  EXPECT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
}

TEST_F(MalformedModelTest, ExternalDataEscapingThroughDotDot) {
  onnx::ModelProto model = makeValidModel();
  makeExternal(model, "../weights.bin");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path),
              HasSubstr("leaves the model's folder through '..'"));
  expectCompileFails(path, "'..'");
}

TEST_F(MalformedModelTest, ExternalDataAtAnAbsolutePath) {
  onnx::ModelProto model = makeValidModel();
  makeExternal(model, "/etc/passwd");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("absolute path"));
  expectCompileFails(path, "absolute path");
}

TEST_F(MalformedModelTest, ExternalDataEscapingThroughASymlink) {
  // A real 12-byte file outside the folder, reached through a link inside it.
  std::string outside = directory.str().str() + "-outside.bin";
  writeBytes(outside, std::string(12, '\0'));
  ASSERT_FALSE(llvm::sys::fs::create_link(outside, pathIn("weights.bin")));
  onnx::ModelProto model = makeValidModel();
  makeExternal(model, "weights.bin");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("through a symbolic link"));
  expectCompileFails(path, "symbolic link");
  llvm::sys::fs::remove(outside);
}

TEST_F(MalformedModelTest, ExternalDataPastTheEndOfItsFile) {
  onnx::ModelProto model = makeValidModel();
  makeExternal(model, "weights.bin", /*offset=*/8);
  writeBytes(pathIn("weights.bin"), std::string(12, '\0'));
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("runs past the end"));
  expectCompileFails(path, "runs past the end");
}

TEST_F(MalformedModelTest, ExternalDataFileMissing) {
  onnx::ModelProto model = makeValidModel();
  makeExternal(model, "missing.bin");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("cannot open external data"));
  expectCompileFails(path, "missing.bin");
}

TEST_F(MalformedModelTest, StringInputIsUnsupported) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::STRING);
  std::string path = writeModel(model);
  // The checker or the importer may object first; either names the problem.
  EXPECT_THAT(importError(path),
              ::testing::AnyOf(HasSubstr("STRING"), HasSubstr("string")));
  expectCompileFails(path, "STRING");
}

TEST_F(MalformedModelTest, StringInitializerIsUnsupported) {
  onnx::ModelProto model = makeValidModel();
  onnx::TensorProto *w = model.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_type(onnx::TensorProto::STRING);
  for (const char *text : {"1", "2", "3"})
    w->add_string_data(text);
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("STRING"));
  expectCompileFails(path, "STRING");
}

TEST_F(MalformedModelTest, StringTensorWithTooFewStrings) {
  onnx::ModelProto model = makeValidModel();
  onnx::TensorProto *w = model.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_type(onnx::TensorProto::STRING);
  w->add_string_data("1");
  std::string path = writeModel(model);
  // The checker or Kiln's own reading of the tensor may object first.
  EXPECT_THAT(importError(path),
              ::testing::AnyOf(HasSubstr("strings"), HasSubstr("string_data")));
  expectCompileFails(path, "error");
}

TEST_F(MalformedModelTest, CastFromBoolToStringIsUnsupported) {
  onnx::ModelProto model = makeValidModel();
  onnx::GraphProto *graph = model.mutable_graph();
  graph->clear_node();
  graph->clear_initializer();
  graph->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::BOOL);
  graph->mutable_output(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::STRING);
  onnx::NodeProto *cast = graph->add_node();
  cast->set_op_type("Cast");
  cast->set_name("to_text");
  cast->add_input("x");
  cast->add_output("y");
  onnx::AttributeProto *to = cast->add_attribute();
  to->set_name("to");
  to->set_type(onnx::AttributeProto::INT);
  to->set_i(onnx::TensorProto::STRING);
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path),
              HasSubstr("casting from i1 to STRING is not supported yet"));
  EXPECT_THAT(importError(path), HasSubstr("to_text"));
  expectCompileFails(path, "casting from i1 to STRING");
}

TEST_F(MalformedModelTest, OpsetNewerThanSupported) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_opset_import(0)->set_version(99);
  std::string path = writeModel(model);
  std::string message = importError(path);
  EXPECT_THAT(message,
              ::testing::AnyOf(HasSubstr("opset 99"), HasSubstr("99")));
  expectCompileFails(path, "99");
}

TEST_F(MalformedModelTest, GraphOutputThatNothingProduces) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()->mutable_output(0)->set_name("ghost");
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path), HasSubstr("ghost"));
  expectCompileFails(path, "ghost");
}

TEST_F(MalformedModelTest, ShapeForAnInputThatDoesNotExist) {
  std::string path = writeModel(makeValidModel());
  kiln::onnx_import::ImportOptions options;
  options.inputShapes = {{"nope", {2, 3}}};
  EXPECT_THAT(
      importError(path, options),
      HasSubstr("--shape names 'nope', which is not an input of the model "
                "(its inputs: x)"));
}

TEST_F(MalformedModelTest, ShapeThatContradictsTheModel) {
  std::string path = writeModel(makeValidModel());
  kiln::onnx_import::ImportOptions options;
  options.inputShapes = {{"x", {4, 3}}};
  EXPECT_THAT(
      importError(path, options),
      HasSubstr(
          "--shape x=4x3 contradicts its declared shape 2x3 in dimension 0"));
  options.inputShapes = {{"x", {2, 3, 1}}};
  EXPECT_THAT(importError(path, options),
              HasSubstr("gives 3 dims but the input has rank 2"));
}

// ONNX requires graph inputs to declare a shape (possibly with symbolic dims).
TEST_F(MalformedModelTest, InputWithoutAShapeIsRejected) {
  onnx::ModelProto model = makeValidModel();
  model.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->clear_shape();
  std::string path = writeModel(model);
  EXPECT_THAT(importError(path),
              HasSubstr("Field 'shape' of 'type' is required but missing"));
  expectCompileFails(path, "'shape'");
}

} // namespace
