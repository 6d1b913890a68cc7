//===- Npy.cpp - A strict reader and writer for NumPy .npy files ----------===//
//
// The format (numpy.lib.format): the magic "\x93NUMPY", a major and minor
// version byte, the header length (2 bytes little-endian in 1.0, 4 bytes in
// 2.0 and 3.0), then the header: a Python dict literal with exactly the keys
// 'descr', 'fortran_order' and 'shape', padded with spaces and ended by a
// newline; then the raw data. The header is parsed by a small tokenizer, not
// evaluated, and every size is computed with overflow checks.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>
#include <optional>

namespace kiln::tools::npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
/// Longer headers are not something NumPy writes for Kiln's dtypes.
constexpr uint32_t kMaxHeaderSize = 1 << 20;

/// (descr, dtype) pairs. Byte-sized types are written with '|' by NumPy;
/// '<' is accepted too.
struct DtypeName {
  const char *descr;
  kiln_dtype dtype;
};
constexpr DtypeName kDtypes[] = {
    {"<f2", KILN_DTYPE_F16}, {"<f4", KILN_DTYPE_F32},  {"<f8", KILN_DTYPE_F64},
    {"|i1", KILN_DTYPE_I8},  {"<i1", KILN_DTYPE_I8},   {"<i2", KILN_DTYPE_I16},
    {"<i4", KILN_DTYPE_I32}, {"<i8", KILN_DTYPE_I64},  {"|u1", KILN_DTYPE_U8},
    {"<u1", KILN_DTYPE_U8},  {"<u2", KILN_DTYPE_U16},  {"<u4", KILN_DTYPE_U32},
    {"<u8", KILN_DTYPE_U64}, {"|b1", KILN_DTYPE_BOOL}, {"<b1", KILN_DTYPE_BOOL},
};

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(message);
}

/// The tokenizer and parser of the header's dict literal.
class HeaderParser {
public:
  explicit HeaderParser(llvm::StringRef text) : rest(text) {}

  struct Header {
    std::string descr;
    bool fortranOrder = false;
    std::vector<int64_t> shape;
  };

  llvm::Expected<Header> parse() {
    Header header;
    bool seenDescr = false, seenOrder = false, seenShape = false;
    if (!consume('{'))
      return fail("the header is not a dict literal");
    while (!consume('}')) {
      auto key = parseString();
      if (!key)
        return key.takeError();
      if (!consume(':'))
        return fail("the header has no ':' after '" + *key + "'");
      if (*key == "descr" && !seenDescr) {
        auto descr = parseString();
        if (!descr)
          return descr.takeError();
        header.descr = *descr;
        seenDescr = true;
      } else if (*key == "fortran_order" && !seenOrder) {
        if (!parseBool(header.fortranOrder))
          return fail("'fortran_order' is not True or False");
        seenOrder = true;
      } else if (*key == "shape" && !seenShape) {
        if (llvm::Error error = parseShape(header.shape))
          return std::move(error);
        seenShape = true;
      } else {
        return fail("the header has an unexpected or repeated key '" + *key +
                    "'");
      }
      if (!consume(',') && !peek('}'))
        return fail("the header has no ',' between its entries");
    }
    skipSpace();
    if (!rest.empty())
      return fail("the header has text after its dict");
    if (!seenDescr || !seenOrder || !seenShape)
      return fail("the header lacks one of 'descr', 'fortran_order' and "
                  "'shape'");
    return header;
  }

private:
  void skipSpace() { rest = rest.ltrim(" \t\n"); }
  bool peek(char c) {
    skipSpace();
    return !rest.empty() && rest.front() == c;
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    rest = rest.drop_front();
    return true;
  }

  llvm::Expected<std::string> parseString() {
    skipSpace();
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return fail("the header has a key or value that is not a string where "
                  "one is expected");
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == llvm::StringRef::npos)
      return fail("the header has an unterminated string");
    std::string value = rest.slice(1, end).str();
    if (value.find('\\') != std::string::npos)
      return fail("the header has an escaped string, which no supported "
                  "dtype needs");
    rest = rest.drop_front(end + 1);
    return value;
  }

  bool parseBool(bool &value) {
    skipSpace();
    if (rest.consume_front("True"))
      value = true;
    else if (rest.consume_front("False"))
      value = false;
    else
      return false;
    return true;
  }

  llvm::Error parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("'shape' is not a tuple");
    while (!consume(')')) {
      skipSpace();
      size_t digits = 0;
      while (digits < rest.size() && llvm::isDigit(rest[digits]))
        ++digits;
      int64_t dim;
      if (digits == 0 || rest.take_front(digits).getAsInteger(10, dim))
        return fail("'shape' has an entry that is not a non-negative "
                    "integer that fits in 64 bits");
      rest = rest.drop_front(digits);
      shape.push_back(dim);
      if (shape.size() > KILN_ABI_MAX_RANK)
        return fail("'shape' has more than " + llvm::Twine(KILN_ABI_MAX_RANK) +
                    " dimensions");
      if (!consume(',') && !peek(')'))
        return fail("'shape' has no ',' between its entries");
    }
    return llvm::Error::success();
  }

  llvm::StringRef rest;
};

std::optional<kiln_dtype> dtypeOf(llvm::StringRef descr) {
  for (const DtypeName &entry : kDtypes)
    if (descr == entry.descr)
      return entry.dtype;
  return std::nullopt;
}

/// A shape as Python writes a tuple: "()", "(4,)", "(4, 2)".
std::string formatShape(const std::vector<int64_t> &shape) {
  if (shape.size() == 1)
    return "(" + std::to_string(shape[0]) + ",)";
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + ")";
}

} // namespace

std::string descrOf(kiln_dtype dtype) {
  for (const DtypeName &entry : kDtypes)
    if (entry.dtype == dtype)
      return entry.descr;
  return "";
}

llvm::Expected<rt::Tensor> parse(llvm::StringRef bytes) {
  static_assert(sizeof(kMagic) - 1 == kMagicSize);
  if (bytes.size() < kMagicSize + 4 ||
      std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    return fail("not a .npy file (no \\x93NUMPY magic)");
  uint8_t major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail("unsupported .npy format version " +
                llvm::Twine(static_cast<unsigned>(major)) + "." +
                llvm::Twine(static_cast<unsigned>(minor)) +
                " (1.0, 2.0 and 3.0 are supported)");
  size_t lengthSize = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + lengthSize)
    return fail("the file ends inside its header length");
  uint32_t headerSize = major == 1
                            ? llvm::support::endian::read16le(bytes.data() + 8)
                            : llvm::support::endian::read32le(bytes.data() + 8);
  size_t headerStart = 8 + lengthSize;
  if (headerSize > kMaxHeaderSize || headerStart + headerSize > bytes.size())
    return fail("the header length " + llvm::Twine(headerSize) +
                " runs past the end of the " + llvm::Twine(bytes.size()) +
                "-byte file");
  llvm::StringRef headerText = bytes.substr(headerStart, headerSize);
  if (!headerText.ends_with("\n"))
    return fail("the header does not end with a newline");
  auto header = HeaderParser(headerText).parse();
  if (!header)
    return header.takeError();

  std::optional<kiln_dtype> dtype = dtypeOf(header->descr);
  if (!dtype)
    return fail("unsupported dtype '" + header->descr +
                "' (supported: little-endian f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 "
                "and b1)");
  if (header->fortranOrder)
    return fail("the array is in Fortran order; save it in C order (e.g. "
                "numpy.ascontiguousarray)");
  // The size the header promises is checked against the file before any
  // memory is allocated for it.
  uint64_t needed = kiln_dtype_size(*dtype);
  for (int64_t dim : header->shape)
    if (__builtin_mul_overflow(needed, static_cast<uint64_t>(dim), &needed))
      return fail("the shape " + formatShape(header->shape) +
                  " is too large to be a tensor");
  llvm::StringRef data = bytes.drop_front(headerStart + headerSize);
  if (data.size() != needed)
    return fail("the data has " + llvm::Twine(data.size()) +
                " bytes, but dtype " + header->descr + " and shape " +
                formatShape(header->shape) + " need " + llvm::Twine(needed) +
                (data.size() < needed ? " (truncated file)" : ""));
  rt::Tensor tensor;
  try {
    tensor = rt::Tensor::create(*dtype, header->shape);
  } catch (const rt::Error &error) {
    return fail(llvm::Twine("the shape cannot be a tensor: ") + error.what());
  }
  if (tensor.byteSize() > 0)
    std::memcpy(kiln_tensor_data(tensor.get()), data.data(), data.size());
  if (*dtype == KILN_DTYPE_BOOL)
    for (char byte : data)
      if (byte != 0 && byte != 1)
        return fail("a bool element is neither 0 nor 1");
  return std::move(tensor);
}

llvm::Expected<rt::Tensor> readFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  auto tensor = parse((*buffer)->getBuffer());
  if (!tensor)
    return llvm::createStringError(
        "'" + path +
        "' is not a usable .npy file: " + llvm::toString(tensor.takeError()));
  return tensor;
}

llvm::Expected<std::string> serialize(const rt::Tensor &tensor) {
  std::string descr = descrOf(tensor.dtype());
  if (descr.empty())
    return fail(llvm::Twine("dtype ") + kiln_dtype_name(tensor.dtype()) +
                " has no .npy equivalent");
  std::string header =
      "{'descr': '" + descr +
      "', 'fortran_order': False, 'shape': " + formatShape(tensor.shape()) +
      ", }";
  // Magic, version, length and header are padded to a multiple of 64 bytes.
  size_t prefix = kMagicSize + 2 + 2;
  bool wide = prefix + header.size() + 1 > 65535;
  if (wide)
    prefix += 2;
  size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header.push_back('\n');

  std::string bytes(kMagic, kMagicSize);
  bytes.push_back(wide ? 2 : 1);
  bytes.push_back(0);
  char length[4];
  if (wide) {
    llvm::support::endian::write32le(length, header.size());
    bytes.append(length, 4);
  } else {
    llvm::support::endian::write16le(length, header.size());
    bytes.append(length, 2);
  }
  bytes += header;
  bytes.append(static_cast<const char *>(kiln_tensor_const_data(tensor.get())),
               tensor.byteSize());
  return bytes;
}

} // namespace kiln::tools::npy
