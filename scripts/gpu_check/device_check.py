"""The GPU machine's half of scripts/gpu-check.sh (needs numpy and PyTorch with CUDA).

  device_check.py STAGE_DIR

For every evaluation model, runs its CUDA module with the driver and compares the
output with the CPU module's (computed where it was compiled): |gpu - cpu| / |cpu|
<= 1e-4. Then times ResNet-50 inference at batch 32 and a ResNet-18 training step at
batch 32 in Kiln and in PyTorch on the same GPU, fp32 with TF32 off, and prints one
table. Exits 1 when a comparison or the ResNet-50 time ratio (<= 1.25) fails.
"""
import os
import subprocess
import sys
import time

import numpy as np
import torch

EVALUATION_MODELS = ["resnet18", "resnet50", "mobilenet_v2", "lstm_lm", "bert_encoder"]
TOLERANCE = 1e-4
MAX_INFERENCE_RATIO = 1.25
RUNS = 20


def driver(stage, *args):
    result = subprocess.run([os.path.join(stage, "driver")] + list(args),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or result.stdout.strip())
    return result.stdout


def inputs_of(folder):
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if name.startswith("input_"))


def compare(stage, name):
    out = os.path.join(stage, "gpu_out", name)
    os.makedirs(out, exist_ok=True)
    driver(stage, "run", os.path.join(stage, name + ".cuda.so"), "forward", out,
           *inputs_of(os.path.join(stage, "inputs", name)))
    gpu = np.load(os.path.join(out, "output_0.npy")).astype(np.float64)
    cpu = np.load(os.path.join(stage, "cpu_out", name, "output_0.npy")).astype(np.float64)
    if gpu.shape != cpu.shape:
        return float("inf")
    return float(np.linalg.norm(gpu - cpu) / max(np.linalg.norm(cpu), 1e-30))


def median_ms(body):
    times = []
    for index in range(RUNS + 3):
        torch.cuda.synchronize()
        start = time.perf_counter()
        body()
        torch.cuda.synchronize()
        if index >= 3:
            times.append(1e3 * (time.perf_counter() - start))
    return sorted(times)[len(times) // 2]


def resnet(depth):
    try:
        import torchvision
        return getattr(torchvision.models, "resnet%d" % depth)(weights=None)
    except ImportError:
        from resnet import build_resnet  # scripts/gpu_check/resnet.py
        return build_resnet(depth)


def torch_inference_ms():
    model = resnet(50).cuda().eval()
    batch = torch.randn(32, 3, 224, 224, device="cuda")
    with torch.no_grad():
        return median_ms(lambda: model(batch))


def torch_train_step_ms():
    model = resnet(18).cuda().train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = torch.randn(32, 3, 224, 224, device="cuda")
    target = torch.zeros(32, dtype=torch.int64, device="cuda")

    def step():
        optimizer.zero_grad()
        loss_fn(model(batch), target).backward()
        optimizer.step()
    return median_ms(step)


def time_inference(stage, rows):
    """ResNet-50 at batch 32 in Kiln and PyTorch; True when the ratio fails."""
    resnet50 = os.path.join(stage, "resnet50_b32.cuda.so")
    label = "resnet50 b32 inference: Kiln / PyTorch ms"
    try:
        kiln_ms = float(driver(stage, "time", resnet50, "forward", str(RUNS),
                               *inputs_of(os.path.join(stage, "inputs", "resnet50_b32")))
                        .split()[1])
    except RuntimeError as problem:
        rows.append((label, "error", str(problem)[-60:], "FAIL"))
        return True
    torch_ms = torch_inference_ms()
    ratio = kiln_ms / torch_ms
    ok = ratio <= MAX_INFERENCE_RATIO
    rows.append((label, "%.2f / %.2f" % (kiln_ms, torch_ms),
                 "ratio %.2f <= %.2f" % (ratio, MAX_INFERENCE_RATIO), "PASS" if ok else "FAIL"))
    return not ok


def time_training(stage, rows):
    """A ResNet-18 training step at batch 32 in Kiln and PyTorch (reported only)."""
    train = os.path.join(stage, "resnet18_b32_train.cuda.so")
    label = "resnet18 b32 train step: Kiln / PyTorch ms"
    try:
        kiln_ms = float(driver(stage, "train", train, str(RUNS)).split()[1])
    except RuntimeError as problem:
        rows.append((label, "error", str(problem)[-60:], "info"))
        return
    torch_ms = torch_train_step_ms()
    rows.append((label, "%.2f / %.2f" % (kiln_ms, torch_ms),
                 "ratio %.2f" % (kiln_ms / torch_ms), "info"))


def main():
    stage = sys.argv[1]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    rows, failed = [], False
    for name in EVALUATION_MODELS:
        try:
            error = compare(stage, name)
            ok = error <= TOLERANCE
            rows.append((name + " output |gpu-cpu|/|cpu|", "%.2e" % error,
                         "<= %g" % TOLERANCE, "PASS" if ok else "FAIL"))
        except RuntimeError as problem:
            ok = False
            rows.append((name + " output", "error", str(problem)[-60:], "FAIL"))
        failed |= not ok

    if not torch.cuda.is_available():
        print("gpu-check: PyTorch sees no CUDA device; nothing to time")
        failed = True
    else:
        failed |= time_inference(stage, rows)
        time_training(stage, rows)
        print("device: %s, PyTorch %s, TF32 off" % (torch.cuda.get_device_name(0),
                                                     torch.__version__))
    width = max(len(row[0]) for row in rows)
    for row in rows:
        print("%-*s  %-18s %-22s %s" % (width, row[0], row[1], row[2], row[3]))
    print("gpu-check: %s" % ("FAILED" if failed else "passed"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
