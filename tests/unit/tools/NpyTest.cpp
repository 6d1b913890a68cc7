//===- NpyTest.cpp - Tests of the .npy reader and writer ------------------===//
//
// Every dtype and rank round-trips; the reader refuses each kind of damage
// with a message that says what it found, and never reads past the file.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

using namespace kiln;
using namespace kiln::tools;
using ::testing::HasSubstr;

namespace {

/// A .npy file with `header` (padded as NumPy pads it) and `data`.
std::string npyFile(const std::string &header, const std::string &data,
                    char major = 1) {
  std::string text = header;
  size_t prefix = major == 1 ? 10 : 12;
  text.append((64 - (prefix + text.size() + 1) % 64) % 64, ' ');
  text.push_back('\n');
  std::string bytes = "\x93NUMPY";
  bytes.push_back(major);
  bytes.push_back(0);
  bytes.push_back(static_cast<char>(text.size() & 0xff));
  bytes.push_back(static_cast<char>(text.size() >> 8));
  if (major != 1)
    bytes.append(2, '\0');
  return bytes + text + data;
}

std::string parseError(const std::string &bytes) {
  auto tensor = npy::parse(bytes);
  if (tensor) {
    ADD_FAILURE() << "parsed a broken file";
    return "";
  }
  return llvm::toString(tensor.takeError());
}

TEST(NpyTest, EveryDtypeRoundTrips) {
  for (kiln_dtype dtype :
       {KILN_DTYPE_F16, KILN_DTYPE_F32, KILN_DTYPE_F64, KILN_DTYPE_I8,
        KILN_DTYPE_I16, KILN_DTYPE_I32, KILN_DTYPE_I64, KILN_DTYPE_U8,
        KILN_DTYPE_U16, KILN_DTYPE_U32, KILN_DTYPE_U64, KILN_DTYPE_BOOL}) {
    rt::Tensor tensor = rt::Tensor::create(dtype, {2, 3});
    auto *bytes = static_cast<unsigned char *>(kiln_tensor_data(tensor.get()));
    for (size_t i = 0; i < tensor.byteSize(); ++i)
      bytes[i] = dtype == KILN_DTYPE_BOOL
                     ? i % 2
                     : static_cast<unsigned char>(i * 7 + 1);
    auto file = npy::serialize(tensor);
    ASSERT_TRUE(static_cast<bool>(file)) << llvm::toString(file.takeError());
    EXPECT_EQ((file->size() - tensor.byteSize()) % 64, 0u)
        << "header alignment";
    auto back = npy::parse(*file);
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->dtype(), dtype);
    EXPECT_EQ(back->shape(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(back->checksum(), tensor.checksum()) << kiln_dtype_name(dtype);
  }
}

TEST(NpyTest, ScalarsVectorsAndEmptyArrays) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, std::vector<int64_t>{5},
        std::vector<int64_t>{0, 4}, std::vector<int64_t>(16, 1)}) {
    rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_F32, shape);
    auto file = npy::serialize(tensor);
    ASSERT_TRUE(static_cast<bool>(file));
    auto back = npy::parse(*file);
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->shape(), shape);
  }
  rt::Tensor vector = rt::Tensor::create(KILN_DTYPE_F32, {5});
  EXPECT_THAT(*npy::serialize(vector), HasSubstr("'shape': (5,), }"));
}

TEST(NpyTest, ReadsWhatNumPyWrites) {
  // Keys in any order, double quotes, version 2.0, '<' for a byte type.
  std::string data(8, '\0');
  data[0] = 1;
  auto tensor = npy::parse(
      npyFile("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<i4\"}",
              data, 2));
  ASSERT_TRUE(static_cast<bool>(tensor)) << llvm::toString(tensor.takeError());
  EXPECT_EQ(tensor->dtype(), KILN_DTYPE_I32);
  EXPECT_EQ(tensor->data<int32_t>()[0], 1);
  auto bytes = npy::parse(npyFile(
      "{'descr': '<u1', 'fortran_order': False, 'shape': (3,), }", "abc"));
  ASSERT_TRUE(static_cast<bool>(bytes)) << llvm::toString(bytes.takeError());
  EXPECT_EQ(bytes->dtype(), KILN_DTYPE_U8);
}

TEST(NpyTest, RefusesDamage) {
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  std::string good = npyFile(header, std::string(8, '\0'));
  ASSERT_TRUE(static_cast<bool>(npy::parse(good)));

  EXPECT_THAT(parseError(""), HasSubstr("not a .npy file"));
  EXPECT_THAT(parseError(good.substr(0, 9)), HasSubstr("not a .npy file"));
  EXPECT_THAT(parseError(good.substr(0, 40)), HasSubstr("runs past the end"));
  EXPECT_THAT(
      parseError(good.substr(0, good.size() - 1)),
      HasSubstr("the data has 7 bytes, but dtype <f4 and shape (2,) need 8 "
                "(truncated file)"));
  EXPECT_THAT(parseError(npyFile("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (2,), 'shape': (2,)}",
                                 std::string(8, '\0'))),
              HasSubstr("unexpected or repeated key 'shape'"));
  EXPECT_THAT(parseError(npyFile("{'descr': '<f4', 'shape': (2,)}",
                                 std::string(8, '\0'))),
              HasSubstr("lacks one of"));
  EXPECT_THAT(parseError(npyFile("{'descr': '<f4', 'fortran_order': Maybe, "
                                 "'shape': (2,)}",
                                 "")),
              HasSubstr("'fortran_order' is not True or False"));
  EXPECT_THAT(parseError(npyFile("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (-2,)}",
                                 "")),
              HasSubstr("not a non-negative integer"));
  EXPECT_THAT(
      parseError(npyFile("{'descr' '<f4', 'fortran_order': False}", "")),
      HasSubstr("no ':' after"));
  EXPECT_THAT(parseError(npyFile("{'descr': 'O', 'fortran_order': False, "
                                 "'shape': (2,)}",
                                 std::string(16, '\0'))),
              HasSubstr("unsupported dtype 'O'"));
  EXPECT_THAT(parseError(npyFile("{'descr': '|b1', 'fortran_order': False, "
                                 "'shape': (2,)}",
                                 std::string("\x01\x02", 2))),
              HasSubstr("neither 0 nor 1"));
  EXPECT_THAT(parseError(npyFile("[1, 2]", "")),
              HasSubstr("not a dict literal"));
  EXPECT_THAT(parseError(npyFile("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (2,)} tail",
                                 "")),
              HasSubstr("text after its dict"));
}

TEST(NpyTest, RefusesShapesThatOverflow) {
  EXPECT_THAT(
      parseError(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': "
                         "(4294967296, 4294967296)}",
                         "")),
      HasSubstr("is too large to be a tensor"));
  // A shape that fits in 64 bits but not in this file is refused before
  // anything is allocated for it.
  EXPECT_THAT(
      parseError(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': "
                         "(1000000000000,)}",
                         std::string(8, '\0'))),
      HasSubstr("the data has 8 bytes, but dtype <f8 and shape "
                "(1000000000000,) need 8000000000000 (truncated file)"));
  EXPECT_THAT(
      parseError(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': "
                         "(99999999999999999999,)}",
                         "")),
      HasSubstr("fits in 64 bits"));
  std::string seventeen = "(";
  for (int i = 0; i < 17; ++i)
    seventeen += "1, ";
  EXPECT_THAT(parseError(npyFile("{'descr': '<f8', 'fortran_order': False, "
                                 "'shape': " +
                                     seventeen + ")}",
                                 "")),
              HasSubstr("more than 16 dimensions"));
}

TEST(NpyTest, Bfloat16CannotBeWritten) {
  rt::Tensor tensor = rt::Tensor::create(KILN_DTYPE_BF16, {2});
  auto file = npy::serialize(tensor);
  ASSERT_FALSE(static_cast<bool>(file));
  EXPECT_THAT(llvm::toString(file.takeError()),
              HasSubstr("bf16 has no .npy equivalent"));
}

} // namespace
