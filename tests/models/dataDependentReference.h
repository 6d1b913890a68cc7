//===- dataDependentReference.h - References of the data-dependent ops ----===//
//
// Plain-loop references for kiln.nonzero, kiln.compress and kiln.unique on
// row-major tensors. unique sorts the slices with std::stable_sort and finds
// first occurrences with a map from slice to index, so it shares no algorithm
// with the lowering (which compares every pair of slices). Nothing here shares
// code with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_DATADEPENDENTREFERENCE_H
#define KILN_TESTS_MODELS_DATADEPENDENTREFERENCE_H

#include "reductionReference.h"

#include <cstdint>
#include <vector>

namespace kiln::reference {

/// The coordinates of the nonzero elements, one column each ([rank, n]). NaN
/// is nonzero; -0.0 is zero.
IntTensor nonZero(const Tensor &input);
IntTensor nonZero(const IntTensor &input);

/// The slices along `axis` whose `condition` entry is true (the condition may
/// be shorter than the dim).
Tensor compress(const Tensor &input, const std::vector<bool> &condition,
                int64_t axis);

/// numpy.unique along `axis` with all four outputs: the distinct slices
/// (sorted ascending, lexicographically, or in order of first occurrence),
/// where each first occurs, each input slice's place among them, and how often
/// each occurs. NaN equals NaN and sorts last; -0.0 equals 0.0.
struct UniqueResult {
  Tensor values;
  IntTensor indices, inverse, counts;
};
UniqueResult unique(const Tensor &input, int64_t axis, bool sorted);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_DATADEPENDENTREFERENCE_H
