#!/usr/bin/python3
"""The GAN example trained in full: the discriminator must not win.

Usage: check_gan_training.py GAN_DIGITS DIGITS.npy WORK_DIR

Runs examples/gan (the DCGAN on the 8x8 digits, its own seeded
initialization) for 2000 steps and checks issue [4]'s acceptance figure: the
discriminator's mean accuracy on generated images after training is between
0.3 and 0.8 (neither side collapsed), and the PNG grid of generated digits
decodes. A run takes a few minutes, hence the `slow` label.
"""
import os
import re
import subprocess
import sys

from PIL import Image

STEPS = 2000


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    program, digits, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    png = os.path.join(work, "gan_digits.png")
    command = [program, "--data", digits, "--steps", str(STEPS), "--seed",
               "0", "--png", png, "--log-every", "500"]
    print("$ " + " ".join(command), flush=True)
    run = subprocess.run(command, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=1500)
    print(run.stdout)
    if run.returncode != 0:
        sys.exit("FAIL: the example exited with %d" % run.returncode)
    match = re.search(r"discriminator accuracy on generated images: ([0-9.]+)",
                      run.stdout)
    if not match:
        sys.exit("FAIL: no discriminator accuracy on generated images printed")
    accuracy = float(match.group(1))
    with Image.open(png) as image:
        image.load()
        print("PNG %dx%d" % image.size)
    if not 0.3 <= accuracy <= 0.8:
        sys.exit("FAIL: discriminator accuracy on generated images %.3f is "
                 "outside [0.3, 0.8]" % accuracy)
    print("discriminator accuracy on generated images %.3f, inside [0.3, 0.8]"
          % accuracy)


if __name__ == "__main__":
    main()
