//===- KilnReductionOps.td - Reductions --*- tablegen -*-===//
//
// Part of KilnOps.td: Reductions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNREDUCTIONOPS
#define KILN_DIALECT_KILN_IR_KILNREDUCTIONOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string reduction, Type elementTensor>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultElementType,
                         InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The " # reduction # " over some dimensions";
  let description = [{
    Reduces `input` with the }] # reduction # [{ over the dimensions listed in `axes`
    (non-empty, strictly increasing, each in `[0, rank)`). With `keep_dims` the reduced
    dimensions stay as size 1; otherwise they are removed. Integer arithmetic wraps;
    floating-point minimum and maximum propagate NaN. The folder evaluates small
    constant inputs (ONNX models compute shapes with reductions) and removes a
    reduction over dimensions that all have size 1 when it keeps them.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keep_dims = true}
        : (tensor<1x64x7x7xf32>) -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins elementTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs elementTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum", Kiln_NumericTensor>;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "mean", Kiln_FloatTensor>;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "maximum", Kiln_NumericTensor>;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "minimum", Kiln_NumericTensor>;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "product", Kiln_NumericTensor>;

//===----------------------------------------------------------------------===//
// Arg-reductions
//===----------------------------------------------------------------------===//

// The i64 indices that arg-reductions and top_k return.
def Kiln_ArgIndexTensor : RankedTensorOf<[I64]>;

class Kiln_ArgReduceOp<string mnemonic, string extreme>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The index of the " # extreme # " along one dimension";
  let description = [{
    Returns, for every position of the other dimensions, the index (i64) along `axis`
    (in `[0, rank)`) of the }] # extreme # [{ element of `input`. Ties go to the lowest
    index, or the highest with `select_last_index`. NaN counts as more extreme than
    any number, as in NumPy: the first (or last) NaN wins. With `keep_dims` the
    reduced dimension stays as size 1. The dimension must not be empty.

    ```mlir
    %i = kiln.}] # mnemonic # [{ %x {axis = 1 : i64, keep_dims = true}
        : (tensor<4x10xf32>) -> tensor<4x1xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Kiln_ArgIndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_ArgMaxOp : Kiln_ArgReduceOp<"arg_max", "largest">;
def Kiln_ArgMinOp : Kiln_ArgReduceOp<"arg_min", "smallest">;

//===----------------------------------------------------------------------===//
// Scans
//===----------------------------------------------------------------------===//

def Kiln_CumSumOp : Kiln_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  // SameOperandsAndResultType also gives the op InferTypeOpInterface.
  let summary = "Cumulative sum along one dimension";
  let description = [{
    Element `i` along `axis` (in `[0, rank)`) of the result is the sum of the input
    elements `0..i` along that dimension (`0..i-1` with `exclusive`, so the first is
    0). With `reverse` the sums run from the end instead: `i..n-1` (or `i+1..n-1`).
    Sums are accumulated in order, in the element type (integers wrap).

    ```mlir
    %y = kiln.cumsum %x {axis = 1 : i64, exclusive = true} : tensor<2x5xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

def Kiln_TopKOp : Kiln_Op<"top_k", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The k largest (or smallest) elements along one dimension";
  let description = [{
    Selects, along `axis` (in `[0, rank)`), the `k` largest elements of `input` (the
    `k` smallest when `largest` is false) and returns them in `values` and their
    indices (i64) in `indices`; both have the input's shape with `k` in place of
    dimension `axis`, and `0 <= k <= ` that dimension. Results are always ordered
    (best first); `sorted = false` records that the producer did not ask for an order.
    Equal elements come out lowest index first, as ONNX specifies. NaN compares
    greater than every number, as in a NumPy sort: it comes first among the largest
    and last among the smallest.

    ```mlir
    %values, %indices = kiln.top_k %x {k = 3 : i64, axis = 1 : i64}
        : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$k, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Kiln_NumericTensor:$values, Kiln_ArgIndexTensor:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_DIALECT_KILN_IR_KILNREDUCTIONOPS
