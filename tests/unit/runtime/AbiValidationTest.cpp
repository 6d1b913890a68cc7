//===- AbiValidationTest.cpp - Tests of module tables and their checks ----===//
//
// kiln_module_from_abi() on valid and corrupted tables: every field the
// runtime validates has a case here, and the owner's release callback must
// run exactly once whether the table is accepted or not.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <functional>
#include <string>

using namespace kiln::test;

namespace {

TEST(AbiValidationTest, AcceptsAValidTable) {
  EditableTable table;
  ReleaseCounter counter;
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_abi(&table.module, &counter,
                                            ReleaseCounter::release, &raw)));
  ModulePtr module(raw);
  EXPECT_STREQ(kiln_module_producer(module.get()), "editable");
  ASSERT_EQ(kiln_module_function_count(module.get()), 2u);
  EXPECT_STREQ(kiln_function_name(kiln_module_function_at(module.get(), 0)),
               "add");
  EXPECT_STREQ(kiln_function_name(kiln_module_function_at(module.get(), 1)),
               "add_again");
  EXPECT_EQ(kiln_module_function_at(module.get(), 2), nullptr);
  EXPECT_EQ(counter.count, 0) << "released only when the module is freed";
  module.reset();
  EXPECT_EQ(counter.count, 1);
}

TEST(AbiValidationTest, DescribesSignatures) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *rowSums = findFunction(module.get(), "row_sums");
  ASSERT_NE(rowSums, nullptr);
  EXPECT_EQ(kiln_function_input_count(rowSums), 1u);
  EXPECT_EQ(kiln_function_output_count(rowSums), 1u);

  kiln_value_info info;
  ASSERT_TRUE(succeeds(kiln_function_input_info(rowSums, 0, &info)));
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], -1);
  EXPECT_EQ(info.dims[1], 3);
  ASSERT_TRUE(succeeds(kiln_function_output_info(rowSums, 0, &info)));
  EXPECT_STREQ(info.name, "sums");

  EXPECT_TRUE(failsWith(kiln_function_input_info(rowSums, 1, &info),
                        KILN_OUT_OF_RANGE, {"row_sums", "index 1"}));
  EXPECT_TRUE(failsWith(kiln_function_output_info(rowSums, 5, &info),
                        KILN_OUT_OF_RANGE, {"index 5"}));
  EXPECT_TRUE(failsWith(kiln_function_input_info(nullptr, 0, &info),
                        KILN_INVALID_ARGUMENT));
  EXPECT_TRUE(failsWith(kiln_function_input_info(rowSums, 0, nullptr),
                        KILN_INVALID_ARGUMENT));
}

TEST(AbiValidationTest, FindFunctionListsTheAvailableNames) {
  ModulePtr module = loadInMemoryModule();
  const kiln_function *function = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_module_find_function(module.get(), "ad", &function), KILN_NOT_FOUND,
      {"'ad'", "'add'", "'row_sums'", "'polynomial'"}));
  EXPECT_EQ(function, nullptr);
  EXPECT_TRUE(
      failsWith(kiln_module_find_function(module.get(), nullptr, &function),
                KILN_INVALID_ARGUMENT));
  EXPECT_STREQ(kiln_function_name(findFunction(module.get(), "split")),
               "split");
}

TEST(AbiValidationTest, ModuleWithoutFunctions) {
  kiln_abi_module empty = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 0, nullptr,
                           nullptr};
  kiln_module *raw = nullptr;
  ASSERT_TRUE(succeeds(kiln_module_from_abi(&empty, nullptr, nullptr, &raw)));
  ModulePtr module(raw);
  EXPECT_EQ(kiln_module_function_count(module.get()), 0u);
  EXPECT_STREQ(kiln_module_producer(module.get()), "unknown");
  const kiln_function *function = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_find_function(module.get(), "f", &function),
                        KILN_NOT_FOUND, {"none"}));
}

TEST(AbiValidationTest, ReleasesTheOwnerWhenArgumentsAreBad) {
  ReleaseCounter counter;
  EXPECT_TRUE(failsWith(
      kiln_module_from_abi(nullptr, &counter, ReleaseCounter::release, nullptr),
      KILN_INVALID_ARGUMENT));
  EXPECT_EQ(counter.count, 1);
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(
      kiln_module_from_abi(nullptr, &counter, ReleaseCounter::release, &module),
      KILN_INVALID_ARGUMENT, {"`abi`"}));
  EXPECT_EQ(counter.count, 2);
  EXPECT_EQ(module, nullptr);
}

/// One way to corrupt a table, and words the error message must contain.
struct Corruption {
  const char *name;
  std::function<void(EditableTable &)> corrupt;
  std::vector<std::string> fragments;
};

/// Keeps the ctest names readable: "... # GetParam() = WrongMagic".
void PrintTo(const Corruption &corruption, std::ostream *stream) {
  *stream << corruption.name;
}

class BadTableTest : public ::testing::TestWithParam<Corruption> {};

TEST_P(BadTableTest, IsRejectedAndReleased) {
  EditableTable table;
  GetParam().corrupt(table);
  ReleaseCounter counter;
  kiln_module *module = nullptr;
  EXPECT_TRUE(failsWith(kiln_module_from_abi(&table.module, &counter,
                                             ReleaseCounter::release, &module),
                        KILN_INVALID_MODULE, GetParam().fragments));
  EXPECT_EQ(module, nullptr);
  EXPECT_EQ(counter.count, 1) << "release must run once, at once";
}

const Corruption kCorruptions[] = {
    {"WrongMagic",
     [](EditableTable &t) { t.module.magic = 0x464c457fu; },
     {"magic", "0x464c457f", "0x4e4c494b"}},
    {"WrongVersion",
     [](EditableTable &t) { t.module.abi_version = 1; },
     {"version 1", "supports version 2"}},
    {"NegativeFunctionCount",
     [](EditableTable &t) { t.module.num_functions = -1; },
     {"-1 functions"}},
    {"TooManyFunctions",
     [](EditableTable &t) { t.module.num_functions = (1 << 20) + 1; },
     {"1048577 functions"}},
    {"NullFunctionTable",
     [](EditableTable &t) { t.module.functions = nullptr; },
     {"function table is NULL"}},
    {"NullFunctionName",
     [](EditableTable &t) { t.functions[1].name = nullptr; },
     {"function 1", "NULL name"}},
    {"NullEntry",
     [](EditableTable &t) { t.functions[0].entry = nullptr; },
     {"function 0 ('add')", "NULL entry"}},
    {"NegativeInputCount",
     [](EditableTable &t) { t.functions[0].num_inputs = -2; },
     {"-2 inputs"}},
    {"TooManyOutputs",
     [](EditableTable &t) { t.functions[0].num_outputs = (1 << 16) + 1; },
     {"65537 outputs"}},
    {"NullInputTable",
     [](EditableTable &t) { t.functions[0].inputs = nullptr; },
     {"NULL input table"}},
    {"NullOutputTable",
     [](EditableTable &t) { t.functions[1].outputs = nullptr; },
     {"NULL output table"}},
    {"NullValueName",
     [](EditableTable &t) { t.inputs[1].name = nullptr; },
     {"input 1", "NULL name"}},
    {"NegativeRank",
     [](EditableTable &t) { t.inputs[0].rank = -1; },
     {"input 0 ('a')", "rank -1"}},
    {"RankSeventeen",
     [](EditableTable &t) { t.outputs[0].rank = 17; },
     {"output 0 ('sum')", "rank 17"}},
    {"NullDims",
     [](EditableTable &t) { t.inputs[0].dims = nullptr; },
     {"NULL dims"}},
    {"DimBelowTheSymbols",
     [](EditableTable &t) { t.dims[1] = -KILN_ABI_MAX_SYMBOLS - 1; },
     {"dimension 1 is -4097"}},
    {"NegativeErrorCount",
     [](EditableTable &t) { t.functions[0].num_errors = -1; },
     {"function 0 ('add')", "-1 error messages"}},
    {"NullErrorTable",
     [](EditableTable &t) { t.functions[0].num_errors = 2; },
     {"2 error messages but a NULL table"}},
    {"NullErrorMessage",
     [](EditableTable &t) {
       static const char *const messages[] = {"fine", nullptr};
       t.functions[1].num_errors = 2;
       t.functions[1].errors = messages;
     },
     {"function 1", "error message 1 is NULL"}},
    {"InvalidDtype",
     [](EditableTable &t) { t.inputs[1].dtype = 15; },
     {"invalid dtype 15"}},
    {"ZeroDtype",
     [](EditableTable &t) { t.outputs[0].dtype = 0; },
     {"invalid dtype 0"}},
    {"DuplicateNames",
     [](EditableTable &t) { t.functions[1].name = "add"; },
     {"duplicate function name 'add'", "functions 0 and 1"}},
};

INSTANTIATE_TEST_SUITE_P(AbiValidationTest, BadTableTest,
                         ::testing::ValuesIn(kCorruptions),
                         [](const ::testing::TestParamInfo<Corruption> &info) {
                           return std::string(info.param.name);
                         });

TEST(AbiValidationTest, DynamicDimensionsAreAccepted) {
  EditableTable table;
  table.dims[0] = -1;
  kiln_module *raw = nullptr;
  ASSERT_TRUE(
      succeeds(kiln_module_from_abi(&table.module, nullptr, nullptr, &raw)));
  kiln_module_free(raw);
}

TEST(AbiValidationTest, AccessorsTolerateNull) {
  kiln_module_free(nullptr);
  EXPECT_EQ(kiln_module_function_count(nullptr), 0u);
  EXPECT_EQ(kiln_module_function_at(nullptr, 0), nullptr);
  EXPECT_STREQ(kiln_module_producer(nullptr), "");
  EXPECT_STREQ(kiln_function_name(nullptr), "");
  EXPECT_EQ(kiln_function_input_count(nullptr), 0u);
  EXPECT_EQ(kiln_function_output_count(nullptr), 0u);
}

} // namespace
