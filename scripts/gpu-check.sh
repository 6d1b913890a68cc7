#!/bin/sh
# The GPU check of the CUDA target, in two halves (docs/cuda.md).
#
#   scripts/gpu-check.sh prepare [BUILD_DIR] [ARCH]   # here: compile and stage
#   scripts/gpu-check.sh device STAGE_DIR             # on the GPU machine
#
# `prepare` (on a machine with Kiln built, no GPU needed) exports the evaluation
# models (scripts/gpu_check/export_models.py), compiles each for CUDA (ARCH,
# default sm_90) and for the CPU, runs the CPU modules for reference outputs,
# compiles ResNet-50 at batch 32 and a ResNet-18 training step at batch 32 for
# CUDA, builds the driver against libkiln_runtime, and packs all of it (xz,
# under 64 MiB) into BUILD_DIR/gpu-check. The GPU machine has CUDA and
# PyTorch but no LLVM, MLIR, oneDNN or ONNX: only that folder travels, e.g.
#   run(command="scripts/gpu-check.sh device build/gpu-check",
#       carry=["build/gpu-check"])
# `device` unpacks it, runs the runtime's GPU tests, compares every model's GPU
# output with its CPU output and times Kiln against PyTorch
# (scripts/gpu_check/device_check.py), printing one table.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

prepare() {
  build=$(cd "${1:-build}" && pwd)
  arch=${2:-sm_90}
  stage=$build/gpu-check
  work=$build/gpu-check-work
  rm -rf "$stage" "$work"
  mkdir -p "$stage/lib" "$stage/inputs" "$stage/cpu_out" "$work"
  bin=$build/bin
  /usr/bin/python3 "$here/gpu_check/export_models.py" "$work/models" >/dev/null
  c++ -std=c++17 -O2 -I"$here/../runtime/include" "$here/gpu_check/driver.cpp" \
    -L"$build/lib" -lkiln_runtime -Wl,-rpath,'$ORIGIN/lib' -o "$stage/driver"
  for model in resnet18 resnet50 mobilenet_v2 lstm_lm bert_encoder; do
    echo "gpu-check: compiling $model for $arch and for the CPU"
    "$bin/kiln-compile" "$work/models/$model/model.onnx" --target=cuda \
      --cuda-arch="$arch" --no-header -o "$stage/$model.cuda.so"
    "$bin/kiln-compile" "$work/models/$model/model.onnx" --no-header \
      -o "$work/$model.cpu.so"
    mkdir -p "$stage/inputs/$model" "$stage/cpu_out/$model"
    cp "$work/models/$model"/input_*.npy "$stage/inputs/$model/"
    LD_LIBRARY_PATH=$build/lib "$stage/driver" run "$work/$model.cpu.so" \
      forward "$stage/cpu_out/$model" "$stage/inputs/$model"/input_*.npy
  done
  echo "gpu-check: compiling ResNet-50 (batch 32) and a ResNet-18 training step (batch 32)"
  "$bin/kiln-compile" "$work/models/resnet50_b32/model.onnx" --target=cuda \
    --cuda-arch="$arch" --no-header -o "$stage/resnet50_b32.cuda.so"
  mkdir -p "$stage/inputs/resnet50_b32"
  cp "$work/models/resnet50_b32"/input_*.npy "$stage/inputs/resnet50_b32/"
  "$bin/kiln-compile" "$work/models/resnet18_b32/model.onnx" --train \
    --target=cuda --cuda-arch="$arch" --no-header \
    -o "$stage/resnet18_b32_train.cuda.so"
  cp -P "$build/lib"/libkiln_runtime.so* "$stage/lib/"
  # The runtime links oneDNN (its CPU kernels) and what oneDNN needs (OpenMP,
  # the OpenCL loader), which the GPU machine may lack: they travel too, under
  # the names the loader looks for.
  ldd "$build/lib/libkiln_runtime.so" |
    awk '/libdnnl|libgomp|libOpenCL/ {print $1, $3}' |
    while read -r soname path; do cp -L "$path" "$stage/lib/$soname"; done
  # The runtime's GPU tests (ctest label gpu) and the module library they load.
  cp "$bin/runtime_cuda_gpu_tests" "$stage/"
  cp "$build/lib/libkiln_test_cuda_module.so" "$stage/lib/"
  cp "$here/gpu_check/device_check.py" "$here/gpu_check/resnet.py" "$stage/"
  # Weights follow a periodic sequence (export_models.py): they compress.
  for module in "$stage"/*.so "$stage"/lib/libdnnl*; do xz -T2 -1 "$module"; done
  for input in "$stage"/inputs/*/*.npy; do xz -T2 -1 "$input"; done
  size=$(du -sb "$stage" | cut -f1)
  echo "gpu-check: staged $(du -sh "$stage" | cut -f1) in $stage"
  if [ "$size" -gt 62914560 ]; then
    echo "gpu-check: the stage is over 60 MiB; the GPU machine takes 64 MiB" >&2
    exit 1
  fi
  rm -rf "$work"
}

device() {
  stage=$(cd "$1" && pwd)
  # The carried folder may be read-only: unpack into a scratch copy.
  scratch=${TMPDIR:-/tmp}/kiln-gpu-check
  rm -rf "$scratch" && cp -r "$stage" "$scratch" && chmod -R u+w "$scratch"
  find "$scratch" -name '*.xz' -exec xz -d {} +
  export LD_LIBRARY_PATH="$scratch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  fi
  status=0
  echo "gpu-check: the runtime's GPU tests (ctest label gpu)"
  KILN_TEST_CUDA_MODULE_PATH="$scratch/lib/libkiln_test_cuda_module.so" \
    "$scratch/runtime_cuda_gpu_tests" --gtest_brief=1 || status=1
  cd "$scratch"
  python3 device_check.py "$scratch" || status=1
  exit $status
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  device) shift; device "$@" ;;
  *) sed -n '2,21p' "$0"; exit 2 ;;
esac
