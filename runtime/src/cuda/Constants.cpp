//===- cuda/Constants.cpp - Device copies of modules' constants -----------===//
//
// Generated host code asks for the device address of each constant tensor
// with kiln_cuda_constant(); the copy is made once and kept in the module's
// slot across runs. The copies are registered under the object (library or
// executable) that holds the slot, and freed when the last module object of
// that object is freed: a library loaded twice shares its globals, so its
// copies must outlive the first of its module objects.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "cuda/RunState.h"
#include "kiln/kernel_abi.h"

#include <algorithm>
#include <dlfcn.h>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

/// One device copy and the slot that remembers it.
struct ConstantCopy {
  void **slot;
  CUdeviceptr block;
};

/// The copies by object, and how many module objects use each object.
/// Copies of an object without a live module object (or of code in no
/// object, key NULL) are kept until the process exits.
struct Registry {
  std::mutex mutex;
  std::unordered_map<const void *, std::vector<ConstantCopy>> copies;
  std::unordered_map<const void *, size_t> modules;
};

Registry &registry() {
  // Never destroyed: module objects may be freed during exit.
  static auto *instance = new Registry;
  return *instance;
}

/// Makes the device copy of `bytes` bytes at `host`; 0 with the error
/// recorded when it cannot. Called with the registry locked.
CUdeviceptr copyToDevice(const Driver &driver, const void *host,
                         uint64_t bytes) {
  ContextScope context(driver);
  if (recordFailure(context.result(), "making the CUDA context current"))
    return 0;
  CUdeviceptr block = 0;
  // A 1-byte block for an empty constant, so that success is never NULL.
  size_t size = static_cast<size_t>(std::max<uint64_t>(bytes, 1));
  if (CUresult result = driver.memAlloc(&block, size)) {
    recordError(allocationFailureCode(result),
                "copying a " + std::to_string(bytes) +
                    "-byte constant to the device: " +
                    describeAllocationFailure(size, result));
    return 0;
  }
  // A synchronous copy on the legacy default stream, with which the runs'
  // (blocking) streams are ordered.
  CUresult result =
      bytes > 0 ? driver.memcpyHtoD(block, host, size_t(bytes)) : CUDA_SUCCESS;
  if (result != CUDA_SUCCESS) {
    driver.memFree(block);
    recordFailure(result, ("copying a " + std::to_string(bytes) +
                           "-byte constant to the device")
                              .c_str());
    return 0;
  }
  return block;
}

} // namespace

void *kiln_cuda_constant(void **slot, const void *host, uint64_t bytes) try {
  if (!slot || (!host && bytes > 0)) {
    recordError(KILN_INTERNAL, "kiln_cuda_constant: the slot or the constant "
                               "is NULL");
    return nullptr;
  }
  if (void *ready = __atomic_load_n(slot, __ATOMIC_ACQUIRE))
    return ready;
  const Driver *driver = kiln::internal::cuda::driver();
  if (!driver) {
    recordError(KILN_UNAVAILABLE, "kiln_cuda_constant: there is no CUDA "
                                  "device here: " +
                                      unavailableReason());
    return nullptr;
  }
  Registry &state = registry();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (void *ready = __atomic_load_n(slot, __ATOMIC_ACQUIRE))
    return ready; // Another thread made it meanwhile.
  CUdeviceptr block = copyToDevice(*driver, host, bytes);
  if (!block)
    return nullptr;
  try {
    state.copies[constantsKey(slot)].push_back({slot, block});
  } catch (...) {
    driver->memFree(block);
    throw;
  }
  void *address = reinterpret_cast<void *>(block);
  __atomic_store_n(slot, address, __ATOMIC_RELEASE);
  return address;
} catch (...) {
  recordError(KILN_OUT_OF_MEMORY, "out of memory copying a constant to the "
                                  "device");
  return nullptr;
}

const void *kiln::internal::cuda::constantsKey(const void *address) {
  Dl_info info;
  if (address && ::dladdr(address, &info) != 0)
    return info.dli_fbase;
  return nullptr;
}

void kiln::internal::cuda::retainConstants(const void *key) {
  if (!key)
    return;
  Registry &state = registry();
  std::lock_guard<std::mutex> lock(state.mutex);
  try {
    ++state.modules[key];
  } catch (...) {
    // Uncounted, the object's copies are simply kept until the process exits.
  }
}

void kiln::internal::cuda::releaseConstants(const void *key) {
  if (!key)
    return;
  Registry &state = registry();
  std::vector<ConstantCopy> copies;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    auto count = state.modules.find(key);
    if (count == state.modules.end() || --count->second > 0)
      return;
    state.modules.erase(count);
    auto found = state.copies.find(key);
    if (found == state.copies.end())
      return;
    copies = std::move(found->second);
    state.copies.erase(found);
    // The object is still mapped (its module is being freed): reset the
    // slots, so that a later load of the same library copies again.
    for (const ConstantCopy &copy : copies)
      __atomic_store_n(copy.slot, nullptr, __ATOMIC_RELEASE);
  }
  const Driver *driver = kiln::internal::cuda::driver();
  if (!driver)
    return;
  ContextScope context(*driver);
  for (const ConstantCopy &copy : copies)
    driver->memFree(copy.block);
}
