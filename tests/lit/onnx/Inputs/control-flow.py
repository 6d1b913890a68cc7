#!/usr/bin/python3
"""Writes the ONNX models of control-flow-import.test into the folder OUT.

  /usr/bin/python3 control-flow.py OUT

if.onnx         If on a run-time condition; both branches read the outer x.
if_const.onnx   The same If with a constant condition (only then_branch exists).
loop.onnx       Loop with trip count 3 and condition true: acc += x * i, with acc
                also scanned.
loop_dynamic.onnx  Loop whose trip count is a graph input (unsupported).
loop_while.onnx    Loop whose body computes its condition (unsupported).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(graph):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(m)
    return m


def branches():
    one = numpy_helper.from_array(np.array(1.0, np.float32), "one")
    then_graph = helper.make_graph(
        [helper.make_node("Add", ["x", "one"], ["then_y"])], "then_branch", [],
        [helper.make_tensor_value_info("then_y", TensorProto.FLOAT, [2, 3])],
        initializer=[one])
    else_graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "x"], ["else_y"])], "else_branch", [],
        [helper.make_tensor_value_info("else_y", TensorProto.FLOAT, [2, 3])])
    return then_graph, else_graph


def if_model(constant):
    then_graph, else_graph = branches()
    node = helper.make_node("If", ["cond"], ["y"], then_branch=then_graph,
                            else_branch=else_graph)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])]
    initializers = []
    if constant:
        initializers.append(numpy_helper.from_array(np.array(True), "cond"))
    else:
        inputs.append(helper.make_tensor_value_info("cond", TensorProto.BOOL, []))
    return model(helper.make_graph(
        [node], "if", inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        initializer=initializers))


def loop_body(condition_from_data=False):
    nodes = [
        helper.make_node("Cast", ["i"], ["i_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x", "i_float"], ["step"]),
        helper.make_node("Add", ["acc_in", "step"], ["acc_out"]),
        helper.make_node("Identity", ["acc_out"], ["scan"]),
    ]
    if condition_from_data:
        nodes.append(helper.make_node("ReduceSum", ["acc_out"], ["total"], keepdims=0))
        nodes.append(helper.make_node("Less", ["total", "limit"], ["cond_out"]))
    else:
        nodes.append(helper.make_node("Identity", ["cond_in"], ["cond_out"]))
    limit = [numpy_helper.from_array(np.array(10.0, np.float32), "limit")]
    return helper.make_graph(
        nodes, "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("scan", TensorProto.FLOAT, [2])],
        initializer=limit if condition_from_data else [])


def loop_model(dynamic_trip_count=False, condition_from_data=False):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
              helper.make_tensor_value_info("acc", TensorProto.FLOAT, [2])]
    initializers = [numpy_helper.from_array(np.array(True), "cond")]
    if dynamic_trip_count:
        inputs.append(helper.make_tensor_value_info("trip", TensorProto.INT64, []))
    else:
        initializers.append(numpy_helper.from_array(np.array(3, np.int64), "trip"))
    node = helper.make_node("Loop", ["trip", "cond", "acc"], ["acc_final", "scans"],
                            body=loop_body(condition_from_data))
    return model(helper.make_graph(
        [node], "loop", inputs,
        [helper.make_tensor_value_info("acc_final", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("scans", TensorProto.FLOAT, [None, 2])],
        initializer=initializers))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    models = {
        "if": if_model(constant=False),
        "if_const": if_model(constant=True),
        "loop": loop_model(),
        "loop_dynamic": loop_model(dynamic_trip_count=True),
        "loop_while": loop_model(condition_from_data=True),
    }
    for name, m in models.items():
        onnx.save(m, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
