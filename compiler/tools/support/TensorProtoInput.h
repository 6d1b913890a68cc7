//===- TensorProtoInput.h - ONNX TensorProto (.pb) inputs for kiln-run ----===//

#ifndef KILN_TOOLS_TENSORPROTOINPUT_H
#define KILN_TOOLS_TENSORPROTOINPUT_H

#include "kiln/runtime.hpp"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace kiln::tools {

/// Reads a serialized ONNX TensorProto (the `input_0.pb` files of ONNX test
/// data) into a tensor, with the ONNX frontend's reader.
llvm::Expected<rt::Tensor> readTensorProtoFile(llvm::StringRef path);

} // namespace kiln::tools

#endif // KILN_TOOLS_TENSORPROTOINPUT_H
