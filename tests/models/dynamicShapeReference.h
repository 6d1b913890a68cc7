//===- dynamicShapeReference.h - ONNX shape ops with run-time operands ----===//
//
// Plain-loop references of the ONNX ops whose shape-like inputs Kiln reads at
// run time (KilnDynamicShapeOps.td): Reshape, Unsqueeze, Squeeze, Expand, Tile,
// Slice, Split, Pad, Range, ReduceSum and CumSum, and Dropout's random
// numbers, written from the ONNX
// operator specification (opset 17) over row-major float tensors, with the
// shape-like operands as plain integer lists. Independent of the compiler:
// nothing here is shared with the lowering's scalar code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_DYNAMICSHAPEREFERENCE_H
#define KILN_TESTS_MODELS_DYNAMICSHAPEREFERENCE_H

#include "ReferenceOps.h"

#include <string>

namespace kiln::reference {

/// ONNX Reshape: a 0 entry copies the input dim (unless `allowZero`), one -1
/// is inferred from the element count. The data is unchanged.
Tensor onnxReshape(const Tensor &input, const std::vector<int64_t> &shape,
                   bool allowZero);

/// ONNX Unsqueeze: dims of size 1 at `axes` (negative ones count from the end
/// of the result).
Tensor unsqueeze(const Tensor &input, const std::vector<int64_t> &axes);

/// ONNX Squeeze: removes the dims (of size 1) at `axes`.
Tensor squeeze(const Tensor &input, const std::vector<int64_t> &axes);

/// ONNX Expand: NumPy broadcast of `input` and `shape`.
Tensor expand(const Tensor &input, const std::vector<int64_t> &shape);

/// ONNX Tile: dim d repeated repeats[d] times.
Tensor tile(const Tensor &input, const std::vector<int64_t> &repeats);

/// ONNX Slice, with its clamping of starts and ends.
Tensor onnxSlice(const Tensor &input, const std::vector<int64_t> &starts,
                 const std::vector<int64_t> &ends,
                 const std::vector<int64_t> &axes,
                 const std::vector<int64_t> &steps);

/// ONNX Split into parts of `sizes` along `axis`.
std::vector<Tensor> split(const Tensor &input,
                          const std::vector<int64_t> &sizes, int64_t axis);

/// ONNX Pad: `pads` is all the amounts before each dim, then all those after;
/// negative amounts remove elements (before the others pad, as Kiln's static
/// Pad slices first). `mode` is "constant", "reflect" or "edge"; reflect pads
/// are smaller than what is left of the dim.
Tensor onnxPad(const Tensor &input, const std::vector<int64_t> &pads,
               const std::string &mode, float value);

/// ONNX Range in float32: start + i * delta for
/// i < max(ceil((limit - start) / delta), 0).
Tensor range(float start, float limit, float delta);

/// ONNX ReduceSum with keepdims over `axes` (negative ones count from the end).
Tensor reduceSumKeepDims(const Tensor &input, const std::vector<int64_t> &axes);

/// ONNX CumSum along `axis` (negative counts from the end).
Tensor cumSum(const Tensor &input, int64_t axis, bool exclusive, bool reverse);

/// `count` draws of NumPy's legacy RandomState(seed).random_sample(), from
/// the standard library's MT19937 (std::mt19937 seeds as NumPy does).
std::vector<double> numpyRandomSample(uint32_t seed, int64_t count);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_DYNAMICSHAPEREFERENCE_H
