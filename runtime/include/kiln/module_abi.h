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

#ifdef __cplusplus
extern "C" {
#endif

/** "KILN" in ASCII, read as a little-endian 32-bit word. */
#define KILN_ABI_MAGIC 0x4e4c494bu
/** The layout version of the structs below. */
#define KILN_ABI_VERSION 1u
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
} kiln_dtype;

/** One input or output of a function. */
typedef struct kiln_abi_value {
  /* Never NULL. */
  const char *name;
  /* A kiln_dtype. */
  int32_t dtype;
  /* 0 ... KILN_ABI_MAX_RANK. */
  int32_t rank;
  /* `rank` entries; -1 marks a dimension known only at run time. */
  const int64_t *dims;
} kiln_abi_value;

/**
 * The entry point of one function. `descriptors` holds one pointer per input,
 * then one per output, in signature order. Each points to a strided memref
 * descriptor as MLIR lays it out for rank R:
 *
 *   struct { void *allocated; void *aligned; int64_t offset;
 *            int64_t sizes[R]; int64_t strides[R]; }
 *
 * Inputs are only read. Outputs are written in place: the caller allocates
 * them with the shape of the signature. Returns 0 on success.
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
} kiln_abi_function;

/** The table a module exports as KILN_ABI_SYMBOL. */
typedef struct kiln_abi_module {
  uint32_t magic;                     /* KILN_ABI_MAGIC */
  uint32_t abi_version;               /* KILN_ABI_VERSION */
  int32_t num_functions;              /* number of entries in `functions` */
  const kiln_abi_function *functions; /* num_functions entries */
  const char *producer;               /* e.g. "kiln 0.1.0" */
} kiln_abi_module;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_MODULE_ABI_H */
