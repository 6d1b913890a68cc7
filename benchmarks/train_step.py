#!/usr/bin/python3
"""Times a ResNet-18 training step in Kiln and in PyTorch eager, in one run.

  /usr/bin/python3 benchmarks/train_step.py [--build build] [--size 224]
      [--batch 8] [--steps 5] [--threads 1,2] [--out benchmarks/TRAIN_STEP.md]

The model is torchvision's ResNet-18 (random weights, seed 0, 1000 classes),
batch 8 of random images, cross-entropy against random labels, plain SGD (lr
0.01). Both frameworks train as under model.train(): BatchNormalization
normalizes with the batch's statistics and updates its running statistics
(kiln-train's default training mode, on the graph exported under
model.eval()). `--eval-mode` runs both with the running statistics fixed
instead (PyTorch's model.eval(), kiln-train --eval-mode). Kiln's step is `kiln-train
--benchmark` (forward, loss, backward and update compiled into one function;
the median of --steps steps after 3 untimed ones); PyTorch's is zero_grad,
forward, loss, backward and optimizer.step, timed the same way, with
torch.set_num_threads(threads). Kiln's thread count is kiln-train --threads
(oneDNN's OpenMP threads and the tasks of generated parallel loops). Writes a Markdown table with
the machine and the date to --out.
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import time

import numpy as np
import torch
import torchvision


def torch_step_ms(model, x, y, threads, steps, mode):
    torch.set_num_threads(threads)
    model.train(mode == "train")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    times = []
    for i in range(steps + 3):
        start = time.perf_counter()
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        if i >= 3:
            times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def kiln_step_ms(build, work, threads, batch, steps, mode):
    env = dict(os.environ)
    command = [os.path.join(build, "bin", "kiln-train"),
               os.path.join(work, "resnet18.onnx"),
               "--input", "x=" + os.path.join(work, "x.npy"),
               "--target", os.path.join(work, "y.npy"),
               "--batch", str(batch), "--optimizer", "sgd", "--lr", "0.01",
               "--validation-split", "0", "--benchmark", str(steps),
               "--threads", str(threads)]
    if mode == "eval":
        command.append("--eval-mode")
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    match = re.search(r"train step: ([0-9.]+) ms median", result.stdout)
    if result.returncode != 0 or not match:
        raise RuntimeError("kiln-train failed: " + result.stderr + result.stdout)
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--out", default="benchmarks/TRAIN_STEP.md")
    parser.add_argument("--eval-mode", action="store_true",
                        help="BatchNormalization on running statistics")
    args = parser.parse_args()
    work = os.path.join(args.build, "benchmarks", "train_step")
    os.makedirs(work, exist_ok=True)

    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=1000).eval()
    mode = "eval" if args.eval_mode else "train"
    x = torch.randn(args.batch, 3, args.size, args.size)
    y = torch.randint(0, 1000, (args.batch,))
    torch.onnx.export(model, x, os.path.join(work, "resnet18.onnx"),
                      input_names=["x"], output_names=["logits"],
                      opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    np.save(os.path.join(work, "x.npy"), x.numpy())
    np.save(os.path.join(work, "y.npy"), y.numpy().astype(np.int64))

    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        kiln = kiln_step_ms(args.build, work, threads, args.batch, args.steps,
                            mode)
        reference = torch_step_ms(model, x, y, threads, args.steps, mode)
        rows.append((threads, kiln, reference))
        print("threads %d: Kiln %.1f ms, PyTorch %.1f ms, ratio %.2f"
              % (threads, kiln, reference, kiln / reference), flush=True)

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*: (.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    with open(args.out, "w") as f:
        f.write("# ResNet-18 training step: Kiln vs PyTorch\n\n")
        f.write("Written by `benchmarks/train_step.py` on %s (%s, %d cores), "
                "PyTorch %s. Batch %d of %dx%d images, cross-entropy, SGD, "
                "model.%s() semantics; median of %d steps after 3 untimed "
                "ones.\n\n"
                % (datetime.date.today().isoformat(), cpu, os.cpu_count(),
                   torch.__version__, args.batch, args.size, args.size, mode,
                   args.steps))
        f.write("| threads | Kiln (ms) | PyTorch eager (ms) | Kiln / PyTorch |\n")
        f.write("|---|---|---|---|\n")
        for threads, kiln, reference in rows:
            f.write("| %d | %.1f | %.1f | %.2f |\n"
                    % (threads, kiln, reference, kiln / reference))
    print("wrote " + args.out)


if __name__ == "__main__":
    main()
