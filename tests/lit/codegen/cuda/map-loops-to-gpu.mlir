// RUN: kiln-opt %s -split-input-file -kiln-map-loops-to-gpu -cse -verify-diagnostics | FileCheck %s
// RUN: not kiln-opt %s -split-input-file -kiln-map-loops-to-gpu=threads-per-block=2048 -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT

// LIMIT: threads-per-block must be in [1, 1024], got 2048

// A 2-D loop of 8x100 iterations: 800 threads in blocks of 256 (4 blocks),
// each delinearizing its index; the last block is guarded.
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG: %[[COUNT:.+]] = arith.constant 800 : index
// CHECK-DAG: %[[BLOCKS:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[THREADS:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[BLOCKS]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[THREADS]],
// CHECK: %[[BASE:.+]] = arith.muli %[[BX]], %[[THREADS]]
// CHECK: %[[LINEAR:.+]] = arith.addi %[[BASE]], %[[TX]]
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[LINEAR]], %[[COUNT]]
// CHECK: scf.if %[[IN]]
// CHECK: arith.remui %[[LINEAR]]
// CHECK: arith.divui %[[LINEAR]]
// CHECK: memref.load
// CHECK: arith.negf
// CHECK: memref.store
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @elementwise(%a: memref<8x100xf32>, %b: memref<8x100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c100 = arith.constant 100 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c100) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<8x100xf32>
    %y = arith.negf %x : f32
    memref.store %y, %b[%i, %j] : memref<8x100xf32>
    scf.reduce
  }
  return
}

// -----

// A count that is a multiple of the block needs no guard; fewer iterations
// than a block make one block of that many threads.
// CHECK-LABEL: func.func @small
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[TEN:.+]] = arith.constant 10 : index
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[ONE]], %{{.+}} = %[[ONE]], %{{.+}} = %[[ONE]]) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[TEN]],
// CHECK-NOT: scf.if
// CHECK: gpu.terminator
func.func @small(%a: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c10) step (%c1) {
    memref.store %zero, %a[%i] : memref<10xf32>
    scf.reduce
  }
  return
}

// -----

// Memory accesses outside parallel loops (a rank-0 op, a reduction with no
// parallel dimension) run as one thread, the loads with the store that uses
// them.
// CHECK-LABEL: func.func @scalar
// CHECK: gpu.launch
// CHECK-NEXT: arith.muli
// CHECK: memref.load %arg0[]
// CHECK: arith.addf
// CHECK: memref.store {{.+}}, %arg1[]
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: gpu.terminator
// CHECK-NOT: memref.load
func.func @scalar(%a: memref<f32>, %b: memref<f32>, %c: memref<16xf32>) {
  %x = memref.load %a[] : memref<f32>
  %y = arith.addf %x, %x : f32
  memref.store %y, %b[] : memref<f32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %c[%i] : memref<16xf32>
    %s = memref.load %b[] : memref<f32>
    %t = arith.addf %v, %s : f32
    memref.store %t, %b[] : memref<f32>
  }
  return
}

// -----

// Host control flow that launches kernels stays on the host.
// CHECK-LABEL: func.func @loop_of_kernels
// CHECK: scf.for
// CHECK: gpu.launch
func.func @loop_of_kernels(%a: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.for %t = %c0 to %c3 step %c1 {
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      memref.store %zero, %a[%i] : memref<4xf32>
      scf.reduce
    }
  }
  return
}

// -----

// A value read from a tensor that host code needs cannot be computed on the
// device.
func.func @data_dependent(%a: memref<index>) -> memref<?xf32> {
  // expected-error @+1 {{'memref.load' reads tensor data on the host, which the cuda target does not support yet}}
  %n = memref.load %a[] : memref<index>
  %buffer = memref.alloc(%n) : memref<?xf32>
  return %buffer : memref<?xf32>
}
