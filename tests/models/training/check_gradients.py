#!/usr/bin/python3
"""Compares Kiln's first-step gradients with PyTorch's for one model.

  /usr/bin/python3 check_gradients.py MODEL BIN_DIR OUT_DIR

MODEL is resnet18 (torchvision, random weights, batch 4 of 3x64x64 images),
lstm, gru, rnn (a 2-layer LSTM, GRU or tanh RNN classifier over 8 steps of
16 features, batch 4: backpropagation through time) or
digits (the digits CNN of export_digits_cnn.py). The model is exported to
ONNX in eval mode (weights as initializers, no constant folding), kiln-train
--write-gradients computes the cross-entropy gradients of every weight on
the batch in training mode (its default), and PyTorch computes the same with
autograd under model.train(): BatchNormalization normalizes with the batch's
statistics in both. Every entry must satisfy |kiln - torch| <= 1e-5 +
1e-3 |torch| (the acceptance tolerance). Then one kiln-train step on the
batch is saved, and the running statistics in the saved model must be
PyTorch's after its forward pass (momentum 0.1, unbiased variance), same
tolerance.
Without constant folding the initializers are PyTorch's parameters under their
own names (the LSTM's gate reordering stays in the graph as Slice and Concat).
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_digits_cnn import DigitsCNN  # noqa: E402

RTOL, ATOL = 1e-3, 1e-5
RECURRENT = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


class RecurrentClassifier(torch.nn.Module):
    """A 2-layer LSTM, GRU or RNN over the steps, then a linear head on the
    last step's output."""

    def __init__(self, layer):
        super().__init__()
        self.lstm = layer(16, 32, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(32, 5)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def make(model_name):
    torch.manual_seed(0)
    if model_name == "resnet18":
        import torchvision
        model = torchvision.models.resnet18(num_classes=10)
        # Statistics and affine weights that are not the identity, so that
        # the test sees BatchNormalization's scale and shift (and no two
        # weights are equal: the exporter would merge equal initializers).
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                with torch.no_grad():
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
        x = torch.randn(4, 3, 64, 64)
        classes = 10
    elif model_name in RECURRENT:
        model = RecurrentClassifier(RECURRENT[model_name])
        x = torch.randn(4, 8, 16)
        classes = 5
    else:
        model = DigitsCNN()
        x = torch.rand(4, 1, 8, 8)
        classes = 10
    y = torch.randint(0, classes, (4,))
    return model, x, y


def check_running_statistics(bin_dir, out, path, expected):
    """One kiln-train step on the batch; the saved running statistics must be
    `expected` (PyTorch's after one forward pass in training mode)."""
    saved = os.path.join(out, "one_step.onnx")
    command = [os.path.join(bin_dir, "kiln-train"), path,
               "--input", "x=" + os.path.join(out, "x.npy"),
               "--target", os.path.join(out, "y.npy"), "--optimizer", "sgd",
               "--batch", "4", "--epochs", "1", "--validation-split", "0",
               "--save", saved]
    print(" ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return ["kiln-train (one step) exited with %d: %s"
                % (result.returncode, result.stderr)]
    initializers = {t.name: onnx.numpy_helper.to_array(t)
                    for t in onnx.load(saved).graph.initializer}
    failures, worst = [], 0.0
    for name, want in expected.items():
        if name not in initializers:
            failures.append("no initializer holds " + name)
            continue
        got = initializers[name].reshape(want.shape)
        worst = max(worst, float(np.max(np.abs(got - want))))
        if np.any(np.abs(got - want) > ATOL + RTOL * np.abs(want)):
            failures.append("running statistic %s differs" % name)
    print("%d running statistics after one step compared, largest absolute "
          "difference %.3g" % (len(expected), worst))
    return failures


def main():
    model_name, bin_dir, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    model, x, y = make(model_name)
    path = os.path.join(out, model_name + ".onnx")
    model.eval()
    torch.onnx.export(model, x, path, input_names=["x"], output_names=["logits"],
                      opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    np.save(os.path.join(out, "x.npy"), x.numpy())
    np.save(os.path.join(out, "y.npy"), y.numpy().astype(np.int64))

    model.train()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    # The forward pass above updated the running statistics once.
    statistics = {name: b.numpy().copy() for name, b in model.named_buffers()
                  if "running" in name}
    onnx_model = onnx.load(path)
    # Without constant folding the initializers are PyTorch's parameters, under
    # their names (the exporter's gate reordering for LSTM stays in the graph).
    expected = {name: p.grad.numpy() for name, p in model.named_parameters()}

    grads_dir = os.path.join(out, "kiln_gradients")
    command = [os.path.join(bin_dir, "kiln-train"), path,
               "--input", "x=" + os.path.join(out, "x.npy"),
               "--target", os.path.join(out, "y.npy"),
               "--batch", "4", "--validation-split", "0",
               "--write-gradients", grads_dir]
    print(" ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True)
    print(result.stdout + result.stderr)
    if result.returncode != 0:
        sys.exit("FAIL: kiln-train exited with %d" % result.returncode)

    kiln_loss = float(np.load(os.path.join(grads_dir, "loss.npy")))
    print("loss: kiln %.7g, torch %.7g" % (kiln_loss, loss.item()))
    failures = []
    if not abs(kiln_loss - loss.item()) <= ATOL + RTOL * abs(loss.item()):
        failures.append("the loss differs")
    trained = [t.name for t in onnx_model.graph.initializer
               if t.data_type == onnx.TensorProto.FLOAT and t.name in expected]
    missing = sorted(set(expected) - set(trained))
    if missing:
        failures.append("no ONNX initializer holds " + ", ".join(missing))
    worst = 0.0
    for name in trained:
        file = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
        got = np.load(os.path.join(grads_dir, file + ".npy"))
        want = expected[name].reshape(got.shape)
        excess = np.abs(got - want) - (ATOL + RTOL * np.abs(want))
        worst = max(worst, float(np.max(np.abs(got - want))))
        if np.any(excess > 0):
            i = int(np.argmax(excess))
            failures.append("%s: %d of %d entries differ (worst at %d: kiln %g, "
                            "torch %g)" % (name, int(np.sum(excess > 0)),
                                           got.size, i, got.flat[i], want.flat[i]))
    print("%d weights compared, largest absolute difference %.3g"
          % (len(trained), worst))
    if statistics:
        failures += check_running_statistics(bin_dir, out, path, statistics)
    if failures:
        sys.exit("FAIL:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    main()
