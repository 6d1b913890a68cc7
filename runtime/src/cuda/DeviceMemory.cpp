//===- cuda/DeviceMemory.cpp - The device memory of device tensors --------===//
//
// Device tensors (kiln_tensor_create_on_device()) outlive runs and sessions,
// so their memory is allocated with cuMemAlloc rather than from a pool, and
// freed with cuMemFree. Copies between host and device are synchronous: each
// returns once its data has arrived.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "cuda/RunState.h"

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

/// The driver, with its context current; NULL (and a status starting with
/// `caller`) when there is no device or the context cannot be made current.
const Driver *usableDriver(const char *caller, kiln_status *&status) {
  const Driver *driver = cuda::driver();
  if (!driver)
    status = makeError(KILN_UNAVAILABLE, caller,
                       ": there is no CUDA device here: ", unavailableReason());
  return driver;
}

/// The status of a failed context switch, or NULL.
kiln_status *contextError(const ContextScope &context, const char *caller) {
  if (CUresult result = context.result())
    return makeError(
        KILN_INTERNAL, caller,
        ": cannot make the CUDA context current: ", describeResult(result));
  return nullptr;
}

/// Copies between two blocks of device memory and waits for the copy. The
/// legacy default stream waits for the work of every blocking stream (those
/// of runs are), so the copy also sees whatever runs wrote.
CUresult copyOnDevice(const Driver &driver, CUdeviceptr destination,
                      CUdeviceptr source, size_t bytes) {
  CUresult result = driver.memcpyAsync(destination, source, bytes, nullptr);
  if (result == CUDA_SUCCESS)
    result = driver.streamSynchronize(nullptr);
  return result;
}

} // namespace

kiln_status *kiln::internal::cuda::allocateTensorMemory(size_t byteSize,
                                                        const char *caller,
                                                        void **data) {
  kiln_status *status = nullptr;
  const Driver *driver = usableDriver(caller, status);
  if (!driver)
    return status;
  ContextScope context(*driver);
  if (kiln_status *error = contextError(context, caller))
    return error;
  // Tensors without elements still get a block, so that owned data is never
  // NULL.
  size_t bytes = byteSize == 0 ? 1 : byteSize;
  CUdeviceptr block = 0;
  if (CUresult result = driver->memAlloc(&block, bytes))
    return makeError(allocationFailureCode(result), caller, ": ",
                     describeAllocationFailure(bytes, result));
  *data = reinterpret_cast<void *>(block);
  return nullptr;
}

void kiln::internal::cuda::freeTensorMemory(void *data) {
  if (!data)
    return;
  // Device memory exists only if the driver was loaded, and the driver is
  // never unloaded; during process exit the calls may fail, harmlessly.
  const Driver *driver = cuda::driver();
  if (!driver)
    return;
  ContextScope context(*driver);
  driver->memFree(reinterpret_cast<CUdeviceptr>(data));
}

kiln_status *kiln::internal::cuda::copyMemory(void *destination,
                                              bool destinationOnDevice,
                                              const void *source,
                                              bool sourceOnDevice, size_t bytes,
                                              const char *caller) {
  kiln_status *status = nullptr;
  const Driver *driver = usableDriver(caller, status);
  if (!driver)
    return status;
  ContextScope context(*driver);
  if (kiln_status *error = contextError(context, caller))
    return error;
  auto deviceDestination = reinterpret_cast<CUdeviceptr>(destination);
  auto deviceSource = reinterpret_cast<CUdeviceptr>(source);
  CUresult result = CUDA_SUCCESS;
  const char *direction = "";
  if (destinationOnDevice && sourceOnDevice) {
    direction = "device to device";
    result = copyOnDevice(*driver, deviceDestination, deviceSource, bytes);
  } else if (destinationOnDevice) {
    direction = "host to device";
    result = driver->memcpyHtoD(deviceDestination, source, bytes);
  } else {
    direction = "device to host";
    result = driver->memcpyDtoH(destination, deviceSource, bytes);
  }
  if (result != CUDA_SUCCESS)
    return makeError(result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_OUT_OF_MEMORY
                                                        : KILN_INTERNAL,
                     caller, ": copying ", bytes, " bytes from ", direction,
                     " failed: ", describeResult(result));
  return nullptr;
}
