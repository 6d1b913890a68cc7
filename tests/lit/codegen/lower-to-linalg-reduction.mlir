// Lowering of the reduction family (reduce_min/prod, arg_max/min, cumsum, top_k)
// and of conv2d_transpose to linalg, tensor and scf.
// RUN: kiln-opt %s -kiln-lower-to-linalg -split-input-file | FileCheck %s

// A float minimum starts from +inf and propagates NaN (minimumf).
// CHECK-LABEL: func.func @reduce_min_float
// CHECK: %[[INF:.+]] = arith.constant 0x7F800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[INF]] : f32) outs(%{{.+}} : tensor<2xf32>)
// CHECK: linalg.reduce ins(%{{.+}} : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2xf32>) dimensions = [1]
// CHECK: arith.minimumf
func.func @reduce_min_float(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = kiln.reduce_min %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// An integer minimum starts from the highest value, a product from 1.
// CHECK-LABEL: func.func @reduce_min_prod_int
// CHECK: arith.constant 2147483647 : i32
// CHECK: linalg.reduce
// CHECK: arith.minsi
// CHECK: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK: linalg.fill ins(%[[ONE]] : i64)
// CHECK: linalg.reduce
// CHECK: arith.muli
func.func @reduce_min_prod_int(%x: tensor<2x3xi32>, %y: tensor<4x5xi64>) -> (tensor<3xi32>, tensor<4xi64>) {
  %0 = kiln.reduce_min %x {axes = array<i64: 0>} : (tensor<2x3xi32>) -> tensor<3xi32>
  %1 = kiln.reduce_prod %y {axes = array<i64: 1>} : (tensor<4x5xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<3xi32>, tensor<4xi64>
}

// -----

// keep_dims with a dynamic kept dim takes its size from the input.
// CHECK-LABEL: func.func @reduce_prod_keep_dims_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>)
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %[[C0]] : tensor<?x3xf32>
// CHECK: %[[PROD:.+]] = linalg.reduce
// CHECK: tensor.expand_shape %[[PROD]] {{\[}}[0, 1]] output_shape [%{{.+}}, 1] : tensor<?xf32> into tensor<?x1xf32>
func.func @reduce_prod_keep_dims_dynamic(%x: tensor<?x3xf32>) -> tensor<?x1xf32> {
  %0 = kiln.reduce_prod %x {axes = array<i64: 1>, keep_dims = true} : (tensor<?x3xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// An arg-reduction is one generic carrying the best value and its index, which
// starts at -1 ("nothing yet"); ties prefer the lower index.
// CHECK-LABEL: func.func @arg_max
// CHECK: %[[NONE:.+]] = arith.constant -1 : i64
// CHECK: %[[INDICES:.+]] = linalg.fill ins(%[[NONE]] : i64) outs(%{{.+}} : tensor<2xi64>)
// CHECK: %[[ARG:.+]]:2 = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%{{.+}} : tensor<2x5xf32>) outs(%{{.+}}, %[[INDICES]] : tensor<2xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[BEST:.+]]: f32, %[[BEST_INDEX:.+]]: i64):
// CHECK: %[[POSITION:.+]] = linalg.index 1 : index
// CHECK: %[[INDEX:.+]] = arith.index_cast %[[POSITION]] : index to i64
// CHECK: arith.cmpi slt, %[[INDEX]], %[[BEST_INDEX]] : i64
// CHECK: arith.cmpf ogt, %[[IN]], %[[BEST]] : f32
// CHECK: arith.select %[[TAKE:.+]], %[[IN]], %[[BEST]] : f32
// CHECK: arith.select %[[TAKE]], %[[INDEX]], %[[BEST_INDEX]] : i64
// CHECK: tensor.expand_shape %[[ARG]]#1 {{\[}}[0, 1]] output_shape [2, 1] : tensor<2xi64> into tensor<2x1xi64>
func.func @arg_max(%x: tensor<2x5xf32>) -> tensor<2x1xi64> {
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = true} : (tensor<2x5xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// select_last_index prefers the higher index on ties; integers compare signed.
// CHECK-LABEL: func.func @arg_min_last_index
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.cmpi sgt, %{{.+}}, %{{.+}} : i64
// CHECK: arith.cmpi eq, %{{.+}}, %{{.+}} : i8
// CHECK: arith.cmpi slt, %{{.+}}, %{{.+}} : i8
func.func @arg_min_last_index(%x: tensor<4x3xi8>) -> tensor<3xi64> {
  %0 = kiln.arg_min %x {axis = 0 : i64, select_last_index = true} : (tensor<4x3xi8>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// A cumulative sum loops along the axis, adding each slice to a running sum
// (in place) and storing the sum into the result.
// CHECK-LABEL: func.func @cumsum
// CHECK-SAME: (%[[X:.+]]: tensor<2x5xf32>)
// CHECK: %[[ZEROS:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[SUM:.+]] = %[[ZEROS]], %[[OUT:.+]] = %[[EMPTY]])
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[X]][0, %[[I]]] [2, 1] [1, 1] : tensor<2x5xf32> to tensor<2xf32>
// CHECK: %[[NEXT:.+]] = linalg.generic {{.+}} ins(%[[SLICE]] : tensor<2xf32>) outs(%[[SUM]] : tensor<2xf32>)
// CHECK: arith.addf
// CHECK: %[[STORED:.+]] = tensor.insert_slice %[[NEXT]] into %[[OUT]][0, %[[I]]] [2, 1] [1, 1]
// CHECK: scf.yield %[[NEXT]], %[[STORED]]
// CHECK: return %[[LOOP]]#1
func.func @cumsum(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.cumsum %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Exclusive stores the sum before adding; reverse walks from the end.
// CHECK-LABEL: func.func @cumsum_exclusive_reverse
// CHECK: %[[LAST:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK: scf.for %[[I:.+]] = {{.+}} iter_args(%[[SUM:.+]] = %{{.+}}, %[[OUT:.+]] = %{{.+}})
// CHECK: %[[POSITION:.+]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK: tensor.extract_slice %{{.+}}[%[[POSITION]], 0]
// CHECK: %[[STORED:.+]] = tensor.insert_slice %[[SUM]] into %[[OUT]][%[[POSITION]], 0]
// CHECK: %[[NEXT:.+]] = linalg.generic
// CHECK: arith.addi
// CHECK: scf.yield %[[NEXT]], %[[STORED]]
func.func @cumsum_exclusive_reverse(%x: tensor<?x3xi32>) -> tensor<?x3xi32> {
  %0 = kiln.cumsum %x {axis = 0 : i64, exclusive = true, reverse = true} : tensor<?x3xi32>
  return %0 : tensor<?x3xi32>
}

// -----

// Top-k loops over the k outputs; each round is an arg-reduction over the
// elements that rank after the previous round's choice, read back from the
// results (which start at index -1).
// CHECK-LABEL: func.func @top_k
// CHECK: %[[VALUES:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: %[[NONE:.+]] = arith.constant -1 : i64
// CHECK: %[[INDICES:.+]] = linalg.fill ins(%[[NONE]] : i64) outs(%{{.+}} : tensor<2x3xi64>)
// CHECK: %[[K:.+]] = arith.constant 3 : index
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[J:.+]] = %{{.+}} to %[[K]] step %{{.+}} iter_args(%[[V:.+]] = %[[VALUES]], %[[I:.+]] = %[[INDICES]])
// CHECK: %[[PREVIOUS:.+]] = arith.maxsi
// CHECK: %[[PV:.+]] = tensor.extract_slice %[[V]][0, %[[PREVIOUS]]] [2, 1] [1, 1] : tensor<2x3xf32> to tensor<2xf32>
// CHECK: %[[PI:.+]] = tensor.extract_slice %[[I]][0, %[[PREVIOUS]]] [2, 1] [1, 1] : tensor<2x3xi64> to tensor<2xi64>
// CHECK: %[[CHOSEN:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}}, %[[PV]], %[[PI]] : tensor<2x10xf32>, tensor<2xf32>, tensor<2xi64>)
// CHECK: %[[NEW_V:.+]] = tensor.insert_slice %[[CHOSEN]]#0 into %[[V]][0, %[[J]]] [2, 1] [1, 1]
// CHECK: %[[NEW_I:.+]] = tensor.insert_slice %[[CHOSEN]]#1 into %[[I]][0, %[[J]]] [2, 1] [1, 1]
// CHECK: scf.yield %[[NEW_V]], %[[NEW_I]]
// CHECK: return %[[LOOP]]#0, %[[LOOP]]#1
func.func @top_k(%x: tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  %0:2 = kiln.top_k %x {k = 3 : i64, axis = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

// The smallest first: olt, and NaN (greater than every number) comes last.
// CHECK-LABEL: func.func @top_k_smallest
// CHECK: linalg.generic
// CHECK: arith.cmpf olt
// CHECK-NOT: arith.cmpf ogt
// CHECK: scf.yield
func.func @top_k_smallest(%x: tensor<4xf32>) -> (tensor<2xf32>, tensor<2xi64>) {
  %0:2 = kiln.top_k %x {k = 2 : i64, axis = 0 : i64, largest = false} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xi64>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xi64>
}

// -----

// A transposed convolution spreads the input into zeros with its strides, cuts
// the padding off, and runs a stride-1 convolution with the filter transposed and
// flipped: (3 - 1) * 2 + 1 + 2 * 2 + 1 (output padding) = 10 rows spread, rows
// [1, 1 + 7 + 2) kept for an output of 7 rows.
// The flip writes the grouped view [G = 1, F, C, KH, KW] and merges G and F.
// CHECK-DAG: #[[FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0 * 4 + d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-LABEL: func.func @conv2d_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x3x3xf32>, %[[W:.+]]: tensor<4x2x3x3xf32>)
// CHECK: %[[ZEROS:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x4x10x9xf32>)
// CHECK: %[[SPREAD:.+]] = tensor.insert_slice %[[X]] into %[[ZEROS]][0, 0, 2, 2] [1, 4, 3, 3] [1, 1, 2, 2]
// CHECK: %[[CROPPED:.+]] = tensor.extract_slice %[[SPREAD]][0, 0, 1, 0] [1, 4, 9, 7] [1, 1, 1, 1] : tensor<1x4x10x9xf32> to tensor<1x4x9x7xf32>
// CHECK: %[[GROUPED:.+]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.+}}], {{.+}}} ins(%[[W]] : tensor<4x2x3x3xf32>) outs(%{{.+}} : tensor<1x2x4x3x3xf32>)
// CHECK: %[[FLIPPED:.+]] = tensor.collapse_shape %[[GROUPED]] {{\[}}[0, 1], [2], [3], [4]] : tensor<1x2x4x3x3xf32> into tensor<2x4x3x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[CROPPED]], %[[FLIPPED]] : tensor<1x4x9x7xf32>, tensor<2x4x3x3xf32>) outs(%{{.+}} : tensor<1x2x7x5xf32>)
func.func @conv2d_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x7x5xf32> {
  %0 = kiln.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 0, 0, 2>, output_padding = array<i64: 1, 0>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x5xf32>
  return %0 : tensor<1x2x7x5xf32>
}

// -----

// Groups: the filter becomes [G, F, C, KH, KW] and the input [N, G, C, H, W]; no
// crop is needed without padding; dilations carry over.
// CHECK-DAG: #[[GROUP_FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0 * 2 + d2, d1, -d3 + 1, -d4 + 1)>
// CHECK-LABEL: func.func @conv2d_transpose_grouped
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic {indexing_maps = [#[[GROUP_FLIP]], #{{.+}}]{{.+}} outs(%{{.+}} : tensor<2x3x2x2x2xf32>)
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 7, 5] : tensor<1x4x7x5xf32> into tensor<1x2x2x7x5xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x5x4xf32> into tensor<1x6x5x4xf32>
func.func @conv2d_transpose_grouped(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<1x6x5x4xf32> {
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 2, 1>, groups = 2 : i64, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x5x4xf32>
  return %0 : tensor<1x6x5x4xf32>
}
