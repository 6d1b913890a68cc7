//===- KilnSpatialOps.cpp - Sampling, transforms and spatial indices ------===//
//
// Type inference and verification of max_pool_with_indices, grid_sample,
// roi_align, dft and det; the rules shared by all families are in
// KilnOpsCommon.h.
//
//===----------------------------------------------------------------------===//

#include "KilnOpsCommon.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

//===----------------------------------------------------------------------===//
// MaxPoolWithIndicesOp
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolWithIndicesOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  if (failed(inferPoolShape(
          loc, "kiln.max_pool_with_indices", adaptor.getInput(),
          adaptor.getKernelSize(), adaptor.getStrides(), adaptor.getPadding(),
          adaptor.getDilations(), adaptor.getCeilMode(), shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(
      shape, getElementTypeOrSelf(adaptor.getInput().getType())));
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(MaxPoolWithIndicesOp)

//===----------------------------------------------------------------------===//
// GridSampleOp
//===----------------------------------------------------------------------===//

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.grid_sample";
  auto inputType = rankedType(adaptor.getInput());
  auto gridType = rankedType(adaptor.getGrid());
  if (!inputType || !gridType || inputType.getRank() != 4 ||
      gridType.getRank() != 4)
    return emitOptionalError(loc, name,
                             " expects an [N, C, H, W] input and an [N, HO, "
                             "WO, 2] grid");
  ArrayRef<int64_t> in = inputType.getShape(), grid = gridType.getShape();
  if (!ShapedType::isDynamic(grid[3]) && grid[3] != 2)
    return emitOptionalError(loc, name,
                             " grid must end in a dimension of 2 (x, y), got ",
                             shapeToString(grid));
  if (!ShapedType::isDynamic(in[0]) && !ShapedType::isDynamic(grid[0]) &&
      in[0] != grid[0])
    return emitOptionalError(loc, name, " input ", shapeToString(in),
                             " and grid ", shapeToString(grid),
                             " have different batch sizes");
  StringRef mode = adaptor.getMode(), paddingMode = adaptor.getPaddingMode();
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return emitOptionalError(loc, name,
                             " mode must be \"bilinear\", "
                             "\"nearest\" or \"bicubic\", got \"",
                             mode, "\"");
  if (paddingMode != "zeros" && paddingMode != "border" &&
      paddingMode != "reflection")
    return emitOptionalError(loc, name,
                             " padding_mode must be \"zeros\", \"border\" or "
                             "\"reflection\", got \"",
                             paddingMode, "\"");
  int64_t batch = ShapedType::isDynamic(in[0]) ? grid[0] : in[0];
  inferred.push_back(RankedTensorType::get({batch, in[1], grid[1], grid[2]},
                                           inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(GridSampleOp)

//===----------------------------------------------------------------------===//
// RoiAlignOp
//===----------------------------------------------------------------------===//

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.roi_align";
  auto inputType = rankedType(adaptor.getInput());
  auto roisType = rankedType(adaptor.getRois());
  auto batchType = rankedType(adaptor.getBatchIndices());
  if (!inputType || !roisType || !batchType || inputType.getRank() != 4 ||
      roisType.getRank() != 2 || batchType.getRank() != 1)
    return emitOptionalError(loc, name,
                             " expects an [N, C, H, W] input, [R, 4] rois and "
                             "[R] batch indices");
  if (inputType.getElementType() != roisType.getElementType())
    return emitOptionalError(loc, name,
                             " rois must have the input's element type");
  ArrayRef<int64_t> rois = roisType.getShape();
  if (!ShapedType::isDynamic(rois[1]) && rois[1] != 4)
    return emitOptionalError(loc, name,
                             " rois must have 4 columns (x1, y1, x2, y2), got ",
                             shapeToString(rois));
  int64_t boxes = rois[0], indices = batchType.getDimSize(0);
  if (!ShapedType::isDynamic(boxes) && !ShapedType::isDynamic(indices) &&
      boxes != indices)
    return emitOptionalError(loc, name, " has ", boxes, " rois but ", indices,
                             " batch indices");
  if (adaptor.getMode() != "avg" && adaptor.getMode() != "max")
    return emitOptionalError(loc, name,
                             " mode must be \"avg\" or \"max\", got \"",
                             adaptor.getMode(), "\"");
  int64_t height = adaptor.getOutputHeight(), width = adaptor.getOutputWidth();
  if (height < 1 || width < 1)
    return emitOptionalError(loc, name,
                             " output_height and output_width must be at "
                             "least 1, got ",
                             height, " and ", width);
  // I64Attr getters return uint64_t: read the attribute as signed.
  int64_t samplingRatio = adaptor.getSamplingRatio();
  if (samplingRatio < 0)
    return emitOptionalError(
        loc, name, " sampling_ratio must not be negative, got ", samplingRatio);
  double scale = adaptor.getSpatialScale().convertToDouble();
  if (!std::isfinite(scale) || scale <= 0)
    return emitOptionalError(
        loc, name, " spatial_scale must be positive and finite, got ", scale);
  if (ShapedType::isDynamic(boxes))
    boxes = indices;
  inferred.push_back(
      RankedTensorType::get({boxes, inputType.getDimSize(1), height, width},
                            inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(RoiAlignOp)

//===----------------------------------------------------------------------===//
// DFTOp
//===----------------------------------------------------------------------===//

LogicalResult DFTOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  StringRef name = "kiln.dft";
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType || inputType.getRank() < 2)
    return emitOptionalError(loc, name,
                             " expects an input of rank 2 or more whose last "
                             "dimension holds real or complex values");
  int64_t rank = inputType.getRank(), axis = adaptor.getAxis();
  SmallVector<int64_t> shape(inputType.getShape());
  int64_t components = shape.back();
  if (ShapedType::isDynamic(components) || (components != 1 && components != 2))
    return emitOptionalError(loc, name,
                             " input's last dimension must be 1 (real) or 2 "
                             "(complex), got ",
                             shapeToString(shape));
  if (axis < 0 || axis >= rank - 1)
    return emitOptionalError(loc, name, " axis ", axis,
                             " is out of range for rank ", rank,
                             " (must be in [0, rank - 1): the last dimension "
                             "holds the components)");
  if (adaptor.getOnesided()) {
    if (components != 1)
      return emitOptionalError(loc, name,
                               " onesided needs a real input (last dimension "
                               "1): a complex signal's spectrum has no "
                               "redundant half");
    if (!ShapedType::isDynamic(shape[axis]))
      shape[axis] = shape[axis] / 2 + 1;
  }
  if (!ShapedType::isDynamic(shape[axis]) && shape[axis] < 1)
    return emitOptionalError(loc, name, " the signal along axis ", axis,
                             " is empty");
  shape.back() = 2;
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DFTOp)

//===----------------------------------------------------------------------===//
// DetOp
//===----------------------------------------------------------------------===//

LogicalResult DetOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto inputType = rankedType(adaptor.getInput());
  if (!inputType || inputType.getRank() < 2)
    return emitOptionalError(loc,
                             "kiln.det expects [..., M, M] square matrices");
  ArrayRef<int64_t> shape = inputType.getShape();
  int64_t rows = shape[shape.size() - 2], columns = shape.back();
  if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(columns) &&
      rows != columns)
    return emitOptionalError(loc, "kiln.det expects square matrices, got ",
                             shapeToString(shape));
  inferred.push_back(
      RankedTensorType::get(shape.drop_back(2), inputType.getElementType()));
  return success();
}
KILN_COMPATIBLE_RETURN_TYPES(DetOp)
