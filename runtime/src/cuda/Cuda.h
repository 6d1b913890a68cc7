//===- cuda/Cuda.h - The CUDA backend as the rest of the runtime sees it --===//
//
// What module.cpp, run.cpp and session.cpp call to load and run modules
// compiled for CUDA (KILN_TARGET_CUDA). This header does not need the CUDA
// toolkit: a runtime built without it implements these functions in
// NoCuda.cpp, where every CUDA module is unavailable.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CUDA_CUDA_H
#define KILN_RUNTIME_SRC_CUDA_CUDA_H

#include "internal.h"
#include "kiln/kernel_abi.h"

#include <string>
#include <string_view>

namespace kiln::internal::cuda {

/// Why CUDA modules cannot run in this process ("libcuda.so.1 not found
/// ..."); empty when a device is usable. Loads the driver on the first call.
const std::string &unavailableReason();

/// Checks that a module compiled for CUDA architecture `arch` (may be NULL)
/// can run here: NULL, or a KILN_UNAVAILABLE status that starts with `origin`
/// and contains "no CUDA device" when there is none.
kiln_status *checkModuleTarget(const char *arch, std::string_view origin);

/// One input or output of a CUDA run: dense row-major data of `rank`
/// dimensions `shape`, in host memory, or in device memory when `onDevice`
/// (a device tensor, which the entry reads or writes in place). `data` is
/// NULL for an output with a run-time size, which the module allocates.
struct RunBuffer {
  void *data;
  size_t byteSize;
  size_t rank;
  const int64_t *shape;
  bool onDevice;
};

/// Runs the entry of a validated CUDA function: copies the host `inputs` to
/// the device, calls the entry with device descriptors (device inputs and
/// outputs as they are), and copies the outputs back into the host
/// `outputs` (static ones) or into new host tensors in `created` (those with
/// a run-time size). `session` holds the session's stream and memory pool
/// (created on its first run); NULL outside a session: the thread's stream
/// and the device's default pool are used.
kiln_status *runEntry(const kiln_function &function, CudaSessionState *session,
                      const RunBuffer *inputs, const RunBuffer *outputs,
                      kiln_tensor **created);

/// Waits for the session's stream, then destroys it and the session's memory
/// pool; does nothing for a session that never ran a CUDA function.
void releaseSession(CudaSessionState &session);

/// The bytes of device memory the session's pool holds (0 without a pool).
size_t sessionReservedMemory(const CudaSessionState &session);

/// Allocates `byteSize` bytes (at least one) of device memory for a tensor
/// into `*data`. Fails with KILN_UNAVAILABLE, starting with `caller` and
/// saying "no CUDA device", where there is none, and with KILN_OUT_OF_MEMORY
/// when the device is full.
kiln_status *allocateTensorMemory(size_t byteSize, const char *caller,
                                  void **data);

/// Frees memory of allocateTensorMemory(); ignores failures (at process exit
/// the driver may be shutting down).
void freeTensorMemory(void *data);

/// Copies `bytes` from `source` to `destination`, either of which may be
/// device memory (`*OnDevice`), and returns once the copy is complete. A
/// failure is a status that starts with `caller`.
kiln_status *copyMemory(void *destination, bool destinationOnDevice,
                        const void *source, bool sourceOnDevice, size_t bytes,
                        const char *caller);

/// The key under which the device copies of the constants of the object
/// (library or executable) holding `address` are kept: its load address, or
/// NULL when it is in no object (JIT-compiled code).
const void *constantsKey(const void *address);

/// Counts a module object whose constants are kept under `key`;
/// releaseConstants() frees them when the last such module object goes.
void retainConstants(const void *key);
void releaseConstants(const void *key);

/// Counts a module object that uses the library kernels `kernels` (its
/// kernel table). Their states are not prepared at load time: the kiln_cuda_*
/// entry points create them on first use, inside a run (cuDNN's algorithm
/// choice needs the device). releaseKernels() frees the state of each entry
/// when the last module object using it goes, and resets its state word.
void retainKernels(const kiln_abi_kernel *kernels, int32_t count);
void releaseKernels(const kiln_abi_kernel *kernels, int32_t count);

} // namespace kiln::internal::cuda

#endif // KILN_RUNTIME_SRC_CUDA_CUDA_H
