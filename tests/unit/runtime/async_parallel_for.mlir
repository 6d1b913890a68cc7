// A parallel loop for AsyncParallelForTest.cpp: CMakeLists.txt lowers it with
// MLIR's async passes (async-parallel-for with async dispatch, then the async
// runtime calls) to an object that calls libkiln_runtime's mlirAsyncRuntime*
// functions, as compiled modules with parallel loops do.
//
// fill(out): out[i] = i * 2 for every i of a memref<4096xf32>.
func.func @fill(%out: memref<4096xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    %index = arith.index_cast %i : index to i64
    %float = arith.sitofp %index : i64 to f32
    %value = arith.mulf %float, %two : f32
    memref.store %value, %out[%i] : memref<4096xf32>
    scf.reduce
  }
  return
}
