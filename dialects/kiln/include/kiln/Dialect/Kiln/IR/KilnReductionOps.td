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
    dimensions stay as size 1; otherwise they are removed.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keep_dims = true}
        : (tensor<1x64x7x7xf32>) -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins elementTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs elementTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum", Kiln_NumericTensor>;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "mean", Kiln_FloatTensor>;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "maximum", Kiln_NumericTensor>;

#endif // KILN_DIALECT_KILN_IR_KILNREDUCTIONOPS
