//===- TestModules.cpp - Hand-written module tables for runtime tests -----===//
//
// The entry points here stand in for compiled code: each reads its memref
// descriptors as MLIR lays them out, and several check the descriptor fields
// themselves (returning non-zero on a mismatch) so that a runtime bug in
// descriptor construction shows up as a failed run.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace kiln::test {
namespace {

/// What an entry point returns when a descriptor is not what it expects.
constexpr int32_t kBadDescriptor = 2;

/// True when `memref` is a contiguous row-major view of `shape`.
template <typename T, int Rank>
bool isContiguous(const MemRef<T, Rank> &memref, const int64_t (&shape)[Rank]) {
  if (memref.allocated != memref.aligned || memref.offset != 0)
    return false;
  int64_t stride = 1;
  for (int i = Rank - 1; i >= 0; --i) {
    if (memref.sizes[i] != shape[i] || memref.strides[i] != stride)
      return false;
    stride *= shape[i];
  }
  return true;
}

int32_t addEntry(void **descriptors) {
  using Matrix = MemRef<float, 2>;
  const int64_t shape[2] = {2, 3};
  Matrix &a = descriptorAt<Matrix>(descriptors, 0);
  Matrix &b = descriptorAt<Matrix>(descriptors, 1);
  Matrix &sum = descriptorAt<Matrix>(descriptors, 2);
  if (!isContiguous(a, shape) || !isContiguous(b, shape) ||
      !isContiguous(sum, shape))
    return kBadDescriptor;
  for (int i = 0; i < 6; ++i)
    sum.aligned[i] = a.aligned[i] + b.aligned[i];
  return 0;
}

int32_t failEntry(void **) { return kFailResult; }

int32_t throwsEntry(void **) { throw std::runtime_error("test entry threw"); }

/// Sums the rows of x[?, 3]. Its output has a run-time size, so, as compiled
/// functions do, it allocates it (with malloc, two elements into the block, to
/// exercise the descriptor's offset) and fills the descriptor.
int32_t rowSumsEntry(void **descriptors) {
  auto &x = descriptorAt<MemRef<float, 2>>(descriptors, 0);
  auto &sums = descriptorAt<MemRef<float, 1>>(descriptors, 1);
  const int64_t xShape[2] = {x.sizes[0], 3};
  if (!isContiguous(x, xShape) || sums.allocated || sums.aligned)
    return kBadDescriptor;
  int64_t rows = x.sizes[0];
  auto *block = static_cast<float *>(std::malloc((rows + 2) * sizeof(float)));
  sums.allocated = block;
  sums.aligned = block;
  sums.offset = 2;
  sums.sizes[0] = rows;
  sums.strides[0] = 1;
  for (int64_t row = 0; row < rows; ++row) {
    float total = 0;
    for (int64_t column = 0; column < 3; ++column)
      total += x.aligned[row * 3 + column];
    block[2 + row] = total;
  }
  return 0;
}

/// y = a + b for a, b of shape [n, 2] with one run-time symbol n; fails its
/// second check when a[0, 0] is negative.
int32_t symbolAddEntry(void **descriptors) {
  auto &a = descriptorAt<MemRef<float, 2>>(descriptors, 0);
  auto &b = descriptorAt<MemRef<float, 2>>(descriptors, 1);
  auto &y = descriptorAt<MemRef<float, 2>>(descriptors, 2);
  int64_t n = a.sizes[0];
  if (b.sizes[0] != n)
    return kBadDescriptor; // the runtime must have caught this
  if (n > 0 && a.aligned[0] < 0)
    return 2;
  auto *block = static_cast<float *>(std::malloc((n * 2 + 1) * sizeof(float)));
  y.allocated = block;
  y.aligned = block;
  y.offset = 0;
  y.sizes[0] = n;
  y.sizes[1] = 2;
  y.strides[0] = 2;
  y.strides[1] = 1;
  for (int64_t i = 0; i < n * 2; ++i)
    block[i] = a.aligned[i] + b.aligned[i];
  return 0;
}

int32_t scalarDoubleEntry(void **descriptors) {
  auto &x = descriptorAt<MemRef0<double>>(descriptors, 0);
  auto &y = descriptorAt<MemRef0<double>>(descriptors, 1);
  if (x.offset != 0 || y.offset != 0 || !x.aligned || !y.aligned)
    return kBadDescriptor;
  *y.aligned = 2 * *x.aligned;
  return 0;
}

int32_t wideSumEntry(void **descriptors) {
  using Vector = MemRef<float, 1>;
  const int64_t shape[1] = {4};
  Vector &sum = descriptorAt<Vector>(descriptors, kWideSumInputs);
  if (!isContiguous(sum, shape))
    return kBadDescriptor;
  for (int j = 0; j < 4; ++j)
    sum.aligned[j] = 0;
  for (int i = 0; i < kWideSumInputs; ++i) {
    Vector &x = descriptorAt<Vector>(descriptors, i);
    if (!isContiguous(x, shape))
      return kBadDescriptor;
    for (int j = 0; j < 4; ++j)
      sum.aligned[j] += x.aligned[j];
  }
  return 0;
}

constexpr int64_t kHighRankDims[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                       1, 1, 1, 1, 1, 1, 1, 2};

int32_t highRankEntry(void **descriptors) {
  using Tensor16 = MemRef<int8_t, 16>;
  Tensor16 &x = descriptorAt<Tensor16>(descriptors, 0);
  Tensor16 &y = descriptorAt<Tensor16>(descriptors, 1);
  if (!isContiguous(x, kHighRankDims) || !isContiguous(y, kHighRankDims))
    return kBadDescriptor;
  for (int i = 0; i < 2; ++i)
    y.aligned[i] = static_cast<int8_t>(x.aligned[i] + 1);
  return 0;
}

int32_t splitEntry(void **descriptors) {
  auto &x = descriptorAt<MemRef<float, 1>>(descriptors, 0);
  auto &low = descriptorAt<MemRef<float, 1>>(descriptors, 1);
  auto &high = descriptorAt<MemRef<float, 1>>(descriptors, 2);
  for (int i = 0; i < 2; ++i) {
    low.aligned[i] = x.aligned[i];
    high.aligned[i] = x.aligned[i + 2];
  }
  return 0;
}

int32_t polynomialEntry(void **descriptors) {
  auto &x = descriptorAt<MemRef<float, 1>>(descriptors, 0);
  auto &y = descriptorAt<MemRef<float, 1>>(descriptors, 1);
  for (int64_t i = 0; i < kPolynomialLength; ++i)
    y.aligned[i] = polynomialReference(x.aligned[i]);
  return 0;
}

const int64_t kMatrixDims[2] = {2, 3};
const int64_t kTwo[1] = {2};
const int64_t kFour[1] = {4};
const int64_t kDynamicRows[2] = {-1, 3};
const int64_t kDynamic[1] = {-1};
const int64_t kPolynomialDims[1] = {kPolynomialLength};

const kiln_abi_value kAddInputs[] = {{"a", KILN_DTYPE_F32, 2, kMatrixDims},
                                     {"b", KILN_DTYPE_F32, 2, kMatrixDims}};
const kiln_abi_value kAddOutputs[] = {{"sum", KILN_DTYPE_F32, 2, kMatrixDims}};
const kiln_abi_value kPairInput[] = {{"x", KILN_DTYPE_F32, 1, kTwo}};
const kiln_abi_value kPairOutput[] = {{"y", KILN_DTYPE_F32, 1, kTwo}};
const kiln_abi_value kRowSumsInput[] = {{"x", KILN_DTYPE_F32, 2, kDynamicRows}};
const int64_t kSymbolRows[] = {-1, 2};
const kiln_abi_value kSymbolAddInputs[] = {
    {"a", KILN_DTYPE_F32, 2, kSymbolRows},
    {"b", KILN_DTYPE_F32, 2, kSymbolRows}};
const int64_t kOtherSymbolRows[] = {-2, 2};
const kiln_abi_value kSymbolAddOutput[] = {
    {"y", KILN_DTYPE_F32, 2, kOtherSymbolRows}};
const char *const kSymbolAddErrors[] = {"first check failed",
                                        "a[0, 0] must not be negative"};
const kiln_abi_value kRowSumsOutput[] = {{"sums", KILN_DTYPE_F32, 1, kDynamic}};
const kiln_abi_value kScalarInput[] = {{"x", KILN_DTYPE_F64, 0, nullptr}};
const kiln_abi_value kScalarOutput[] = {{"y", KILN_DTYPE_F64, 0, nullptr}};
const kiln_abi_value kWideOutput[] = {{"sum", KILN_DTYPE_F32, 1, kFour}};
const kiln_abi_value kHighRankInput[] = {
    {"x", KILN_DTYPE_I8, 16, kHighRankDims}};
const kiln_abi_value kHighRankOutput[] = {
    {"y", KILN_DTYPE_I8, 16, kHighRankDims}};
const kiln_abi_value kSplitInput[] = {{"x", KILN_DTYPE_F32, 1, kFour}};
const kiln_abi_value kSplitOutputs[] = {{"low", KILN_DTYPE_F32, 1, kTwo},
                                        {"high", KILN_DTYPE_F32, 1, kTwo}};
const kiln_abi_value kPolynomialInput[] = {
    {"x", KILN_DTYPE_F32, 1, kPolynomialDims}};
const kiln_abi_value kPolynomialOutput[] = {
    {"y", KILN_DTYPE_F32, 1, kPolynomialDims}};

/// The inputs of "wide_sum", built once: their names must outlive the table.
const kiln_abi_value *wideSumInputs() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (int i = 0; i < kWideSumInputs; ++i)
      result.push_back("x" + std::to_string(i));
    return result;
  }();
  static const std::vector<kiln_abi_value> values = [] {
    std::vector<kiln_abi_value> result;
    for (const std::string &name : names)
      result.push_back({name.c_str(), KILN_DTYPE_F32, 1, kFour});
    return result;
  }();
  return values.data();
}

} // namespace

float polynomialReference(float x) {
  return std::sin(x) * x + 0.5f * x * x - std::sqrt(std::fabs(x) + 1.0f);
}

const kiln_abi_module &inMemoryModule() {
  static const kiln_abi_function functions[] = {
      {"add", addEntry, 2, 1, kAddInputs, kAddOutputs},
      {"fail", failEntry, 1, 1, kPairInput, kPairOutput},
      {"throws", throwsEntry, 1, 1, kPairInput, kPairOutput},
      {"row_sums", rowSumsEntry, 1, 1, kRowSumsInput, kRowSumsOutput},
      {"symbol_add", symbolAddEntry, 2, 1, kSymbolAddInputs, kSymbolAddOutput,
       2, kSymbolAddErrors},
      {"scalar_double", scalarDoubleEntry, 1, 1, kScalarInput, kScalarOutput},
      {"wide_sum", wideSumEntry, kWideSumInputs, 1, wideSumInputs(),
       kWideOutput},
      {"high_rank", highRankEntry, 1, 1, kHighRankInput, kHighRankOutput},
      {"split", splitEntry, 1, 2, kSplitInput, kSplitOutputs},
      {"polynomial", polynomialEntry, 1, 1, kPolynomialInput,
       kPolynomialOutput},
  };
  static const kiln_abi_module module = {
      KILN_ABI_MAGIC, KILN_ABI_VERSION,
      static_cast<int32_t>(sizeof(functions) / sizeof(functions[0])), functions,
      kInMemoryProducer};
  return module;
}

ModulePtr loadInMemoryModule() {
  kiln_module *module = nullptr;
  EXPECT_TRUE(succeeds(
      kiln_module_from_abi(&inMemoryModule(), nullptr, nullptr, &module)));
  return ModulePtr(module);
}

const kiln_function *findFunction(const kiln_module *module, const char *name) {
  const kiln_function *function = nullptr;
  EXPECT_TRUE(succeeds(kiln_module_find_function(module, name, &function)))
      << name;
  return function;
}

EditableTable::EditableTable()
    : inputs{{"a", KILN_DTYPE_F32, 2, dims}, {"b", KILN_DTYPE_F32, 2, dims}},
      outputs{{"sum", KILN_DTYPE_F32, 2, dims}},
      functions{{"add", addEntry, 2, 1, inputs, outputs},
                {"add_again", addEntry, 2, 1, inputs, outputs}},
      module{KILN_ABI_MAGIC, KILN_ABI_VERSION, 2, functions, "editable"} {}

} // namespace kiln::test
