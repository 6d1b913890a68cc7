// RUN: kiln-opt %s -kiln-emit-runtime-abi -split-input-file -verify-diagnostics

// expected-error @+1 {{no 'kiln.entry_points' attribute: run kiln-prepare-entry-points before lowering to the LLVM dialect}}
module {
  llvm.func @f() {
    llvm.return
  }
}

// -----

// expected-error @+1 {{entry point @g has no C interface @_mlir_ciface_g}}
module attributes {kiln.entry_points = [{name = "g", inputs = [], outputs = []}]} {
  llvm.func @g() {
    llvm.return
  }
}

// -----

// A result that was not turned into an out-parameter (a dynamic shape) changes the
// C interface's signature.
module attributes {kiln.entry_points = [{name = "h", inputs = [],
    outputs = [{name = "y", dtype = 1 : i32, shape = array<i64: 2>}]}]} {
  // expected-error @+1 {{C interface of @h does not take 1 descriptor pointers and return nothing}}
  llvm.func @_mlir_ciface_h(%arg0: !llvm.ptr, %arg1: !llvm.ptr) {
    llvm.return
  }
}
