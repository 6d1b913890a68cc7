//===- strings.cpp - String tensors and the helpers of string_abi.h -------===//
//
// String tensors hold one `const char *` per element. Strings that compiled
// code creates belong to the run that created them (a thread-local
// StringRun): the runtime copies output strings into the output tensors and
// frees the run's strings when it ends, so generated code never frees a
// string, whatever buffers it kept them in.
//
// Numbers are formatted and parsed exactly as ONNX's reference (NumPy) does:
// std::to_chars gives the shortest round-trip digits, which are laid out as
// NumPy's str() lays them out, and parsing accepts Python's float() grammar.
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include "kiln/string_abi.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace kiln::internal;

const char kiln::internal::kEmptyString[1] = "";

namespace {

/// The run in progress on this thread, if any.
thread_local StringRun *currentRun = nullptr;

/// Records the first error of the current run.
void recordError(StringRun &run, kiln_status_code code, std::string message) {
  if (run.errorCode != KILN_OK)
    return;
  run.errorCode = code;
  run.error = std::move(message);
}

/// A malloc'd copy of `length` bytes of `text` plus a NUL, or NULL.
char *duplicate(const char *text, size_t length) {
  auto *copy = static_cast<char *>(std::malloc(length + 1));
  if (copy) {
    std::memcpy(copy, text, length);
    copy[length] = '\0';
  }
  return copy;
}

/// Copies `text` into the current run and returns the copy. Without a run, or
/// when memory runs out (recorded as the run's error), returns "".
const char *makeRunString(std::string_view text) {
  StringRun *run = currentRun;
  if (!run)
    return kEmptyString;
  try {
    run->strings.reserve(run->strings.size() + 1);
  } catch (...) {
    recordError(*run, KILN_OUT_OF_MEMORY, "out of memory creating a string");
    return kEmptyString;
  }
  char *copy = duplicate(text.data(), text.size());
  if (!copy) {
    recordError(*run, KILN_OUT_OF_MEMORY, "out of memory creating a string");
    return kEmptyString;
  }
  run->strings.push_back(copy); // cannot throw: capacity was reserved
  return copy;
}

/// Lays out shortest round-trip digits as NumPy's str() of a float scalar
/// does: positional for 1e-4 <= |x| < 1e16 (and 0) with at least one digit
/// after the point ("1.0", "0.001", "1234567.0"), scientific otherwise with a
/// two-digit exponent ("1e-07", "1.5e+20"), and "nan", "inf", "-inf".
template <typename Float> std::string formatLikeNumpy(Float value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                    std::chars_format::scientific);
  if (error != std::errc())
    return "nan"; // cannot happen: 64 bytes hold any double
  std::string scientific(buffer, end);
  // NumPy compares the magnitude as a double, so the f32 just below 1e-4
  // is written in scientific notation.
  double magnitude = std::fabs(static_cast<double>(value));
  if (magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e16))
    return scientific;

  // "-d.ddde+XX" -> sign, digits "dddd", decimal exponent XX.
  size_t exponentAt = scientific.find('e');
  bool negative = scientific[0] == '-';
  std::string digits;
  for (size_t i = negative ? 1 : 0; i < exponentAt; ++i)
    if (scientific[i] != '.')
      digits += scientific[i];
  int exponent = std::atoi(scientific.c_str() + exponentAt + 1);

  std::string text = negative ? "-" : "";
  if (exponent < 0) {
    text += "0.";
    text.append(static_cast<size_t>(-exponent - 1), '0');
    text += digits;
    return text;
  }
  size_t integerDigits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integerDigits) {
    text += digits;
    text.append(integerDigits - digits.size(), '0');
    text += ".0";
    return text;
  }
  text += digits.substr(0, integerDigits);
  text += '.';
  text += digits.substr(integerDigits);
  return text;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// Case-insensitive comparison with a lowercase ASCII word.
bool equalsLower(std::string_view text, std::string_view word) {
  if (text.size() != word.size())
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i])
      return false;
  }
  return true;
}

/// Appends the digit part at `text[i]` (digits with single underscores
/// between them, as Python allows) to `out` without the underscores. Returns
/// false when there is none or an underscore is misplaced.
bool takeDigits(std::string_view text, size_t &i, std::string &out) {
  if (i >= text.size() || !isDigit(text[i]))
    return false;
  while (i < text.size()) {
    if (isDigit(text[i])) {
      out += text[i++];
      continue;
    }
    if (text[i] == '_' && i + 1 < text.size() && isDigit(text[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  return true;
}

/// Parses `text` with Python float()'s grammar. Returns false when it is not
/// a number.
bool parseLikePython(std::string_view text, double &value) {
  while (!text.empty() && isSpace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back()))
    text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  double sign = negative ? -1.0 : 1.0;
  if (equalsLower(text, "inf") || equalsLower(text, "infinity")) {
    value = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  if (equalsLower(text, "nan")) {
    value = std::copysign(std::numeric_limits<double>::quiet_NaN(), sign);
    return true;
  }

  // digits ["." [digits]] | "." digits, then [("e"|"E") [sign] digits].
  std::string clean;
  size_t i = 0;
  bool integerPart = takeDigits(text, i, clean);
  size_t integerDigits = clean.size();
  bool fractionPart = false;
  if (i < text.size() && text[i] == '.') {
    clean += text[i++];
    fractionPart = takeDigits(text, i, clean);
  }
  if (!integerPart && !fractionPart)
    return false;
  std::string exponentText;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    clean += text[i++];
    if (i < text.size() && (text[i] == '+' || text[i] == '-'))
      exponentText += text[i++];
    if (!takeDigits(text, i, exponentText))
      return false;
    clean += exponentText;
  }
  if (i != text.size())
    return false;

  double magnitude;
  auto [end, error] =
      std::from_chars(clean.data(), clean.data() + clean.size(), magnitude);
  if (end != clean.data() + clean.size())
    return false;
  if (error == std::errc::result_out_of_range) {
    // Python gives inf past the largest double and 0 below the smallest;
    // from_chars leaves the value to us. A positive decimal exponent of the
    // first significant digit means overflow.
    long exponent = exponentText.empty() ? 0 : std::atol(exponentText.c_str());
    size_t firstSignificant = clean.find_first_not_of("0.");
    bool overflow =
        (firstSignificant < integerDigits) ? exponent >= 0 : exponent > 0;
    magnitude = overflow ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (error != std::errc()) {
    return false;
  }
  value = sign * magnitude;
  return true;
}

/// Parses `text` with Python int()'s grammar into an int64. Returns false
/// when it is not an integer or does not fit.
bool parseIntegerLikePython(std::string_view text, int64_t &value) {
  while (!text.empty() && isSpace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back()))
    text.remove_suffix(1);
  std::string clean;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    if (text.front() == '-')
      clean += '-';
    text.remove_prefix(1);
  }
  size_t i = 0;
  if (!takeDigits(text, i, clean) || i != text.size())
    return false;
  auto [end, error] =
      std::from_chars(clean.data(), clean.data() + clean.size(), value);
  return error == std::errc() && end == clean.data() + clean.size();
}

/// Records that `text` is not a `what` at `site` in the current run.
void recordParseError(const char *text, const char *site, const char *what) {
  StringRun *run = currentRun;
  if (!run)
    return;
  try {
    std::string message =
        std::string(site ? site : "a string conversion") + ": cannot convert ";
    message += text ? "\"" + std::string(text) + "\"" : "a NULL string";
    message += what;
    recordError(*run, KILN_INVALID_ARGUMENT, std::move(message));
  } catch (...) {
    recordError(*run, KILN_OUT_OF_MEMORY, "");
  }
}

/// Parses a string for kiln_string_to_*, recording a failure in the run.
double parseForRun(const char *text, const char *site) {
  double value;
  try {
    if (text && parseLikePython(text, value))
      return value;
  } catch (...) {
    if (currentRun)
      recordError(*currentRun, KILN_OUT_OF_MEMORY, "");
    return std::numeric_limits<double>::quiet_NaN();
  }
  recordParseError(text, site, " to a number");
  return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

//===--- Run scope --------------------------------------------------------===//

ActiveStringRun::ActiveStringRun() : previous(currentRun) { currentRun = &run; }

ActiveStringRun::~ActiveStringRun() {
  currentRun = previous;
  for (char *string : run.strings)
    std::free(string);
}

kiln_status *ActiveStringRun::takeError(const char *function) {
  if (run.errorCode == KILN_OK)
    return nullptr;
  if (run.errorCode == KILN_OUT_OF_MEMORY && run.error.empty())
    return outOfMemoryStatus();
  return makeError(run.errorCode, "function '", function, "': ", run.error);
}

//===--- String tensors ---------------------------------------------------===//

void kiln::internal::releaseStrings(kiln_tensor &tensor) {
  if (tensor.dtype != KILN_DTYPE_STRING || !tensor.ownsData)
    return;
  auto **strings = static_cast<const char **>(tensor.data);
  for (int64_t i = 0; i < tensor.elementCount; ++i) {
    if (strings[i] != kEmptyString)
      std::free(const_cast<char *>(strings[i]));
    strings[i] = kEmptyString;
  }
}

kiln_status *kiln::internal::copyStrings(const char **strings, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    const char *source = strings[i] ? strings[i] : kEmptyString;
    if (*source == '\0') {
      strings[i] = kEmptyString;
      continue;
    }
    char *copy = duplicate(source, std::strlen(source));
    if (!copy) {
      for (int64_t j = 0; j < i; ++j) {
        if (strings[j] != kEmptyString)
          std::free(const_cast<char *>(strings[j]));
      }
      for (int64_t j = 0; j < count; ++j)
        strings[j] = kEmptyString;
      return makeStatus(KILN_OUT_OF_MEMORY, "cannot copy an output string");
    }
    strings[i] = copy;
  }
  return nullptr;
}

kiln_status *kiln::internal::checkStringElements(const char *const *strings,
                                                 int64_t count,
                                                 const std::string &what) {
  for (int64_t i = 0; i < count; ++i)
    if (!strings[i])
      return makeError(KILN_INVALID_ARGUMENT, what, " element ", i,
                       " is a NULL string; string elements must point to "
                       "NUL-terminated text");
  return nullptr;
}

kiln_status *kiln_tensor_set_string(kiln_tensor *tensor, int64_t index,
                                    const char *value) {
  if (!tensor || !value)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_tensor_set_string: `tensor` or `value` is NULL");
  if (tensor->dtype != KILN_DTYPE_STRING)
    return makeError(KILN_INVALID_ARGUMENT,
                     "kiln_tensor_set_string: the tensor has dtype ",
                     kiln_dtype_name(tensor->dtype), ", not string");
  if (!tensor->ownsData)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_tensor_set_string: the tensor borrows its "
                      "strings (kiln_tensor_wrap); set them in the caller's "
                      "array instead");
  if (index < 0 || index >= tensor->elementCount)
    return makeError(KILN_OUT_OF_RANGE, "kiln_tensor_set_string: index ", index,
                     " is outside the tensor's ", tensor->elementCount,
                     " elements");
  const char *copy = kEmptyString;
  if (*value != '\0') {
    copy = duplicate(value, std::strlen(value));
    if (!copy)
      return makeStatus(KILN_OUT_OF_MEMORY,
                        "kiln_tensor_set_string: cannot copy the string");
  }
  auto **strings = static_cast<const char **>(tensor->data);
  if (strings[index] != kEmptyString)
    std::free(const_cast<char *>(strings[index]));
  strings[index] = copy;
  return nullptr;
}

const char *kiln_tensor_string(const kiln_tensor *tensor, int64_t index) {
  if (!tensor || tensor->dtype != KILN_DTYPE_STRING || index < 0 ||
      index >= tensor->elementCount)
    return nullptr;
  return static_cast<const char *const *>(tensor->data)[index];
}

//===--- Helpers called by compiled code ----------------------------------===//

const char *kiln_string_from_f32(float value) {
  if (!currentRun)
    return kEmptyString;
  try {
    return makeRunString(formatLikeNumpy(value));
  } catch (...) {
    recordError(*currentRun, KILN_OUT_OF_MEMORY, "");
    return kEmptyString;
  }
}

const char *kiln_string_from_f64(double value) {
  if (!currentRun)
    return kEmptyString;
  try {
    return makeRunString(formatLikeNumpy(value));
  } catch (...) {
    recordError(*currentRun, KILN_OUT_OF_MEMORY, "");
    return kEmptyString;
  }
}

namespace {
/// Formats an integer in decimal into the current run.
template <typename Integer> const char *formatInteger(Integer value) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (error != std::errc())
    return kEmptyString; // cannot happen: 24 bytes hold any 64-bit integer
  return makeRunString(std::string_view(buffer, end - buffer));
}
} // namespace

const char *kiln_string_from_i64(int64_t value) { return formatInteger(value); }

const char *kiln_string_from_u64(uint64_t value) {
  return formatInteger(value);
}

int64_t kiln_string_to_i64(const char *text, const char *site) {
  int64_t value = 0;
  try {
    if (text && parseIntegerLikePython(text, value))
      return value;
  } catch (...) {
    if (currentRun)
      recordError(*currentRun, KILN_OUT_OF_MEMORY, "");
    return 0;
  }
  recordParseError(text, site, " to an integer (in the int64 range)");
  return 0;
}

float kiln_string_to_f32(const char *text, const char *site) {
  // Python parses to a double and NumPy rounds that to f32 (round to
  // nearest; a double beyond the f32 range becomes inf, as in IEEE 754).
  return static_cast<float>(parseForRun(text, site));
}

double kiln_string_to_f64(const char *text, const char *site) {
  return parseForRun(text, site);
}
