//===- elementwiseReference.cpp - Plain references for elementwise ops ---===//

#include "elementwiseReference.h"

#include "llvm/ADT/APFloat.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace kiln::reference::elementwise {

bool isFloat(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64 ||
         dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

bool isUnsigned(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_U8 || dtype == KILN_DTYPE_U16 ||
         dtype == KILN_DTYPE_U32 || dtype == KILN_DTYPE_U64;
}

unsigned bitWidth(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_BOOL:
    return 1;
  case KILN_DTYPE_I8:
  case KILN_DTYPE_U8:
    return 8;
  case KILN_DTYPE_I16:
  case KILN_DTYPE_U16:
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
    return 16;
  case KILN_DTYPE_I32:
  case KILN_DTYPE_U32:
  case KILN_DTYPE_F32:
    return 32;
  default:
    return 64;
  }
}

const char *dtypeName(kiln_dtype dtype) {
  static const char *const names[] = {"invalid", "f32", "f64", "f16", "bf16",
                                      "i8",      "i16", "i32", "i64", "u8",
                                      "bool",    "u16", "u32", "u64"};
  return dtype >= 0 && dtype <= KILN_DTYPE_U64 ? names[dtype] : "?";
}

double roundTo(kiln_dtype dtype, double value) {
  switch (dtype) {
  case KILN_DTYPE_F64:
    return value;
  case KILN_DTYPE_F32:
    return static_cast<float>(value);
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16: {
    // APFloat only as the exact IEEE rounding of a double to 16 bits.
    llvm::APFloat converted(value);
    bool losesInfo = false;
    converted.convert(dtype == KILN_DTYPE_F16 ? llvm::APFloat::IEEEhalf()
                                              : llvm::APFloat::BFloat(),
                      llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    converted.convert(llvm::APFloat::IEEEdouble(),
                      llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    return converted.convertToDouble();
  }
  default:
    assert(false && "not a float dtype");
    return value;
  }
}

int64_t wrapTo(kiln_dtype dtype, int64_t value) {
  unsigned width = bitWidth(dtype);
  if (dtype == KILN_DTYPE_BOOL)
    return value != 0;
  if (width == 64)
    return value;
  uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t bits = static_cast<uint64_t>(value) & mask;
  if (!isUnsigned(dtype) && (bits >> (width - 1)) != 0)
    bits |= ~mask; // sign-extend
  return static_cast<int64_t>(bits);
}

static int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

TypedTensor floats(kiln_dtype dtype, std::vector<int64_t> shape,
                   const std::vector<double> &values) {
  assert(static_cast<int64_t>(values.size()) == elementCount(shape));
  TypedTensor tensor{dtype, std::move(shape), {}};
  for (double value : values)
    tensor.data.push_back({roundTo(dtype, value), 0});
  return tensor;
}

TypedTensor integers(kiln_dtype dtype, std::vector<int64_t> shape,
                     const std::vector<int64_t> &values) {
  assert(static_cast<int64_t>(values.size()) == elementCount(shape));
  TypedTensor tensor{dtype, std::move(shape), {}};
  for (int64_t value : values)
    tensor.data.push_back({0, wrapTo(dtype, value)});
  return tensor;
}

TypedTensor randomFloats(kiln_dtype dtype, std::vector<int64_t> shape,
                         std::mt19937 &engine, double low, double high) {
  std::uniform_real_distribution<double> distribution(low, high);
  std::vector<double> values(elementCount(shape));
  for (double &value : values)
    value = distribution(engine);
  return floats(dtype, std::move(shape), values);
}

TypedTensor randomIntegers(kiln_dtype dtype, std::vector<int64_t> shape,
                           std::mt19937 &engine, int64_t low, int64_t high) {
  std::uniform_int_distribution<int64_t> distribution(low, high);
  std::vector<int64_t> values(elementCount(shape));
  for (int64_t &value : values)
    value = distribution(engine);
  return integers(dtype, std::move(shape), values);
}

TypedTensor map(const std::vector<TypedTensor> &operands, kiln_dtype dtype,
                const std::function<Scalar(const std::vector<Scalar> &)> &fn) {
  // The broadcast shape: aligned at the end, 1 stretches.
  size_t rank = 0;
  for (const TypedTensor &operand : operands)
    rank = std::max(rank, operand.shape.size());
  std::vector<int64_t> shape(rank, 1);
  for (const TypedTensor &operand : operands)
    for (size_t d = 0; d < operand.shape.size(); ++d) {
      int64_t &dim = shape[rank - operand.shape.size() + d];
      int64_t size = operand.shape[d];
      assert((dim == 1 || size == 1 || dim == size) && "not broadcastable");
      if (size != 1)
        dim = size;
    }

  TypedTensor result{dtype, shape, {}};
  int64_t count = elementCount(shape);
  std::vector<int64_t> index(rank, 0);
  std::vector<Scalar> arguments(operands.size());
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t rest = linear;
    for (size_t d = rank; d-- > 0;) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    for (size_t i = 0; i < operands.size(); ++i) {
      const TypedTensor &operand = operands[i];
      int64_t offset = 0;
      size_t leading = rank - operand.shape.size();
      for (size_t d = 0; d < operand.shape.size(); ++d)
        offset = offset * operand.shape[d] +
                 (operand.shape[d] == 1 ? 0 : index[leading + d]);
      arguments[i] = operand.data[offset];
    }
    Scalar value = fn(arguments);
    if (isFloat(dtype))
      value.f = roundTo(dtype, value.f);
    else
      value.i = wrapTo(dtype, value.i);
    result.data.push_back(value);
  }
  return result;
}

TypedTensor unaryFloat(const TypedTensor &x,
                       const std::function<double(double)> &fn) {
  return map({x}, x.dtype, [&](const std::vector<Scalar> &v) {
    return Scalar{fn(v[0].f), 0};
  });
}

TypedTensor binaryFloat(const TypedTensor &lhs, const TypedTensor &rhs,
                        const std::function<double(double, double)> &fn) {
  return map({lhs, rhs}, lhs.dtype, [&](const std::vector<Scalar> &v) {
    return Scalar{fn(v[0].f, v[1].f), 0};
  });
}

TypedTensor binaryInteger(const TypedTensor &lhs, const TypedTensor &rhs,
                          const std::function<int64_t(int64_t, int64_t)> &fn) {
  return map({lhs, rhs}, lhs.dtype, [&](const std::vector<Scalar> &v) {
    return Scalar{0, fn(v[0].i, v[1].i)};
  });
}

TypedTensor divide(const TypedTensor &lhs, const TypedTensor &rhs) {
  if (isFloat(lhs.dtype))
    return binaryFloat(lhs, rhs, [](double a, double b) { return a / b; });
  bool isUnsignedType = isUnsigned(lhs.dtype);
  return binaryInteger(lhs, rhs, [&](int64_t a, int64_t b) -> int64_t {
    if (b == 0)
      return 0;
    if (isUnsignedType)
      return static_cast<int64_t>(static_cast<uint64_t>(a) /
                                  static_cast<uint64_t>(b));
    if (b == -1) // -a, wrapping (the minimum stays itself)
      return static_cast<int64_t>(0 - static_cast<uint64_t>(a));
    return a / b;
  });
}

TypedTensor mod(const TypedTensor &lhs, const TypedTensor &rhs, bool fmod) {
  if (isFloat(lhs.dtype))
    return binaryFloat(lhs, rhs,
                       [](double a, double b) { return std::fmod(a, b); });
  bool isUnsignedType = isUnsigned(lhs.dtype);
  return binaryInteger(lhs, rhs, [&](int64_t a, int64_t b) -> int64_t {
    if (b == 0)
      return 0;
    if (isUnsignedType)
      return static_cast<int64_t>(static_cast<uint64_t>(a) %
                                  static_cast<uint64_t>(b));
    if (b == -1)
      return 0;
    int64_t remainder = a % b; // C: the sign of a
    if (!fmod && remainder != 0 && ((remainder < 0) != (b < 0)))
      remainder += b; // Python: the sign of b
    return remainder;
  });
}

TypedTensor powInteger(const TypedTensor &base, const TypedTensor &exponent) {
  bool isUnsignedType = isUnsigned(base.dtype);
  return binaryInteger(base, exponent, [&](int64_t b, int64_t e) -> int64_t {
    if (!isUnsignedType && e < 0)
      return b == 1 ? 1 : b == -1 ? (e % 2 ? -1 : 1) : 0;
    uint64_t result = 1;
    for (uint64_t n = 0; n < static_cast<uint64_t>(e) && n < 256; ++n)
      result *= static_cast<uint64_t>(b); // wraps mod 2^64, then to the dtype
    return static_cast<int64_t>(result);
  });
}

TypedTensor shift(const TypedTensor &lhs, const TypedTensor &rhs, bool left) {
  bool isUnsignedType = isUnsigned(lhs.dtype);
  unsigned width = bitWidth(lhs.dtype);
  return binaryInteger(lhs, rhs, [&](int64_t a, int64_t amount) -> int64_t {
    // Amounts compare unsigned in the dtype's width.
    uint64_t places = static_cast<uint64_t>(amount);
    if (width < 64)
      places &= (uint64_t(1) << width) - 1;
    if (places >= width) {
      if (!left && !isUnsignedType && a < 0)
        return -1;
      return 0;
    }
    if (left)
      return static_cast<int64_t>(static_cast<uint64_t>(a) << places);
    if (isUnsignedType) {
      uint64_t bits = static_cast<uint64_t>(a);
      if (width < 64)
        bits &= (uint64_t(1) << width) - 1;
      return static_cast<int64_t>(bits >> places);
    }
    return a >> places; // arithmetic on these machines (C++20 defines it)
  });
}

static bool unsignedLess(int64_t a, int64_t b) {
  return static_cast<uint64_t>(a) < static_cast<uint64_t>(b);
}

TypedTensor maximum(const TypedTensor &lhs, const TypedTensor &rhs) {
  if (isFloat(lhs.dtype))
    return binaryFloat(lhs, rhs, [](double a, double b) {
      if (std::isnan(a) || std::isnan(b))
        return std::numeric_limits<double>::quiet_NaN();
      if (a == b) // +0 is larger than -0
        return std::signbit(a) ? b : a;
      return a > b ? a : b;
    });
  bool isUnsignedType = isUnsigned(lhs.dtype);
  return binaryInteger(lhs, rhs, [&](int64_t a, int64_t b) {
    bool less = isUnsignedType ? unsignedLess(a, b) : a < b;
    return less ? b : a;
  });
}

TypedTensor minimum(const TypedTensor &lhs, const TypedTensor &rhs) {
  if (isFloat(lhs.dtype))
    return binaryFloat(lhs, rhs, [](double a, double b) {
      if (std::isnan(a) || std::isnan(b))
        return std::numeric_limits<double>::quiet_NaN();
      if (a == b) // -0 is smaller than +0
        return std::signbit(a) ? a : b;
      return a < b ? a : b;
    });
  bool isUnsignedType = isUnsigned(lhs.dtype);
  return binaryInteger(lhs, rhs, [&](int64_t a, int64_t b) {
    bool less = isUnsignedType ? unsignedLess(a, b) : a < b;
    return less ? a : b;
  });
}

TypedTensor compare(const TypedTensor &lhs, const TypedTensor &rhs,
                    Predicate predicate) {
  bool isFloatType = isFloat(lhs.dtype);
  bool isUnsignedType = isUnsigned(lhs.dtype);
  return map({lhs, rhs}, KILN_DTYPE_BOOL, [&](const std::vector<Scalar> &v) {
    bool less, equal;
    if (isFloatType) {
      if (std::isnan(v[0].f) || std::isnan(v[1].f))
        return Scalar{0, 0};
      less = v[0].f < v[1].f;
      equal = v[0].f == v[1].f;
    } else {
      less = isUnsignedType ? unsignedLess(v[0].i, v[1].i) : v[0].i < v[1].i;
      equal = v[0].i == v[1].i;
    }
    bool result = false;
    switch (predicate) {
    case Predicate::Eq:
      result = equal;
      break;
    case Predicate::Lt:
      result = less;
      break;
    case Predicate::Le:
      result = less || equal;
      break;
    case Predicate::Gt:
      result = !less && !equal;
      break;
    case Predicate::Ge:
      result = !less;
      break;
    }
    return Scalar{0, result};
  });
}

TypedTensor select(const TypedTensor &condition, const TypedTensor &ifTrue,
                   const TypedTensor &ifFalse) {
  return map({condition, ifTrue, ifFalse}, ifTrue.dtype,
             [](const std::vector<Scalar> &v) { return v[0].i ? v[1] : v[2]; });
}

TypedTensor cast(const TypedTensor &x, kiln_dtype to) {
  kiln_dtype from = x.dtype;
  return map({x}, to, [&](const std::vector<Scalar> &v) -> Scalar {
    Scalar value = v[0];
    if (to == KILN_DTYPE_BOOL)
      return Scalar{0, isFloat(from) ? value.f != 0 : value.i != 0};
    if (isFloat(from)) {
      if (isFloat(to))
        return Scalar{value.f, 0}; // map() rounds to `to`
      double truncated = std::trunc(value.f);
      if (isUnsigned(to))
        return Scalar{0,
                      static_cast<int64_t>(static_cast<uint64_t>(truncated))};
      return Scalar{0, static_cast<int64_t>(truncated)};
    }
    // Integer and bool sources; u64 above 2^63 is negative in value.i.
    if (isFloat(to)) {
      // One rounding, straight to f32 (through double would round twice).
      if (to == KILN_DTYPE_F32)
        return Scalar{isUnsigned(from)
                          ? static_cast<float>(static_cast<uint64_t>(value.i))
                          : static_cast<float>(value.i),
                      0};
      double converted =
          isUnsigned(from) ? static_cast<double>(static_cast<uint64_t>(value.i))
                           : static_cast<double>(value.i);
      return Scalar{converted, 0};
    }
    return Scalar{0, value.i}; // map() wraps; the source was extended already
  });
}

} // namespace kiln::reference::elementwise
