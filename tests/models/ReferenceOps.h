//===- ReferenceOps.h - Plain-loop reference implementations of kiln ops --===//
//
// The independent reference that compiled code is checked against: each kiln op
// written as the obvious nested loops over row-major float tensors,
// accumulating in double. Nothing here shares code with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_REFERENCEOPS_H
#define KILN_TESTS_MODELS_REFERENCEOPS_H

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace kiln::reference {

/// A dense row-major float tensor.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> shape);
  Tensor(std::vector<int64_t> shape, std::vector<float> data);

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

/// Elements uniform in [low, high), from `engine`.
Tensor random(std::vector<int64_t> shape, std::mt19937 &engine,
              float low = -1.0f, float high = 1.0f);

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape);

Tensor binary(const Tensor &lhs, const Tensor &rhs,
              const std::function<double(double, double)> &fn);
Tensor unary(const Tensor &input, const std::function<double(double)> &fn);
Tensor matmul(const Tensor &lhs, const Tensor &rhs);

struct Window {
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> padding = {0, 0, 0, 0}; // top, left, bottom, right
  std::vector<int64_t> dilations = {1, 1};
};

Tensor conv2d(const Tensor &input, const Tensor &filter, const Window &window,
              int64_t groups);
Tensor maxPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 const Window &window, bool ceilMode);
Tensor avgPool2d(const Tensor &input, std::vector<int64_t> kernel,
                 const Window &window, bool ceilMode, bool countIncludePad);

Tensor reshape(const Tensor &input, std::vector<int64_t> shape);
Tensor transpose(const Tensor &input, const std::vector<int64_t> &permutation);
Tensor concat(const std::vector<Tensor> &inputs, int64_t axis);

enum class Reduction { Sum, Mean, Max };
Tensor reduce(const Tensor &input, const std::vector<int64_t> &axes,
              bool keepDims, Reduction kind);
Tensor softmax(const Tensor &input, int64_t axis);

} // namespace kiln::reference

#endif // KILN_TESTS_MODELS_REFERENCEOPS_H
