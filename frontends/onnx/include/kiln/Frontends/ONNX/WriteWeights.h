//===- WriteWeights.h - An ONNX model with new initializer values ---------===//
//
// After training, the model is written back as ONNX: the original file with
// the trained initializers replaced (stored inline as raw data), checked by
// the ONNX checker, so that ONNX Runtime or Kiln can run it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_WRITEWEIGHTS_H
#define KILN_FRONTENDS_ONNX_WRITEWEIGHTS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::onnx_import {

/// The serialized model at `modelPath` with each initializer named in
/// `weights` holding those float32 values instead (same element count; the
/// initializer must be FLOAT). A name that is no initializer but the output
/// of a main-graph Identity (of a float initializer) or Constant node, as
/// exporters alias equal initializers, becomes an initializer in that node's
/// place. The result passes the ONNX checker.
llvm::Expected<std::string>
replaceInitializers(llvm::StringRef modelPath,
                    const std::map<std::string, std::vector<float>> &weights);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_WRITEWEIGHTS_H
