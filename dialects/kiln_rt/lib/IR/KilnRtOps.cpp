//===- KilnRtOps.cpp - Verifiers and effects of the kiln_rt ops -----------===//

#include "kiln/Dialect/KilnRt/IR/KilnRtDialect.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace kiln::rt {

bool isKnownActivation(StringRef name) {
  return llvm::StringSwitch<bool>(name)
      .Cases({"none", "relu", "leaky_relu", "clip", "sigmoid", "tanh"}, true)
      .Default(false);
}

bool accumulatesIntoInit(Operation *op) {
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return conv.getAccumulate();
  if (auto matmul = dyn_cast<MatMulOp>(op))
    return matmul.getAccumulate();
  return false;
}

namespace {

/// Checks what every kiln_rt op needs: operands all tensors (one result, of
/// init's type) or all buffers (no result), a known activation, and no
/// residual beside an init the kernel accumulates into.
LogicalResult verifyKernelOp(Operation *op, Value init, TypeRange results,
                             StringRef activation, Value residual = {}) {
  if (residual && accumulatesIntoInit(op))
    return op->emitOpError("accumulates into init: it takes no residual");
  bool onTensors = isa<RankedTensorType>(init.getType());
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType>(operand.getType()) != onTensors)
      return op->emitOpError("takes tensors or buffers, not a mix of the two");
  if (onTensors && (results.size() != 1 || results[0] != init.getType()))
    return op->emitOpError("on tensors returns one result of init's type ")
           << init.getType();
  if (!onTensors && !results.empty())
    return op->emitOpError("on buffers returns nothing");
  if (!isKnownActivation(activation))
    return op->emitOpError("has unknown activation '") << activation << "'";
  return success();
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// Whether two dims can be equal (dynamic dims can be anything).
bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult checkRank(Operation *op, StringRef what, Value value,
                        int64_t rank) {
  if (static_cast<int64_t>(shapeOf(value).size()) != rank)
    return op->emitOpError() << what << " must have rank " << rank << ", not "
                             << shapeOf(value).size();
  return success();
}

/// Reads of every input operand (and of `init` when the kernel accumulates
/// into it) and a write of `init`, when on buffers.
void getKernelEffects(
    Operation *op, OpOperand &init,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (isa<RankedTensorType>(init.get().getType()))
    return; // pure on tensors
  bool accumulates = accumulatesIntoInit(op);
  for (OpOperand &operand : op->getOpOperands()) {
    if (&operand == &init && !accumulates)
      continue;
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
  }
  effects.emplace_back(MemoryEffects::Write::get(), &init,
                       SideEffects::DefaultResource::get());
}

/// The size of one spatial output dim of a convolution, or of a transposed
/// convolution, whose input has size `input` there (the kiln ops' formulas).
int64_t outputSize(bool transposed, int64_t input, int64_t kernel,
                   int64_t stride, int64_t padBegin, int64_t padEnd,
                   int64_t dilation, int64_t outputPadding) {
  int64_t extent = dilation * (kernel - 1) + 1;
  if (transposed)
    return (input - 1) * stride - padBegin - padEnd + extent + outputPadding;
  return llvm::divideFloorSigned(input + padBegin + padEnd - extent, stride) +
         1;
}

/// Checks the attributes both convolution ops have.
LogicalResult verifyConvAttributes(Operation *op, ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> dilations, int64_t groups,
                                   StringRef layout) {
  if (llvm::any_of(llvm::concat<const int64_t>(strides, dilations),
                   [](int64_t value) { return value < 1; }))
    return op->emitOpError("needs strides and dilations of at least 1");
  if (groups < 1)
    return op->emitOpError("needs at least one group");
  if (layout != "nchw" && layout != "nhwc")
    return op->emitOpError("has unknown layout '")
           << layout << "' (expected nchw or nhwc)";
  return success();
}

/// A 4-D activation's shape in NCHW order, whatever its layout.
SmallVector<int64_t> inNchw(ArrayRef<int64_t> shape, StringRef layout) {
  if (layout == "nchw")
    return SmallVector<int64_t>(shape);
  return {shape[0], shape[3], shape[1], shape[2]};
}

} // namespace

LogicalResult Conv2DOp::verify() {
  if (failed(verifyKernelOp(*this, getInit(), getResultTypes(), getActivation(),
                            getResidual())))
    return failure();
  if (failed(checkRank(*this, "input", getInput(), 4)) ||
      failed(checkRank(*this, "filter", getFilter(), 4)) ||
      failed(checkRank(*this, "init", getInit(), 4)))
    return failure();
  ArrayRef<int64_t> strides = getStrides(), padding = getPadding(),
                    dilations = getDilations(),
                    outputPadding = getOutputPadding();
  if (strides.size() != 2 || dilations.size() != 2 || padding.size() != 4 ||
      outputPadding.size() != 2)
    return emitOpError("needs 2 strides, 4 paddings, 2 dilations and 2 output "
                       "paddings");
  if (failed(verifyConvAttributes(*this, strides, dilations, getGroups(),
                                  getLayout())))
    return failure();
  if (!getTransposed() &&
      llvm::any_of(outputPadding, [](int64_t value) { return value != 0; }))
    return emitOpError("has output padding but is not transposed");
  SmallVector<int64_t> input = inNchw(shapeOf(getInput()), getLayout()),
                       output = inNchw(shapeOf(getInit()), getLayout());
  ArrayRef<int64_t> filter = shapeOf(getFilter());
  if (!compatible(input[0], output[0]))
    return emitOpError("init must have the batch of the input");
  // A filter is [F, C / groups, KH, KW], or [C, F / groups, KH, KW] when
  // transposed (as kiln.conv_transpose's and ONNX's).
  if (!getTransposed()) {
    if (!compatible(filter[0], output[1]))
      return emitOpError("init must have one channel per filter");
    if (!ShapedType::isDynamic(input[1]) && !ShapedType::isDynamic(filter[1]) &&
        input[1] != filter[1] * getGroups())
      return emitOpError("input channels ")
             << input[1] << " do not match " << getGroups()
             << " groups of filters with " << filter[1] << " channels";
  } else {
    if (!compatible(filter[0], input[1]))
      return emitOpError("transposed filter must have one row per input "
                         "channel");
    if (!ShapedType::isDynamic(input[1]) && input[1] % getGroups() != 0)
      return emitOpError("input channels ")
             << input[1] << " do not split into " << getGroups() << " groups";
    if (!ShapedType::isDynamic(output[1]) &&
        !ShapedType::isDynamic(filter[1]) &&
        output[1] != filter[1] * getGroups())
      return emitOpError("output channels ")
             << output[1] << " do not match " << getGroups()
             << " groups of transposed filters with " << filter[1]
             << " outputs";
  }
  for (int64_t dim = 0; dim < 2; ++dim) {
    int64_t in = input[2 + dim], kernel = filter[2 + dim],
            out = output[2 + dim];
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel) ||
        ShapedType::isDynamic(out))
      continue;
    int64_t expected =
        outputSize(getTransposed(), in, kernel, strides[dim], padding[dim],
                   padding[2 + dim], dilations[dim], outputPadding[dim]);
    if (out != expected)
      return emitOpError("init has ") << out << " positions in spatial dim "
                                      << dim << ", expected " << expected;
  }
  if (Value bias = getBias())
    if (shapeOf(bias).size() != 1 || !compatible(shapeOf(bias)[0], output[1]))
      return emitOpError("bias must be one value per output channel");
  if (Value residual = getResidual())
    if (failed(verifyCompatibleShape(shapeOf(residual), shapeOf(getInit()))))
      return emitOpError("residual must have the shape of the result");
  return success();
}

void Conv2DOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getKernelEffects(*this, getInitMutable(), effects);
}

LogicalResult Conv2DBackwardFilterOp::verify() {
  if (failed(verifyKernelOp(*this, getInit(), getResultTypes(), "none")))
    return failure();
  if (failed(checkRank(*this, "input", getInput(), 4)) ||
      failed(checkRank(*this, "output gradient", getOutputGradient(), 4)) ||
      failed(checkRank(*this, "init", getInit(), 4)))
    return failure();
  ArrayRef<int64_t> strides = getStrides(), padding = getPadding(),
                    dilations = getDilations();
  if (strides.size() != 2 || dilations.size() != 2 || padding.size() != 4)
    return emitOpError("needs 2 strides, 4 paddings and 2 dilations");
  if (failed(verifyConvAttributes(*this, strides, dilations, getGroups(),
                                  getLayout())))
    return failure();
  SmallVector<int64_t> input = inNchw(shapeOf(getInput()), getLayout()),
                       outGrad =
                           inNchw(shapeOf(getOutputGradient()), getLayout());
  ArrayRef<int64_t> filter = shapeOf(getInit());
  if (!compatible(input[0], outGrad[0]))
    return emitOpError("input and output gradient must have the same batch");
  if (!compatible(filter[0], outGrad[1]))
    return emitOpError("init must have one filter per output gradient channel");
  if (!ShapedType::isDynamic(input[1]) && !ShapedType::isDynamic(filter[1]) &&
      input[1] != filter[1] * getGroups())
    return emitOpError("input channels ")
           << input[1] << " do not match " << getGroups()
           << " groups of filters with " << filter[1] << " channels";
  if (!ShapedType::isDynamic(outGrad[1]) && outGrad[1] % getGroups() != 0)
    return emitOpError("output gradient channels ")
           << outGrad[1] << " do not split into " << getGroups() << " groups";
  for (int64_t dim = 0; dim < 2; ++dim) {
    int64_t in = input[2 + dim], kernel = filter[2 + dim],
            out = outGrad[2 + dim];
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel) ||
        ShapedType::isDynamic(out))
      continue;
    int64_t expected =
        outputSize(/*transposed=*/false, in, kernel, strides[dim], padding[dim],
                   padding[2 + dim], dilations[dim], /*outputPadding=*/0);
    if (out != expected)
      return emitOpError("output gradient has ")
             << out << " positions in spatial dim " << dim << ", expected "
             << expected;
  }
  return success();
}

void Conv2DBackwardFilterOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getKernelEffects(*this, getInitMutable(), effects);
}

LogicalResult MatMulOp::verify() {
  if (failed(verifyKernelOp(*this, getInit(), getResultTypes(), getActivation(),
                            getResidual())))
    return failure();
  // [M, K] x [K, N], or a batch of them: [B, M, K] x [B, K, N].
  int64_t rank = static_cast<int64_t>(shapeOf(getInit()).size());
  if (rank != 2 && rank != 3)
    return emitOpError("init must have rank 2 or 3, not ") << rank;
  if (failed(checkRank(*this, "lhs", getLhs(), rank)) ||
      failed(checkRank(*this, "rhs", getRhs(), rank)))
    return failure();
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs()),
                    output = shapeOf(getInit());
  if (rank == 3) {
    if (!compatible(lhs[0], rhs[0]) || !compatible(lhs[0], output[0]))
      return emitOpError("lhs, rhs and init must have the same batch");
    lhs = lhs.drop_front();
    rhs = rhs.drop_front();
    output = output.drop_front();
  }
  if (!compatible(lhs[1], rhs[0]))
    return emitOpError("lhs has ")
           << lhs[1] << " columns but rhs has " << rhs[0] << " rows";
  if (!compatible(lhs[0], output[0]) || !compatible(rhs[1], output[1]))
    return emitOpError("init must be [M, N] of lhs [M, K] and rhs [K, N]");
  if (Value bias = getBias())
    if (shapeOf(bias).size() != 1 || !compatible(shapeOf(bias)[0], output[1]))
      return emitOpError("bias must be one value per column");
  if (Value residual = getResidual())
    if (failed(verifyCompatibleShape(shapeOf(residual), output)))
      return emitOpError("residual must have the shape of the result");
  return success();
}

void MatMulOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getKernelEffects(*this, getInitMutable(), effects);
}

} // namespace kiln::rt

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnRt/IR/KilnRtOps.cpp.inc"
