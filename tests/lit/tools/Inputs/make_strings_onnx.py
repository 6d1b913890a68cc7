"""Writes the ONNX model and TensorProto inputs of kiln-run-strings.test (needs
Debian's python3-onnx: run with /usr/bin/python3).

  make_strings_onnx.py model OUT     # format: Cast x: f32[4] to STRING;
                                     # parse: Cast t: STRING[3] to FLOAT
  make_strings_onnx.py integers OUT  # Cast k: INT32[3] to STRING;
                                     # Cast t: STRING[3] to INT8
  make_strings_onnx.py strings OUT   # a TensorProto t: STRING[3] of numbers
  make_strings_onnx.py bad OUT       # the same with a string that is no number
"""
import sys

import onnx
from onnx import TensorProto, helper


def model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    t = helper.make_tensor_value_info("t", TensorProto.STRING, [3])
    s = helper.make_tensor_value_info("s", TensorProto.STRING, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])
    nodes = [
        helper.make_node("Cast", ["x"], ["s"], name="format",
                         to=TensorProto.STRING),
        helper.make_node("Cast", ["t"], ["y"], name="parse",
                         to=TensorProto.FLOAT),
    ]
    graph = helper.make_graph(nodes, "strings", [x, t], [s, y])
    return helper.make_model(graph,
                             opset_imports=[helper.make_opsetid("", 13)])


def integers():
    k = helper.make_tensor_value_info("k", TensorProto.INT32, [3])
    t = helper.make_tensor_value_info("t", TensorProto.STRING, [3])
    s = helper.make_tensor_value_info("s", TensorProto.STRING, [3])
    y = helper.make_tensor_value_info("y", TensorProto.INT8, [3])
    nodes = [
        helper.make_node("Cast", ["k"], ["s"], name="format",
                         to=TensorProto.STRING),
        helper.make_node("Cast", ["t"], ["y"], name="parse",
                         to=TensorProto.INT8),
    ]
    graph = helper.make_graph(nodes, "integers", [k, t], [s, y])
    return helper.make_model(graph,
                             opset_imports=[helper.make_opsetid("", 13)])


def strings(values):
    return helper.make_tensor("t", TensorProto.STRING, [len(values)],
                              [v.encode("utf-8") for v in values])


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind in ("model", "integers"):
        proto = model() if kind == "model" else integers()
        onnx.checker.check_model(proto)
        onnx.save(proto, out)
        return
    values = {"strings": [" 2.5", "-INF", "1e-7"],
              "bad": ["1", "one", "3"]}[kind]
    with open(out, "wb") as f:
        f.write(strings(values).SerializeToString())


if __name__ == "__main__":
    main()
