//===- reductionReference.cpp - Plain-loop references of the reduction family //

#include "reductionReference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace kiln::reference {

static int64_t product(const std::vector<int64_t> &shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

IntTensor::IntTensor(std::vector<int64_t> shape, std::vector<int64_t> data)
    : shape(std::move(shape)), data(std::move(data)) {
  if (static_cast<int64_t>(this->data.size()) != product(this->shape))
    throw std::invalid_argument(
        "reference tensor data does not match its shape");
}

IntTensor randomInts(std::vector<int64_t> shape, std::mt19937 &engine,
                     int64_t low, int64_t high) {
  std::uniform_int_distribution<int64_t> distribution(low, high);
  std::vector<int64_t> data(product(shape));
  for (int64_t &value : data)
    value = distribution(engine);
  return IntTensor(std::move(shape), std::move(data));
}

Tensor randomSmallIntegers(std::vector<int64_t> shape, std::mt19937 &engine,
                           int64_t low, int64_t high) {
  IntTensor ints = randomInts(shape, engine, low, high);
  return Tensor(std::move(shape),
                std::vector<float>(ints.data.begin(), ints.data.end()));
}

//===----------------------------------------------------------------------===//
// Index arithmetic
//===----------------------------------------------------------------------===//

namespace {

/// The multi-index of flat position `flat` in `shape`.
std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// The flat position of `index` in `shape`.
int64_t ravel(const std::vector<int64_t> &index,
              const std::vector<int64_t> &shape) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + index[d];
  return flat;
}

bool contains(const std::vector<int64_t> &values, int64_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

/// The shape of a reduction's result.
std::vector<int64_t> reducedShape(const std::vector<int64_t> &shape,
                                  const std::vector<int64_t> &axes,
                                  bool keepDims) {
  std::vector<int64_t> result;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (!contains(axes, d))
      result.push_back(shape[d]);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

/// Folds every element into the result position it reduces to, starting each
/// position from `initial`.
template <typename T, typename Combine>
std::vector<T>
reduceLoop(const std::vector<int64_t> &shape, const std::vector<T> &data,
           const std::vector<int64_t> &axes, T initial, Combine combine) {
  std::vector<int64_t> kept = reducedShape(shape, axes, /*keepDims=*/true);
  std::vector<T> result(product(kept), initial);
  for (int64_t i = 0; i < static_cast<int64_t>(data.size()); ++i) {
    std::vector<int64_t> index = unravel(i, shape);
    for (int64_t axis : axes)
      index[axis] = 0;
    T &slot = result[ravel(index, kept)];
    slot = combine(slot, data[i]);
  }
  return result;
}

template <typename Combine>
Tensor reduceFloat(const Tensor &input, const std::vector<int64_t> &axes,
                   bool keepDims, double initial, Combine combine) {
  std::vector<double> wide(input.data.begin(), input.data.end());
  std::vector<double> result =
      reduceLoop(input.shape, wide, axes, initial, combine);
  return Tensor(reducedShape(input.shape, axes, keepDims),
                std::vector<float>(result.begin(), result.end()));
}

template <typename Combine>
IntTensor reduceInt(const IntTensor &input, const std::vector<int64_t> &axes,
                    bool keepDims, int64_t initial, Combine combine) {
  return IntTensor(reducedShape(input.shape, axes, keepDims),
                   reduceLoop(input.shape, input.data, axes, initial, combine));
}

} // namespace

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

Tensor reduceMin(const Tensor &input, const std::vector<int64_t> &axes,
                 bool keepDims) {
  return reduceFloat(
      input, axes, keepDims, std::numeric_limits<double>::infinity(),
      [](double a, double b) {
        return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
      });
}

Tensor reduceProd(const Tensor &input, const std::vector<int64_t> &axes,
                  bool keepDims) {
  return reduceFloat(input, axes, keepDims, 1.0,
                     [](double a, double b) { return a * b; });
}

IntTensor reduceMin(const IntTensor &input, const std::vector<int64_t> &axes,
                    bool keepDims) {
  return reduceInt(input, axes, keepDims, std::numeric_limits<int64_t>::max(),
                   [](int64_t a, int64_t b) { return std::min(a, b); });
}

IntTensor reduceProd(const IntTensor &input, const std::vector<int64_t> &axes,
                     bool keepDims) {
  return reduceInt(input, axes, keepDims, 1,
                   [](int64_t a, int64_t b) { return a * b; });
}

//===----------------------------------------------------------------------===//
// Slices along one axis
//===----------------------------------------------------------------------===//

namespace {

/// Calls `visit(positions)` once per slice along `axis`, with the flat
/// positions of the slice's elements in order.
template <typename Visit>
void forEachSlice(const std::vector<int64_t> &shape, int64_t axis,
                  Visit visit) {
  int64_t length = shape[axis], outer = 1, stride = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    stride *= shape[d];
  std::vector<int64_t> positions(length);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t inner = 0; inner < stride; ++inner) {
      for (int64_t i = 0; i < length; ++i)
        positions[i] = (o * length + i) * stride + inner;
      visit(static_cast<const std::vector<int64_t> &>(positions));
    }
  }
}

/// The shape with dim `axis` set to `size` (or removed when size < 0).
std::vector<int64_t> withAxis(std::vector<int64_t> shape, int64_t axis,
                              int64_t size) {
  if (size < 0)
    shape.erase(shape.begin() + axis);
  else
    shape[axis] = size;
  return shape;
}

/// Whether `a` beats `b` for an arg-reduction: NaN beats every number.
template <typename T> bool argBeats(T a, T b, bool isMax) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b))
      return std::isnan(a) && !std::isnan(b);
  }
  return isMax ? a > b : a < b;
}

template <typename T>
std::vector<int64_t> argLoop(const std::vector<int64_t> &shape,
                             const std::vector<T> &data, int64_t axis,
                             bool isMax, bool selectLastIndex) {
  std::vector<int64_t> result;
  forEachSlice(shape, axis, [&](const std::vector<int64_t> &positions) {
    int64_t best = 0;
    for (int64_t i = 1; i < static_cast<int64_t>(positions.size()); ++i) {
      T value = data[positions[i]], bestValue = data[positions[best]];
      bool tie = value == bestValue || (!argBeats(value, bestValue, isMax) &&
                                        !argBeats(bestValue, value, isMax));
      if (argBeats(value, bestValue, isMax) || (tie && selectLastIndex))
        best = i;
    }
    result.push_back(best);
  });
  // forEachSlice visits slices in the row-major order of the other dims.
  return result;
}

} // namespace

IntTensor argReduce(const Tensor &input, int64_t axis, bool keepDims,
                    bool isMax, bool selectLastIndex) {
  return IntTensor(
      withAxis(input.shape, axis, keepDims ? 1 : -1),
      argLoop(input.shape, input.data, axis, isMax, selectLastIndex));
}

IntTensor argReduce(const IntTensor &input, int64_t axis, bool keepDims,
                    bool isMax, bool selectLastIndex) {
  return IntTensor(
      withAxis(input.shape, axis, keepDims ? 1 : -1),
      argLoop(input.shape, input.data, axis, isMax, selectLastIndex));
}

//===----------------------------------------------------------------------===//
// Cumulative sums
//===----------------------------------------------------------------------===//

namespace {

template <typename T, typename Sum>
void cumulativeLoop(const std::vector<int64_t> &shape,
                    const std::vector<T> &data, std::vector<T> &result,
                    int64_t axis, bool exclusive, bool reverse) {
  forEachSlice(shape, axis, [&](const std::vector<int64_t> &slice) {
    std::vector<int64_t> positions = slice;
    if (reverse)
      std::reverse(positions.begin(), positions.end());
    Sum sum = 0;
    for (int64_t position : positions) {
      if (exclusive)
        result[position] = static_cast<T>(sum);
      sum += data[position];
      if (!exclusive)
        result[position] = static_cast<T>(sum);
    }
  });
}

} // namespace

Tensor cumulativeSum(const Tensor &input, int64_t axis, bool exclusive,
                     bool reverse) {
  Tensor result(input.shape);
  cumulativeLoop<float, double>(input.shape, input.data, result.data, axis,
                                exclusive, reverse);
  return result;
}

IntTensor cumulativeSum(const IntTensor &input, int64_t axis, bool exclusive,
                        bool reverse) {
  IntTensor result(input.shape, std::vector<int64_t>(input.data.size()));
  cumulativeLoop<int64_t, int64_t>(input.shape, input.data, result.data, axis,
                                   exclusive, reverse);
  return result;
}

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

namespace {

/// Sorts each slice (stable, so equal elements keep their index order) and
/// keeps the first k.
template <typename T>
void topKLoop(const std::vector<int64_t> &shape, const std::vector<T> &data,
              int64_t k, int64_t axis, bool largest, std::vector<T> &values,
              std::vector<int64_t> &indices) {
  std::vector<int64_t> resultShape = withAxis(shape, axis, k);
  values.assign(product(resultShape), T());
  indices.assign(values.size(), 0);
  // NaN is greater than every number.
  auto less = [](T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b))
        return !std::isnan(a) && std::isnan(b);
    }
    return a < b;
  };
  std::vector<int64_t> outputPositions;
  forEachSlice(resultShape, axis, [&](const std::vector<int64_t> &positions) {
    outputPositions.insert(outputPositions.end(), positions.begin(),
                           positions.end());
  });
  size_t next = 0;
  forEachSlice(shape, axis, [&](const std::vector<int64_t> &positions) {
    std::vector<int64_t> order(positions.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      T x = data[positions[a]], y = data[positions[b]];
      return largest ? less(y, x) : less(x, y);
    });
    for (int64_t j = 0; j < k; ++j) {
      int64_t out = outputPositions[next++];
      values[out] = data[positions[order[j]]];
      indices[out] = order[j];
    }
  });
}

} // namespace

TopKResult topK(const Tensor &input, int64_t k, int64_t axis, bool largest) {
  TopKResult result;
  std::vector<int64_t> shape = withAxis(input.shape, axis, k);
  std::vector<float> values;
  std::vector<int64_t> indices;
  topKLoop(input.shape, input.data, k, axis, largest, values, indices);
  result.values = Tensor(shape, values);
  result.indices = IntTensor(shape, indices);
  return result;
}

IntTopKResult topK(const IntTensor &input, int64_t k, int64_t axis,
                   bool largest) {
  IntTopKResult result;
  std::vector<int64_t> shape = withAxis(input.shape, axis, k);
  std::vector<int64_t> values, indices;
  topKLoop(input.shape, input.data, k, axis, largest, values, indices);
  result.values = IntTensor(shape, values);
  result.indices = IntTensor(shape, indices);
  return result;
}

//===----------------------------------------------------------------------===//
// Transposed convolution
//===----------------------------------------------------------------------===//

Tensor conv2dTranspose(const Tensor &input, const Tensor &filter,
                       const TransposedWindow &window, int64_t groups) {
  int64_t n = input.shape[0], c = input.shape[1], h = input.shape[2],
          w = input.shape[3];
  int64_t groupFeatures = filter.shape[1], kh = filter.shape[2],
          kw = filter.shape[3];
  int64_t groupChannels = c / groups, features = groupFeatures * groups;
  int64_t outH = (h - 1) * window.strides[0] - window.padding[0] -
                 window.padding[2] + window.dilations[0] * (kh - 1) +
                 window.outputPadding[0] + 1;
  int64_t outW = (w - 1) * window.strides[1] - window.padding[1] -
                 window.padding[3] + window.dilations[1] * (kw - 1) +
                 window.outputPadding[1] + 1;
  std::vector<double> sums(n * features * outH * outW, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          double value = input.data[((b * c + ci) * h + y) * w + x];
          int64_t group = ci / groupChannels;
          for (int64_t f = 0; f < groupFeatures; ++f)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t oy = y * window.strides[0] + i * window.dilations[0] -
                             window.padding[0];
                int64_t ox = x * window.strides[1] + j * window.dilations[1] -
                             window.padding[1];
                if (oy < 0 || oy >= outH || ox < 0 || ox >= outW)
                  continue;
                int64_t feature = group * groupFeatures + f;
                double weight =
                    filter.data[((ci * groupFeatures + f) * kh + i) * kw + j];
                sums[((b * features + feature) * outH + oy) * outW + ox] +=
                    value * weight;
              }
        }
  return Tensor({n, features, outH, outW},
                std::vector<float>(sums.begin(), sums.end()));
}

} // namespace kiln::reference
