// RUN: kiln-opt %s -split-input-file -kiln-externalize-weights='file-name=model.weights' | FileCheck %s

// Tensor constants become writable zero-initialized globals; their bytes go to
// the blob at 64-byte-aligned offsets (a splat is written out in full). The
// hash is the FNV-1a 64 of the 112 blob bytes below, as a signed i64.
// CHECK-LABEL: module attributes {kiln.weights = {data = dense_resource<kiln_weights> : tensor<112xi8>, file = "model.weights", fnv1a64 = -6196951490987569608 : i64, size = 112 : i64}}
// CHECK: llvm.mlir.global private @matrix() {{.*}} : !llvm.array<2 x array<2 x f32>> {
// CHECK-NEXT: %[[ZERO:.+]] = llvm.mlir.zero : !llvm.array<2 x array<2 x f32>>
// CHECK-NEXT: llvm.return %[[ZERO]]
// CHECK: llvm.mlir.global private @splat() {{.*}} : !llvm.array<12 x f32> {
// CHECK-NEXT: llvm.mlir.zero
// What the pass cannot lay out, or does not own, stays as it was.
// CHECK: llvm.mlir.global private constant @flags(dense<[true, false]> : tensor<2xi1>)
// CHECK: llvm.mlir.global private @counter(0 : i32)
// CHECK: llvm.mlir.global internal constant @__kiln_table(dense<7> : tensor<2xi64>)

// One segment per moved global: offset, size, destination.
// CHECK: llvm.mlir.global internal constant @__kiln_weight_segments() {{.*}} : !llvm.array<2 x struct<(i64, i64, ptr)>>
// CHECK-DAG: llvm.mlir.constant(0 : i64) : i64
// CHECK-DAG: llvm.mlir.constant(16 : i64) : i64
// CHECK-DAG: llvm.mlir.constant(64 : i64) : i64
// CHECK-DAG: llvm.mlir.constant(48 : i64) : i64
// CHECK-DAG: llvm.mlir.addressof @matrix
// CHECK-DAG: llvm.mlir.addressof @splat
// CHECK: llvm.mlir.global internal @__kiln_weights_state() {{.*}} : i32
// CHECK: llvm.mlir.global internal constant @__kiln_weights_file_name("model.weights\00")

// The kiln_abi_weights table: magic "KIWT" (0x5457494b), version 1, name, size, hash,
// segment count, segments, state word.
// CHECK: llvm.mlir.global internal constant @__kiln_weights() {{.*}} : !llvm.struct<(i32, i32, ptr, i64, i64, i32, ptr, ptr)>
// CHECK: llvm.mlir.constant(1415006539 : i32)
// CHECK: llvm.mlir.constant(1 : i32)
// CHECK: llvm.mlir.addressof @__kiln_weights_file_name
// CHECK: llvm.mlir.constant(112 : i64)
// CHECK: llvm.mlir.constant(-6196951490987569608 : i64)
// CHECK: llvm.mlir.constant(2 : i32)
// CHECK: llvm.mlir.addressof @__kiln_weight_segments
// CHECK: llvm.mlir.addressof @__kiln_weights_state

// The blob (after the resource's 4-byte alignment header, 8): 1.0, 2.0, 3.0,
// 4.0 as little-endian floats, zero padding to offset 64, then twelve 0.5s.
// CHECK: kiln_weights: "0x080000000000803F0000004000004040000080400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F"
module {
  llvm.mlir.global private constant @matrix(dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<2 x array<2 x f32>>
  llvm.mlir.global private constant @splat(dense<0.5> : tensor<12xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<12 x f32>
  llvm.mlir.global private constant @flags(dense<[true, false]> : tensor<2xi1>) {addr_space = 0 : i32} : !llvm.array<2 x i1>
  llvm.mlir.global private @counter(0 : i32) {addr_space = 0 : i32} : i32
  llvm.mlir.global internal constant @__kiln_table(dense<7> : tensor<2xi64>) {addr_space = 0 : i32} : !llvm.array<2 x i64>
}

// -----

// Without tensor constants the file is empty (its hash is FNV-1a's offset
// basis); the table still says so.
// CHECK-LABEL: module attributes {kiln.weights = {data = dense_resource<kiln_weights> : tensor<0xi8>, file = "model.weights", fnv1a64 = -3750763034362895579 : i64, size = 0 : i64}}
// CHECK: llvm.mlir.global internal constant @__kiln_weight_segments() {{.*}} : !llvm.array<0 x struct<(i64, i64, ptr)>>
// CHECK: llvm.mlir.global internal constant @__kiln_weights()
module {
  llvm.func @f() {
    llvm.return
  }
}
