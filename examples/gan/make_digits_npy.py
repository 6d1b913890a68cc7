#!/usr/bin/python3
"""Writes scikit-learn's 8x8 handwritten digits for the GAN example.

Usage: make_digits_npy.py OUT.npy

All 1797 images of sklearn.datasets.load_digits (Debian's python3-sklearn
ships them), as float32 [1797, 1, 8, 8] scaled from 0..16 to [-1, 1]: the
range of the generator's tanh.
"""
import sys

import numpy as np
from sklearn.datasets import load_digits


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    images = load_digits().images.astype(np.float32)
    scaled = images / 8.0 - 1.0
    np.save(sys.argv[1], scaled.reshape(-1, 1, 8, 8))
    print(f"wrote {sys.argv[1]}: {scaled.shape[0]} images of 8x8 in [-1, 1]")


if __name__ == "__main__":
    main()
