//===- StatusTest.cpp - Tests of status objects and dtype helpers ---------===//

#include "TestSupport.h"

#include <cstring>

using namespace kiln::test;

namespace {

TEST(StatusTest, NullStatusMeansSuccess) {
  EXPECT_EQ(kiln_status_get_code(nullptr), KILN_OK);
  EXPECT_STREQ(kiln_status_message(nullptr), "ok");
  kiln_status_free(nullptr); // Must be a no-op.
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  kiln_tensor *tensor = nullptr;
  StatusPtr status(kiln_tensor_create(KILN_DTYPE_INVALID, 0, nullptr, &tensor));
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(kiln_status_get_code(status.get()), KILN_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_status_message(status.get()), "dtype"), nullptr);
  EXPECT_EQ(tensor, nullptr) << "out-parameters are written only on success";
}

TEST(StatusTest, CreatedStatusCopiesItsMessage) {
  std::string message = "model 'x': wrong signature";
  StatusPtr status(kiln_status_create(KILN_INVALID_MODULE, message.c_str()));
  message[0] = 'M';
  EXPECT_EQ(kiln_status_get_code(status.get()), KILN_INVALID_MODULE);
  EXPECT_STREQ(kiln_status_message(status.get()), "model 'x': wrong signature");
  // A status is always a failure, and a NULL message reads as empty.
  StatusPtr ok(kiln_status_create(KILN_OK, nullptr));
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(kiln_status_get_code(ok.get()), KILN_INTERNAL);
  EXPECT_STREQ(kiln_status_message(ok.get()), "");
}

TEST(StatusTest, CodeNames) {
  EXPECT_STREQ(kiln_status_code_name(KILN_OK), "OK");
  EXPECT_STREQ(kiln_status_code_name(KILN_INVALID_ARGUMENT),
               "INVALID_ARGUMENT");
  EXPECT_STREQ(kiln_status_code_name(KILN_NOT_FOUND), "NOT_FOUND");
  EXPECT_STREQ(kiln_status_code_name(KILN_IO_ERROR), "IO_ERROR");
  EXPECT_STREQ(kiln_status_code_name(KILN_INVALID_MODULE), "INVALID_MODULE");
  EXPECT_STREQ(kiln_status_code_name(KILN_OUT_OF_MEMORY), "OUT_OF_MEMORY");
  EXPECT_STREQ(kiln_status_code_name(KILN_OUT_OF_RANGE), "OUT_OF_RANGE");
  EXPECT_STREQ(kiln_status_code_name(KILN_INTERNAL), "INTERNAL");
  EXPECT_STREQ(kiln_status_code_name(KILN_UNAVAILABLE), "UNAVAILABLE");
  EXPECT_STREQ(kiln_status_code_name(static_cast<kiln_status_code>(99)),
               "UNKNOWN");
}

TEST(DtypeTest, SizesAndNames) {
  struct Expected {
    kiln_dtype dtype;
    size_t size;
    const char *name;
  };
  const Expected expected[] = {
      {KILN_DTYPE_F32, 4, "f32"}, {KILN_DTYPE_F64, 8, "f64"},
      {KILN_DTYPE_F16, 2, "f16"}, {KILN_DTYPE_BF16, 2, "bf16"},
      {KILN_DTYPE_I8, 1, "i8"},   {KILN_DTYPE_I16, 2, "i16"},
      {KILN_DTYPE_I32, 4, "i32"}, {KILN_DTYPE_I64, 8, "i64"},
      {KILN_DTYPE_U8, 1, "u8"},   {KILN_DTYPE_BOOL, 1, "bool"},
      {KILN_DTYPE_U16, 2, "u16"}, {KILN_DTYPE_U32, 4, "u32"},
      {KILN_DTYPE_U64, 8, "u64"},
      {KILN_DTYPE_STRING, sizeof(const char *), "string"},
  };
  for (const Expected &entry : expected) {
    EXPECT_EQ(kiln_dtype_size(entry.dtype), entry.size) << entry.name;
    EXPECT_STREQ(kiln_dtype_name(entry.dtype), entry.name);
  }
}

TEST(DtypeTest, InvalidDtypes) {
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_INVALID), 0u);
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_INVALID), "invalid");
  EXPECT_EQ(kiln_dtype_size(static_cast<kiln_dtype>(15)), 0u);
  EXPECT_STREQ(kiln_dtype_name(static_cast<kiln_dtype>(15)), "invalid");
}

} // namespace
