#!/usr/bin/python3
"""Trains the digits CNN with kiln-train and checks what the acceptance asks.

  /usr/bin/python3 check_digits_training.py BIN_DIR DATA_DIR OUT_DIR

Runs kiln-train on DATA_DIR (written by export_digits_cnn.py) for at most 20
epochs with a held-out 20%, then checks, independently of kiln-train's own
figures: the saved model passes the ONNX checker, its weights changed, and
running it (kiln-run) on the held-out images gives at least 96% accuracy.
The held-out samples are recomputed here with kiln-train's documented split
(numpy cannot reproduce std::shuffle, so kiln-train writes them with
--validation-indices). Exits non-zero with the reason on any failure.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    bin_dir, data_dir, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    model = os.path.join(data_dir, "digits_cnn.onnx")
    trained = os.path.join(out, "trained.onnx")
    held_out = os.path.join(out, "validation_indices.npy")
    command = [os.path.join(bin_dir, "kiln-train"), model,
               "--input", "image=" + os.path.join(data_dir, "images.npy"),
               "--target", os.path.join(data_dir, "labels.npy"),
               "--loss", "cross_entropy", "--optimizer", "adam", "--lr", "2e-3",
               "--batch", "32", "--epochs", "20", "--validation-split", "0.2",
               "--seed", "1", "--save", trained,
               "--validation-indices", held_out,
               "--log", os.path.join(out, "training.csv"),
               "--plot", os.path.join(out, "loss.svg")]
    print(" ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True)
    print(result.stdout)
    if result.returncode != 0:
        fail("kiln-train exited with %d: %s" % (result.returncode, result.stderr))

    onnx.checker.check_model(onnx.load(trained))
    before = {t.name: numpy_helper.to_array(t)
              for t in onnx.load(model).graph.initializer}
    after = {t.name: numpy_helper.to_array(t)
             for t in onnx.load(trained).graph.initializer}
    if before.keys() != after.keys():
        fail("the trained model has other initializers")
    if all(np.array_equal(before[n], after[n]) for n in before):
        fail("no weight changed")

    images = np.load(os.path.join(data_dir, "images.npy"))
    labels = np.load(os.path.join(data_dir, "labels.npy"))
    indices = np.load(held_out)
    if len(indices) != round(0.2 * len(labels)):
        fail("expected %d held-out samples, got %d"
             % (round(0.2 * len(labels)), len(indices)))
    batch = os.path.join(out, "held_out.npy")
    np.save(batch, images[indices])
    outputs = os.path.join(out, "outputs")
    run = subprocess.run([os.path.join(bin_dir, "kiln-run"), trained,
                          "--input", "image=" + batch,
                          "--output-dir", outputs],
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail("kiln-run of the trained model failed: " + run.stderr)
    logits = np.load(os.path.join(outputs, "logits.npy"))
    accuracy = float(np.mean(np.argmax(logits, axis=1) == labels[indices]))
    print("held-out accuracy of the saved model (kiln-run): %.1f%% of %d"
          % (100 * accuracy, len(indices)))
    if accuracy < 0.96:
        fail("accuracy %.1f%% is below 96%%" % (100 * accuracy))


if __name__ == "__main__":
    main()
