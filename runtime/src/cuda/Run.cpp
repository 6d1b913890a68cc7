//===- cuda/Run.cpp - Running the entry of a CUDA function ----------------===//
//
// A run copies the host inputs to device buffers (device tensors are used in
// place), calls the entry with descriptors of device memory (with itself as
// the thread's current run, so that the module's mgpu* calls use its stream
// and memory pool), copies the host outputs back, waits for the stream and
// frees every device block it or the module allocated. All of a run's work is
// ordered on one stream and allocated from one pool: the session's, or the
// calling thread's stream and the device's default pool outside a session.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "cuda/RunState.h"

#include <cstring>
#include <vector>

using namespace kiln::internal;
using namespace kiln::internal::cuda;

namespace {

/// Destroys `stream` (NULL is ignored) in the driver's context. A stream
/// exists only if the driver was loaded; at process exit the driver may be
/// shutting down, which the ignored result covers.
void destroyStream(CUstream stream) {
  if (!stream)
    return;
  if (const Driver *driver = cuda::driver()) {
    ContextScope context(*driver);
    driver->streamDestroy(stream);
  }
}

/// The stream of runs outside a session, one per thread, destroyed when the
/// thread exits.
struct ThreadStream {
  CUstream stream = nullptr;
  ~ThreadStream() {
    if (stream)
      destroyStream(stream);
  }
};
thread_local ThreadStream threadStream;

/// Creates the stream in `*slot` if there is none yet. A blocking stream, so
/// that it is ordered with the synchronous copies of constants.
kiln_status *ensureStream(const Driver &driver, CUstream *slot,
                          const kiln_function &function) {
  if (*slot)
    return nullptr;
  if (CUresult result = driver.streamCreate(slot, CU_STREAM_DEFAULT)) {
    *slot = nullptr;
    return makeError(
        KILN_INTERNAL, "function '", function.name,
        "': cannot create a CUDA stream: ", describeResult(result));
  }
  return nullptr;
}

/// A memory pool on the driver's device that keeps the memory freed into it
/// (no release threshold); NULL where pools are not supported or creating
/// one fails, in which case the caller allocates as outside sessions.
CUmemoryPool createPool(const Driver &driver) {
  if (!driver.sessionPools)
    return nullptr;
  CUmemPoolProps properties;
  std::memset(&properties, 0, sizeof(properties));
  properties.allocType = CU_MEM_ALLOCATION_TYPE_PINNED;
  properties.handleTypes = CU_MEM_HANDLE_TYPE_NONE;
  properties.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  properties.location.id = driver.ordinal;
  CUmemoryPool pool = nullptr;
  if (driver.memPoolCreate(&pool, &properties) != CUDA_SUCCESS)
    return nullptr;
  cuuint64_t threshold = ~cuuint64_t(0);
  driver.memPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                             &threshold);
  return pool;
}

/// The session's pool, created on its first run.
CUmemoryPool sessionPool(const Driver &driver, CudaSessionState &session) {
  if (!session.poolTried) {
    session.poolTried = true;
    session.pool = createPool(driver);
  }
  return static_cast<CUmemoryPool>(session.pool);
}

/// One call of a CUDA function's entry and the device memory it uses.
class DeviceCall {
public:
  DeviceCall(const kiln_function &function, CudaRun &run)
      : function(function), run(run), words(function.descriptorWords, 0),
        descriptors(function.inputs.size() + function.outputs.size()) {}
  ~DeviceCall() { release(); }
  DeviceCall(const DeviceCall &) = delete;
  DeviceCall &operator=(const DeviceCall &) = delete;

  /// Allocates the device buffers, copies the host inputs and builds the
  /// descriptors.
  kiln_status *prepare(const RunBuffer *inputs, const RunBuffer *outputs);
  /// Calls the entry with the current run set; a failed run-time check is
  /// the entry's status.
  kiln_status *invoke();
  /// Queues the copies of the host outputs from the device; those with a
  /// run-time size go to new tensors in `created`.
  kiln_status *fetchOutputs(const RunBuffer *outputs, kiln_tensor **created);
  /// Waits for the stream; the run's first error, if any, as a status.
  kiln_status *finish();

private:
  /// A device buffer of `bytes` (NULL for none), freed with the call.
  kiln_status *allocate(size_t bytes, const char *kind, size_t index,
                        CUdeviceptr &block);
  /// The device memory of input `index`: the device tensor itself, or a
  /// buffer the host data is copied to.
  kiln_status *stageInput(size_t index, const RunBuffer &input,
                          CUdeviceptr &block);
  kiln_status *fetchDynamic(size_t index, kiln_tensor *&tensor);
  /// The run's recorded error as a status of this function.
  kiln_status *runError() const;
  /// Frees the call's buffers and every block the module left allocated.
  void release();

  const kiln_function &function;
  CudaRun &run;
  std::vector<int64_t> words;
  std::vector<void *> descriptors;
  std::vector<CUdeviceptr> buffers;
};

kiln_status *DeviceCall::allocate(size_t bytes, const char *kind, size_t index,
                                  CUdeviceptr &block) {
  block = 0;
  if (bytes == 0)
    return nullptr;
  CUresult result = CUDA_SUCCESS;
  block =
      allocateDevice(*run.driver, bytes, run.stream, run.pool, false, result);
  if (!block)
    return makeError(allocationFailureCode(result), "function '", function.name,
                     "': ", kind, " ", index, ": ",
                     describeAllocationFailure(bytes, result));
  buffers.push_back(block);
  return nullptr;
}

kiln_status *DeviceCall::stageInput(size_t index, const RunBuffer &input,
                                    CUdeviceptr &block) {
  if (input.onDevice) {
    block = reinterpret_cast<CUdeviceptr>(input.data);
    return nullptr;
  }
  if (kiln_status *status = allocate(input.byteSize, "input", index, block))
    return status;
  if (!block)
    return nullptr;
  if (CUresult result = run.driver->memcpyHtoDAsync(block, input.data,
                                                    input.byteSize, run.stream))
    return makeError(KILN_INTERNAL, "function '", function.name,
                     "': copying input ", index,
                     " to the device failed: ", describeResult(result));
  return nullptr;
}

kiln_status *DeviceCall::prepare(const RunBuffer *inputs,
                                 const RunBuffer *outputs) {
  size_t numInputs = function.inputs.size();
  int64_t *next = words.data();
  for (size_t i = 0; i < numInputs; ++i) {
    CUdeviceptr block;
    if (kiln_status *status = stageInput(i, inputs[i], block))
      return status;
    descriptors[i] = next;
    next = writeDescriptor(next, reinterpret_cast<void *>(block),
                           inputs[i].rank, inputs[i].shape);
  }
  for (size_t i = 0; i < function.outputs.size(); ++i) {
    descriptors[numInputs + i] = next;
    if (!function.outputs[i].isStatic) {
      // The entry allocates it and fills the (zeroed) descriptor.
      next += 3 + 2 * function.outputs[i].rank;
      continue;
    }
    CUdeviceptr block = reinterpret_cast<CUdeviceptr>(outputs[i].data);
    if (!outputs[i].onDevice)
      if (kiln_status *status =
              allocate(outputs[i].byteSize, "output", i, block))
        return status;
    next = writeDescriptor(next, reinterpret_cast<void *>(block),
                           outputs[i].rank, outputs[i].shape);
  }
  return nullptr;
}

kiln_status *DeviceCall::invoke() {
  ActiveCudaRun active(run);
  return invokeEntry(function, descriptors.data());
}

kiln_status *DeviceCall::fetchDynamic(size_t index, kiln_tensor *&tensor) {
  const ValueSignature &signature = function.outputs[index];
  ModuleBufferView view;
  if (kiln_status *status =
          viewModuleBuffer(signature.dtype, signature.rank,
                           static_cast<const int64_t *>(
                               descriptors[function.inputs.size() + index]),
                           view))
    return status;
  if (kiln_status *status = kiln_tensor_create(signature.dtype, signature.rank,
                                               view.sizes, &tensor))
    return status;
  if (view.byteSize == 0)
    return nullptr;
  if (CUresult result = run.driver->memcpyDtoHAsync(
          tensor->data, reinterpret_cast<CUdeviceptr>(view.data), view.byteSize,
          run.stream))
    return makeError(KILN_INTERNAL, "function '", function.name,
                     "': copying output ", index, " ('", signature.name,
                     "') from the device failed: ", describeResult(result));
  return nullptr;
}

kiln_status *DeviceCall::fetchOutputs(const RunBuffer *outputs,
                                      kiln_tensor **created) {
  for (size_t i = 0; i < function.outputs.size(); ++i) {
    if (!function.outputs[i].isStatic) {
      if (kiln_status *status = fetchDynamic(i, created[i]))
        return status;
      continue;
    }
    // A device tensor was written in place.
    if (outputs[i].byteSize == 0 || outputs[i].onDevice)
      continue;
    CUdeviceptr block;
    std::memcpy(&block, descriptors[function.inputs.size() + i], sizeof(block));
    if (CUresult result = run.driver->memcpyDtoHAsync(
            outputs[i].data, block, outputs[i].byteSize, run.stream))
      return makeError(KILN_INTERNAL, "function '", function.name,
                       "': copying output ", i, " ('", function.outputs[i].name,
                       "') from the device failed: ", describeResult(result));
  }
  return nullptr;
}

kiln_status *DeviceCall::runError() const {
  if (run.errorCode == KILN_OK)
    return nullptr;
  if (run.error.empty())
    return outOfMemoryStatus();
  return makeError(run.errorCode, "function '", function.name,
                   "': ", run.error);
}

kiln_status *DeviceCall::finish() {
  // Kernels that faulted report it here, as the stream's error.
  CUresult result = run.driver->streamSynchronize(run.stream);
  if (kiln_status *status = runError())
    return status;
  if (result != CUDA_SUCCESS)
    return makeError(KILN_INTERNAL, "function '", function.name,
                     "': its CUDA work failed: ", describeResult(result));
  return nullptr;
}

void DeviceCall::release() {
  for (CUdeviceptr block : buffers)
    freeDevice(*run.driver, block, run.stream);
  for (CUdeviceptr block : run.blocks)
    freeDevice(*run.driver, block, run.stream);
  buffers.clear();
  run.blocks.clear();
  // Stream-ordered frees complete with the stream; wait, so that a session's
  // next run (or the program) finds the memory back in the pool.
  run.driver->streamSynchronize(run.stream);
}

/// Combines the status of a call step with the run's error: a CUDA failure
/// is usually the cause of whatever the step reports.
kiln_status *preferRunError(kiln_status *status, DeviceCall &call) {
  if (!status)
    return call.finish();
  kiln_status *runStatus = call.finish();
  if (!runStatus)
    return status;
  kiln_status_free(status);
  return runStatus;
}

} // namespace

kiln_status *kiln::internal::cuda::runEntry(const kiln_function &function,
                                            CudaSessionState *session,
                                            const RunBuffer *inputs,
                                            const RunBuffer *outputs,
                                            kiln_tensor **created) {
  const Driver *driver = cuda::driver();
  if (!driver)
    return makeError(KILN_UNAVAILABLE, "function '", function.name,
                     "' was compiled for CUDA, but there is no CUDA device "
                     "here: ",
                     unavailableReason());
  ContextScope context(*driver);
  if (CUresult result = context.result())
    return makeError(
        KILN_INTERNAL, "function '", function.name,
        "': cannot make the CUDA context current: ", describeResult(result));
  CUstream *slot = session ? reinterpret_cast<CUstream *>(&session->stream)
                           : &threadStream.stream;
  if (kiln_status *status = ensureStream(*driver, slot, function))
    return status;

  CudaRun run;
  run.driver = driver;
  run.stream = *slot;
  run.pool = session ? sessionPool(*driver, *session) : nullptr;
  DeviceCall call(function, run);
  kiln_status *status = call.prepare(inputs, outputs);
  if (!status)
    status = call.invoke();
  // After a CUDA failure the outputs hold nothing worth copying.
  if (!status && run.errorCode == KILN_OK)
    status = call.fetchOutputs(outputs, created);
  return preferRunError(status, call);
}

void kiln::internal::cuda::releaseSession(CudaSessionState &session) {
  const Driver *driver = cuda::driver();
  if (driver && (session.stream || session.pool)) {
    ContextScope context(*driver);
    // Runs end synchronized; waiting again costs nothing and makes sure no
    // work of the session still uses its pool.
    if (session.stream)
      driver->streamSynchronize(static_cast<CUstream>(session.stream));
    destroyStream(static_cast<CUstream>(session.stream));
    if (session.pool)
      driver->memPoolDestroy(static_cast<CUmemoryPool>(session.pool));
  }
  session = CudaSessionState();
}

size_t
kiln::internal::cuda::sessionReservedMemory(const CudaSessionState &session) {
  const Driver *driver = cuda::driver();
  if (!driver || !session.pool || !driver->memPoolGetAttribute)
    return 0;
  cuuint64_t reserved = 0;
  if (driver->memPoolGetAttribute(static_cast<CUmemoryPool>(session.pool),
                                  CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT,
                                  &reserved) != CUDA_SUCCESS)
    return 0;
  return static_cast<size_t>(reserved);
}
