//===- KilnBase.td - The kiln dialect and its op base class --*- tablegen -*-===//

#ifndef KILN_DIALECT_KILN_IR_KILNBASE
#define KILN_DIALECT_KILN_IR_KILNBASE

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Kiln's graph IR: tensor operations of neural networks";
  let description = [{
    The `kiln` dialect is the one graph IR of Kiln. Every frontend (ONNX, the native
    GraphBuilder, hand-written `.mlir`) produces it and every later stage consumes it.
    Values are ranked builtin tensors; dimensions may be dynamic (`?`). The op set is
    compact and orthogonal: ONNX's `Gemm` becomes `kiln.matmul` plus `kiln.add`.
    Every op infers its result type from its operands and attributes and verifies them.
  }];
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Element type families.
def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_NumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;
def Kiln_AnyTensor : RankedTensorOf<[AnyType]>;

#endif // KILN_DIALECT_KILN_IR_KILNBASE
