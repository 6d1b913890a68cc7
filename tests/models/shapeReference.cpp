//===- shapeReference.cpp - Plain-loop references of the data movement ops ===//

#include "shapeReference.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <numeric>

namespace kiln::reference {
namespace {

int64_t elementCount(const std::vector<int64_t> &shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

/// Calls `fn` with every multi-index of `shape` in row-major order.
void forEachIndex(const std::vector<int64_t> &shape,
                  const std::function<void(const std::vector<int64_t> &)> &fn) {
  int64_t count = elementCount(shape);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    fn(index);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

int64_t offsetOf(const std::vector<int64_t> &index,
                 const std::vector<int64_t> &shape) {
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    offset = offset * shape[d] + index[d];
  return offset;
}

float at(const Tensor &tensor, const std::vector<int64_t> &index) {
  return tensor.data[offsetOf(index, tensor.shape)];
}

int64_t at(const IndexTensor &tensor, const std::vector<int64_t> &index) {
  return tensor.data[offsetOf(index, tensor.shape)];
}

/// A gather index: negative counts from the end, then clamped.
int64_t gatherIndex(int64_t index, int64_t size) {
  if (index < 0)
    index += size;
  return std::min(std::max<int64_t>(index, 0), size - 1);
}

/// A scatter index: negative counts from the end; -1 when out of range.
int64_t scatterIndex(int64_t index, int64_t size) {
  if (index < 0)
    index += size;
  return index >= 0 && index < size ? index : -1;
}

float combine(float current, float update, ScatterReduction reduction) {
  switch (reduction) {
  case ScatterReduction::None:
    return update;
  case ScatterReduction::Add:
    return current + update;
  case ScatterReduction::Mul:
    return current * update;
  }
  return update;
}

} // namespace

Tensor slice(const Tensor &input, const std::vector<int64_t> &offsets,
             const std::vector<int64_t> &sizes,
             const std::vector<int64_t> &steps) {
  Tensor result(sizes);
  int64_t n = 0;
  forEachIndex(sizes, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> source(index.size());
    for (size_t d = 0; d < index.size(); ++d)
      source[d] = offsets[d] + index[d] * steps[d];
    result.data[n++] = at(input, source);
  });
  return result;
}

Tensor pad(const Tensor &input, const std::vector<int64_t> &low,
           const std::vector<int64_t> &high, PadMode mode, float value) {
  std::vector<int64_t> shape = input.shape;
  for (size_t d = 0; d < shape.size(); ++d)
    shape[d] += low[d] + high[d];
  Tensor result(shape);
  int64_t n = 0;
  forEachIndex(shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> source(index.size());
    bool inside = true;
    for (size_t d = 0; d < index.size(); ++d) {
      int64_t i = index[d] - low[d], size = input.shape[d];
      if (i < 0 || i >= size) {
        inside = false;
        if (mode == PadMode::Edge)
          i = i < 0 ? 0 : size - 1;
        else if (mode == PadMode::Reflect)
          i = i < 0 ? -i : 2 * (size - 1) - i;
      }
      source[d] = i;
    }
    result.data[n++] =
        inside || mode != PadMode::Constant ? at(input, source) : value;
  });
  return result;
}

Tensor broadcastTo(const Tensor &input, const std::vector<int64_t> &shape) {
  Tensor result(shape);
  size_t leading = shape.size() - input.shape.size();
  int64_t n = 0;
  forEachIndex(shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> source;
    for (size_t d = 0; d < input.shape.size(); ++d)
      source.push_back(input.shape[d] == 1 ? 0 : index[leading + d]);
    result.data[n++] = at(input, source);
  });
  return result;
}

Tensor gather(const Tensor &data, const IndexTensor &indices, int64_t axis) {
  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  Tensor result(shape);
  int64_t indicesRank = indices.shape.size(), n = 0;
  forEachIndex(shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> position(index.begin() + axis,
                                  index.begin() + axis + indicesRank);
    std::vector<int64_t> source(index.begin(), index.begin() + axis);
    source.push_back(gatherIndex(at(indices, position), data.shape[axis]));
    source.insert(source.end(), index.begin() + axis + indicesRank,
                  index.end());
    result.data[n++] = at(data, source);
  });
  return result;
}

Tensor gatherElements(const Tensor &data, const IndexTensor &indices,
                      int64_t axis) {
  Tensor result(indices.shape);
  int64_t n = 0;
  forEachIndex(indices.shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> source = index;
    source[axis] = gatherIndex(at(indices, index), data.shape[axis]);
    result.data[n++] = at(data, source);
  });
  return result;
}

Tensor gatherND(const Tensor &data, const IndexTensor &indices,
                int64_t batchDims) {
  int64_t depth = indices.shape.back();
  int64_t prefixRank = indices.shape.size() - 1;
  std::vector<int64_t> shape(indices.shape.begin(), indices.shape.end() - 1);
  shape.insert(shape.end(), data.shape.begin() + batchDims + depth,
               data.shape.end());
  Tensor result(shape);
  int64_t n = 0;
  forEachIndex(shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> source(index.begin(), index.begin() + batchDims);
    std::vector<int64_t> tuple(index.begin(), index.begin() + prefixRank);
    tuple.push_back(0);
    for (int64_t j = 0; j < depth; ++j) {
      tuple.back() = j;
      source.push_back(
          gatherIndex(at(indices, tuple), data.shape[batchDims + j]));
    }
    source.insert(source.end(), index.begin() + prefixRank, index.end());
    result.data[n++] = at(data, source);
  });
  return result;
}

Tensor scatterElements(const Tensor &data, const IndexTensor &indices,
                       const Tensor &updates, int64_t axis,
                       ScatterReduction reduction) {
  Tensor result = data;
  forEachIndex(indices.shape, [&](const std::vector<int64_t> &index) {
    int64_t position = scatterIndex(at(indices, index), data.shape[axis]);
    if (position < 0)
      return;
    std::vector<int64_t> target = index;
    target[axis] = position;
    float &element = result.data[offsetOf(target, data.shape)];
    element = combine(element, at(updates, index), reduction);
  });
  return result;
}

Tensor scatterND(const Tensor &data, const IndexTensor &indices,
                 const Tensor &updates, ScatterReduction reduction) {
  Tensor result = data;
  int64_t depth = indices.shape.back();
  int64_t prefixRank = indices.shape.size() - 1;
  forEachIndex(updates.shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> tuple(index.begin(), index.begin() + prefixRank);
    tuple.push_back(0);
    std::vector<int64_t> target;
    for (int64_t j = 0; j < depth; ++j) {
      tuple.back() = j;
      int64_t position = scatterIndex(at(indices, tuple), data.shape[j]);
      if (position < 0)
        return;
      target.push_back(position);
    }
    target.insert(target.end(), index.begin() + prefixRank, index.end());
    float &element = result.data[offsetOf(target, data.shape)];
    element = combine(element, at(updates, index), reduction);
  });
  return result;
}

//===----------------------------------------------------------------------===//
// Resize, after onnx/backend/test/case/node/resize.py
//===----------------------------------------------------------------------===//

namespace {

std::vector<double> coefficients(const ResizeOptions &options, double ratio,
                                 bool integral) {
  if (options.mode == "linear")
    return {1 - ratio, ratio};
  if (options.mode == "cubic") {
    double a = options.cubicA;
    return {((a * (ratio + 1) - 5 * a) * (ratio + 1) + 8 * a) * (ratio + 1) -
                4 * a,
            ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1,
            ((a + 2) * (1 - ratio) - (a + 3)) * (1 - ratio) * (1 - ratio) + 1,
            ((a * ((1 - ratio) + 1) - 5 * a) * ((1 - ratio) + 1) + 8 * a) *
                    ((1 - ratio) + 1) -
                4 * a};
  }
  if (integral)
    return {0, 1};
  const std::string &rounding = options.nearestMode;
  if (rounding == "round_prefer_floor")
    return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
  if (rounding == "round_prefer_ceil")
    return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
  if (rounding == "floor")
    return {1, 0};
  return {0, 1}; // ceil
}

/// One-dimensional interpolation of `data` at output position `x`.
double interpolate1d(const std::vector<double> &data, double scale, int64_t x,
                     double roiStart, double roiEnd,
                     const ResizeOptions &options) {
  double inputWidth = static_cast<double>(data.size());
  double outputWidth = scale * inputWidth;
  double position = static_cast<double>(x), original;
  const std::string &transform = options.transform;
  if (transform == "align_corners") {
    original = outputWidth == 1
                   ? 0.0
                   : position * (inputWidth - 1) / (outputWidth - 1);
  } else if (transform == "asymmetric") {
    original = position / scale;
  } else if (transform == "tf_crop_and_resize") {
    original = outputWidth == 1 ? (roiEnd - roiStart) * (inputWidth - 1) / 2
                                : position * (roiEnd - roiStart) *
                                      (inputWidth - 1) / (outputWidth - 1);
    original += roiStart * (inputWidth - 1);
    if (original < 0 || original > inputWidth - 1)
      return options.extrapolation;
  } else if (transform == "pytorch_half_pixel") {
    original = outputWidth == 1 ? -0.5 : (position + 0.5) / scale - 0.5;
  } else if (transform == "tf_half_pixel_for_nn") {
    original = (position + 0.5) / scale;
  } else {
    original = (position + 0.5) / scale - 0.5;
  }
  bool integral = std::floor(original) == original;
  double ratio = integral ? 1.0 : original - std::floor(original);
  std::vector<double> coeffs = coefficients(options, ratio, integral);
  int64_t count = coeffs.size();
  // The `count` elements of an edge-padded copy nearest to the coordinate,
  // preferring smaller indices on ties.
  int64_t padding = (count + 1) / 2;
  std::vector<double> padded;
  for (int64_t i = -padding; i < static_cast<int64_t>(data.size()) + padding;
       ++i)
    padded.push_back(
        data[std::min<int64_t>(std::max<int64_t>(i, 0), data.size() - 1)]);
  double center = original + padding;
  std::vector<int64_t> order(padded.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return std::fabs(center - a) < std::fabs(center - b);
  });
  std::vector<int64_t> chosen(order.begin(), order.begin() + count);
  std::sort(chosen.begin(), chosen.end());
  if (options.excludeOutside) {
    double sum = 0;
    for (int64_t k = 0; k < count; ++k) {
      int64_t index = chosen[k] - padding;
      if (index < 0 || index >= static_cast<int64_t>(data.size()))
        coeffs[k] = 0;
      sum += coeffs[k];
    }
    for (double &coeff : coeffs)
      coeff /= sum;
  }
  double result = 0;
  for (int64_t k = 0; k < count; ++k)
    result += coeffs[k] * padded[chosen[k]];
  return result;
}

/// Interpolates dims [dim, rank) of `input` at `x`, the elements before `dim`
/// fixed by `prefix`; outer dims interpolate the results of inner ones.
double interpolateNd(const Tensor &input, std::vector<int64_t> &prefix,
                     const std::vector<int64_t> &x,
                     const std::vector<double> &scales,
                     const ResizeOptions &options) {
  size_t dim = prefix.size(), rank = input.shape.size();
  std::vector<double> values;
  for (int64_t i = 0; i < input.shape[dim]; ++i) {
    prefix.push_back(i);
    values.push_back(dim + 1 == rank
                         ? at(input, prefix)
                         : interpolateNd(input, prefix, x, scales, options));
    prefix.pop_back();
  }
  double roiStart = options.roi.empty() ? 0 : options.roi[dim];
  double roiEnd = options.roi.empty() ? 1 : options.roi[rank + dim];
  return interpolate1d(values, scales[dim], x[dim], roiStart, roiEnd, options);
}

} // namespace

Tensor resize(const Tensor &input, const std::vector<int64_t> &sizes,
              const std::vector<double> &scales, const ResizeOptions &options) {
  Tensor result(sizes);
  int64_t n = 0;
  forEachIndex(sizes, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> prefix;
    result.data[n++] = static_cast<float>(
        interpolateNd(input, prefix, index, scales, options));
  });
  return result;
}

} // namespace kiln::reference
