//===- spatialReference.cpp - Plain-loop references of the spatial family -===//

#include "spatialReference.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace kiln::reference {
namespace {

int64_t product(const std::vector<int64_t> &values) {
  int64_t result = 1;
  for (int64_t value : values)
    result *= value;
  return result;
}

/// Calls `visit` with every index of `shape`, in row-major order.
void forEachIndex(
    const std::vector<int64_t> &shape,
    const std::function<void(const std::vector<int64_t> &)> &visit) {
  if (product(shape) == 0)
    return;
  std::vector<int64_t> index(shape.size(), 0);
  while (true) {
    visit(index);
    int64_t d = static_cast<int64_t>(shape.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

/// The row-major offset of `index` in `shape`.
int64_t offsetOf(const std::vector<int64_t> &shape,
                 const std::vector<int64_t> &index) {
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    offset = offset * shape[d] + index[d];
  return offset;
}

/// `values`, or `count` copies of `fill` when empty.
std::vector<int64_t> orDefault(const std::vector<int64_t> &values, size_t count,
                               int64_t fill) {
  return values.empty() ? std::vector<int64_t>(count, fill) : values;
}

/// The window geometry of `window` for `spatialRank` dims, defaults filled.
struct Geometry {
  std::vector<int64_t> strides, padBegin, padEnd, dilations, outputPadding;
};

Geometry geometryOf(const WindowND &window, size_t spatialRank) {
  std::vector<int64_t> padding = orDefault(window.padding, 2 * spatialRank, 0);
  return {orDefault(window.strides, spatialRank, 1),
          std::vector<int64_t>(padding.begin(), padding.begin() + spatialRank),
          std::vector<int64_t>(padding.begin() + spatialRank, padding.end()),
          orDefault(window.dilations, spatialRank, 1),
          orDefault(window.outputPadding, spatialRank, 0)};
}

/// Output size of one windowed dim, PyTorch's ceil-mode rule included.
int64_t windowedSize(int64_t input, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBegin, int64_t padEnd,
                     bool ceilMode) {
  int64_t span = input + padBegin + padEnd - (dilation * (kernel - 1) + 1);
  int64_t count =
      ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  if (ceilMode && (count - 1) * stride >= input + padBegin)
    --count;
  return count;
}

std::vector<int64_t> spatialOf(const std::vector<int64_t> &shape) {
  return std::vector<int64_t>(shape.begin() + 2, shape.end());
}

} // namespace

Tensor convND(const Tensor &input, const Tensor &filter, const WindowND &window,
              int64_t groups) {
  std::vector<int64_t> inSpatial = spatialOf(input.shape),
                       kernel = spatialOf(filter.shape);
  size_t k = kernel.size();
  Geometry g = geometryOf(window, k);
  int64_t channels = input.shape[1], features = filter.shape[0];
  int64_t groupChannels = filter.shape[1];
  assert(groupChannels * groups == channels);
  std::vector<int64_t> outShape = {input.shape[0], features};
  for (size_t i = 0; i < k; ++i)
    outShape.push_back(windowedSize(inSpatial[i], kernel[i], g.strides[i],
                                    g.dilations[i], g.padBegin[i], g.padEnd[i],
                                    false));
  Tensor result(outShape);
  int64_t featuresPerGroup = features / groups;
  forEachIndex(outShape, [&](const std::vector<int64_t> &out) {
    int64_t group = out[1] / featuresPerGroup;
    double sum = 0;
    for (int64_t ci = 0; ci < groupChannels; ++ci)
      forEachIndex(kernel, [&](const std::vector<int64_t> &tap) {
        std::vector<int64_t> in = {out[0], group * groupChannels + ci};
        for (size_t i = 0; i < k; ++i) {
          int64_t position = out[2 + i] * g.strides[i] - g.padBegin[i] +
                             tap[i] * g.dilations[i];
          if (position < 0 || position >= inSpatial[i])
            return; // zero padding
          in.push_back(position);
        }
        std::vector<int64_t> w = {out[1], ci};
        w.insert(w.end(), tap.begin(), tap.end());
        sum += double(input.data[offsetOf(input.shape, in)]) *
               filter.data[offsetOf(filter.shape, w)];
      });
    result.data[offsetOf(outShape, out)] = static_cast<float>(sum);
  });
  return result;
}

Tensor convFilterGradientND(const Tensor &input, const Tensor &outputGradient,
                            const std::vector<int64_t> &kernel,
                            const WindowND &window, int64_t groups) {
  std::vector<int64_t> inSpatial = spatialOf(input.shape),
                       outSpatial = spatialOf(outputGradient.shape);
  size_t k = kernel.size();
  Geometry g = geometryOf(window, k);
  int64_t batch = input.shape[0], channels = input.shape[1],
          features = outputGradient.shape[1];
  int64_t groupChannels = channels / groups;
  int64_t featuresPerGroup = features / groups;
  assert(outputGradient.shape[0] == batch);
  for (size_t i = 0; i < k; ++i)
    assert(outSpatial[i] == windowedSize(inSpatial[i], kernel[i], g.strides[i],
                                         g.dilations[i], g.padBegin[i],
                                         g.padEnd[i], false));
  std::vector<int64_t> shape = {features, groupChannels};
  shape.insert(shape.end(), kernel.begin(), kernel.end());
  Tensor result(shape);
  forEachIndex(shape, [&](const std::vector<int64_t> &w) {
    int64_t group = w[0] / featuresPerGroup;
    double sum = 0;
    for (int64_t n = 0; n < batch; ++n)
      forEachIndex(outSpatial, [&](const std::vector<int64_t> &out) {
        std::vector<int64_t> in = {n, group * groupChannels + w[1]};
        for (size_t i = 0; i < k; ++i) {
          int64_t position =
              out[i] * g.strides[i] - g.padBegin[i] + w[2 + i] * g.dilations[i];
          if (position < 0 || position >= inSpatial[i])
            return; // zero padding
          in.push_back(position);
        }
        std::vector<int64_t> o = {n, w[0]};
        o.insert(o.end(), out.begin(), out.end());
        sum += double(input.data[offsetOf(input.shape, in)]) *
               outputGradient.data[offsetOf(outputGradient.shape, o)];
      });
    result.data[offsetOf(shape, w)] = static_cast<float>(sum);
  });
  return result;
}

Tensor convTransposeND(const Tensor &input, const Tensor &filter,
                       const WindowND &window, int64_t groups) {
  std::vector<int64_t> inSpatial = spatialOf(input.shape),
                       kernel = spatialOf(filter.shape);
  size_t k = kernel.size();
  Geometry g = geometryOf(window, k);
  int64_t channels = input.shape[1], groupFeatures = filter.shape[1];
  int64_t channelsPerGroup = channels / groups;
  std::vector<int64_t> outShape = {input.shape[0], groupFeatures * groups};
  for (size_t i = 0; i < k; ++i)
    outShape.push_back((inSpatial[i] - 1) * g.strides[i] - g.padBegin[i] -
                       g.padEnd[i] + g.dilations[i] * (kernel[i] - 1) +
                       g.outputPadding[i] + 1);
  std::vector<double> sums(product(outShape), 0.0);
  forEachIndex(input.shape, [&](const std::vector<int64_t> &in) {
    double value = input.data[offsetOf(input.shape, in)];
    int64_t group = in[1] / channelsPerGroup;
    for (int64_t f = 0; f < groupFeatures; ++f)
      forEachIndex(kernel, [&](const std::vector<int64_t> &tap) {
        std::vector<int64_t> out = {in[0], group * groupFeatures + f};
        for (size_t i = 0; i < k; ++i) {
          int64_t position = in[2 + i] * g.strides[i] +
                             tap[i] * g.dilations[i] - g.padBegin[i];
          if (position < 0 || position >= outShape[2 + i])
            return;
          out.push_back(position);
        }
        std::vector<int64_t> w = {in[1], f};
        w.insert(w.end(), tap.begin(), tap.end());
        sums[offsetOf(outShape, out)] +=
            value * filter.data[offsetOf(filter.shape, w)];
      });
  });
  Tensor result(outShape);
  for (size_t i = 0; i < sums.size(); ++i)
    result.data[i] = static_cast<float>(sums[i]);
  return result;
}

MaxPoolResult maxPoolND(const Tensor &input, const std::vector<int64_t> &kernel,
                        const WindowND &window, bool ceilMode,
                        bool columnMajor) {
  std::vector<int64_t> inSpatial = spatialOf(input.shape);
  size_t k = kernel.size();
  Geometry g = geometryOf(window, k);
  std::vector<int64_t> outShape = {input.shape[0], input.shape[1]};
  for (size_t i = 0; i < k; ++i)
    outShape.push_back(windowedSize(inSpatial[i], kernel[i], g.strides[i],
                                    g.dilations[i], g.padBegin[i], g.padEnd[i],
                                    ceilMode));
  MaxPoolResult result{Tensor(outShape),
                       std::vector<int64_t>(product(outShape), -1)};
  int64_t planeSize = product(inSpatial);
  forEachIndex(outShape, [&](const std::vector<int64_t> &out) {
    float best = 0;
    int64_t bestIndex = -1;
    forEachIndex(kernel, [&](const std::vector<int64_t> &tap) {
      std::vector<int64_t> position;
      for (size_t i = 0; i < k; ++i) {
        int64_t p =
            out[2 + i] * g.strides[i] - g.padBegin[i] + tap[i] * g.dilations[i];
        if (p < 0 || p >= inSpatial[i])
          return; // padding never wins
        position.push_back(p);
      }
      std::vector<int64_t> in = {out[0], out[1]};
      in.insert(in.end(), position.begin(), position.end());
      float value = input.data[offsetOf(input.shape, in)];
      if (bestIndex >= 0 && !(value > best))
        return;
      best = value;
      // Column-major numbers the spatial position with the first dim
      // fastest.
      int64_t spatial = 0;
      for (size_t j = 0; j < k; ++j) {
        size_t i = columnMajor ? k - 1 - j : j;
        spatial = spatial * inSpatial[i] + position[i];
      }
      bestIndex = (out[0] * input.shape[1] + out[1]) * planeSize + spatial;
    });
    int64_t offset = offsetOf(outShape, out);
    result.values.data[offset] = best;
    result.indices[offset] = bestIndex;
  });
  return result;
}

Tensor avgPoolND(const Tensor &input, const std::vector<int64_t> &kernel,
                 const WindowND &window, bool ceilMode, bool countIncludePad) {
  std::vector<int64_t> inSpatial = spatialOf(input.shape);
  size_t k = kernel.size();
  Geometry g = geometryOf(window, k);
  std::vector<int64_t> outShape = {input.shape[0], input.shape[1]};
  for (size_t i = 0; i < k; ++i)
    outShape.push_back(windowedSize(inSpatial[i], kernel[i], g.strides[i], 1,
                                    g.padBegin[i], g.padEnd[i], ceilMode));
  Tensor result(outShape);
  forEachIndex(outShape, [&](const std::vector<int64_t> &out) {
    double sum = 0;
    forEachIndex(kernel, [&](const std::vector<int64_t> &tap) {
      std::vector<int64_t> in = {out[0], out[1]};
      for (size_t i = 0; i < k; ++i) {
        int64_t p = out[2 + i] * g.strides[i] - g.padBegin[i] + tap[i];
        if (p < 0 || p >= inSpatial[i])
          return;
        in.push_back(p);
      }
      sum += input.data[offsetOf(input.shape, in)];
    });
    // PyTorch's rule: with count_include_pad the window is clipped to the
    // padded input (not to positions added by ceil mode); without, to the
    // input.
    int64_t count = 1;
    for (size_t i = 0; i < k; ++i) {
      int64_t start = out[2 + i] * g.strides[i] - g.padBegin[i];
      int64_t low = countIncludePad ? -g.padBegin[i] : 0;
      int64_t high =
          countIncludePad ? inSpatial[i] + g.padEnd[i] : inSpatial[i];
      count *= std::min(start + kernel[i], high) - std::max(start, low);
    }
    result.data[offsetOf(outShape, out)] = static_cast<float>(sum / count);
  });
  return result;
}

//===----------------------------------------------------------------------===//
// grid_sample
//===----------------------------------------------------------------------===//

namespace {

/// PyTorch's grid sampler, step by step. Coordinates are computed in float as
/// PyTorch does for float tensors (so that nearest rounding and floor see the
/// same positions); the interpolation sums in double.
struct GridSampler {
  const Tensor &input;
  int64_t n, c;
  std::string paddingMode;
  bool alignCorners;

  int64_t height() const { return input.shape[2]; }
  int64_t width() const { return input.shape[3]; }

  float unnormalize(float coordinate, int64_t size) const {
    if (alignCorners)
      return ((coordinate + 1) / 2) * float(size - 1);
    return ((coordinate + 1) * float(size) - 1) / 2;
  }

  static float clip(float coordinate, int64_t size) {
    return std::min(float(size - 1), std::max(coordinate, 0.0f));
  }

  static float reflect(float coordinate, int64_t twiceLow, int64_t twiceHigh) {
    if (twiceLow == twiceHigh)
      return 0;
    float low = float(twiceLow) / 2, span = float(twiceHigh - twiceLow) / 2;
    coordinate = std::fabs(coordinate - low);
    float extra = std::fmod(coordinate, span);
    int64_t flips = static_cast<int64_t>(std::floor(coordinate / span));
    return flips % 2 == 0 ? extra + low : span - extra + low;
  }

  float pad(float coordinate, int64_t size) const {
    if (paddingMode == "border")
      return clip(coordinate, size);
    if (paddingMode == "reflection")
      return clip(alignCorners ? reflect(coordinate, 0, 2 * (size - 1))
                               : reflect(coordinate, -1, 2 * size - 1),
                  size);
    return coordinate;
  }

  double at(int64_t y, int64_t x) const {
    if (y < 0 || y >= height() || x < 0 || x >= width())
      return 0;
    return input.data[((n * input.shape[1] + c) * height() + y) * width() + x];
  }

  double bilinear(float x, float y) const {
    float x0 = std::floor(x), y0 = std::floor(y);
    double east = x - x0, south = y - y0;
    auto ix = static_cast<int64_t>(x0), iy = static_cast<int64_t>(y0);
    return at(iy, ix) * (1 - east) * (1 - south) +
           at(iy, ix + 1) * east * (1 - south) +
           at(iy + 1, ix) * (1 - east) * south +
           at(iy + 1, ix + 1) * east * south;
  }

  double nearest(float x, float y) const {
    return at(static_cast<int64_t>(std::nearbyint(y)),
              static_cast<int64_t>(std::nearbyint(x)));
  }

  static void cubicWeights(double t, double weights[4]) {
    const double a = -0.75;
    auto near = [&](double x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };
    auto far = [&](double x) {
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    };
    weights[0] = far(t + 1);
    weights[1] = near(t);
    weights[2] = near(1 - t);
    weights[3] = far(2 - t);
  }

  double bicubic(float x, float y) const {
    float x0 = std::floor(x), y0 = std::floor(y);
    double wx[4], wy[4];
    cubicWeights(x - x0, wx);
    cubicWeights(y - y0, wy);
    double sum = 0;
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 4; ++i) {
        float tx = pad(x0 - 1 + i, width()), ty = pad(y0 - 1 + j, height());
        sum += wy[j] * wx[i] *
               at(static_cast<int64_t>(ty), static_cast<int64_t>(tx));
      }
    return sum;
  }
};

} // namespace

Tensor gridSample(const Tensor &input, const Tensor &grid,
                  const std::string &mode, const std::string &paddingMode,
                  bool alignCorners) {
  int64_t batches = input.shape[0], channels = input.shape[1];
  int64_t outHeight = grid.shape[1], outWidth = grid.shape[2];
  Tensor result({batches, channels, outHeight, outWidth});
  for (int64_t n = 0; n < batches; ++n)
    for (int64_t c = 0; c < channels; ++c) {
      GridSampler sampler{input, n, c, paddingMode, alignCorners};
      for (int64_t h = 0; h < outHeight; ++h)
        for (int64_t w = 0; w < outWidth; ++w) {
          int64_t at = ((n * outHeight + h) * outWidth + w) * 2;
          float x = sampler.unnormalize(grid.data[at], input.shape[3]);
          float y = sampler.unnormalize(grid.data[at + 1], input.shape[2]);
          double value;
          if (mode == "bicubic") {
            value = sampler.bicubic(x, y);
          } else {
            x = sampler.pad(x, input.shape[3]);
            y = sampler.pad(y, input.shape[2]);
            value = mode == "nearest" ? sampler.nearest(x, y)
                                      : sampler.bilinear(x, y);
          }
          result.data[((n * channels + c) * outHeight + h) * outWidth + w] =
              static_cast<float>(value);
        }
    }
  return result;
}

//===----------------------------------------------------------------------===//
// roi_align
//===----------------------------------------------------------------------===//

Tensor roiAlign(const Tensor &input, const Tensor &rois,
                const std::vector<int64_t> &batchIndices,
                const RoiAlignAttributes &a) {
  int64_t channels = input.shape[1], height = input.shape[2],
          width = input.shape[3];
  int64_t boxes = rois.shape[0];
  Tensor result({boxes, channels, a.outputHeight, a.outputWidth});
  double offset = a.halfPixel ? 0.5 : 0.0;
  for (int64_t r = 0; r < boxes; ++r) {
    const float *box = rois.data.data() + r * 4;
    double startX = box[0] * a.spatialScale - offset;
    double startY = box[1] * a.spatialScale - offset;
    double boxWidth = box[2] * a.spatialScale - offset - startX;
    double boxHeight = box[3] * a.spatialScale - offset - startY;
    if (!a.halfPixel) {
      boxWidth = std::max(boxWidth, 1.0);
      boxHeight = std::max(boxHeight, 1.0);
    }
    double binHeight = boxHeight / a.outputHeight;
    double binWidth = boxWidth / a.outputWidth;
    int64_t samplesY =
        a.samplingRatio > 0
            ? a.samplingRatio
            : static_cast<int64_t>(std::ceil(boxHeight / a.outputHeight));
    int64_t samplesX =
        a.samplingRatio > 0
            ? a.samplingRatio
            : static_cast<int64_t>(std::ceil(boxWidth / a.outputWidth));
    samplesY = std::max<int64_t>(samplesY, 0);
    samplesX = std::max<int64_t>(samplesX, 0);
    int64_t n = batchIndices[r];
    for (int64_t c = 0; c < channels; ++c) {
      const float *plane =
          input.data.data() + (n * channels + c) * height * width;
      for (int64_t ph = 0; ph < a.outputHeight; ++ph)
        for (int64_t pw = 0; pw < a.outputWidth; ++pw) {
          double total = 0;
          bool first = true;
          for (int64_t iy = 0; iy < samplesY; ++iy)
            for (int64_t ix = 0; ix < samplesX; ++ix) {
              double y = startY + ph * binHeight +
                         (iy + 0.5) * binHeight / double(samplesY);
              double x = startX + pw * binWidth +
                         (ix + 0.5) * binWidth / double(samplesX);
              double taps[4] = {0, 0, 0, 0};
              if (!(y < -1.0 || y > height || x < -1.0 || x > width)) {
                y = std::max(y, 0.0);
                x = std::max(x, 0.0);
                auto yLow = static_cast<int64_t>(y),
                     xLow = static_cast<int64_t>(x);
                int64_t yHigh, xHigh;
                if (yLow >= height - 1) {
                  yHigh = yLow = height - 1;
                  y = double(yLow);
                } else {
                  yHigh = yLow + 1;
                }
                if (xLow >= width - 1) {
                  xHigh = xLow = width - 1;
                  x = double(xLow);
                } else {
                  xHigh = xLow + 1;
                }
                double ly = y - yLow, lx = x - xLow, hy = 1 - ly, hx = 1 - lx;
                taps[0] = hy * hx * plane[yLow * width + xLow];
                taps[1] = hy * lx * plane[yLow * width + xHigh];
                taps[2] = ly * hx * plane[yHigh * width + xLow];
                taps[3] = ly * lx * plane[yHigh * width + xHigh];
              }
              if (a.mode == "avg") {
                total += taps[0] + taps[1] + taps[2] + taps[3];
              } else {
                double best = std::max(std::max(taps[0], taps[1]),
                                       std::max(taps[2], taps[3]));
                total = first ? best : std::max(total, best);
              }
              first = false;
            }
          if (a.mode == "avg")
            total /= double(std::max<int64_t>(samplesY * samplesX, 1));
          result
              .data[((r * channels + c) * a.outputHeight + ph) * a.outputWidth +
                    pw] = static_cast<float>(total);
        }
    }
  }
  return result;
}

//===----------------------------------------------------------------------===//
// dft and det
//===----------------------------------------------------------------------===//

Tensor dft(const Tensor &input, int64_t axis, bool inverse, bool onesided) {
  std::vector<int64_t> outShape = input.shape;
  int64_t length = input.shape[axis];
  bool complex = input.shape.back() == 2;
  if (onesided)
    outShape[axis] = length / 2 + 1;
  outShape.back() = 2;
  Tensor result(outShape);
  std::vector<int64_t> frequencies = outShape;
  frequencies.back() = 1;
  forEachIndex(frequencies, [&](const std::vector<int64_t> &out) {
    double real = 0, imaginary = 0, sign = inverse ? 1 : -1;
    for (int64_t j = 0; j < length; ++j) {
      std::vector<int64_t> in = out;
      in[axis] = j;
      double re = input.data[offsetOf(input.shape, in)], im = 0;
      if (complex) {
        in.back() = 1;
        im = input.data[offsetOf(input.shape, in)];
      }
      double angle =
          sign * 2 * M_PI * double(j) * double(out[axis]) / double(length);
      real += re * std::cos(angle) - im * std::sin(angle);
      imaginary += re * std::sin(angle) + im * std::cos(angle);
    }
    if (inverse) {
      real /= double(length);
      imaginary /= double(length);
    }
    std::vector<int64_t> at = out;
    result.data[offsetOf(outShape, at)] = static_cast<float>(real);
    at.back() = 1;
    result.data[offsetOf(outShape, at)] = static_cast<float>(imaginary);
  });
  return result;
}

Tensor det(const Tensor &input) {
  int64_t size = input.shape.back();
  std::vector<int64_t> outShape(input.shape.begin(), input.shape.end() - 2);
  Tensor result(outShape);
  int64_t matrices = product(outShape);
  std::vector<int64_t> permutation(size);
  for (int64_t m = 0; m < matrices; ++m) {
    const float *matrix = input.data.data() + m * size * size;
    std::iota(permutation.begin(), permutation.end(), 0);
    double sum = 0;
    do {
      int64_t inversions = 0;
      for (int64_t i = 0; i < size; ++i)
        for (int64_t j = i + 1; j < size; ++j)
          inversions += permutation[i] > permutation[j];
      double term = inversions % 2 ? -1.0 : 1.0;
      for (int64_t i = 0; i < size; ++i)
        term *= matrix[i * size + permutation[i]];
      sum += term;
    } while (std::next_permutation(permutation.begin(), permutation.end()));
    result.data[m] = static_cast<float>(sum);
  }
  return result;
}

} // namespace kiln::reference
