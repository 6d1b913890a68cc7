//===- kiln/runtime.hpp - Thin C++17 RAII layer over the runtime C API ----===//
//
// Header-only wrappers around kiln/runtime.h: handles that free themselves,
// failures reported as kiln::rt::Error exceptions, and std::vector/std::string
// in place of pointer-and-count pairs. Everything here calls the C API; it
// adds no state of its own, so the C API's thread rules apply unchanged:
// a Module and its Functions may be shared by many threads, and
// Function::run() may be called concurrently as long as each call has its
// own output tensors. A Session is used by one thread at a time.
//
// Ownership: Tensor and Session are move-only owners; Module and Function
// share ownership of the loaded module, so a Function or Session keeps its
// module loaded for as long as it exists.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_HPP
#define KILN_RUNTIME_HPP

#include "kiln/runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln::rt {

/// A failed runtime call: the status code and message of the C API.
class Error : public std::runtime_error {
public:
  Error(kiln_status_code code, const std::string &message)
      : std::runtime_error(message), statusCode(code) {}

  /// The C API's code for this failure, e.g. KILN_INVALID_ARGUMENT.
  kiln_status_code code() const noexcept { return statusCode; }

private:
  kiln_status_code statusCode;
};

namespace detail {

/// Takes ownership of `status`; throws an Error carrying its code and
/// message when it is not NULL (success).
inline void check(kiln_status *status) {
  if (!status)
    return;
  kiln_status_code code = kiln_status_get_code(status);
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  throw Error(code, message);
}

} // namespace detail

/// A description of one input or output of a function, copied out of the
/// module so that it stays valid on its own.
struct ValueInfo {
  std::string name;
  kiln_dtype dtype;
  /// One entry per dimension; -1 marks a dimension known only at run time.
  std::vector<int64_t> dims;
};

/// A move-only owner of a kiln_tensor. An empty Tensor (default-constructed
/// or moved from) holds no tensor; its accessors must not be called.
/// A Tensor must not be written by one thread while another uses it.
class Tensor {
public:
  /// An empty tensor.
  Tensor() noexcept = default;
  /// Takes ownership of `tensor` (which may be NULL).
  explicit Tensor(kiln_tensor *tensor) noexcept : handle(tensor) {}
  Tensor(Tensor &&other) noexcept : handle(other.release()) {}
  Tensor &operator=(Tensor &&other) noexcept {
    if (this != &other)
      reset(other.release());
    return *this;
  }
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;
  ~Tensor() { kiln_tensor_free(handle); }

  /// A tensor that owns zero-initialized, 64-byte-aligned storage.
  static Tensor create(kiln_dtype dtype, const std::vector<int64_t> &shape) {
    kiln_tensor *tensor = nullptr;
    detail::check(
        kiln_tensor_create(dtype, shape.size(), shape.data(), &tensor));
    return Tensor(tensor);
  }

  /// A tensor that borrows `data` (`byteSize` bytes, which must match dtype
  /// and shape). The caller keeps the memory alive while the tensor is used.
  static Tensor wrap(kiln_dtype dtype, const std::vector<int64_t> &shape,
                     void *data, size_t byteSize) {
    kiln_tensor *tensor = nullptr;
    detail::check(kiln_tensor_wrap(dtype, shape.size(), shape.data(), data,
                                   byteSize, &tensor));
    return Tensor(tensor);
  }

  /// A tensor in uninitialized CUDA device memory (see
  /// kiln_tensor_create_on_device()); throws an Error (KILN_UNAVAILABLE)
  /// where there is no CUDA device.
  static Tensor createOnDevice(kiln_dtype dtype,
                               const std::vector<int64_t> &shape) {
    kiln_tensor *tensor = nullptr;
    detail::check(kiln_tensor_create_on_device(dtype, shape.size(),
                                               shape.data(), &tensor));
    return Tensor(tensor);
  }

  /// A copy of this tensor in device memory (kiln_tensor_copy_to_device()).
  Tensor toDevice() const {
    kiln_tensor *tensor = nullptr;
    detail::check(kiln_tensor_copy_to_device(handle, &tensor));
    return Tensor(tensor);
  }
  /// A copy of this tensor in host memory (kiln_tensor_copy_to_host()).
  Tensor toHost() const {
    kiln_tensor *tensor = nullptr;
    detail::check(kiln_tensor_copy_to_host(handle, &tensor));
    return Tensor(tensor);
  }
  /// Copies the data of `source` (same dtype and shape) into this tensor,
  /// host or device memory on either side (kiln_tensor_copy()).
  void copyFrom(const Tensor &source) {
    detail::check(kiln_tensor_copy(source.get(), handle));
  }
  /// True when the data is in CUDA device memory: data() is then a device
  /// address that must not be dereferenced on the host.
  bool onDevice() const noexcept {
    return kiln_tensor_is_on_device(handle) != 0;
  }

  kiln_dtype dtype() const noexcept { return kiln_tensor_dtype(handle); }
  size_t rank() const noexcept { return kiln_tensor_rank(handle); }
  /// The dimensions, copied.
  std::vector<int64_t> shape() const {
    const int64_t *dims = kiln_tensor_shape(handle);
    return std::vector<int64_t>(dims, dims + rank());
  }
  int64_t elementCount() const noexcept {
    return kiln_tensor_element_count(handle);
  }
  size_t byteSize() const noexcept { return kiln_tensor_byte_size(handle); }
  bool ownsData() const noexcept { return kiln_tensor_owns_data(handle) != 0; }

  /// The data as elements of `T` (a device address for a device tensor).
  /// Throws an Error (KILN_INVALID_ARGUMENT) when `T` does not have the size
  /// of the tensor's element type.
  template <typename T> T *data() {
    checkElementSize(sizeof(T));
    return static_cast<T *>(kiln_tensor_data(handle));
  }
  template <typename T> const T *data() const {
    checkElementSize(sizeof(T));
    return static_cast<const T *>(kiln_tensor_const_data(handle));
  }

  /// Element `index` of a string tensor (borrowed, see kiln_tensor_string()).
  /// Throws an Error (KILN_INVALID_ARGUMENT) for another dtype and
  /// (KILN_OUT_OF_RANGE) for an index out of range.
  const char *string(int64_t index) const {
    if (dtype() != KILN_DTYPE_STRING)
      throw Error(KILN_INVALID_ARGUMENT, std::string("the tensor has dtype ") +
                                             kiln_dtype_name(dtype()) +
                                             ", not string");
    const char *value = kiln_tensor_string(handle, index);
    if (!value)
      throw Error(KILN_OUT_OF_RANGE,
                  "string index " + std::to_string(index) + " is out of range");
    return value;
  }
  /// Sets element `index` of an owned string tensor to a copy of `value`.
  void setString(int64_t index, const std::string &value) {
    detail::check(kiln_tensor_set_string(handle, index, value.c_str()));
  }

  /// The FNV-1a 64-bit checksum of the data bytes (see kiln_checksum());
  /// a device tensor is copied to the host for it.
  uint64_t checksum() const noexcept { return kiln_tensor_checksum(handle); }

  /// The wrapped handle, still owned by this Tensor.
  kiln_tensor *get() const noexcept { return handle; }
  /// Gives up ownership: the caller must kiln_tensor_free() the result.
  kiln_tensor *release() noexcept { return std::exchange(handle, nullptr); }
  /// Frees the current tensor and takes ownership of `tensor`.
  void reset(kiln_tensor *tensor = nullptr) noexcept {
    kiln_tensor_free(std::exchange(handle, tensor));
  }
  explicit operator bool() const noexcept { return handle != nullptr; }

private:
  void checkElementSize(size_t size) const {
    if (size != kiln_dtype_size(dtype()))
      throw Error(KILN_INVALID_ARGUMENT,
                  std::string("element type of ") + std::to_string(size) +
                      " bytes does not match tensor dtype " +
                      kiln_dtype_name(dtype()));
  }

  kiln_tensor *handle = nullptr;
};

/// The elements of a sequence returned as "NAME.values" and "NAME.index"
/// (kiln_sequence_element() in runtime.h), each a tensor of its own.
inline std::vector<Tensor> sequenceElements(const Tensor &values,
                                            const Tensor &index) {
  int64_t length = 0;
  detail::check(kiln_sequence_length(index.get(), &length));
  std::vector<Tensor> elements;
  for (int64_t i = 0; i < length; ++i) {
    kiln_tensor *element = nullptr;
    detail::check(
        kiln_sequence_element(values.get(), index.get(), i, &element));
    elements.emplace_back(element);
  }
  return elements;
}

/// One function of a module. A Function shares ownership of its module, so
/// it stays usable after the Module it came from is destroyed. Copies are
/// cheap and may be used from many threads at once.
class Function {
public:
  /// Wraps `function`, which must belong to `module`.
  Function(std::shared_ptr<kiln_module> module, const kiln_function *function)
      : owner(std::move(module)), handle(function) {}

  std::string name() const { return kiln_function_name(handle); }
  std::vector<ValueInfo> inputs() const {
    return describe(kiln_function_input_count(handle),
                    kiln_function_input_info);
  }
  std::vector<ValueInfo> outputs() const {
    return describe(kiln_function_output_count(handle),
                    kiln_function_output_info);
  }

  /// Runs the function and returns newly allocated outputs. `inputs` are
  /// borrowed for the duration of the call and must not be NULL.
  std::vector<Tensor> run(const std::vector<const Tensor *> &inputs) const {
    std::vector<Tensor> outputs(kiln_function_output_count(handle));
    run(inputs, outputs);
    return outputs;
  }

  /// Runs the function writing into `outputs`, which must have one entry per
  /// output: non-empty entries are caller-provided tensors written in place,
  /// empty ones receive new tensors. On failure `outputs` is unchanged.
  void run(const std::vector<const Tensor *> &inputs,
           std::vector<Tensor> &outputs) const {
    std::vector<const kiln_tensor *> inputHandles;
    inputHandles.reserve(inputs.size());
    for (const Tensor *input : inputs)
      inputHandles.push_back(input ? input->get() : nullptr);
    std::vector<kiln_tensor *> outputHandles;
    outputHandles.reserve(outputs.size());
    for (const Tensor &output : outputs)
      outputHandles.push_back(output.get());

    detail::check(kiln_function_run(handle, inputHandles.data(),
                                    inputHandles.size(), outputHandles.data(),
                                    outputHandles.size()));
    // The slots that were empty now hold tensors that the caller owns.
    for (size_t i = 0; i < outputs.size(); ++i)
      if (!outputs[i])
        outputs[i] = Tensor(outputHandles[i]);
  }

  /// Runs the function on plain dense buffers, one per input and output, of
  /// exactly the (static) signature's size; see kiln_function_run_buffers().
  void runBuffers(const std::vector<const void *> &inputs,
                  const std::vector<void *> &outputs) const {
    detail::check(kiln_function_run_buffers(
        handle, inputs.data(), inputs.size(), outputs.data(), outputs.size()));
  }

  /// The wrapped handle, borrowed from the module.
  const kiln_function *get() const noexcept { return handle; }
  /// The module this function belongs to (shared ownership).
  const std::shared_ptr<kiln_module> &module() const noexcept { return owner; }

private:
  using InfoFn = kiln_status *(*)(const kiln_function *, size_t,
                                  kiln_value_info *);

  std::vector<ValueInfo> describe(size_t count, InfoFn info) const {
    std::vector<ValueInfo> values;
    values.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      kiln_value_info value;
      detail::check(info(handle, i, &value));
      values.push_back(
          ValueInfo{value.name, value.dtype,
                    std::vector<int64_t>(value.dims, value.dims + value.rank)});
    }
    return values;
  }

  std::shared_ptr<kiln_module> owner;
  const kiln_function *handle;
};

/// Settings of a Session; see kiln_session_options.
struct SessionOptions {
  /// Threads a run may use; 0 picks the default (1): library kernels and the
  /// parallel loops of generated code use that many (see
  /// kiln_session_options).
  int32_t threads = 0;
};

/// A move-only session: one function with its own settings and state (see
/// kiln_session_create()). It keeps its module loaded. Use a Session from one
/// thread at a time; give each thread its own.
class Session {
public:
  /// An empty session.
  Session() noexcept = default;
  /// Creates a session for `function`.
  explicit Session(const Function &function, const SessionOptions &options = {})
      : owner(function.module()) {
    kiln_session_options settings;
    kiln_session_options_init(&settings);
    settings.num_threads = options.threads;
    detail::check(kiln_session_create(function.get(), &settings, &handle));
  }
  Session(Session &&other) noexcept
      : owner(std::move(other.owner)),
        handle(std::exchange(other.handle, nullptr)) {}
  Session &operator=(Session &&other) noexcept {
    if (this != &other) {
      kiln_session_free(handle);
      handle = std::exchange(other.handle, nullptr);
      owner = std::move(other.owner);
    }
    return *this;
  }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  ~Session() { kiln_session_free(handle); }

  /// The thread count, with 0 resolved to the default.
  int32_t threads() const noexcept { return kiln_session_num_threads(handle); }
  /// The bytes of arena the session holds (0 today).
  size_t arenaSize() const noexcept { return kiln_session_arena_size(handle); }
  /// The bytes of device memory the session's CUDA memory pool holds (see
  /// kiln_session_device_memory_reserved()).
  size_t deviceMemoryReserved() const noexcept {
    return kiln_session_device_memory_reserved(handle);
  }

  /// Runs the session's function and returns newly allocated outputs.
  std::vector<Tensor> run(const std::vector<const Tensor *> &inputs) {
    std::vector<Tensor> outputs(
        kiln_function_output_count(kiln_session_function(handle)));
    run(inputs, outputs);
    return outputs;
  }

  /// Runs writing into `outputs` (one entry per output): non-empty entries
  /// are written in place, empty ones receive new tensors.
  void run(const std::vector<const Tensor *> &inputs,
           std::vector<Tensor> &outputs) {
    std::vector<const kiln_tensor *> inputHandles;
    inputHandles.reserve(inputs.size());
    for (const Tensor *input : inputs)
      inputHandles.push_back(input ? input->get() : nullptr);
    std::vector<kiln_tensor *> outputHandles;
    outputHandles.reserve(outputs.size());
    for (const Tensor &output : outputs)
      outputHandles.push_back(output.get());
    detail::check(kiln_session_run(handle, inputHandles.data(),
                                   inputHandles.size(), outputHandles.data(),
                                   outputHandles.size()));
    for (size_t i = 0; i < outputs.size(); ++i)
      if (!outputs[i])
        outputs[i] = Tensor(outputHandles[i]);
  }

  /// The wrapped handle, still owned by this Session.
  kiln_session *get() const noexcept { return handle; }
  explicit operator bool() const noexcept { return handle != nullptr; }

private:
  std::shared_ptr<kiln_module> owner;
  kiln_session *handle = nullptr;
};

/// The number of CUDA devices CUDA modules can use; throws an Error
/// (KILN_UNAVAILABLE) saying why when there is none (see
/// kiln_cuda_device_count()).
inline int32_t cudaDeviceCount() {
  int32_t count = 0;
  detail::check(kiln_cuda_device_count(&count));
  return count;
}

/// A loaded module with shared ownership: copies and the Functions taken
/// from it keep it loaded; the last one to go frees it.
class Module {
public:
  /// Loads a compiled module from a shared library.
  static Module load(const std::string &path) {
    kiln_module *module = nullptr;
    detail::check(kiln_module_load(path.c_str(), &module));
    return Module(module);
  }

  /// Wraps an in-memory module table; see kiln_module_from_abi() for when
  /// `release(owner)` is called (also when this throws).
  static Module fromAbi(const kiln_abi_module *abi, void *owner,
                        void (*release)(void *owner)) {
    kiln_module *module = nullptr;
    detail::check(kiln_module_from_abi(abi, owner, release, &module));
    return Module(module);
  }

  /// Wraps in-memory module tables (e.g. a model linked into the program);
  /// see kiln_module_from_tables().
  static Module fromTables(const kiln_abi_module *abi,
                           const kiln_abi_module_info *info,
                           void *owner = nullptr,
                           void (*release)(void *owner) = nullptr) {
    kiln_module *module = nullptr;
    detail::check(kiln_module_from_tables(abi, info, owner, release, &module));
    return Module(module);
  }

  std::string producer() const { return kiln_module_producer(handle.get()); }
  /// Bytes of arena each session allocates; 0 for every module today.
  size_t arenaSize() const noexcept {
    return kiln_module_arena_size(handle.get());
  }
  /// The largest arena the compiler planned for a function (see
  /// kiln_module_planned_arena_size()).
  size_t plannedArenaSize() const noexcept {
    return kiln_module_planned_arena_size(handle.get());
  }
  /// True when the weights were read from a separate file.
  bool hasExternalWeights() const noexcept {
    return kiln_module_has_external_weights(handle.get()) != 0;
  }

  /// Where the module's code runs: KILN_TARGET_CPU or KILN_TARGET_CUDA.
  uint32_t target() const noexcept { return kiln_module_target(handle.get()); }
  /// The GPU architecture of a CUDA module ("sm_90"); empty for the CPU.
  std::string targetArch() const {
    const char *arch = kiln_module_target_arch(handle.get());
    return arch ? arch : "";
  }

  /// Every function of the module, in table order.
  std::vector<Function> functions() const {
    std::vector<Function> result;
    size_t count = kiln_module_function_count(handle.get());
    result.reserve(count);
    for (size_t i = 0; i < count; ++i)
      result.emplace_back(handle, kiln_module_function_at(handle.get(), i));
    return result;
  }

  /// The function called `name`; throws an Error (KILN_NOT_FOUND) listing
  /// the available names when there is none.
  Function function(const std::string &name) const {
    const kiln_function *function = nullptr;
    detail::check(
        kiln_module_find_function(handle.get(), name.c_str(), &function));
    return Function(handle, function);
  }

  /// The wrapped handle, still owned by this Module.
  kiln_module *get() const noexcept { return handle.get(); }

private:
  /// Takes ownership of `module`. If allocating the shared_ptr's control
  /// block throws, shared_ptr frees the module first.
  explicit Module(kiln_module *module) : handle(module, kiln_module_free) {}

  std::shared_ptr<kiln_module> handle;
};

} // namespace kiln::rt

#endif // KILN_RUNTIME_HPP
