"""Writes shape-ops-import.onnx, the model of ../shape-ops-import.test:
/usr/bin/python3 shape-ops-import.py (needs python3-onnx)."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const(name, values, dtype=np.int64):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


nodes = [
    # The ONNX idiom for "keep the batch, flatten the rest".
    helper.make_node("Shape", ["x"], ["shape"]),
    helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
    helper.make_node("Unsqueeze", ["batch", "axis0"], ["batch1"]),
    helper.make_node("Concat", ["batch1", "minus1"], ["target"], axis=0),
    helper.make_node("Reshape", ["x", "target"], ["reshaped"]),
    # Every other element of the last axis, backwards; the end clamps.
    helper.make_node("Slice", ["x", "s_start", "s_end", "s_axes", "s_steps"],
                     ["sliced"]),
    # A negative pad crops, then reflect pads.
    helper.make_node("Pad", ["x", "pads"], ["padded"], mode="reflect"),
    helper.make_node("Expand", ["x", "e_shape"], ["expanded"]),
    helper.make_node("Tile", ["x", "repeats"], ["tiled"]),
    helper.make_node("Split", ["x", "split"], ["part0", "part1"], axis=2),
    helper.make_node("Gather", ["x", "i"], ["gathered"], axis=1),
    helper.make_node("Resize", ["x", "", "scales"], ["resized"], mode="linear"),
]
initializers = [
    const("zero", 0), const("axis0", [0]), const("minus1", [-1]),
    const("s_start", [-1]), const("s_end", [-1000]), const("s_axes", [2]),
    const("s_steps", [-2]), const("pads", [0, -1, 1, 0, 0, 1]),
    const("e_shape", [3, 1, 1, 1]), const("repeats", [1, 2, 1]),
    const("split", [1, 3]), const("scales", [1, 1, 2], np.float32),
]
outputs = {"reshaped": [2, 12], "sliced": [2, 3, 2], "padded": [2, 2, 6],
           "expanded": [3, 2, 3, 4], "tiled": [2, 6, 4], "part0": [2, 3, 1],
           "part1": [2, 3, 3], "gathered": [2, 5, 4], "resized": [2, 3, 8]}
graph = helper.make_graph(
    nodes, "shape_ops_import",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4]),
     helper.make_tensor_value_info("i", TensorProto.INT64, [5])],
    [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
     for name, shape in outputs.items()],
    initializer=initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "shape-ops-import.onnx"))
