//===- cuda/Driver.cpp - Loading the CUDA driver once per process ---------===//
//
// Opens libcuda.so.1 (or $KILN_CUDA_DRIVER), resolves the entry points of
// Driver.h, initializes the driver and retains the primary context of the
// device the runtime uses. Every failure leaves a reason that names the step,
// which kiln_cuda_device_count() and module loading report.
//
//===----------------------------------------------------------------------===//

#include "cuda/Driver.h"
#include "cuda/Cuda.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>

using namespace kiln::internal::cuda;

namespace {

/// The default driver library: the versioned name, which the driver package
/// installs (the unversioned libcuda.so may be the toolkit's stub).
constexpr const char *kDriverLibrary = "libcuda.so.1";

/// The driver and why it is unusable. Allocated once and never freed: module
/// libraries unloaded during process exit still call into it (mgpuModuleUnload
/// from their destructors), possibly after static objects are destroyed.
struct DriverState {
  Driver driver;
  std::string reason;
  bool usable = false;
};

DriverState &state() {
  static DriverState *instance = new DriverState;
  return *instance;
}

/// The names of the results a failing load or run is most likely to report,
/// for drivers whose cuGetErrorName cannot say (the toolkit's stub).
const char *knownName(CUresult result) {
  switch (result) {
#define KILN_CUDA_RESULT(name)                                                 \
  case name:                                                                   \
    return #name;
    KILN_CUDA_RESULT(CUDA_SUCCESS)
    KILN_CUDA_RESULT(CUDA_ERROR_INVALID_VALUE)
    KILN_CUDA_RESULT(CUDA_ERROR_OUT_OF_MEMORY)
    KILN_CUDA_RESULT(CUDA_ERROR_NOT_INITIALIZED)
    KILN_CUDA_RESULT(CUDA_ERROR_DEINITIALIZED)
    KILN_CUDA_RESULT(CUDA_ERROR_STUB_LIBRARY)
    KILN_CUDA_RESULT(CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER)
    KILN_CUDA_RESULT(CUDA_ERROR_NO_DEVICE)
    KILN_CUDA_RESULT(CUDA_ERROR_INVALID_DEVICE)
    KILN_CUDA_RESULT(CUDA_ERROR_INVALID_IMAGE)
    KILN_CUDA_RESULT(CUDA_ERROR_INVALID_CONTEXT)
    KILN_CUDA_RESULT(CUDA_ERROR_NO_BINARY_FOR_GPU)
    KILN_CUDA_RESULT(CUDA_ERROR_INVALID_PTX)
    KILN_CUDA_RESULT(CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    KILN_CUDA_RESULT(CUDA_ERROR_INVALID_HANDLE)
    KILN_CUDA_RESULT(CUDA_ERROR_NOT_FOUND)
    KILN_CUDA_RESULT(CUDA_ERROR_ILLEGAL_ADDRESS)
    KILN_CUDA_RESULT(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)
    KILN_CUDA_RESULT(CUDA_ERROR_LAUNCH_FAILED)
    KILN_CUDA_RESULT(CUDA_ERROR_NOT_SUPPORTED)
    KILN_CUDA_RESULT(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH)
    KILN_CUDA_RESULT(CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE)
#undef KILN_CUDA_RESULT
  default:
    return nullptr;
  }
}

/// Explanations of results whose driver-provided description is missing or
/// does not say what to do.
const char *knownDescription(CUresult result) {
  switch (result) {
  case CUDA_ERROR_STUB_LIBRARY:
    return "the CUDA toolkit's stub library, not a driver";
  case CUDA_ERROR_NO_DEVICE:
    return "no CUDA-capable device is detected";
  case CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER:
    return "the installed NVIDIA driver is too old for this call";
  default:
    return nullptr;
  }
}

/// Resolves every entry point of Driver.h; false (with the reason) when a
/// required one is missing.
bool resolve(void *library, const std::string &path, DriverState &state) {
#define KILN_CUDA_RESOLVE(field, symbol, type, required)                       \
  state.driver.field = reinterpret_cast<type>(::dlsym(library, symbol));       \
  if (required && !state.driver.field) {                                       \
    state.reason = "the CUDA driver '" + path + "' has no " + symbol +         \
                   ": it is too old, or not an NVIDIA driver";                 \
    return false;                                                              \
  }
  KILN_CUDA_DRIVER_FUNCTIONS(KILN_CUDA_RESOLVE)
#undef KILN_CUDA_RESOLVE
  return true;
}

/// Opens the driver library; NULL (with the reason) when it cannot.
void *openLibrary(const char *override, DriverState &state) {
  const char *path = override ? override : kDriverLibrary;
  void *library = ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library)
    return library;
  const char *error = ::dlerror();
  std::string detail = error ? error : "unknown dlopen error";
  if (override)
    state.reason = std::string("cannot load the CUDA driver '") + path +
                   "' named by KILN_CUDA_DRIVER: " + detail;
  else if (detail.find("No such file") != std::string::npos)
    state.reason = std::string(kDriverLibrary) +
                   " not found (no NVIDIA driver is installed)";
  else
    state.reason = std::string("cannot load ") + kDriverLibrary + ": " + detail;
  return nullptr;
}

/// The device ordinal KILN_CUDA_DEVICE names (0 when unset); -1 (with the
/// reason) when it names none of `count` devices.
int pickDevice(int count, DriverState &state) {
  const char *text = std::getenv("KILN_CUDA_DEVICE");
  if (!text || !*text)
    return 0;
  char *end = nullptr;
  errno = 0;
  long ordinal = std::strtol(text, &end, 10);
  if (errno == 0 && *end == '\0' && ordinal >= 0 && ordinal < count)
    return static_cast<int>(ordinal);
  state.reason = std::string("KILN_CUDA_DEVICE='") + text +
                 "' does not name one of the " + std::to_string(count) +
                 " CUDA devices (0 to " + std::to_string(count - 1) + ")";
  return -1;
}

/// Lets the device's default memory pool keep the memory runs free: its
/// default release threshold (0) hands it back to the system at every
/// synchronization, which would make each run allocate afresh.
void keepPoolMemory(const Driver &driver) {
  CUmemoryPool pool = nullptr;
  if (!driver.deviceGetDefaultMemPool || !driver.memPoolSetAttribute ||
      driver.deviceGetDefaultMemPool(&pool, driver.device) != CUDA_SUCCESS)
    return;
  cuuint64_t threshold = ~cuuint64_t(0);
  driver.memPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                             &threshold);
}

/// Reads what the runtime needs to know about the device it uses.
CUresult describeDevice(Driver &driver) {
  char name[256] = {};
  int pools = 0;
  CUresult result = driver.deviceGetName(name, sizeof(name) - 1, driver.device);
  if (result == CUDA_SUCCESS)
    result = driver.deviceGetAttribute(
        &driver.computeMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
        driver.device);
  if (result == CUDA_SUCCESS)
    result = driver.deviceGetAttribute(
        &driver.computeMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
        driver.device);
  // Without memory pools, stream-ordered allocation is not available.
  if (result == CUDA_SUCCESS &&
      driver.deviceGetAttribute(&pools,
                                CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                                driver.device) != CUDA_SUCCESS)
    pools = 0;
  driver.deviceName = name;
  driver.streamOrderedAllocation =
      pools != 0 && driver.memAllocAsync && driver.memFreeAsync;
  if (driver.streamOrderedAllocation)
    keepPoolMemory(driver);
  driver.sessionPools = driver.streamOrderedAllocation &&
                        driver.memPoolCreate && driver.memPoolDestroy &&
                        driver.memAllocFromPoolAsync &&
                        driver.memPoolSetAttribute;
  return result;
}

/// Initializes the driver and picks the device; false (with the reason) on
/// failure.
bool initialize(DriverState &state, const char *override) {
  Driver &driver = state.driver;
  std::string from =
      override ? std::string(" (driver from KILN_CUDA_DRIVER=") + override + ")"
               : std::string();
  if (CUresult result = driver.init(0)) {
    state.reason = "cuInit failed: " + describeResult(result) + from;
    return false;
  }
  if (CUresult result = driver.deviceGetCount(&driver.deviceCount)) {
    state.reason = "cuDeviceGetCount failed: " + describeResult(result) + from;
    return false;
  }
  if (driver.deviceCount <= 0) {
    state.reason = "no CUDA device (cuDeviceGetCount returned 0)";
    return false;
  }
  driver.ordinal = pickDevice(driver.deviceCount, state);
  if (driver.ordinal < 0)
    return false;
  CUresult result = driver.deviceGet(&driver.device, driver.ordinal);
  if (result == CUDA_SUCCESS)
    result = describeDevice(driver);
  if (result == CUDA_SUCCESS)
    result = driver.primaryCtxRetain(&driver.context, driver.device);
  if (result != CUDA_SUCCESS) {
    state.reason = "cannot use CUDA device " + std::to_string(driver.ordinal) +
                   ": " + describeResult(result);
    return false;
  }
  return true;
}

void load(DriverState &state) {
  const char *override = std::getenv("KILN_CUDA_DRIVER");
  if (override && !*override)
    override = nullptr;
  // The library stays open even when it is unusable: the reason may still
  // be described with its cuGetErrorName.
  void *library = openLibrary(override, state);
  if (!library)
    return;
  std::string path = override ? override : kDriverLibrary;
  state.usable = resolve(library, path, state) && initialize(state, override);
}

} // namespace

const Driver *kiln::internal::cuda::driver() {
  static std::once_flag once;
  DriverState &current = state();
  std::call_once(once, [&] {
    try {
      load(current);
    } catch (...) {
      current.usable = false;
      current.reason = "out of memory while loading the CUDA driver";
    }
  });
  return current.usable ? &current.driver : nullptr;
}

const std::string &kiln::internal::cuda::unavailableReason() {
  static const std::string none;
  return driver() ? none : state().reason;
}

std::string kiln::internal::cuda::describeResult(CUresult result) {
  const Driver &driver = state().driver;
  const char *name = nullptr;
  const char *description = nullptr;
  if (!driver.getErrorName || driver.getErrorName(result, &name) != 0)
    name = nullptr;
  if (!driver.getErrorString ||
      driver.getErrorString(result, &description) != 0)
    description = nullptr;
  if (!name)
    name = knownName(result);
  if (const char *known = knownDescription(result))
    description = known;
  std::string text =
      name ? name : "CUDA error " + std::to_string(static_cast<int>(result));
  if (description && *description)
    text += std::string(" (") + description + ")";
  return text;
}

ContextScope::ContextScope(const Driver &driver) : driver(driver) {
  status = driver.ctxGetCurrent(&previous);
  if (status != CUDA_SUCCESS || previous == driver.context)
    return;
  status = driver.ctxSetCurrent(driver.context);
  restore = status == CUDA_SUCCESS;
}

ContextScope::~ContextScope() {
  if (restore)
    driver.ctxSetCurrent(previous);
}
