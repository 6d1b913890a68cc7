#!/usr/bin/python3
"""Writes kiln-train-control-flow.test's inputs, and compares gradients.

  /usr/bin/python3 kiln-train-control-flow.py write OUT
  /usr/bin/python3 kiln-train-control-flow.py compare GRADS REFERENCE

write: into the folder OUT,
  if.onnx       an If on a run-time condition (sum(x) > 0): x @ W1 + b, else
                sin(x) @ W2 + b; the weights come from the outer graph
  loop.onnx     h = tanh(x @ Win); a Loop of 3 iterations (constant M and
                cond) of h = tanh(h @ W + x @ Win), whose states are also
                collected as a scan output; logits = (h + mean of the scan
                output) @ Wout
  while.onnx    the same Loop, but its body computes the condition
  scan.onnx     a Scan, backwards over the rows of x @ Win, of s = tanh(s * W2 +
                row) from s = b; logits = (the states, in iteration order) @
                Wout
  x_pos.npy, x_neg.npy   32 samples of 4 features, all positive (the If takes
                the then branch) or all negative (the else branch)
  y.npy         their classes (int64)
  if_pos/, if_neg/, loop/, scan/   PyTorch's gradients of the mean cross-entropy on
                the first 8 samples, one WEIGHT.npy per weight
compare: checks that each GRADS/WEIGHT.npy (kiln-train --write-gradients)
  matches REFERENCE/WEIGHT.npy, says whether each is zero, and prints
  "gradients match" when all do.
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

BATCH = 8


def weights(rng, shapes):
    return {name: (0.5 * rng.standard_normal(shape)).astype(np.float32)
            for name, shape in shapes.items()}


def initializers(values):
    return [numpy_helper.from_array(value, name)
            for name, value in values.items()]


def save(graph, path):
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def io(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def if_model(values):
    then_graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W1"], ["xw1"]),
         helper.make_node("Add", ["xw1", "b"], ["then_out"])],
        "then", [], [io("then_out", None)])
    else_graph = helper.make_graph(
        [helper.make_node("Sin", ["x"], ["sx"]),
         helper.make_node("MatMul", ["sx", "W2"], ["sxw2"]),
         helper.make_node("Add", ["sxw2", "b"], ["else_out"])],
        "else", [], [io("else_out", None)])
    nodes = [
        helper.make_node("ReduceSum", ["x"], ["total"], keepdims=0),
        helper.make_node("Constant", [], ["zero"],
                         value=numpy_helper.from_array(np.float32(0))),
        helper.make_node("Greater", ["total", "zero"], ["positive"]),
        helper.make_node("If", ["positive"], ["logits"],
                         then_branch=then_graph, else_branch=else_graph),
    ]
    return helper.make_graph(nodes, "if_model", [io("x", ["N", 4])],
                             [io("logits", ["N", 3])], initializers(values))


def loop_model(values, condition_from_body):
    body_nodes = [
        helper.make_node("MatMul", ["h_in", "W"], ["hw"]),
        helper.make_node("Add", ["hw", "xin"], ["pre"]),
        helper.make_node("Tanh", ["pre"], ["h_out"]),
        helper.make_node("Identity", ["h_out"], ["scan_out"]),
    ]
    condition = "cond_in"
    if condition_from_body:
        # Goes on while the iteration number is below 2: known only when the
        # body runs, so the Loop becomes an scf.while.
        body_nodes += [
            helper.make_node("Constant", [], ["two"],
                             value=numpy_helper.from_array(np.int64(2))),
            helper.make_node("Less", ["iteration", "two"], ["cond_out"]),
        ]
        condition = "cond_out"
    body = helper.make_graph(
        body_nodes, "body",
        [io("iteration", [], TensorProto.INT64),
         io("cond_in", [], TensorProto.BOOL), io("h_in", None)],
        [io(condition, [], TensorProto.BOOL), io("h_out", None),
         io("scan_out", None)])
    nodes = [
        helper.make_node("MatMul", ["x", "Win"], ["xin"]),
        helper.make_node("Tanh", ["xin"], ["h0"]),
        helper.make_node("Constant", [], ["trips"],
                         value=numpy_helper.from_array(np.int64(3))),
        helper.make_node("Constant", [], ["go"],
                         value=numpy_helper.from_array(np.bool_(True))),
        helper.make_node("Loop", ["trips", "go", "h0"], ["h", "states"],
                         body=body),
        helper.make_node("ReduceMean", ["states"], ["mean_state"], axes=[0],
                         keepdims=0),
        helper.make_node("Add", ["h", "mean_state"], ["features"]),
        helper.make_node("MatMul", ["features", "Wout"], ["logits"]),
    ]
    return helper.make_graph(nodes, "loop_model", [io("x", ["N", 4])],
                             [io("logits", ["N", 3])], initializers(values))


def scan_model(values):
    body = helper.make_graph(
        [helper.make_node("Mul", ["s", "W2"], ["sw"]),
         helper.make_node("Add", ["sw", "row"], ["pre"]),
         helper.make_node("Tanh", ["pre"], ["s_out"]),
         helper.make_node("Identity", ["s_out"], ["scan_out"])],
        "body", [io("s", [5]), io("row", [5])],
        [io("s_out", [5]), io("scan_out", [5])])
    nodes = [
        helper.make_node("MatMul", ["x", "Win"], ["xin"]),
        helper.make_node("Scan", ["b", "xin"], ["last", "states"], body=body,
                         num_scan_inputs=1, scan_input_directions=[1]),
        helper.make_node("MatMul", ["states", "Wout"], ["logits"]),
    ]
    return helper.make_graph(nodes, "scan_model", [io("x", ["N", 4])],
                             [io("logits", ["N", 3])], initializers(values))


def torch_if(x, w):
    if x.sum() > 0:
        return x @ w["W1"] + w["b"]
    return torch.sin(x) @ w["W2"] + w["b"]


def torch_loop(x, w):
    xin = x @ w["Win"]
    h = torch.tanh(xin)
    states = []
    for _ in range(3):
        h = torch.tanh(h @ w["W"] + xin)
        states.append(h)
    return (h + torch.stack(states).mean(0)) @ w["Wout"]


def torch_scan(x, w):
    rows = x @ w["Win"]
    s = w["b"]
    states = []
    for i in reversed(range(len(rows))):
        s = torch.tanh(s * w["W2"] + rows[i])
        # The scan output runs forward: iteration k's state is its row k.
        states.append(s)
    return torch.stack(states) @ w["Wout"]


def reference(forward, values, x, y, out):
    """PyTorch's gradients of the mean cross-entropy on the first batch, in
    float64."""
    w = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
         for name, value in values.items()}
    logits = forward(torch.tensor(x[:BATCH], dtype=torch.float64), w)
    loss = torch.nn.functional.cross_entropy(logits,
                                             torch.tensor(y[:BATCH]))
    loss.backward()
    os.makedirs(out, exist_ok=True)
    for name, tensor in w.items():
        # The weights of the branch not taken get no gradient.
        grad = tensor.grad if tensor.grad is not None else torch.zeros_like(
            tensor)
        np.save(os.path.join(out, name + ".npy"), grad.numpy())


def write(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    if_weights = weights(rng, {"W1": (4, 3), "W2": (4, 3), "b": (3,)})
    loop_weights = weights(rng, {"Win": (4, 5), "W": (5, 5), "Wout": (5, 3)})
    save(if_model(if_weights), os.path.join(out, "if.onnx"))
    save(loop_model(loop_weights, False), os.path.join(out, "loop.onnx"))
    save(loop_model(loop_weights, True), os.path.join(out, "while.onnx"))
    scan_weights = weights(rng, {"Win": (4, 5), "b": (5,), "W2": (5,),
                                 "Wout": (5, 3)})
    save(scan_model(scan_weights), os.path.join(out, "scan.onnx"))
    labels = rng.integers(0, 3, 32)
    magnitude = 0.2 + rng.random((32, 4)).astype(np.float32)
    x_pos = (magnitude + 0.5 * np.eye(4, dtype=np.float32)[labels]).astype(
        np.float32)
    x_neg = (-x_pos).astype(np.float32)
    np.save(os.path.join(out, "x_pos.npy"), x_pos)
    np.save(os.path.join(out, "x_neg.npy"), x_neg)
    np.save(os.path.join(out, "y.npy"), labels.astype(np.int64))
    reference(torch_if, if_weights, x_pos, labels, os.path.join(out, "if_pos"))
    reference(torch_if, if_weights, x_neg, labels, os.path.join(out, "if_neg"))
    reference(torch_loop, loop_weights, x_pos, labels,
              os.path.join(out, "loop"))
    reference(torch_scan, scan_weights, x_pos, labels,
              os.path.join(out, "scan"))


def compare(grads, ref):
    names = sorted(name for name in os.listdir(ref) if name.endswith(".npy"))
    for name in names:
        got = np.load(os.path.join(grads, name))
        want = np.load(os.path.join(ref, name))
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-3,
                                                      atol=1e-5):
            sys.exit(f"{name}: kiln {got.ravel()[:6]}, torch "
                     f"{want.ravel()[:6]}")
        print(f"{name[:-4]}: {'nonzero' if np.abs(want).max() > 0 else 'zero'}")
    print(f"gradients match ({len(names)} weights)")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        compare(sys.argv[2], sys.argv[3])
