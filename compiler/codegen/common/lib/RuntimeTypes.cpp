//===- RuntimeTypes.cpp - MLIR element types as runtime dtypes ------------===//

#include "kiln/Codegen/RuntimeTypes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

std::optional<kiln_dtype> kiln::getRuntimeDtype(Type elementType) {
  if (elementType.isF32())
    return KILN_DTYPE_F32;
  if (elementType.isF64())
    return KILN_DTYPE_F64;
  if (elementType.isF16())
    return KILN_DTYPE_F16;
  if (elementType.isBF16())
    return KILN_DTYPE_BF16;
  if (isa<kiln::StringType>(elementType))
    return KILN_DTYPE_STRING;
  auto integer = dyn_cast<IntegerType>(elementType);
  if (!integer)
    return std::nullopt;
  if (integer.getWidth() == 1)
    return KILN_DTYPE_BOOL;
  if (integer.isUnsigned()) {
    switch (integer.getWidth()) {
    case 8:
      return KILN_DTYPE_U8;
    case 16:
      return KILN_DTYPE_U16;
    case 32:
      return KILN_DTYPE_U32;
    case 64:
      return KILN_DTYPE_U64;
    default:
      return std::nullopt;
    }
  }
  switch (integer.getWidth()) {
  case 8:
    return KILN_DTYPE_I8;
  case 16:
    return KILN_DTYPE_I16;
  case 32:
    return KILN_DTYPE_I32;
  case 64:
    return KILN_DTYPE_I64;
  default:
    return std::nullopt;
  }
}
