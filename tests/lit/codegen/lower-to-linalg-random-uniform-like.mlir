// RUN: kiln-opt %s -split-input-file -kiln-lower-to-linalg | FileCheck %s

// With a run-time seed_offset, kiln.random_uniform_like seeds MT19937 when the
// function runs: the seed is (seed + offset) mod 2^32 (an i64 sum truncated
// to i32), word 0 of the state is that seed, and one scf.for over words 1 to
// 623 computes init_genrand's
//   word[i] = 1812433253 * (word[i-1] ^ (word[i-1] >> 30)) + i
// in i32 arithmetic, carrying the previous word. The draw loop is the same as
// without an offset, starting from that state.
// CHECK-LABEL: func.func @run_time_seed
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>, %[[OFFSET:.+]]: tensor<i64>)
// CHECK-NOT: dense<"0x
// CHECK: %[[K:.+]] = tensor.extract %[[OFFSET]][] : tensor<i64>
// CHECK: %[[SUM:.+]] = arith.addi %{{.+}}, %[[K]] : i64
// CHECK: %[[SEED:.+]] = arith.trunci %[[SUM]] : i64 to i32
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<624xi32>
// CHECK: %[[FIRST:.+]] = tensor.insert %[[SEED]] into %[[EMPTY]][%{{.+}}] : tensor<624xi32>
// CHECK: %[[STATE:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[WORDS:.+]] = %[[FIRST]], %[[PREVIOUS:.+]] = %[[SEED]]) -> (tensor<624xi32>, i32) {
// CHECK: %[[SHIFTED:.+]] = arith.shrui %[[PREVIOUS]], %{{.+}} : i32
// CHECK: %[[MIXED:.+]] = arith.xori %[[PREVIOUS]], %[[SHIFTED]] : i32
// CHECK: %[[PRODUCT:.+]] = arith.muli %{{.+}}, %[[MIXED]] : i32
// CHECK: %[[INDEX:.+]] = arith.index_castui %[[I]] : index to i32
// CHECK: %[[WORD:.+]] = arith.addi %[[PRODUCT]], %[[INDEX]] : i32
// CHECK: %[[WRITTEN:.+]] = tensor.insert %[[WORD]] into %[[WORDS]][%[[I]]] : tensor<624xi32>
// CHECK: scf.yield %[[WRITTEN]], %[[WORD]] : tensor<624xi32>, i32
// CHECK: %[[FLAT:.+]] = tensor.empty(%{{.+}}) : tensor<?xf64>
// CHECK: %[[LOOP:.+]]:3 = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[STATE]]#0, %{{.+}} = %c624{{.*}}, %{{.+}} = %[[FLAT]])
// CHECK: scf.if %{{.+}} -> (tensor<624xi32>)
// CHECK: arith.uitofp %{{.+}} : i32 to f64
// CHECK: tensor.reshape %[[LOOP]]#2(%{{.+}}) : (tensor<?xf64>, tensor<2xi64>) -> tensor<?x3xf64>
func.func @run_time_seed(%x: tensor<?x3xf32>, %offset: tensor<i64>) -> tensor<?x3xf64> {
  %0 = kiln.random_uniform_like %x, %offset {seed = 3 : i64} : (tensor<?x3xf32>, tensor<i64>) -> tensor<?x3xf64>
  return %0 : tensor<?x3xf64>
}

// -----

// The constants of the run-time seeding: seed 3, init_genrand's multiplier
// 1812433253 and the shift 30, and the loop bounds 1 to 624.
// CHECK-LABEL: func.func @run_time_seed_constants
// CHECK: %[[THREE:.+]] = arith.constant 3 : i64
// CHECK: arith.addi %[[THREE]], %{{.+}} : i64
// CHECK: scf.for %{{.+}} = %c1{{(_[0-9]+)?}} to %c624{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<624xi32>, i32) {
// CHECK: %[[THIRTY:.+]] = arith.constant 30 : i32
// CHECK: arith.shrui %{{.+}}, %[[THIRTY]] : i32
// CHECK: %[[MULTIPLIER:.+]] = arith.constant 1812433253 : i32
// CHECK: arith.muli %[[MULTIPLIER]], %{{.+}} : i32
// CHECK: scf.yield
func.func @run_time_seed_constants(%x: tensor<4xf32>, %offset: tensor<i64>) -> tensor<4xf64> {
  %0 = kiln.random_uniform_like %x, %offset {seed = 3 : i64} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Without the operand the state is still the constant computed when
// compiling (seed 3: word 0 is 3, word 1 is 1812433253 * 3 + 1 mod 2^32 =
// 1142332464 = 0x44169C30, little-endian hex), and no seeding loop is emitted.
// CHECK-LABEL: func.func @compile_time_seed
// CHECK-NOT: 1812433253
// CHECK-NOT: -> (tensor<624xi32>, i32)
// CHECK: %[[SEEDED:.+]] = arith.constant dense<"0x03000000309C1644{{[0-9A-F]+}}"> : tensor<624xi32>
// CHECK-NOT: 1812433253
// CHECK-NOT: -> (tensor<624xi32>, i32)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[SEEDED]], %{{.+}} = %c624{{.*}}, %{{.+}} = %{{.+}})
// CHECK-NOT: 1812433253
// CHECK-NOT: -> (tensor<624xi32>, i32)
// CHECK: return
func.func @compile_time_seed(%x: tensor<4xf32>) -> tensor<4xf64> {
  %0 = kiln.random_uniform_like %x {seed = 3 : i64} : (tensor<4xf32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}
