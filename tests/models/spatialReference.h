//===- spatialReference.h - Plain-loop references of the spatial family ---===//
//
// The independent references that the compiled spatial family is checked
// against, written as the obvious loops over row-major tensors (floats
// accumulate in double): N-D convolution (a gather over every window),
// transposed convolution (a scatter of every input element), N-D max and
// average pooling, max pooling with flat indices, PyTorch's grid_sample, ONNX
// Runtime's RoiAlign, the DFT as its defining sum with angles computed
// directly, and the determinant by the Leibniz formula (a sum over all
// permutations, so nothing is shared with the compiled LU decomposition).
// Nothing here shares code with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_SPATIALREFERENCE_H
#define KILN_TESTS_MODELS_SPATIALREFERENCE_H

#include "ReferenceOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::reference {

/// Window geometry of an N-D convolution or pooling; empty vectors mean 1 for
/// strides and dilations and 0 for padding (begins, then ends) and output
/// padding.
struct WindowND {
  std::vector<int64_t> strides, padding, dilations, outputPadding;
};

/// ONNX Conv: [N, C, D...] input, [F, C / groups, K...] filter.
Tensor convND(const Tensor &input, const Tensor &filter, const WindowND &window,
              int64_t groups);

/// The gradient of ONNX Conv's filter ([F, C / groups, K...], `kernel` the
/// K...) for its [N, C, D...] input and the [N, F, O...] gradient of its
/// output: the sum over the batch and the output positions of the output
/// gradient times the input each filter tap read.
Tensor convFilterGradientND(const Tensor &input, const Tensor &outputGradient,
                            const std::vector<int64_t> &kernel,
                            const WindowND &window, int64_t groups);

/// ONNX ConvTranspose: [N, C, D...] input, [C, F / groups, K...] filter.
Tensor convTransposeND(const Tensor &input, const Tensor &filter,
                       const WindowND &window, int64_t groups);

/// Max pooling with the flat index of each maximum (the first of equals in
/// row-major window order), as ONNX's MaxPool with its Indices output.
struct MaxPoolResult {
  Tensor values;
  std::vector<int64_t> indices;
};
MaxPoolResult maxPoolND(const Tensor &input, const std::vector<int64_t> &kernel,
                        const WindowND &window, bool ceilMode,
                        bool columnMajor);

/// Average pooling (PyTorch's divisor rules, as kiln.avg_pool).
Tensor avgPoolND(const Tensor &input, const std::vector<int64_t> &kernel,
                 const WindowND &window, bool ceilMode, bool countIncludePad);

/// PyTorch's grid_sample on [N, C, H, W] with an [N, HO, WO, 2] grid.
Tensor gridSample(const Tensor &input, const Tensor &grid,
                  const std::string &mode, const std::string &paddingMode,
                  bool alignCorners);

/// ONNX Runtime's RoiAlign.
struct RoiAlignAttributes {
  std::string mode = "avg";
  int64_t outputHeight = 1, outputWidth = 1, samplingRatio = 0;
  double spatialScale = 1.0;
  bool halfPixel = true;
};
Tensor roiAlign(const Tensor &input, const Tensor &rois,
                const std::vector<int64_t> &batchIndices,
                const RoiAlignAttributes &attributes);

/// The DFT along `axis` of real (last dim 1) or complex (last dim 2) signals.
Tensor dft(const Tensor &input, int64_t axis, bool inverse, bool onesided);

/// Determinants of [..., M, M] matrices by the Leibniz formula (small M only).
Tensor det(const Tensor &input);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_SPATIALREFERENCE_H
