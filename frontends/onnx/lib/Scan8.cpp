//===- Scan8.cpp - Opset-8 Scan nodes rewritten as opset-9 Scans ----------===//
//
// Scan-8 takes sequence_lens, then N states [B, ...] and M scan inputs
// [B, L, ...], and scans every batch entry on its own; Scan-9 dropped the
// batch axis. ONNX 1.12's Scan_8_9 adapter only removes the first dim from the
// declared sizes of the node's inputs and outputs (for graph inputs, the
// model's signature), which changes what the model computes. Batch entries
// being independent, one Scan-8 is exactly an outer Scan-9 over the batch
// axis (every input scanned along axis 0, no state) whose body runs the inner
// Scan-9 (the original body, scan axes 0 within one entry) and returns its
// final states and scan outputs, which the outer Scan stacks along axis 0.
//
//===----------------------------------------------------------------------===//

#include "Scan8.h"

#include "kiln/Frontends/ONNX/Import.h"

#include "llvm/ADT/Twine.h"

namespace kiln::onnx_import {
namespace {

bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// Whether `graph` or any graph nested in it has a node of type `opType`.
bool containsOp(const onnx::GraphProto &graph, llvm::StringRef opType) {
  for (const onnx::NodeProto &node : graph.node()) {
    if (isDefaultDomain(node.domain()) && node.op_type() == opType)
      return true;
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      if (attribute.has_g() && containsOp(attribute.g(), opType))
        return true;
      for (const onnx::GraphProto &nested : attribute.graphs())
        if (containsOp(nested, opType))
          return true;
    }
  }
  return false;
}

/// A value info named `name` with the element type of `like` (no shape: the
/// outer body's values have the batch entry's shape, which shape inference
/// computes).
onnx::ValueInfoProto valueLike(const std::string &name,
                               const onnx::ValueInfoProto *like) {
  onnx::ValueInfoProto info;
  info.set_name(name);
  if (like && like->type().has_tensor_type() &&
      like->type().tensor_type().has_elem_type())
    info.mutable_type()->mutable_tensor_type()->set_elem_type(
        like->type().tensor_type().elem_type());
  return info;
}

/// Rewrites the Scan-8 `node` (#`index` of its graph) in place.
llvm::Error rewriteScan(onnx::NodeProto &node, int index,
                        llvm::StringRef path) {
  std::string where = "'" + path.str() + "': node " +
                      (node.name().empty() ? "#" + std::to_string(index)
                                           : "'" + node.name() + "'") +
                      " (Scan)";
  if (node.input_size() > 0 && !node.input(0).empty())
    return llvm::make_error<UnsupportedError>(
        where + ": Scan-8's sequence_lens (input 0) is not supported");
  const onnx::GraphProto *body = nullptr;
  int64_t numScanInputs = -1;
  const onnx::AttributeProto *directions = nullptr;
  for (const onnx::AttributeProto &attribute : node.attribute()) {
    if (attribute.name() == "body" && attribute.has_g())
      body = &attribute.g();
    else if (attribute.name() == "num_scan_inputs")
      numScanInputs = attribute.i();
    else if (attribute.name() == "directions")
      directions = &attribute;
  }
  const int numInputs = node.input_size() - 1;
  if (!body || numScanInputs < 1 || numScanInputs > numInputs ||
      body->input_size() != numInputs)
    return llvm::createStringError(
        where + ": needs a body graph that takes one value per input after "
                "sequence_lens, and 'num_scan_inputs' between 1 and the "
                "number of those inputs");

  // The inner Scan-9: the original body over one batch entry.
  const std::string prefix =
      (node.output_size() > 0 ? node.output(0) : node.name()) + "__scan8_";
  onnx::NodeProto inner;
  inner.set_op_type("Scan");
  inner.set_name(node.name() + "__sequence");
  onnx::GraphProto outerBody;
  outerBody.set_name(body->name() + "__batch_entry");
  for (int i = 0; i < numInputs; ++i) {
    std::string name = prefix + "in" + std::to_string(i);
    inner.add_input(name);
    *outerBody.add_input() = valueLike(name, &body->input(i));
  }
  for (int i = 0; i < body->output_size(); ++i) {
    std::string name = prefix + "out" + std::to_string(i);
    inner.add_output(name);
    *outerBody.add_output() = valueLike(name, &body->output(i));
  }
  onnx::AttributeProto *attribute = inner.add_attribute();
  attribute->set_name("body");
  attribute->set_type(onnx::AttributeProto::GRAPH);
  *attribute->mutable_g() = *body;
  attribute = inner.add_attribute();
  attribute->set_name("num_scan_inputs");
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(numScanInputs);
  if (directions) {
    attribute = inner.add_attribute();
    *attribute = *directions;
    attribute->set_name("scan_input_directions");
  }
  *outerBody.add_node() = std::move(inner);

  // The outer Scan-9 over the batch: every input is scanned, every output of
  // the inner Scan stacked.
  onnx::NodeProto outer;
  outer.set_op_type("Scan");
  outer.set_name(node.name());
  outer.set_doc_string(node.doc_string());
  for (int i = 1; i < node.input_size(); ++i)
    outer.add_input(node.input(i));
  for (const std::string &output : node.output())
    outer.add_output(output);
  attribute = outer.add_attribute();
  attribute->set_name("body");
  attribute->set_type(onnx::AttributeProto::GRAPH);
  *attribute->mutable_g() = std::move(outerBody);
  attribute = outer.add_attribute();
  attribute->set_name("num_scan_inputs");
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(numInputs);
  node = std::move(outer);
  return llvm::Error::success();
}

/// Rewrites the Scan-8 nodes of `graph` and of the graphs nested in it.
llvm::Error rewriteGraph(onnx::GraphProto &graph, llvm::StringRef path) {
  for (int index = 0; index < graph.node_size(); ++index) {
    onnx::NodeProto &node = *graph.mutable_node(index);
    for (onnx::AttributeProto &attribute : *node.mutable_attribute()) {
      if (attribute.has_g())
        if (llvm::Error error = rewriteGraph(*attribute.mutable_g(), path))
          return error;
      for (onnx::GraphProto &nested : *attribute.mutable_graphs())
        if (llvm::Error error = rewriteGraph(nested, path))
          return error;
    }
    if (isDefaultDomain(node.domain()) && node.op_type() == "Scan")
      if (llvm::Error error = rewriteScan(node, index, path))
        return error;
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error upgradeScan8(onnx::ModelProto &model, llvm::StringRef path) {
  onnx::OperatorSetIdProto *opset = nullptr;
  for (onnx::OperatorSetIdProto &entry : *model.mutable_opset_import())
    if (isDefaultDomain(entry.domain()))
      opset = &entry;
  if (!opset || opset->version() != 8 || !model.has_graph() ||
      !containsOp(model.graph(), "Scan") ||
      containsOp(model.graph(), "Upsample"))
    return llvm::Error::success();
  if (llvm::Error error = rewriteGraph(*model.mutable_graph(), path))
    return error;
  // Every other op of opset 8 means the same in opset 9 (the converter's
  // 8-to-9 adapters for them are "compatible" ones).
  opset->set_version(9);
  return llvm::Error::success();
}

} // namespace kiln::onnx_import
