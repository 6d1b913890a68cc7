//===- shapeReference.h - Plain-loop references of the data movement ops --===//
//
// Slice, pad, broadcast_to, the gathers and scatters, and resize written as the
// obvious loops over row-major tensors, independently of the compiler: resize
// follows ONNX's reference implementation (recursive N-D interpolation,
// neighbours picked from an edge-padded copy) rather than Kiln's tap tables.
// Index semantics are the kiln ops' documented ones: negative indices count
// from the end; gathers clamp what is still out of range, scatters skip it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_SHAPEREFERENCE_H
#define KILN_TESTS_MODELS_SHAPEREFERENCE_H

#include "ReferenceOps.h"

#include <string>

namespace kiln::reference {

/// A dense row-major int64 tensor (indices).
struct IndexTensor {
  std::vector<int64_t> shape;
  std::vector<int64_t> data;
};

/// Element j of dim d is input element offsets[d] + j * steps[d].
Tensor slice(const Tensor &input, const std::vector<int64_t> &offsets,
             const std::vector<int64_t> &sizes,
             const std::vector<int64_t> &steps);

enum class PadMode { Constant, Reflect, Edge };
Tensor pad(const Tensor &input, const std::vector<int64_t> &low,
           const std::vector<int64_t> &high, PadMode mode, float value = 0);

Tensor broadcastTo(const Tensor &input, const std::vector<int64_t> &shape);

Tensor gather(const Tensor &data, const IndexTensor &indices, int64_t axis);
Tensor gatherElements(const Tensor &data, const IndexTensor &indices,
                      int64_t axis);
Tensor gatherND(const Tensor &data, const IndexTensor &indices,
                int64_t batchDims);

enum class ScatterReduction { None, Add, Mul };
Tensor scatterElements(const Tensor &data, const IndexTensor &indices,
                       const Tensor &updates, int64_t axis,
                       ScatterReduction reduction);
Tensor scatterND(const Tensor &data, const IndexTensor &indices,
                 const Tensor &updates, ScatterReduction reduction);

/// ONNX Resize attributes (opset 13 to 17).
struct ResizeOptions {
  std::string mode = "nearest";
  std::string transform = "half_pixel";
  std::string nearestMode = "round_prefer_floor";
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0;
  std::vector<double> roi; ///< starts, then ends (tf_crop_and_resize)
};
Tensor resize(const Tensor &input, const std::vector<int64_t> &sizes,
              const std::vector<double> &scales, const ResizeOptions &options);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_SHAPEREFERENCE_H
