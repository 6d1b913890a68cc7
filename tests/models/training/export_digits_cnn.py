#!/usr/bin/python3
"""Writes the digits CNN training case of ctest into the folder OUT.

  /usr/bin/python3 export_digits_cnn.py OUT

OUT/digits_cnn.onnx  a small CNN (two 3x3 convolutions with ReLU and 2x2 max
                     pooling, two linear layers) built with PyTorch, random
                     initial weights (seed 0), exported with a dynamic batch
OUT/images.npy       the 1797 8x8 digits of Debian's python3-sklearn, as
                     float32 [N, 1, 8, 8] scaled to [0, 1]
OUT/labels.npy       their classes, int64 [N]
"""
import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits


class DigitsCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = torch.nn.Linear(32 * 2 * 2, 64)
        self.fc2 = torch.nn.Linear(64, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = DigitsCNN().eval()
    torch.onnx.export(model, torch.zeros(4, 1, 8, 8),
                      os.path.join(out, "digits_cnn.onnx"),
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=13)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    np.save(os.path.join(out, "images.npy"), images)
    np.save(os.path.join(out, "labels.npy"), digits.target.astype(np.int64))


if __name__ == "__main__":
    main()
