//===- KilnDataDependentOps.td - Data-dependent sizes --*- tablegen -*-===//
//
// Ops whose result sizes depend on the input's values, not only its shape:
// those sizes are dynamic (`?`) in the result types, and the lowering counts
// first and fills second.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDATADEPENDENTOPS
#define KILN_DIALECT_KILN_IR_KILNDATADEPENDENTOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "kiln/Dialect/Kiln/IR/KilnReductionOps.td" // Kiln_ArgIndexTensor
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_NonZeroOp : Kiln_Op<"nonzero",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The coordinates of the nonzero elements";
  let description = [{
    Returns an i64 tensor of shape `[rank, n]`, where `n` is the number of elements
    of `input` (rank 1 or more) that are not zero: column `j` holds the coordinates
    of the `j`-th such element in row-major order (as `numpy.nonzero`, stacked).
    NaN is not zero; neither zero of a float type counts. For booleans, true is
    nonzero. `n` is known only at run time.

    ```mlir
    %i = kiln.nonzero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input);
  let results = (outs Kiln_ArgIndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The result for a constant input (of static shape [rank, n]).
    static ::mlir::DenseElementsAttr evaluate(::mlir::DenseElementsAttr input);
  }];
}

def Kiln_CompressOp : Kiln_Op<"compress",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The slices along one dimension where a condition holds";
  let description = [{
    Keeps slice `i` along dimension `axis` of `input` when `condition[i]` is true,
    in order (as `numpy.compress`). `condition` is a 1-D i1 tensor no longer than
    that dimension (checked at run time when either size is only known then);
    slices beyond its end are dropped. The result has the input's shape with the
    number of true conditions, known only at run time, at `axis`.

    ```mlir
    %y = kiln.compress %x, %c {axis = 1 : i64}
        : (tensor<3x2xf32>, tensor<2xi1>) -> tensor<3x?xf32>
    ```
  }];
  let arguments = (ins Kiln_AnyTensor:$input, Kiln_BoolTensor:$condition,
                   I64Attr:$axis);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat =
      "$input `,` $condition attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The result for constant operands (of static shape).
    static ::mlir::DenseElementsAttr evaluate(::mlir::DenseElementsAttr input,
                                              ::mlir::DenseElementsAttr condition,
                                              int64_t axis);
  }];
}

def Kiln_UniqueOp : Kiln_Op<"unique",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The distinct slices along one dimension, with their positions";
  let description = [{
    Finds the distinct slices of `input` along dimension `axis` (for a 1-D input,
    its distinct elements). Results, `u` being their number (known only at run
    time) and `n` the size of dimension `axis`:

    - `values`: the distinct slices, the input's shape with `u` at `axis`;
      ascending in lexicographic order with `sorted`, else in order of first
      occurrence;
    - `indices` (`[u]`, i64): where each distinct slice first occurs in `input`;
    - `inverse_indices` (`[n]`, i64): for each input slice, its position in
      `values`;
    - `counts` (`[u]`, i64): how often each distinct slice occurs.

    Floats compare as numbers (so -0.0 equals 0.0), except that NaN equals NaN and
    sorts after every number, as `numpy.unique` does. Integers compare as signed
    (the ONNX importer widens unsigned ones first); booleans sort false first. The lowering compares every
    pair of slices: it takes time quadratic in `n`.

    ```mlir
    %y, %first, %inverse, %counts = kiln.unique %x {axis = 0 : i64, sorted = true}
        : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Kiln_NumericTensor:$values, Kiln_ArgIndexTensor:$indices,
                  Kiln_ArgIndexTensor:$inverse_indices,
                  Kiln_ArgIndexTensor:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The four results for a constant input (of static shapes).
    static ::llvm::LogicalResult
    evaluate(::mlir::DenseElementsAttr input, int64_t axis, bool sorted,
             ::llvm::SmallVectorImpl<::mlir::DenseElementsAttr> &results);
  }];
}

#endif // KILN_DIALECT_KILN_IR_KILNDATADEPENDENTOPS
