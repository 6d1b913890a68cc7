// RUN: kiln-opt %s -kiln-merge-duplicate-functions -split-input-file | FileCheck %s

// Two outlined loops that are the same loop on other buffers: one body stays,
// and both dispatch functions (each of which calls itself, as
// async-parallel-for's do) become one once their bodies are merged.
// CHECK-LABEL: func.func private @body_a
// CHECK-NOT: func.func private @body_b
// CHECK-LABEL: func.func private @dispatch_a
// CHECK: call @dispatch_a(
// CHECK: call @body_a(
// CHECK-NOT: func.func private @dispatch_b
// CHECK-LABEL: func.func @steps
// CHECK: call @dispatch_a(%arg0, %c0)
// CHECK: call @dispatch_a(%arg1, %c0)
func.func private @body_a(%x: memref<512xf32>, %i: index) {
  %v = memref.load %x[%i] : memref<512xf32>
  %w = arith.addf %v, %v : f32
  memref.store %w, %x[%i] : memref<512xf32>
  return
}
func.func private @dispatch_a(%x: memref<512xf32>, %i: index) {
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %next = arith.addi %i, %c1 : index
  %more = arith.cmpi slt, %next, %c512 : index
  scf.if %more {
    func.call @dispatch_a(%x, %next) : (memref<512xf32>, index) -> ()
  }
  func.call @body_a(%x, %i) : (memref<512xf32>, index) -> ()
  return
}
func.func private @body_b(%x: memref<512xf32>, %i: index) {
  %v = memref.load %x[%i] : memref<512xf32>
  %w = arith.addf %v, %v : f32
  memref.store %w, %x[%i] : memref<512xf32>
  return
}
func.func private @dispatch_b(%x: memref<512xf32>, %i: index) {
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %next = arith.addi %i, %c1 : index
  %more = arith.cmpi slt, %next, %c512 : index
  scf.if %more {
    func.call @dispatch_b(%x, %next) : (memref<512xf32>, index) -> ()
  }
  func.call @body_b(%x, %i) : (memref<512xf32>, index) -> ()
  return
}
func.func @steps(%x: memref<512xf32>, %y: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  func.call @dispatch_a(%x, %c0) : (memref<512xf32>, index) -> ()
  func.call @dispatch_b(%y, %c0) : (memref<512xf32>, index) -> ()
  return
}

// -----

// Functions that differ (in an operation, a constant or a type) stay apart,
// and so do public ones, even when equal: entry points keep their names.
// CHECK-LABEL: func.func private @add
// CHECK-LABEL: func.func private @mul
// CHECK-LABEL: func.func private @add_twice
// CHECK-LABEL: func.func private @add_f64
// CHECK-LABEL: func.func @forward
// CHECK-LABEL: func.func @predict
func.func private @add(%x: f32) -> f32 {
  %c = arith.constant 1.0 : f32
  %y = arith.addf %x, %c : f32
  return %y : f32
}
func.func private @mul(%x: f32) -> f32 {
  %c = arith.constant 1.0 : f32
  %y = arith.mulf %x, %c : f32
  return %y : f32
}
func.func private @add_twice(%x: f32) -> f32 {
  %c = arith.constant 2.0 : f32
  %y = arith.addf %x, %c : f32
  return %y : f32
}
func.func private @add_f64(%x: f64) -> f64 {
  %c = arith.constant 1.0 : f64
  %y = arith.addf %x, %c : f64
  return %y : f64
}
func.func @forward(%x: f32) -> f32 {
  %y = func.call @add(%x) : (f32) -> f32
  return %y : f32
}
func.func @predict(%x: f32) -> f32 {
  %y = func.call @add(%x) : (f32) -> f32
  return %y : f32
}
