#!/usr/bin/env bash
# `make run`: Kiln's whole job on the bundled digits CNN (examples/digits).
# Trains the untrained ONNX model with kiln-train on the training digits
# (compiled forward and backward pass, progress bar), saves it, compiles the
# trained model ahead of time into a shared library and C header, builds a
# small C program against that header and the runtime, and runs it on the
# held-out test images. Every command is printed before it runs.
#
#   scripts/run-example.sh [BUILD_DIR [BATCH [OUT_DIR]]]
#
# BUILD_DIR is Kiln's build folder (default build), BATCH the batch size the
# model is compiled for, --shape image=BATCHx1x8x8 (default 1: the latency of
# one image; larger batches measure throughput), OUT_DIR where the library,
# header and program go (default BUILD_DIR/digits). Relative paths are taken
# from the repository root. The test lit.examples.digits runs this script.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-build}"
batch="${2:-1}"
out="${3:-$build_dir/digits}"
cd "$source_dir"

if [[ ! "$batch" =~ ^[1-9][0-9]{0,5}$ ]]; then
  echo "run-example: error: the batch must be a number from 1 to 999999, not '$batch'" >&2
  exit 1
fi
if [ ! -x "$build_dir/bin/kiln-compile" ]; then
  echo "run-example: error: $build_dir/bin/kiln-compile is missing; run 'make build' first" >&2
  exit 1
fi

example=examples/digits
mkdir -p "$out"

# Prints a command, then runs it (set -e stops at the first failure).
show_and_run() {
  echo "\$ $*"
  "$@"
}

# The training digits as kiln-train reads them: float32 images [N, 1, 8, 8]
# holding pixel / 16, int64 labels [N].
show_and_run /usr/bin/python3 -c "
import numpy as np, sys
raw = open(sys.argv[1], 'rb').read()
count = int.from_bytes(raw[:4], 'little')
records = np.frombuffer(raw, np.uint8, count * 65, 4).reshape(count, 65)
np.save(sys.argv[2], (records[:, :64] / 16.0).astype(np.float32).reshape(count, 1, 8, 8))
np.save(sys.argv[3], records[:, 64].astype(np.int64))" \
  "$example/train_digits.bin" "$out/train_images.npy" "$out/train_labels.npy"
# Training: the progress bar and timings go to stderr; 2>&1 keeps them in
# order when the output is piped.
show_and_run "$build_dir/bin/kiln-train" "$example/digits_cnn_untrained.onnx" \
  --input "image=$out/train_images.npy" --target "$out/train_labels.npy" \
  --loss cross_entropy --optimizer adam --lr 5e-3 --batch 32 --epochs 12 \
  --validation-split 0.1 --seed 0 --save "$out/digits_cnn_trained.onnx" 2>&1
show_and_run "$build_dir/bin/kiln-compile" "$out/digits_cnn_trained.onnx" \
  --shape "image=${batch}x1x8x8" -o "$out/digits_cnn.so" --timings 2>&1
# -rpath lets the program find libkiln_runtime.so without LD_LIBRARY_PATH.
show_and_run "${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Iruntime/include -I"$out" \
  "$example/run_digits.c" -o "$out/run_digits" \
  -L"$build_dir/lib" -lkiln_runtime -Wl,-rpath,"$(cd "$build_dir/lib" && pwd)"
show_and_run "$out/run_digits" "$out/digits_cnn.so" "$example/test_digits.bin"
