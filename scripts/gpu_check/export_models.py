"""Exports the models of scripts/gpu-check.sh (run with /usr/bin/python3).

  export_models.py OUT_DIR

Writes OUT_DIR/<model>/model.onnx and input_<i>.npy for ResNet-18, ResNet-50,
MobileNetV2, the LSTM language model and the encoder of benchmarks/models.py, at
batch 2, and OUT_DIR/resnet50_b32 and resnet18_b32 (batch 32) for timing.

The GPU machine takes at most 64 MiB of files per call, and random weights do
not compress: every parameter is instead a window of one fixed sequence of
period 4093 with 256 levels (scaled by 1/sqrt(fan-in)), which xz shrinks a
hundredfold, yet no two neighbouring channels share their values. Batch
normalization keeps scale 1 and variance 1, so that folding it into the
convolutions scales every filter alike and keeps the weights periodic; its
mean and shift follow the sequence.
"""
import math
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "benchmarks"))
import models  # noqa: E402  (benchmarks/models.py)

PERIOD = 4093
OPSET = 13


def pattern(count, offset):
    """`count` values in [-1, 1] from the periodic sequence, starting at `offset`."""
    index = (torch.arange(count, dtype=torch.int64) + offset) % PERIOD
    levels = (index * 2654435761) % 256
    return (levels.to(torch.float32) - 127.5) / 127.5


def set_structured_weights(module):
    offset = 0
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            count = parameter.numel()
            values = pattern(count, offset).reshape(parameter.shape)
            offset += count
            leaf = name.rsplit(".", 1)[-1]
            owner = module.get_submodule(name.rsplit(".", 1)[0]) if "." in name else module
            if isinstance(owner, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                parameter.copy_(torch.ones_like(parameter) if leaf == "weight" else 0.1 * values)
                continue
            fan_in = parameter[0].numel() if parameter.dim() > 1 else parameter.numel()
            parameter.copy_(values / math.sqrt(max(fan_in, 1)))
        for name, buffer in module.named_buffers():
            if name.endswith("running_mean"):
                buffer.copy_(0.1 * pattern(buffer.numel(), offset).reshape(buffer.shape))
                offset += buffer.numel()
            elif name.endswith("running_var"):
                buffer.fill_(1.0)


def inputs_for(name, batch):
    generator = torch.Generator().manual_seed(7)
    tensors = []
    for _, (dtype, shape) in models.MODELS[name][1]:
        shape = (batch,) + tuple(shape[1:])
        if dtype == "int64":
            tensors.append(torch.randint(0, models.LSTMLanguageModel.VOCAB, shape,
                                         generator=generator))
        else:
            tensors.append(torch.randn(shape, generator=generator))
    return tensors


def export(name, folder, batch):
    torch.manual_seed(0)
    module = models.build(name)
    set_structured_weights(module)
    export_form = models.MODELS[name][2]
    exported = export_form(module).eval() if export_form is not None else module
    inputs = inputs_for(name, batch)
    os.makedirs(folder, exist_ok=True)
    input_names = [input_name for input_name, _ in models.MODELS[name][1]]
    path = os.path.join(folder, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(exported, tuple(inputs), path, opset_version=OPSET,
                          input_names=input_names, output_names=["output"])
    onnx.checker.check_model(onnx.load(path))
    for index, tensor in enumerate(inputs):
        np.save(os.path.join(folder, "input_%d.npy" % index), tensor.numpy())
    print("exported %s (batch %d) to %s" % (name, batch, folder))


def main():
    out_dir = sys.argv[1]
    for name in ["resnet18", "resnet50", "mobilenet_v2", "lstm_lm", "bert_encoder"]:
        export(name, os.path.join(out_dir, name), batch=2)
    export("resnet50", os.path.join(out_dir, "resnet50_b32"), batch=32)
    export("resnet18", os.path.join(out_dir, "resnet18_b32"), batch=32)


if __name__ == "__main__":
    main()
