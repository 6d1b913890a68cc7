"""Writes data-dependent-import.onnx, the model of
../data-dependent-import.test: /usr/bin/python3 data-dependent-import.py (needs
python3-onnx).

NonZero, Compress and Unique on graph inputs (x: [3, 2] floats, c: [2] bools,
f: [4] bools, bytes: [5] uint8), whose output sizes are known only at run
time, and NonZero of a constant, which the importer evaluates."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

nodes = [
    helper.make_node("NonZero", ["x"], ["nonzero"]),
    helper.make_node("Compress", ["x", "c"], ["columns"], axis=1),
    # No axis: the flattened x, of which f covers the first 4 elements.
    helper.make_node("Compress", ["x", "f"], ["flat"]),
    helper.make_node("Unique", ["x"], ["values", "first", "inverse", "counts"]),
    helper.make_node("Unique", ["x"], ["rows", "row_first", "row_inverse",
                                       "row_counts"], axis=0, sorted=0),
    helper.make_node("NonZero", ["mask"], ["folded"]),
    # uint8 values above 127 must sort after the smaller ones.
    helper.make_node("Unique", ["bytes"], ["byte_values"]),
]
initializers = [numpy_helper.from_array(np.array([0, 3, 0, -1], np.int32),
                                        "mask")]
dynamic = "d"
outputs = [
    helper.make_tensor_value_info("nonzero", TensorProto.INT64, [2, dynamic]),
    helper.make_tensor_value_info("columns", TensorProto.FLOAT, [3, dynamic]),
    helper.make_tensor_value_info("flat", TensorProto.FLOAT, [dynamic]),
    helper.make_tensor_value_info("values", TensorProto.FLOAT, [dynamic]),
    helper.make_tensor_value_info("first", TensorProto.INT64, [dynamic]),
    helper.make_tensor_value_info("inverse", TensorProto.INT64, [6]),
    helper.make_tensor_value_info("counts", TensorProto.INT64, [dynamic]),
    helper.make_tensor_value_info("rows", TensorProto.FLOAT, [dynamic, 2]),
    helper.make_tensor_value_info("row_first", TensorProto.INT64, [dynamic]),
    helper.make_tensor_value_info("row_inverse", TensorProto.INT64, [3]),
    helper.make_tensor_value_info("row_counts", TensorProto.INT64, [dynamic]),
    helper.make_tensor_value_info("folded", TensorProto.INT64, [1, dynamic]),
    helper.make_tensor_value_info("byte_values", TensorProto.UINT8, [dynamic]),
]
# Unnamed dims: each output's size is its own.
for output in outputs:
    for dim in output.type.tensor_type.shape.dim:
        if dim.dim_param:
            dim.ClearField("dim_param")
graph = helper.make_graph(
    nodes, "data_dependent_import",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 2]),
     helper.make_tensor_value_info("c", TensorProto.BOOL, [2]),
     helper.make_tensor_value_info("f", TensorProto.BOOL, [4]),
     helper.make_tensor_value_info("bytes", TensorProto.UINT8, [5])],
    outputs, initializer=initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "data-dependent-import.onnx"))

# --check DIR: compares the .npy files kiln-run wrote to DIR for the inputs of
# ../data-dependent-import.test with numpy's nonzero, compress and unique.
# Exact: the ops only select and count.
if "--check" in sys.argv:
    folder = sys.argv[sys.argv.index("--check") + 1]
    x = np.array([[0, 2], [-1, 0], [0, 2]], np.float32)
    c = np.array([False, True])
    f = np.array([True, True, False, True])
    values, first, inverse, counts = np.unique(
        x.ravel(), return_index=True, return_inverse=True, return_counts=True)
    rows, row_first, row_inverse, row_counts = np.unique(
        x, axis=0, return_index=True, return_inverse=True, return_counts=True)
    # sorted=0 keeps rows in order of first occurrence.
    order = np.argsort(row_first)
    place = np.argsort(order)
    expected = {
        "nonzero": np.array(np.nonzero(x), np.int64),
        "columns": np.compress(c, x, axis=1),
        "flat": np.compress(f, x),
        "values": values, "first": first, "inverse": inverse,
        "counts": counts,
        "rows": rows[order], "row_first": row_first[order],
        "row_inverse": place[row_inverse], "row_counts": row_counts[order],
        "folded": np.array(np.nonzero(np.array([0, 3, 0, -1]))),
        "byte_values": np.unique(np.array([200, 7, 255, 7, 0], np.uint8)),
    }
    failed = False
    for name, want in expected.items():
        got = np.load(os.path.join(folder, name + ".npy"))
        ok = got.shape == want.shape and np.array_equal(got, want)
        print(("ok " if ok else "MISMATCH ") + name, got.tolist(), "expected",
              want.tolist())
        failed |= not ok
    sys.exit(1 if failed else 0)
