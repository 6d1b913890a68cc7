#!/bin/sh
# Compiles an ONNX model for CUDA and checks that the CUDA toolkit's ptxas
# accepts its kernels for the architecture: the compile-only check of the
# CUDA target that needs no GPU.
#
#   check_ptx.sh KILN_COMPILE PTXAS MODEL.onnx ARCH OUT_DIR [kiln-compile options...]
set -eu
kiln_compile=$1 ptxas=$2 model=$3 arch=$4 out=$5
shift 5
mkdir -p "$out"
name=$(basename "$out")
"$kiln_compile" "$model" --target=cuda --cuda-arch="$arch" --emit=ptx \
  -o "$out/$name.ptx" "$@"
"$ptxas" -arch="$arch" "$out/$name.ptx" -o "$out/$name.cubin"
kernels=$(grep -c '^\.visible \.entry' "$out/$name.ptx")
bytes=$(wc -c < "$out/$name.cubin")
echo "$name: $kernels kernels, accepted by ptxas for $arch ($bytes-byte cubin)"
