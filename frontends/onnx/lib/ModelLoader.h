//===- ModelLoader.h - Reading, checking and normalizing ONNX models ------===//

#ifndef KILN_FRONTENDS_ONNX_MODELLOADER_H
#define KILN_FRONTENDS_ONNX_MODELLOADER_H

#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace kiln::onnx_import {

/// A model ready for conversion: checked, at opset 17, functions expanded,
/// shapes inferred.
struct LoadedModel {
  onnx::ModelProto model;
  /// The folder external data is read from.
  std::string directory;
  /// The file name, for diagnostics.
  std::string path;
  /// Values whose contents ONNX's data propagation computed (shapes and the
  /// like).
  std::unordered_map<std::string, onnx::TensorShapeProto> propagatedData;
};

/// Whether Kiln converts `opType` of `domain` itself (so it must not be
/// expanded).
using HasConverterFn =
    std::function<bool(const std::string &domain, const std::string &opType)>;

/// Reads the model at `path` as it is (no conversion or inference), with its
/// external data read into the initializers, under the same checks as
/// loadModelFile.
llvm::Expected<onnx::ModelProto> readModelWithData(llvm::StringRef path);

/// Reads and prepares the model at `path`.
llvm::Expected<std::unique_ptr<LoadedModel>>
loadModelFile(llvm::StringRef path, const HasConverterFn &hasConverter);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_MODELLOADER_H
