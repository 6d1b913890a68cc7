#!/usr/bin/python3
"""Trains the small digits CNN that `make run` compiles, and exports it to ONNX.

Data: the 8x8 handwritten digits shipped with scikit-learn (Debian's python3-sklearn),
1797 images; 80% train the network, the other 20% are written to test_digits.bin for
the C program (`run_digits.c`) that classifies them with the compiled model.

  /usr/bin/python3 examples/digits/make_digits_cnn.py examples/digits

Writes OUT/digits_cnn.onnx (opset 13; input `image` f32[batch x 1 x 8 x 8] holding
pixel / 16, output `logits` f32[batch x 10], the batch left symbolic), trained here
with PyTorch; OUT/digits_cnn_untrained.onnx, the same network with its initial random
weights, which `make run` trains with kiln-train; and OUT/train_digits.bin and
OUT/test_digits.bin: each a little-endian uint32 count N, then N records of 64 pixel
bytes (0..16, row by row) and one label byte. All are reproducible bit for bit:
running the script again writes the same bytes.
"""
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0
    labels = digits.target.astype(np.int64)
    order = rng.permutation(len(images))
    split = int(0.8 * len(images))
    train, test = order[:split], order[split:]

    model = DigitsCNN()
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8),
                      os.path.join(out, "digits_cnn_untrained.onnx"),
                      opset_version=13, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.from_numpy(images[train]).unsqueeze(1)
    y = torch.from_numpy(labels[train])
    for epoch in range(30):
        for start in range(0, len(x), 64):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x[start:start + 64]), y[start:start + 64])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        test_x = torch.from_numpy(images[test]).unsqueeze(1)
        correct = int((model(test_x).argmax(1).numpy() == labels[test]).sum())
    print("held-out accuracy in PyTorch: %.3f (%d of %d)"
          % (correct / len(test), correct, len(test)))

    # The batch dimension stays symbolic, so that `kiln-compile --shape image=Bx1x8x8`
    # chooses it: 1 for per-image latency, more for throughput.
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(out, "digits_cnn.onnx"),
                      opset_version=13, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    for name, indices in (("train_digits.bin", train), ("test_digits.bin", test)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(struct.pack("<I", len(indices)))
            for index in indices:
                f.write(bytes(digits.images[index].astype(np.uint8).flatten()))
                f.write(bytes([labels[index]]))


if __name__ == "__main__":
    main()
