//===- quantReference.cpp - Plain-loop references of quantized and norm ops
//===//

#include "quantReference.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace kiln::reference {
namespace {

/// Row-major strides of `shape`.
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The multi-index of element `flat` of a tensor of `shape`.
std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// The element of `tensor` at `index`.
double at(const Values &tensor, const std::vector<int64_t> &index) {
  std::vector<int64_t> strides = rowMajorStrides(tensor.shape);
  int64_t flat = 0;
  for (size_t d = 0; d < index.size(); ++d)
    flat += index[d] * strides[d];
  return tensor.data[flat];
}

/// Parameter value for element `flat` of a tensor of `shape`: 0 when empty,
/// its one value, or its value for the element's index along `axis`.
double parameterAt(const Values &parameter, const std::vector<int64_t> &shape,
                   int64_t flat, int64_t axis) {
  if (parameter.data.empty())
    return 0;
  if (parameter.size() == 1)
    return parameter.data[0];
  return parameter.data[unravel(flat, shape)[axis]];
}

/// ONNX allows negative axes, counted from the end.
int64_t normalized(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// An int64 sum wrapped to int32, as an int32 accumulator would hold it.
double wrapToInt32(int64_t sum) {
  return static_cast<int32_t>(static_cast<uint32_t>(sum));
}

double saturate(double value, QuantizedRange range) {
  return std::clamp(value, range.low, range.high);
}

} // namespace

int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

Values quantizeLinear(const Values &x, const Values &scale,
                      const Values &zeroPoint, int64_t axis,
                      QuantizedRange range) {
  axis = normalized(axis, x.shape.size());
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t i = 0; i < x.size(); ++i) {
    float quotient = static_cast<float>(x.data[i]) /
                     static_cast<float>(parameterAt(scale, x.shape, i, axis));
    // nearbyint rounds half to even in the default rounding mode.
    double rounded = std::nearbyint(quotient);
    result.data[i] =
        saturate(rounded + parameterAt(zeroPoint, x.shape, i, axis), range);
  }
  return result;
}

Values dequantizeLinear(const Values &x, const Values &scale,
                        const Values &zeroPoint, int64_t axis) {
  axis = normalized(axis, x.shape.size());
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t i = 0; i < x.size(); ++i) {
    float shifted =
        static_cast<float>(x.data[i]) -
        static_cast<float>(parameterAt(zeroPoint, x.shape, i, axis));
    result.data[i] =
        shifted * static_cast<float>(parameterAt(scale, x.shape, i, axis));
  }
  return result;
}

Values matMulInteger(const Values &a, const Values &b, const Values &aZero,
                     const Values &bZero) {
  int64_t rank = a.shape.size();
  int64_t rows = a.shape[rank - 2], depth = a.shape[rank - 1];
  int64_t columns = b.shape.back();
  bool batchedB = b.shape.size() > 2;
  int64_t batch =
      elementCount(std::vector<int64_t>(a.shape.begin(), a.shape.end() - 2));
  std::vector<int64_t> shape(a.shape.begin(), a.shape.end() - 1);
  shape.push_back(columns);
  Values result{shape, std::vector<double>(batch * rows * columns)};
  auto zeroAt = [](const Values &zero, int64_t i) {
    return zero.data.empty() ? 0.0 : zero.data[zero.size() == 1 ? 0 : i];
  };
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t c = 0; c < columns; ++c) {
        int64_t sum = 0;
        for (int64_t k = 0; k < depth; ++k) {
          double lhs = a.data[(n * rows + m) * depth + k] - zeroAt(aZero, m);
          double rhs = b.data[((batchedB ? n : 0) * depth + k) * columns + c] -
                       zeroAt(bZero, c);
          sum += static_cast<int64_t>(lhs * rhs);
        }
        result.data[(n * rows + m) * columns + c] = wrapToInt32(sum);
      }
  return result;
}

double requantize(double accumulator, float multiplier, double zero,
                  QuantizedRange range) {
  float scaled = static_cast<float>(accumulator) * multiplier;
  return saturate(std::nearbyint(scaled) + zero, range);
}

Values qlinearMatMul(const Values &a, float aScale, double aZero,
                     const Values &b, float bScale, double bZero, float yScale,
                     double yZero, QuantizedRange range) {
  Values result = matMulInteger(a, b, Values{{}, {aZero}}, Values{{}, {bZero}});
  float multiplier = (aScale * bScale) / yScale;
  for (double &value : result.data)
    value = requantize(value, multiplier, yZero, range);
  return result;
}

Values convInteger(const Values &x, const Values &w, const Values &xZero,
                   const Values &wZero, const ConvWindow &window) {
  int64_t batch = x.shape[0], channels = x.shape[1], height = x.shape[2],
          width = x.shape[3];
  int64_t filters = w.shape[0], groupChannels = w.shape[1],
          kernelHeight = w.shape[2], kernelWidth = w.shape[3];
  const std::vector<int64_t> &s = window.strides, &p = window.padding,
                             &d = window.dilations;
  int64_t outHeight =
      (height + p[0] + p[2] - d[0] * (kernelHeight - 1) - 1) / s[0] + 1;
  int64_t outWidth =
      (width + p[1] + p[3] - d[1] * (kernelWidth - 1) - 1) / s[1] + 1;
  int64_t filtersPerGroup = filters / window.groups;
  assert(channels == groupChannels * window.groups);
  (void)channels;
  double inputZero = xZero.data.empty() ? 0 : xZero.data[0];
  Values result{{batch, filters, outHeight, outWidth}, {}};
  result.data.assign(elementCount(result.shape), 0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t f = 0; f < filters; ++f) {
      double filterZero =
          wZero.data.empty() ? 0 : wZero.data[wZero.size() == 1 ? 0 : f];
      int64_t group = f / filtersPerGroup;
      for (int64_t oh = 0; oh < outHeight; ++oh)
        for (int64_t ow = 0; ow < outWidth; ++ow) {
          int64_t sum = 0;
          for (int64_t c = 0; c < groupChannels; ++c)
            for (int64_t kh = 0; kh < kernelHeight; ++kh)
              for (int64_t kw = 0; kw < kernelWidth; ++kw) {
                int64_t ih = oh * s[0] - p[0] + kh * d[0];
                int64_t iw = ow * s[1] - p[1] + kw * d[1];
                if (ih < 0 || ih >= height || iw < 0 || iw >= width)
                  continue;
                double input =
                    at(x, {n, group * groupChannels + c, ih, iw}) - inputZero;
                double weight = at(w, {f, c, kh, kw}) - filterZero;
                sum += static_cast<int64_t>(input * weight);
              }
          result.data[((n * filters + f) * outHeight + oh) * outWidth + ow] =
              wrapToInt32(sum);
        }
    }
  return result;
}

Values qlinearConv(const Values &x, float xScale, const Values &xZero,
                   const Values &w, const std::vector<float> &wScale,
                   const Values &wZero, float yScale, double yZero,
                   const Values &bias, const ConvWindow &window,
                   QuantizedRange range) {
  Values result = convInteger(x, w, xZero, wZero, window);
  int64_t filters = result.shape[1];
  int64_t plane = result.shape[2] * result.shape[3];
  for (int64_t i = 0; i < result.size(); ++i) {
    int64_t f = (i / plane) % filters;
    double accumulator = result.data[i];
    if (!bias.data.empty())
      accumulator = wrapToInt32(static_cast<int64_t>(accumulator) +
                                static_cast<int64_t>(bias.data[f]));
    float multiplier = (xScale * wScale[wScale.size() == 1 ? 0 : f]) / yScale;
    result.data[i] = requantize(accumulator, multiplier, yZero, range);
  }
  return result;
}

Values instanceNormalization(const Values &x, const Values &scale,
                             const Values &bias, double epsilon) {
  int64_t planes = x.shape[0] * x.shape[1];
  int64_t spatial = x.size() / planes;
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t plane = 0; plane < planes; ++plane) {
    int64_t channel = plane % x.shape[1];
    const double *values = x.data.data() + plane * spatial;
    double mean = 0, variance = 0;
    for (int64_t i = 0; i < spatial; ++i)
      mean += values[i];
    mean /= spatial;
    for (int64_t i = 0; i < spatial; ++i)
      variance += (values[i] - mean) * (values[i] - mean);
    variance /= spatial;
    for (int64_t i = 0; i < spatial; ++i)
      result.data[plane * spatial + i] = (values[i] - mean) /
                                             std::sqrt(variance + epsilon) *
                                             scale.data[channel] +
                                         bias.data[channel];
  }
  return result;
}

Values lrn(const Values &x, int64_t size, double alpha, double beta,
           double bias) {
  int64_t batch = x.shape[0], channels = x.shape[1];
  int64_t inner = x.size() / (batch * channels);
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        double squares = 0;
        for (int64_t other = std::max<int64_t>(0, c - before);
             other <= std::min(channels - 1, c + after); ++other) {
          double value = x.data[(n * channels + other) * inner + i];
          squares += value * value;
        }
        int64_t flat = (n * channels + c) * inner + i;
        result.data[flat] =
            x.data[flat] / std::pow(bias + alpha / size * squares, beta);
      }
  return result;
}

Values batchNormalization(const Values &x, const Values &scale,
                          const Values &bias, const Values &mean,
                          const Values &variance, double epsilon) {
  int64_t channels = x.shape[1];
  int64_t inner = x.size() / (x.shape[0] * channels);
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t c = (i / inner) % channels;
    result.data[i] = (x.data[i] - mean.data[c]) /
                         std::sqrt(variance.data[c] + epsilon) * scale.data[c] +
                     bias.data[c];
  }
  return result;
}

BatchNormTraining batchNormalizationTraining(const Values &x,
                                             const Values &scale,
                                             const Values &bias,
                                             const Values &mean,
                                             const Values &variance,
                                             double epsilon, double momentum) {
  int64_t channels = x.shape[1];
  int64_t inner = x.size() / (x.shape[0] * channels);
  int64_t count = x.size() / channels;
  std::vector<double> batchMean(channels, 0), batchVariance(channels, 0);
  for (int64_t i = 0; i < x.size(); ++i)
    batchMean[(i / inner) % channels] += x.data[i] / count;
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t c = (i / inner) % channels;
    batchVariance[c] +=
        (x.data[i] - batchMean[c]) * (x.data[i] - batchMean[c]) / count;
  }
  BatchNormTraining result;
  result.y = batchNormalization(x, scale, bias, Values{{channels}, batchMean},
                                Values{{channels}, batchVariance}, epsilon);
  result.runningMean = Values{{channels}, std::vector<double>(channels)};
  result.runningVariance = Values{{channels}, std::vector<double>(channels)};
  for (int64_t c = 0; c < channels; ++c) {
    result.runningMean.data[c] =
        mean.data[c] * momentum + batchMean[c] * (1 - momentum);
    result.runningVariance.data[c] =
        variance.data[c] * momentum + batchVariance[c] * (1 - momentum);
  }
  return result;
}

Values trilu(const Values &x, int64_t k, bool upper) {
  int64_t rank = x.shape.size();
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t i = 0; i < x.size(); ++i) {
    std::vector<int64_t> index = unravel(i, x.shape);
    int64_t diagonal = index[rank - 1] - index[rank - 2];
    bool keep = upper ? diagonal >= k : diagonal <= k;
    result.data[i] = keep ? x.data[i] : 0;
  }
  return result;
}

Values eyeLike(int64_t rows, int64_t columns, int64_t k) {
  Values result{{rows, columns}, std::vector<double>(rows * columns)};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < columns; ++j)
      result.data[i * columns + j] = j - i == k ? 1 : 0;
  return result;
}

Values oneHot(const Values &indices, int64_t depth, int64_t axis, double off,
              double on) {
  std::vector<int64_t> shape = indices.shape;
  shape.insert(shape.begin() + axis, depth);
  Values result{shape, std::vector<double>(elementCount(shape))};
  for (int64_t i = 0; i < result.size(); ++i) {
    std::vector<int64_t> index = unravel(i, shape);
    int64_t position = index[axis];
    index.erase(index.begin() + axis);
    auto hot = static_cast<int64_t>(std::trunc(at(indices, index)));
    if (hot < 0)
      hot += depth;
    result.data[i] = hot == position ? on : off;
  }
  return result;
}

Values reverseSequence(const Values &x, const Values &lengths,
                       int64_t batchAxis, int64_t timeAxis) {
  Values result{x.shape, std::vector<double>(x.size())};
  for (int64_t i = 0; i < x.size(); ++i) {
    std::vector<int64_t> index = unravel(i, x.shape);
    auto length = static_cast<int64_t>(lengths.data[index[batchAxis]]);
    int64_t &time = index[timeAxis];
    if (time < length)
      time = length - 1 - time;
    result.data[i] = at(x, index);
  }
  return result;
}

} // namespace kiln::reference
