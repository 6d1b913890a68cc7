//===- Scan8.h - Opset-8 Scan nodes rewritten as opset-9 Scans ------------===//

#ifndef KILN_FRONTENDS_ONNX_SCAN8_H
#define KILN_FRONTENDS_ONNX_SCAN8_H

#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace kiln::onnx_import {

/// Rewrites every Scan of an opset-8 model (which scans each entry of a batch
/// axis) as an opset-9 Scan over the batch whose body is the opset-9 Scan over
/// the sequence, and declares the model opset 9, so that ONNX's version
/// converter (whose Scan 8-to-9 adapter drops the batch dim from the declared
/// shapes of the graph) never sees them. Models of other opsets, without
/// Scan, or with an opset-8 Upsample (which needs the converter's 8-to-9
/// adapter) are left alone. A Scan with `sequence_lens` is an
/// UnsupportedError naming `path` and the node.
llvm::Error upgradeScan8(onnx::ModelProto &model, llvm::StringRef path);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_SCAN8_H
