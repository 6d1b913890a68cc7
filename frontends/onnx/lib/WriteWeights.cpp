//===- WriteWeights.cpp - An ONNX model with new initializer values -------===//

#include "kiln/Frontends/ONNX/WriteWeights.h"

#include "ModelLoader.h"

#include "onnx/checker.h"

#include <cstring>

namespace kiln::onnx_import {

llvm::Expected<std::string>
replaceInitializers(llvm::StringRef modelPath,
                    const std::map<std::string, std::vector<float>> &weights) {
  auto model = readModelWithData(modelPath);
  if (!model)
    return model.takeError();
  std::map<std::string, bool> written;
  for (onnx::TensorProto &initializer :
       *model->mutable_graph()->mutable_initializer()) {
    auto found = weights.find(initializer.name());
    if (found == weights.end())
      continue;
    int64_t count = 1;
    for (int64_t dim : initializer.dims())
      count *= dim;
    if (initializer.data_type() != onnx::TensorProto::FLOAT ||
        count != static_cast<int64_t>(found->second.size()))
      return llvm::createStringError(
          "'" + modelPath + "': initializer '" + initializer.name() +
          "' is not a float32 tensor of " + llvm::Twine(found->second.size()) +
          " elements");
    // Little-endian float32, as ONNX's raw_data is.
    std::string raw(found->second.size() * sizeof(float), '\0');
    std::memcpy(raw.data(), found->second.data(), raw.size());
    initializer.clear_float_data();
    initializer.clear_external_data();
    initializer.clear_data_location();
    initializer.set_raw_data(std::move(raw));
    written[initializer.name()] = true;
  }
  for (const auto &[name, values] : weights)
    if (!written.count(name))
      return llvm::createStringError("'" + modelPath +
                                     "' has no float initializer '" + name +
                                     "' to write");
  try {
    onnx::checker::check_model(*model);
  } catch (const std::exception &error) {
    return llvm::createStringError(
        "the trained model fails the ONNX checker: " +
        std::string(error.what()));
  }
  std::string bytes;
  if (!model->SerializeToString(&bytes))
    return llvm::createStringError("cannot serialize the trained model");
  return bytes;
}

} // namespace kiln::onnx_import
