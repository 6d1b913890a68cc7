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
  let useDefaultTypePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

class Kiln_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Kiln_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Kiln_StringType : Kiln_Type<"String", "string"> {
  let summary = "A string of UTF-8 text, as a tensor element";
  let description = [{
    The element type of string tensors (ONNX's `STRING`): `tensor<3x4x!kiln.string>`.
    At run time each element is a `const char *` to NUL-terminated UTF-8 text
    (`KILN_DTYPE_STRING`); `kiln-lower-to-linalg` turns the type into `i64` holding
    the pointer's bits, because builtin memrefs cannot hold `!llvm.ptr` elements.
    Strings that generated code creates belong to the run (see
    `runtime/include/kiln/string_abi.h`), so buffers of strings are freed like any
    other buffer. Today `kiln.cast` converts f32 and f64 to and from strings.
  }];
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Element type families. Integers are signless (read as signed; i1 is the
// boolean) or unsigned (ONNX's uint8..uint64). Unsigned types are accepted
// wherever integers are: kiln-lower-to-linalg turns them into signless types and
// picks unsigned arithmetic from the original type, and it rejects an op whose
// lowering does not (yet) know what unsigned means for it.
def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_IntegerTensor : RankedTensorOf<[AnySignlessInteger, AnyUnsignedInteger]>;
def Kiln_NumericTensor
    : RankedTensorOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_AnyTensor : RankedTensorOf<[AnyType]>;
def Kiln_StringTensor : RankedTensorOf<[Kiln_StringType]>;
// What kiln.cast converts between: numbers, and strings (to and from floats).
def Kiln_CastableTensor
    : RankedTensorOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger,
                      Kiln_StringType]>;

#endif // KILN_DIALECT_KILN_IR_KILNBASE
