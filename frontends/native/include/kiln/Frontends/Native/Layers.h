//===- Layers.h - Neural-network layers for the GraphBuilder --------------===//
//
// Layers are plain functions on GraphBuilder values. A layer with weights
// takes a name and creates its parameters under it ("conv1.weight",
// "conv1.bias"), with PyTorch's names, layouts and default initialization
// (seeded by GraphBuilder::seedFor), so that PyTorch weights load by name and
// a Kiln model starts like the same PyTorch model would. Layouts are PyTorch's
// too: images are NCHW, sequences [T, N, features] unless batch first.
//
//   mlir::Value y = native::conv2d(g, "conv1", x, 16, 3, /*stride=*/1,
//                                  /*padding=*/1);
//   y = native::maxPool2d(g, native::relu(g, y), 2);
//
// Every layer checks its input's shape and throws a BuildError naming the
// layer when it does not fit.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_NATIVE_LAYERS_H
#define KILN_FRONTENDS_NATIVE_LAYERS_H

#include "kiln/Frontends/Native/GraphBuilder.h"

#include <optional>
#include <vector>

namespace kiln::native {

/// A size per spatial dim of an image (height, width); one number means
/// both.
struct Size2 {
  Size2(int64_t both) : height(both), width(both) {}
  Size2(int64_t height, int64_t width) : height(height), width(width) {}
  int64_t height, width;
};

//===----------------------------------------------------------------------===//
// Linear layers and reshaping (Linear.cpp)
//===----------------------------------------------------------------------===//

/// y = x W^T + b over the last dim of `x` (rank 1 or more), as nn.Linear:
/// NAME.weight [outFeatures, inFeatures] and NAME.bias [outFeatures], both
/// uniform in +-1/sqrt(inFeatures).
mlir::Value linear(GraphBuilder &graph, llvm::StringRef name, mlir::Value x,
                   int64_t outFeatures, bool bias = true);

/// `x` with `shape` (the same element count, every dim 1 or more), e.g. an
/// LSTM's last hidden state [1, N, H] as [N, H].
mlir::Value reshape(GraphBuilder &graph, mlir::Value x,
                    llvm::ArrayRef<int64_t> shape);

/// Merges dims `startDim` to the last into one (nn.Flatten: [N, C, H, W] ->
/// [N, C*H*W] by default). A negative `startDim` counts from the end.
mlir::Value flatten(GraphBuilder &graph, mlir::Value x, int64_t startDim = 1);

//===----------------------------------------------------------------------===//
// Convolution and pooling (Convolution.cpp), on [N, C, H, W] images
//===----------------------------------------------------------------------===//

/// nn.Conv2d: NAME.weight [outChannels, C / groups, kh, kw] and NAME.bias
/// [outChannels], uniform in +-1/sqrt(C / groups * kh * kw). Zero padding on
/// both sides of each dim.
mlir::Value conv2d(GraphBuilder &graph, llvm::StringRef name, mlir::Value x,
                   int64_t outChannels, Size2 kernel, Size2 stride = 1,
                   Size2 padding = 0, int64_t groups = 1, bool bias = true,
                   Size2 dilation = 1);

/// nn.ConvTranspose2d: NAME.weight [C, outChannels / groups, kh, kw] and
/// NAME.bias [outChannels], uniform in +-1/sqrt(outChannels / groups * kh *
/// kw) (PyTorch computes the fan-in from the weight's dim 1). The output is
/// (H - 1) * stride - 2 * padding + kh + outputPadding high (width alike).
mlir::Value convTranspose2d(GraphBuilder &graph, llvm::StringRef name,
                            mlir::Value x, int64_t outChannels, Size2 kernel,
                            Size2 stride = 1, Size2 padding = 0,
                            Size2 outputPadding = 0, int64_t groups = 1,
                            bool bias = true);

/// nn.MaxPool2d: the maximum of each kernel window; `stride` defaults to the
/// kernel, padded positions never win.
mlir::Value maxPool2d(GraphBuilder &graph, mlir::Value x, Size2 kernel,
                      std::optional<Size2> stride = std::nullopt,
                      Size2 padding = 0);

//===----------------------------------------------------------------------===//
// Normalization (Normalization.cpp)
//===----------------------------------------------------------------------===//

enum class BatchNormMode {
  /// Normalize with the batch's own mean and (biased) variance per channel,
  /// computed in the graph, so training differentiates through them as
  /// PyTorch's training mode does. No running statistics are kept.
  Training,
  /// Normalize with fixed statistics (BatchNormOptions::runningMean and
  /// runningVariance, constants that training leaves alone).
  Inference,
};

struct BatchNormOptions {
  BatchNormMode mode = BatchNormMode::Training;
  double epsilon = 1e-5;
  /// Learn a scale and a shift per channel (NAME.weight, ones, and NAME.bias,
  /// zeros).
  bool affine = true;
  /// Inference only: one value per channel; empty means PyTorch's initial
  /// statistics (mean 0, variance 1).
  std::vector<float> runningMean, runningVariance;
};

/// nn.BatchNorm2d on [N, C, H, W]: (x - mean) / sqrt(variance + epsilon) per
/// channel, then times NAME.weight plus NAME.bias.
mlir::Value batchNorm2d(GraphBuilder &graph, llvm::StringRef name,
                        mlir::Value x, const BatchNormOptions &options = {});

//===----------------------------------------------------------------------===//
// Activations (Activation.cpp)
//===----------------------------------------------------------------------===//

mlir::Value relu(GraphBuilder &graph, mlir::Value x);
/// x > 0 ? x : alpha * x (the slope at 0 is alpha, as PyTorch's gradient).
mlir::Value leakyRelu(GraphBuilder &graph, mlir::Value x, double alpha = 0.01);
mlir::Value tanh(GraphBuilder &graph, mlir::Value x);
mlir::Value sigmoid(GraphBuilder &graph, mlir::Value x);
/// Softmax along `axis` (negative: from the end).
mlir::Value softmax(GraphBuilder &graph, mlir::Value x, int64_t axis = -1);

//===----------------------------------------------------------------------===//
// Recurrent layers (Recurrent.cpp)
//===----------------------------------------------------------------------===//

struct LstmOptions {
  int64_t numLayers = 1;
  /// The input and output are [N, T, features] instead of [T, N, features].
  bool batchFirst = false;
  bool bias = true;
  /// The first hidden and cell states, [numLayers, N, hidden] each; null
  /// values mean zeros.
  mlir::Value initialHidden, initialCell;
};

struct LstmResult {
  /// The last layer's hidden state at every step: [T, N, hidden] (or
  /// [N, T, hidden] with batchFirst).
  mlir::Value output;
  /// Every layer's last hidden and cell states, [numLayers, N, hidden].
  mlir::Value hidden, cell;
};

/// nn.LSTM, unrolled over the input's static number of steps T. Per layer l:
/// NAME.weight_ih_l<l> [4 * hidden, in], NAME.weight_hh_l<l> [4 * hidden,
/// hidden], NAME.bias_ih_l<l> and NAME.bias_hh_l<l> [4 * hidden], gates in
/// PyTorch's order (input, forget, cell, output), all uniform in
/// +-1/sqrt(hidden).
LstmResult lstm(GraphBuilder &graph, llvm::StringRef name, mlir::Value x,
                int64_t hiddenSize, const LstmOptions &options = {});

} // namespace kiln::native

#endif // KILN_FRONTENDS_NATIVE_LAYERS_H
