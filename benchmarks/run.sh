#!/usr/bin/env bash
# Kiln's benchmarks in one command: installs what they need, builds Kiln, runs
# benchmarks/bench.py (models vs ONNX Runtime and PyTorch, kernels vs oneDNN) and
# writes benchmarks/RESULTS.md. Not part of `make test`: nothing here passes or fails
# on speed.
#
#   benchmarks/run.sh            the full run (7 models, 1 and 2 threads, all kernels;
#                                about an hour on 2 cores) -> benchmarks/RESULTS.md
#   benchmarks/run.sh --quick    3 small models, 5 runs, 2 SGEMM sizes, 3 conv layers
#                                -> BUILD/benchmarks/RESULTS-quick.md
#   benchmarks/run.sh --models resnet18,bert_encoder --threads 1 --skip-micro ...
#                                any option of bench.py (--help lists them)
#
# BUILD_DIR (default build) is Kiln's build folder; everything the benchmarks make
# (models, compiled libraries, npm packages) goes under BUILD_DIR/benchmarks.
set -euo pipefail

# The ONNX Runtime release the results were taken with; change it deliberately.
ORT_VERSION=1.30.0

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$(realpath -m "${BUILD_DIR:-$source_dir/build}")"
cd "$source_dir"

# Debian packages (the build's, plus libdnnl-dev for the oneDNN microbenchmark).
scripts/install-deps.sh
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "run.sh: installing Node.js and npm (for onnxruntime-node)"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nodejs npm
fi

# Kiln itself, as `make build` does it.
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -G Ninja -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build_dir"

# ONNX Runtime from npm, pinned; --ignore-scripts because its install script would
# try to download GPU providers, and the CPU binaries ship inside the package.
npm_dir="$build_dir/benchmarks/npm"
installed="$(node -p "require('$npm_dir/node_modules/onnxruntime-node/package.json').version" \
  2>/dev/null || true)"
if [ "$installed" != "$ORT_VERSION" ]; then
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --ignore-scripts --no-audit --no-fund \
    "onnxruntime-node@$ORT_VERSION"
fi

exec /usr/bin/python3 "$source_dir/benchmarks/bench.py" --build "$build_dir" \
  --node-path "$npm_dir/node_modules" "$@"
