/*===- kiln/string_abi.h - String helpers called by compiled modules ------===*
 *
 * Compiled modules call these functions of libkiln_runtime to convert numbers
 * to and from the elements of string tensors (KILN_DTYPE_STRING, one
 * `const char *` per element). Programs do not call them: like kernel_abi.h,
 * this header is part of the contract between the code Kiln generates and its
 * runtime.
 *
 * Ownership: a string a helper returns belongs to the run in progress on the
 * calling thread (kiln_function_run(), kiln_function_run_buffers() or
 * kiln_session_run()). The runtime frees every such string when the run ends,
 * after copying the strings of string outputs into the output tensors, so
 * compiled code may keep such strings in temporary buffers without freeing
 * them. Outside a run the helpers allocate nothing and record nothing:
 * kiln_string_from_* return the empty string.
 *
 * Errors: a string that is not a number makes kiln_string_to_* return NaN and
 * record the first such error of the run with `site` (what the compiler says
 * the op is); the runtime then fails the run with KILN_INVALID_ARGUMENT and a
 * message naming the site and the string. The same holds for running out of
 * memory while formatting (KILN_OUT_OF_MEMORY).
 *
 * Formats follow ONNX's reference (NumPy): floats are written as
 * `str(numpy.float32(x))` writes them, the shortest digits that read back as
 * the same value ("0.1", "1.0", "1e-07", "nan", "-inf"), integers in decimal;
 * strings are read as Python's float() or int() reads them, then converted to
 * the target type.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_STRING_ABI_H
#define KILN_STRING_ABI_H

#include "kiln/kernel_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Formats an f32 as NumPy's str() does; the string belongs to the run. */
KILN_KERNEL_API const char *kiln_string_from_f32(float value);

/** Formats an f64 as NumPy's str() does; the string belongs to the run. */
KILN_KERNEL_API const char *kiln_string_from_f64(double value);

/** Formats a signed integer in decimal ("-7"); the string belongs to the run.
 * Narrower integers are sign-extended first. */
KILN_KERNEL_API const char *kiln_string_from_i64(int64_t value);

/** Formats an unsigned integer in decimal; the string belongs to the run.
 * Narrower unsigned integers are zero-extended first. */
KILN_KERNEL_API const char *kiln_string_from_u64(uint64_t value);

/**
 * Parses `text` as Python's int() does (surrounding whitespace, a sign,
 * decimal digits with single underscores between them). A value outside the
 * int64 range is an error, as in NumPy (which converts through a C long);
 * compiled code truncates the result to narrower targets, wrapping as NumPy
 * does. Anything else, including NULL, is an error of the run reported with
 * `site`; the result is then 0.
 */
KILN_KERNEL_API int64_t kiln_string_to_i64(const char *text, const char *site);

/**
 * Parses `text` as Python's float() does (surrounding whitespace, a sign,
 * decimal digits with single underscores between them, an exponent, "inf",
 * "infinity" or "nan" in any case) and rounds the double to f32. Anything else,
 * including NULL, is an error of the run reported with `site`.
 */
KILN_KERNEL_API float kiln_string_to_f32(const char *text, const char *site);

/** Parses `text` as kiln_string_to_f32() does, to f64. */
KILN_KERNEL_API double kiln_string_to_f64(const char *text, const char *site);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_STRING_ABI_H */
