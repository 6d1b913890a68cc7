// RUN: kiln-opt %s -kiln-flatten-constant-globals | FileCheck %s

// Nested array globals with dense or resource-backed values get a flat type
// and a 1-D value with the same elements in the same order; flat globals,
// globals without a value and boolean ones stay as they are.
// CHECK: llvm.mlir.global private constant @filter(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>) {{.*}} : !llvm.array<6 x f32>
// CHECK: llvm.mlir.global private constant @table(dense_resource<blob> : tensor<4xi32>) {{.*}} : !llvm.array<4 x i32>
// CHECK: llvm.mlir.global private constant @flat(dense<[1, 2]> : tensor<2xi64>) {{.*}} : !llvm.array<2 x i64>
// CHECK: llvm.mlir.global private constant @mask(dense<true> : tensor<2x2xi1>) {{.*}} : !llvm.array<2 x array<2 x i1>>
// CHECK: llvm.mlir.global private @state() {{.*}} : !llvm.array<2 x array<2 x i64>>
module {
  llvm.mlir.global private constant @filter(dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>) : !llvm.array<2 x array<3 x f32>>
  llvm.mlir.global private constant @table(dense_resource<blob> : tensor<2x2xi32>) : !llvm.array<2 x array<2 x i32>>
  llvm.mlir.global private constant @flat(dense<[1, 2]> : tensor<2xi64>) : !llvm.array<2 x i64>
  llvm.mlir.global private constant @mask(dense<true> : tensor<2x2xi1>) : !llvm.array<2 x array<2 x i1>>
  llvm.mlir.global private @state() : !llvm.array<2 x array<2 x i64>> {
    %0 = llvm.mlir.zero : !llvm.array<2 x array<2 x i64>>
    llvm.return %0 : !llvm.array<2 x array<2 x i64>>
  }
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x0400000001000000020000000300000004000000"
    }
  }
#-}
