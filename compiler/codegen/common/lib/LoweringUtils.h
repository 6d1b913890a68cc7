//===- LoweringUtils.h - Shared pieces of the kiln-to-linalg lowering -----===//
//
// The pattern families of `kiln-lower-to-linalg` (one file each) and the
// helpers they share: building init tensors (static or dynamic sizes),
// NumPy-broadcast indexing maps, and scalar arithmetic that picks the float or
// integer op by element type.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_LOWERINGUTILS_H
#define KILN_CODEGEN_COMMON_LOWERINGUTILS_H

#include "kiln/Codegen/RunTimeChecks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {

/// Elementwise patterns take the pass's type converter (unsigned to signless).
void populateElementwiseLoweringPatterns(const mlir::TypeConverter &converter,
                                         mlir::RewritePatternSet &patterns);
void populateContractionLoweringPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateShapeLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateResizeLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateReductionLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateSpatialLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateDynamicShapeLoweringPatterns(mlir::RewritePatternSet &patterns);
/// Makes a `tensor.cast` that turns dims known only at run time static (as
/// the ONNX importer adds where the model declares a static shape) illegal
/// until populateDynamicShapeLoweringPatterns' pattern has checked its sizes.
void addCheckedCastLegality(mlir::ConversionTarget &target,
                            const mlir::TypeConverter &converter);
void populateDataDependentLoweringPatterns(mlir::RewritePatternSet &patterns);
/// kiln.conv_filter_gradient expanded into kiln ops (the pattern of
/// kiln-expand-filter-gradients), which the other families then lower.
void populateFilterGradientExpansionPatterns(mlir::RewritePatternSet &patterns);

/// Whether `op`'s lowering pattern handles unsigned element types itself
/// (choosing unsigned arithmetic from the op's own types).
bool isLoweredWithUnsignedTypes(mlir::Operation *op);

/// The sizes of `type` as OpFoldResults: constants for static dims, and for
/// dynamic dims a `tensor.dim` of the first of `sources` whose aligned
/// (trailing) dim is dynamic.
llvm::SmallVector<mlir::OpFoldResult>
getBroadcastResultSizes(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::ValueRange sources);

/// Checks at run time that `actual` equals `expected` when either is only
/// known at run time (equal constants need no check; the verifiers reject
/// different ones).
void emitSizeCheck(mlir::OpBuilder &builder, mlir::Location loc,
                   mlir::OpFoldResult actual, mlir::OpFoldResult expected,
                   const llvm::Twine &message);

/// Checks that the dims of `sources` that are only known at run time match
/// `sizes` (the broadcast result's, from getBroadcastResultSizes): Kiln
/// broadcasts only dims known to be 1 when compiling.
void emitBroadcastChecks(mlir::OpBuilder &builder, mlir::Operation *op,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::ValueRange sources, unsigned firstDim = 0,
                         unsigned numDims = ~0u);

/// `tensor.empty` of `type` with the given sizes (only the dynamic ones are
/// used).
mlir::Value createEmptyTensor(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// `linalg.fill` of a new tensor of `type` with `value`.
mlir::Value createFilledTensor(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::RankedTensorType type,
                               llvm::ArrayRef<mlir::OpFoldResult> sizes,
                               mlir::TypedAttr value);

/// The map from a loop nest whose dims [loopOffset, loopOffset + resultRank)
/// range over a broadcast result of shape `resultShape` to the dims of an
/// operand of shape `operandShape` (aligned at the trailing dim). Operand dims
/// of size 1 that stretch map to the constant 0.
mlir::AffineMap getBroadcastMap(mlir::MLIRContext *context,
                                llvm::ArrayRef<int64_t> operandShape,
                                llvm::ArrayRef<int64_t> resultShape,
                                unsigned numLoops, unsigned loopOffset = 0);

/// The neutral element of a reduction, as an attribute of `elementType`.
enum class ReductionKind { Sum, Max };
mlir::TypedAttr getNeutralElement(mlir::Type elementType, ReductionKind kind);

/// Scalar arithmetic on float or signless-integer values of the same type.
enum class ArithKind { Add, Sub, Mul, Div, Max };
mlir::Value createArith(mlir::OpBuilder &builder, mlir::Location loc,
                        ArithKind kind, mlir::Value lhs, mlir::Value rhs);

/// A scalar constant of `type` (float or integer) equal to `value`.
mlir::Value createScalarConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::Type type, double value);

/// Pads the spatial dims (2 and up, one entry of `padBegin` and `padEnd` each)
/// of an [N, C, spatial...] tensor with `value`; returns `input` itself when
/// all pads are zero.
mlir::Value padSpatial(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> padBegin,
                       llvm::ArrayRef<int64_t> padEnd, mlir::TypedAttr value,
                       unsigned firstSpatialDim = 2);

/// A 1-D i64 elements attribute, the form linalg's conv and pooling ops take
/// for strides and dilations.
mlir::DenseIntElementsAttr getI64Vector(mlir::OpBuilder &builder,
                                        llvm::ArrayRef<int64_t> values);

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_LOWERINGUTILS_H
