#!/usr/bin/python3
"""Writes kiln-train.test's inputs into the folder OUT.

  /usr/bin/python3 kiln-train-data.py OUT

mlp.onnx        Linear(4, 8) - ReLU - Linear(8, 3) from PyTorch (seed 0)
x.npy, y.npy    64 samples of 4 features, three separable classes (int64)
y_float.npy     float32 targets (a wrong dtype for cross_entropy)
"""
import os
import sys

import numpy as np
import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                            torch.nn.Linear(8, 3))
torch.onnx.export(model, torch.zeros(2, 4), os.path.join(out, "mlp.onnx"),
                  input_names=["x"], output_names=["logits"],
                  dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
                  opset_version=13)
rng = np.random.default_rng(0)
labels = rng.integers(0, 3, 64)
centers = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]], np.float32)
x = centers[labels] + 0.3 * rng.standard_normal((64, 4)).astype(np.float32)
np.save(os.path.join(out, "x.npy"), x.astype(np.float32))
np.save(os.path.join(out, "y.npy"), labels.astype(np.int64))
np.save(os.path.join(out, "y_float.npy"), labels.astype(np.float32))
