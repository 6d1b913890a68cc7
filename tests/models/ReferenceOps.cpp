//===- ReferenceOps.cpp - Plain-loop reference implementations of kiln ops ===//

#include "ReferenceOps.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace kiln::reference {

static int64_t product(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

Tensor::Tensor(std::vector<int64_t> shape)
    : shape(std::move(shape)), data(product(this->shape), 0.0f) {}

Tensor::Tensor(std::vector<int64_t> shape, std::vector<float> data)
    : shape(std::move(shape)), data(std::move(data)) {
  if (static_cast<int64_t>(this->data.size()) != product(this->shape))
    throw std::invalid_argument(
        "reference tensor data does not match its shape");
}

Tensor random(std::vector<int64_t> shape, std::mt19937 &engine, float low,
              float high) {
  Tensor tensor(std::move(shape));
  std::uniform_real_distribution<float> distribution(low, high);
  for (float &value : tensor.data)
    value = distribution(engine);
  return tensor;
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The multi-index of flat position `flat` in `shape`.
static std::vector<int64_t> unravel(int64_t flat,
                                    const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// The flat position in `operand` (broadcast against a result of rank
/// `index.size()`) that result index `index` reads.
static int64_t broadcastOffset(const std::vector<int64_t> &index,
                               const Tensor &operand) {
  int64_t leading = static_cast<int64_t>(index.size()) - operand.rank();
  std::vector<int64_t> strides = stridesOf(operand.shape);
  int64_t offset = 0;
  for (int64_t d = 0; d < operand.rank(); ++d)
    if (operand.shape[d] != 1)
      offset += index[d + leading] * strides[d];
  return offset;
}

static std::vector<int64_t> broadcastShape(const std::vector<int64_t> &a,
                                           const std::vector<int64_t> &b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1)
      throw std::invalid_argument("shapes do not broadcast");
    shape[i] = x == 1 ? y : x;
  }
  return shape;
}

Tensor binary(const Tensor &lhs, const Tensor &rhs,
              const std::function<double(double, double)> &fn) {
  Tensor result(broadcastShape(lhs.shape, rhs.shape));
  for (int64_t i = 0; i < result.size(); ++i) {
    std::vector<int64_t> index = unravel(i, result.shape);
    result.data[i] =
        static_cast<float>(fn(lhs.data[broadcastOffset(index, lhs)],
                              rhs.data[broadcastOffset(index, rhs)]));
  }
  return result;
}

Tensor unary(const Tensor &input, const std::function<double(double)> &fn) {
  Tensor result(input.shape);
  for (int64_t i = 0; i < input.size(); ++i)
    result.data[i] = static_cast<float>(fn(input.data[i]));
  return result;
}

Tensor matmul(const Tensor &lhs, const Tensor &rhs) {
  int64_t m = lhs.shape[lhs.rank() - 2], k = lhs.shape.back(),
          n = rhs.shape.back();
  assert(rhs.shape[rhs.rank() - 2] == k);
  std::vector<int64_t> lhsBatch(lhs.shape.begin(), lhs.shape.end() - 2);
  std::vector<int64_t> rhsBatch(rhs.shape.begin(), rhs.shape.end() - 2);
  std::vector<int64_t> batch = broadcastShape(lhsBatch, rhsBatch);
  std::vector<int64_t> shape = batch;
  shape.push_back(m);
  shape.push_back(n);
  Tensor result(shape);
  Tensor lhsBatches(lhsBatch), rhsBatches(rhsBatch); // shapes only, for offsets
  int64_t batches = product(batch);
  for (int64_t b = 0; b < batches; ++b) {
    std::vector<int64_t> index = unravel(b, batch);
    const float *a =
        lhs.data.data() + broadcastOffset(index, lhsBatches) * m * k;
    const float *c =
        rhs.data.data() + broadcastOffset(index, rhsBatches) * k * n;
    float *out = result.data.data() + b * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += double(a[i * k + p]) * c[p * n + j];
        out[i * n + j] = static_cast<float>(sum);
      }
  }
  return result;
}

/// One spatial output size, derived from the definition: the number of window
/// starts that fit (floor), or that begin inside the input or leading padding
/// (ceil).
static int64_t outputSize(int64_t input, int64_t kernel, int64_t stride,
                          int64_t dilation, int64_t padBegin, int64_t padEnd,
                          bool ceilMode) {
  int64_t span = input + padBegin + padEnd - (dilation * (kernel - 1) + 1);
  int64_t count =
      ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  if (ceilMode && (count - 1) * stride >= input + padBegin)
    --count;
  return count;
}

Tensor conv2d(const Tensor &input, const Tensor &filter, const Window &window,
              int64_t groups) {
  int64_t n = input.shape[0], c = input.shape[1], h = input.shape[2],
          w = input.shape[3];
  int64_t f = filter.shape[0], cg = filter.shape[1], kh = filter.shape[2],
          kw = filter.shape[3];
  assert(cg * groups == c);
  int64_t oh = outputSize(h, kh, window.strides[0], window.dilations[0],
                          window.padding[0], window.padding[2], false);
  int64_t ow = outputSize(w, kw, window.strides[1], window.dilations[1],
                          window.padding[1], window.padding[3], false);
  Tensor result({n, f, oh, ow});
  int64_t filtersPerGroup = f / groups;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < f; ++o) {
      int64_t group = o / filtersPerGroup;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double sum = 0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t iy = y * window.strides[0] - window.padding[0] +
                             i * window.dilations[0];
                int64_t ix = x * window.strides[1] - window.padding[1] +
                             j * window.dilations[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                  continue; // zero padding
                int64_t channel = group * cg + ci;
                sum +=
                    double(input.data[((b * c + channel) * h + iy) * w + ix]) *
                    filter.data[((o * cg + ci) * kh + i) * kw + j];
              }
          result.data[((b * f + o) * oh + y) * ow + x] =
              static_cast<float>(sum);
        }
    }
  return result;
}

/// Computes every output of a pooling op as `visit(plane, h, w, startY,
/// startX)`: the input plane of its batch and channel, and where its window
/// starts (which may be in the padding, so negative).
template <typename Visit>
static void forEachPoolWindow(const Tensor &input,
                              const std::vector<int64_t> &kernel,
                              const Window &window, bool ceilMode,
                              Tensor &result, Visit visit) {
  int64_t n = input.shape[0], c = input.shape[1], h = input.shape[2],
          w = input.shape[3];
  int64_t oh = outputSize(h, kernel[0], window.strides[0], window.dilations[0],
                          window.padding[0], window.padding[2], ceilMode);
  int64_t ow = outputSize(w, kernel[1], window.strides[1], window.dilations[1],
                          window.padding[1], window.padding[3], ceilMode);
  result = Tensor({n, c, oh, ow});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          int64_t startY = y * window.strides[0] - window.padding[0];
          int64_t startX = x * window.strides[1] - window.padding[1];
          const float *plane = input.data.data() + (b * c + ch) * h * w;
          result.data[((b * c + ch) * oh + y) * ow + x] =
              visit(plane, h, w, startY, startX);
        }
}

Tensor maxPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 const Window &window, bool ceilMode) {
  Tensor result;
  forEachPoolWindow(input, kernel, window, ceilMode, result,
                    [&](const float *plane, int64_t h, int64_t w,
                        int64_t startY, int64_t startX) {
                      float best = -std::numeric_limits<float>::infinity();
                      for (int64_t i = 0; i < kernel[0]; ++i)
                        for (int64_t j = 0; j < kernel[1]; ++j) {
                          int64_t iy = startY + i * window.dilations[0];
                          int64_t ix = startX + j * window.dilations[1];
                          if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                            best = std::max(best, plane[iy * w + ix]);
                        }
                      return best;
                    });
  return result;
}

Tensor avgPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 const Window &window, bool ceilMode, bool countIncludePad) {
  Tensor result;
  forEachPoolWindow(
      input, kernel, window, ceilMode, result,
      [&](const float *plane, int64_t h, int64_t w, int64_t startY,
          int64_t startX) {
        double sum = 0;
        for (int64_t i = 0; i < kernel[0]; ++i)
          for (int64_t j = 0; j < kernel[1]; ++j) {
            int64_t iy = startY + i, ix = startX + j;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
              sum += plane[iy * w + ix];
          }
        // PyTorch's rule: with count_include_pad the window is clipped to the
        // padded input (not to positions added by ceil mode); without, to the
        // input.
        int64_t lowY = countIncludePad ? -window.padding[0] : 0;
        int64_t lowX = countIncludePad ? -window.padding[1] : 0;
        int64_t highY = countIncludePad ? h + window.padding[2] : h;
        int64_t highX = countIncludePad ? w + window.padding[3] : w;
        int64_t rows =
            std::min(startY + kernel[0], highY) - std::max(startY, lowY);
        int64_t columns =
            std::min(startX + kernel[1], highX) - std::max(startX, lowX);
        return static_cast<float>(sum / double(rows * columns));
      });
  return result;
}

Tensor reshape(const Tensor &input, std::vector<int64_t> shape) {
  return Tensor(std::move(shape), input.data);
}

Tensor transpose(const Tensor &input, const std::vector<int64_t> &permutation) {
  std::vector<int64_t> shape;
  for (int64_t source : permutation)
    shape.push_back(input.shape[source]);
  Tensor result(shape);
  std::vector<int64_t> inputStrides = stridesOf(input.shape);
  for (int64_t i = 0; i < result.size(); ++i) {
    std::vector<int64_t> index = unravel(i, shape);
    int64_t offset = 0;
    for (size_t d = 0; d < permutation.size(); ++d)
      offset += index[d] * inputStrides[permutation[d]];
    result.data[i] = input.data[offset];
  }
  return result;
}

Tensor concat(const std::vector<Tensor> &inputs, int64_t axis) {
  std::vector<int64_t> shape = inputs.front().shape;
  shape[axis] = 0;
  for (const Tensor &input : inputs)
    shape[axis] += input.shape[axis];
  Tensor result(shape);
  std::vector<int64_t> resultStrides = stridesOf(shape);
  int64_t offset = 0;
  for (const Tensor &input : inputs) {
    for (int64_t i = 0; i < input.size(); ++i) {
      std::vector<int64_t> index = unravel(i, input.shape);
      index[axis] += offset;
      int64_t flat = 0;
      for (size_t d = 0; d < index.size(); ++d)
        flat += index[d] * resultStrides[d];
      result.data[flat] = input.data[i];
    }
    offset += input.shape[axis];
  }
  return result;
}

Tensor reduce(const Tensor &input, const std::vector<int64_t> &axes,
              bool keepDims, Reduction kind) {
  auto isReduced = [&](int64_t d) {
    return std::find(axes.begin(), axes.end(), d) != axes.end();
  };
  std::vector<int64_t> kept; // the input shape with reduced dims set to 1
  for (int64_t d = 0; d < input.rank(); ++d)
    kept.push_back(isReduced(d) ? 1 : input.shape[d]);
  int64_t outputs = product(kept);
  std::vector<double> accumulators(
      outputs,
      kind == Reduction::Max ? -std::numeric_limits<double>::infinity() : 0.0);
  std::vector<int64_t> keptStrides = stridesOf(kept);
  for (int64_t i = 0; i < input.size(); ++i) {
    std::vector<int64_t> index = unravel(i, input.shape);
    int64_t flat = 0;
    for (int64_t d = 0; d < input.rank(); ++d)
      if (!isReduced(d))
        flat += index[d] * keptStrides[d];
    double value = input.data[i];
    accumulators[flat] = kind == Reduction::Max
                             ? std::max(accumulators[flat], value)
                             : accumulators[flat] + value;
  }
  int64_t count = input.size() / std::max<int64_t>(outputs, 1);
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < input.rank(); ++d)
    if (keepDims || !isReduced(d))
      shape.push_back(kept[d]);
  Tensor result(shape);
  for (int64_t i = 0; i < outputs; ++i)
    result.data[i] = static_cast<float>(kind == Reduction::Mean
                                            ? accumulators[i] / double(count)
                                            : accumulators[i]);
  return result;
}

Tensor softmax(const Tensor &input, int64_t axis) {
  Tensor result(input.shape);
  int64_t size = input.shape[axis];
  int64_t inner = stridesOf(input.shape)[axis];
  int64_t outer = input.size() / (size * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      const float *x = input.data.data() + o * size * inner + in;
      float *y = result.data.data() + o * size * inner + in;
      double maximum = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < size; ++i)
        maximum = std::max(maximum, double(x[i * inner]));
      double sum = 0;
      for (int64_t i = 0; i < size; ++i)
        sum += std::exp(x[i * inner] - maximum);
      for (int64_t i = 0; i < size; ++i)
        y[i * inner] =
            static_cast<float>(std::exp(x[i * inner] - maximum) / sum);
    }
  return result;
}

} // namespace kiln::reference
