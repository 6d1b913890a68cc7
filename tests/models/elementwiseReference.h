//===- elementwiseReference.h - Plain references for elementwise ops -----===//
//
// The independent reference for the elementwise family, on tensors of any
// runtime dtype (floats of every width, signed and unsigned integers, bool):
// NumPy broadcasting written out as index arithmetic, and each op's semantics
// as the obvious C++ on one element (integers in 64 bits, wrapped to the
// dtype's width afterwards; floats in double, rounded to the dtype). Nothing
// here shares code with the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_MODELS_ELEMENTWISEREFERENCE_H
#define KILN_TESTS_MODELS_ELEMENTWISEREFERENCE_H

#include "kiln/module_abi.h"

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace kiln::reference::elementwise {

/// One element: `f` for float dtypes, `i` for integer and bool dtypes
/// (unsigned values by their bits, so a u64 above 2^63 reads negative).
struct Scalar {
  double f = 0;
  int64_t i = 0;
};

/// A dense row-major tensor of any runtime dtype. Every f16, bf16, f32 and f64
/// value is exactly a double, and every integer of up to 64 bits an int64_t.
struct TypedTensor {
  kiln_dtype dtype = KILN_DTYPE_F32;
  std::vector<int64_t> shape;
  std::vector<Scalar> data;

  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

bool isFloat(kiln_dtype dtype);
bool isUnsigned(kiln_dtype dtype);
/// Bits of one element (1 for bool).
unsigned bitWidth(kiln_dtype dtype);
/// "f32", "u8", ...
const char *dtypeName(kiln_dtype dtype);

/// `value` rounded to nearest-even in a float dtype's precision (f16 and bf16
/// overflow to infinity, subnormals included).
double roundTo(kiln_dtype dtype, double value);
/// The low bits of `value` in an integer dtype, sign- or zero-extended by the
/// dtype's signedness; bool keeps whether `value` is nonzero.
int64_t wrapTo(kiln_dtype dtype, int64_t value);

/// A tensor of a float dtype, each value rounded to it.
TypedTensor floats(kiln_dtype dtype, std::vector<int64_t> shape,
                   const std::vector<double> &values);
/// A tensor of an integer or bool dtype, each value wrapped to it.
TypedTensor integers(kiln_dtype dtype, std::vector<int64_t> shape,
                     const std::vector<int64_t> &values);
/// Uniform random floats in [low, high), rounded to the dtype.
TypedTensor randomFloats(kiln_dtype dtype, std::vector<int64_t> shape,
                         std::mt19937 &engine, double low, double high);
/// Uniform random integers in [low, high], wrapped to the dtype.
TypedTensor randomIntegers(kiln_dtype dtype, std::vector<int64_t> shape,
                           std::mt19937 &engine, int64_t low, int64_t high);

/// Applies `fn` to the NumPy broadcast of `operands`, element by element; the
/// result (of `dtype`) is rounded or wrapped to that dtype.
TypedTensor map(const std::vector<TypedTensor> &operands, kiln_dtype dtype,
                const std::function<Scalar(const std::vector<Scalar> &)> &fn);

/// Float unary and binary functions, computed in double.
TypedTensor unaryFloat(const TypedTensor &x,
                       const std::function<double(double)> &fn);
TypedTensor binaryFloat(const TypedTensor &lhs, const TypedTensor &rhs,
                        const std::function<double(double, double)> &fn);
/// Integer binary functions on 64-bit values, wrapped to the operands' dtype.
TypedTensor binaryInteger(const TypedTensor &lhs, const TypedTensor &rhs,
                          const std::function<int64_t(int64_t, int64_t)> &fn);

/// Integer division truncating toward zero (unsigned for unsigned dtypes),
/// 0 for a zero divisor.
TypedTensor divide(const TypedTensor &lhs, const TypedTensor &rhs);
/// Integer remainder: Python's (sign of the divisor) or, with `fmod`, C's
/// (sign of the dividend); 0 for a zero divisor. Floats: C's fmod.
TypedTensor mod(const TypedTensor &lhs, const TypedTensor &rhs, bool fmod);
/// Integer power by repeated multiplication with wrapping; negative exponents
/// truncate 1 / x^-n.
TypedTensor powInteger(const TypedTensor &base, const TypedTensor &exponent);
/// Shifts; amounts of the bit width or more shift every bit out.
TypedTensor shift(const TypedTensor &lhs, const TypedTensor &rhs, bool left);
/// max/min, NaN-propagating for floats, unsigned for unsigned dtypes.
TypedTensor maximum(const TypedTensor &lhs, const TypedTensor &rhs);
TypedTensor minimum(const TypedTensor &lhs, const TypedTensor &rhs);

enum class Predicate { Eq, Lt, Le, Gt, Ge };
/// A bool tensor; NaN compares false.
TypedTensor compare(const TypedTensor &lhs, const TypedTensor &rhs,
                    Predicate predicate);
TypedTensor select(const TypedTensor &condition, const TypedTensor &ifTrue,
                   const TypedTensor &ifFalse);
/// kiln.cast: float to int truncates (inputs must be in range), anything to
/// bool is != 0, bool to numbers is 0/1, ints extend by source signedness.
TypedTensor cast(const TypedTensor &x, kiln_dtype to);

} // namespace kiln::reference::elementwise

#endif // KILN_TESTS_MODELS_ELEMENTWISEREFERENCE_H
