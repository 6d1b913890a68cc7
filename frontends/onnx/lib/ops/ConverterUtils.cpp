//===- ConverterUtils.cpp - Helpers shared by the op converters -----------===//

#include "ConverterUtils.h"

#include <algorithm>

namespace kiln::onnx_import {

llvm::Expected<int64_t> normalizeAxis(const NodeContext &context, int64_t axis,
                                      int64_t rank, llvm::StringRef what) {
  if (axis < -rank || axis >= rank)
    return context.invalid(what + " " + llvm::Twine(axis) +
                           " is out of range for rank " + llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

llvm::Expected<llvm::SmallVector<int64_t>>
normalizeAxes(const NodeContext &context, llvm::ArrayRef<int64_t> axes,
              int64_t rank, llvm::StringRef what) {
  llvm::SmallVector<int64_t> normalized;
  for (int64_t axis : axes) {
    auto value = normalizeAxis(context, axis, rank, what);
    if (!value)
      return value.takeError();
    normalized.push_back(*value);
  }
  std::sort(normalized.begin(), normalized.end());
  if (std::adjacent_find(normalized.begin(), normalized.end()) !=
      normalized.end())
    return context.invalid(what + " repeat an axis");
  return normalized;
}

} // namespace kiln::onnx_import
