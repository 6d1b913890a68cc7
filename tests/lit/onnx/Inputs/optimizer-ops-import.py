"""Writes optimizer-ops-import.onnx, the model of ../optimizer-ops-import.test:
/usr/bin/python3 optimizer-ops-import.py (needs python3-onnx).

Adagrad, Adam and Momentum (standard and Nesterov) of the
ai.onnx.preview.training domain on one tensor X with its gradient G and state
V and H, with the learning rate R and the update count T as graph inputs. Run
with --print it also prints the outputs that ONNX's reference formulas (the
functions of onnx/backend/test/case/node/{adagrad,adam,momentum}.py) give for
the inputs the test uses, with T = 0 and T = 3: the ONNX backend tests only
cover T = 0. Also Dropout of X with seed 0 and the ratio and training_mode
as graph inputs (ONNX's reference: numpy's draws after seeding)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.backend.test.case.node.adagrad import apply_adagrad
from onnx.backend.test.case.node.adam import apply_adam
from onnx.backend.test.case.node.dropout import dropout
from onnx.backend.test.case.node.momentum import apply_momentum, apply_nesterov

TRAINING = "ai.onnx.preview.training"
ADAGRAD = dict(norm_coefficient=0.01, epsilon=1e-5, decay_factor=0.1)
ADAM = dict(norm_coefficient=0.01, norm_coefficient_post=0.1, alpha=0.9,
            beta=0.999, epsilon=1e-6)
MOMENTUM = dict(norm_coefficient=0.01, alpha=0.9, beta=0.5)

nodes = [
    helper.make_node("Adagrad", ["R", "T", "X", "G", "H"],
                     ["X_adagrad", "H_adagrad"], domain=TRAINING, **ADAGRAD),
    helper.make_node("Adam", ["R", "T", "X", "G", "V", "H"],
                     ["X_adam", "V_adam", "H_adam"], domain=TRAINING, **ADAM),
    helper.make_node("Momentum", ["R", "T", "X", "G", "V"],
                     ["X_momentum", "V_momentum"], domain=TRAINING,
                     mode="standard", **MOMENTUM),
    helper.make_node("Momentum", ["R", "T", "X", "G", "V"],
                     ["X_nesterov", "V_nesterov"], domain=TRAINING,
                     mode="nesterov", **MOMENTUM),
    # Dropout with a seed: its mask is numpy's draws after seeding.
    helper.make_node("Dropout", ["X", "ratio", "training"],
                     ["X_dropout", "X_mask"], seed=0),
]
names = ["X_adagrad", "H_adagrad", "X_adam", "V_adam", "H_adam", "X_momentum",
         "V_momentum", "X_nesterov", "V_nesterov", "X_dropout", "X_mask"]
graph = helper.make_graph(
    nodes, "optimizer_ops_import",
    [helper.make_tensor_value_info("R", TensorProto.FLOAT, []),
     helper.make_tensor_value_info("T", TensorProto.INT64, [])] +
    [helper.make_tensor_value_info(name, TensorProto.FLOAT, [3])
     for name in "XGVH"] +
    [helper.make_tensor_value_info("ratio", TensorProto.FLOAT, []),
     helper.make_tensor_value_info("training", TensorProto.BOOL, [])],
    [helper.make_tensor_value_info(name, TensorProto.FLOAT, [3])
     for name in names[:-1]] +
    [helper.make_tensor_value_info("X_mask", TensorProto.BOOL, [3])])
model = helper.make_model(graph, opset_imports=[
    helper.make_opsetid("", 17), helper.make_opsetid(TRAINING, 1)])
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "optimizer-ops-import.onnx"))



def reference(t, ratio, training):
    """The outputs ONNX's reference formulas give for the test's inputs."""
    r = np.array(0.1, np.float32)
    x = np.array([1.0, -2.0, 0.5], np.float32)
    g = np.array([0.3, -0.1, 2.0], np.float32)
    v = np.array([0.2, 0.4, -0.6], np.float32)
    h = np.array([0.5, 1.0, 0.25], np.float32)
    t = np.array(t, np.int64)
    a, adam, m = ADAGRAD, ADAM, MOMENTUM
    results = (
        apply_adagrad(r, t, x, g, h, a["norm_coefficient"], a["epsilon"],
                      a["decay_factor"]) +
        apply_adam(r, t, x, g, v, h, adam["norm_coefficient"],
                   adam["norm_coefficient_post"], adam["alpha"],
                   adam["beta"], adam["epsilon"]) +
        apply_momentum(r, t, x, g, v, m["norm_coefficient"], m["alpha"],
                       m["beta"]) +
        apply_nesterov(r, t, x, g, v, m["norm_coefficient"], m["alpha"],
                       m["beta"]) +
        # (dropout() tests `training_mode is False`: pass a Python bool.)
        dropout(x, np.float32(ratio), seed=0, training_mode=bool(training),
                return_mask=True))
    return {name: np.asarray(value, np.bool_ if name == "X_mask"
                             else np.float32)
            for name, value in zip(names, results)}


if "--print" in sys.argv:
    for t in (0, 3):
        print("T =", t)
        for name, value in reference(t, 0.6, t > 0).items():
            print(" ", name, value.tolist())

# --check DIR T RATIO TRAINING: compares the .npy files kiln-run wrote to DIR
# (run with those inputs) with the reference; rtol 1e-5 (float32 arithmetic in
# a different order than numpy's), atol 1e-6 for results near 0; the mask
# exactly.
if "--check" in sys.argv:
    folder = sys.argv[sys.argv.index("--check") + 1]
    t, ratio, training = sys.argv[sys.argv.index("--check") + 2:][:3]
    failed = False
    for name, expected in reference(int(t), float(ratio),
                                    training == "1").items():
        got = np.load(os.path.join(folder, name + ".npy"))
        if expected.dtype == np.bool_:
            ok = got.shape == expected.shape and np.array_equal(got, expected)
        else:
            ok = got.shape == expected.shape and np.allclose(
                got, expected, rtol=1e-5, atol=1e-6)
        print(("ok " if ok else "MISMATCH ") + name, got.tolist(),
              "expected", expected.tolist())
        failed |= not ok
    sys.exit(1 if failed else 0)
