// The reduction family through the whole CPU pipeline: scf loops over slices at
// dynamic offsets (cumsum along a leading axis, top_k) leave no affine, scf,
// linalg or memref op behind, and no copy calls into MLIR's runtime library.
// DEFINE: %{not_left} = --implicit-check-not=affine. --implicit-check-not=scf. --implicit-check-not=linalg. --implicit-check-not=memref. --implicit-check-not=memrefCopy
// RUN: kiln-opt %s -kiln-cpu-pipeline | FileCheck %s %{not_left}
// RUN: kiln-opt %s -kiln-cpu-pipeline=opt-level=0 | FileCheck %s %{not_left}

// CHECK: llvm.func @family(
// CHECK: llvm.mlir.global external constant @kiln_module_abi_v1()
func.func @family(%x: tensor<3x4x5xf32>, %w: tensor<3x2x2x2xf32>)
    -> (tensor<3x4x5xf32>, tensor<3x2x5xf32>, tensor<3x2x5xi64>, tensor<4x5xi64>, tensor<1x2x7x10xf32>) {
  %0 = kiln.cumsum %x {axis = 0 : i64, reverse = true} : tensor<3x4x5xf32>
  %1:2 = kiln.top_k %x {k = 2 : i64, axis = 1 : i64} : (tensor<3x4x5xf32>) -> (tensor<3x2x5xf32>, tensor<3x2x5xi64>)
  %2 = kiln.arg_min %x {axis = 0 : i64} : (tensor<3x4x5xf32>) -> tensor<4x5xi64>
  %y = kiln.reshape %x {shape = array<i64: 1, 3, 4, 5>} : (tensor<3x4x5xf32>) -> tensor<1x3x4x5xf32>
  %3 = kiln.conv_transpose %y, %w {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 1, 0>} : (tensor<1x3x4x5xf32>, tensor<3x2x2x2xf32>) -> tensor<1x2x7x10xf32>
  return %0, %1#0, %1#1, %2, %3 : tensor<3x4x5xf32>, tensor<3x2x5xf32>, tensor<3x2x5xi64>, tensor<4x5xi64>, tensor<1x2x7x10xf32>
}
