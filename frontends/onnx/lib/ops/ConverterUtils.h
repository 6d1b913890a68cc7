//===- ConverterUtils.h - Helpers shared by the op converters -------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_CONVERTERUTILS_H
#define KILN_FRONTENDS_ONNX_OPS_CONVERTERUTILS_H

#include "../NodeContext.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

namespace kiln::onnx_import {

/// `axis` (ONNX allows negative axes, counted from the end) as a dim of a
/// rank-`rank` tensor, or an error naming the attribute.
llvm::Expected<int64_t> normalizeAxis(const NodeContext &context, int64_t axis,
                                      int64_t rank,
                                      llvm::StringRef what = "axis");

/// Normalizes every axis, sorts them and rejects duplicates.
llvm::Expected<llvm::SmallVector<int64_t>>
normalizeAxes(const NodeContext &context, llvm::ArrayRef<int64_t> axes,
              int64_t rank, llvm::StringRef what = "axes");

/// Unwraps `expected` into `target` (a declaration or an existing variable) or
/// returns its error from the enclosing function. It expands to several
/// statements: inside an `if`, use braces.
#define KILN_ASSIGN_OR_RETURN(target, expected)                                \
  auto KILN_CONCAT(result_, __LINE__) = (expected);                            \
  if (!KILN_CONCAT(result_, __LINE__))                                         \
    return KILN_CONCAT(result_, __LINE__).takeError();                         \
  target = std::move(*KILN_CONCAT(result_, __LINE__))
#define KILN_CONCAT_IMPL(a, b) a##b
#define KILN_CONCAT(a, b) KILN_CONCAT_IMPL(a, b)

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_OPS_CONVERTERUTILS_H
