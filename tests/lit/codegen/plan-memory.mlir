// RUN: kiln-opt %s -kiln-plan-memory -split-input-file | FileCheck %s

// Library kernels (calls that get each buffer's address) chain three buffers:
// %a (512 bytes) is dead once the kernel writing %b has read it, so %c takes
// %a's bytes; %b is alive until the end and sits after %a. The largest
// buffer is placed first, at offset 0.
// CHECK: module attributes {kiln.planned_arena_size = 768 : i64}
// CHECK-LABEL: func.func @kernels
// CHECK-SAME: attributes {kiln.arena_buffer_bytes = 1024 : i64, kiln.arena_bytes = 768 : i64}
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<768xi8>
// CHECK: memref.view %[[ARENA]][%c0{{.*}}][] : memref<768xi8> to memref<128xf32>
// CHECK: memref.view %[[ARENA]][%c512{{.*}}][] : memref<768xi8> to memref<64xf32>
// CHECK: memref.view %[[ARENA]][%c0{{.*}}][] : memref<768xi8> to memref<64xf32>
// CHECK-NOT: memref.alloc
func.func private @kernel(index, index) -> i32
func.func @kernels(%x: memref<128xf32>, %y: memref<64xf32>) {
  %px = memref.extract_aligned_pointer_as_index %x : memref<128xf32> -> index
  %a = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  %pa = memref.extract_aligned_pointer_as_index %a : memref<128xf32> -> index
  %0 = call @kernel(%px, %pa) : (index, index) -> i32
  %b = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %pb = memref.extract_aligned_pointer_as_index %b : memref<64xf32> -> index
  %1 = call @kernel(%pa, %pb) : (index, index) -> i32
  %c = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %pc = memref.extract_aligned_pointer_as_index %c : memref<64xf32> -> index
  %2 = call @kernel(%pb, %pc) : (index, index) -> i32
  %py = memref.extract_aligned_pointer_as_index %y : memref<64xf32> -> index
  %3 = call @kernel(%pc, %py) : (index, index) -> i32
  %4 = call @kernel(%pb, %py) : (index, index) -> i32
  return
}

// -----

// Generated code (here memref.copy) may touch one buffer of the arena per op:
// the copy from %a to %b keeps %b out (the smaller), and the copy from %b to
// %c lets %c in. Buffers a kernel reads through a view count as the buffer's.
// CHECK-LABEL: func.func @generated
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<{{[0-9]+}}xi8>
// CHECK: %[[A:.+]] = memref.view %[[ARENA]]{{.*}} to memref<128xf32>
// CHECK: %[[B:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
// CHECK: %[[C:.+]] = memref.view %[[ARENA]]{{.*}} to memref<64xf32>
func.func private @kernel(index) -> i32
func.func @generated(%x: memref<128xf32>, %y: memref<64xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  memref.copy %x, %a : memref<128xf32> to memref<128xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %sa = memref.subview %a[0] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1]>>
  memref.copy %sa, %b : memref<64xf32, strided<[1]>> to memref<64xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  memref.copy %b, %c : memref<64xf32> to memref<64xf32>
  %e = memref.expand_shape %c [[0, 1]] output_shape [8, 8] : memref<64xf32> into memref<8x8xf32>
  %pe = memref.extract_aligned_pointer_as_index %e : memref<8x8xf32> -> index
  %0 = call @kernel(%pe) : (index) -> i32
  return
}

// -----

// Not planned: a returned buffer, a dynamic shape, a buffer yielded out of a
// region, and one allocated in a loop. With fewer than two plannable buffers
// the function keeps its allocations.
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

// -----

// A buffer carried through a loop lives as long as the loop's result is
// used: %s is alive in the second loop, which touches %u too, so only the
// larger, %u, goes to the arena; %v, allocated after %u's last use, takes
// %u's place.
// CHECK-LABEL: func.func @carried
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<512xi8>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<16xi32>
// CHECK: memref.view %[[ARENA]][%c0{{.*}}][] : memref<512xi8> to memref<128xf32>
// CHECK: memref.view %[[ARENA]][%c0{{.*}}][] : memref<512xi8> to memref<128xf32>
func.func private @kernel2(index) -> i32
func.func @carried(%y: memref<128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %seed = arith.constant 7 : i32
  %s = memref.alloc() {alignment = 64 : i64} : memref<16xi32>
  %t = scf.for %i = %c0 to %c16 step %c1 iter_args(%m = %s) -> (memref<16xi32>) {
    memref.store %seed, %m[%i] : memref<16xi32>
    scf.yield %m : memref<16xi32>
  }
  %u = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %x = memref.load %t[%i] : memref<16xi32>
    %f = arith.sitofp %x : i32 to f32
    memref.store %f, %u[%i] : memref<128xf32>
  }
  %pu = memref.extract_aligned_pointer_as_index %u : memref<128xf32> -> index
  %0 = call @kernel2(%pu) : (index) -> i32
  %v = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  %pv = memref.extract_aligned_pointer_as_index %v : memref<128xf32> -> index
  %1 = call @kernel2(%pv) : (index) -> i32
  memref.copy %v, %y : memref<128xf32> to memref<128xf32>
  return
}

// -----

// A call of another function that is given the buffer itself may return it:
// %a lives as long as the call's result, so %b (allocated while it does)
// gets other bytes.
// CHECK-LABEL: func.func @through_call
// CHECK: memref.view %{{.+}}[%c0{{.*}}][] : memref<{{[0-9]+}}xi8> to memref<16xf32>
// CHECK: memref.view %{{.+}}[%c64{{.*}}][] : memref<{{[0-9]+}}xi8> to memref<16xf32>
func.func private @identity(memref<16xf32>) -> memref<16xf32>
func.func private @kernel3(index) -> i32
func.func @through_call(%y: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %r = call @identity(%a) : (memref<16xf32>) -> memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %pb = memref.extract_aligned_pointer_as_index %b : memref<16xf32> -> index
  %0 = call @kernel3(%pb) : (index) -> i32
  %pr = memref.extract_aligned_pointer_as_index %r : memref<16xf32> -> index
  %1 = call @kernel3(%pr) : (index) -> i32
  return
}
