#!/usr/bin/python3
"""Models and checks for kiln-train-modes.test (training vs evaluation mode).

  kiln-train-modes.py make DIR
      DIR/eval.onnx: Conv, BatchNorm2d, ReLU, Linear exported under
      model.eval() (PyTorch's exporter aliases the fresh running_var to the
      BatchNorm weight and running_mean to its bias through Identity nodes);
      DIR/train.onnx: the same with Dropout(0.5), exported under
      model.train() at opset 15 (BatchNormalization with training_mode=1,
      Dropout with training_mode=true); DIR/x.npy (8 samples), DIR/y.npy.
  kiln-train-modes.py statistics DIR SAVED.onnx
      SAVED's running statistics must be PyTorch's after one training-mode
      forward pass on x (rtol 1e-3, atol 1e-5), and no Identity may be left.
  kiln-train-modes.py losses LOG same|different
      The per-epoch training losses kiln-train printed (one batch of the same
      8 samples each epoch, learning rate 0) must be all equal or not.
"""
import re
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch


def model(dropout):
    torch.manual_seed(0)
    layers = [torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4),
              torch.nn.ReLU(), torch.nn.Flatten()]
    if dropout:
        layers.append(torch.nn.Dropout(0.5))
    layers.append(torch.nn.Linear(4 * 8 * 8, 3))
    return torch.nn.Sequential(*layers)


def make(out):
    torch.manual_seed(1)
    x = torch.randn(8, 1, 8, 8)
    y = torch.randint(0, 3, (8,))
    np.save(out + "/x.npy", x.numpy())
    np.save(out + "/y.npy", y.numpy().astype(np.int64))
    names = dict(input_names=["x"], output_names=["logits"],
                 do_constant_folding=False,
                 dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}})
    torch.onnx.export(model(False).eval(), x, out + "/eval.onnx",
                      opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, **names)
    torch.onnx.export(model(True).train(), x, out + "/train.onnx",
                      opset_version=15,
                      training=torch.onnx.TrainingMode.TRAINING, **names)


def statistics(out, saved):
    reference = model(False).train()
    reference(torch.tensor(np.load(out + "/x.npy")))
    graph = onnx.load(saved).graph
    initializers = {t.name: onnx.numpy_helper.to_array(t)
                    for t in graph.initializer}
    for name, want in reference.named_buffers():
        if "running" not in name:
            continue
        got = initializers[name]
        if not np.allclose(got, want.numpy(), rtol=1e-3, atol=1e-5):
            sys.exit("FAIL: %s is %s, PyTorch's %s" % (name, got, want))
    if any(node.op_type == "Identity" for node in graph.node):
        sys.exit("FAIL: an Identity node is left")
    print("running statistics match PyTorch's")


def losses(log, expect):
    values = [float(v) for v in
              re.findall(r"epoch \d+/\d+: loss ([0-9.]+)", open(log).read())]
    differ = len(set(values)) > 1
    if len(values) < 2 or differ != (expect == "different"):
        sys.exit("FAIL: losses %s, expected %s" % (values, expect))
    print("losses %s" % expect)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make":
        make(sys.argv[2])
    elif command == "statistics":
        statistics(sys.argv[2], sys.argv[3])
    else:
        losses(sys.argv[2], sys.argv[3])
