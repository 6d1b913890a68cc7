//===- quantReference.h - Plain-loop references of quantized and norm ops -===//
//
// ONNX's quantization, normalization and generator ops written as the obvious
// loops over row-major tensors, independently of the compiler. Integer results
// follow ONNX Runtime's kernels (int32 accumulators that wrap; requantization
// in float32, rounded half to even); the float references of the
// normalizations accumulate in double.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_QUANTREFERENCE_H
#define KILN_TESTS_MODELS_QUANTREFERENCE_H

#include <cstdint>
#include <vector>

namespace kiln::reference {

/// A dense row-major tensor of any element type, its values held as doubles:
/// exact for every 8- and 32-bit integer, for int64 up to 2^53, and for every
/// float32.
struct Values {
  std::vector<int64_t> shape;
  std::vector<double> data;

  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

/// The number of elements of `shape`.
int64_t elementCount(const std::vector<int64_t> &shape);

/// The range of a quantized type: [0, 255] for uint8, [-128, 127] for int8.
struct QuantizedRange {
  double low, high;
};
inline constexpr QuantizedRange kUint8Range{0, 255};
inline constexpr QuantizedRange kInt8Range{-128, 127};

/// ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zeroPoint), the
/// division in float32. `scale` and `zeroPoint` hold one value or one per
/// index of dim `axis`; an empty zeroPoint is 0.
Values quantizeLinear(const Values &x, const Values &scale,
                      const Values &zeroPoint, int64_t axis,
                      QuantizedRange range);

/// ONNX DequantizeLinear: (float(x) - float(zeroPoint)) * scale in float32.
Values dequantizeLinear(const Values &x, const Values &scale,
                        const Values &zeroPoint, int64_t axis);

/// (a - aZero) x (b - bZero) with an int32 accumulator that wraps. `a` is
/// [batch..., M, K], `b` is [K, N] or has a's batch dims; aZero holds one
/// value or one per row, bZero one or one per column (empty: 0).
Values matMulInteger(const Values &a, const Values &b, const Values &aZero,
                     const Values &bZero);

/// ONNX Runtime's requantization of an int32 accumulator: float(accumulator)
/// * multiplier in float32, rounded half to even, plus zero, saturated.
double requantize(double accumulator, float multiplier, double zero,
                  QuantizedRange range);

/// QLinearMatMul with per-tensor scales and zero points: the multiplier is
/// (aScale * bScale) / yScale in float32.
Values qlinearMatMul(const Values &a, float aScale, double aZero,
                     const Values &b, float bScale, double bZero, float yScale,
                     double yZero, QuantizedRange range);

/// A 2-D convolution's geometry (kiln order: padding top, left, bottom,
/// right).
struct ConvWindow {
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> padding = {0, 0, 0, 0};
  std::vector<int64_t> dilations = {1, 1};
  int64_t groups = 1;
};

/// ConvInteger of x [N, C, H, W] and w [M, C / groups, KH, KW] minus their
/// zero points (x: one value, w: one or one per output channel; empty: 0),
/// with an int32 accumulator; padded positions contribute nothing (they hold
/// the zero point).
Values convInteger(const Values &x, const Values &w, const Values &xZero,
                   const Values &wZero, const ConvWindow &window);

/// QLinearConv: convInteger plus the int32 bias (empty: none), requantized
/// with multiplier (xScale * wScale[m]) / yScale per output channel m.
Values qlinearConv(const Values &x, float xScale, const Values &xZero,
                   const Values &w, const std::vector<float> &wScale,
                   const Values &wZero, float yScale, double yZero,
                   const Values &bias, const ConvWindow &window,
                   QuantizedRange range);

/// (x - mean) / sqrt(var + epsilon) * scale[c] + bias[c], with mean and
/// population variance over the dims after the channel dim 1.
Values instanceNormalization(const Values &x, const Values &scale,
                             const Values &bias, double epsilon);

/// ONNX LRN over the channels (dim 1) of [N, C, ...].
Values lrn(const Values &x, int64_t size, double alpha, double beta,
           double bias);

/// Inference BatchNormalization: (x - mean[c]) / sqrt(var[c] + epsilon) *
/// scale[c] + bias[c].
Values batchNormalization(const Values &x, const Values &scale,
                          const Values &bias, const Values &mean,
                          const Values &variance, double epsilon);

/// Training BatchNormalization's outputs.
struct BatchNormTraining {
  Values y, runningMean, runningVariance;
};

/// Normalizes with the batch's mean and population variance (over every dim
/// but 1); running = input * momentum + batch * (1 - momentum).
BatchNormTraining batchNormalizationTraining(const Values &x,
                                             const Values &scale,
                                             const Values &bias,
                                             const Values &mean,
                                             const Values &variance,
                                             double epsilon, double momentum);

/// Trilu: keeps x[..., i, j] where j - i >= k (upper) or j - i <= k (lower).
Values trilu(const Values &x, int64_t k, bool upper);

/// EyeLike: 1 where j - i == k in a rows x columns matrix.
Values eyeLike(int64_t rows, int64_t columns, int64_t k);

/// OneHot: indices (truncated to integers; negative ones count from depth)
/// expanded with a depth-sized dim at `axis` (in [0, rank]) holding on where
/// the position equals the index and off elsewhere.
Values oneHot(const Values &indices, int64_t depth, int64_t axis, double off,
              double on);

/// ReverseSequence: the first lengths[b] steps along timeAxis of every batch
/// entry b (along batchAxis) reversed, the rest copied.
Values reverseSequence(const Values &x, const Values &lengths,
                       int64_t batchAxis, int64_t timeAxis);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_QUANTREFERENCE_H
