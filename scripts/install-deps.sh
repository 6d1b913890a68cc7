#!/usr/bin/env bash
# Installs every Debian package that Kiln's build and tests need.
# Idempotent: packages already installed are skipped, and apt is not touched when nothing is
# missing. Uses sudo only when not running as root.
set -euo pipefail

packages=(
  # Build tools.
  build-essential cmake ninja-build ccache git
  # LLVM/MLIR 22: shared libMLIR/libLLVM, mlir-tblgen, and lit/FileCheck for the tests.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # The ONNX frontend: the ONNX library and Protobuf; the ONNX backend test data.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # Model tests export PyTorch models (random weights) to ONNX during the test run.
  python3-torch python3-torchvision python3-onnx python3-numpy
  # The runtime's library kernels (convolution, matrix product) run on oneDNN,
  # which the kernel microbenchmarks (benchmarks/) also compare against.
  libdnnl-dev
  # Unit tests.
  libgtest-dev
  # examples/gan: PNG output through zlib; its test reads the digits from
  # scikit-learn and the PNG with PIL.
  zlib1g-dev python3-sklearn python3-pil
  # `lit` runs on Debian's Python; binutils gives readelf for the runtime dependency check.
  python3 binutils
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
