//===- SelectKernels.cpp - The kiln-select-kernels pass -------------------===//
//
// Chooses, per convolution (plain or transposed), convolution filter gradient
// and matrix product, between Kiln's generated loops and a oneDNN kernel of
// the runtime. A chosen op becomes a kiln_rt op that also absorbs the
// epilogue oneDNN can apply before the output leaves the cache: bias
// additions, one residual addition and one activation. The epilogue is
// matched on kiln ops (before lowering), where `conv + bias` is still one add
// of a per-channel tensor rather than a fused loop nest. Filter gradients
// (training steps) have no epilogue.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>
#include <type_traits>

namespace kiln {
#define GEN_PASS_DEF_KILNSELECTKERNELSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Whose kernels are selected: the CPU runtime's oneDNN ones, or the CUDA
/// backend's cuDNN and cuBLAS ones (NCHW, a smaller set of activations).
enum class KernelTarget { OneDnn, Cuda };

/// What a kernel applies after the product: the values it absorbs and the
/// last op of the chain, whose result the kernel's result replaces.
struct Epilogue {
  SmallVector<Value> biases; // each broadcast along the channel dim only
  Value residual;
  StringRef activation = "none";
  float alpha = 0.0f, beta = 0.0f;
  /// The absorbed ops, in order; each one is the only user of the previous.
  SmallVector<Operation *> chain;
};

bool isF32(Value value) {
  return cast<ShapedType>(value.getType()).getElementType().isF32();
}

/// The single op that uses `value`, or null.
Operation *soleUser(Value value) {
  if (!value.hasOneUse())
    return nullptr;
  return *value.getUsers().begin();
}

/// Whether `bias` broadcasts against a result of type `result` along the
/// channel dim `channelDim` only (e.g. [1, F, 1, 1] or [F, 1, 1] for NCHW,
/// [N] or [1, N] for a matrix).
bool isChannelBias(Value bias, RankedTensorType result, int64_t channelDim) {
  auto type = dyn_cast<RankedTensorType>(bias.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > result.getRank() ||
      type.getElementType() != result.getElementType())
    return false;
  int64_t leading = result.getRank() - type.getRank();
  if (leading > channelDim)
    return false;
  for (auto [index, size] : llvm::enumerate(type.getShape())) {
    int64_t dim = leading + static_cast<int64_t>(index);
    int64_t wanted = dim == channelDim ? result.getDimSize(channelDim) : 1;
    if (size != wanted)
      return false;
  }
  return true;
}

/// The value of a one-element f32 constant.
std::optional<float> scalarConstant(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || attr.getNumElements() != 1 ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return (*attr.getValues<APFloat>().begin()).convertToFloat();
}

/// The operand of binary `op` other than `value`.
Value otherOperand(Operation *op, Value value) {
  return op->getOperand(0) == value ? op->getOperand(1) : op->getOperand(0);
}

/// Follows single-use chains from `product`: per-channel adds and one
/// same-shaped add (the residual, with `allowResidual`), then one activation.
Epilogue matchEpilogue(Value product, int64_t channelDim,
                       KernelTarget target, bool allowResidual = true) {
  Epilogue epilogue;
  auto resultType = cast<RankedTensorType>(product.getType());
  Value current = product;
  while (Operation *user = soleUser(current)) {
    if (auto add = dyn_cast<AddOp>(user)) {
      if (add.getType() != resultType || add.getLhs() == add.getRhs())
        break;
      Value other = otherOperand(add, current);
      if (isChannelBias(other, resultType, channelDim) && !epilogue.residual)
        epilogue.biases.push_back(other);
      else if (allowResidual && other.getType() == resultType &&
               !epilogue.residual)
        epilogue.residual = other;
      else
        break;
    } else if (isa<ReluOp, SigmoidOp, TanhOp>(user)) {
      epilogue.activation = isa<ReluOp>(user)      ? "relu"
                            : isa<SigmoidOp>(user) ? "sigmoid"
                                                   : "tanh";
      epilogue.chain.push_back(user);
      return epilogue;
    } else if (auto max = dyn_cast<MaxOp>(user)) {
      // Clip(x, lo, hi) arrives as min(max(x, lo), hi); ReLU6 is one.
      std::optional<float> lower = scalarConstant(otherOperand(max, current));
      if (!lower || max.getType() != resultType)
        break;
      // cuDNN clips from 0 only (CUDNN_ACTIVATION_CLIPPED_RELU).
      if (target == KernelTarget::Cuda && *lower != 0.0f)
        break;
      epilogue.activation = "clip";
      epilogue.alpha = *lower;
      epilogue.beta = std::numeric_limits<float>::max();
      epilogue.chain.push_back(max);
      if (auto min = dyn_cast_or_null<MinOp>(soleUser(max.getResult())))
        if (std::optional<float> upper =
                scalarConstant(otherOperand(min, max.getResult()));
            upper && min.getType() == resultType && *upper >= *lower) {
          epilogue.beta = *upper;
          epilogue.chain.push_back(min);
        }
      return epilogue;
    } else {
      break;
    }
    epilogue.chain.push_back(user);
    current = user->getResult(0);
  }
  return epilogue;
}

/// The sum of the epilogue's biases as a 1-D tensor of `channels` values, or
/// null when there are none.
Value buildBias(OpBuilder &builder, Location loc, ArrayRef<Value> biases,
                int64_t channels) {
  Value sum;
  for (Value bias : biases) {
    Value flat = bias;
    if (cast<RankedTensorType>(bias.getType()).getRank() != 1)
      flat = ReshapeOp::create(builder, loc, bias,
                               builder.getDenseI64ArrayAttr({channels}));
    sum = sum ? Value(AddOp::create(builder, loc, sum, flat)) : flat;
  }
  return sum;
}

/// An empty tensor of `type` whose leading dim, if dynamic, is that of
/// `source`.
Value buildInit(OpBuilder &builder, Location loc, RankedTensorType type,
                Value source) {
  SmallVector<Value> dynamicSizes;
  if (type.isDynamicDim(0))
    dynamicSizes.push_back(tensor::DimOp::create(builder, loc, source, 0));
  return tensor::EmptyOp::create(builder, loc, type.getShape(),
                                 type.getElementType(), dynamicSizes);
}

/// The `accumulate` attribute of a kernel whose init is `residual`, if any.
/// A kernel adds a residual into it rather than reading it from another
/// buffer: bufferization reuses the residual's buffer for the result when
/// nothing reads it later (ResNet's shortcuts), and oneDNN's kernels for a
/// sum post-op are faster than for a binary addition (ResNet-50's residual
/// 1x1 convolutions took 0.50-0.71 ms in jit_1x1 against 0.44-0.54 in
/// brgconv_1x1, 2 ms of 38 in all); cuDNN and cuBLAS add into their output
/// either way, now without copying the residual there first.
UnitAttr accumulateAttr(OpBuilder &builder, Value residual) {
  return residual ? builder.getUnitAttr() : UnitAttr();
}

/// Static everywhere except possibly the leading (batch or row) dim.
bool staticBeyondLeading(Value value) {
  ArrayRef<int64_t> shape = cast<ShapedType>(value.getType()).getShape();
  return llvm::none_of(shape.drop_front(), ShapedType::isDynamic);
}

/// Replaces `op` and its epilogue by the kernel op `build` creates at the
/// epilogue's last op (where every absorbed operand is defined).
template <typename Build>
void replaceWithKernel(Operation *op, const Epilogue &epilogue, Build build) {
  Operation *last = epilogue.chain.empty() ? op : epilogue.chain.back();
  OpBuilder builder(last);
  Value kernel = build(builder);
  last->getResult(0).replaceAllUsesWith(kernel);
  // Each op of the chain was the only user of the one before: erase them
  // from the end.
  for (Operation *absorbed : llvm::reverse(epilogue.chain))
    absorbed->erase();
  op->erase();
}

/// `value` with its dims permuted (kiln.transpose).
Value transpose(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> permutation) {
  return TransposeOp::create(builder, loc, value,
                             builder.getDenseI64ArrayAttr(permutation));
}

constexpr int64_t kToNhwc[] = {0, 2, 3, 1};
constexpr int64_t kToNchw[] = {0, 3, 1, 2};

/// Replaces a 2-D f32 convolution or transposed convolution (static beyond
/// the batch) and its epilogue by a kiln_rt.conv2d.
template <typename ConvOpTy>
void selectConvolution(ConvOpTy conv, KernelTarget target) {
  constexpr bool transposed = std::is_same_v<ConvOpTy, ConvTransposeOp>;
  auto inputType = cast<RankedTensorType>(conv.getInput().getType());
  auto resultType = cast<RankedTensorType>(conv.getType());
  if (inputType.getRank() != 4 || !isF32(conv.getInput()) ||
      !staticBeyondLeading(conv.getInput()) ||
      !cast<RankedTensorType>(conv.getFilter().getType()).hasStaticShape() ||
      !staticBeyondLeading(conv.getResult()))
    return;
  SmallVector<int64_t> strides = conv.getSpatialStrides(),
                       padding = conv.getSpatialPadding(),
                       outputPadding = {0, 0};
  if constexpr (transposed) {
    outputPadding = conv.getSpatialOutputPadding();
    // oneDNN checks a transposed convolution as the convolution it inverts,
    // whose end padding (ours minus the output padding) must exceed -stride.
    for (int64_t dim = 0; dim < 2; ++dim)
      if (padding[2 + dim] - outputPadding[dim] <= -strides[dim])
        return;
  }
  // oneDNN's transposed convolutions (its backward-data kernels) apply a
  // residual as a binary post-op 3 to 7 times slower than the convolution
  // itself (ResNet-18's input gradients in training: 18.9 ms against 2.8 ms
  // for a 64-channel 3x3 at 28x28, batch 8): the generated loops add it.
  // cuDNN's backward-data kernels accumulate into their output at no cost.
  Epilogue epilogue =
      matchEpilogue(conv.getResult(), /*channelDim=*/1, target,
                    /*allowResidual=*/!transposed ||
                        target == KernelTarget::Cuda);
  // The kernel works in NHWC, which oneDNN's direct convolutions (and the
  // backward-data ones behind its transposed convolutions) read and write
  // without reordering. The transposes around it cancel between consecutive
  // convolutions when canonicalized; only those at the edges of a chain of
  // convolutions remain. cuDNN's fp32 kernels take NCHW as it is.
  bool nhwc = target == KernelTarget::OneDnn;
  replaceWithKernel(conv, epilogue, [&](OpBuilder &builder) -> Value {
    Location loc = conv.getLoc();
    Value bias =
        buildBias(builder, loc, epilogue.biases, resultType.getDimSize(1));
    auto toKernelLayout = [&](Value value) {
      return nhwc ? transpose(builder, loc, value, kToNhwc) : value;
    };
    Value input = toKernelLayout(conv.getInput());
    ArrayRef<int64_t> shape = resultType.getShape();
    auto kernelType =
        nhwc ? RankedTensorType::get({shape[0], shape[2], shape[3], shape[1]},
                                     resultType.getElementType())
             : resultType;
    // A residual is where the kernel accumulates (see accumulateAttr).
    Value init = epilogue.residual ? toKernelLayout(epilogue.residual)
                                   : buildInit(builder, loc, kernelType, input);
    Value result =
        rt::Conv2DOp::create(
            builder, loc, TypeRange{kernelType}, input, conv.getFilter(), bias,
            /*residual=*/Value(), init, builder.getDenseI64ArrayAttr(strides),
            builder.getDenseI64ArrayAttr(padding),
            builder.getDenseI64ArrayAttr(conv.getSpatialDilations()),
            builder.getI64IntegerAttr(conv.getGroups()),
            transposed ? builder.getUnitAttr() : UnitAttr(),
            builder.getDenseI64ArrayAttr(outputPadding),
            builder.getStringAttr(nhwc ? "nhwc" : "nchw"),
            accumulateAttr(builder, epilogue.residual),
            builder.getStringAttr(epilogue.activation),
            builder.getF32FloatAttr(epilogue.alpha),
            builder.getF32FloatAttr(epilogue.beta))
            .getOperation()
            ->getResult(0);
    return nhwc ? transpose(builder, loc, result, kToNchw) : result;
  });
}

/// Replaces a 2-D f32 convolution filter gradient (its input and output
/// gradient static beyond the batch) by a kiln_rt.conv2d_backward_filter on
/// oneDNN's backward-weights kernel. Like the convolution kernels it reads its
/// activations in NHWC: the input is the forward kernel's (the transposes
/// cancel where it comes from another kernel, and are the same op as the
/// forward kernel's otherwise), the output gradient the one the input
/// gradient's kernel reads. The result is the plain [F, C / groups, KH, KW]
/// filter gradient.
void selectFilterGradient(ConvFilterGradientOp op, KernelTarget target) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  if (inputType.getRank() != 4 || !isF32(op.getInput()) ||
      !staticBeyondLeading(op.getInput()) ||
      !staticBeyondLeading(op.getOutputGradient()) ||
      !resultType.hasStaticShape())
    return;
  OpBuilder builder(op);
  Location loc = op.getLoc();
  bool nhwc = target == KernelTarget::OneDnn;
  Value input = nhwc ? transpose(builder, loc, op.getInput(), kToNhwc)
                     : op.getInput();
  Value outGrad = nhwc
                      ? transpose(builder, loc, op.getOutputGradient(), kToNhwc)
                      : op.getOutputGradient();
  Value init = tensor::EmptyOp::create(builder, loc, resultType.getShape(),
                                       resultType.getElementType());
  Value result = rt::Conv2DBackwardFilterOp::create(
                     builder, loc, TypeRange{resultType}, input, outGrad, init,
                     builder.getDenseI64ArrayAttr(op.getSpatialStrides()),
                     builder.getDenseI64ArrayAttr(op.getSpatialPadding()),
                     builder.getDenseI64ArrayAttr(op.getSpatialDilations()),
                     builder.getI64IntegerAttr(op.getGroups()),
                     builder.getStringAttr(nhwc ? "nhwc" : "nchw"))
                     .getOperation()
                     ->getResult(0);
  op.getResult().replaceAllUsesWith(result);
  op->erase();
}

/// A kiln_rt.matmul of `type` into a fresh init, or accumulating into
/// `residual`, with `epilogue`'s activation.
Value buildMatMulKernel(OpBuilder &builder, Location loc, RankedTensorType type,
                        Value lhs, Value rhs, Value bias, Value residual,
                        const Epilogue &epilogue) {
  Value init = residual ? residual : buildInit(builder, loc, type, lhs);
  return rt::MatMulOp::create(builder, loc, TypeRange{type}, lhs, rhs, bias,
                              /*residual=*/Value(), init,
                              accumulateAttr(builder, residual),
                              builder.getStringAttr(epilogue.activation),
                              builder.getF32FloatAttr(epilogue.alpha),
                              builder.getF32FloatAttr(epilogue.beta))
      .getOperation()
      ->getResult(0);
}

/// `value` reshaped to `shape`, where -1 stands for the leading dim that is
/// known only at run time.
Value reshape(OpBuilder &builder, Location loc, Value value,
              ArrayRef<int64_t> shape) {
  return ReshapeOp::create(builder, loc, value,
                           builder.getDenseI64ArrayAttr(shape));
}

/// Products of a [..., M, K] tensor (static beyond its leading dim) with a
/// static [K, N] matrix, which is what Linear layers on sequences export to:
/// the kernel sees [rows, K] x [K, N], the leading dims folded into the rows.
void selectMatMul(MatMulOp matmul, KernelTarget target) {
  auto resultType = cast<RankedTensorType>(matmul.getType());
  auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(matmul.getRhs().getType());
  int64_t rank = resultType.getRank();
  if (rank < 2 || lhsType.getRank() != rank || !isF32(matmul.getLhs()) ||
      rhsType.getRank() != 2 || !rhsType.hasStaticShape() ||
      !staticBeyondLeading(matmul.getLhs()))
    return;
  Epilogue epilogue = matchEpilogue(matmul.getResult(), rank - 1, target);
  replaceWithKernel(matmul, epilogue, [&](OpBuilder &builder) -> Value {
    Location loc = matmul.getLoc();
    int64_t inner = rhsType.getDimSize(0), columns = rhsType.getDimSize(1);
    int64_t rows = ShapedType::kDynamic;
    if (lhsType.hasStaticShape())
      rows = lhsType.getNumElements() / std::max<int64_t>(inner, 1);
    auto flatType =
        RankedTensorType::get({rows, columns}, resultType.getElementType());
    auto flatten = [&](Value value, int64_t width) {
      if (rank == 2)
        return value;
      return reshape(builder, loc, value,
                     {ShapedType::isDynamic(rows) ? -1 : rows, width});
    };
    Value lhs = flatten(matmul.getLhs(), inner);
    Value residual =
        epilogue.residual ? flatten(epilogue.residual, columns) : Value();
    Value bias = buildBias(builder, loc, epilogue.biases, columns);
    Value result = buildMatMulKernel(builder, loc, flatType, lhs,
                                     matmul.getRhs(), bias, residual, epilogue);
    if (rank == 2)
      return result;
    SmallVector<int64_t> shape(resultType.getShape());
    if (ShapedType::isDynamic(shape[0]))
      shape[0] = -1;
    return reshape(builder, loc, result, shape);
  });
}

/// Batched products of static [..., M, K] and [..., K, N] tensors with the
/// same leading dims (attention's QK^T and AV): one kernel over the leading
/// dims folded into a batch.
void selectBatchedMatMul(MatMulOp matmul, KernelTarget target) {
  auto resultType = cast<RankedTensorType>(matmul.getType());
  auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(matmul.getRhs().getType());
  int64_t rank = resultType.getRank();
  if (rank < 3 || lhsType.getRank() != rank || rhsType.getRank() != rank ||
      !isF32(matmul.getLhs()) || !lhsType.hasStaticShape() ||
      !rhsType.hasStaticShape() ||
      lhsType.getShape().drop_back(2) != rhsType.getShape().drop_back(2))
    return;
  Epilogue epilogue = matchEpilogue(matmul.getResult(), rank - 1, target);
  replaceWithKernel(matmul, epilogue, [&](OpBuilder &builder) -> Value {
    Location loc = matmul.getLoc();
    int64_t batch = 1;
    for (int64_t size : lhsType.getShape().drop_back(2))
      batch *= size;
    int64_t rows = lhsType.getDimSize(rank - 2),
            inner = lhsType.getDimSize(rank - 1),
            columns = rhsType.getDimSize(rank - 1);
    auto fold = [&](Value value, int64_t height, int64_t width) {
      return reshape(builder, loc, value, {batch, height, width});
    };
    Value lhs = fold(matmul.getLhs(), rows, inner);
    Value rhs = fold(matmul.getRhs(), inner, columns);
    Value residual =
        epilogue.residual ? fold(epilogue.residual, rows, columns) : Value();
    Value bias = buildBias(builder, loc, epilogue.biases, columns);
    auto batchedType = RankedTensorType::get({batch, rows, columns},
                                             resultType.getElementType());
    Value result = buildMatMulKernel(builder, loc, batchedType, lhs, rhs, bias,
                                     residual, epilogue);
    return reshape(builder, loc, result, resultType.getShape());
  });
}

/// concat(transpose(a, p), transpose(b, p), ...) = transpose(concat(a, b,
/// ...), p) with the axis mapped through p: one layout change instead of one
/// per input. SqueezeNet's fire modules concatenate the NHWC outputs of two
/// convolution kernels, which then stay NHWC for the next one.
struct ConcatOfTransposes : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> sources;
    ArrayRef<int64_t> permutation;
    for (Value input : concat.getInputs()) {
      auto transpose = input.getDefiningOp<TransposeOp>();
      if (!transpose || !transpose->hasOneUse() ||
          (!permutation.empty() && transpose.getPermutation() != permutation))
        return failure();
      permutation = transpose.getPermutation();
      sources.push_back(transpose.getInput());
    }
    if (sources.size() < 2)
      return failure();
    int64_t axis = permutation[concat.getAxis()];
    auto joined = ConcatOp::create(rewriter, concat.getLoc(), sources,
                                   rewriter.getI64IntegerAttr(axis));
    rewriter.replaceOpWithNewOp<TransposeOp>(
        concat, concat.getType(), joined.getResult(),
        rewriter.getDenseI64ArrayAttr(permutation));
    return success();
  }
};

/// reduce(transpose(x, p), axes) with kept dims = transpose(reduce(x,
/// p[axes]), p): the global average pooling after the last convolution
/// kernel reduces the NHWC tensor and transposes only the small result.
template <typename ReduceOpTy>
struct ReduceOfTranspose : OpRewritePattern<ReduceOpTy> {
  using OpRewritePattern<ReduceOpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(ReduceOpTy reduce,
                                PatternRewriter &rewriter) const override {
    auto transpose = reduce.getInput().template getDefiningOp<TransposeOp>();
    if (!transpose || !transpose->hasOneUse() || !reduce.getKeepDims())
      return failure();
    ArrayRef<int64_t> permutation = transpose.getPermutation();
    int64_t rank = static_cast<int64_t>(permutation.size());
    SmallVector<int64_t> axes;
    for (int64_t axis : reduce.getAxes())
      axes.push_back(permutation[axis < 0 ? axis + rank : axis]);
    llvm::sort(axes);
    auto reduced = ReduceOpTy::create(
        rewriter, reduce.getLoc(), transpose.getInput(),
        rewriter.getDenseI64ArrayAttr(axes), rewriter.getBoolAttr(true));
    rewriter.replaceOpWithNewOp<TransposeOp>(
        reduce, reduce.getType(), reduced.getResult(),
        rewriter.getDenseI64ArrayAttr(permutation));
    return success();
  }
};

struct SelectKernelsPass : impl::KilnSelectKernelsPassBase<SelectKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (kernels != "auto" && kernels != "onednn" && kernels != "codegen" &&
        kernels != "cuda") {
      getOperation().emitError()
          << "kiln-select-kernels: unknown kernels '" << kernels
          << "' (expected auto, onednn, cuda or codegen)";
      return signalPassFailure();
    }
    // On x86 oneDNN's JIT kernels beat the generated loops for every op it
    // takes, so `auto` currently chooses it wherever it can.
    if (kernels == "codegen")
      return;
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<ConvOp, ConvTransposeOp, ConvFilterGradientOp, MatMulOp>(op))
        candidates.push_back(op);
    });
    KernelTarget target = kernels == "cuda" ? KernelTarget::Cuda
                                            : KernelTarget::OneDnn;
    for (Operation *op : candidates) {
      if (auto conv = dyn_cast<ConvOp>(op))
        selectConvolution(conv, target);
      else if (auto filterGradient = dyn_cast<ConvFilterGradientOp>(op))
        selectFilterGradient(filterGradient, target);
      else if (auto convTranspose = dyn_cast<ConvTransposeOp>(op))
        selectConvolution(convTranspose, target);
      else if (cast<RankedTensorType>(cast<MatMulOp>(op).getRhs().getType())
                   .getRank() == 2)
        selectMatMul(cast<MatMulOp>(op), target);
      else
        selectBatchedMatMul(cast<MatMulOp>(op), target);
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<ConcatOfTransposes, ReduceOfTranspose<ReduceMeanOp>,
                 ReduceOfTranspose<ReduceMaxOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
