//===- KilnOpsCommon.h - Helpers shared by the kiln op families -*- C++ -*-===//
//
// Private to lib/IR: the compatibility rule for declared result types, shape
// printing for diagnostics, and attribute checks used by several op families.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_LIB_IR_KILNOPSCOMMON_H
#define KILN_DIALECT_KILN_LIB_IR_KILNOPSCOMMON_H

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

namespace kiln::detail {

inline constexpr int64_t kDynamic = mlir::ShapedType::kDynamic;

/// Declared result types are compatible with inferred ones when element types
/// match and shapes agree wherever both are static.
bool areCompatibleTensorTypes(mlir::TypeRange declared,
                              mlir::TypeRange inferred);

/// "[2, ?, 4]".
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

/// The value's type as a ranked tensor, or null.
mlir::RankedTensorType rankedType(mlir::Value value);

/// Checks that an i64 array attribute has `size` entries, each at least
/// `minimum`.
llvm::LogicalResult checkArray(std::optional<mlir::Location> loc,
                               llvm::StringRef opName, llvm::StringRef attrName,
                               llvm::ArrayRef<int64_t> values, size_t size,
                               int64_t minimum);

/// The output shape of an N-D pooling op (kiln.max_pool and its relatives)
/// over `input` ([N, C, spatial...]); empty window attributes take their
/// defaults. Emits the op's error and fails when the attributes do not fit.
llvm::LogicalResult
inferPoolShape(std::optional<mlir::Location> loc, llvm::StringRef name,
               mlir::Value input, llvm::ArrayRef<int64_t> kernel,
               llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> padding,
               llvm::ArrayRef<int64_t> dilations, bool ceilMode,
               llvm::SmallVectorImpl<int64_t> &shape);

} // namespace kiln::detail

/// Defines OpClass::isCompatibleReturnTypes with areCompatibleTensorTypes.
#define KILN_COMPATIBLE_RETURN_TYPES(OpClass)                                  \
  bool OpClass::isCompatibleReturnTypes(mlir::TypeRange l,                     \
                                        mlir::TypeRange r) {                   \
    return kiln::detail::areCompatibleTensorTypes(l, r);                       \
  }

#endif // KILN_DIALECT_KILN_LIB_IR_KILNOPSCOMMON_H
