//===- TensorData.h - ONNX TensorProto contents, read safely --------------===//
//
// Turns an ONNX TensorProto (an initializer, a Constant's value, or a test data
// file) into raw little-endian bytes with a dtype and shape. Every size and
// offset is checked: negative or overflowing dims, data whose length does not
// match the dims, and external data outside the model's folder or past the end
// of its file are errors, never reads out of bounds.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_TENSORDATA_H
#define KILN_FRONTENDS_ONNX_TENSORDATA_H

#include "kiln/module_abi.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace kiln::onnx_import {

/// A dense tensor: dtype, shape and row-major little-endian bytes (bools one
/// byte each, 0 or 1).
struct TensorData {
  kiln_dtype dtype = KILN_DTYPE_INVALID;
  std::vector<int64_t> shape;
  /// The elements, row-major, for every dtype but KILN_DTYPE_STRING.
  std::vector<uint8_t> bytes;
  /// The elements of a KILN_DTYPE_STRING tensor (`bytes` is then empty).
  std::vector<std::string> strings;

  int64_t elementCount() const;
};

/// The product of `shape`, or an error naming `what` when a dim is negative or
/// the product (times `elementSize` bytes) overflows.
llvm::Expected<int64_t> checkedElementCount(const std::vector<int64_t> &shape,
                                            size_t elementSize,
                                            llvm::StringRef what);

/// The runtime dtype of an ONNX element type (TensorProto::DataType), or an
/// error for types Kiln does not support (string, complex, ...).
llvm::Expected<kiln_dtype> dtypeFromOnnx(int32_t onnxType,
                                         llvm::StringRef what);

/// Reads `tensor`. External data is read from `modelDirectory`; an empty
/// `modelDirectory` means external data is not allowed.
llvm::Expected<TensorData> readTensorProto(const onnx::TensorProto &tensor,
                                           llvm::StringRef modelDirectory);

/// Replaces `tensor`'s external data by the bytes it names (checked as
/// readTensorProto checks them), so that later readers see ordinary raw_data.
llvm::Error internalizeExternalData(onnx::TensorProto &tensor,
                                    llvm::StringRef modelDirectory);

/// Reads a serialized TensorProto file (the ONNX test data's input_0.pb and
/// friends).
llvm::Expected<TensorData> readTensorProtoFile(llvm::StringRef path);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_TENSORDATA_H
