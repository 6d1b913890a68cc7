"""Writes the small ONNX models of the tools' tests (needs Debian's
python3-onnx: run with /usr/bin/python3).

  make_onnx.py dense OUT        # y = relu(x @ W + b), x: [N, 3] with a symbolic N
  make_onnx.py unsupported OUT  # Relu, then a custom-domain op (no converter), then Relu
"""
import sys

import onnx
from onnx import TensorProto, helper


def dense():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])
    weights = helper.make_tensor("W", TensorProto.FLOAT, [3, 2],
                                 [1.0, -1.0, 2.0, 0.5, -1.0, 1.0])
    bias = helper.make_tensor("b", TensorProto.FLOAT, [2], [0.5, -0.5])
    nodes = [helper.make_node("MatMul", ["x", "W"], ["xw"], name="matmul"),
             helper.make_node("Add", ["xw", "b"], ["z"], name="bias"),
             helper.make_node("Relu", ["z"], ["y"], name="relu")]
    return helper.make_graph(nodes, "dense", [x], [y], [weights, bias])


def unsupported():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="first"),
             helper.make_node("Frobnicate", ["a"], ["b"], name="odd_one",
                              domain="com.example"),
             helper.make_node("Relu", ["b"], ["y"], name="last")]
    return helper.make_graph(nodes, "unsupported", [x], [y])


def main():
    kind, out = sys.argv[1], sys.argv[2]
    graph = {"dense": dense, "unsupported": unsupported}[kind]()
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)])
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
