/*===- kiln/module_abi.h - Contract between compiled modules and runtime ---===*
 *
 * Every module that Kiln's compiler produces (a shared library, an object
 * file, or code JIT-compiled in memory) exports one constant of type
 * `kiln_abi_module` under the symbol name KILN_ABI_SYMBOL. The runtime reads
 * that table to learn which functions the module has, their input and output
 * signatures, and the entry point to call for each.
 *
 * This header is plain C with no dependencies: the compiler emits data with
 * exactly this layout (see compiler/codegen/cpu, pass `kiln-emit-runtime-abi`),
 * and the runtime reads it. Changing a struct here means bumping
 * KILN_ABI_VERSION.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_MODULE_ABI_H
#define KILN_MODULE_ABI_H

#include <stdint.h>

#include "kiln/kernel_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** "KILN" in ASCII, read as a little-endian 32-bit word. */
#define KILN_ABI_MAGIC 0x4e4c494bu
/** The layout version of the structs below. */
#define KILN_ABI_VERSION 2u
/** The name of the exported `kiln_abi_module` constant. */
#define KILN_ABI_SYMBOL "kiln_module_abi_v1"
/** Ranks above this are rejected by the compiler and the runtime. */
#define KILN_ABI_MAX_RANK 16

/** Element types. The numbers are part of the ABI: never renumber. */
typedef enum kiln_dtype {
  KILN_DTYPE_INVALID = 0,
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_F64 = 2,
  KILN_DTYPE_F16 = 3,
  KILN_DTYPE_BF16 = 4,
  KILN_DTYPE_I8 = 5,
  KILN_DTYPE_I16 = 6,
  KILN_DTYPE_I32 = 7,
  KILN_DTYPE_I64 = 8,
  KILN_DTYPE_U8 = 9,
  KILN_DTYPE_BOOL = 10, /* one byte per element, 0 or 1 */
  KILN_DTYPE_U16 = 11,
  KILN_DTYPE_U32 = 12,
  KILN_DTYPE_U64 = 13,
  /* One `const char *` per element: NUL-terminated UTF-8, never NULL. Who
   * owns the strings is described at kiln_tensor_create() in runtime.h. */
  KILN_DTYPE_STRING = 14,
} kiln_dtype;

/** One input or output of a function. */
typedef struct kiln_abi_value {
  /* Never NULL. */
  const char *name;
  /* A kiln_dtype. */
  int32_t dtype;
  /* 0 ... KILN_ABI_MAX_RANK. */
  int32_t rank;
  /* `rank` entries. A size >= 0 is fixed. A negative entry -(s + 1) is a
   * size known only at run time, named by symbol s: within one call, every
   * input dimension with the same symbol must have the same size. */
  const int64_t *dims;
} kiln_abi_value;

/** Symbol ids a module may use in dims: -(s + 1) with 0 <= s < this. */
#define KILN_ABI_MAX_SYMBOLS 4096

/**
 * The entry point of one function. `descriptors` holds one pointer per input,
 * then one per output, in signature order. Each points to a strided memref
 * descriptor as MLIR lays it out for rank R:
 *
 *   struct { void *allocated; void *aligned; int64_t offset;
 *            int64_t sizes[R]; int64_t strides[R]; }
 *
 * Inputs are only read. An output whose signature has only fixed sizes is
 * written in place: the caller allocates it. An output with a run-time size is
 * allocated by the module: the entry fills its descriptor, and the caller owns
 * the buffer at `allocated` and releases it with free(); it holds dense
 * row-major data starting `offset` elements after `aligned`.
 *
 * Returns 0 on success, or k (1 <= k <= num_errors) when the function's k-th
 * run-time check failed (errors[k - 1] says which); the module's outputs are
 * then unspecified and nothing needs to be released.
 */
typedef int32_t (*kiln_abi_entry_fn)(void **descriptors);

/** One function of a module. */
typedef struct kiln_abi_function {
  const char *name;
  kiln_abi_entry_fn entry;
  int32_t num_inputs;
  int32_t num_outputs;
  const kiln_abi_value *inputs;  /* num_inputs entries */
  const kiln_abi_value *outputs; /* num_outputs entries */
  int32_t num_errors;            /* number of run-time check messages */
  const char *const *errors;     /* num_errors messages, never NULL */
} kiln_abi_function;

/** The table a module exports as KILN_ABI_SYMBOL. */
typedef struct kiln_abi_module {
  uint32_t magic;                     /* KILN_ABI_MAGIC */
  uint32_t abi_version;               /* KILN_ABI_VERSION */
  int32_t num_functions;              /* number of entries in `functions` */
  const kiln_abi_function *functions; /* num_functions entries */
  const char *producer;               /* e.g. "kiln 0.1.0" */
} kiln_abi_module;

/*===--- Optional module information (weights, arena) ---------------------===*
 *
 * A module may also export a `kiln_abi_module_info` constant under
 * KILN_MODULE_INFO_SYMBOL (Kiln's compiler always does; pass
 * `kiln-emit-module-info`). A module without it behaves as one whose info says
 * "no arena, weights embedded". Modules linked into a program as objects or
 * archives export both tables under a prefix ("<name>_kiln_module_abi_v1",
 * "<name>_kiln_module_info_v1") so that several models can be linked together;
 * their generated header passes them to kiln_module_from_tables().
 *
 *===----------------------------------------------------------------------===*/

/** The name of the optional exported `kiln_abi_module_info` constant. */
#define KILN_MODULE_INFO_SYMBOL "kiln_module_info_v1"
/** "KINF" in ASCII, read as a little-endian 32-bit word. */
#define KILN_MODULE_INFO_MAGIC 0x464e494bu
/** The layout version of kiln_abi_module_info (2: the kernel table; 3: the
    target the code runs on; 4: the planned arena). */
#define KILN_MODULE_INFO_VERSION 4u
/** "KIWT" in ASCII, read as a little-endian 32-bit word. */
#define KILN_WEIGHTS_MAGIC 0x5457494bu
/** The layout version of kiln_abi_weights. */
#define KILN_WEIGHTS_VERSION 1u

/** Values of kiln_abi_weights::state. */
#define KILN_WEIGHTS_EMPTY 0u   /* not filled (the module was just mapped) */
#define KILN_WEIGHTS_FILLING 1u /* a loader is filling the globals now */
#define KILN_WEIGHTS_FILLED 2u  /* filled and checked */

/** One range of the weights file and the global it fills. */
typedef struct kiln_abi_weight_segment {
  uint64_t offset;   /* first byte in the weights file */
  uint64_t size;     /* bytes to copy */
  void *destination; /* a writable global of the module, `size` bytes */
} kiln_abi_weight_segment;

/**
 * Weights kept in a separate file (`kiln-compile --weights=file`). The
 * module's constant tensors are zero-initialized writable globals; when the
 * runtime loads the module from a file, it reads `file_name` from the module's
 * folder, checks its size and FNV-1a 64-bit hash, and copies every segment
 * into its global before any function can run.
 */
typedef struct kiln_abi_weights {
  uint32_t magic;        /* KILN_WEIGHTS_MAGIC */
  uint32_t version;      /* KILN_WEIGHTS_VERSION */
  const char *file_name; /* a plain file name, no folder part */
  uint64_t byte_size;    /* the exact size of the file */
  uint64_t fnv1a64;      /* FNV-1a 64-bit hash of the whole file */
  int32_t num_segments;  /* entries in `segments` */
  const kiln_abi_weight_segment *segments;
  /* A writable word of the module, KILN_WEIGHTS_EMPTY when it is mapped; the
     runtime uses it so that a library loaded twice is filled once. */
  uint32_t *state;
} kiln_abi_weights;

/** Values of kiln_abi_module_info::target. */
#define KILN_TARGET_CPU 0u
/* The entry points run on the host but keep every tensor in CUDA device
   memory: they call the runtime's CUDA backend (the `mgpu*` functions and
   kiln_cuda_* of kernel_abi.h) to launch the module's embedded GPU kernels. */
#define KILN_TARGET_CUDA 1u

/** What a module says about itself beyond its functions. */
typedef struct kiln_abi_module_info {
  uint32_t magic;   /* KILN_MODULE_INFO_MAGIC */
  uint32_t version; /* KILN_MODULE_INFO_VERSION */
  /* Bytes of scratch memory one run needs from its session. Kiln's modules
     say 0: each run allocates its planned arena (kiln-plan-memory) and its
     other buffers from the runtime's heap (kernel_abi.h). */
  uint64_t arena_size;
  /* NULL when the weights are embedded in the code. */
  const kiln_abi_weights *weights;
  /* The module's calls of library kernels (kernel_abi.h), which the runtime
     prepares when it loads the module; 0 and NULL when there are none. */
  int32_t num_kernels;
  const kiln_abi_kernel *kernels;
  /* Version 3. Where the module's tensors live and its kernels run
     (KILN_TARGET_*); tables of versions 1 and 2 are read as KILN_TARGET_CPU. */
  uint32_t target;
  /* Version 3. The GPU architecture the module was compiled for ("sm_90"), or
     NULL for the CPU. */
  const char *target_arch;
  /* Version 4. The largest arena kiln-plan-memory planned for one function of
     the module: the bytes its intermediate buffers share, which a run of that
     function allocates at once (from the runtime's heap). 0 when nothing was
     planned (and for tables of earlier versions). */
  uint64_t planned_arena_size;
} kiln_abi_module_info;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_MODULE_ABI_H */
