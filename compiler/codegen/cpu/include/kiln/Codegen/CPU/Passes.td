//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef KILN_CODEGEN_CPU_PASSES
#define KILN_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def KilnEmitRuntimeAbiPass : Pass<"kiln-emit-runtime-abi", "mlir::ModuleOp"> {
  let summary = "Emit the runtime's module table and entry points in the LLVM dialect";
  let description = [{
    Runs on a module already lowered to the LLVM dialect. For every entry point that
    `kiln-prepare-entry-points` recorded in `kiln.entry_points`, it emits an internal
    function `__kiln_entry_<name>(ptr descriptors) -> i32` that unpacks the array of
    memref-descriptor pointers and calls the C interface `_mlir_ciface_<name>`, then
    the constant `kiln_module_abi_v1` of type `kiln_abi_module` (see
    runtime/include/kiln/module_abi.h) describing every function: names, dtypes,
    shapes and entry points. That constant is the only symbol the runtime looks up.
  }];
  let options = [
    Option<"producer", "producer", "std::string", /*default=*/"\"kiln\"",
           "The producer string stored in the module table">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def KilnOutputsToParamsPass : Pass<"kiln-outputs-to-params", "mlir::ModuleOp"> {
  let summary = "Make entry points write outputs of fixed shape into caller buffers";
  let description = [{
    Runs right after bufferization on every function recorded in
    `kiln.entry_points`. A result whose shape is fully known becomes an
    out-parameter appended to the arguments (in output order): the buffer it
    was allocated in is replaced by the parameter when it is a `memref.alloc` of
    the function, otherwise the value is copied into it. A result with run-time
    sizes stays a result: the runtime takes ownership of it (the deallocation
    pipeline makes sure it is a fresh allocation). This is the calling
    convention of runtime/include/kiln/module_abi.h.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def KilnLowerAssertionsPass : Pass<"kiln-lower-assertions", "mlir::ModuleOp"> {
  let summary = "Turn run-time checks of entry points into error returns";
  let description = [{
    A `cf.assert` in an entry point (a shape computed from input values that
    does not fit, say) must make the call fail with a message, not abort the
    process. Each such function gains a last argument `memref<64xi64>`, the
    storage of a `jmp_buf` that its runtime entry prepares with setjmp; each
    assert becomes a call of `__kiln_fail(buffer, k)` (which longjmps back so
    that the entry returns k) when its condition is false, and its message
    becomes error k of the function in `kiln.entry_points`.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect"];
}

def KilnLowerStridedCopiesPass
    : Pass<"kiln-lower-strided-copies", "mlir::ModuleOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    MLIR lowers a `memref.copy` between two identity-layout buffers to a memcpy, but
    any other copy (into a subview, as bufferized `tensor.pad` and
    `tensor.insert_slice` produce) to a call to `memrefCopy` from MLIR's runner
    utilities, a library compiled modules must not depend on. This pass rewrites
    those copies as `linalg.copy`, which becomes plain loops.

    With `vectorize`, a copy of static shape whose rows (innermost dim, at most
    1 KiB) are contiguous on both sides becomes a parallel loop over the rows
    that moves each row with 64-byte `vector.load`s and `vector.store`s
    instead. LLVM
    fully unrolls a short row loop of scalar loads and stores before its loop
    vectorizer sees it, and its SLP vectorizer cannot reorder them without
    knowing that source and target do not overlap: SqueezeNet's concatenations
    of convolution outputs (rows of 64 and 128 channels) ran one element at a
    time.
  }];
  let options = [
    Option<"vectorize", "vectorize", "bool", /*default=*/"false",
           "Move contiguous rows of static copies with vector loads and stores">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def KilnExternalizeWeightsPass
    : Pass<"kiln-externalize-weights", "mlir::ModuleOp"> {
  let summary = "Move constant tensors into a weights file that the runtime loads";
  let description = [{
    Runs on a module in the LLVM dialect. Every constant global whose value is a
    tensor of 8-, 16-, 32- or 64-bit integers or floats (what `memref.global`
    constants become) turns into a writable, zero-initialized global (so it
    costs no space in the library), and its bytes go into one blob, each
    segment aligned to 64 bytes. The pass then emits the internal constant
    `__kiln_weights`, a `kiln_abi_weights` table (runtime/include/kiln/module_abi.h)
    naming `file-name`, the blob's size and FNV-1a 64-bit hash, and one segment
    per global; `kiln-emit-module-info` points the module info at it, and the
    runtime fills the globals from the file when it loads the module.

    The blob itself is left in the module attribute `kiln.weights`
    (`{file, size, fnv1a64, data}`, `data` a `dense_resource` of bytes) for
    the driver to write next to the library; it must be removed before
    translation to LLVM IR.
  }];
  let options = [
    Option<"fileName", "file-name", "std::string", /*default=*/"\"model.weights\"",
           "The weights file name recorded in the module (a plain name, no folder)">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def KilnEmitModuleInfoPass : Pass<"kiln-emit-module-info", "mlir::ModuleOp"> {
  let summary = "Emit the runtime's optional module info table";
  let description = [{
    Runs on a module in the LLVM dialect and emits the exported constant
    `kiln_module_info_v1` of type `kiln_abi_module_info`: the arena size a
    session allocates (the integer module attribute `kiln.arena_size` when a
    pass set one, else 0: none does yet), the largest arena a run allocates
    itself (`kiln.planned_arena_size`, which `kiln-plan-memory` sets, else 0),
    a pointer to the weights table
    `__kiln_weights` when `kiln-externalize-weights` made one (else NULL), and
    the kernel table `__kiln_kernel_table` built from the `kiln.kernels`
    attribute of kiln-lower-kernel-calls (else 0 entries and NULL), and the
    target the code runs on (the pass's options: `cpu`, or `cuda` with the GPU
    architecture).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Where the module's kernels run: cpu or cuda">,
    Option<"targetArch", "target-arch", "std::string", /*default=*/"\"\"",
           "The GPU architecture of a cuda module (sm_90)">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def KilnPlanMemoryPass : Pass<"kiln-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place a function's intermediate buffers in one arena by their lifetimes";
  let description = [{
    Runs on buffers, before `kiln-check-allocations` and the deallocation
    pipeline. In each function, the `memref.alloc`s of its entry block with a
    static shape, the identity layout and whole-byte elements whose buffer
    (with everything derived from it: views, extracted addresses) is used only
    by ops of that block or nested in them, and never returned or yielded,
    become `memref.view`s of one `memref.alloc` of bytes at the start of the
    function, the arena. Generated code (any op other than views, address
    extraction and library kernel calls) may touch at most one arena buffer
    per op of the entry block, the largest, since LLVM does not vectorize a
    loop over two views of one allocation whose distance it cannot compute;
    the other buffers keep their allocations. A buffer lives from its
    allocation to the op (of the entry block) that uses it last; buffers are
    placed largest first, each at the lowest offset (a multiple of 64) where
    it overlaps no buffer placed before it that is alive at the same time. The function gets
    `kiln.arena_bytes` (the arena's size) and `kiln.arena_buffer_bytes` (what
    the planned buffers add up to); the module gets
    `kiln.planned_arena_size`, the largest arena, for its module info.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def KilnCheckAllocationsPass : Pass<"kiln-check-allocations", "mlir::ModuleOp"> {
  let summary = "Check at run time that the buffers of entry points were allocated";
  let description = [{
    Runs on buffers, before `kiln-lower-assertions`. After every `memref.alloc`
    in a function recorded in `kiln.entry_points` it adds a `cf.assert` that the
    buffer's address is not NULL (or that it holds no elements): sizes that come
    from input values can exceed any memory, and the call must then fail with
    "out of memory: cannot allocate a buffer of TYPE (where)" instead of
    writing through NULL.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnFlattenConstantGlobalsPass
    : Pass<"kiln-flatten-constant-globals", "mlir::ModuleOp"> {
  let summary = "Give constant LLVM globals of nested array type a flat array type";
  let description = [{
    Runs on the LLVM dialect. A global initialized from a dense or resource
    elements attribute whose type is a nested array (`[512 x [512 x [3 x [3 x
    float]]]]`) gets the flat type (`[2359296 x float]`) and a 1-D attribute
    with the same elements: the bytes are the same, users address it through
    opaque pointers, and translation to LLVM IR then builds one constant
    instead of one per innermost row (15 s of ResNet-50's compile time).
    Boolean (i1) globals are left alone.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def KilnSelectKernelsPass : Pass<"kiln-select-kernels", "mlir::ModuleOp"> {
  let summary = "Hand convolutions, their filter gradients and matrix products to the runtime's oneDNN kernels";
  let description = [{
    Runs on kiln ops, before `kiln-lower-to-linalg`. With `kernels=onednn` (or
    `auto`, which picks oneDNN for every op it supports: on x86 its JIT kernels
    beat Kiln's generated loops on every shape measured so far), a 2-D f32
    `kiln.conv` becomes a `kiln_rt.conv2d`, a 2-D f32 `kiln.conv_transpose` a
    `kiln_rt.conv2d` marked `transposed`, and a 2-D f32 `kiln.matmul` a
    `kiln_rt.matmul`, absorbing the epilogue oneDNN applies while the output
    is in cache: per-channel bias additions, then one residual addition of a
    tensor of the result's shape, then one activation (relu, leaky_relu,
    clip, sigmoid or tanh). Each absorbed op must be the only user of the
    value it consumes. A 2-D f32 `kiln.conv_filter_gradient` (a training
    step's) becomes a `kiln_rt.conv2d_backward_filter`. `kernels=codegen`
    leaves the module unchanged. `kernels=cuda` selects the same ops for the
    runtime's cuDNN and cuBLAS kernels (CUDA modules): in NCHW, without
    transposes, and absorbing only the activations cuDNN applies (relu,
    sigmoid, tanh, and clip from 0).
  }];
  let options = [
    Option<"kernels", "kernels", "std::string", /*default=*/"\"auto\"",
           "auto, onednn, cuda or codegen">,
  ];
  let dependentDialects = ["::kiln::rt::KilnRtDialect",
                           "mlir::tensor::TensorDialect"];
}

def KilnLowerKernelCallsPass : Pass<"kiln-lower-kernel-calls", "mlir::ModuleOp"> {
  let summary = "Turn kiln_rt ops on buffers into calls of the runtime's kernels";
  let description = [{
    Runs after bufferization. Each `kiln_rt` op becomes a call of its entry
    point in runtime/include/kiln/kernel_abi.h with the buffers' aligned
    pointers (buffers that are not contiguous are copied first), a constant
    parameter vector and a state word (two private `memref.global`s per call
    site), followed by a `cf.assert` that the kernel returned 0, which
    `kiln-lower-assertions` turns into an error return naming the op. The call
    sites are listed in the `kiln.kernels` module attribute, from which
    `kiln-emit-module-info` writes the kernel table the runtime prepares them
    from. The entry points are named `<function-prefix><kernel>`:
    `kiln_kernel_conv2d` for oneDNN, `kiln_cuda_conv2d` for CUDA modules
    (whose buffers are device memory). The parameter and state globals are
    marked `kiln.host_only`: whatever the target, the runtime reads them on
    the host.
  }];
  let options = [
    Option<"functionPrefix", "function-prefix", "std::string",
           /*default=*/"\"kiln_kernel_\"",
           "Prefix of the runtime entry points called (kiln_kernel_ or "
           "kiln_cuda_)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
                           "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnLinearizeParallelLoopsPass
    : Pass<"kiln-linearize-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Make every multi-dimensional scf.parallel one-dimensional";
  let description = [{
    A parallel loop over N > 1 dimensions becomes a parallel loop over the
    product of its first N - 1 trip counts, which delinearizes its index into
    those dimensions, around a sequential loop over the last one (left whole
    for the vectorizer); when its body runs loops of its own (a pooling's
    window loops), the last dimension is no row and goes into the product
    too. async-parallel-for then splits only one dimension
    into blocks: its split of several dimensions runs some iterations twice
    when a block ends inside a row (seen with MLIR 22 on a 4-D convolution
    loop, which accumulated twice). A parallel loop nested in another one
    becomes nested sequential loops first: only the outermost is split into
    tasks, instead of the inner one being dispatched once per iteration of
    the loops around it.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::scf::SCFDialect"];
}

def KilnVectorizeContractionsPass
    : Pass<"kiln-vectorize-contractions", "mlir::ModuleOp"> {
  let summary = "Tile matrix products for the caches and registers, and vectorize them";
  let description = [{
    Runs on linalg on tensors, before bufferization. Every `linalg.matmul` and
    `linalg.batch_matmul` of static f32 shape is scheduled with MLIR's
    transform dialect (the schedule is a transform script this pass writes
    for the op's shape and applies with the transform interpreter):

      * `scf.forall` over tiles of the output (cache tiles, the unit of
        parallel work), into which the zero-fill of the output is fused;
      * a loop over slices of the reduction dimension that fit the L1/L2
        caches;
      * a register tile of `rows` x `columns` outputs, vectorized, whose
        accumulators are hoisted out of the innermost loop over the reduction
        dimension, so each step is one row of B loaded as vectors and `rows`
        broadcast FMAs (`vector.contract` lowered to outer products and then
        to `vector.fma`).

    A product that starts from a fill and whose columns are not a multiple
    of `columns` is split into products of the largest multiple and of
    power-of-two widths for the rest (slices of B, written into slices of
    the result: no copy). Other products whose columns are not whole vectors
    of 16 (or whose rows have no divisor from rows/2 to rows) are padded with
    zeros to sizes that are, and the original part of the result taken. Tiles of the output then
    divide it (the row tile shrinks to a divisor), so every register tile has
    the same static shape and vectorizes without masks.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"8",
           "Rows of the register tile">,
    Option<"columns", "columns", "int64_t", /*default=*/"32",
           "Columns of the register tile (a multiple of the vector width)">,
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"64",
           "Rows of the output tile of one parallel task">,
    Option<"tileColumns", "tile-columns", "int64_t", /*default=*/"256",
           "Columns of the output tile of one parallel task">,
    Option<"reductionTile", "reduction-tile", "int64_t", /*default=*/"256",
           "Slice of the reduction dimension kept in cache">,
  ];
  let dependentDialects = [
    "mlir::transform::TransformDialect", "mlir::vector::VectorDialect",
    "mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
    "mlir::ub::UBDialect", "mlir::tensor::TensorDialect"
  ];
}

def KilnAsyncParallelForPass
    : Pass<"kiln-async-parallel-for", "mlir::ModuleOp"> {
  let summary = "Split parallel loops into async tasks sized by their work";
  let description = [{
    MLIR's `async-parallel-for` (asynchronous dispatch, worker count read at
    run time), with a minimum task size per loop instead of one for all: a
    task gets at least `min-task-size` rows, where a row is one run of the
    innermost loop of the iteration's deepest loop nest. An iteration of an
    elementwise loop (after kiln-linearize-parallel-loops) is one row; an
    iteration of a tiled matrix product (the output tiles of
    kiln-vectorize-contractions) is thousands, so each tile may be a task of
    its own. An innermost loop whose body computes on vectors (a strided copy
    of pixels, a vector at a time) counts each of its iterations as a row.
    Trip counts only known at run time count as one.
  }];
  let options = [
    Option<"minTaskSize", "min-task-size", "int64_t", /*default=*/"512",
           "Rows of work a task gets at least">,
  ];
  let dependentDialects = ["mlir::async::AsyncDialect", "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect", "mlir::scf::SCFDialect"];
}

def KilnConvolutionsToMatmulPass
    : Pass<"kiln-convolutions-to-matmul", "mlir::ModuleOp"> {
  let summary = "Rewrite 2-D convolutions as a gather of patches and one matrix product";
  let description = [{
    Runs on linalg on tensors, before kiln-vectorize-contractions, which
    then schedules the product. Every `linalg.conv_2d_nchw_fchw` of static
    f32 shape becomes:

      * the patches of the (already padded) input, copied by a
        `linalg.generic` into `[C, KH, KW, N, OH, OW]` (im2col, with the
        output positions innermost so that a stride-1 row is a contiguous
        copy), collapsed to a matrix `[C*KH*KW, N*OH*OW]`;
      * `linalg.matmul` of the filter, collapsed to `[F, C*KH*KW]`, by that
        matrix, into the output's channels-first view `[F, N*OH*OW]` (for
        batches above 1 the output is transposed to `[F, N, OH, OW]` and
        back).

    A 1x1 convolution of stride 1 of one image needs no copy: the input
    itself is the matrix `[C, H*W]`. Nor does a stride-1 convolution of one
    image with a constant filter whose patches would exceed 4 MiB: it
    becomes one product per filter tap (the filter reordered at compile time
    to `[KH*KW, F, C]`) of a shifted view of the input flattened to
    `[C, Hp*Wp]`, accumulating into the output computed at every column of
    the padded width, of which the valid columns are taken. An image of at
    most 64 output positions with a constant filter is the transposed
    product: patches `[OH*OW, C*KH*KW]` times the filter reordered at compile
    time to `[C*KH*KW, F]`, transposed back to channels first.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def KilnApproximateMathPass
    : Pass<"kiln-approximate-math", "mlir::ModuleOp"> {
  let summary = "Replace f32 exp, tanh and erf by polynomial approximations";
  let description = [{
    `math.exp`, `math.tanh` and `math.erf` on f32 (and vectors of f32) become MLIR's
    polynomial approximations: arithmetic, bit manipulation and selects, with
    no call, so that LLVM vectorizes the loops around them. libm's `expf` and
    `tanhf` (and `erff`), which the LLVM lowering calls otherwise, keep each
    element of a sigmoid, tanh, softmax or GELU a scalar call. The
    approximations are within 5 ulp of libm over every f32 input (exp's
    results below the smallest normal float flush to zero; erf within 4 ulp
    and 2.4e-7 over every 1024th f32 bit pattern), keep infinities and NaN,
    and saturate tanh and erf at +-1.
    Other math ops, and other element types, are left alone.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def KilnMergeDuplicateFunctionsPass
    : Pass<"kiln-merge-duplicate-functions", "mlir::ModuleOp"> {
  let summary = "Merge private functions that differ only in their names";
  let description = [{
    Every private `func.func` equal to an earlier one (attributes, argument
    and result types and body, locations ignored) is erased and its uses
    refer to the earlier one, repeatedly, since merging callees can make their
    callers equal. Public functions (entry points) are never merged. The CPU
    pipeline runs it after `async-parallel-for`, which outlines each parallel
    loop into functions of its own even when loops are the same loop on other
    buffers, as the steps of an unrolled recurrent layer are: LLVM then
    optimizes and compiles one copy instead of one per step.
  }];
}

#endif // KILN_CODEGEN_CPU_PASSES
