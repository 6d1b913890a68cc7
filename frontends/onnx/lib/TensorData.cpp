//===- TensorData.cpp - ONNX TensorProto contents, read safely ------------===//

#include "kiln/Frontends/ONNX/TensorData.h"
#include "kiln/runtime.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

#include <cstring>

namespace kiln::onnx_import {

int64_t TensorData::elementCount() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

llvm::Expected<int64_t> checkedElementCount(const std::vector<int64_t> &shape,
                                            size_t elementSize,
                                            llvm::StringRef what) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return llvm::createStringError(what + " has a negative dimension (" +
                                     llvm::Twine(dim) + ")");
    if (llvm::MulOverflow(count, dim, count))
      return llvm::createStringError(
          what + " has dimensions whose product overflows int64");
  }
  int64_t bytes;
  if (llvm::MulOverflow(count, static_cast<int64_t>(elementSize), bytes))
    return llvm::createStringError(
        what + " is too large: its size in bytes overflows int64");
  return count;
}

llvm::Expected<kiln_dtype> dtypeFromOnnx(int32_t onnxType,
                                         llvm::StringRef what) {
  using onnx::TensorProto;
  switch (onnxType) {
  case TensorProto::FLOAT:
    return KILN_DTYPE_F32;
  case TensorProto::DOUBLE:
    return KILN_DTYPE_F64;
  case TensorProto::FLOAT16:
    return KILN_DTYPE_F16;
  case TensorProto::BFLOAT16:
    return KILN_DTYPE_BF16;
  case TensorProto::INT8:
    return KILN_DTYPE_I8;
  case TensorProto::INT16:
    return KILN_DTYPE_I16;
  case TensorProto::INT32:
    return KILN_DTYPE_I32;
  case TensorProto::INT64:
    return KILN_DTYPE_I64;
  case TensorProto::UINT8:
    return KILN_DTYPE_U8;
  case TensorProto::UINT16:
    return KILN_DTYPE_U16;
  case TensorProto::UINT32:
    return KILN_DTYPE_U32;
  case TensorProto::UINT64:
    return KILN_DTYPE_U64;
  case TensorProto::BOOL:
    return KILN_DTYPE_BOOL;
  case TensorProto::STRING:
    return KILN_DTYPE_STRING;
  default: {
    std::string name = TensorProto::DataType_IsValid(onnxType)
                           ? TensorProto::DataType_Name(
                                 static_cast<TensorProto::DataType>(onnxType))
                           : "unknown (" + std::to_string(onnxType) + ")";
    return llvm::createStringError(what + " has element type " + name +
                                   ", which Kiln does not support");
  }
  }
}

/// Copies `count` values of a repeated proto field into `bytes` as `Stored`
/// (the element type's storage), converting each with a static_cast.
template <typename Stored, typename Field>
static void copyField(const Field &field, std::vector<uint8_t> &bytes) {
  bytes.resize(field.size() * sizeof(Stored));
  for (int i = 0; i < field.size(); ++i) {
    Stored value = static_cast<Stored>(field.Get(i));
    std::memcpy(bytes.data() + i * sizeof(Stored), &value, sizeof(Stored));
  }
}

/// Reads the typed repeated field that holds `dtype`'s values; returns how many
/// values it had.
static int64_t readTypedField(const onnx::TensorProto &tensor, kiln_dtype dtype,
                              std::vector<uint8_t> &bytes) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    copyField<float>(tensor.float_data(), bytes);
    return tensor.float_data_size();
  case KILN_DTYPE_F64:
    copyField<double>(tensor.double_data(), bytes);
    return tensor.double_data_size();
  case KILN_DTYPE_I64:
    copyField<int64_t>(tensor.int64_data(), bytes);
    return tensor.int64_data_size();
  case KILN_DTYPE_U32:
    copyField<uint32_t>(tensor.uint64_data(), bytes);
    return tensor.uint64_data_size();
  case KILN_DTYPE_U64:
    copyField<uint64_t>(tensor.uint64_data(), bytes);
    return tensor.uint64_data_size();
  case KILN_DTYPE_I32:
    copyField<int32_t>(tensor.int32_data(), bytes);
    return tensor.int32_data_size();
  case KILN_DTYPE_I16:
    copyField<int16_t>(tensor.int32_data(), bytes);
    return tensor.int32_data_size();
  case KILN_DTYPE_I8:
    copyField<int8_t>(tensor.int32_data(), bytes);
    return tensor.int32_data_size();
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL:
    copyField<uint8_t>(tensor.int32_data(), bytes);
    return tensor.int32_data_size();
  case KILN_DTYPE_U16:
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
    // Half-precision values travel as their 16 bits in int32_data.
    copyField<uint16_t>(tensor.int32_data(), bytes);
    return tensor.int32_data_size();
  default:
    return -1;
  }
}

/// Whether `location` may be opened inside `modelDirectory`: relative, without
/// "..", and (after following symlinks) still inside the folder.
static llvm::Expected<std::string>
resolveExternalPath(llvm::StringRef location, llvm::StringRef modelDirectory,
                    llvm::StringRef what) {
  if (location.empty())
    return llvm::createStringError(what +
                                   " has external data without a location");
  if (llvm::sys::path::is_absolute(location))
    return llvm::createStringError(
        what + " has external data at an absolute path ('" + location +
        "'); it must be relative to the model");
  for (llvm::StringRef component : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (component == "..")
      return llvm::createStringError(
          what + " has external data location '" + location +
          "', which leaves the model's folder through '..'");
  llvm::SmallString<256> folder, file, joined(modelDirectory);
  llvm::sys::path::append(joined, location);
  if (std::error_code error = llvm::sys::fs::real_path(modelDirectory, folder))
    return llvm::createStringError(
        error, "cannot resolve the model's folder '" + modelDirectory +
                   "': " + error.message());
  if (std::error_code error = llvm::sys::fs::real_path(joined, file))
    return llvm::createStringError(error, what +
                                              ": cannot open external data '" +
                                              joined + "': " + error.message());
  llvm::StringRef resolved = file;
  if (!resolved.starts_with(folder) || resolved.size() <= folder.size() ||
      !llvm::sys::path::is_separator(resolved[folder.size()]))
    return llvm::createStringError(
        what + " has external data '" + location +
        "' that resolves (through a symbolic link) to '" + resolved +
        "', outside the model's folder");
  return resolved.str();
}

/// Reads `expectedBytes` bytes of external data described by `tensor`.
static llvm::Error readExternalData(const onnx::TensorProto &tensor,
                                    llvm::StringRef modelDirectory,
                                    int64_t expectedBytes, llvm::StringRef what,
                                    std::vector<uint8_t> &bytes) {
  if (modelDirectory.empty())
    return llvm::createStringError(
        what + " has external data, which is not allowed here");
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    long long value = 0;
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (llvm::StringRef(entry.value()).getAsInteger(10, value) || value < 0)
        return llvm::createStringError(what + " has an invalid external data " +
                                       entry.key() + " '" + entry.value() +
                                       "'");
      (entry.key() == "offset" ? offset : length) = value;
    }
  }
  auto path = resolveExternalPath(location, modelDirectory, what);
  if (!path)
    return path.takeError();
  uint64_t fileSize = 0;
  if (std::error_code error = llvm::sys::fs::file_size(*path, fileSize))
    return llvm::createStringError(error, what +
                                              ": cannot read external data '" +
                                              *path + "': " + error.message());
  if (length >= 0 && length != expectedBytes)
    return llvm::createStringError(
        what + " declares " + llvm::Twine(length) +
        " bytes of external data but its dims need " +
        llvm::Twine(expectedBytes));
  int64_t end;
  if (llvm::AddOverflow(offset, expectedBytes, end) ||
      static_cast<uint64_t>(end) > fileSize)
    return llvm::createStringError(
        what + ": external data at offset " + llvm::Twine(offset) + " with " +
        llvm::Twine(expectedBytes) + " bytes runs past the end of '" + *path +
        "' (" + llvm::Twine(fileSize) + " bytes)");
  auto buffer = llvm::MemoryBuffer::getFileSlice(*path, expectedBytes, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   what + ": cannot read '" + *path +
                                       "': " + buffer.getError().message());
  const char *start = (*buffer)->getBufferStart();
  bytes.assign(start, start + expectedBytes);
  return llvm::Error::success();
}

llvm::Expected<TensorData> readTensorProto(const onnx::TensorProto &tensor,
                                           llvm::StringRef modelDirectory) {
  std::string what = tensor.name().empty() ? std::string("a tensor")
                                           : "tensor '" + tensor.name() + "'";
  TensorData data;
  auto dtype = dtypeFromOnnx(tensor.data_type(), what);
  if (!dtype)
    return dtype.takeError();
  data.dtype = *dtype;
  data.shape.assign(tensor.dims().begin(), tensor.dims().end());
  if (data.shape.size() > KILN_ABI_MAX_RANK)
    return llvm::createStringError(
        what + " has rank " + llvm::Twine(data.shape.size()) +
        "; Kiln supports up to " + llvm::Twine(KILN_ABI_MAX_RANK));
  size_t elementSize = kiln_dtype_size(data.dtype);
  auto count = checkedElementCount(data.shape, elementSize, what);
  if (!count)
    return count.takeError();
  int64_t expectedBytes = *count * static_cast<int64_t>(elementSize);

  if (data.dtype == KILN_DTYPE_STRING) {
    // ONNX keeps strings in string_data only (never raw or external data).
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL ||
        tensor.has_raw_data())
      return llvm::createStringError(
          what + " is a string tensor with raw or external data; strings "
                 "belong in string_data");
    if (tensor.string_data_size() != *count)
      return llvm::createStringError(
          what + " has " + llvm::Twine(tensor.string_data_size()) +
          " strings but its dims need " + llvm::Twine(*count));
    data.strings.assign(tensor.string_data().begin(),
                        tensor.string_data().end());
    return data;
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    if (llvm::Error error = readExternalData(tensor, modelDirectory,
                                             expectedBytes, what, data.bytes))
      return std::move(error);
  } else if (tensor.has_raw_data()) {
    if (static_cast<int64_t>(tensor.raw_data().size()) != expectedBytes)
      return llvm::createStringError(
          what + " has " + llvm::Twine(tensor.raw_data().size()) +
          " bytes of raw_data but its dims and type need " +
          llvm::Twine(expectedBytes));
    data.bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    int64_t values = readTypedField(tensor, data.dtype, data.bytes);
    if (values != *count)
      return llvm::createStringError(what + " has " + llvm::Twine(values) +
                                     " values but its dims need " +
                                     llvm::Twine(*count));
  }
  if (data.dtype == KILN_DTYPE_BOOL)
    for (uint8_t &byte : data.bytes)
      byte = byte != 0;
  return data;
}

llvm::Error internalizeExternalData(onnx::TensorProto &tensor,
                                    llvm::StringRef modelDirectory) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
    return llvm::Error::success();
  std::string what = tensor.name().empty() ? std::string("a tensor")
                                           : "tensor '" + tensor.name() + "'";
  auto dtype = dtypeFromOnnx(tensor.data_type(), what);
  if (!dtype)
    return dtype.takeError();
  if (*dtype == KILN_DTYPE_STRING)
    return llvm::createStringError(what + " is a string tensor with external "
                                          "data; strings belong in "
                                          "string_data");
  std::vector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto count = checkedElementCount(shape, kiln_dtype_size(*dtype), what);
  if (!count)
    return count.takeError();
  std::vector<uint8_t> bytes;
  if (llvm::Error error = readExternalData(
          tensor, modelDirectory,
          *count * static_cast<int64_t>(kiln_dtype_size(*dtype)), what, bytes))
    return error;
  tensor.set_raw_data(std::string(bytes.begin(), bytes.end()));
  tensor.clear_external_data();
  tensor.clear_data_location();
  return llvm::Error::success();
}

llvm::Expected<TensorData> readTensorProtoFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
      static_cast<int>((*buffer)->getBufferSize()));
  onnx::TensorProto tensor;
  if ((*buffer)->getBufferSize() > static_cast<size_t>(INT32_MAX) ||
      !tensor.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return llvm::createStringError("'" + path +
                                   "' is not a serialized ONNX TensorProto");
  return readTensorProto(tensor, /*modelDirectory=*/"");
}

} // namespace kiln::onnx_import
