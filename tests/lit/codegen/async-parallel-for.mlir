// RUN: kiln-opt %s -kiln-async-parallel-for -canonicalize | FileCheck %s

// The block size of a task is at least min-task-size (512) rows divided by
// the rows of one iteration. An elementwise row (one innermost loop) is one:
// tasks of at least 512 iterations.
// CHECK-LABEL: func.func @light
// CHECK: %[[BLOCK:.+]] = arith.ceildivsi %c4096, %{{.+}} : index
// CHECK: arith.maxsi %[[BLOCK]], %c512 : index
// CHECK: async.create_group

// An iteration running 64 rows of 8 (a loop around the innermost one): tasks
// of at least 512 / 64 = 8 iterations.
// CHECK-LABEL: func.func @heavy
// CHECK: %[[BLOCK:.+]] = arith.ceildivsi %c16, %{{.+}} : index
// CHECK: arith.maxsi %[[BLOCK]], %c8 : index
// CHECK: async.create_group

// An innermost loop whose body moves vectors (a strided copy of 64-channel
// pixels) runs a row per iteration: 55 rows, tasks of at least
// 512 / 55 = 9 iterations.
// CHECK-LABEL: func.func @vector_rows
// CHECK: %[[BLOCK:.+]] = arith.ceildivsi %c55, %{{.+}} : index
// CHECK: arith.maxsi %[[BLOCK]], %c9 : index
// CHECK: async.create_group
func.func @light(%a: memref<4096x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c4096 = arith.constant 4096 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    scf.for %j = %c0 to %c8 step %c1 {
      memref.store %one, %a[%i, %j] : memref<4096x8xf32>
    }
  }
  return
}
func.func @heavy(%a: memref<16x64x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    scf.for %j = %c0 to %c64 step %c1 {
      scf.for %k = %c0 to %c8 step %c1 {
        memref.store %one, %a[%i, %j, %k] : memref<16x64x8xf32>
      }
    }
  }
  return
}
func.func @vector_rows(%a: memref<55x55x64xf32>, %b: memref<55x55x64xf32, strided<[7040, 128, 1]>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c55 = arith.constant 55 : index
  scf.parallel (%i) = (%c0) to (%c55) step (%c1) {
    scf.for %j = %c0 to %c55 step %c1 {
      %v = vector.load %a[%i, %j, %c0] : memref<55x55x64xf32>, vector<64xf32>
      vector.store %v, %b[%i, %j, %c0] : memref<55x55x64xf32, strided<[7040, 128, 1]>>, vector<64xf32>
    }
  }
  return
}
