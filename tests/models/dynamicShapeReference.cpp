//===- dynamicShapeReference.cpp - ONNX shape ops with run-time operands --===//
//
// Every op walks the output's row-major positions and reads the input element
// the ONNX specification names for it.
//
//===----------------------------------------------------------------------===//

#include "dynamicShapeReference.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace kiln::reference {

namespace {

int64_t product(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

/// The multi-index of row-major position `flat` in `shape`.
std::vector<int64_t> unflatten(int64_t flat,
                               const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = shape[d] == 0 ? 0 : flat % shape[d];
    flat = shape[d] == 0 ? 0 : flat / shape[d];
  }
  return index;
}

int64_t flatten(const std::vector<int64_t> &index,
                const std::vector<int64_t> &strides) {
  int64_t flat = 0;
  for (size_t d = 0; d < index.size(); ++d)
    flat += index[d] * strides[d];
  return flat;
}

/// A tensor of `shape` whose element at each multi-index is `source(index)`.
template <typename Source>
Tensor generate(const std::vector<int64_t> &shape, Source source) {
  Tensor result(shape);
  for (int64_t i = 0; i < result.size(); ++i)
    result.data[i] = source(unflatten(i, shape));
  return result;
}

int64_t normalized(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    throw std::invalid_argument("axis out of range");
  return axis < 0 ? axis + rank : axis;
}

} // namespace

Tensor onnxReshape(const Tensor &input, const std::vector<int64_t> &shape,
                   bool allowZero) {
  std::vector<int64_t> resolved = shape;
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == 0 && !allowZero)
      resolved[i] = input.shape.at(i);
    if (resolved[i] == -1)
      inferred = static_cast<int64_t>(i);
    else
      known *= resolved[i];
  }
  if (inferred >= 0)
    resolved[inferred] = input.size() / known;
  return Tensor(resolved, input.data);
}

Tensor unsqueeze(const Tensor &input, const std::vector<int64_t> &axes) {
  int64_t rank = input.rank() + static_cast<int64_t>(axes.size());
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : axes)
    inserted[normalized(axis, rank)] = true;
  std::vector<int64_t> shape;
  int64_t source = 0;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : input.shape[source++]);
  return Tensor(shape, input.data);
}

Tensor squeeze(const Tensor &input, const std::vector<int64_t> &axes) {
  std::vector<bool> removed(input.rank(), false);
  for (int64_t axis : axes)
    removed[normalized(axis, input.rank())] = true;
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < input.rank(); ++d)
    if (!removed[d])
      shape.push_back(input.shape[d]);
  return Tensor(shape, input.data);
}

Tensor expand(const Tensor &input, const std::vector<int64_t> &given) {
  int64_t rank = std::max<int64_t>(input.rank(), given.size());
  std::vector<int64_t> shape(rank), inputDims(rank, 1);
  for (int64_t d = 0; d < input.rank(); ++d)
    inputDims[rank - input.rank() + d] = input.shape[d];
  for (int64_t d = 0; d < rank; ++d) {
    int64_t other = d - (rank - static_cast<int64_t>(given.size())) >= 0
                        ? given[d - (rank - given.size())]
                        : 1;
    shape[d] = inputDims[d] == 1 ? other : inputDims[d];
  }
  std::vector<int64_t> strides = stridesOf(inputDims);
  return generate(shape, [&](const std::vector<int64_t> &index) {
    std::vector<int64_t> source(rank);
    for (int64_t d = 0; d < rank; ++d)
      source[d] = inputDims[d] == 1 ? 0 : index[d];
    return input.data[flatten(source, strides)];
  });
}

Tensor tile(const Tensor &input, const std::vector<int64_t> &repeats) {
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < input.rank(); ++d)
    shape.push_back(input.shape[d] * repeats[d]);
  std::vector<int64_t> strides = stridesOf(input.shape);
  return generate(shape, [&](std::vector<int64_t> index) {
    for (int64_t d = 0; d < input.rank(); ++d)
      index[d] %= input.shape[d];
    return input.data[flatten(index, strides)];
  });
}

Tensor onnxSlice(const Tensor &input, const std::vector<int64_t> &starts,
                 const std::vector<int64_t> &ends,
                 const std::vector<int64_t> &axes,
                 const std::vector<int64_t> &steps) {
  int64_t rank = input.rank();
  std::vector<int64_t> first(rank, 0), step(rank, 1), shape = input.shape;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normalized(axes[i], rank), dim = input.shape[axis];
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (steps[i] > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    // The number of start + k * step in [start, end) (or (end, start]).
    int64_t count = 0;
    for (int64_t k = start; steps[i] > 0 ? k < end : k > end; k += steps[i])
      ++count;
    first[axis] = start;
    step[axis] = steps[i];
    shape[axis] = count;
  }
  std::vector<int64_t> strides = stridesOf(input.shape);
  return generate(shape, [&](std::vector<int64_t> index) {
    for (int64_t d = 0; d < rank; ++d)
      index[d] = first[d] + index[d] * step[d];
    return input.data[flatten(index, strides)];
  });
}

std::vector<Tensor> split(const Tensor &input,
                          const std::vector<int64_t> &sizes, int64_t axis) {
  std::vector<Tensor> parts;
  std::vector<int64_t> strides = stridesOf(input.shape);
  int64_t offset = 0;
  for (int64_t size : sizes) {
    std::vector<int64_t> shape = input.shape;
    shape[axis] = size;
    parts.push_back(generate(shape, [&](std::vector<int64_t> index) {
      index[axis] += offset;
      return input.data[flatten(index, strides)];
    }));
    offset += size;
  }
  return parts;
}

Tensor onnxPad(const Tensor &input, const std::vector<int64_t> &pads,
               const std::string &mode, float value) {
  // Negative amounts remove elements first; the positive ones then pad the
  // `window` elements left, from `start`.
  int64_t rank = input.rank();
  std::vector<int64_t> shape, start, window, before;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t low = pads[d], high = pads[rank + d];
    start.push_back(std::max<int64_t>(-low, 0));
    window.push_back(input.shape[d] - std::max<int64_t>(-low, 0) -
                     std::max<int64_t>(-high, 0));
    before.push_back(std::max<int64_t>(low, 0));
    shape.push_back(window[d] + before[d] + std::max<int64_t>(high, 0));
  }
  std::vector<int64_t> strides = stridesOf(input.shape);
  return generate(shape, [&](std::vector<int64_t> index) {
    for (int64_t d = 0; d < rank; ++d) {
      int64_t position = index[d] - before[d], last = window[d] - 1;
      if (position < 0 || position > last) {
        if (mode == "constant")
          return value;
        if (mode == "edge")
          position = std::clamp<int64_t>(position, 0, last);
        else // reflect: mirror about the first and last elements
          position = position < 0 ? -position : 2 * last - position;
      }
      index[d] = start[d] + position;
    }
    return input.data[flatten(index, strides)];
  });
}

Tensor range(float start, float limit, float delta) {
  double steps = std::ceil((double(limit) - double(start)) / double(delta));
  int64_t count = std::max<int64_t>(static_cast<int64_t>(steps), 0);
  Tensor result({count});
  for (int64_t i = 0; i < count; ++i)
    result.data[i] = static_cast<float>(double(start) + double(i) * delta);
  return result;
}

Tensor reduceSumKeepDims(const Tensor &input,
                         const std::vector<int64_t> &axes) {
  std::vector<bool> reduced(input.rank(), false);
  for (int64_t axis : axes)
    reduced[normalized(axis, input.rank())] = true;
  std::vector<int64_t> shape = input.shape;
  for (int64_t d = 0; d < input.rank(); ++d)
    if (reduced[d])
      shape[d] = 1;
  std::vector<int64_t> strides = stridesOf(shape);
  std::vector<double> sums(product(shape), 0.0);
  for (int64_t i = 0; i < input.size(); ++i) {
    std::vector<int64_t> index = unflatten(i, input.shape);
    for (int64_t d = 0; d < input.rank(); ++d)
      if (reduced[d])
        index[d] = 0;
    sums[flatten(index, strides)] += input.data[i];
  }
  return Tensor(shape, std::vector<float>(sums.begin(), sums.end()));
}

Tensor cumSum(const Tensor &input, int64_t axis, bool exclusive, bool reverse) {
  axis = normalized(axis, input.rank());
  std::vector<int64_t> strides = stridesOf(input.shape);
  int64_t dim = input.shape[axis];
  return generate(input.shape, [&](std::vector<int64_t> index) {
    int64_t position = index[axis];
    double sum = 0;
    for (int64_t k = 0; k < dim; ++k) {
      bool included = reverse ? (exclusive ? k > position : k >= position)
                              : (exclusive ? k < position : k <= position);
      if (!included)
        continue;
      index[axis] = k;
      sum += input.data[flatten(index, strides)];
    }
    return static_cast<float>(sum);
  });
}

std::vector<double> numpyRandomSample(uint32_t seed, int64_t count) {
  std::mt19937 engine(seed);
  std::vector<double> draws;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t high = engine() >> 5, low = engine() >> 6;
    draws.push_back((double(high) * 67108864.0 + double(low)) /
                    9007199254740992.0);
  }
  return draws;
}

} // namespace kiln::reference
