//===- DynamicShapeLowering.h - Run-time shape arithmetic and checks ------===//
//
// Private to LowerDynamicShapes.cpp and LowerResize.cpp: the scalar i64 code
// that computes result sizes from shape-like operands read at run time, and
// the checks (cf.assert with the op's description) that guard it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_DYNAMICSHAPELOWERING_H
#define KILN_CODEGEN_COMMON_DYNAMICSHAPELOWERING_H

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {

/// Builds i64 scalar code at the builder's insertion point for one op, and
/// run-time checks whose messages start with the op's description.
class RunTimeShapeBuilder {
public:
  RunTimeShapeBuilder(mlir::OpBuilder &builder, mlir::Operation *op)
      : b(builder), loc(op->getLoc()), prefix(describeForCheck(op)) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::Location location() const { return loc; }

  /// An i64 constant.
  mlir::Value constant(int64_t value);
  mlir::Value add(mlir::Value lhs, mlir::Value rhs);
  mlir::Value sub(mlir::Value lhs, mlir::Value rhs);
  mlir::Value mul(mlir::Value lhs, mlir::Value rhs);
  /// Signed minimum and maximum.
  mlir::Value min(mlir::Value lhs, mlir::Value rhs);
  mlir::Value max(mlir::Value lhs, mlir::Value rhs);
  /// min(max(value, low), high).
  mlir::Value clamp(mlir::Value value, mlir::Value low, mlir::Value high);
  mlir::Value select(mlir::Value condition, mlir::Value ifTrue,
                     mlir::Value ifFalse);
  mlir::Value compare(mlir::arith::CmpIPredicate predicate, mlir::Value lhs,
                      mlir::Value rhs);
  /// Logical and, or and not of i1 values.
  mlir::Value both(mlir::Value lhs, mlir::Value rhs);
  mlir::Value either(mlir::Value lhs, mlir::Value rhs);
  mlir::Value negate(mlir::Value condition);

  /// Element `index` of a 1-D integer tensor (or the one element of a rank-0
  /// one), sign-extended to i64.
  mlir::Value element(mlir::Value tensor, int64_t index);
  /// Dim `d` of a tensor as i64 (a constant when static).
  mlir::Value dim(mlir::Value tensor, int64_t d);
  mlir::Value toIndex(mlir::Value value);
  mlir::Value toI64(mlir::Value index);

  /// lhs + rhs and lhs * rhs (signed); `fits` becomes (or is and-ed with)
  /// whether the result did not overflow.
  mlir::Value checkedAdd(mlir::Value lhs, mlir::Value rhs, mlir::Value &fits);
  mlir::Value checkedMul(mlir::Value lhs, mlir::Value rhs, mlir::Value &fits);

  /// A run-time check with message "<op>: <message>".
  void check(mlir::Value condition, const llvm::Twine &message);
  /// Checks that a result of `sizes` (non-negative) of `elementType` has a
  /// size in bytes that fits in int64.
  void checkElementCount(llvm::ArrayRef<mlir::Value> sizes,
                         mlir::Type elementType);

  /// `axis` (i64) checked to be in [-rank, rank) and made non-negative.
  mlir::Value normalizeAxis(mlir::Value axis, int64_t rank,
                            const llvm::Twine &what);
  /// Every entry of a 1-D axes tensor normalized, checked not to repeat.
  llvm::SmallVector<mlir::Value> normalizeAxes(mlir::Value axes, int64_t rank,
                                               const llvm::Twine &what);
  /// For each dim of a rank-`rank` tensor, whether one of `axes` names it.
  llvm::SmallVector<mlir::Value> axisMask(llvm::ArrayRef<mlir::Value> axes,
                                          int64_t rank);

  /// The sizes of a result of `type` from the computed i64 `sizes`: a `?`
  /// dim takes its size, a static dim is checked at run time to equal it.
  llvm::SmallVector<mlir::OpFoldResult>
  resultSizes(mlir::RankedTensorType type, llvm::ArrayRef<mlir::Value> sizes);

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
  std::string prefix;
};

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_DYNAMICSHAPELOWERING_H
