// A syntax error is reported with its file, line and column, and kiln-opt exits
// non-zero instead of crashing.
// RUN: not kiln-opt %s 2>&1 | FileCheck %s

// CHECK: kiln-opt-malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error:
func.func @broken(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32
  return %0 : tensor<4xf32>
}
