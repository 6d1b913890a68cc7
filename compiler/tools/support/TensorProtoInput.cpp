//===- TensorProtoInput.cpp - ONNX TensorProto (.pb) inputs for kiln-run --===//
//
// The ONNX frontend (frontends/onnx, TensorData.h) decodes the file with all
// of its size checks; this turns the result into a runtime tensor. kiln-run
// routes every `--input NAME=FILE.pb` here and then checks the tensor against
// the function's signature like any other input.
//
//===----------------------------------------------------------------------===//

#include "TensorProtoInput.h"

#include "kiln/Frontends/ONNX/TensorData.h"

#include <cstring>

namespace kiln::tools {

llvm::Expected<rt::Tensor> readTensorProtoFile(llvm::StringRef path) {
  auto data = onnx_import::readTensorProtoFile(path);
  if (!data)
    return llvm::createStringError("cannot read the TensorProto file '" + path +
                                   "': " + llvm::toString(data.takeError()));
  try {
    rt::Tensor tensor = rt::Tensor::create(data->dtype, data->shape);
    if (data->dtype == KILN_DTYPE_STRING) {
      // The tensor owns copies of the strings (checked count: same shape).
      for (size_t i = 0; i < data->strings.size(); ++i)
        tensor.setString(static_cast<int64_t>(i), data->strings[i]);
      return std::move(tensor);
    }
    if (tensor.byteSize() != data->bytes.size())
      return llvm::createStringError(
          "the TensorProto file '" + path + "' holds " +
          std::to_string(data->bytes.size()) + " bytes for " +
          std::to_string(tensor.byteSize()) + " bytes of tensor");
    if (!data->bytes.empty())
      std::memcpy(kiln_tensor_data(tensor.get()), data->bytes.data(),
                  data->bytes.size());
    return std::move(tensor);
  } catch (const rt::Error &error) {
    return llvm::createStringError(
        "the TensorProto file '" + path +
        "' does not describe a tensor: " + error.what());
  }
}

} // namespace kiln::tools
