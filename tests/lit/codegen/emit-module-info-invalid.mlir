// RUN: kiln-opt %s -split-input-file -kiln-emit-module-info -verify-diagnostics

// expected-error @+1 {{'kiln.arena_size' must be a non-negative integer, got -1 : i64}}
module attributes {kiln.arena_size = -1 : i64} {
}

// -----

// expected-error @+1 {{the module already defines kiln_module_info_v1}}
module {
  llvm.mlir.global external constant @kiln_module_info_v1(0 : i32) {addr_space = 0 : i32} : i32
}

// -----

// expected-error @+1 {{'kiln.kernels' entry 0 is not {kind, num_params, params, state} naming two LLVM globals}}
module attributes {kiln.kernels = [{kind = 1 : i32, num_params = 22 : i32, params = @missing, state = @state0}]} {
  llvm.mlir.global private @state0(dense<0> : tensor<1xi64>) : !llvm.array<1 x i64>
}
