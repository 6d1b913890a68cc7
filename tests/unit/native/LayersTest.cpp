//===- LayersTest.cpp - Native models compiled and run --------------------===//
//
// An MLP, a CNN, a transposed convolution with batch normalization and an
// LSTM are built with the GraphBuilder, compiled in process, and compared
// with loops written out here from the layers' definitions, using the
// weights the builder chose. The MLP is then trained with a compiled train
// step and its loss must fall.
//
//===----------------------------------------------------------------------===//

#include "NativeTestSupport.h"

#include "kiln/Autodiff/Autodiff.h"

#include <cmath>

using namespace kiln;
using namespace kiln::native;

namespace {

using Values = std::vector<float>;

/// x [rows, in] W^T + b, with W [out, in].
Values linearReference(const Values &x, int64_t rows, const Values &weight,
                       const Values &bias, int64_t in, int64_t out) {
  Values y(rows * out);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double sum = bias.empty() ? 0 : bias[o];
      for (int64_t i = 0; i < in; ++i)
        sum += x[r * in + i] * weight[o * in + i];
      y[r * out + o] = static_cast<float>(sum);
    }
  return y;
}

Values reluReference(Values x) {
  for (float &v : x)
    v = std::max(v, 0.0f);
  return x;
}

struct Image {
  int64_t n, c, h, w;
  Values data;
  float at(int64_t in, int64_t ic, int64_t y, int64_t x) const {
    return data[((in * c + ic) * h + y) * w + x];
  }
};

/// nn.Conv2d with square stride and padding.
Image convReference(const Image &x, const Values &weight, const Values &bias,
                    int64_t filters, int64_t kernel, int64_t stride,
                    int64_t padding, int64_t groups) {
  int64_t oh = (x.h + 2 * padding - kernel) / stride + 1;
  int64_t ow = (x.w + 2 * padding - kernel) / stride + 1;
  int64_t perGroup = x.c / groups, filtersPerGroup = filters / groups;
  Image y{x.n, filters, oh, ow, Values(x.n * filters * oh * ow)};
  for (int64_t n = 0; n < x.n; ++n)
    for (int64_t f = 0; f < filters; ++f)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = bias[f];
          int64_t group = f / filtersPerGroup;
          for (int64_t c = 0; c < perGroup; ++c)
            for (int64_t ki = 0; ki < kernel; ++ki)
              for (int64_t kj = 0; kj < kernel; ++kj) {
                int64_t yy = i * stride - padding + ki;
                int64_t xx = j * stride - padding + kj;
                if (yy < 0 || yy >= x.h || xx < 0 || xx >= x.w)
                  continue;
                sum += x.at(n, group * perGroup + c, yy, xx) *
                       weight[((f * perGroup + c) * kernel + ki) * kernel + kj];
              }
          y.data[((n * filters + f) * oh + i) * ow + j] =
              static_cast<float>(sum);
        }
  return y;
}

/// nn.ConvTranspose2d (groups 1): every input element scatters
/// x * weight[c, f] to (i * stride - padding + ki, j * stride - padding + kj).
Image convTransposeReference(const Image &x, const Values &weight,
                             const Values &bias, int64_t filters,
                             int64_t kernel, int64_t stride, int64_t padding,
                             int64_t outputPadding) {
  int64_t oh = (x.h - 1) * stride - 2 * padding + kernel + outputPadding;
  int64_t ow = (x.w - 1) * stride - 2 * padding + kernel + outputPadding;
  Image y{x.n, filters, oh, ow, Values(x.n * filters * oh * ow)};
  for (int64_t n = 0; n < x.n; ++n)
    for (int64_t f = 0; f < filters; ++f)
      for (int64_t i = 0; i < oh * ow; ++i)
        y.data[(n * filters + f) * oh * ow + i] = bias[f];
  for (int64_t n = 0; n < x.n; ++n)
    for (int64_t c = 0; c < x.c; ++c)
      for (int64_t i = 0; i < x.h; ++i)
        for (int64_t j = 0; j < x.w; ++j)
          for (int64_t f = 0; f < filters; ++f)
            for (int64_t ki = 0; ki < kernel; ++ki)
              for (int64_t kj = 0; kj < kernel; ++kj) {
                int64_t yy = i * stride - padding + ki;
                int64_t xx = j * stride - padding + kj;
                if (yy < 0 || yy >= oh || xx < 0 || xx >= ow)
                  continue;
                y.data[((n * filters + f) * oh + yy) * ow + xx] +=
                    x.at(n, c, i, j) *
                    weight[((c * filters + f) * kernel + ki) * kernel + kj];
              }
  return y;
}

Image maxPoolReference(const Image &x, int64_t kernel) {
  Image y{x.n, x.c, x.h / kernel, x.w / kernel, {}};
  for (int64_t n = 0; n < x.n; ++n)
    for (int64_t c = 0; c < x.c; ++c)
      for (int64_t i = 0; i < y.h; ++i)
        for (int64_t j = 0; j < y.w; ++j) {
          float best = -INFINITY;
          for (int64_t ki = 0; ki < kernel; ++ki)
            for (int64_t kj = 0; kj < kernel; ++kj)
              best =
                  std::max(best, x.at(n, c, i * kernel + ki, j * kernel + kj));
          y.data.push_back(best);
        }
  return y;
}

class LayersTest : public ::testing::Test {
protected:
  mlir::MLIRContext &context() { return compiler.getContext(); }
  driver::Compiler compiler;
};

TEST_F(LayersTest, MlpComputesLinearReluLinear) {
  GraphBuilder g(context());
  mlir::Value x = g.input("x", {4, 3});
  mlir::Value hidden = relu(g, linear(g, "fc1", x, 5));
  g.output("y", linear(g, "fc2", hidden, 2));
  auto module = g.finish();
  auto loaded = test::compile(compiler, *module);
  ASSERT_TRUE(loaded);
  rt::Function forward = loaded->function("forward");
  EXPECT_EQ(forward.outputs()[0].dims, (std::vector<int64_t>{4, 2}));

  Values input = test::testValues(12);
  rt::Tensor tensor = test::tensorOf({4, 3}, input);
  Values actual = test::valuesOf(forward.run({&tensor})[0]);

  Values h = reluReference(
      linearReference(input, 4, test::weightValues(*module, "fc1.weight"),
                      test::weightValues(*module, "fc1.bias"), 3, 5));
  Values expected =
      linearReference(h, 4, test::weightValues(*module, "fc2.weight"),
                      test::weightValues(*module, "fc2.bias"), 5, 2);
  EXPECT_TRUE(test::near(actual, expected));
}

TEST_F(LayersTest, CnnComputesConvolutionsPoolingAndSoftmax) {
  GraphBuilder g(context());
  mlir::Value x = g.input("image", {2, 1, 8, 8});
  mlir::Value y = relu(g, conv2d(g, "conv1", x, 4, 3, /*stride=*/1,
                                 /*padding=*/1));
  y = maxPool2d(g, y, 2);
  y = conv2d(g, "conv2", y, 6, 3, /*stride=*/2, /*padding=*/1, /*groups=*/2);
  mlir::Value logits = linear(g, "fc", flatten(g, y), 3);
  g.output("logits", logits);
  g.output("probabilities", softmax(g, logits));
  auto module = g.finish();
  auto loaded = test::compile(compiler, *module);
  ASSERT_TRUE(loaded);
  rt::Function forward = loaded->function("forward");
  EXPECT_EQ(forward.outputs()[0].dims, (std::vector<int64_t>{2, 3}));

  Image image{2, 1, 8, 8, test::testValues(128, 1)};
  rt::Tensor tensor = test::tensorOf({2, 1, 8, 8}, image.data);
  std::vector<rt::Tensor> outputs = forward.run({&tensor});

  Image c1 =
      convReference(image, test::weightValues(*module, "conv1.weight"),
                    test::weightValues(*module, "conv1.bias"), 4, 3, 1, 1, 1);
  c1.data = reluReference(c1.data);
  Image pooled = maxPoolReference(c1, 2);
  Image c2 =
      convReference(pooled, test::weightValues(*module, "conv2.weight"),
                    test::weightValues(*module, "conv2.bias"), 6, 3, 2, 1, 2);
  ASSERT_EQ(c2.h, 2);
  Values expected =
      linearReference(c2.data, 2, test::weightValues(*module, "fc.weight"),
                      test::weightValues(*module, "fc.bias"), 24, 3);
  EXPECT_TRUE(test::near(test::valuesOf(outputs[0]), expected));
  Values probabilities = test::valuesOf(outputs[1]);
  for (int row = 0; row < 2; ++row) {
    double sum = 0, denominator = 0;
    for (int k = 0; k < 3; ++k) {
      sum += probabilities[row * 3 + k];
      denominator += std::exp(expected[row * 3 + k]);
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_NEAR(probabilities[row * 3],
                std::exp(expected[row * 3]) / denominator, 1e-5);
  }
}

TEST_F(LayersTest, TransposedConvolutionAndBatchNorm) {
  GraphBuilder g(context());
  mlir::Value x = g.input("x", {2, 3, 3, 3});
  mlir::Value up = convTranspose2d(g, "up", x, 2, 4, /*stride=*/2,
                                   /*padding=*/1, /*outputPadding=*/1);
  g.output("up", up);
  g.output("normalized", batchNorm2d(g, "bn", up));
  BatchNormOptions inference;
  inference.mode = BatchNormMode::Inference;
  inference.runningMean = {0.5f, -1.0f};
  inference.runningVariance = {4.0f, 0.25f};
  g.output("inference", batchNorm2d(g, "bn_inference", up, inference));
  auto module = g.finish();
  auto loaded = test::compile(compiler, *module);
  ASSERT_TRUE(loaded);
  rt::Function forward = loaded->function("forward");
  EXPECT_EQ(forward.outputs()[0].dims, (std::vector<int64_t>{2, 2, 7, 7}));

  Image image{2, 3, 3, 3, test::testValues(54, 2)};
  rt::Tensor tensor = test::tensorOf({2, 3, 3, 3}, image.data);
  std::vector<rt::Tensor> outputs = forward.run({&tensor});
  Image expected = convTransposeReference(
      image, test::weightValues(*module, "up.weight"),
      test::weightValues(*module, "up.bias"), 2, 4, 2, 1, 1);
  EXPECT_TRUE(test::near(test::valuesOf(outputs[0]), expected.data));

  // Training mode: each channel of the batch has mean 0 and variance 1
  // (the scale starts at 1 and the shift at 0).
  Values normalized = test::valuesOf(outputs[1]);
  Values inferred = test::valuesOf(outputs[2]);
  for (int64_t c = 0; c < 2; ++c) {
    double sum = 0, squares = 0, mean = 0, variance = 0;
    int64_t count = 2 * 49;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 49; ++i)
        mean += expected.data[(n * 2 + c) * 49 + i] / count;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 49; ++i) {
        double d = expected.data[(n * 2 + c) * 49 + i] - mean;
        variance += d * d / count;
      }
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t i = 0; i < 49; ++i) {
        int64_t index = (n * 2 + c) * 49 + i;
        double value = normalized[index];
        sum += value;
        squares += value * value;
        EXPECT_NEAR(value,
                    (expected.data[index] - mean) / std::sqrt(variance + 1e-5),
                    1e-4);
        EXPECT_NEAR(inferred[index],
                    (expected.data[index] - inference.runningMean[c]) /
                        std::sqrt(inference.runningVariance[c] + 1e-5),
                    1e-4);
      }
    EXPECT_NEAR(sum / count, 0.0, 1e-5);
    EXPECT_NEAR(squares / count, 1.0, 1e-3);
  }
}

double sigmoidOf(double x) { return 1 / (1 + std::exp(-x)); }

TEST_F(LayersTest, LstmMatchesTheCellEquations) {
  const int64_t steps = 3, batch = 2, features = 4, hidden = 5, layers = 2;
  GraphBuilder g(context());
  mlir::Value x = g.input("x", {steps, batch, features});
  LstmOptions options;
  options.numLayers = layers;
  LstmResult result = lstm(g, "rnn", x, hidden, options);
  g.output("output", result.output);
  g.output("hidden", result.hidden);
  g.output("cell", result.cell);
  auto module = g.finish();
  auto loaded = test::compile(compiler, *module);
  ASSERT_TRUE(loaded);
  rt::Function forward = loaded->function("forward");
  EXPECT_EQ(forward.outputs()[0].dims,
            (std::vector<int64_t>{steps, batch, hidden}));
  EXPECT_EQ(forward.outputs()[1].dims,
            (std::vector<int64_t>{layers, batch, hidden}));

  Values input = test::testValues(steps * batch * features, 3);
  rt::Tensor tensor = test::tensorOf({steps, batch, features}, input);
  std::vector<rt::Tensor> outputs = forward.run({&tensor});

  // The reference: PyTorch's equations, layer by layer.
  Values sequence = input, lastHidden, lastCell;
  int64_t in = features;
  for (int64_t l = 0; l < layers; ++l) {
    std::string suffix = "_l" + std::to_string(l);
    Values wi = test::weightValues(*module, "rnn.weight_ih" + suffix);
    Values wh = test::weightValues(*module, "rnn.weight_hh" + suffix);
    Values bi = test::weightValues(*module, "rnn.bias_ih" + suffix);
    Values bh = test::weightValues(*module, "rnn.bias_hh" + suffix);
    Values h(batch * hidden, 0), c(batch * hidden, 0), next;
    for (int64_t t = 0; t < steps; ++t) {
      Values newH(batch * hidden), newC(batch * hidden);
      for (int64_t n = 0; n < batch; ++n)
        for (int64_t k = 0; k < hidden; ++k) {
          double gates[4];
          for (int gate = 0; gate < 4; ++gate) {
            int64_t row = gate * hidden + k;
            double sum = bi[row] + bh[row];
            for (int64_t i = 0; i < in; ++i)
              sum += wi[row * in + i] * sequence[(t * batch + n) * in + i];
            for (int64_t j = 0; j < hidden; ++j)
              sum += wh[row * hidden + j] * h[n * hidden + j];
            gates[gate] = sum;
          }
          double cell = sigmoidOf(gates[1]) * c[n * hidden + k] +
                        sigmoidOf(gates[0]) * std::tanh(gates[2]);
          newC[n * hidden + k] = static_cast<float>(cell);
          newH[n * hidden + k] =
              static_cast<float>(sigmoidOf(gates[3]) * std::tanh(cell));
        }
      h = newH;
      c = newC;
      next.insert(next.end(), h.begin(), h.end());
    }
    sequence = next;
    in = hidden;
    lastHidden.insert(lastHidden.end(), h.begin(), h.end());
    lastCell.insert(lastCell.end(), c.begin(), c.end());
  }
  EXPECT_TRUE(test::near(test::valuesOf(outputs[0]), sequence));
  EXPECT_TRUE(test::near(test::valuesOf(outputs[1]), lastHidden));
  EXPECT_TRUE(test::near(test::valuesOf(outputs[2]), lastCell));
}

TEST_F(LayersTest, LstmBatchFirstKeepsTheLayout) {
  GraphBuilder g(context());
  LstmOptions options;
  options.batchFirst = true;
  LstmResult result = lstm(g, "rnn", g.input("x", {2, 6, 3}), 4, options);
  g.output("output", result.output);
  // A classifier on the last hidden state, as in docs/training.md.
  g.output("logits", linear(g, "fc", reshape(g, result.hidden, {2, 4}), 3));
  auto module = g.finish();
  auto type =
      module->lookupSymbol<mlir::func::FuncOp>("forward").getFunctionType();
  EXPECT_EQ(llvm::cast<mlir::RankedTensorType>(type.getResult(0)).getShape(),
            (llvm::ArrayRef<int64_t>{2, 6, 4}));
  EXPECT_EQ(llvm::cast<mlir::RankedTensorType>(type.getResult(1)).getShape(),
            (llvm::ArrayRef<int64_t>{2, 3}));
}

TEST_F(LayersTest, MlpTrainsWithACompiledTrainStep) {
  // Two classes in the plane: whether x0 * x1 > 0 (not linearly separable).
  const int64_t samples = 32;
  Values points = test::testValues(samples * 2, 4);
  rt::Tensor target = rt::Tensor::create(KILN_DTYPE_I64, {samples});
  for (int64_t i = 0; i < samples; ++i)
    target.data<int64_t>()[i] = points[2 * i] * points[2 * i + 1] > 0;

  GraphBuilder g(context());
  mlir::Value x = g.input("x", {samples, 2});
  g.output("logits", linear(g, "fc2", relu(g, linear(g, "fc1", x, 16)), 2));
  auto module = g.finish();
  TrainStepOptions options;
  options.loss = "cross_entropy";
  options.optimizer = "sgd";
  options.momentum = 0.9;
  auto signature = buildTrainStep(*module, options);
  ASSERT_TRUE(mlir::succeeded(signature));
  ASSERT_TRUE(signature->buffers.empty());
  const auto *parameters = &signature->parameters;
  ASSERT_EQ(parameters->size(), 4u);
  auto loaded = test::compile(compiler, *module);
  ASSERT_TRUE(loaded);
  rt::Function trainStep = loaded->function("train_step");

  rt::Tensor input = test::tensorOf({samples, 2}, points);
  std::vector<rt::Tensor> weights, state;
  for (const TrainableParameter &parameter : *parameters) {
    Values values;
    for (float value : parameter.initial.getValues<float>())
      values.push_back(value);
    auto shape = parameter.initial.getType().getShape();
    weights.push_back(test::tensorOf({shape.begin(), shape.end()}, values));
    state.push_back(
        rt::Tensor::create(KILN_DTYPE_F32, {shape.begin(), shape.end()}));
  }
  rt::Tensor rate = test::tensorOf({}, {0.1f});
  std::vector<float> losses;
  for (int step = 1; step <= 300; ++step) {
    rt::Tensor count = test::tensorOf({}, {static_cast<float>(step)});
    std::vector<const rt::Tensor *> arguments{&input, &target, &rate, &count};
    for (const rt::Tensor &weight : weights)
      arguments.push_back(&weight);
    for (const rt::Tensor &slot : state)
      arguments.push_back(&slot);
    std::vector<rt::Tensor> results = trainStep.run(arguments);
    losses.push_back(*results[0].data<float>());
    for (size_t i = 0; i < weights.size(); ++i) {
      weights[i] = std::move(results[2 + i]);
      state[i] = std::move(results[2 + weights.size() + i]);
    }
  }
  EXPECT_NEAR(losses.front(), std::log(2.0), 0.3);
  EXPECT_LT(losses.back(), 0.25 * losses.front())
      << "first loss " << losses.front() << ", last " << losses.back();
}

} // namespace
