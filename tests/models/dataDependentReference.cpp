//===- dataDependentReference.cpp - References of the data-dependent ops --===//

#include "dataDependentReference.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace kiln::reference {

namespace {

/// The coordinates of flat index `flat` in a tensor of `shape`.
std::vector<int64_t> coordinatesOf(int64_t flat,
                                   const std::vector<int64_t> &shape) {
  std::vector<int64_t> coordinates(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    coordinates[d] = flat % shape[d];
    flat /= shape[d];
  }
  return coordinates;
}

/// [rank, n] from the coordinates of the flat indices `positions`.
IntTensor coordinateColumns(const std::vector<int64_t> &positions,
                            const std::vector<int64_t> &shape) {
  int64_t rank = shape.size(), count = positions.size();
  std::vector<int64_t> data(rank * count);
  for (int64_t j = 0; j < count; ++j) {
    std::vector<int64_t> coordinates = coordinatesOf(positions[j], shape);
    for (int64_t d = 0; d < rank; ++d)
      data[d * count + j] = coordinates[d];
  }
  return IntTensor({rank, count}, data);
}

/// Sizes before, at and after `axis`.
struct AxisSplit {
  int64_t outer = 1, size = 1, inner = 1;
};
AxisSplit splitAt(const std::vector<int64_t> &shape, int64_t axis) {
  AxisSplit split;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis)
      split.outer *= shape[d];
    else if (d == axis)
      split.size = shape[d];
    else
      split.inner *= shape[d];
  }
  return split;
}

/// A slice as a key: its elements in row-major order, NaN canonicalized so
/// that all NaNs compare equal, and -0.0 made 0.0.
using SliceKey = std::vector<float>;

/// Lexicographic order with NaN after every number.
bool keyLess(const SliceKey &a, const SliceKey &b) {
  for (size_t i = 0; i < a.size(); ++i) {
    bool aNaN = std::isnan(a[i]), bNaN = std::isnan(b[i]);
    if (aNaN || bNaN) {
      if (aNaN == bNaN)
        continue;
      return bNaN; // a number before NaN
    }
    if (a[i] != b[i])
      return a[i] < b[i];
  }
  return false;
}

} // namespace

IntTensor nonZero(const Tensor &input) {
  std::vector<int64_t> positions;
  for (int64_t i = 0; i < input.size(); ++i)
    if (input.data[i] != 0.0f) // NaN != 0 holds; -0.0 == 0 too
      positions.push_back(i);
  return coordinateColumns(positions, input.shape);
}

IntTensor nonZero(const IntTensor &input) {
  std::vector<int64_t> positions;
  for (int64_t i = 0; i < input.size(); ++i)
    if (input.data[i] != 0)
      positions.push_back(i);
  return coordinateColumns(positions, input.shape);
}

Tensor compress(const Tensor &input, const std::vector<bool> &condition,
                int64_t axis) {
  AxisSplit split = splitAt(input.shape, axis);
  std::vector<int64_t> kept;
  for (int64_t k = 0; k < static_cast<int64_t>(condition.size()); ++k)
    if (condition[k])
      kept.push_back(k);
  std::vector<int64_t> shape = input.shape;
  shape[axis] = kept.size();
  Tensor result(shape);
  int64_t out = 0;
  for (int64_t o = 0; o < split.outer; ++o)
    for (int64_t k : kept)
      for (int64_t i = 0; i < split.inner; ++i)
        result.data[out++] = input.data[(o * split.size + k) * split.inner + i];
  return result;
}

UniqueResult unique(const Tensor &input, int64_t axis, bool sorted) {
  AxisSplit split = splitAt(input.shape, axis);
  auto sliceOf = [&](int64_t k) {
    SliceKey key;
    for (int64_t o = 0; o < split.outer; ++o)
      for (int64_t i = 0; i < split.inner; ++i) {
        float value = input.data[(o * split.size + k) * split.inner + i];
        key.push_back(std::isnan(value) ? NAN : (value == 0.0f ? 0.0f : value));
      }
    return key;
  };
  // First occurrences, through an ordered map of the distinct slices.
  std::map<SliceKey, int64_t, bool (*)(const SliceKey &, const SliceKey &)>
      firstIndex(keyLess);
  std::vector<int64_t> firsts;
  for (int64_t k = 0; k < split.size; ++k)
    if (firstIndex.emplace(sliceOf(k), k).second)
      firsts.push_back(k);
  if (sorted)
    std::stable_sort(firsts.begin(), firsts.end(), [&](int64_t a, int64_t b) {
      return keyLess(sliceOf(a), sliceOf(b));
    });
  int64_t count = firsts.size();
  std::map<int64_t, int64_t> placeOfFirst;
  for (int64_t p = 0; p < count; ++p)
    placeOfFirst[firsts[p]] = p;

  UniqueResult result;
  std::vector<int64_t> inverse(split.size), counts(count, 0);
  for (int64_t k = 0; k < split.size; ++k) {
    inverse[k] = placeOfFirst.at(firstIndex.at(sliceOf(k)));
    ++counts[inverse[k]];
  }
  std::vector<int64_t> shape = input.shape;
  shape[axis] = count;
  result.values = Tensor(shape);
  int64_t out = 0;
  for (int64_t o = 0; o < split.outer; ++o)
    for (int64_t k : firsts)
      for (int64_t i = 0; i < split.inner; ++i)
        result.values.data[out++] =
            input.data[(o * split.size + k) * split.inner + i];
  result.indices = IntTensor({count}, firsts);
  result.inverse = IntTensor({split.size}, inverse);
  result.counts = IntTensor({count}, counts);
  return result;
}

} // namespace kiln::reference
