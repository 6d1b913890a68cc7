//===- OneDnnWinogradTest.cpp - Which oneDNN kernel a 3x3 convolution runs
//-===//
//
// Runs kiln_kernel_conv2d from an in-memory CPU module with one 3x3 call site
// of stride 1 and constant weights, and checks which oneDNN implementation
// its verbose log shows (Winograd with 4x4 output tiles for large images,
// with 2x2 tiles for small images of many channels, the direct convolution
// for small images of few channels) and the output against plain loops.
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

using Image = MemRef<float, 4>;

/// A "same" 3x3 convolution of one NHWC image with a ReLU.
struct Conv3x3 {
  int64_t channels, filters, size;
  std::vector<float> weights; // [filters, channels, 3, 3]
  std::vector<int64_t> params;
  void *state = nullptr;
};

const Conv3x3 *currentConv = nullptr;

int32_t convEntry(void **descriptors) {
  const Conv3x3 &conv = *currentConv;
  Image &input = descriptorAt<Image>(descriptors, 0);
  Image &output = descriptorAt<Image>(descriptors, 1);
  return kiln_kernel_conv2d(conv.params.data(),
                            const_cast<void **>(&conv.state), 1,
                            input.aligned + input.offset, conv.weights.data(),
                            nullptr, nullptr, output.aligned + output.offset);
}

const char *const kErrors[1] = {"the library kernel failed"};

/// An in-memory CPU module whose function "conv" runs `conv`.
class ConvModule {
public:
  explicit ConvModule(Conv3x3 &conv) : conv(conv) {
    inputShape = {1, conv.size, conv.size, conv.channels};
    outputShape = {1, conv.size, conv.size, conv.filters};
    input = {"x", KILN_DTYPE_F32, 4, inputShape.data()};
    output = {"y", KILN_DTYPE_F32, 4, outputShape.data()};
    function = {"conv", convEntry, 1, 1, &input, &output, 1, kErrors};
    table = {KILN_ABI_MAGIC, KILN_ABI_VERSION, 1, &function,
             "kiln-test oneDNN Winograd module"};
    kernel = {KILN_KERNEL_CONV2D, static_cast<int32_t>(conv.params.size()),
              conv.params.data(), &conv.state};
    info = cpuKernelModuleInfo(&kernel, 1);
    kiln_module *raw = nullptr;
    EXPECT_TRUE(succeeds(
        kiln_module_from_tables(&table, &info, nullptr, nullptr, &raw)));
    module.reset(raw);
  }

  /// Runs "conv" on `x`; its output, empty on failure.
  std::vector<float> run(const std::vector<float> &x) {
    currentConv = &conv;
    std::vector<float> y = runF32(module.get(), "conv", inputShape, x);
    currentConv = nullptr;
    return y;
  }

private:
  Conv3x3 &conv;
  ModulePtr module;
  std::vector<int64_t> inputShape, outputShape;
  kiln_abi_value input{}, output{};
  kiln_abi_function function{};
  kiln_abi_module table{};
  kiln_abi_kernel kernel{};
  kiln_abi_module_info info{};
};

Conv3x3 makeConv(int64_t channels, int64_t filters, int64_t size) {
  Conv3x3 conv{channels, filters, size, {}, {}};
  conv.weights = randomValues(filters * channels * 9, 1, -0.5f, 0.5f);
  conv.params.assign(KILN_CONV2D_NUM_PARAMS, 0);
  auto set = [&](int index, int64_t value) { conv.params[index] = value; };
  set(KILN_CONV2D_BATCH, 1);
  set(KILN_CONV2D_CHANNELS, channels);
  set(KILN_CONV2D_HEIGHT, size);
  set(KILN_CONV2D_WIDTH, size);
  set(KILN_CONV2D_FILTERS, filters);
  set(KILN_CONV2D_KERNEL_H, 3);
  set(KILN_CONV2D_KERNEL_W, 3);
  set(KILN_CONV2D_OUT_H, size);
  set(KILN_CONV2D_OUT_W, size);
  set(KILN_CONV2D_STRIDE_H, 1);
  set(KILN_CONV2D_STRIDE_W, 1);
  for (int pad : {KILN_CONV2D_PAD_TOP, KILN_CONV2D_PAD_LEFT,
                  KILN_CONV2D_PAD_BOTTOM, KILN_CONV2D_PAD_RIGHT})
    set(pad, 1);
  set(KILN_CONV2D_DILATION_H, 1);
  set(KILN_CONV2D_DILATION_W, 1);
  set(KILN_CONV2D_GROUPS, 1);
  set(KILN_CONV2D_FLAGS, KILN_KERNEL_CONSTANT_WEIGHTS | KILN_KERNEL_NHWC);
  set(KILN_CONV2D_ACTIVATION, KILN_ACTIVATION_RELU);
  return conv;
}

/// The convolution in plain loops, in double.
std::vector<float> reference(const Conv3x3 &conv, const std::vector<float> &x) {
  int64_t c = conv.channels, f = conv.filters, n = conv.size;
  std::vector<float> y(n * n * f);
  for (int64_t oy = 0; oy < n; ++oy)
    for (int64_t ox = 0; ox < n; ++ox)
      for (int64_t o = 0; o < f; ++o) {
        double sum = 0;
        for (int64_t ky = 0; ky < 3; ++ky)
          for (int64_t kx = 0; kx < 3; ++kx) {
            int64_t iy = oy + ky - 1, ix = ox + kx - 1;
            if (iy < 0 || iy >= n || ix < 0 || ix >= n)
              continue;
            for (int64_t i = 0; i < c; ++i)
              sum += double(x[(iy * n + ix) * c + i]) *
                     conv.weights[((o * c + i) * 3 + ky) * 3 + kx];
          }
        y[(oy * n + ox) * f + o] = static_cast<float>(std::max(sum, 0.0));
      }
  return y;
}

/// The implementation names of the convolutions oneDNN executes during
/// `body`, from its verbose log.
template <typename Body> std::vector<std::string> convolutionsRun(Body body) {
  dnnl_set_verbose(1);
  ::testing::internal::CaptureStdout();
  body();
  std::string log = ::testing::internal::GetCapturedStdout();
  dnnl_set_verbose(0);
  const std::string marker = "exec,cpu,convolution,";
  std::vector<std::string> names;
  for (size_t at = log.find(marker); at != std::string::npos;
       at = log.find(marker, at + 1)) {
    size_t start = at + marker.size();
    names.push_back(log.substr(start, log.find(',', start) - start));
  }
  return names;
}

/// Runs `conv` once and expects oneDNN to have run one convolution whose
/// implementation name contains `implementation`, with the right output.
void expectRunsAs(Conv3x3 conv, const std::string &implementation) {
  ConvModule module(conv);
  std::vector<float> x =
      randomValues(conv.size * conv.size * conv.channels, 2, -1.0f, 1.0f);
  std::vector<float> y;
  std::vector<std::string> names = convolutionsRun([&] { y = module.run(x); });
  ASSERT_EQ(names.size(), 1u);
  EXPECT_NE(names[0].find(implementation), std::string::npos) << names[0];
  std::vector<float> expected = reference(conv, x);
  ASSERT_EQ(y.size(), expected.size());
  float scale = 0;
  for (float value : expected)
    scale = std::max(scale, std::fabs(value));
  // Winograd's transforms round differently from a direct sum: about 1e-6
  // relative to the output's largest value in ResNet-50.
  for (size_t i = 0; i < y.size(); ++i)
    ASSERT_NEAR(y[i], expected[i], 1e-5f * scale) << "element " << i;
}

TEST(OneDnnWinogradTest, LargeImagesTakeFourByFourTiles) {
  expectRunsAs(makeConv(16, 64, 27), "wino_4x3");
}

TEST(OneDnnWinogradTest, SmallImagesOfManyChannelsTakeTwoByTwoTiles) {
  expectRunsAs(makeConv(256, 256, 7), "wino_2x3");
}

TEST(OneDnnWinogradTest, SmallImagesOfFewChannelsStayDirect) {
  expectRunsAs(makeConv(48, 64, 13), "brgconv");
}

} // namespace
