"""Writes sequence-ops-import.onnx, the model of ../sequence-ops-import.test:
/usr/bin/python3 sequence-ops-import.py (needs python3-onnx).

Every sequence and optional op Kiln resolves while importing, and a Loop it
unrolls, fed by graph
inputs so that nothing folds away: x and y are [2, 3] floats, i is a position
known only at run time."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const(name, values, dtype=np.int64):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


# The body of SequenceMap: each element squared.
square = helper.make_graph(
    [helper.make_node("Mul", ["part", "part"], ["squared"])], "square",
    [helper.make_tensor_value_info("part", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("squared", TensorProto.FLOAT, [2])])

# The body of a Loop of 3 iterations: acc + x * k (k the iteration number,
# cast to float), also given out as a scan output.
loop_body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
     helper.make_node("Cast", ["k"], ["k_float"], to=TensorProto.FLOAT),
     helper.make_node("Mul", ["x", "k_float"], ["scaled"]),
     helper.make_node("Add", ["acc_in", "scaled"], ["acc_out"]),
     helper.make_node("Identity", ["acc_out"], ["scan_out"])], "loop_body",
    [helper.make_tensor_value_info("k", TensorProto.INT64, []),
     helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, [2, 3])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("scan_out", TensorProto.FLOAT, [2, 3])])

nodes = [
    helper.make_node("Loop", ["three", "yes", "y"], ["loop_sum", "loop_scan"],
                     body=loop_body),
    helper.make_node("Add", ["x", "y"], ["sum"]),
    # [x, y] -> [x, x + y, y] -> [x, x + y]
    helper.make_node("SequenceConstruct", ["x", "y"], ["pair"]),
    helper.make_node("SequenceInsert", ["pair", "sum", "one"], ["triple"]),
    helper.make_node("SequenceErase", ["triple", "minus1"], ["front"]),
    helper.make_node("SequenceLength", ["front"], ["length"]),
    helper.make_node("SequenceAt", ["triple", "i"], ["picked"]),
    # x inserted at the run-time position i, joined into [8, 3].
    helper.make_node("SequenceInsert", ["triple", "x", "i"], ["quadruple"]),
    helper.make_node("ConcatFromSequence", ["quadruple"], ["inserted"],
                     axis=0),
    helper.make_node("ConcatFromSequence", ["front"], ["stacked"], axis=0,
                     new_axis=1),
    # The columns of x, squared, joined end to end.
    helper.make_node("SplitToSequence", ["x"], ["columns"], axis=1,
                     keepdims=0),
    helper.make_node("SequenceMap", ["columns"], ["squares_seq"], body=square),
    helper.make_node("ConcatFromSequence", ["squares_seq"], ["squares"],
                     axis=0),
    helper.make_node("SequenceEmpty", [], ["nothing"], dtype=TensorProto.FLOAT),
    helper.make_node("SequenceInsert", ["nothing", "y"], ["just_y"]),
    helper.make_node("SequenceAt", ["just_y", "zero"], ["y_again"]),
    helper.make_node("Optional", ["x"], ["some"]),
    helper.make_node("OptionalHasElement", ["some"], ["has"]),
    helper.make_node("OptionalGetElement", ["some"], ["got"]),
    helper.make_node("Optional", [], ["none"],
                     type=helper.make_tensor_type_proto(TensorProto.FLOAT,
                                                        [2, 3])),
    helper.make_node("OptionalHasElement", ["none"], ["has_none"]),
]
initializers = [const("one", 1), const("minus1", -1), const("zero", 0),
                const("three", 3), const("yes", True, np.bool_)]
outputs = [
    helper.make_tensor_value_info("length", TensorProto.INT64, []),
    helper.make_tensor_value_info("picked", TensorProto.FLOAT, [2, 3]),
    helper.make_tensor_value_info("stacked", TensorProto.FLOAT, [2, 2, 3]),
    helper.make_tensor_value_info("squares", TensorProto.FLOAT, [6]),
    helper.make_tensor_value_info("y_again", TensorProto.FLOAT, [2, 3]),
    helper.make_tensor_value_info("has", TensorProto.BOOL, []),
    helper.make_tensor_value_info("got", TensorProto.FLOAT, [2, 3]),
    helper.make_tensor_value_info("has_none", TensorProto.BOOL, []),
    helper.make_tensor_value_info("inserted", TensorProto.FLOAT, [8, 3]),
    helper.make_tensor_value_info("loop_sum", TensorProto.FLOAT, [2, 3]),
    helper.make_tensor_value_info("loop_scan", TensorProto.FLOAT, [3, 2, 3]),
]
graph = helper.make_graph(
    nodes, "sequence_ops_import",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("i", TensorProto.INT64, [])],
    outputs, initializer=initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "sequence-ops-import.onnx"))

# --check DIR I: compares the .npy files kiln-run wrote to DIR, for x = 0..5,
# y = 10..15 and i = I, with the same steps done on Python lists (exact:
# nothing but the squares is computed, and those are exact in float32).
if "--check" in sys.argv:
    folder = sys.argv[sys.argv.index("--check") + 1]
    i = int(sys.argv[sys.argv.index("--check") + 2])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = np.arange(10, 16, dtype=np.float32).reshape(2, 3)
    triple = [x, x + y, y]
    front = triple[:-1]
    expected = {
        "length": np.array(len(front), np.int64),
        "picked": triple[i],
        "stacked": np.stack(front),
        "squares": np.concatenate([x[:, k] ** 2 for k in range(3)]),
        "y_again": y,
        "has": np.array(True),
        "got": x,
        "has_none": np.array(False),
        # A negative position counts from the end of the 3 tensors.
        "inserted": np.concatenate(triple[:i % 3] + [x] + triple[i % 3:]),
        "loop_sum": y + x * 0 + x * 1 + x * 2,
        "loop_scan": np.stack([y, y + x, y + x + 2 * x]),
    }
    failed = False
    for name, want in expected.items():
        got = np.load(os.path.join(folder, name + ".npy"))
        ok = got.shape == want.shape and np.array_equal(got, want)
        print(("ok " if ok else "MISMATCH ") + name, got.tolist(), "expected",
              want.tolist())
        failed |= not ok
    sys.exit(1 if failed else 0)
