//===- StringTensorTest.cpp - String tensors and the string helpers -------===//
//
// String tensors (KILN_DTYPE_STRING): creation, ownership, checksums, and
// runs of hand-written entry points that call the helpers of string_abi.h as
// compiled code does: formatting as NumPy does, parsing as Python does, the
// strings of one run freed when it ends, and errors for bad strings.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "kiln/runtime.hpp"
#include "kiln/string_abi.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace kiln::test;

namespace {

using StringRef1 = MemRef<const char *, 1>;
using FloatRef1 = MemRef<float, 1>;

/// format(x: f32[4]) -> s: string[4], s[i] = str(numpy.float32(x[i])).
int32_t formatEntry(void **descriptors) {
  auto &x = descriptorAt<FloatRef1>(descriptors, 0);
  auto &s = descriptorAt<StringRef1>(descriptors, 1);
  for (int64_t i = 0; i < 4; ++i)
    s.aligned[s.offset + i] = kiln_string_from_f32(x.aligned[x.offset + i]);
  return 0;
}

/// format_f64(x: f64[4]) -> s: string[4], s[i] = str(numpy.float64(x[i])).
int32_t formatF64Entry(void **descriptors) {
  auto &x = descriptorAt<MemRef<double, 1>>(descriptors, 0);
  auto &s = descriptorAt<StringRef1>(descriptors, 1);
  for (int64_t i = 0; i < 4; ++i)
    s.aligned[s.offset + i] = kiln_string_from_f64(x.aligned[x.offset + i]);
  return 0;
}

/// parse_f64(s: string[4]) -> y: f64[4].
int32_t parseF64Entry(void **descriptors) {
  auto &s = descriptorAt<StringRef1>(descriptors, 0);
  auto &y = descriptorAt<MemRef<double, 1>>(descriptors, 1);
  for (int64_t i = 0; i < 4; ++i)
    y.aligned[y.offset + i] =
        kiln_string_to_f64(s.aligned[s.offset + i], "parse_f64 site");
  return 0;
}

/// integers(s: string[4]) -> t: string[4]: each string parsed as an int64
/// and formatted back, as signed and (for element 3) as unsigned.
int32_t integersEntry(void **descriptors) {
  auto &s = descriptorAt<StringRef1>(descriptors, 0);
  auto &t = descriptorAt<StringRef1>(descriptors, 1);
  for (int64_t i = 0; i < 4; ++i) {
    int64_t value = kiln_string_to_i64(s.aligned[s.offset + i], "ints site");
    t.aligned[t.offset + i] =
        i == 3 ? kiln_string_from_u64(static_cast<uint64_t>(value))
               : kiln_string_from_i64(value);
  }
  return 0;
}

/// parse(s: string[4]) -> y: f32[4].
int32_t parseEntry(void **descriptors) {
  auto &s = descriptorAt<StringRef1>(descriptors, 0);
  auto &y = descriptorAt<FloatRef1>(descriptors, 1);
  for (int64_t i = 0; i < 4; ++i)
    y.aligned[y.offset + i] =
        kiln_string_to_f32(s.aligned[s.offset + i], "kiln.cast (node_7)");
  return 0;
}

/// round_trip(x: f32[4]) -> y: f32[4] through strings in a temporary buffer
/// that the "compiled code" frees without freeing the strings in it.
int32_t roundTripEntry(void **descriptors) {
  auto &x = descriptorAt<FloatRef1>(descriptors, 0);
  auto &y = descriptorAt<FloatRef1>(descriptors, 1);
  auto *temporary = static_cast<const char **>(std::malloc(4 * sizeof(char *)));
  if (!temporary)
    return 1;
  for (int64_t i = 0; i < 4; ++i)
    temporary[i] = kiln_string_from_f32(x.aligned[x.offset + i]);
  for (int64_t i = 0; i < 4; ++i)
    y.aligned[y.offset + i] = kiln_string_to_f32(temporary[i], "round_trip");
  std::free(temporary);
  return 0;
}

/// echo(s: string[?]) -> t: string[?]: an output the function allocates,
/// holding the input's own pointers (as a reshape would).
int32_t echoEntry(void **descriptors) {
  auto &s = descriptorAt<StringRef1>(descriptors, 0);
  auto &t = descriptorAt<StringRef1>(descriptors, 1);
  int64_t size = s.sizes[0];
  auto *buffer = static_cast<const char **>(
      std::malloc(static_cast<size_t>(size + 1) * sizeof(char *)));
  if (!buffer)
    return 1;
  for (int64_t i = 0; i < size; ++i)
    buffer[i] = s.aligned[s.offset + i * s.strides[0]];
  t = {buffer, buffer, 0, {size}, {1}};
  return 0;
}

const int64_t kFour[] = {4};
const int64_t kDynamic[] = {-1};
const kiln_abi_value kF32Four[] = {{"x", KILN_DTYPE_F32, 1, kFour}};
const kiln_abi_value kStringFour[] = {{"s", KILN_DTYPE_STRING, 1, kFour}};
const kiln_abi_value kF32FourOut[] = {{"y", KILN_DTYPE_F32, 1, kFour}};
const kiln_abi_value kStringDynamic[] = {{"s", KILN_DTYPE_STRING, 1, kDynamic}};
const kiln_abi_value kStringDynamicOut[] = {
    {"t", KILN_DTYPE_STRING, 1, kDynamic}};

const kiln_abi_value kF64Four[] = {{"x", KILN_DTYPE_F64, 1, kFour}};
const kiln_abi_value kF64FourOut[] = {{"y", KILN_DTYPE_F64, 1, kFour}};

const kiln_abi_function kFunctions[] = {
    {"format", formatEntry, 1, 1, kF32Four, kStringFour},
    {"format_f64", formatF64Entry, 1, 1, kF64Four, kStringFour},
    {"parse_f64", parseF64Entry, 1, 1, kStringFour, kF64FourOut},
    {"integers", integersEntry, 1, 1, kStringFour, kStringFour},
    {"parse", parseEntry, 1, 1, kStringFour, kF32FourOut},
    {"round_trip", roundTripEntry, 1, 1, kF32Four, kF32FourOut},
    {"echo", echoEntry, 1, 1, kStringDynamic, kStringDynamicOut},
};
const kiln_abi_module kModule = {
    KILN_ABI_MAGIC, KILN_ABI_VERSION,
    static_cast<int32_t>(sizeof(kFunctions) / sizeof(kFunctions[0])),
    kFunctions, "kiln-test string module"};

class StringTensorTest : public ::testing::Test {
protected:
  void SetUp() override {
    kiln_module *raw = nullptr;
    ASSERT_TRUE(
        succeeds(kiln_module_from_abi(&kModule, nullptr, nullptr, &raw)));
    module.reset(raw);
  }

  const kiln_function *function(const char *name) {
    const kiln_function *found = nullptr;
    EXPECT_TRUE(
        succeeds(kiln_module_find_function(module.get(), name, &found)));
    return found;
  }

  /// Runs "format" on `values` and returns the strings.
  std::vector<std::string> format(const std::vector<float> &values) {
    TensorPtr x = makeF32({4}, values);
    kiln_tensor *s = nullptr;
    const kiln_tensor *inputs[] = {x.get()};
    EXPECT_TRUE(
        succeeds(kiln_function_run(function("format"), inputs, 1, &s, 1)));
    TensorPtr owned(s);
    std::vector<std::string> strings;
    for (int64_t i = 0; s && i < 4; ++i)
      strings.push_back(kiln_tensor_string(s, i));
    return strings;
  }

  /// Runs "parse" on `strings`; returns the status.
  kiln_status *parse(std::vector<const char *> strings,
                     std::vector<float> &values) {
    kiln_tensor *s = nullptr, *y = nullptr;
    int64_t shape[] = {4};
    EXPECT_TRUE(
        succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, shape, strings.data(),
                                  4 * sizeof(const char *), &s)));
    TensorPtr input(s);
    const kiln_tensor *inputs[] = {s};
    kiln_status *status =
        kiln_function_run(function("parse"), inputs, 1, &y, 1);
    TensorPtr output(y);
    if (y)
      values = f32Values(y);
    return status;
  }

  ModulePtr module;
};

TEST_F(StringTensorTest, DtypeHasPointerSizeAndName) {
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_STRING), sizeof(const char *));
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_STRING), "string");
}

TEST_F(StringTensorTest, CreatedTensorsHoldEmptyStringsAndOwnCopies) {
  TensorPtr tensor = makeTensor(KILN_DTYPE_STRING, {3});
  ASSERT_NE(tensor, nullptr);
  for (int64_t i = 0; i < 3; ++i)
    EXPECT_STREQ(kiln_tensor_string(tensor.get(), i), "");
  std::string text = "héllo";
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(tensor.get(), 1, text.c_str())));
  text[0] = 'j'; // the tensor holds a copy
  EXPECT_STREQ(kiln_tensor_string(tensor.get(), 1), "héllo");
  // Replacing frees the previous string (checked by the sanitizer runs).
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(tensor.get(), 1, "x")));
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(tensor.get(), 1, "")));
  EXPECT_STREQ(kiln_tensor_string(tensor.get(), 1), "");
  EXPECT_EQ(kiln_tensor_string(tensor.get(), 3), nullptr);
  EXPECT_EQ(kiln_tensor_string(tensor.get(), -1), nullptr);
}

TEST_F(StringTensorTest, SetStringRejectsBadArguments) {
  TensorPtr strings = makeTensor(KILN_DTYPE_STRING, {2});
  TensorPtr floats = makeTensor(KILN_DTYPE_F32, {2});
  EXPECT_TRUE(failsWith(kiln_tensor_set_string(strings.get(), 2, "a"),
                        KILN_OUT_OF_RANGE, {"index 2"}));
  EXPECT_TRUE(failsWith(kiln_tensor_set_string(strings.get(), 0, nullptr),
                        KILN_INVALID_ARGUMENT));
  EXPECT_TRUE(failsWith(kiln_tensor_set_string(floats.get(), 0, "a"),
                        KILN_INVALID_ARGUMENT, {"f32"}));
  EXPECT_EQ(kiln_tensor_string(floats.get(), 0), nullptr);
  const char *borrowed[] = {"a", "b"};
  kiln_tensor *raw = nullptr;
  int64_t shape[] = {2};
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, shape, borrowed,
                                        sizeof borrowed, &raw)));
  TensorPtr wrapped(raw);
  EXPECT_STREQ(kiln_tensor_string(wrapped.get(), 1), "b");
  EXPECT_TRUE(failsWith(kiln_tensor_set_string(wrapped.get(), 0, "c"),
                        KILN_INVALID_ARGUMENT, {"borrows"}));
}

TEST_F(StringTensorTest, ChecksumHashesTheStringsNotThePointers) {
  TensorPtr a = makeTensor(KILN_DTYPE_STRING, {2});
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(a.get(), 0, "ab")));
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(a.get(), 1, "c")));
  const char *same[] = {"ab", "c"};
  const char *shifted[] = {"a", "bc"};
  int64_t shape[] = {2};
  kiln_tensor *b = nullptr, *c = nullptr;
  ASSERT_TRUE(succeeds(
      kiln_tensor_wrap(KILN_DTYPE_STRING, 1, shape, same, sizeof same, &b)));
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, shape, shifted,
                                        sizeof shifted, &c)));
  TensorPtr sameTensor(b), shiftedTensor(c);
  EXPECT_EQ(kiln_tensor_checksum(a.get()), kiln_tensor_checksum(b));
  EXPECT_NE(kiln_tensor_checksum(a.get()), kiln_tensor_checksum(c));
  // "ab\0c\0" by the documented definition.
  EXPECT_EQ(kiln_tensor_checksum(a.get()), kiln_checksum("ab\0c\0", 5));
}

TEST_F(StringTensorTest, FormatsFloatsAsNumpyStr) {
  // Expected strings are str(numpy.float32(x)) from NumPy 1.24.
  EXPECT_EQ(
      format({0.9767611f, 0.039187793f, 1.0f, -0.0f}),
      (std::vector<std::string>{"0.9767611", "0.039187793", "1.0", "-0.0"}));
  EXPECT_EQ(format({1e-7f, 1.5e20f, 1e16f, 9.999999e15f}),
            (std::vector<std::string>{"1e-07", "1.5e+20", "1e+16",
                                      "9999999000000000.0"}));
  EXPECT_EQ(format({1e-4f, 0.0001f * 1.0001f, 123456789.0f, 2677622784.0f}),
            (std::vector<std::string>{"1e-04", "0.00010001", "123456790.0",
                                      "2677622800.0"}));
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(format({std::nanf(""), inf, -inf, 3.4028235e38f}),
            (std::vector<std::string>{"nan", "inf", "-inf", "3.4028235e+38"}));
}

TEST_F(StringTensorTest, FormatsAndParsesDoubles) {
  // Expected strings are str(numpy.float64(x)) from NumPy 1.24.
  double values[4] = {1.0 / 3.0, 1e16, 2.5e-300, 9007199254740993.0};
  kiln_tensor *x = nullptr, *s = nullptr, *y = nullptr;
  ASSERT_TRUE(succeeds(
      kiln_tensor_wrap(KILN_DTYPE_F64, 1, kFour, values, sizeof values, &x)));
  TensorPtr input(x);
  const kiln_tensor *inputs[] = {x};
  ASSERT_TRUE(
      succeeds(kiln_function_run(function("format_f64"), inputs, 1, &s, 1)));
  TensorPtr strings(s);
  EXPECT_STREQ(kiln_tensor_string(s, 0), "0.3333333333333333");
  EXPECT_STREQ(kiln_tensor_string(s, 1), "1e+16");
  EXPECT_STREQ(kiln_tensor_string(s, 2), "2.5e-300");
  EXPECT_STREQ(kiln_tensor_string(s, 3), "9007199254740992.0");
  // Reading them back gives the same doubles (shortest round trip).
  const kiln_tensor *texts[] = {s};
  ASSERT_TRUE(
      succeeds(kiln_function_run(function("parse_f64"), texts, 1, &y, 1)));
  TensorPtr parsed(y);
  const auto *back = static_cast<const double *>(kiln_tensor_const_data(y));
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(back[i], i == 3 ? 9007199254740992.0 : values[i]) << i;
}

TEST_F(StringTensorTest, IntegersParseAsPythonIntAndFormatInDecimal) {
  auto run = [&](std::vector<const char *> strings,
                 std::vector<std::string> &out) {
    kiln_tensor *s = nullptr, *t = nullptr;
    EXPECT_TRUE(
        succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, kFour, strings.data(),
                                  4 * sizeof(const char *), &s)));
    TensorPtr input(s);
    const kiln_tensor *inputs[] = {s};
    kiln_status *status =
        kiln_function_run(function("integers"), inputs, 1, &t, 1);
    TensorPtr output(t);
    for (int64_t i = 0; t && i < 4; ++i)
      out.push_back(kiln_tensor_string(t, i));
    return status;
  };
  std::vector<std::string> out;
  ASSERT_TRUE(
      succeeds(run({" -12\t", "1_000", "-9223372036854775808", "-1"}, out)));
  EXPECT_EQ(out,
            (std::vector<std::string>{"-12", "1000", "-9223372036854775808",
                                      "18446744073709551615"}));
  for (const char *bad :
       {"1.5", "9223372036854775808", "0x10", "", "1_", "+-1", "12a"}) {
    out.clear();
    EXPECT_TRUE(failsWith(
        run({"1", "2", bad, "3"}, out), KILN_INVALID_ARGUMENT,
        {"ints site", std::string("\"") + bad + "\"", "to an integer"}))
        << bad;
  }
}

TEST_F(StringTensorTest, ParsesStringsAsPythonFloat) {
  std::vector<float> values;
  ASSERT_TRUE(succeeds(parse({"0.47892547", "NaN", "+INF", "-INF"}, values)));
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], 0.47892547f);
  EXPECT_TRUE(std::isnan(values[1]));
  EXPECT_EQ(values[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(values[3], -std::numeric_limits<float>::infinity());
  ASSERT_TRUE(
      succeeds(parse({" 1e-7\n", "1_000.5", "-Infinity", ".5"}, values)));
  EXPECT_EQ(values, (std::vector<float>{1e-7f, 1000.5f,
                                        -std::numeric_limits<float>::infinity(),
                                        0.5f}));
  // Beyond the double range: inf and 0 as Python gives; beyond f32: inf.
  ASSERT_TRUE(succeeds(parse({"1e400", "-1e-400", "1e39", "5."}, values)));
  EXPECT_EQ(values[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(values[1], 0.0f);
  EXPECT_TRUE(std::signbit(values[1]));
  EXPECT_EQ(values[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(values[3], 5.0f);
}

TEST_F(StringTensorTest, ParsingRoundsThroughDouble) {
  // 1 + 2^-24 = 1.000000059604644775390625 lies halfway between two f32
  // values. The string below is slightly above it, so a direct decimal to
  // f32 conversion gives 1 + 2^-23; read as a double first (Python float,
  // then NumPy's cast) it becomes exactly 1 + 2^-24, which ties to even: 1.
  std::vector<float> values;
  ASSERT_TRUE(
      succeeds(parse({"1.00000005960464477550317832", "1", "2", "3"}, values)));
  EXPECT_EQ(values[0], 1.0f);
}

TEST_F(StringTensorTest, BadStringsFailTheRunNamingTheSiteAndString) {
  for (const char *bad :
       {"abc", "", "1..2", "1e", "0x10", "1__0", "_1", "nan(1)", "1 2"}) {
    std::vector<float> values;
    EXPECT_TRUE(failsWith(parse({"1", bad, "2", "3"}, values),
                          KILN_INVALID_ARGUMENT,
                          {"function 'parse'", "kiln.cast (node_7)",
                           std::string("\"") + bad + "\""}))
        << bad;
  }
}

TEST_F(StringTensorTest, NullStringInputsAreRejectedBeforeRunning) {
  std::vector<float> values;
  EXPECT_TRUE(failsWith(parse({"1", nullptr, "2", "3"}, values),
                        KILN_INVALID_ARGUMENT, {"input 0", "element 1"}));
  const char *strings[] = {"1", "2", nullptr, "4"};
  float output[4];
  const void *inputs[] = {strings};
  void *outputs[] = {output};
  EXPECT_TRUE(failsWith(
      kiln_function_run_buffers(function("parse"), inputs, 1, outputs, 1),
      KILN_INVALID_ARGUMENT, {"element 2"}));
  strings[2] = "3";
  ASSERT_TRUE(succeeds(
      kiln_function_run_buffers(function("parse"), inputs, 1, outputs, 1)));
  EXPECT_EQ(output[3], 4.0f);
}

TEST_F(StringTensorTest, TemporaryStringsAreFreedWithTheRun) {
  // Under the sanitizers (and valgrind), a leak of the temporaries fails.
  TensorPtr x = makeF32({4}, {0.1f, 2.5f, -3.0f, 1e-9f});
  for (int run = 0; run < 3; ++run) {
    kiln_tensor *y = nullptr;
    const kiln_tensor *inputs[] = {x.get()};
    ASSERT_TRUE(
        succeeds(kiln_function_run(function("round_trip"), inputs, 1, &y, 1)));
    TensorPtr output(y);
    EXPECT_EQ(f32Values(y), (std::vector<float>{0.1f, 2.5f, -3.0f, 1e-9f}));
  }
}

TEST_F(StringTensorTest, CallerProvidedStringOutputsAreReplaced) {
  TensorPtr x = makeF32({4}, {1, 2, 3, 4});
  TensorPtr s = makeTensor(KILN_DTYPE_STRING, {4});
  ASSERT_TRUE(succeeds(kiln_tensor_set_string(s.get(), 0, "old")));
  kiln_tensor *outputs[] = {s.get()};
  const kiln_tensor *inputs[] = {x.get()};
  ASSERT_TRUE(
      succeeds(kiln_function_run(function("format"), inputs, 1, outputs, 1)));
  EXPECT_STREQ(kiln_tensor_string(s.get(), 0), "1.0");
  EXPECT_STREQ(kiln_tensor_string(s.get(), 3), "4.0");

  // A wrapped string tensor cannot receive owned strings.
  const char *borrowed[4] = {"", "", "", ""};
  kiln_tensor *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, kFour, borrowed,
                                        sizeof borrowed, &raw)));
  TensorPtr wrapped(raw);
  outputs[0] = wrapped.get();
  EXPECT_TRUE(
      failsWith(kiln_function_run(function("format"), inputs, 1, outputs, 1),
                KILN_INVALID_ARGUMENT, {"borrows its storage"}));
  EXPECT_STREQ(borrowed[0], "");
}

TEST_F(StringTensorTest, PlainBufferRunsCannotReturnStrings) {
  float input[4] = {1, 2, 3, 4};
  const char *output[4] = {};
  const void *inputs[] = {input};
  void *outputs[] = {output};
  EXPECT_TRUE(failsWith(
      kiln_function_run_buffers(function("format"), inputs, 1, outputs, 1),
      KILN_INVALID_ARGUMENT, {"string", "kiln_function_run()"}));
}

TEST_F(StringTensorTest, FunctionAllocatedOutputsCopyAliasedStrings) {
  std::string first = "first", second = "second";
  const char *strings[] = {first.c_str(), second.c_str()};
  int64_t shape[] = {2};
  kiln_tensor *s = nullptr, *t = nullptr;
  ASSERT_TRUE(succeeds(kiln_tensor_wrap(KILN_DTYPE_STRING, 1, shape, strings,
                                        sizeof strings, &s)));
  TensorPtr input(s);
  const kiln_tensor *inputs[] = {s};
  ASSERT_TRUE(succeeds(kiln_function_run(function("echo"), inputs, 1, &t, 1)));
  TensorPtr output(t);
  ASSERT_EQ(kiln_tensor_element_count(t), 2);
  EXPECT_EQ(kiln_tensor_owns_data(t), 1);
  first[0] = 'F'; // the output holds its own copies
  EXPECT_STREQ(kiln_tensor_string(t, 0), "first");
  EXPECT_STREQ(kiln_tensor_string(t, 1), "second");
  EXPECT_NE(kiln_tensor_string(t, 0), strings[0]);
}

TEST_F(StringTensorTest, HelpersOutsideARunAllocateNothing) {
  EXPECT_STREQ(kiln_string_from_f32(1.5f), "");
  EXPECT_STREQ(kiln_string_from_f64(1.5), "");
  EXPECT_STREQ(kiln_string_from_i64(-3), "");
  EXPECT_STREQ(kiln_string_from_u64(3), "");
  EXPECT_EQ(kiln_string_to_i64("42", "site"), 42);
  EXPECT_EQ(kiln_string_to_f64("2.5", "site"), 2.5);
  EXPECT_TRUE(std::isnan(kiln_string_to_f32("x", "site")));
}

TEST_F(StringTensorTest, CppLayerReadsAndWritesStrings) {
  kiln::rt::Tensor tensor = kiln::rt::Tensor::create(KILN_DTYPE_STRING, {2});
  tensor.setString(0, "zero");
  EXPECT_STREQ(tensor.string(0), "zero");
  EXPECT_STREQ(tensor.string(1), "");
  EXPECT_THROW(tensor.string(2), kiln::rt::Error);
  kiln::rt::Tensor floats = kiln::rt::Tensor::create(KILN_DTYPE_F32, {2});
  EXPECT_THROW(floats.string(0), kiln::rt::Error);
  EXPECT_THROW(floats.setString(0, "x"), kiln::rt::Error);
}

} // namespace
