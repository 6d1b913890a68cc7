#!/usr/bin/python3
"""Exports the PyTorch models Kiln's model tests run, in the ONNX test-case layout.

For each model NAME it writes OUT/NAME/model.onnx and OUT/NAME/test_data_set_0/
{input_0.pb, output_0.pb}: a seeded random input and PyTorch's output for it, so that
kiln-onnx-test can compare Kiln against PyTorch. Weights are random (seeded): nothing
is downloaded.

  /usr/bin/python3 export_models.py OUT [NAME...]
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from onnx import numpy_helper


class LSTMClassifier(nn.Module):
    """A 2-layer LSTM over a sequence, classifying from the last step."""

    def __init__(self, cell=nn.LSTM):
        super().__init__()
        self.rnn = cell(input_size=16, hidden_size=32, num_layers=2, batch_first=True)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


class DCGANGenerator(nn.Module):
    """The DCGAN generator for 32x32 images: ConvTranspose, BatchNorm, ReLU, Tanh."""

    def __init__(self, latent=64, features=32, channels=3):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent, features * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(features * 4), nn.ReLU(True),
            nn.ConvTranspose2d(features * 4, features * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(features * 2), nn.ReLU(True),
            nn.ConvTranspose2d(features * 2, features, 4, 2, 1, bias=False),
            nn.BatchNorm2d(features), nn.ReLU(True),
            nn.ConvTranspose2d(features, channels, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.net(z)


def randomize_batchnorm(model, generator):
    """Gives BatchNorm layers non-trivial running statistics, as trained ones have."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) + 0.5)


MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None), (1, 3, 224, 224)),
    "lstm": (lambda: LSTMClassifier(nn.LSTM), (2, 7, 16)),
    "gru": (lambda: LSTMClassifier(nn.GRU), (2, 7, 16)),
    "dcgan_generator": (lambda: DCGANGenerator(), (2, 64, 1, 1)),
}


# Exported with a symbolic batch dimension "batch": Kiln compiles them once
# and runs the test data sets of batch 1 and 3 with the same code.
DYNAMIC_BATCH = {"resnet18", "mobilenet_v2", "squeezenet1_1", "dcgan_generator"}


def write_data_set(folder, x, y):
    os.makedirs(folder, exist_ok=True)
    for kind, tensor in (("input", x), ("output", y)):
        proto = numpy_helper.from_array(tensor.numpy().astype(np.float32), kind)
        with open(os.path.join(folder, kind + "_0.pb"), "wb") as f:
            f.write(proto.SerializeToString())


def export(name, out_dir):
    make, shape = MODELS[name]
    generator = torch.Generator().manual_seed(1234)
    torch.manual_seed(1234)
    model = make()
    with torch.no_grad():
        randomize_batchnorm(model, generator)
    model.eval()
    dynamic = name in DYNAMIC_BATCH
    inputs = [torch.randn(shape, generator=generator)]
    if dynamic:
        inputs.append(torch.randn((3,) + shape[1:], generator=generator))
    case = os.path.join(out_dir, name)
    os.makedirs(case, exist_ok=True)
    axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
    torch.onnx.export(model, inputs[0], os.path.join(case, "model.onnx"), opset_version=14,
                      input_names=["input"], output_names=["output"], dynamic_axes=axes)
    for index, x in enumerate(inputs):
        with torch.no_grad():
            y = model(x)
        write_data_set(os.path.join(case, "test_data_set_%d" % index), x, y)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or sorted(MODELS)
    for name in names:
        if name not in MODELS:
            sys.exit("unknown model '%s' (known: %s)" % (name, ", ".join(sorted(MODELS))))
        export(name, sys.argv[1])
        print("exported", name)


if __name__ == "__main__":
    main()
