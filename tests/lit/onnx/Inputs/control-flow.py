#!/usr/bin/python3
"""Writes the ONNX models of control-flow-import.test into the folder OUT.

  /usr/bin/python3 control-flow.py OUT

if.onnx         If on a run-time condition; both branches read the outer x.
if_const.onnx   The same If with a constant condition (only then_branch exists).
loop.onnx       Loop with trip count 3 and condition true: acc += x * i, with acc
                also scanned.
loop_dynamic.onnx  The same Loop with the trip count a graph input: an scf.for
                   over a run-time count whose scan output has a run-time dim.
loop_dynamic_cond.onnx  Trip count and initial condition both graph inputs.
loop_while.onnx    Loop with trip count 3 whose body computes its condition
                   (sum(acc) < 10): an scf.while.
loop_until.onnx    Loop without a trip count, only a condition (sum(acc) < limit):
                   an scf.while whose scan output grows.
loop_forever.onnx  Loop without a trip count whose body keeps cond (never ends).
scan.onnx          Scan with two scan inputs (one reversed, one along axis 1)
                   and two scan outputs (one reversed, one along axis 1).
scan_bad_axis.onnx Scan whose scan_input_axes is out of range.
scan_mismatch.onnx Scan whose scan inputs have different lengths.
scan8.onnx         Opset-8 Scan over a batch of 2 (sum of rows, read backwards).
scan8_lens.onnx    The same with sequence_lens (unsupported).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(graph, check=True):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if check:
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


def loop_body(condition_from_data=False, limit_input=False):
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
        initializer=limit if condition_from_data and not limit_input else [])


def loop_model(dynamic_trip_count=False, condition_from_data=False,
               dynamic_cond=False, trip_count=True, limit_input=False):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
              helper.make_tensor_value_info("acc", TensorProto.FLOAT, [2])]
    initializers = []
    if dynamic_cond:
        inputs.append(helper.make_tensor_value_info("cond", TensorProto.BOOL, []))
    else:
        initializers.append(numpy_helper.from_array(np.array(True), "cond"))
    if dynamic_trip_count:
        inputs.append(helper.make_tensor_value_info("trip", TensorProto.INT64, []))
    elif trip_count:
        initializers.append(numpy_helper.from_array(np.array(3, np.int64), "trip"))
    if limit_input:
        inputs.append(helper.make_tensor_value_info("limit", TensorProto.FLOAT, []))
    node = helper.make_node("Loop", ["trip" if trip_count else "", "cond", "acc"],
                            ["acc_final", "scans"],
                            body=loop_body(condition_from_data, limit_input))
    return model(helper.make_graph(
        [node], "loop", inputs,
        [helper.make_tensor_value_info("acc_final", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("scans", TensorProto.FLOAT, [None, 2])],
        initializer=initializers))


def scan_model(bad_axis=False, mismatch=False):
    """state += a[i] + b[:, i]; outputs the state (reversed) and a[i] * 2
    (along axis 1). a runs backwards over its 3 rows."""
    body = helper.make_graph(
        [helper.make_node("Add", ["state_in", "a_row"], ["partial"]),
         helper.make_node("Add", ["partial", "b_column"], ["state_out"]),
         helper.make_node("Identity", ["state_out"], ["states"]),
         helper.make_node("Add", ["a_row", "a_row"], ["doubled"])],
        "scan_body",
        [helper.make_tensor_value_info("state_in", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("a_row", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("b_column", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("state_out", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("states", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("doubled", TensorProto.FLOAT, [2])])
    node = helper.make_node(
        "Scan", ["init", "a", "b"], ["final", "states", "doubled"], body=body,
        num_scan_inputs=2, scan_input_axes=[0, 5 if bad_axis else 1],
        scan_input_directions=[1, 0], scan_output_axes=[0, 1],
        scan_output_directions=[1, 0])
    b_columns = 4 if mismatch else 3
    return model(helper.make_graph(
        [node], "scan",
        [helper.make_tensor_value_info("init", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("a", TensorProto.FLOAT, [3, 2]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, b_columns])],
        [helper.make_tensor_value_info("final", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("states", TensorProto.FLOAT, [3, 2]),
         helper.make_tensor_value_info("doubled", TensorProto.FLOAT, [2, 3])]),
        check=not bad_axis and not mismatch)


def scan8_model(lengths=False):
    body = helper.make_graph(
        [helper.make_node("Add", ["sum_in", "row"], ["sum_out"]),
         helper.make_node("Identity", ["sum_out"], ["sums"])],
        "scan8_body",
        [helper.make_tensor_value_info("sum_in", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("row", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("sum_out", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("sums", TensorProto.FLOAT, [2])])
    node = helper.make_node("Scan", ["lens" if lengths else "", "init", "x"],
                            ["final", "sums"],
                            body=body, num_scan_inputs=1, directions=[1])
    m = helper.make_model(helper.make_graph(
        [node], "scan8",
        [helper.make_tensor_value_info("init", TensorProto.FLOAT, [2, 2]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 2])] +
        ([helper.make_tensor_value_info("lens", TensorProto.INT32, [2])]
         if lengths else []),
        [helper.make_tensor_value_info("final", TensorProto.FLOAT, [2, 2]),
         helper.make_tensor_value_info("sums", TensorProto.FLOAT, [2, 3, 2])]),
        opset_imports=[helper.make_opsetid("", 8)])
    onnx.checker.check_model(m)
    return m


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    models = {
        "if": if_model(constant=False),
        "if_const": if_model(constant=True),
        "loop": loop_model(),
        "loop_dynamic": loop_model(dynamic_trip_count=True),
        "loop_dynamic_cond": loop_model(dynamic_trip_count=True, dynamic_cond=True),
        "loop_while": loop_model(condition_from_data=True),
        "loop_until": loop_model(condition_from_data=True, trip_count=False,
                                 limit_input=True),
        "loop_forever": loop_model(trip_count=False),
        "scan": scan_model(),
        "scan_bad_axis": scan_model(bad_axis=True),
        "scan_mismatch": scan_model(mismatch=True),
        "scan8": scan8_model(),
        "scan8_lens": scan8_model(lengths=True),
    }
    for name, m in models.items():
        onnx.save(m, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
