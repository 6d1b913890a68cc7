//===- Npy.h - A strict reader and writer for NumPy .npy files ------------===//
//
// kiln-run reads inputs from and writes outputs to .npy files (format
// versions 1.0, 2.0 and 3.0). Only what Kiln's tensors are is accepted:
// C order, little-endian (or byte-sized) element types that have a kiln
// dtype (f16 f32 f64, i8 i16 i32 i64, u8 u16 u32 u64, bool), rank at most
// KILN_ABI_MAX_RANK, and exactly as many data bytes as the shape needs.
// Everything else (Fortran order, big-endian data, object or structured
// dtypes, a malformed header, a truncated or over-long file) is an error that
// says what was found.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_NPY_H
#define KILN_TOOLS_NPY_H

#include "kiln/runtime.hpp"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace kiln::tools::npy {

/// The .npy dtype string of `dtype` ("<f4", "|b1", ...); empty for a dtype
/// that NumPy has no name for (bf16).
std::string descrOf(kiln_dtype dtype);

/// Parses the contents of a .npy file into a tensor. Messages do not name
/// the file; readFile() adds that.
llvm::Expected<rt::Tensor> parse(llvm::StringRef bytes);

/// Reads and parses the .npy file at `path`.
llvm::Expected<rt::Tensor> readFile(llvm::StringRef path);

/// The bytes of a .npy file (version 1.0, or 2.0 for very long headers)
/// holding `tensor`; an error for a dtype NumPy cannot represent.
llvm::Expected<std::string> serialize(const rt::Tensor &tensor);

} // namespace kiln::tools::npy

#endif // KILN_TOOLS_NPY_H
