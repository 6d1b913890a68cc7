#!/usr/bin/python3
"""The GAN example (examples/gan) against PyTorch.

Usage: check_gan.py GAN_DIGITS DIGITS.npy WORK_DIR [STEPS]

Builds the example's DCGAN in PyTorch (same layers, same parameter names),
writes its initial weights to WORK_DIR/weights/<name>.npy, runs the example
from those weights for STEPS steps (default 20) with --dump, and checks:

- the example printed the discriminator's accuracy on generated images, and
  its PNG decodes (PIL) to the expected grid of 8x8 digits;
- the generator's images for the first step's noise are PyTorch's;
- the first discriminator step (real then generated images, targets 1 then
  0, bce_with_logits averaged, Adam with betas (0.5, 0.999)) and the first
  generator step after it (fresh noise, target 1, through the updated
  discriminator) have PyTorch's losses and gradients, and leave PyTorch's
  weights, within rtol 1e-3, atol 1e-5 (the project's gradient tolerance, as
  in check_gradients.py).

Batch norm runs in training mode in both (batch statistics).
"""
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

BATCH = 64
NOISE = 16
LEARNING_RATE = 1e-3
RTOL, ATOL = 1e-3, 1e-5


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.up1 = nn.ConvTranspose2d(NOISE, 64, 2, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.up2 = nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.up3 = nn.ConvTranspose2d(32, 1, 4, 2, 1, bias=False)

    def forward(self, noise):
        x = F.relu(self.bn1(self.up1(noise)))
        x = F.relu(self.bn2(self.up2(x)))
        return torch.tanh(self.up3(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 4, 2, 1, bias=False)
        self.conv2 = nn.Conv2d(32, 64, 4, 2, 1, bias=False)
        self.conv3 = nn.Conv2d(64, 1, 2, 1, 0, bias=False)

    def forward(self, images):
        x = F.leaky_relu(self.conv1(images), 0.2)
        x = F.leaky_relu(self.conv2(x), 0.2)
        return torch.flatten(self.conv3(x), 1)


def parameters(models):
    for prefix, model in models.items():
        for name, value in model.named_parameters():
            yield f"{prefix}.{name}", value


failures = []


def compare(what, actual, expected, where=None):
    """Checks `actual` against `expected` (only at `where` when given)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        failures.append(f"{what}: shape {actual.shape}, expected {expected.shape}")
        print(f"  {what}: SHAPE {actual.shape} != {expected.shape}")
        return
    if where is not None:
        what += f" ({int(where.sum())}/{where.size})"
        actual, expected = actual[where], expected[where]
    error = np.abs(actual - expected)
    worst = float(np.max(error - RTOL * np.abs(expected)))
    ok = np.allclose(actual, expected, rtol=RTOL, atol=ATOL)
    print(f"  {what:48s} max abs error {float(np.max(error)):.3g} "
          f"(values up to {float(np.max(np.abs(expected))):.3g})"
          f"{'' if ok else '  MISMATCH'}")
    if not ok:
        failures.append(f"{what}: max |error| - rtol*|expected| = {worst:.3g}")


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    program, digits, work = sys.argv[1:4]
    steps = sys.argv[4] if len(sys.argv) == 5 else "20"
    weights_dir = os.path.join(work, "weights")
    dump_dir = os.path.join(work, "dump")
    png = os.path.join(work, "gan_digits.png")
    os.makedirs(weights_dir, exist_ok=True)

    torch.manual_seed(0)
    models = {"g": Generator(), "d": Discriminator()}
    for name, value in parameters(models):
        np.save(os.path.join(weights_dir, name + ".npy"),
                value.detach().numpy().astype(np.float32))

    command = [program, "--data", digits, "--steps", steps, "--batch",
               str(BATCH), "--noise", str(NOISE), "--lr", str(LEARNING_RATE),
               "--weights", weights_dir,
               "--dump", dump_dir, "--png", png, "--log-every", "10"]
    print("$ " + " ".join(command), flush=True)
    run = subprocess.run(command, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=840)
    print(run.stdout)
    if run.returncode != 0:
        sys.exit(f"the example failed with exit code {run.returncode}")

    match = re.search(r"discriminator accuracy on generated images: ([0-9.]+)",
                      run.stdout)
    if not match or not 0.0 <= float(match.group(1)) <= 1.0:
        failures.append("no discriminator accuracy on generated images printed")
    image = Image.open(png)
    image.load()
    side = 8 * (8 * 4 + 2) + 2  # 8x8 digits, 4x4 pixels each, 2-pixel gaps
    if image.mode != "L" or image.size != (side, side):
        failures.append(f"the PNG is {image.mode} {image.size}, expected "
                        f"L ({side}, {side})")
    pixels = np.asarray(image)
    print(f"PNG: {image.mode} {image.size}, pixel values {pixels.min()} to "
          f"{pixels.max()}")

    def dumped(name):
        return torch.from_numpy(np.load(os.path.join(dump_dir, name + ".npy")))

    generator, discriminator = models["g"], models["d"]
    generator.train()
    discriminator.train()
    print("first step against PyTorch (rtol 1e-3, atol 1e-5):")

    images = dumped("discriminator_images")
    with torch.no_grad():
        generated = generator(dumped("discriminator_noise"))
    compare("generated images", images[BATCH:].numpy(), generated.numpy())

    def adam(model):
        return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE,
                                betas=(0.5, 0.999), eps=1e-8)

    # The discriminator step: real images (target 1), then generated (0).
    target = torch.cat([torch.ones(BATCH, 1), torch.zeros(BATCH, 1)])
    loss = F.binary_cross_entropy_with_logits(discriminator(images), target)
    loss.backward()
    compare("discriminator loss", dumped("discriminator_loss").numpy(),
            loss.detach().numpy())
    for name, value in parameters({"d": discriminator}):
        compare("gradient " + name, dumped("gradient." + name).numpy(),
                value.grad.numpy())
    discriminator_gradients = {
        name: value.grad.numpy().copy()
        for name, value in parameters({"d": discriminator})}
    adam(discriminator).step()

    # The generator step: its images judged by the updated discriminator,
    # target 1; only the generator's gradients count and change weights.
    for _, value in parameters(models):
        value.grad = None
    judged = discriminator(generator(dumped("generator_noise")))
    loss = F.binary_cross_entropy_with_logits(judged, torch.ones(BATCH, 1))
    loss.backward()
    compare("generator loss", dumped("generator_loss").numpy(),
            loss.detach().numpy())
    for name, value in parameters({"g": generator}):
        compare("gradient " + name, dumped("gradient." + name).numpy(),
                value.grad.numpy())
    gradients = {name: value.grad.numpy().copy()
                 for name, value in parameters({"g": generator})}
    adam(generator).step()

    # Adam's first step moves each weight by about lr * g / (|g| + eps): where
    # |g| is within a few hundred eps of 0, round-off in g (1e-8 here) moves
    # the weight by more than the tolerance, so those few weights are left
    # out of this check (their gradients were checked above).
    for name, value in parameters(models):
        gradient = (gradients[name] if name in gradients
                    else discriminator_gradients[name])
        compare("weight after the step " + name,
                dumped("trained." + name).numpy(), value.detach().numpy(),
                where=np.abs(gradient) >= 1e-6)

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("OK: PNG, accuracy and the first step's losses and gradients")


if __name__ == "__main__":
    main()
