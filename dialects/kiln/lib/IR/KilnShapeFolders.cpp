//===- KilnShapeFolders.cpp - Folders of the data movement ops ------------===//
//
// ONNX models compute shapes with Shape, Gather, Slice, Concat and Unsqueeze on
// small int64 tensors; folding those chains at import time turns the target of
// a Reshape or Expand into a constant. These folders evaluate slice, pad,
// broadcast_to, gather and concat on constant operands (and remove them when
// they are identities). Each result element is copied from one source element,
// so folding is exact for every element type; sizes are capped so that folding
// never multiplies a large constant.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

using namespace mlir;
using namespace kiln;

namespace {

/// Results larger than this are left to run time: folding copies every element
/// into a new attribute.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 20;
/// Broadcasting grows a constant; only shape-sized ones are expanded at compile
/// time (splats of any size are folded, they stay one element).
constexpr int64_t kMaxBroadcastFoldedElements = 4096;

/// The elements of one constant, unpacked once so that they can be picked in
/// any order.
class ConstantElements {
public:
  /// Null when `attr` is not dense int or float elements.
  static std::optional<ConstantElements> get(Attribute attr) {
    auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
    if (!dense)
      return std::nullopt;
    ConstantElements elements;
    elements.isFloat = isa<FloatType>(dense.getElementType());
    if (!elements.isFloat && !isa<IntegerType>(dense.getElementType()))
      return std::nullopt;
    if (elements.isFloat)
      elements.floats = llvm::to_vector(dense.getValues<APFloat>());
    else
      elements.ints = llvm::to_vector(dense.getValues<APInt>());
    return elements;
  }

  /// Appends element `index` of this constant to `result`.
  void appendTo(ConstantElements &result, int64_t index) const {
    if (isFloat)
      result.floats.push_back(floats[index]);
    else
      result.ints.push_back(ints[index]);
  }

  /// The elements as an attribute of `type`.
  DenseElementsAttr build(RankedTensorType type) const {
    if (isFloat)
      return DenseElementsAttr::get(type, floats);
    return DenseElementsAttr::get(type, ints);
  }

  bool isFloat = false;
  SmallVector<APFloat> floats;
  SmallVector<APInt> ints;
};

/// Calls `fn` with every multi-index of `shape`, in row-major order.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  if (llvm::is_contained(shape, 0))
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t d = static_cast<int64_t>(shape.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

/// The row-major offset of `index` in `shape`.
int64_t linearize(ArrayRef<int64_t> index, ArrayRef<int64_t> shape) {
  int64_t offset = 0;
  for (auto [i, size] : llvm::zip(index, shape))
    offset = offset * size + i;
  return offset;
}

/// Whether a result of `type` is small and static enough to fold.
bool isFoldableResult(RankedTensorType type,
                      int64_t limit = kMaxFoldedElements) {
  return type.hasStaticShape() && type.getNumElements() <= limit;
}

/// Folds a data movement op whose result element at each multi-index is the
/// source element at `sourceOffset(index)`, or a splat source to a splat.
OpFoldResult
foldByCopy(Attribute source, RankedTensorType resultType,
           llvm::function_ref<int64_t(ArrayRef<int64_t>)> sourceOffset,
           int64_t limit = kMaxFoldedElements) {
  if (!resultType.hasStaticShape())
    return {};
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(source))
    return splat.resizeSplat(resultType);
  if (!isFoldableResult(resultType, limit))
    return {};
  std::optional<ConstantElements> elements = ConstantElements::get(source);
  if (!elements)
    return {};
  ConstantElements result;
  result.isFloat = elements->isFloat;
  forEachIndex(resultType.getShape(), [&](ArrayRef<int64_t> index) {
    elements->appendTo(result, sourceOffset(index));
  });
  return result.build(resultType);
}

/// A runtime index as the lowering interprets it: negative counts from the
/// end, then clamped into [0, size).
int64_t resolveIndex(int64_t index, int64_t size) {
  if (index < 0)
    index += size;
  return std::clamp<int64_t>(index, 0, size - 1);
}

} // namespace

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto type = cast<RankedTensorType>(getType());
  bool whole = true;
  for (int64_t d = 0; d < type.getRank(); ++d)
    whole &=
        getSizes()[d] == -1 || (getOffsets()[d] == 0 && getSteps()[d] == 1 &&
                                getSizes()[d] == inputType.getDimSize(d));
  if (whole && inputType == type)
    return getInput();
  if (!inputType.hasStaticShape())
    return {};
  ArrayRef<int64_t> inputShape = inputType.getShape();
  return foldByCopy(adaptor.getInput(), type, [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> source;
    for (auto [d, i] : llvm::enumerate(index))
      source.push_back(getOffsets()[d] + i * getSteps()[d]);
    return linearize(source, inputShape);
  });
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

/// The input element that pad mode `mode` ("reflect" or "edge") puts at
/// position `index` (in input coordinates, so possibly outside [0, size)).
static int64_t sourceOfPadding(StringRef mode, int64_t index, int64_t size) {
  if (index >= 0 && index < size)
    return index;
  if (mode == "edge")
    return index < 0 ? 0 : size - 1;
  return index < 0 ? -index : 2 * (size - 1) - index;
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  bool noPadding = llvm::all_of(getLow(), [](int64_t p) { return p == 0; }) &&
                   llvm::all_of(getHigh(), [](int64_t p) { return p == 0; });
  if (noPadding && getInput().getType() == getType())
    return getInput();
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto type = cast<RankedTensorType>(getType());
  if (!inputType.hasStaticShape() || !isFoldableResult(type))
    return {};
  std::optional<ConstantElements> elements =
      ConstantElements::get(adaptor.getInput());
  if (!elements)
    return {};
  StringRef mode = getMode();
  ConstantElements result;
  result.isFloat = elements->isFloat;
  // Constant padding appends the pad value, which is not an input element.
  ConstantElements padValue;
  padValue.isFloat = elements->isFloat;
  if (mode == "constant") {
    TypedAttr value = getValueAttr();
    if (padValue.isFloat)
      padValue.floats.push_back(
          value ? cast<FloatAttr>(value).getValue()
                : APFloat::getZero(cast<FloatType>(type.getElementType())
                                       .getFloatSemantics()));
    else
      padValue.ints.push_back(
          value ? cast<IntegerAttr>(value).getValue()
                : APInt(type.getElementType().getIntOrFloatBitWidth(), 0));
  }
  ArrayRef<int64_t> inputShape = inputType.getShape();
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> source;
    bool inside = true;
    for (auto [d, i] : llvm::enumerate(index)) {
      int64_t position = i - getLow()[d];
      inside &= position >= 0 && position < inputShape[d];
      source.push_back(mode == "constant"
                           ? position
                           : sourceOfPadding(mode, position, inputShape[d]));
    }
    if (mode == "constant" && !inside)
      padValue.appendTo(result, 0);
    else
      elements->appendTo(result, linearize(source, inputShape));
  });
  return result.build(type);
}

//===----------------------------------------------------------------------===//
// BroadcastToOp
//===----------------------------------------------------------------------===//

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto type = cast<RankedTensorType>(getType());
  ArrayRef<int64_t> inputShape = inputType.getShape();
  int64_t leading = type.getRank() - inputType.getRank();
  return foldByCopy(
      adaptor.getInput(), type,
      [&](ArrayRef<int64_t> index) {
        SmallVector<int64_t> source;
        for (auto [d, size] : llvm::enumerate(inputShape))
          source.push_back(size == 1 ? 0 : index[leading + d]);
        return linearize(source, inputShape);
      },
      kMaxBroadcastFoldedElements);
}

//===----------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------===//

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto indices =
      dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getIndices());
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (!indices || !adaptor.getData() || !dataType.hasStaticShape())
    return {};
  SmallVector<int64_t> indexValues;
  for (const APInt &value : indices.getValues<APInt>())
    indexValues.push_back(value.getSExtValue());
  ArrayRef<int64_t> dataShape = dataType.getShape();
  int64_t axis = getAxis();
  int64_t indicesRank = indices.getType().getRank();
  ArrayRef<int64_t> indicesShape = indices.getType().getShape();
  return foldByCopy(
      adaptor.getData(), cast<RankedTensorType>(getType()),
      [&](ArrayRef<int64_t> index) {
        SmallVector<int64_t> source(index.take_front(axis));
        int64_t position =
            linearize(index.slice(axis, indicesRank), indicesShape);
        source.push_back(resolveIndex(indexValues[position], dataShape[axis]));
        llvm::append_range(source, index.drop_front(axis + indicesRank));
        return linearize(source, dataShape);
      });
}

//===----------------------------------------------------------------------===//
// ConcatOp (its identity fold is in KilnFolders.cpp)
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::foldConstantInputs(ArrayRef<Attribute> inputs) {
  auto type = cast<RankedTensorType>(getType());
  if (!isFoldableResult(type))
    return {};
  SmallVector<ConstantElements> elements;
  for (Attribute input : inputs) {
    std::optional<ConstantElements> unpacked = ConstantElements::get(input);
    if (!unpacked)
      return {};
    elements.push_back(std::move(*unpacked));
  }
  // Row-major concatenation along `axis` interleaves blocks: for each
  // position in the leading dims, each input contributes its whole trailing
  // block.
  int64_t axis = getAxis();
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  ConstantElements result;
  result.isFloat = elements.front().isFloat;
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [input, unpacked] : llvm::zip(getInputs(), elements)) {
      auto inputType = cast<RankedTensorType>(input.getType());
      int64_t block = 1;
      for (int64_t d = axis; d < inputType.getRank(); ++d)
        block *= inputType.getDimSize(d);
      for (int64_t i = 0; i < block; ++i)
        unpacked.appendTo(result, o * block + i);
    }
  }
  return result.build(type);
}
