"""Writes the ONNX models of kiln-run-dynamic-shapes.test (needs Debian's
python3-onnx: run with /usr/bin/python3).

  make_dynamic_shapes_onnx.py flatten OUT   # x: [N, 2, 3] -> Shape, Gather, Concat -> Reshape to [N, 6]
  make_dynamic_shapes_onnx.py reshape OUT   # Reshape of x: [2, 3] to the graph input `shape`
  make_dynamic_shapes_onnx.py dropout OUT   # Dropout of x: [2, 3] with ratio and training_mode inputs
  make_dynamic_shapes_onnx.py halves OUT    # Split of x: [N, 2] into two equal parts along N
  make_dynamic_shapes_onnx.py float_shape OUT     # (bad) Reshape to a float shape
  make_dynamic_shapes_onnx.py unknown_length OUT  # Reshape to a shape of run-time length
  make_dynamic_shapes_onnx.py short_pads OUT      # (bad) Pad with 3 pads for rank 2
"""
import sys

import onnx
from onnx import TensorProto, helper


def flatten():
    """The dynamic-batch flatten of PyTorch exports: the batch size is read
    with Shape at run time, so data propagation cannot fold the target."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6])
    zero = helper.make_tensor("zero", TensorProto.INT64, [], [0])
    rest = helper.make_tensor("rest", TensorProto.INT64, [1], [-1])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [0])
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="batch",
                         axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"],
                         name="batch1"),
        helper.make_node("Concat", ["batch1", "rest"], ["target"],
                         name="target", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="flatten"),
    ]
    return helper.make_graph(nodes, "flatten", [x], [y], [zero, rest, axes])


def reshape():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    shape = helper.make_tensor_value_info("shape", TensorProto.INT64, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"])
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"],
                              name="to_shape")]
    return helper.make_graph(nodes, "reshape", [x, shape], [y])


def dropout():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    ratio = helper.make_tensor_value_info("ratio", TensorProto.FLOAT, [])
    training = helper.make_tensor_value_info("training", TensorProto.BOOL, [])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    mask = helper.make_tensor_value_info("mask", TensorProto.BOOL, [2, 3])
    nodes = [helper.make_node("Dropout", ["x", "ratio", "training"],
                              ["y", "mask"], name="dropout", seed=0)]
    return helper.make_graph(nodes, "dropout", [x, ratio, training],
                             [y, mask])


def halves():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])
    first = helper.make_tensor_value_info("first", TensorProto.FLOAT, ["H", 2])
    second = helper.make_tensor_value_info("second", TensorProto.FLOAT, ["H", 2])
    nodes = [helper.make_node("Split", ["x"], ["first", "second"],
                              name="halves", axis=0)]
    return helper.make_graph(nodes, "halves", [x], [first, second])


def one_node(op, data_type, shape_type, shape_dims, out_rank):
    """`op` of x: [2, 3] (of `data_type`) and a second input `s`."""
    x = helper.make_tensor_value_info("x", data_type, [2, 3])
    s = helper.make_tensor_value_info("s", shape_type, shape_dims)
    y = helper.make_tensor_value_info("y", data_type,
                                      ["d%d" % d for d in range(out_rank)])
    nodes = [helper.make_node(op, ["x", "s"], ["y"], name="node")]
    return helper.make_graph(nodes, op.lower(), [x, s], [y])


def float_shape():
    return one_node("Reshape", TensorProto.FLOAT, TensorProto.FLOAT, [2], 2)


def unknown_length():
    return one_node("Reshape", TensorProto.FLOAT, TensorProto.INT64, ["k"], 2)


def short_pads():
    return one_node("Pad", TensorProto.FLOAT, TensorProto.INT64, [3], 2)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    graph = {"flatten": flatten, "reshape": reshape, "dropout": dropout,
             "halves": halves, "float_shape": float_shape,
             "unknown_length": unknown_length, "short_pads": short_pads}[kind]()
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
