// RUN: kiln-opt %s -kiln-plan-memory -split-input-file | FileCheck %s

// %a (512 bytes) dies once %b is written (its last reader), so %c takes
// %a's bytes; %b is alive until the end and sits after %a. The largest buffer is placed
// first, at offset 0.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: attributes {kiln.arena_buffer_bytes = 1024 : i64, kiln.arena_bytes = 768 : i64}
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<768xi8>
// CHECK: %[[A:.+]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<768xi8> to memref<128xf32>
// CHECK: %[[B:.+]] = memref.view %[[ARENA]][%c512{{.*}}][] : memref<768xi8> to memref<64xf32>
// CHECK: %[[C:.+]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<768xi8> to memref<64xf32>
// CHECK-NOT: memref.alloc
func.func @chain(%x: memref<128xf32>, %y: memref<64xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  memref.copy %x, %a : memref<128xf32> to memref<128xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %sa = memref.subview %a[0] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1]>>
  memref.copy %sa, %b : memref<64xf32, strided<[1]>> to memref<64xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  memref.copy %b, %c : memref<64xf32> to memref<64xf32>
  memref.copy %c, %y : memref<64xf32> to memref<64xf32>
  memref.copy %b, %y : memref<64xf32> to memref<64xf32>
  return
}

// -----

// Not planned: a returned buffer, a dynamic shape, a buffer used after being
// yielded out of a region, and one allocated in a loop. With fewer than two
// plannable buffers the function keeps its allocations.
// CHECK-LABEL: func.func @unplanned
// CHECK-NOT: memref.view
// CHECK-NOT: kiln.arena_bytes
func.func @unplanned(%n: index, %p: i1) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = memref.alloc() : memref<4xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  %e = memref.alloc() : memref<4xf32>
  %y = scf.if %p -> memref<4xf32> {
    scf.yield %e : memref<4xf32>
  } else {
    scf.yield %r : memref<4xf32>
  }
  scf.for %i = %c0 to %n step %c1 {
    %l = memref.alloc() : memref<4xf32>
    memref.copy %y, %l : memref<4xf32> to memref<4xf32>
  }
  %f = memref.alloc() : memref<4xf32>
  memref.copy %y, %f : memref<4xf32> to memref<4xf32>
  return %r : memref<4xf32>
}
