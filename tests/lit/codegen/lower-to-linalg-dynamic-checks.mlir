// RUN: kiln-opt %s -split-input-file -kiln-lower-to-linalg | FileCheck %s

// Dims known only at run time must agree where the generated code assumes they
// do; each such assumption becomes a cf.assert naming the op and its location
// (for ONNX models, the node).

// Broadcasting: both rows are run-time sizes; the result takes x's, and y's
// must equal it.
// CHECK-LABEL: func.func @add_rows
// CHECK: %[[N:.+]] = tensor.dim %arg0, %c0
// CHECK-NOT: cf.assert
// CHECK: %[[M:.+]] = tensor.dim %arg1, %{{.+}}
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[M]], %[[N]] : index
// CHECK: cf.assert %[[SAME]], "kiln.add (node 4 'sum' (Add)): dimension 0 of operand #1 does not match the other operands at run time (Kiln broadcasts only dimensions known to be 1 when compiling)"
// CHECK: linalg.generic
func.func @add_rows(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = kiln.add %x, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32> loc("node 4 'sum' (Add)")
  return %0 : tensor<?x3xf32>
}

// -----

// A run-time size against a fixed one.
// CHECK-LABEL: func.func @add_fixed
// CHECK: %[[M:.+]] = tensor.dim %{{.+}}, %c0
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[M]], %c4 : index
// CHECK: cf.assert %[[SAME]], "kiln.add {{.*}}dimension 0 of operand #1
func.func @add_fixed(%x: tensor<4x3xf32>, %y: tensor<?x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.add %x, %y : (tensor<4x3xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Static shapes need no check.
// CHECK-LABEL: func.func @add_static
// CHECK-NOT: cf.assert
func.func @add_static(%x: tensor<4x3xf32>, %y: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.add %x, %y : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// matmul: the contracted sizes must agree.
// CHECK-LABEL: func.func @matmul_k
// CHECK-DAG: %[[K1:.+]] = tensor.dim %arg0, %c1
// CHECK-DAG: %[[K2:.+]] = tensor.dim %arg1, %c0
// CHECK: %[[SAME:.+]] = arith.cmpi eq, %[[K1]], %[[K2]] : index
// CHECK: cf.assert %[[SAME]], "kiln.matmul {{.*}}: the columns of the left operand and the rows of the right operand differ at run time"
// CHECK: linalg.matmul
func.func @matmul_k(%a: tensor<2x?xf32>, %b: tensor<?x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x?xf32>, tensor<?x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// concat: every dim but the axis must agree with the first input's.
// CHECK-LABEL: func.func @concat_rows
// CHECK: cf.assert %{{.+}}, "kiln.concat {{.*}}: dimension 0 of input #1 differs from input #0's at run time"
// CHECK: tensor.insert_slice
func.func @concat_rows(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
