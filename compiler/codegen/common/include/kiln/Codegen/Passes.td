//===- Passes.td - Target-neutral code generation passes --*- tablegen -*-===//
//
// From the kiln graph to linalg on tensors, shared by the CPU and CUDA back ends.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES
#define KILN_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def KilnLowerToLinalgPass : Pass<"kiln-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every kiln op into upstream dialects on tensors: elementwise ops and
    broadcasting become `linalg.generic`, matmul becomes `linalg.matmul` (or a generic
    contraction when batched), convolutions and pooling become linalg's channels-first
    named ops (or a `linalg.generic` where linalg has none) after a
    `tensor.pad`, reductions become `linalg.reduce`, softmax becomes `linalg.softmax`,
    cumulative sums and top-k become `scf.for` loops over slices along their axis,
    and shape ops become `tensor` reshapes, `linalg.transpose` and `tensor.insert_slice`.
    A convolution's filter gradient is first expanded into kiln ops, as
    `kiln-expand-filter-gradients` does.
    Casts between floats and strings (`!kiln.string`, then `i64` pointer bits)
    call the runtime's `kiln_string_*` helpers.
    Any kiln op left over is an error that names the op and its location.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
    // integer pow loops over the exponent's bits; cumsum and top_k loop along
    // their axis; scatters are scf.for nests
    "mlir::scf::SCFDialect",
    // run-time checks that dims known only at run time agree
    "mlir::cf::ControlFlowDialect",
    // string casts call the runtime's helpers (string_abi.h)
    "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
  ];
}

def KilnExpandFilterGradientsPass
    : Pass<"kiln-expand-filter-gradients", "mlir::ModuleOp"> {
  let summary = "Expand kiln.conv_filter_gradient into a correlation of kiln ops";
  let description = [{
    Rewrites each `kiln.conv_filter_gradient` (the filter gradient of a
    convolution, which the autodiff rules build) into kiln ops that generated
    code computes: a `kiln.conv` of the input with its channels as the batch
    (`[C / G, G * N, D...]`) and the output gradient with its channels first
    (`[F, N, O...]`), in the op's groups, with stride and dilation swapped,
    then a `kiln.slice` to the kernel where that correlation is longer and a
    `kiln.transpose` to `[F, C / G, K...]`. The CPU pipeline runs it after
    `kiln-select-kernels`, so it expands the filter gradients that no library
    kernel took (f64, 1-D and 3-D, `--cpu-kernels=codegen`);
    `kiln-lower-to-linalg` expands any it still meets the same way. Needs
    static channel and spatial sizes (the batch may be dynamic).
  }];
}

def KilnDecomposeAggregatesPass
    : Pass<"kiln-decompose-aggregates", "mlir::ModuleOp"> {
  let summary = "Decompose aggregated linalg ops (softmax) into generic ops";
  let description = [{
    Code generation handles structured ops one loop nest at a time; aggregated ops such
    as `linalg.softmax` are expanded into their parts (max, subtract and exp, sum,
    divide) through linalg's AggregatedOpInterface.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
  ];
}

def KilnPrepareEntryPointsPass
    : Pass<"kiln-prepare-entry-points", "mlir::ModuleOp"> {
  let summary = "Mark public functions as runtime entry points and record their signatures";
  let description = [{
    Every public `func.func` becomes a function of the compiled module. This pass
    records each one's input and output names, element types and shapes in the module
    attribute `kiln.entry_points` (read later by `kiln-emit-runtime-abi`), asks for the
    C interface (`llvm.emit_c_interface`), and marks inputs as not writable so that
    bufferization never writes into the caller's tensors. Names come from the argument
    and result attributes `kiln.name`, else `input_<i>` and `output_<i>`.

    A dim known only at run time is recorded as `-(s + 1)` for symbol `s`: dims
    named alike by `kiln.dim_names` (ONNX's symbolic dims, say "batch") share a
    symbol, which the runtime checks across inputs; unnamed ones get their own.

    It rejects signatures the runtime cannot call: non-tensor arguments or results,
    element types without a runtime dtype, and rank above 16.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

#endif // KILN_CODEGEN_PASSES
