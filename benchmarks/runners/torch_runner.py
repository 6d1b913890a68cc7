#!/usr/bin/python3
"""Times a benchmark model in PyTorch eager mode (the same protocol as kiln_runner.c).

  torch_runner.py --name NAME --manifest manifest.json [--threads T] [--warmup W]
                  [--runs N] [--min-runs M] [--min-seconds F] [--max-seconds S]
                  [--output-dir DIR]
  torch_runner.py --baseline     (peak RSS of Python with torch and torchvision imported)

Rebuilds the eager module NAME of models.py, loads the state dict that export_models.py
saved next to the manifest, and runs it under torch.inference_mode() with
torch.set_num_threads(T) (and one inter-op thread). Its own process, so peak RSS
(getrusage ru_maxrss) is PyTorch's. One JSON line on stdout.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import models  # noqa: E402


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def percentile(sorted_times, p):
    return sorted_times[max(math.ceil(p * len(sorted_times)), 1) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--name")
    parser.add_argument("--manifest")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--min-runs", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0)
    parser.add_argument("--max-seconds", type=float, default=1e9)
    parser.add_argument("--output-dir")
    args = parser.parse_args()
    if args.baseline:
        print(json.dumps({"peak_rss_kib": peak_rss_kib(), "version": torch.__version__}))
        return

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    folder = os.path.dirname(args.manifest)
    with open(args.manifest) as stream:
        manifest = json.load(stream)
    load_start = time.perf_counter()
    module = models.build(args.name)
    module.load_state_dict(torch.load(os.path.join(folder, "weights.pt")))
    load_ms = (time.perf_counter() - load_start) * 1e3
    inputs = [torch.from_numpy(np.fromfile(os.path.join(folder, spec["file"]), dtype=spec["dtype"])
                               .reshape(spec["shape"])) for spec in manifest["inputs"]]

    times = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            output = module(*inputs)
        loop_start = time.perf_counter()
        # As kiln_runner.c: past N runs until F seconds have passed, at most 10000.
        capacity = max(args.runs, 10000) if args.min_seconds > 0 else args.runs
        while len(times) < capacity:
            start = time.perf_counter()
            output = module(*inputs)
            end = time.perf_counter()
            times.append((end - start) * 1e3)
            if len(times) >= args.min_runs and end - loop_start > args.max_seconds:
                break
            if len(times) >= args.runs and end - loop_start >= args.min_seconds:
                break
    times.sort()
    if args.output_dir:
        output.numpy().astype("<f4").tofile(os.path.join(args.output_dir, "output_0.bin"))
    print(json.dumps({"load_ms": load_ms, "threads": torch.get_num_threads(), "warmup": args.warmup,
                      "runs": len(times), "p50_ms": percentile(times, 0.5),
                      "p90_ms": percentile(times, 0.9), "min_ms": times[0],
                      "peak_rss_kib": peak_rss_kib(), "version": torch.__version__}))


if __name__ == "__main__":
    main()
