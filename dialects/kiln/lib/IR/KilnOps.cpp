//===- KilnOps.cpp - Type inference and verification of kiln ops ----------===//
//
// Each op's result type is inferred from its operands and attributes; the same
// code verifies hand-written IR (a declared result type must be compatible with
// the inferred one: equal, or one of each pair of dims dynamic). Errors name
// the offending operand, attribute or dimension.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Shared shape rules
//===----------------------------------------------------------------------===//

FailureOr<int64_t>
kiln::computeWindowedOutputSize(int64_t input, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(input) || ShapedType::isDynamic(kernel))
    return kDynamic;
  // Attributes can hold any int64: a window or padding too large to compute
  // fits nothing.
  int64_t effectiveKernel, padded;
  if (llvm::MulOverflow(dilation, kernel - 1, effectiveKernel) ||
      llvm::AddOverflow(effectiveKernel, int64_t(1), effectiveKernel) ||
      llvm::AddOverflow(input, padBegin, padded) ||
      llvm::AddOverflow(padded, padEnd, padded))
    return failure();
  if (padded < effectiveKernel)
    return failure();
  int64_t span = padded - effectiveKernel;
  int64_t output =
      (ceilMode ? llvm::divideCeil(span, stride) : span / stride) + 1;
  // In ceil mode the last window must start inside the input or its leading
  // padding.
  if (ceilMode && (output - 1) * stride >= input + padBegin)
    --output;
  return output;
}

FailureOr<SmallVector<int64_t>> kiln::broadcastShapes(ArrayRef<int64_t> lhs,
                                                      ArrayRef<int64_t> rhs) {
  SmallVector<int64_t> result;
  if (!OpTrait::util::getBroadcastedShape(lhs, rhs, result))
    return failure();
  return result;
}

/// Declared result types are compatible with inferred ones when element types
/// match and shapes agree wherever both are static.
static bool areCompatibleTensorTypes(TypeRange declared, TypeRange inferred) {
  if (declared.size() != inferred.size())
    return false;
  for (auto [a, b] : llvm::zip(declared, inferred)) {
    if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
      return false;
    if (failed(verifyCompatibleShape(a, b)))
      return false;
  }
  return true;
}

static std::string shapeToString(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

static RankedTensorType rankedType(Value value) {
  return dyn_cast<RankedTensorType>(value.getType());
}

/// Checks that an i64 array attribute has `size` entries, each at least
/// `minimum`.
static LogicalResult checkArray(std::optional<Location> loc, StringRef opName,
                                StringRef attrName, ArrayRef<int64_t> values,
                                size_t size, int64_t minimum) {
  if (values.size() != size)
    return emitOptionalError(loc, opName, " '", attrName, "' must have ", size,
                             " entries, got ", values.size());
  for (int64_t value : values)
    if (value < minimum)
      return emitOptionalError(loc, opName, " '", attrName,
                               "' entries must be at least ", minimum, ", got ",
                               value);
  return success();
}

#define KILN_COMPATIBLE_RETURN_TYPES(OpClass)                                  \
  bool OpClass::isCompatibleReturnTypes(TypeRange l, TypeRange r) {            \
    return areCompatibleTensorTypes(l, r);                                     \
  }

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOpError("value must be a tensor of static shape, got ")
           << getValue().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBinary(std::optional<Location> loc, StringRef opName,
                                 Value lhs, Value rhs,
                                 SmallVectorImpl<Type> &inferred) {
  auto lhsType = rankedType(lhs), rhsType = rankedType(rhs);
  if (!lhsType || !rhsType)
    return emitOptionalError(loc, opName, " operands must be ranked tensors");
  auto shape = broadcastShapes(lhsType.getShape(), rhsType.getShape());
  if (failed(shape))
    return emitOptionalError(loc, opName, " operand shapes ",
                             shapeToString(lhsType.getShape()), " and ",
                             shapeToString(rhsType.getShape()),
                             " are not broadcast-compatible");
  inferred.push_back(RankedTensorType::get(*shape, lhsType.getElementType()));
  return success();
}

#define KILN_BINARY_OP(OpClass)                                                \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBinary(loc, getOperationName(), adaptor.getLhs(),              \
                       adaptor.getRhs(), inferred);                            \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_BINARY_OP(AddOp)
KILN_BINARY_OP(SubOp)
KILN_BINARY_OP(MulOp)
KILN_BINARY_OP(DivOp)

//===----------------------------------------------------------------------===//
// SoftmaxOp (unary ops infer their type through SameOperandsAndResultType)
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank
                                << " (must be in [0, rank))";
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhsType = rankedType(adaptor.getLhs()),
       rhsType = rankedType(adaptor.getRhs());
  if (!lhsType || !rhsType)
    return emitOptionalError(loc,
                             "kiln.matmul operands must be ranked tensors");
  if (lhsType.getRank() < 2 || rhsType.getRank() < 2)
    return emitOptionalError(
        loc, "kiln.matmul operands must have rank 2 or more, got ",
        lhsType.getRank(), " and ", rhsType.getRank());
  ArrayRef<int64_t> lhs = lhsType.getShape(), rhs = rhsType.getShape();
  int64_t lhsK = lhs.back(), rhsK = rhs[rhs.size() - 2];
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return emitOptionalError(loc, "kiln.matmul contraction sizes differ: lhs ",
                             shapeToString(lhs), " has K = ", lhsK, ", rhs ",
                             shapeToString(rhs), " has K = ", rhsK);
  auto batch = broadcastShapes(lhs.drop_back(2), rhs.drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "kiln.matmul batch dimensions of ",
                             shapeToString(lhs), " and ", shapeToString(rhs),
                             " are not broadcast-compatible");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(lhs[lhs.size() - 2]);
  shape.push_back(rhs.back());
  inferred.push_back(RankedTensorType::get(shape, lhsType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(MatMulOp)

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.conv2d";
  auto inputType = rankedType(adaptor.getInput());
  auto filterType = rankedType(adaptor.getFilter());
  if (!inputType || !filterType || inputType.getRank() != 4 ||
      filterType.getRank() != 4)
    return emitOptionalError(
        loc, name, " expects a rank-4 NCHW input and a rank-4 FCHW filter");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    padding = adaptor.getPadding(),
                    dilations = adaptor.getDilations();
  if (failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, name, "dilations", dilations, 2, 1)))
    return failure();
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return emitOptionalError(loc, name, " groups must be at least 1, got ",
                             groups);

  ArrayRef<int64_t> in = inputType.getShape(), filter = filterType.getShape();
  if (!ShapedType::isDynamic(in[1]) && !ShapedType::isDynamic(filter[1])) {
    int64_t expectedChannels;
    if (llvm::MulOverflow(filter[1], groups, expectedChannels))
      return emitOptionalError(loc, name, " input has ", in[1],
                               " channels but the filter expects ", filter[1],
                               " x ", groups, " groups, which overflows int64");
    if (in[1] != expectedChannels)
      return emitOptionalError(loc, name, " input has ", in[1],
                               " channels but the filter expects ", filter[1],
                               " x ", groups, " groups = ", expectedChannels);
  }
  if (!ShapedType::isDynamic(filter[0]) && filter[0] % groups != 0)
    return emitOptionalError(loc, name, " ", filter[0],
                             " filters cannot be split into ", groups,
                             " groups");

  SmallVector<int64_t> shape = {in[0], filter[0]};
  for (int i = 0; i < 2; ++i) {
    auto size =
        computeWindowedOutputSize(in[2 + i], filter[2 + i], strides[i],
                                  dilations[i], padding[i], padding[2 + i],
                                  /*ceilMode=*/false);
    if (failed(size))
      return emitOptionalError(loc, name, " filter ", shapeToString(filter),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(Conv2DOp)

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult inferPool2D(std::optional<Location> loc, StringRef name,
                                 Value input, ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> padding,
                                 ArrayRef<int64_t> dilations, bool ceilMode,
                                 SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(input);
  if (!inputType || inputType.getRank() != 4)
    return emitOptionalError(loc, name, " expects a rank-4 NCHW input");
  if (failed(checkArray(loc, name, "kernel_size", kernel, 2, 1)) ||
      failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, name, "dilations", dilations, 2, 1)))
    return failure();
  ArrayRef<int64_t> in = inputType.getShape();
  SmallVector<int64_t> shape = {in[0], in[1]};
  for (int i = 0; i < 2; ++i) {
    int64_t window;
    if (llvm::MulOverflow(dilations[i], kernel[i] - 1, window) ||
        llvm::AddOverflow(window, int64_t(1), window))
      return emitOptionalError(loc, name, " window ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    // A window lying entirely in the padding would have nothing to reduce.
    if (padding[i] >= window || padding[2 + i] >= window)
      return emitOptionalError(loc, name, " padding ", shapeToString(padding),
                               " must be smaller than the window (", window,
                               ") in spatial dimension ", i);
    auto size = computeWindowedOutputSize(in[2 + i], kernel[i], strides[i],
                                          dilations[i], padding[i],
                                          padding[2 + i], ceilMode);
    if (failed(size))
      return emitOptionalError(loc, name, " window ", shapeToString(kernel),
                               " does not fit the padded input ",
                               shapeToString(in), " in spatial dimension ", i);
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool2D(loc, "kiln.max_pool2d", adaptor.getInput(),
                     adaptor.getKernelSize(), adaptor.getStrides(),
                     adaptor.getPadding(), adaptor.getDilations(),
                     adaptor.getCeilMode(), inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(MaxPool2DOp)

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t, 2> noDilation = {1, 1};
  return inferPool2D(loc, "kiln.avg_pool2d", adaptor.getInput(),
                     adaptor.getKernelSize(), adaptor.getStrides(),
                     adaptor.getPadding(), noDilation, adaptor.getCeilMode(),
                     inferred);
}
KILN_COMPATIBLE_RETURN_TYPES(AvgPool2DOp)

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc, "kiln.reshape input must be a ranked tensor");
  SmallVector<int64_t> shape(adaptor.getShape());
  if (shape.size() > 64)
    return emitOptionalError(loc, "kiln.reshape target rank ", shape.size(),
                             " is too large");
  int inferredIndex = -1;
  int64_t knownProduct = 1;
  for (auto [index, dim] : llvm::enumerate(shape)) {
    if (dim == -1) {
      if (inferredIndex != -1)
        return emitOptionalError(loc, "kiln.reshape shape ",
                                 shapeToString(shape), " has more than one -1");
      inferredIndex = index;
      continue;
    }
    if (dim < 0)
      return emitOptionalError(loc,
                               "kiln.reshape shape entries must be -1 or "
                               "non-negative, got ",
                               dim);
    if (llvm::MulOverflow(knownProduct, dim, knownProduct))
      return emitOptionalError(loc, "kiln.reshape shape ", shapeToString(shape),
                               " overflows int64");
  }

  if (!inputType.hasStaticShape()) {
    if (inferredIndex >= 0)
      shape[inferredIndex] = kDynamic;
  } else {
    int64_t count = inputType.getNumElements();
    if (inferredIndex >= 0) {
      if (knownProduct == 0 || count % knownProduct != 0)
        return emitOptionalError(loc, "kiln.reshape cannot infer the -1 in ",
                                 shapeToString(shape), " for ", count,
                                 " elements");
      shape[inferredIndex] = count / knownProduct;
    } else if (knownProduct != count) {
      return emitOptionalError(loc, "kiln.reshape input ",
                               shapeToString(inputType.getShape()), " has ",
                               count, " elements but shape ",
                               shapeToString(shape), " has ", knownProduct);
    }
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ReshapeOp)

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType)
    return emitOptionalError(loc,
                             "kiln.transpose input must be a ranked tensor");
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(permutation.size()) != rank)
    return emitOptionalError(loc, "kiln.transpose permutation has ",
                             permutation.size(), " entries for rank ", rank);
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t source : permutation) {
    if (source < 0 || source >= rank || seen[source])
      return emitOptionalError(loc, "kiln.transpose permutation ",
                               shapeToString(permutation),
                               " is not a permutation of [0, ", rank, ")");
    seen[source] = true;
    shape.push_back(inputType.getDimSize(source));
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(TransposeOp)

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "kiln.concat needs at least one input");
  auto firstType = rankedType(inputs.front());
  if (!firstType)
    return emitOptionalError(loc, "kiln.concat inputs must be ranked tensors");
  int64_t rank = firstType.getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "kiln.concat axis ", axis,
                             " is out of range for rank ", rank,
                             " (must be in [0, rank))");
  SmallVector<int64_t> shape(firstType.getShape());
  for (auto [index, input] : llvm::enumerate(inputs.drop_front())) {
    auto type = rankedType(input);
    if (!type || type.getRank() != rank)
      return emitOptionalError(loc, "kiln.concat input ", index + 1,
                               " does not have rank ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type.getDimSize(d);
      if (d == axis) {
        if (ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size))
          shape[d] = kDynamic;
        else if (llvm::AddOverflow(shape[d], size, shape[d]))
          return emitOptionalError(loc, "kiln.concat size of dimension ", d,
                                   " overflows int64");
      } else if (ShapedType::isDynamic(shape[d])) {
        shape[d] = size;
      } else if (!ShapedType::isDynamic(size) && size != shape[d]) {
        return emitOptionalError(loc, "kiln.concat input ", index + 1,
                                 " shape ", shapeToString(type.getShape()),
                                 " differs from the others in dimension ", d);
      }
    }
  }
  inferred.push_back(RankedTensorType::get(shape, firstType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(ConcatOp)

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(std::optional<Location> loc, StringRef name,
                                 Value input, ArrayRef<int64_t> axes,
                                 bool keepDims,
                                 SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(input);
  if (!inputType)
    return emitOptionalError(loc, name, " input must be a ranked tensor");
  if (axes.empty())
    return emitOptionalError(loc, name, " axes must not be empty");
  int64_t rank = inputType.getRank();
  for (auto [index, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return emitOptionalError(loc, name, " axis ", axis,
                               " is out of range for rank ", rank,
                               " (must be in [0, rank))");
    if (index > 0 && axes[index - 1] >= axis)
      return emitOptionalError(loc, name, " axes ", shapeToString(axes),
                               " must be strictly increasing");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(inputType.getDimSize(d));
    else if (keepDims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

#define KILN_REDUCE_OP(OpClass, Name)                                          \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduce(loc, Name, adaptor.getInput(), adaptor.getAxes(),       \
                       adaptor.getKeepDims(), inferred);                       \
  }                                                                            \
  KILN_COMPATIBLE_RETURN_TYPES(OpClass)

KILN_REDUCE_OP(ReduceSumOp, "kiln.reduce_sum")
KILN_REDUCE_OP(ReduceMeanOp, "kiln.reduce_mean")
KILN_REDUCE_OP(ReduceMaxOp, "kiln.reduce_max")

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
