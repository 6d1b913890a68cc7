/*===- kiln/runtime.h - Kiln runtime C API ---------------------------------===*
 *
 * The runtime loads modules produced by Kiln's compiler and runs their
 * functions. It is a small C library with no MLIR or LLVM dependency.
 *
 * Conventions
 *  - Every fallible call returns `kiln_status *`: NULL on success, otherwise a
 *    status the caller owns and releases with kiln_status_free(). The message
 *    names what was wrong.
 *  - Out-parameters are written only on success.
 *  - Objects returned through `**out` are owned by the caller and released
 *    with the matching `*_free` function. Pointers returned by accessors
 *    (names, shapes, functions) are borrowed and stay valid as long as the
 *    object they came from.
 *  - Threads: a loaded module and its functions are immutable;
 *    kiln_function_run() may be called on the same function from many threads
 *    at once, as long as each call uses its own output tensors. A tensor must
 *    not be written by one thread while another uses it. A session is used by
 *    one thread at a time (give each thread its own). The library's only
 *    global mutable state is the CUDA backend's (the driver, loaded once, and
 *    device copies of CUDA modules' constants), which is thread-safe.
 *  - Accessors given a NULL object return an empty value (0, NULL or "")
 *    rather than crash.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/module_abi.h"

/** Marks the exported functions; everything else in the library is hidden. */
#if defined(__GNUC__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===--- Status -----------------------------------------------------------===*/

typedef enum kiln_status_code {
  KILN_OK = 0,
  KILN_INVALID_ARGUMENT = 1, /* wrong count, dtype, shape, NULL pointer, ... */
  KILN_NOT_FOUND = 2,        /* a file or a function that does not exist */
  KILN_IO_ERROR = 3,         /* a file that exists but cannot be read */
  KILN_INVALID_MODULE = 4,   /* a file that is not a valid Kiln module */
  KILN_OUT_OF_MEMORY = 5,
  KILN_OUT_OF_RANGE = 6, /* sizes that overflow, indices past the end */
  KILN_INTERNAL = 7,     /* a compiled function reported failure */
  /* A device or library the module needs is not present (e.g. a CUDA module
     on a machine without an NVIDIA driver or GPU). */
  KILN_UNAVAILABLE = 8,
} kiln_status_code;

/** An error: a code and a message. NULL stands for success. */
typedef struct kiln_status kiln_status;

/** The code of `status`; KILN_OK for NULL. */
KILN_API kiln_status_code kiln_status_get_code(const kiln_status *status);
/** The message of `status` ("ok" for NULL). Valid until the status is freed. */
KILN_API const char *kiln_status_message(const kiln_status *status);
/** Releases `status`; NULL is allowed. */
KILN_API void kiln_status_free(kiln_status *status);
/**
 * Creates a status with `code` and a copy of `message` (NULL reads as ""),
 * for code built on the runtime that reports its own errors in the same way,
 * such as generated model headers. A status always means failure: KILN_OK is
 * stored as KILN_INTERNAL. Never returns NULL; the caller owns the result.
 */
KILN_API kiln_status *kiln_status_create(kiln_status_code code,
                                         const char *message);
/** The name of a status code, e.g. "INVALID_ARGUMENT". */
KILN_API const char *kiln_status_code_name(kiln_status_code code);

/*===--- Element types ----------------------------------------------------===*/

/** Bytes per element of `dtype`; 0 for an invalid dtype. */
KILN_API size_t kiln_dtype_size(kiln_dtype dtype);
/** A short name: "f32", "i64", "bool", ...; "invalid" for anything else. */
KILN_API const char *kiln_dtype_name(kiln_dtype dtype);

/*===--- Tensors ----------------------------------------------------------===*/

/** A dense, row-major tensor: element type, shape and data. */
typedef struct kiln_tensor kiln_tensor;

/**
 * Creates a tensor that owns zero-initialized, 64-byte-aligned storage (never
 * NULL, even for a tensor without elements). A string tensor
 * (KILN_DTYPE_STRING) starts with every element the empty string "" and owns
 * its strings too: set them with kiln_tensor_set_string(), which copies;
 * kiln_tensor_free() frees them. Never write an element of an owned string
 * tensor through kiln_tensor_data().
 * `shape` holds `rank` non-negative dimensions (NULL allowed when rank is 0).
 * Fails with KILN_OUT_OF_RANGE when the element count or byte size overflows,
 * with KILN_INVALID_ARGUMENT for an invalid dtype, a rank above
 * KILN_ABI_MAX_RANK or a negative dimension, and with KILN_OUT_OF_MEMORY when
 * the storage cannot be allocated.
 */
KILN_API kiln_status *kiln_tensor_create(kiln_dtype dtype, size_t rank,
                                         const int64_t *shape,
                                         kiln_tensor **out);

/**
 * Creates a tensor that borrows `data`: the caller keeps ownership of the
 * memory and must keep it alive while the tensor is used. `byte_size` must
 * equal the size implied by dtype and shape (it guards against buffers that
 * are too small). `data` may be NULL only when the tensor has no elements.
 * The shape is checked as kiln_tensor_create() checks it. For
 * KILN_DTYPE_STRING, `data` is an array of `const char *`: the caller owns the
 * array and the strings (NUL-terminated UTF-8, never NULL when the tensor is
 * run), and such a tensor can only be an input.
 */
KILN_API kiln_status *kiln_tensor_wrap(kiln_dtype dtype, size_t rank,
                                       const int64_t *shape, void *data,
                                       size_t byte_size, kiln_tensor **out);

/** Releases the tensor (and its storage and strings when owned); NULL is
 * allowed. */
KILN_API void kiln_tensor_free(kiln_tensor *tensor);

KILN_API kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_rank(const kiln_tensor *tensor);
/** `rank` dimensions; borrowed. */
KILN_API const int64_t *kiln_tensor_shape(const kiln_tensor *tensor);
/** The product of the dimensions (1 for rank 0). */
KILN_API int64_t kiln_tensor_element_count(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_byte_size(const kiln_tensor *tensor);
/**
 * The tensor's data. For a tensor in CUDA device memory
 * (kiln_tensor_is_on_device()) this is its device address (a CUdeviceptr),
 * which the host must not dereference: pass it to CUDA code, or copy the
 * tensor with kiln_tensor_copy_to_host().
 */
KILN_API void *kiln_tensor_data(kiln_tensor *tensor);
/** kiln_tensor_data() of a const tensor (a device address for a device
 * tensor). */
KILN_API const void *kiln_tensor_const_data(const kiln_tensor *tensor);
/** 1 when the tensor owns its storage, 0 when it borrows it. */
KILN_API int kiln_tensor_owns_data(const kiln_tensor *tensor);

/**
 * Element `index` (row-major) of a string tensor: borrowed, valid until the
 * element is set again or the tensor is freed. NULL for another dtype or an
 * index out of range.
 */
KILN_API const char *kiln_tensor_string(const kiln_tensor *tensor,
                                        int64_t index);
/**
 * Sets element `index` of a string tensor that owns its storage
 * (kiln_tensor_create(), or an output the runtime created) to a copy of
 * `value`, freeing the string it held. Fails with KILN_INVALID_ARGUMENT for a
 * NULL argument, another dtype or a borrowed (wrapped) tensor, with
 * KILN_OUT_OF_RANGE for an index out of range, and with KILN_OUT_OF_MEMORY.
 */
KILN_API kiln_status *kiln_tensor_set_string(kiln_tensor *tensor, int64_t index,
                                             const char *value);

/*===--- Tensors in CUDA device memory -------------------------------------===*
 *
 * A tensor may live in the memory of the CUDA device the runtime uses (see
 * "CUDA" below). Its data is a device address: kiln_tensor_data() returns it,
 * but the host must not read it. Device tensors are given to CUDA functions
 * as they are (no copy): as inputs, and as caller-provided outputs, which
 * the function writes in place. They stay valid across runs and sessions,
 * until kiln_tensor_free() frees their device memory. A CPU function refuses
 * them (KILN_INVALID_ARGUMENT). Copies are explicit and synchronous: each
 * returns once the data has arrived. String tensors stay on the host.
 * Without a usable CUDA device, every call that needs one fails with
 * KILN_UNAVAILABLE and a message that says "no CUDA device" and why.
 *
 *===----------------------------------------------------------------------===*/

/**
 * Creates a tensor in uninitialized device memory (never NULL, even without
 * elements). The shape is checked as kiln_tensor_create() checks it; a string
 * dtype is KILN_INVALID_ARGUMENT. Fails with KILN_UNAVAILABLE when there is no
 * CUDA device, and with KILN_OUT_OF_MEMORY when the device is full.
 */
KILN_API kiln_status *kiln_tensor_create_on_device(kiln_dtype dtype,
                                                   size_t rank,
                                                   const int64_t *shape,
                                                   kiln_tensor **out);

/**
 * Creates a device tensor with a copy of `host`'s data (`host` may also be a
 * device tensor: it is copied on the device). Fails as
 * kiln_tensor_create_on_device() does, and with KILN_INVALID_ARGUMENT for a
 * NULL argument.
 */
KILN_API kiln_status *kiln_tensor_copy_to_device(const kiln_tensor *host,
                                                 kiln_tensor **out);

/**
 * Creates a host tensor (as kiln_tensor_create() makes them) with a copy of
 * `device`'s data. `device` may also be a host tensor, which is copied (a
 * string tensor with copies of its strings). KILN_INVALID_ARGUMENT for a NULL
 * argument.
 */
KILN_API kiln_status *kiln_tensor_copy_to_host(const kiln_tensor *device,
                                               kiln_tensor **out);

/**
 * Copies the data of `source` into `destination`, which must have the same
 * dtype and shape (KILN_INVALID_ARGUMENT otherwise), each in host or device
 * memory. Host-to-host copies need no device; copying string tensors needs a
 * destination that owns its strings (they are copied). Copying a tensor onto
 * itself does nothing.
 */
KILN_API kiln_status *kiln_tensor_copy(const kiln_tensor *source,
                                       kiln_tensor *destination);

/** 1 when the tensor's data is in CUDA device memory, else 0 (also for
 * NULL). */
KILN_API int kiln_tensor_is_on_device(const kiln_tensor *tensor);

/*===--- Sequences of a length known only at run time ---------------------===*
 *
 * An ONNX sequence whose length a model decides at run time (a Loop that
 * grows it, an If whose branches yield different ones) is returned as two
 * outputs, "NAME.values" and "NAME.index" (see docs/onnx.md):
 *
 *   values: rank 1, the elements' data one after another, each row-major;
 *   index:  KILN_DTYPE_I64 of shape [n, KILN_SEQUENCE_INDEX_COLUMNS], one row
 *           per element: its offset into `values` (in elements), its rank r,
 *           its r dims, then zeros.
 *
 * An optional whose presence is decided at run time is returned as a
 * KILN_DTYPE_BOOL scalar "NAME.has_value" followed by its content's outputs
 * (which hold placeholders when it is false).
 */
#define KILN_SEQUENCE_INDEX_COLUMNS (2 + KILN_ABI_MAX_RANK)

/**
 * The number of elements of the sequence that `index` describes. Fails with
 * KILN_INVALID_ARGUMENT when `index` is not an i64 tensor of shape
 * [n, KILN_SEQUENCE_INDEX_COLUMNS].
 */
KILN_API kiln_status *kiln_sequence_length(const kiln_tensor *index,
                                           int64_t *out);

/**
 * Element `position` (in [0, n)) of the sequence held in `values` and
 * `index`, as a new tensor that owns a copy of its data. Every entry of the
 * index row is checked: a rank or dim out of range, or data past the end of
 * `values`, fails with KILN_INVALID_ARGUMENT; a position out of range with
 * KILN_OUT_OF_RANGE. String sequences are not supported.
 */
KILN_API kiln_status *kiln_sequence_element(const kiln_tensor *values,
                                            const kiln_tensor *index,
                                            int64_t position,
                                            kiln_tensor **out);

/**
 * The checksum Kiln's tools print: the 64-bit FNV-1a hash of `size` bytes
 * (offset basis 0xcbf29ce484222325, prime 0x100000001b3, one byte at a time).
 * `data` may be NULL only when `size` is 0.
 */
KILN_API uint64_t kiln_checksum(const void *data, size_t size);
/** kiln_checksum() of the tensor's data bytes (row-major, host byte order).
 * For a string tensor: of its strings' bytes, each with its terminating NUL,
 * in row-major order (not of the pointers). A device tensor is copied to the
 * host first (synchronously); if that copy fails, the result is
 * kiln_checksum(NULL, 0). */
KILN_API uint64_t kiln_tensor_checksum(const kiln_tensor *tensor);

/*===--- Modules and functions --------------------------------------------===*/

/** A loaded module: a set of compiled functions. */
typedef struct kiln_module kiln_module;
/** One function of a module; borrowed from its module. */
typedef struct kiln_function kiln_function;

/** A description of one input or output. Borrowed from the module. */
typedef struct kiln_value_info {
  const char *name;
  kiln_dtype dtype;
  size_t rank;
  const int64_t *dims; /* -1 for a dimension known only at run time */
} kiln_value_info;

/**
 * Loads a compiled module from a shared library. The file must export
 * KILN_ABI_SYMBOL with a matching magic number and ABI version; its tables are
 * validated before use. A path without a slash names a file in the current
 * directory (it is not searched for on the library path).
 *
 * A module compiled with its weights in a separate file (see
 * kiln_abi_weights) has them read from the module's folder now: the file's
 * size and hash must match what the module recorded. Loading the same library
 * twice in one process fills its weights once; loading may happen from many
 * threads at once.
 *
 * Fails with KILN_NOT_FOUND when the file (or its weights file) does not
 * exist, KILN_IO_ERROR when it cannot be read, and KILN_INVALID_MODULE when it
 * is not a loadable library, not a valid Kiln module, or its weights file has
 * the wrong size or hash.
 */
KILN_API kiln_status *kiln_module_load(const char *path, kiln_module **out);

/**
 * Wraps a module table that is already in memory, e.g. one JIT-compiled in
 * this process. The table is validated as kiln_module_load() does, and must
 * stay valid and unchanged until `release(owner)` is called: when the module
 * is freed (if `release` is not NULL), or at once on failure.
 */
KILN_API kiln_status *kiln_module_from_abi(const kiln_abi_module *abi,
                                           void *owner,
                                           void (*release)(void *owner),
                                           kiln_module **out);

/**
 * Like kiln_module_from_abi(), with the module's optional information table
 * (NULL: no arena, embedded weights), e.g. the two tables that a model's
 * generated header names when the model is linked into the program. A module
 * whose weights live in a separate file can only be loaded with
 * kiln_module_load(): such an `info` is rejected with KILN_INVALID_MODULE.
 * `release(owner)` is called as kiln_module_from_abi() calls it.
 */
KILN_API kiln_status *kiln_module_from_tables(const kiln_abi_module *abi,
                                              const kiln_abi_module_info *info,
                                              void *owner,
                                              void (*release)(void *owner),
                                              kiln_module **out);

/**
 * Releases the module; NULL is allowed. Its functions must no longer run and
 * its sessions must have been freed.
 */
KILN_API void kiln_module_free(kiln_module *module);

/**
 * Bytes of scratch memory (the arena) that each session of the module
 * allocates, as the module records it. This is 0 for every module Kiln's
 * compiler produces today: generated code allocates its temporaries during a
 * run, from the runtime's heap, which keeps freed blocks for the next run
 * (its planned arena of intermediate buffers, `kiln-compile --report`, is one
 * such block per run).
 */
KILN_API size_t kiln_module_arena_size(const kiln_module *module);
/**
 * The largest arena the compiler planned for one of the module's functions
 * (`kiln-compile --report`): the bytes its intermediate buffers share, placed
 * by their lifetimes, which each run of that function allocates at once from
 * the runtime's heap. 0 when nothing was planned, for modules of older
 * compilers and for NULL.
 */
KILN_API size_t kiln_module_planned_arena_size(const kiln_module *module);
/** 1 when the module's weights were read from a separate file, else 0. */
KILN_API int kiln_module_has_external_weights(const kiln_module *module);

/**
 * Where the module's code runs: KILN_TARGET_CPU, or KILN_TARGET_CUDA for a
 * module whose functions keep their tensors in CUDA device memory (they take
 * host tensors, which the runtime copies, and device tensors).
 * KILN_TARGET_CPU for NULL and for modules without a version 3 info table.
 */
KILN_API uint32_t kiln_module_target(const kiln_module *module);
/** The GPU architecture a CUDA module was compiled for ("sm_90"); NULL for a
    CPU module (and NULL). */
KILN_API const char *kiln_module_target_arch(const kiln_module *module);

/** Who produced the module, e.g. "kiln 0.1.0" ("unknown" if not recorded). */
KILN_API const char *kiln_module_producer(const kiln_module *module);
KILN_API size_t kiln_module_function_count(const kiln_module *module);
/** The function at `index`, or NULL when out of range. */
KILN_API const kiln_function *kiln_module_function_at(const kiln_module *module,
                                                      size_t index);
/** Finds a function by name; KILN_NOT_FOUND lists the names the module has. */
KILN_API kiln_status *kiln_module_find_function(const kiln_module *module,
                                                const char *name,
                                                const kiln_function **out);

KILN_API const char *kiln_function_name(const kiln_function *function);
KILN_API size_t kiln_function_input_count(const kiln_function *function);
KILN_API size_t kiln_function_output_count(const kiln_function *function);
/** Describes input `index`; KILN_OUT_OF_RANGE past the end. */
KILN_API kiln_status *kiln_function_input_info(const kiln_function *function,
                                               size_t index,
                                               kiln_value_info *out);
/** Describes output `index`; KILN_OUT_OF_RANGE past the end. */
KILN_API kiln_status *kiln_function_output_info(const kiln_function *function,
                                                size_t index,
                                                kiln_value_info *out);

/**
 * Runs `function`. `inputs` holds `num_inputs` tensors, checked against the
 * signature (count, dtype, rank, every static dimension) before any compiled
 * code runs; a dynamic dimension (-1) accepts any size.
 *
 * `outputs` holds `num_outputs` slots. A NULL slot receives a new tensor that
 * the caller owns; a non-NULL slot is a caller-provided tensor that is checked
 * like an input and written in place. An output whose signature has a dynamic
 * dimension needs a caller-provided tensor. Output storage must not overlap
 * any input or other output. On failure, slots that were NULL stay NULL.
 *
 * String outputs (KILN_DTYPE_STRING) own their strings: a NULL slot receives
 * a tensor as kiln_tensor_create() makes it, and a caller-provided one must
 * be such a tensor (not a wrapped one); its previous strings are freed when
 * the run succeeds. The strings compiled code creates are freed when the call
 * returns, so nothing else needs releasing. Every element of a string input
 * must be a string (not NULL).
 *
 * A function of a CUDA module takes host and device tensors alike: device
 * inputs and caller-provided device outputs are used in place, host ones are
 * copied to and from the device; outputs in NULL slots are new host tensors.
 * A CPU function refuses device tensors with KILN_INVALID_ARGUMENT.
 *
 * Argument errors are KILN_INVALID_ARGUMENT (also a string input that a
 * conversion cannot read as a number); a compiled function that reports
 * failure gives KILN_INTERNAL.
 */
KILN_API kiln_status *kiln_function_run(const kiln_function *function,
                                        const kiln_tensor *const *inputs,
                                        size_t num_inputs,
                                        kiln_tensor **outputs,
                                        size_t num_outputs);

/**
 * Runs `function` on plain buffers: `inputs[i]` and `outputs[i]` point to
 * dense row-major data of exactly the shape and dtype of the signature, which
 * must be fully static (no -1 dimension). The caller owns every buffer; inputs
 * are only read and outputs are written in place. Nothing is allocated by the
 * runtime. A buffer may be NULL only when its value has no elements; output
 * buffers must not overlap inputs or each other. A string input is an array
 * of `const char *`; functions with string outputs need kiln_function_run(),
 * which owns the strings it returns. Thread rules are those of
 * kiln_function_run(). This is what generated model headers call.
 */
KILN_API kiln_status *kiln_function_run_buffers(const kiln_function *function,
                                                const void *const *inputs,
                                                size_t num_inputs,
                                                void *const *outputs,
                                                size_t num_outputs);

/*===--- Sessions ---------------------------------------------------------===*/

/**
 * A session runs one function with per-session settings and state: its thread
 * count and (when its module asks for one) its arena. A session borrows its
 * function: the module must outlive it. A session is used by one thread at a
 * time; kiln_session_run() on a session that is already running in another
 * thread fails with KILN_INVALID_ARGUMENT instead of racing. Different
 * sessions of one function run concurrently.
 */
typedef struct kiln_session kiln_session;

/** Settings for kiln_session_create(). Fill with kiln_session_options_init().
 */
typedef struct kiln_session_options {
  /* sizeof(kiln_session_options), set by kiln_session_options_init(); lets
     later runtimes add fields without breaking older callers. */
  size_t struct_size;
  /* Threads a run may use; 0 picks the default (1). Library kernels (oneDNN
     convolutions and matrix products) use that many OpenMP threads during the
     session's runs, and the parallel loops of generated code split their work
     over as many (tasks of MLIR's async runtime ABI, run on the same OpenMP
     threads). kiln_function_run() outside a session leaves OpenMP's own
     setting (OMP_NUM_THREADS, else every core). At most 4096. */
  int32_t num_threads;
} kiln_session_options;

/** Sets every field of `options` to its default; NULL is ignored. */
KILN_API void kiln_session_options_init(kiln_session_options *options);

/**
 * Creates a session for `function` (borrowed; its module must outlive the
 * session). `options` may be NULL for the defaults. Allocates the module's
 * arena (kiln_module_arena_size(), 0 today). Fails with KILN_INVALID_ARGUMENT
 * for a NULL function, options not initialized with
 * kiln_session_options_init(), or a thread count outside [0, 4096], and with
 * KILN_OUT_OF_MEMORY when the arena cannot be allocated.
 */
KILN_API kiln_status *kiln_session_create(const kiln_function *function,
                                          const kiln_session_options *options,
                                          kiln_session **out);

/** Releases the session (and, for a CUDA function, its stream and device
 * memory pool, once its work is done); NULL is allowed. It must not be
 * running. */
KILN_API void kiln_session_free(kiln_session *session);

/** The function the session runs (borrowed from its module). */
KILN_API const kiln_function *
kiln_session_function(const kiln_session *session);
/** The session's thread count, with 0 resolved to the default (1). */
KILN_API int32_t kiln_session_num_threads(const kiln_session *session);
/** The bytes of arena the session holds (0 for every module today). */
KILN_API size_t kiln_session_arena_size(const kiln_session *session);
/**
 * The bytes of CUDA device memory the session's memory pool holds. A session
 * of a CUDA function gets a pool of its own at its first run (where the
 * driver and device support memory pools); every device block of its runs
 * comes from it, it keeps the memory between runs, and kiln_session_free()
 * releases it. 0 before the first run, without a pool, and for CPU
 * functions.
 */
KILN_API size_t
kiln_session_device_memory_reserved(const kiln_session *session);

/**
 * Runs the session's function, with the arguments, checks and output rules of
 * kiln_function_run().
 */
KILN_API kiln_status *kiln_session_run(kiln_session *session,
                                       const kiln_tensor *const *inputs,
                                       size_t num_inputs, kiln_tensor **outputs,
                                       size_t num_outputs);

/*===--- CUDA -------------------------------------------------------------===*
 *
 * Modules compiled for NVIDIA GPUs (kiln_module_target() == KILN_TARGET_CUDA)
 * run through the same calls as CPU modules. The runtime loads the CUDA
 * driver (libcuda.so.1, or the file the environment variable KILN_CUDA_DRIVER
 * names) with dlopen on first use, once per process, and uses device 0 (or
 * KILN_CUDA_DEVICE=<n>). Loading a CUDA module fails with KILN_UNAVAILABLE
 * when there is no usable device. See docs/cuda.md.
 *
 *===----------------------------------------------------------------------===*/

/**
 * Writes the number of CUDA devices (>= 1) to `count` when CUDA modules can
 * run here. Otherwise fails with KILN_UNAVAILABLE and a message that says why
 * ("libcuda.so.1 not found (no NVIDIA driver is installed)", "cuInit failed:
 * ...", "no CUDA device (cuDeviceGetCount returned 0)", or "this Kiln runtime
 * was built without CUDA support"); KILN_INVALID_ARGUMENT for a NULL `count`.
 */
KILN_API kiln_status *kiln_cuda_device_count(int32_t *count);

/**
 * Returns, and clears, the first error that a CUDA function of kernel_abi.h
 * (mgpu*, kiln_cuda_constant) recorded on this thread outside any run; NULL
 * when there is none. Errors inside a run fail that run instead. For tests
 * and for programs that call those functions themselves.
 */
KILN_API kiln_status *kiln_cuda_take_thread_error(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
