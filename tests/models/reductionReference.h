//===- reductionReference.h - Plain-loop references of the reduction family
//-===//
//
// The independent references that the compiled reduction family is checked
// against: reduce_min and reduce_prod, arg_max/arg_min, cumsum, top_k and
// conv2d_transpose, written as the obvious loops over row-major tensors
// (floats accumulate in double). top_k sorts each slice with std::stable_sort
// and conv2d_transpose scatters every input element, so neither shares its
// algorithm with the lowering. Nothing here shares code with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_REDUCTIONREFERENCE_H
#define KILN_TESTS_MODELS_REDUCTIONREFERENCE_H

#include "ReferenceOps.h"

#include <cstdint>
#include <vector>

namespace kiln::reference {

/// A dense row-major integer tensor (any width; values held as int64).
struct IntTensor {
  std::vector<int64_t> shape;
  std::vector<int64_t> data;

  IntTensor() = default;
  IntTensor(std::vector<int64_t> shape, std::vector<int64_t> data);

  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

/// Integers uniform in [low, high], from `engine`.
IntTensor randomInts(std::vector<int64_t> shape, std::mt19937 &engine,
                     int64_t low, int64_t high);

/// Floats drawn from the integers in [low, high], so that equal values (ties)
/// are frequent.
Tensor randomSmallIntegers(std::vector<int64_t> shape, std::mt19937 &engine,
                           int64_t low, int64_t high);

/// Minimum (NaN wins, as the compiled code's minimumf) and product over
/// `axes`, in double.
Tensor reduceMin(const Tensor &input, const std::vector<int64_t> &axes,
                 bool keepDims);
Tensor reduceProd(const Tensor &input, const std::vector<int64_t> &axes,
                  bool keepDims);
/// Integer minimum and product (the caller keeps products in range).
IntTensor reduceMin(const IntTensor &input, const std::vector<int64_t> &axes,
                    bool keepDims);
IntTensor reduceProd(const IntTensor &input, const std::vector<int64_t> &axes,
                     bool keepDims);

/// The index of the largest (`isMax`) or smallest element along `axis`: the
/// first one, or the last with `selectLastIndex`; a NaN beats every number, as
/// in NumPy.
IntTensor argReduce(const Tensor &input, int64_t axis, bool keepDims,
                    bool isMax, bool selectLastIndex);
IntTensor argReduce(const IntTensor &input, int64_t axis, bool keepDims,
                    bool isMax, bool selectLastIndex);

/// Cumulative sums along `axis` (ONNX CumSum's exclusive and reverse).
Tensor cumulativeSum(const Tensor &input, int64_t axis, bool exclusive,
                     bool reverse);
IntTensor cumulativeSum(const IntTensor &input, int64_t axis, bool exclusive,
                        bool reverse);

/// The k best elements along `axis` and their indices, best first, equal
/// elements lowest index first; NaN is greater than every number.
struct TopKResult {
  Tensor values;
  IntTensor indices;
};
TopKResult topK(const Tensor &input, int64_t k, int64_t axis, bool largest);
struct IntTopKResult {
  IntTensor values;
  IntTensor indices;
};
IntTopKResult topK(const IntTensor &input, int64_t k, int64_t axis,
                   bool largest);

/// Geometry of a 2-D transposed convolution.
struct TransposedWindow {
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> padding = {0, 0, 0, 0}; // top, left, bottom, right
  std::vector<int64_t> dilations = {1, 1};
  std::vector<int64_t> outputPadding = {0, 0};
};

/// ONNX ConvTranspose on NCHW input and [C, F / groups, KH, KW] filter: every
/// input element adds input * filter to the output positions it reaches.
Tensor conv2dTranspose(const Tensor &input, const Tensor &filter,
                       const TransposedWindow &window, int64_t groups);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_REDUCTIONREFERENCE_H
