// The spatial family through the whole CPU pipeline: generics with
// tensor.extract (grid_sample, roi_align with its scf loops inside, max pooling
// with indices), the dft's constant tables, det's scf loops on a matrix copy
// and N-D convolution and pooling bufferize and leave no affine, scf, linalg or
// memref op behind, and no copy calls into MLIR's runtime library.
// DEFINE: %{not_left} = --implicit-check-not=affine. --implicit-check-not=scf. --implicit-check-not=linalg. --implicit-check-not=memref. --implicit-check-not=memrefCopy
// RUN: kiln-opt %s -kiln-cpu-pipeline | FileCheck %s %{not_left}
// RUN: kiln-opt %s -kiln-cpu-pipeline=opt-level=0 | FileCheck %s %{not_left}

// CHECK: llvm.func @family(
// CHECK: llvm.mlir.global external constant @kiln_module_abi_v1()
func.func @family(%x: tensor<1x2x5x5x5xf32>, %w: tensor<4x1x3x3x3xf32>, %image: tensor<1x2x6x6xf32>,
                  %grid: tensor<1x3x4x2xf32>, %rois: tensor<2x4xf32>, %batch: tensor<2xi64>,
                  %signal: tensor<2x8x2xf32>, %matrices: tensor<3x4x4xf32>, %bytes: tensor<1x1x6x6x6xi8>,
                  %v: tensor<2x1x3x3x3xf32>)
    -> (tensor<1x4x3x3x3xf32>, tensor<1x2x3x3x3xf32>, tensor<1x2x2x2x2xf32>, tensor<1x2x7x7x7xf32>,
        tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>,
        tensor<2x2x2x2xf32>, tensor<2x8x2xf32>, tensor<3xf32>, tensor<1x1x3x3x3xi8>) {
  %0 = kiln.conv %x, %w {groups = 2 : i64} : (tensor<1x2x5x5x5xf32>, tensor<4x1x3x3x3xf32>) -> tensor<1x4x3x3x3xf32>
  %1 = kiln.max_pool %x {kernel_size = array<i64: 3, 3, 3>} : (tensor<1x2x5x5x5xf32>) -> tensor<1x2x3x3x3xf32>
  %2 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, padding = array<i64: 1, 1, 1, 0, 0, 0>}
      : (tensor<1x2x5x5x5xf32>) -> tensor<1x2x3x3x3xf32>
  %3 = kiln.avg_pool %x {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x5x5x5xf32>) -> tensor<1x2x2x2x2xf32>
  %ct = kiln.conv_transpose %1, %v {groups = 2 : i64, strides = array<i64: 2, 2, 2>} : (tensor<1x2x3x3x3xf32>, tensor<2x1x3x3x3xf32>) -> tensor<1x2x7x7x7xf32>
  %4:2 = kiln.max_pool_with_indices %image {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>}
      : (tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
  %5 = kiln.grid_sample %image, %grid {mode = "bicubic", padding_mode = "reflection"} : (tensor<1x2x6x6xf32>, tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  %6 = kiln.grid_sample %image, %grid {mode = "nearest"} : (tensor<1x2x6x6xf32>, tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  %7 = kiln.roi_align %image, %rois, %batch {output_height = 2 : i64, output_width = 2 : i64, mode = "max"}
      : (tensor<1x2x6x6xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x2x2x2xf32>
  %8 = kiln.dft %signal {axis = 1 : i64, inverse = true} : (tensor<2x8x2xf32>) -> tensor<2x8x2xf32>
  %9 = kiln.det %matrices : (tensor<3x4x4xf32>) -> tensor<3xf32>
  %10 = kiln.max_pool %bytes {kernel_size = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>} : (tensor<1x1x6x6x6xi8>) -> tensor<1x1x3x3x3xi8>
  return %0, %2, %3, %ct, %4#0, %4#1, %5, %6, %7, %8, %9, %10
      : tensor<1x4x3x3x3xf32>, tensor<1x2x3x3x3xf32>, tensor<1x2x2x2x2xf32>, tensor<1x2x7x7x7xf32>,
        tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>,
        tensor<2x2x2x2xf32>, tensor<2x8x2xf32>, tensor<3xf32>, tensor<1x1x3x3x3xi8>
}
