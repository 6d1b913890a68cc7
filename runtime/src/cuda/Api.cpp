//===- cuda/Api.cpp - The CUDA part of the C API and module checks --------===//
//
// kiln_cuda_device_count(), kiln_cuda_take_thread_error(), and the check that
// loading a CUDA module makes: a usable device whose compute capability is at
// least the one the module was compiled for.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "cuda/RunState.h"

#include <cstdlib>
#include <cstring>

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

/// The compute capability an architecture name ("sm_90", "sm_90a",
/// "compute_80") asks for, as major * 10 + minor; 0 when it names none.
int requiredCapability(const char *arch) {
  if (!arch)
    return 0;
  for (const char *prefix : {"sm_", "compute_"}) {
    size_t length = std::strlen(prefix);
    if (std::strncmp(arch, prefix, length) != 0)
      continue;
    long value = std::strtol(arch + length, nullptr, 10);
    return value > 0 && value < 10000 ? static_cast<int>(value) : 0;
  }
  return 0;
}

} // namespace

kiln_status *kiln::internal::cuda::checkModuleTarget(const char *arch,
                                                     std::string_view origin) {
  const Driver *driver = cuda::driver();
  const char *archName = arch && *arch ? arch : "no architecture recorded";
  if (!driver)
    return makeError(
        KILN_UNAVAILABLE, origin, "the module was compiled for CUDA (",
        archName, ") but there is no CUDA device here: ", unavailableReason());
  int required = requiredCapability(arch);
  int available = driver->computeMajor * 10 + driver->computeMinor;
  if (required > available)
    return makeError(
        KILN_UNAVAILABLE, origin, "the module was compiled for CUDA (",
        archName, ") but CUDA device ", driver->ordinal, " (",
        driver->deviceName, ") has compute capability ", driver->computeMajor,
        ".", driver->computeMinor, "; recompile it for sm_", available,
        " or pick another device with KILN_CUDA_DEVICE");
  return nullptr;
}

kiln_status *kiln_cuda_device_count(int32_t *count) {
  if (!count)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_cuda_device_count: `count` is NULL");
  const Driver *driver = cuda::driver();
  if (!driver)
    return makeStatus(KILN_UNAVAILABLE, unavailableReason());
  *count = driver->deviceCount;
  return nullptr;
}

kiln_status *kiln_cuda_take_thread_error(void) { return takeThreadError(); }
