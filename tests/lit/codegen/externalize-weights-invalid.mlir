// RUN: kiln-opt %s -split-input-file -kiln-externalize-weights -verify-diagnostics
// RUN: not kiln-opt %s -split-input-file -kiln-externalize-weights='file-name=sub/model.weights' 2>&1 | FileCheck %s --check-prefix=NAME

// The weights file must sit next to the module: a plain name.
// NAME: error: the weights file name 'sub/model.weights' must be a plain file name without a folder

// Running the pass twice would describe the first blob as empty.
// expected-error @+1 {{the module's weights were already externalized}}
module attributes {kiln.weights = {file = "model.weights"}} {
}

// -----

// expected-error @+1 {{the module's weights were already externalized}}
module {
  llvm.mlir.global internal constant @__kiln_weights(0 : i32) {addr_space = 0 : i32} : i32
}
