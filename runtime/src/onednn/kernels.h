//===- kernels.h - Library kernels: module-side bookkeeping -----*- C++ -*-===//
//
// What the rest of the runtime needs from the oneDNN kernels
// (kiln/kernel_abi.h): checking a module's kernel table, preparing its call
// sites when the module is loaded and releasing them when it is freed, and the
// message of the last kernel failure on this thread.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_ONEDNN_KERNELS_H
#define KILN_RUNTIME_ONEDNN_KERNELS_H

#include "kiln/kernel_abi.h"
#include "kiln/runtime.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace kiln::internal {

/// Checks the kinds and parameter counts of a module's kernel table.
kiln_status *validateKernels(const kiln_abi_kernel *kernels, int32_t count,
                             std::string_view origin);

/// Creates the state of every call site (shared by modules that map the same
/// library) and prepares the primitives whose shapes are all static. On
/// failure nothing stays prepared.
kiln_status *prepareKernels(const kiln_abi_kernel *kernels, int32_t count,
                            std::string_view origin);

/// Drops this module's reference to each call site's state.
void releaseKernels(const kiln_abi_kernel *kernels, int32_t count);

/// The message of the last kernel failure on this thread ("" if none); clears
/// it.
std::string takeKernelError();

/// Sets the number of threads the kernels use on this thread until the guard
/// is destroyed (a session's num_threads).
class KernelThreadsGuard {
public:
  explicit KernelThreadsGuard(int32_t numThreads);
  ~KernelThreadsGuard();
  KernelThreadsGuard(const KernelThreadsGuard &) = delete;
  KernelThreadsGuard &operator=(const KernelThreadsGuard &) = delete;

private:
  int previous;
};

} // namespace kiln::internal

#endif // KILN_RUNTIME_ONEDNN_KERNELS_H
