//===- CudaLibraryKernelsGpuTest.cpp - cuDNN and cuBLAS kernels on a GPU --===//
//
// Runs kiln_cuda_conv2d, kiln_cuda_conv_transpose2d,
// kiln_cuda_conv2d_backward_filter and kiln_cuda_matmul inside runs of
// in-memory CUDA modules (one function that calls one kernel, with the
// kernel in the module's kernel table, as compiled modules have it) and
// compares them with plain loops on the host. Skips, printing why, where
// kiln_cuda_device_count() finds no usable device (ctest label gpu).
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"
#include "kiln/kernel_abi.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace kiln::test;

namespace {

using Vector = MemRef<float, 1>;

/// One kernel call: its kind, parameters, state word and operands (host
/// copies; the run moves them to the device). Convolutions and products take
/// (input, weights, bias, residual) and give one output; filter gradients
/// take (input, output gradient).
struct Case {
  int32_t kind = KILN_KERNEL_CONV2D;
  std::vector<int64_t> params;
  int64_t batch = 0;
  void **state = nullptr;
  std::vector<std::vector<float>> inputs;
  size_t outputSize = 0;
};

/// The case the module's entry runs.
const Case *currentCase = nullptr;

/// The entry of the test modules: passes its device tensors to the kernel.
int32_t caseEntry(void **descriptors) {
  const Case &c = *currentCase;
  auto at = [&](size_t i) {
    Vector &vector = descriptorAt<Vector>(descriptors, static_cast<int>(i));
    return vector.aligned + vector.offset;
  };
  float *output = at(c.inputs.size());
  int32_t code = 1;
  switch (c.kind) {
  case KILN_KERNEL_CONV2D_BACKWARD_FILTER:
    code = kiln_cuda_conv2d_backward_filter(c.params.data(), c.state, c.batch,
                                            at(0), at(1), output);
    break;
  case KILN_KERNEL_MATMUL: {
    int64_t flags = c.params[KILN_MATMUL_FLAGS];
    code = kiln_cuda_matmul(c.params.data(), c.state, c.batch, at(0), at(1),
                            flags & KILN_KERNEL_HAS_BIAS ? at(2) : nullptr,
                            flags & KILN_KERNEL_HAS_RESIDUAL ? at(3) : nullptr,
                            output);
    break;
  }
  default: {
    int64_t flags = c.params[KILN_CONV2D_FLAGS];
    auto *kernel = c.kind == KILN_KERNEL_CONV_TRANSPOSE2D
                       ? kiln_cuda_conv_transpose2d
                       : kiln_cuda_conv2d;
    code = kernel(c.params.data(), c.state, c.batch, at(0), at(1),
                  flags & KILN_KERNEL_HAS_BIAS ? at(2) : nullptr,
                  flags & KILN_KERNEL_HAS_RESIDUAL ? at(3) : nullptr, output);
  }
  }
  return code == 0 ? 0 : 1;
}

const char *const kErrors[1] = {"the library kernel failed"};
const char *const kNames[5] = {"in0", "in1", "in2", "in3", "in4"};

/// An in-memory CUDA module whose function "run" calls the kernel of a case,
/// listed in its kernel table.
class CaseModule {
public:
  explicit CaseModule(const Case &c) {
    sizes.reserve(c.inputs.size() + 1);
    for (const std::vector<float> &input : c.inputs)
      sizes.push_back({static_cast<int64_t>(input.size())});
    sizes.push_back({static_cast<int64_t>(c.outputSize)});
    for (size_t i = 0; i < c.inputs.size(); ++i)
      inputs.push_back({kNames[i], KILN_DTYPE_F32, 1, sizes[i].data()});
    output = {"out", KILN_DTYPE_F32, 1, sizes.back().data()};
    function = {"run", caseEntry,     static_cast<int32_t>(inputs.size()),
                1,     inputs.data(), &output,
                1,     kErrors};
    table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1, &function,
             "kiln-test library kernel module"};
    kernel = {c.kind, static_cast<int32_t>(c.params.size()), c.params.data(),
              c.state};
    info = kiln_abi_module_info{};
    info.magic = KILN_MODULE_INFO_MAGIC;
    info.version = KILN_MODULE_INFO_VERSION;
    info.target = KILN_TARGET_CUDA;
    info.target_arch = "sm_80";
    info.num_kernels = 1;
    info.kernels = &kernel;
    kiln_module *raw = nullptr;
    EXPECT_TRUE(succeeds(
        kiln_module_from_tables(&table, &info, nullptr, nullptr, &raw)));
    module.reset(raw);
  }

  /// Runs the case; its status, and the output in `result` on success.
  kiln_status *run(const Case &c, std::vector<float> &result) {
    const kiln_function *run = nullptr;
    if (kiln_status *status =
            kiln_module_find_function(module.get(), "run", &run))
      return status;
    std::vector<TensorPtr> tensors;
    std::vector<const kiln_tensor *> arguments;
    for (const std::vector<float> &input : c.inputs) {
      tensors.push_back(makeF32({static_cast<int64_t>(input.size())}, input));
      arguments.push_back(tensors.back().get());
    }
    kiln_tensor *out = nullptr;
    currentCase = &c;
    kiln_status *status =
        kiln_function_run(run, arguments.data(), arguments.size(), &out, 1);
    currentCase = nullptr;
    TensorPtr owned(out);
    if (!status)
      result = f32Values(owned.get());
    return status;
  }

  ModulePtr module;

private:
  std::vector<std::vector<int64_t>> sizes;
  std::vector<kiln_abi_value> inputs;
  kiln_abi_value output{};
  kiln_abi_function function{};
  kiln_abi_module table{};
  kiln_abi_kernel kernel{};
  kiln_abi_module_info info{};
};

/// Reproducible values in [-1, 1).
std::vector<float> randomValues(size_t count, uint32_t seed) {
  return kiln::test::randomValues(count, seed, -1.0f, 1.0f);
}

int64_t bitsOf(float value) {
  uint32_t word;
  std::memcpy(&word, &value, sizeof word);
  return word;
}

double activate(double value, int64_t activation, float beta) {
  switch (activation) {
  case KILN_ACTIVATION_RELU:
    return value > 0 ? value : 0;
  case KILN_ACTIVATION_SIGMOID:
    return 1 / (1 + std::exp(-value));
  case KILN_ACTIVATION_TANH:
    return std::tanh(value);
  case KILN_ACTIVATION_CLIP:
    return std::min(std::max(value, 0.0), double(beta));
  default:
    return value;
  }
}

/// A convolution to test; the output size follows from the rest.
struct ConvSpec {
  int64_t n = 2, c = 4, h = 7, w = 6, f = 6, kh = 3, kw = 3, sh = 1, sw = 1;
  int64_t pt = 1, pl = 1, pb = 1, pr = 1, dh = 1, dw = 1, groups = 1;
  int64_t outPadH = 0, outPadW = 0; // transposed only
  int64_t flags = 0, activation = KILN_ACTIVATION_NONE;
  float beta = 0;
  bool runTimeBatch = false;

  int64_t extentH() const { return dh * (kh - 1) + 1; }
  int64_t extentW() const { return dw * (kw - 1) + 1; }
  int64_t oh(bool transposed) const {
    return transposed ? (h - 1) * sh + extentH() - pt - pb + outPadH
                      : (h + pt + pb - extentH()) / sh + 1;
  }
  int64_t ow(bool transposed) const {
    return transposed ? (w - 1) * sw + extentW() - pl - pr + outPadW
                      : (w + pl + pr - extentW()) / sw + 1;
  }

  std::vector<int64_t> params(bool transposed) const {
    std::vector<int64_t> p(KILN_CONV2D_NUM_PARAMS);
    p[KILN_CONV2D_BATCH] = runTimeBatch ? -1 : n;
    p[KILN_CONV2D_CHANNELS] = c;
    p[KILN_CONV2D_HEIGHT] = h;
    p[KILN_CONV2D_WIDTH] = w;
    p[KILN_CONV2D_FILTERS] = f;
    p[KILN_CONV2D_KERNEL_H] = kh;
    p[KILN_CONV2D_KERNEL_W] = kw;
    p[KILN_CONV2D_OUT_H] = oh(transposed);
    p[KILN_CONV2D_OUT_W] = ow(transposed);
    p[KILN_CONV2D_STRIDE_H] = sh;
    p[KILN_CONV2D_STRIDE_W] = sw;
    p[KILN_CONV2D_PAD_TOP] = pt;
    p[KILN_CONV2D_PAD_LEFT] = pl;
    p[KILN_CONV2D_PAD_BOTTOM] = pb;
    p[KILN_CONV2D_PAD_RIGHT] = pr;
    p[KILN_CONV2D_DILATION_H] = dh;
    p[KILN_CONV2D_DILATION_W] = dw;
    p[KILN_CONV2D_GROUPS] = groups;
    p[KILN_CONV2D_FLAGS] = flags;
    p[KILN_CONV2D_ACTIVATION] = activation;
    p[KILN_CONV2D_ALPHA_BITS] = bitsOf(0.0f);
    p[KILN_CONV2D_BETA_BITS] = bitsOf(beta);
    return p;
  }
};

/// The element of an NCHW tensor of C x H x W images.
size_t at4(int64_t n, int64_t c, int64_t y, int64_t x, int64_t channels,
           int64_t height, int64_t width) {
  return static_cast<size_t>(((n * channels + c) * height + y) * width + x);
}

/// The product of `spec` over (x, w) by the definition, then its epilogue.
std::vector<float> convReference(const ConvSpec &s, bool transposed,
                                 const std::vector<float> &x,
                                 const std::vector<float> &w,
                                 const std::vector<float> &bias,
                                 const std::vector<float> &residual) {
  int64_t oh = s.oh(transposed), ow = s.ow(transposed);
  int64_t cg = s.c / s.groups, fg = s.f / s.groups;
  std::vector<double> out(static_cast<size_t>(s.n * s.f * oh * ow), 0.0);
  // Both directions visit (input pixel, output pixel, weight) triples the
  // same way: output pixel o reads input pixel o * stride - pad + k * dil
  // for a convolution; a transposed one writes the other way round.
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t g = 0; g < s.groups; ++g)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t fo = 0; fo < fg; ++fo)
          for (int64_t ky = 0; ky < s.kh; ++ky)
            for (int64_t kx = 0; kx < s.kw; ++kx) {
              int64_t inC = g * cg + ci, outC = g * fg + fo;
              double weight = transposed
                                  ? w[at4(inC, fo, ky, kx, fg, s.kh, s.kw)]
                                  : w[at4(outC, ci, ky, kx, cg, s.kh, s.kw)];
              int64_t small = transposed ? s.h : oh,
                      smallW = transposed ? s.w : ow;
              for (int64_t a = 0; a < small; ++a)
                for (int64_t b = 0; b < smallW; ++b) {
                  int64_t y = a * s.sh - s.pt + ky * s.dh;
                  int64_t xx = b * s.sw - s.pl + kx * s.dw;
                  if (transposed) {
                    if (y < 0 || y >= oh || xx < 0 || xx >= ow)
                      continue;
                    out[at4(n, outC, y, xx, s.f, oh, ow)] +=
                        x[at4(n, inC, a, b, s.c, s.h, s.w)] * weight;
                  } else {
                    if (y < 0 || y >= s.h || xx < 0 || xx >= s.w)
                      continue;
                    out[at4(n, outC, a, b, s.f, oh, ow)] +=
                        x[at4(n, inC, y, xx, s.c, s.h, s.w)] * weight;
                  }
                }
            }
  std::vector<float> result(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    double value = out[i];
    int64_t channel = static_cast<int64_t>(i) / (oh * ow) % s.f;
    if (s.flags & KILN_KERNEL_HAS_BIAS)
      value += bias[channel];
    if (s.flags & KILN_KERNEL_HAS_RESIDUAL)
      value += residual[i];
    result[i] = static_cast<float>(activate(value, s.activation, s.beta));
  }
  return result;
}

/// The filter gradient of `spec`'s convolution for input x and output
/// gradient dy, by the definition.
std::vector<float> filterGradientReference(const ConvSpec &s,
                                           const std::vector<float> &x,
                                           const std::vector<float> &dy) {
  int64_t oh = s.oh(false), ow = s.ow(false), cg = s.c / s.groups;
  std::vector<float> result(static_cast<size_t>(s.f * cg * s.kh * s.kw));
  for (int64_t f = 0; f < s.f; ++f)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t ky = 0; ky < s.kh; ++ky)
        for (int64_t kx = 0; kx < s.kw; ++kx) {
          int64_t inC = f / (s.f / s.groups) * cg + ci;
          double sum = 0;
          for (int64_t n = 0; n < s.n; ++n)
            for (int64_t a = 0; a < oh; ++a)
              for (int64_t b = 0; b < ow; ++b) {
                int64_t y = a * s.sh - s.pt + ky * s.dh;
                int64_t xx = b * s.sw - s.pl + kx * s.dw;
                if (y >= 0 && y < s.h && xx >= 0 && xx < s.w)
                  sum += x[at4(n, inC, y, xx, s.c, s.h, s.w)] *
                         dy[at4(n, f, a, b, s.f, oh, ow)];
              }
          result[at4(f, ci, ky, kx, cg, s.kh, s.kw)] = static_cast<float>(sum);
        }
  return result;
}

/// Checks every element within 1e-4, relative to the larger of 1 and the
/// expected magnitude.
::testing::AssertionResult closeTo(const std::vector<float> &got,
                                   const std::vector<float> &want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << got.size() << " elements, expected " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    float tolerance = 1e-4f * std::max(1.0f, std::fabs(want[i]));
    if (!(std::fabs(got[i] - want[i]) <= tolerance))
      return ::testing::AssertionFailure()
             << "element " << i << " is " << got[i] << ", expected " << want[i];
  }
  return ::testing::AssertionSuccess();
}

class CudaLibraryKernelsGpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    int32_t count = 0;
    StatusPtr status(kiln_cuda_device_count(&count));
    if (status)
      GTEST_SKIP() << "no GPU: " << kiln_status_message(status.get());
  }

  /// A convolution case of `spec` with random operands (seeded by `seed`).
  static Case convCase(const ConvSpec &s, bool transposed, void **state,
                       uint32_t seed) {
    Case c;
    c.kind = transposed ? KILN_KERNEL_CONV_TRANSPOSE2D : KILN_KERNEL_CONV2D;
    c.params = s.params(transposed);
    c.batch = s.n;
    c.state = state;
    size_t filterSize =
        static_cast<size_t>(transposed ? s.c * (s.f / s.groups) * s.kh * s.kw
                                       : s.f * (s.c / s.groups) * s.kh * s.kw);
    c.outputSize =
        static_cast<size_t>(s.n * s.f * s.oh(transposed) * s.ow(transposed));
    c.inputs = {randomValues(static_cast<size_t>(s.n * s.c * s.h * s.w), seed),
                randomValues(filterSize, seed + 1),
                randomValues(static_cast<size_t>(s.f), seed + 2),
                randomValues(c.outputSize, seed + 3)};
    return c;
  }

  /// Runs a convolution case and compares it with the reference.
  static void checkConv(const ConvSpec &s, bool transposed, uint32_t seed) {
    void *state = nullptr;
    Case c = convCase(s, transposed, &state, seed);
    std::vector<float> got;
    {
      CaseModule module(c);
      ASSERT_NE(module.module, nullptr);
      ASSERT_TRUE(succeeds(module.run(c, got)));
      EXPECT_NE(state, nullptr) << "the first call creates the state";
    }
    EXPECT_EQ(state, nullptr) << "freeing the module frees the state";
    EXPECT_TRUE(
        closeTo(got, convReference(s, transposed, c.inputs[0], c.inputs[1],
                                   c.inputs[2], c.inputs[3])));
  }
};

TEST_F(CudaLibraryKernelsGpuTest, Conv3x3WithBiasResidualAndRelu) {
  ConvSpec s;
  s.c = 8, s.f = 16, s.h = 10, s.w = 12;
  s.flags = KILN_KERNEL_HAS_BIAS | KILN_KERNEL_HAS_RESIDUAL |
            KILN_KERNEL_CONSTANT_WEIGHTS;
  s.activation = KILN_ACTIVATION_RELU;
  checkConv(s, false, 1);
}

TEST_F(CudaLibraryKernelsGpuTest, ConvWithAsymmetricPaddingGroupsAndClip) {
  // SAME_UPPER padding of a stride-2 3x3 convolution of 8x8 images: more at
  // the end than cuDNN's symmetric padding can give.
  ConvSpec s;
  s.c = 4, s.f = 6, s.h = 8, s.w = 8, s.sh = 2, s.sw = 2;
  s.pt = 0, s.pl = 0, s.pb = 1, s.pr = 1, s.groups = 2;
  s.flags = KILN_KERNEL_HAS_BIAS;
  s.activation = KILN_ACTIVATION_CLIP;
  s.beta = 0.5f;
  checkConv(s, false, 2);
}

TEST_F(CudaLibraryKernelsGpuTest, DilatedDepthwiseConvWithSigmoid) {
  ConvSpec s;
  s.c = 4, s.f = 4, s.groups = 4, s.dh = 2, s.dw = 2;
  s.pt = 2, s.pl = 2, s.pb = 2, s.pr = 2, s.h = 9, s.w = 7;
  s.activation = KILN_ACTIVATION_SIGMOID;
  checkConv(s, false, 3);
}

TEST_F(CudaLibraryKernelsGpuTest, ConvTransposeWithOutputPadding) {
  ConvSpec s;
  s.c = 6, s.f = 4, s.h = 5, s.w = 4, s.sh = 2, s.sw = 2;
  s.outPadH = 1, s.outPadW = 1, s.groups = 2;
  s.flags = KILN_KERNEL_HAS_BIAS | KILN_KERNEL_HAS_RESIDUAL;
  s.activation = KILN_ACTIVATION_TANH;
  checkConv(s, true, 4);
}

TEST_F(CudaLibraryKernelsGpuTest, ConvTransposeWithAsymmetricPadding) {
  ConvSpec s;
  s.c = 3, s.f = 5, s.h = 4, s.w = 5, s.sh = 2, s.sw = 2;
  s.pt = 0, s.pl = 0, s.pb = 1, s.pr = 1;
  s.flags = KILN_KERNEL_HAS_BIAS;
  checkConv(s, true, 5);
  // Output padding past the full result, without a residual: zeros there.
  s.pb = 0, s.pr = 0, s.outPadH = 1, s.outPadW = 1, s.kh = 2, s.kw = 2;
  s.pt = 1, s.pl = 0;
  checkConv(s, true, 6);
}

TEST_F(CudaLibraryKernelsGpuTest, ConvFilterGradients) {
  ConvSpec plain;
  plain.c = 5, plain.f = 7;
  ConvSpec strided;
  strided.c = 4, strided.f = 6, strided.h = 8, strided.w = 8;
  strided.sh = 2, strided.sw = 2, strided.pt = 0, strided.pl = 0;
  strided.groups = 2;
  uint32_t seed = 10;
  for (const ConvSpec &s : {plain, strided}) {
    void *state = nullptr;
    Case c;
    c.kind = KILN_KERNEL_CONV2D_BACKWARD_FILTER;
    c.params = s.params(false);
    c.batch = s.n;
    c.state = &state;
    c.inputs = {
        randomValues(static_cast<size_t>(s.n * s.c * s.h * s.w), seed),
        randomValues(static_cast<size_t>(s.n * s.f * s.oh(false) * s.ow(false)),
                     seed + 1)};
    c.outputSize = static_cast<size_t>(s.f * (s.c / s.groups) * s.kh * s.kw);
    seed += 2;
    std::vector<float> got;
    CaseModule module(c);
    ASSERT_NE(module.module, nullptr);
    ASSERT_TRUE(succeeds(module.run(c, got)));
    EXPECT_TRUE(
        closeTo(got, filterGradientReference(s, c.inputs[0], c.inputs[1])));
  }
}

TEST_F(CudaLibraryKernelsGpuTest, RunTimeBatchesShareOneState) {
  // Two modules with the same call site (as two loads of one library): one
  // state, a plan per batch, freed with the last module.
  void *state = nullptr;
  ConvSpec s;
  s.runTimeBatch = true;
  s.flags = KILN_KERNEL_HAS_RESIDUAL;
  s.n = 2;
  Case two = convCase(s, false, &state, 20);
  ConvSpec three = s;
  three.n = 3;
  Case threeCase = convCase(three, false, &state, 30);
  threeCase.params = two.params; // the same parameter vector, batch -1
  {
    CaseModule first(two), second(threeCase);
    ASSERT_NE(first.module, nullptr);
    ASSERT_NE(second.module, nullptr);
    std::vector<float> got;
    ASSERT_TRUE(succeeds(first.run(two, got)));
    EXPECT_TRUE(
        closeTo(got, convReference(s, false, two.inputs[0], two.inputs[1],
                                   two.inputs[2], two.inputs[3])));
    void *created = state;
    ASSERT_TRUE(succeeds(second.run(threeCase, got)));
    EXPECT_EQ(state, created);
    EXPECT_TRUE(
        closeTo(got, convReference(three, false, threeCase.inputs[0],
                                   threeCase.inputs[1], threeCase.inputs[2],
                                   threeCase.inputs[3])));
    first.module.reset();
    EXPECT_EQ(state, created) << "the second module still uses it";
  }
  EXPECT_EQ(state, nullptr);
}

/// A matrix product case: [batch x] [m, k] x [k, n].
Case matmulCase(int64_t batch, int64_t m, int64_t k, int64_t n, int64_t flags,
                int64_t activation, void **state, uint32_t seed) {
  Case c;
  c.kind = KILN_KERNEL_MATMUL;
  c.params.assign(KILN_MATMUL_NUM_PARAMS, 0);
  c.params[KILN_MATMUL_ROWS] = m;
  c.params[KILN_MATMUL_INNER] = k;
  c.params[KILN_MATMUL_COLUMNS] = n;
  c.params[KILN_MATMUL_FLAGS] = flags;
  c.params[KILN_MATMUL_ACTIVATION] = activation;
  c.params[KILN_MATMUL_BATCH] = batch;
  c.batch = m;
  c.state = state;
  int64_t products = batch > 0 ? batch : 1;
  c.outputSize = static_cast<size_t>(products * m * n);
  c.inputs = {randomValues(static_cast<size_t>(products * m * k), seed),
              randomValues(static_cast<size_t>(products * k * n), seed + 1),
              randomValues(static_cast<size_t>(n), seed + 2),
              randomValues(c.outputSize, seed + 3)};
  return c;
}

std::vector<float> matmulReference(const Case &c) {
  const std::vector<int64_t> &p = c.params;
  int64_t m = p[KILN_MATMUL_ROWS], k = p[KILN_MATMUL_INNER],
          n = p[KILN_MATMUL_COLUMNS], flags = p[KILN_MATMUL_FLAGS];
  int64_t products = p[KILN_MATMUL_BATCH] > 0 ? p[KILN_MATMUL_BATCH] : 1;
  const std::vector<float> &a = c.inputs[0], &b = c.inputs[1],
                           &bias = c.inputs[2], &residual = c.inputs[3];
  std::vector<float> result(c.outputSize);
  for (int64_t q = 0; q < products; ++q)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t l = 0; l < k; ++l)
          sum += double(a[(q * m + i) * k + l]) * b[(q * k + l) * n + j];
        size_t index = static_cast<size_t>((q * m + i) * n + j);
        if (flags & KILN_KERNEL_HAS_BIAS)
          sum += bias[j];
        if (flags & KILN_KERNEL_HAS_RESIDUAL)
          sum += residual[index];
        result[index] = static_cast<float>(
            activate(sum, p[KILN_MATMUL_ACTIVATION], FLT_MAX));
      }
  return result;
}

TEST_F(CudaLibraryKernelsGpuTest, MatmulWithBiasResidualAndRelu) {
  void *state = nullptr;
  Case c =
      matmulCase(0, 33, 17, 29, KILN_KERNEL_HAS_BIAS | KILN_KERNEL_HAS_RESIDUAL,
                 KILN_ACTIVATION_RELU, &state, 40);
  CaseModule module(c);
  ASSERT_NE(module.module, nullptr);
  std::vector<float> got;
  ASSERT_TRUE(succeeds(module.run(c, got)));
  EXPECT_TRUE(closeTo(got, matmulReference(c)));
}

TEST_F(CudaLibraryKernelsGpuTest, MatmulWithoutEpilogue) {
  void *state = nullptr;
  Case c = matmulCase(0, 64, 128, 48, 0, KILN_ACTIVATION_NONE, &state, 50);
  CaseModule module(c);
  ASSERT_NE(module.module, nullptr);
  std::vector<float> got;
  ASSERT_TRUE(succeeds(module.run(c, got)));
  EXPECT_TRUE(closeTo(got, matmulReference(c)));
}

TEST_F(CudaLibraryKernelsGpuTest, BatchedMatmulWithBiasAndSigmoid) {
  void *state = nullptr;
  Case c = matmulCase(3, 5, 7, 6, KILN_KERNEL_HAS_BIAS, KILN_ACTIVATION_SIGMOID,
                      &state, 60);
  CaseModule module(c);
  ASSERT_NE(module.module, nullptr);
  std::vector<float> got;
  ASSERT_TRUE(succeeds(module.run(c, got)));
  EXPECT_TRUE(closeTo(got, matmulReference(c)));
}

TEST_F(CudaLibraryKernelsGpuTest, UnsupportedActivationFailsTheRun) {
  void *state = nullptr;
  Case c = matmulCase(0, 4, 4, 4, 0, KILN_ACTIVATION_LEAKY_RELU, &state, 70);
  CaseModule module(c);
  ASSERT_NE(module.module, nullptr);
  std::vector<float> got;
  StatusPtr status(module.run(c, got));
  ASSERT_NE(status, nullptr);
  EXPECT_NE(std::string(kiln_status_message(status.get())).find("leaky ReLU"),
            std::string::npos)
      << kiln_status_message(status.get());
}

TEST_F(CudaLibraryKernelsGpuTest, BadGroupsFailTheRun) {
  void *state = nullptr;
  ConvSpec s;
  s.c = 4, s.f = 6, s.groups = 4; // 4 groups do not divide 6 filters
  Case c = convCase(s, false, &state, 80);
  c.inputs[1].assign(static_cast<size_t>(s.f * 1 * s.kh * s.kw), 0.0f);
  CaseModule module(c);
  ASSERT_NE(module.module, nullptr);
  std::vector<float> got;
  StatusPtr status(module.run(c, got));
  ASSERT_NE(status, nullptr);
  EXPECT_NE(std::string(kiln_status_message(status.get())).find("groups"),
            std::string::npos)
      << kiln_status_message(status.get());
}

} // namespace
