"""Issue [3]'s acceptance check on ResNet-18 (exported from torchvision by
tests/models/pytorch with random weights):

1. kiln-compile MODEL.onnx --shape input=1x3x224x224 -> resnet18.so + resnet18.h;
2. a C program built against the header gives PyTorch's output
   (rtol 1e-3, atol 1e-4);
3. kiln-run --json on the same model and input prints the same checksum;
4. with an empty cache, the second kiln-run reports compile_ms 0 and is
   ready (compile_ms + load_ms) at least 20 times sooner than the first.

Run with Debian's Python (it needs onnx and numpy):
  resnet18_aot.py --bin BUILD/bin --lib BUILD/lib --include runtime/include \
                  --model-dir MODELS/resnet18 --work WORK --source SRC_DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy
import onnx
from onnx import numpy_helper


def run(command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(command), result.stdout, result.stderr))
    return result.stdout


def read_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as stream:
        tensor.ParseFromString(stream.read())
    return numpy_helper.to_array(tensor)


def main():
    parser = argparse.ArgumentParser()
    for name in ("bin", "lib", "include", "model-dir", "work", "source"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    model = os.path.join(args.model_dir, "model.onnx")
    data = os.path.join(args.model_dir, "test_data_set_0")
    expected = read_tensor(os.path.join(data, "output_0.pb"))

    # 1 and 2: ahead of time, through the generated header.
    library = os.path.join(args.work, "resnet18.so")
    # The export has a symbolic batch; the C program's typed function needs
    # it fixed (test_data_set_0 has batch 1).
    run([os.path.join(args.bin, "kiln-compile"), model, "--shape", "input=1x3x224x224",
         "-o", library])
    program = os.path.join(args.work, "resnet18_main")
    run(["cc", "-std=c11", "-O2", "-I" + args.include, "-I" + args.work,
         os.path.join(args.source, "Inputs", "resnet18_main.c"), "-o", program,
         "-L" + args.lib, "-lkiln_runtime", "-Wl,-rpath," + args.lib])
    raw_input = os.path.join(args.work, "input.raw")
    read_tensor(os.path.join(data, "input_0.pb")).astype("<f4").tofile(raw_input)
    raw_output = os.path.join(args.work, "output.raw")
    program_output = run([program, library, raw_input, raw_output])
    program_checksum = program_output.split()[-1]
    actual = numpy.fromfile(raw_output, dtype="<f4").reshape(expected.shape)
    worst = numpy.max(numpy.abs(actual - expected) - 1e-3 * numpy.abs(expected))
    if not numpy.allclose(actual, expected, rtol=1e-3, atol=1e-4):
        sys.exit("the C program's output differs from PyTorch's (worst excess %g)" % worst)
    print("C program matches PyTorch (rtol 1e-3, atol 1e-4); checksum", program_checksum)

    # 3 and 4: kiln-run, twice, with a fresh cache.
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(args.work, "cache"))
    command = [os.path.join(args.bin, "kiln-run"), model, "--json",
               "--input", "input=" + os.path.join(data, "input_0.pb")]
    first = json.loads(run(command, env))
    second = json.loads(run(command, env))
    for name, result in (("first", first), ("second", second)):
        checksum = result["outputs"][0]["checksum"]
        if checksum != program_checksum:
            sys.exit("the %s kiln-run's checksum %s is not the C program's %s"
                     % (name, checksum, program_checksum))
    if first["cached"] or not second["cached"] or second["compile_ms"] != 0:
        sys.exit("expected a cache miss, then a hit with compile_ms 0: %r, %r"
                 % (first, second))
    first_ready = first["compile_ms"] + first["load_ms"]
    second_ready = second["compile_ms"] + second["load_ms"]
    print("ready after %.1f ms, then %.1f ms from the cache (%.0fx)"
          % (first_ready, second_ready, first_ready / second_ready))
    if first_ready < 20 * second_ready:
        sys.exit("the cached run is not 20 times faster to start")


if __name__ == "__main__":
    main()
