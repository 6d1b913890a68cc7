//===- KilnElementwiseOps.td - Constants and elementwise ops --*- tablegen -*-===//
//
// Part of KilnOps.td: Constants and elementwise ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNELEMENTWISEOPS
#define KILN_DIALECT_KILN_IR_KILNELEMENTWISEOPS

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor";
  let description = [{
    Produces a tensor whose elements are given by `value` (dense, splat or resource
    elements). Weights of a model are constants until training turns them into
    parameters. The shape must be static.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %z = kiln.constant dense<0.0> : tensor<64xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops, with NumPy broadcasting
//===----------------------------------------------------------------------===//

/// A binary op whose operands broadcast as NumPy does and whose result has the
/// operands' element type.
class Kiln_BroadcastingBinaryOp<string mnemonic, Type tensorType,
                                list<Trait> traits = [], dag extraArgs = (ins)>
    : Kiln_Op<mnemonic, traits # [Pure, SameOperandsElementType,
                                  SameOperandsAndResultElementType,
                                  InferTypeOpAdaptorWithIsCompatible]> {
  let arguments = !con((ins tensorType:$lhs, tensorType:$rhs), extraArgs);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

class Kiln_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Kiln_BroadcastingBinaryOp<mnemonic, Kiln_NumericTensor, traits> {
  let summary = "Elementwise " # formula # " with NumPy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise. The operand shapes are broadcast as NumPy
    does: aligned at the trailing dimension, a dimension of size 1 stretches to match the
    other operand, and missing leading dimensions count as 1. Both operands have the same
    element type (floating point, signless or unsigned integer). Integer division
    truncates toward zero (unsigned for unsigned types); an integer division by zero
    gives 0 rather than trapping, and the signed minimum divided by -1 wraps.

    ```mlir
    %0 = kiln.}] # mnemonic # [{ %a, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
    ```
  }];
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "lhs - rhs">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def Kiln_DivOp : Kiln_BinaryOp<"div", "lhs / rhs">;

def Kiln_MaxOp : Kiln_BroadcastingBinaryOp<"max", Kiln_NumericTensor, [Commutative]> {
  let summary = "Elementwise maximum with NumPy broadcasting";
  let description = [{
    The larger of `lhs` and `rhs`, elementwise, with the operands broadcast as in
    `kiln.add`. For floats a NaN in either operand gives NaN (as ONNX's `Max` and
    NumPy's `maximum`), and +0 is larger than -0. Unsigned integers compare unsigned.

    ```mlir
    %0 = kiln.max %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def Kiln_MinOp : Kiln_BroadcastingBinaryOp<"min", Kiln_NumericTensor, [Commutative]> {
  let summary = "Elementwise minimum with NumPy broadcasting";
  let description = [{
    The smaller of `lhs` and `rhs`, elementwise, with the operands broadcast as in
    `kiln.add`. For floats a NaN in either operand gives NaN, and -0 is smaller than
    +0. Unsigned integers compare unsigned.

    ```mlir
    %0 = kiln.min %a, %b : (tensor<4x8xi32>, tensor<1xi32>) -> tensor<4x8xi32>
    ```
  }];
}

def Kiln_PowOp : Kiln_BroadcastingBinaryOp<"pow", Kiln_NumericTensor> {
  let summary = "Elementwise power with NumPy broadcasting";
  let description = [{
    `lhs` raised to the power `rhs`, elementwise, with the operands broadcast as in
    `kiln.add`. Both have the same element type. For floats this is C's `pow`; for
    integers it is exact repeated multiplication that wraps on overflow, and a negative
    exponent gives `1 / lhs^-rhs` truncated toward zero (0 unless `lhs` is 1 or -1;
    division by zero gives 0).

    ```mlir
    %0 = kiln.pow %x, %e : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
}

def Kiln_ModOp : Kiln_BroadcastingBinaryOp<"mod", Kiln_NumericTensor, [],
    (ins DefaultValuedAttr<BoolAttr, "false">:$fmod)> {
  let summary = "Elementwise remainder with NumPy broadcasting";
  let description = [{
    The remainder of `lhs / rhs`, elementwise, with the operands broadcast as in
    `kiln.add`. With `fmod = false` (integers only) the result has the sign of the
    divisor, as Python's `%`: `mod(-7, 3) = 2`, `mod(7, -3) = -2`. With `fmod = true`
    it has the sign of the dividend, as C's `fmod` and `%`: `-7 fmod 3 = -1`. Floats
    require `fmod = true`. A remainder by zero gives 0 for integers (NaN for floats).

    ```mlir
    %0 = kiln.mod %a, %b : (tensor<6xi32>, tensor<6xi32>) -> tensor<6xi32>
    %1 = kiln.mod %x, %y {fmod = true} : (tensor<6xf32>, tensor<f32>) -> tensor<6xf32>
    ```
  }];
  let hasVerifier = 1;
}

def Kiln_ShiftDirection : I32EnumAttr<"ShiftDirection", "a bit shift direction",
    [I32EnumAttrCase<"left", 0>, I32EnumAttrCase<"right", 1>]> {
  let cppNamespace = "::kiln";
}

def Kiln_BitShiftOp : Kiln_Op<"bit_shift", [Pure, SameOperandsElementType,
    SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Elementwise bit shift with NumPy broadcasting";
  let description = [{
    Shifts the bits of `lhs` left or right by `rhs` places, elementwise, with the
    operands broadcast as in `kiln.add`. Right shifts of unsigned integers shift in
    zeros; of signless (signed) integers, copies of the sign bit. A shift by the bit
    width or more (or, for a signed amount, by a negative amount) gives 0, or -1 for a
    right shift of a negative signed value.

    ```mlir
    %0 = kiln.bit_shift left, %x, %n : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
    ```
  }];
  let arguments = (ins Kiln_ShiftDirection:$direction, Kiln_IntegerTensor:$lhs,
                       Kiln_IntegerTensor:$rhs);
  let results = (outs Kiln_IntegerTensor:$result);
  let assemblyFormat = "$direction `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Logic and comparisons (i1 results)
//===----------------------------------------------------------------------===//

class Kiln_LogicalBinaryOp<string mnemonic, string formula>
    : Kiln_BroadcastingBinaryOp<mnemonic, Kiln_BoolTensor, [Commutative]> {
  let summary = "Elementwise logical " # formula # " of i1 tensors";
  let description = [{
    Computes `lhs }] # formula # [{ rhs` elementwise on booleans (i1), with the operands
    broadcast as in `kiln.add`.

    ```mlir
    %0 = kiln.}] # mnemonic # [{ %a, %b : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
    ```
  }];
}

def Kiln_AndOp : Kiln_LogicalBinaryOp<"and", "and">;
def Kiln_OrOp : Kiln_LogicalBinaryOp<"or", "or">;
def Kiln_XorOp : Kiln_LogicalBinaryOp<"xor", "xor">;

def Kiln_ComparisonPredicate : I32EnumAttr<"ComparisonPredicate",
    "a comparison predicate", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"lt", 1>,
      I32EnumAttrCase<"le", 2>, I32EnumAttrCase<"gt", 3>,
      I32EnumAttrCase<"ge", 4>]> {
  let cppNamespace = "::kiln";
}

def Kiln_CompareOp : Kiln_Op<"compare", [Pure, SameOperandsElementType,
                                         InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Elementwise comparison with NumPy broadcasting, giving i1";
  let description = [{
    Compares `lhs` with `rhs` elementwise (`eq`: ==, `lt`: <, `le`: <=, `gt`: >,
    `ge`: >=), with the operands broadcast as in `kiln.add`. Both have the same element
    type: floats compare as IEEE numbers (any comparison with NaN is false, -0 == +0),
    signless integers as signed and unsigned integers as unsigned.

    ```mlir
    %0 = kiln.compare lt, %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
    ```
  }];
  let arguments = (ins Kiln_ComparisonPredicate:$predicate,
                       Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_SelectOp : Kiln_Op<"select", [Pure,
    AllElementTypesMatch<["true_value", "false_value", "result"]>,
    InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Elementwise choice between two tensors, with 3-way broadcasting";
  let description = [{
    Takes `true_value` where `condition` is true and `false_value` elsewhere (ONNX's
    `Where`). The three shapes broadcast together as NumPy does; the values have the
    same element type, which the result has.

    ```mlir
    %0 = kiln.select %c, %a, %b
        : (tensor<4x1xi1>, tensor<8xf32>, tensor<f32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_AnyTensor:$true_value,
                       Kiln_AnyTensor:$false_value);
  let results = (outs Kiln_AnyTensor:$result);
  let assemblyFormat = "$condition `,` $true_value `,` $false_value attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts every element to the element type `to` (a float, or a signless or
    unsigned integer); the shape stays. Floats convert to floats with round to nearest
    even; integers to integers by sign extension (signless sources) or zero extension
    (unsigned sources and i1), or by dropping high bits; floats to integers by
    truncation toward zero (a value out of the target's range, or NaN, gives an
    unspecified value); integers to floats by rounding to nearest. Anything becomes i1
    as `x != 0` (NaN is true), and i1 becomes 0 or 1.

    f32, f64 and integers of 8 to 64 bits also convert to and from `!kiln.string`,
    as ONNX's reference (NumPy) does: a float becomes the shortest text that reads
    back as the same value, laid out as `str(numpy.float32(x))` lays it out ("0.1",
    "1.0", "1e-07", "nan", "-inf"), an integer its decimal digits; a string is read
    as Python's `float()` (then rounded) or `int()` reads it (as an int64, then
    truncated to narrower integers, wrapping as NumPy does). A string that is not
    a number, or an integer beyond int64, fails the run with an error naming the op.

    ```mlir
    %0 = kiln.cast %x to i64 : tensor<2x3xf32>
    %1 = kiln.cast %mask to f32 : tensor<8xi1>
    %2 = kiln.cast %x to !kiln.string : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_CastableTensor:$input, TypeAttr:$to);
  let results = (outs Kiln_CastableTensor:$result);
  let assemblyFormat = "$input `to` $to attr-dict `:` type($input)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, string formula, Type tensorType,
                   string elements, string example = "4x8xf32">
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  // SameOperandsAndResultType also gives the op InferTypeOpInterface.
  let summary = "Elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element of }] # elements # [{.

    ```mlir
    %0 = kiln.}] # mnemonic # [{ %x : tensor<}] # example # [{>
    ```
  }];
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

class Kiln_UnaryFloatOp<string mnemonic, string formula>
    : Kiln_UnaryOp<mnemonic, formula, Kiln_FloatTensor, "a floating-point tensor">;

/// Defined for floats and integers; integers wrap (neg of the minimum is itself).
class Kiln_UnaryNumericOp<string mnemonic, string formula>
    : Kiln_UnaryOp<mnemonic, formula, Kiln_NumericTensor,
                   "a float or integer tensor (unsigned integers are never "
                   "negative)", "4x8xi32">;

def Kiln_ReluOp : Kiln_UnaryNumericOp<"relu", "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryFloatOp<"sigmoid", "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryFloatOp<"tanh", "tanh(x)">;
def Kiln_ExpOp : Kiln_UnaryFloatOp<"exp", "exp(x)">;
def Kiln_LogOp : Kiln_UnaryFloatOp<"log", "log(x) (natural logarithm)">;

def Kiln_NegOp : Kiln_UnaryNumericOp<"neg", "-x">;
def Kiln_AbsOp : Kiln_UnaryNumericOp<"abs", "|x|">;
def Kiln_SignOp : Kiln_UnaryNumericOp<"sign",
    "sign(x): -1, 0 or 1 (NaN stays NaN, -0 stays -0)">;

def Kiln_SqrtOp : Kiln_UnaryFloatOp<"sqrt", "sqrt(x)">;
def Kiln_FloorOp : Kiln_UnaryFloatOp<"floor", "floor(x)">;
def Kiln_CeilOp : Kiln_UnaryFloatOp<"ceil", "ceil(x)">;
def Kiln_RoundOp : Kiln_UnaryFloatOp<"round",
    "round(x) to the nearest integer, halves to even (2.5 -> 2)">;
def Kiln_SinOp : Kiln_UnaryFloatOp<"sin", "sin(x)">;
def Kiln_CosOp : Kiln_UnaryFloatOp<"cos", "cos(x)">;
def Kiln_TanOp : Kiln_UnaryFloatOp<"tan", "tan(x)">;
def Kiln_AsinOp : Kiln_UnaryFloatOp<"asin", "asin(x)">;
def Kiln_AcosOp : Kiln_UnaryFloatOp<"acos", "acos(x)">;
def Kiln_AtanOp : Kiln_UnaryFloatOp<"atan", "atan(x)">;
def Kiln_SinhOp : Kiln_UnaryFloatOp<"sinh", "sinh(x)">;
def Kiln_CoshOp : Kiln_UnaryFloatOp<"cosh", "cosh(x)">;
def Kiln_AsinhOp : Kiln_UnaryFloatOp<"asinh", "asinh(x)">;
def Kiln_AcoshOp : Kiln_UnaryFloatOp<"acosh", "acosh(x)">;
def Kiln_AtanhOp : Kiln_UnaryFloatOp<"atanh", "atanh(x)">;
def Kiln_ErfOp : Kiln_UnaryFloatOp<"erf", "erf(x) (the Gauss error function)">;

def Kiln_NotOp : Kiln_UnaryOp<"not", "!x", Kiln_BoolTensor, "an i1 tensor",
                              "4x8xi1">;

class Kiln_ClassifyOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Elementwise test for " # what # ", giving i1";
  let description = [{
    True (i1) for every element of a floating-point tensor that is }] # what # [{; the
    result has the input's shape.

    ```mlir
    %0 = kiln.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Kiln_IsNaNOp : Kiln_ClassifyOp<"is_nan", "NaN">;
def Kiln_IsInfOp : Kiln_ClassifyOp<"is_inf", "+inf or -inf">;

#endif // KILN_DIALECT_KILN_IR_KILNELEMENTWISEOPS
