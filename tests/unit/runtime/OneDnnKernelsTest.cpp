//===- OneDnnKernelsTest.cpp - Constant weights of oneDNN kernels ---------===//
//
// Runs kiln_kernel_matmul from in-memory CPU modules whose kernel tables list
// several call sites, as compiled modules have them, and checks the products
// against plain loops. The call sites that read one constant share its
// reordered copy: oneDNN's verbose log (dnnl_set_verbose) must show one
// weights reorder for them, not one each. A constant whose module was freed
// is reordered afresh, even at the same address.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"
#include "kiln/kernel_abi.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace kiln::test;

namespace {

using Vector = MemRef<float, 1>;

// A product of shape [1, kInner] x [kInner, kColumns], the shape of an
// unrolled recurrent layer's step, for which oneDNN prefers blocked weights.
constexpr int64_t kInner = 64;
constexpr int64_t kColumns = 256;

/// What the module's entry runs: one call of kiln_kernel_matmul per call site,
/// each on the previous result's first kInner columns, with its weights.
struct Chain {
  std::vector<const float *> weights; // one per call site
  std::vector<int64_t> params;
  std::vector<void *> states;
};

const Chain *currentChain = nullptr;

int32_t chainEntry(void **descriptors) {
  const Chain &chain = *currentChain;
  Vector &input = descriptorAt<Vector>(descriptors, 0);
  Vector &output = descriptorAt<Vector>(descriptors, 1);
  std::vector<float> row(input.aligned + input.offset,
                         input.aligned + input.offset + kInner);
  std::vector<float> product(kColumns);
  for (size_t site = 0; site < chain.weights.size(); ++site) {
    if (kiln_kernel_matmul(chain.params.data(),
                           const_cast<void **>(&chain.states[site]), 1,
                           row.data(), chain.weights[site], nullptr, nullptr,
                           product.data()) != 0)
      return 1;
    row.assign(product.begin(), product.begin() + kInner);
  }
  std::copy(product.begin(), product.end(), output.aligned + output.offset);
  return 0;
}

const char *const kErrors[1] = {"the library kernel failed"};

/// An in-memory CPU module whose function "chain" runs a Chain, with one
/// kernel-table entry per call site.
class ChainModule {
public:
  /// Loads the module; with `loadStatus`, hands over the load's status
  /// instead of expecting it to succeed.
  explicit ChainModule(Chain &chain, kiln_status **loadStatus = nullptr)
      : chain(chain) {
    input = {"x", KILN_DTYPE_F32, 1, &kInner};
    output = {"y", KILN_DTYPE_F32, 1, &kColumns};
    function = {"chain", chainEntry, 1, 1, &input, &output, 1, kErrors};
    table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1, &function,
             "kiln-test oneDNN kernel module"};
    chain.states.assign(chain.weights.size(), nullptr);
    for (void *&state : chain.states)
      kernels.push_back({KILN_KERNEL_MATMUL,
                         static_cast<int32_t>(chain.params.size()),
                         chain.params.data(), &state});
    info = cpuKernelModuleInfo(kernels.data(),
                               static_cast<int32_t>(kernels.size()));
    kiln_module *raw = nullptr;
    kiln_status *status =
        kiln_module_from_tables(&table, &info, nullptr, nullptr, &raw);
    if (loadStatus)
      *loadStatus = status;
    else
      EXPECT_TRUE(succeeds(status));
    module.reset(raw);
  }

  /// Runs "chain" on `x`; its output, empty on failure.
  std::vector<float> run(const std::vector<float> &x) {
    currentChain = &chain;
    std::vector<float> y = runF32(module.get(), "chain", {kInner}, x);
    currentChain = nullptr;
    return y;
  }

  ModulePtr module;

private:
  Chain &chain;
  kiln_abi_value input{}, output{};
  kiln_abi_function function{};
  kiln_abi_module table{};
  std::vector<kiln_abi_kernel> kernels;
  kiln_abi_module_info info{};
};

/// Reproducible values in [-0.5, 0.5).
std::vector<float> randomValues(size_t count, uint32_t seed) {
  return kiln::test::randomValues(count, seed, -0.5f, 0.5f);
}

/// The chain in plain loops, in double.
std::vector<float> reference(const std::vector<const float *> &weights,
                             const std::vector<float> &x) {
  std::vector<double> row(x.begin(), x.end());
  std::vector<double> product(kColumns);
  for (const float *w : weights) {
    for (int64_t j = 0; j < kColumns; ++j) {
      product[j] = 0;
      for (int64_t k = 0; k < kInner; ++k)
        product[j] += row[k] * w[k * kColumns + j];
    }
    row.assign(product.begin(), product.begin() + kInner);
  }
  return std::vector<float>(product.begin(), product.end());
}

void expectNear(const std::vector<float> &actual,
                const std::vector<float> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-5 + 1e-5 * std::fabs(expected[i]))
        << "element " << i;
}

std::vector<int64_t> matmulParams() {
  std::vector<int64_t> params(KILN_MATMUL_NUM_PARAMS, 0);
  params[KILN_MATMUL_ROWS] = 1;
  params[KILN_MATMUL_INNER] = kInner;
  params[KILN_MATMUL_COLUMNS] = kColumns;
  params[KILN_MATMUL_FLAGS] = KILN_KERNEL_CONSTANT_WEIGHTS;
  params[KILN_MATMUL_ACTIVATION] = KILN_ACTIVATION_NONE;
  params[KILN_MATMUL_BATCH] = 0;
  return params;
}

/// The number of weights reorders oneDNN executes during `body` (its verbose
/// log lists every primitive it executes).
template <typename Body> int countWeightReorders(Body body) {
  dnnl_set_verbose(1);
  ::testing::internal::CaptureStdout();
  body();
  std::string log = ::testing::internal::GetCapturedStdout();
  dnnl_set_verbose(0);
  int count = 0;
  std::string wanted = "exec,cpu,reorder,";
  std::string shape = std::to_string(kInner) + "x" + std::to_string(kColumns);
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos)
      end = log.size();
    std::string line = log.substr(start, end - start);
    if (line.find(wanted) != std::string::npos &&
        line.find("," + shape + ",") != std::string::npos)
      ++count;
    start = end + 1;
  }
  return count;
}

TEST(OneDnnKernelsTest, CallSitesShareReorderedConstantWeights) {
  std::vector<float> shared = randomValues(kInner * kColumns, 1);
  std::vector<float> other = randomValues(kInner * kColumns, 2);
  Chain chain{{shared.data(), other.data(), shared.data(), shared.data()},
              matmulParams(),
              {}};
  ChainModule module(chain);
  std::vector<float> x = randomValues(kInner, 3);
  std::vector<float> y;
  int reorders = countWeightReorders([&] { y = module.run(x); });
  expectNear(y, reference(chain.weights, x));
  // One for the shared constant, one for the other; none on later runs.
  EXPECT_EQ(reorders, 2);
  EXPECT_EQ(countWeightReorders([&] { y = module.run(x); }), 0);
  expectNear(y, reference(chain.weights, x));
}

TEST(OneDnnKernelsTest, FreedModulesDoNotLeaveStaleWeights) {
  std::vector<float> weights = randomValues(kInner * kColumns, 4);
  std::vector<float> x = randomValues(kInner, 5);
  Chain chain{{weights.data(), weights.data()}, matmulParams(), {}};
  {
    ChainModule module(chain);
    expectNear(module.run(x), reference(chain.weights, x));
  }
  // Another module with other bytes at the same address: what the first one
  // reordered must not be reused.
  std::vector<float> next = randomValues(kInner * kColumns, 6);
  std::copy(next.begin(), next.end(), weights.begin());
  ChainModule module(chain);
  expectNear(module.run(x), reference(chain.weights, x));
}

// A call site that asks for a residual and for accumulating into its output
// (two ways of adding one) is refused when the module loads, with a message.
TEST(OneDnnKernelsTest, ResidualAndAccumulateTogetherFailTheLoad) {
  std::vector<float> weights = randomValues(kInner * kColumns, 7);
  Chain chain{{weights.data()}, matmulParams(), {}};
  chain.params[KILN_MATMUL_FLAGS] |=
      KILN_KERNEL_HAS_RESIDUAL | KILN_KERNEL_ACCUMULATE;
  kiln_status *status = nullptr;
  ChainModule module(chain, &status);
  EXPECT_TRUE(failsWith(
      status, KILN_INVALID_MODULE,
      {"cannot prepare kernel 0", "residual or accumulates into its output"}));
  EXPECT_EQ(module.module, nullptr);
}

} // namespace
