// RUN: kiln-opt %s -split-input-file -kiln-emit-module-info -verify-diagnostics

// expected-error @+1 {{'kiln.arena_size' must be a non-negative integer, got -1 : i64}}
module attributes {kiln.arena_size = -1 : i64} {
}

// -----

// expected-error @+1 {{the module already defines kiln_module_info_v1}}
module {
  llvm.mlir.global external constant @kiln_module_info_v1(0 : i32) {addr_space = 0 : i32} : i32
}
