//===- run.cpp - Validating a call and running a compiled function --------===//
//
// Implements kiln_function_run(): check every argument against the function's
// signature, allocate the outputs the caller left to the runtime, build the
// MLIR memref descriptors the entry point expects, and call it.
//
// This is the hot path. Apart from the output tensors it creates, a call with
// at most kInlineValues values needs no heap memory: the descriptors live in
// stack buffers, and strings are only built once something has gone wrong.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "internal.h"
#include "onednn/kernels.h"

#include <cstring>
#include <memory>

using namespace kiln::internal;

namespace {

/// Calls with up to this many inputs plus outputs, of rank up to
/// kInlineRank, build their descriptors on the stack.
constexpr size_t kInlineValues = 64;
constexpr size_t kInlineRank = 8;
constexpr size_t kInlineWords = kInlineValues * (3 + 2 * kInlineRank);

/// An array of trivially copyable `T` that lives on the stack when it has at
/// most `InlineCapacity` elements and on the heap otherwise. Elements start
/// uninitialized.
template <typename T, size_t InlineCapacity> class ScratchArray {
public:
  explicit ScratchArray(size_t size) {
    if (size > InlineCapacity) {
      heapStorage.reset(new T[size]);
      elements = heapStorage.get();
    }
  }
  ScratchArray(const ScratchArray &) = delete;
  ScratchArray &operator=(const ScratchArray &) = delete;

  T &operator[](size_t index) { return elements[index]; }
  T *data() { return elements; }

private:
  T inlineStorage[InlineCapacity];
  std::unique_ptr<T[]> heapStorage;
  T *elements = inlineStorage;
};

/// The outputs this call allocated. They are freed on destruction unless
/// commit() handed them to the caller, so every failure path (including an
/// exception) releases them and leaves the caller's slots untouched.
class CreatedOutputs {
public:
  explicit CreatedOutputs(size_t numOutputs)
      : tensors(numOutputs), count(numOutputs) {
    for (size_t i = 0; i < count; ++i)
      tensors[i] = nullptr;
  }
  ~CreatedOutputs() {
    for (size_t i = 0; i < count; ++i)
      kiln_tensor_free(tensors[i]);
  }

  kiln_tensor *&operator[](size_t index) { return tensors[index]; }

  /// Moves the created tensors into the caller's (NULL) slots.
  void commit(kiln_tensor **slots) {
    for (size_t i = 0; i < count; ++i) {
      if (tensors[i])
        slots[i] = tensors[i];
      tensors[i] = nullptr;
    }
  }

private:
  ScratchArray<kiln_tensor *, kInlineValues> tensors;
  size_t count;
};

/// Names a value for messages: "input 0 ('x') of 'f'".
std::string describe(const kiln_function &function, const char *kind,
                     size_t index, const ValueSignature &value) {
  return std::string(kind) + " " + std::to_string(index) + " ('" + value.name +
         "') of '" + function.name + "'";
}

/// Checks that the caller passed as many values as the signature has.
kiln_status *checkCount(const kiln_function &function, const char *kind,
                        size_t expected, size_t actual, const void *array) {
  if (actual != expected)
    return makeError(KILN_INVALID_ARGUMENT, "function '", function.name,
                     "' expects ", expected, " ", kind,
                     expected == 1 ? "" : "s", ", got ", actual);
  if (expected > 0 && !array)
    return makeError(KILN_INVALID_ARGUMENT, "function '", function.name,
                     "' expects ", expected, " ", kind,
                     expected == 1 ? "" : "s", ", got a NULL array");
  return nullptr;
}

/// The sizes the run-time dims (symbols) of one call's inputs have taken:
/// where each symbol was first seen, and its size (-1 while unbound).
struct SymbolBinding {
  int64_t size = -1;
  size_t input = 0;
  size_t dim = 0;
};

/// Checks one tensor against its signature: dtype, rank and every static
/// dimension. A run-time dimension accepts any size, but with `bindings`
/// (inputs) all dimensions of one symbol must agree.
kiln_status *checkTensor(const kiln_function &function, const char *kind,
                         size_t index, const ValueSignature &signature,
                         const kiln_tensor *tensor,
                         SymbolBinding *bindings = nullptr) {
  if (!tensor)
    return makeError(KILN_INVALID_ARGUMENT,
                     describe(function, kind, index, signature), " is NULL");
  if (tensor->dtype != signature.dtype)
    return makeError(KILN_INVALID_ARGUMENT,
                     describe(function, kind, index, signature), " has dtype ",
                     kiln_dtype_name(tensor->dtype), ", expected ",
                     kiln_dtype_name(signature.dtype));
  if (tensor->rank != signature.rank)
    return makeError(KILN_INVALID_ARGUMENT,
                     describe(function, kind, index, signature), " has rank ",
                     tensor->rank, ", expected ", signature.rank, " (shape ",
                     formatDims(signature.dims, signature.rank), ")");
  for (size_t i = 0; i < signature.rank; ++i) {
    int64_t dim = signature.dims[i];
    if (dim >= 0 && tensor->shape[i] != dim)
      return makeError(
          KILN_INVALID_ARGUMENT, describe(function, kind, index, signature),
          " dimension ", i, " is ", tensor->shape[i], ", expected ", dim,
          " (shape ", formatDims(tensor->shape, tensor->rank), ", expected ",
          formatDims(signature.dims, signature.rank), ")");
    if (dim >= 0 || !bindings)
      continue;
    SymbolBinding &binding = bindings[symbolOf(dim)];
    if (binding.size < 0) {
      binding = {tensor->shape[i], index, i};
    } else if (binding.size != tensor->shape[i]) {
      const ValueSignature &first = function.inputs[binding.input];
      return makeError(KILN_INVALID_ARGUMENT,
                       describe(function, kind, index, signature),
                       " dimension ", i, " is ", tensor->shape[i],
                       ", but it must equal dimension ", binding.dim, " of ",
                       describe(function, "input", binding.input, first),
                       ", which is ", binding.size);
    }
  }
  return nullptr;
}

/// True when the byte ranges of `a` and `b` share at least one byte (host
/// and device addresses never do).
bool overlaps(const kiln_tensor &a, const kiln_tensor &b) {
  if (a.byteSize == 0 || b.byteSize == 0 || a.onDevice != b.onDevice)
    return false;
  auto aBegin = reinterpret_cast<uintptr_t>(a.data);
  auto bBegin = reinterpret_cast<uintptr_t>(b.data);
  return aBegin < bBegin + b.byteSize && bBegin < aBegin + a.byteSize;
}

/// Checks that caller-provided output `index` shares no storage with any
/// input or any other caller-provided output. This is quadratic, but it needs
/// no memory and calls have few values.
kiln_status *checkOverlap(const kiln_function &function,
                          const kiln_tensor *const *inputs,
                          kiln_tensor *const *outputs, size_t index) {
  const kiln_tensor &output = *outputs[index];
  auto report = [&](const char *kind, size_t other,
                    const ValueSignature &otherSignature) {
    return makeError(
        KILN_INVALID_ARGUMENT,
        describe(function, "output", index, function.outputs[index]),
        " overlaps ", kind, " ", other, " ('", otherSignature.name,
        "'): output storage must not overlap any input or "
        "other output");
  };
  for (size_t i = 0; i < function.inputs.size(); ++i)
    if (overlaps(output, *inputs[i]))
      return report("input", i, function.inputs[i]);
  for (size_t i = 0; i < index; ++i)
    if (outputs[i] && overlaps(output, *outputs[i]))
      return report("output", i, function.outputs[i]);
  return nullptr;
}

/// Checks that every element of string input `index` is a string; compiled
/// code reads them without checking. Other inputs pass.
kiln_status *checkStringInput(const kiln_function &function, size_t index,
                              const void *data, int64_t elementCount) {
  const ValueSignature &signature = function.inputs[index];
  if (signature.dtype != KILN_DTYPE_STRING)
    return nullptr;
  return checkStringElements(static_cast<const char *const *>(data),
                             elementCount,
                             describe(function, "input", index, signature));
}

/// Checks that a tensor of a CPU function's call is in host memory; any
/// tensor may be given to a CUDA function. `remedy` says what to do instead.
kiln_status *checkMemorySide(const kiln_function &function, const char *kind,
                             size_t index, const ValueSignature &signature,
                             const kiln_tensor &tensor, const char *remedy) {
  if (!tensor.onDevice || function.target == KILN_TARGET_CUDA)
    return nullptr;
  return makeError(KILN_INVALID_ARGUMENT,
                   describe(function, kind, index, signature),
                   " is in CUDA device memory; function '", function.name,
                   "' runs on the CPU: ", remedy);
}

/// Checks everything about a call before any memory is allocated or any
/// compiled code runs.
kiln_status *validateCall(const kiln_function &function,
                          const kiln_tensor *const *inputs, size_t numInputs,
                          kiln_tensor *const *outputs, size_t numOutputs) {
  if (kiln_status *status = checkCount(
          function, "input", function.inputs.size(), numInputs, inputs))
    return status;
  if (kiln_status *status = checkCount(
          function, "output", function.outputs.size(), numOutputs, outputs))
    return status;
  ScratchArray<SymbolBinding, kInlineValues> bindings(function.numSymbols);
  for (size_t s = 0; s < function.numSymbols; ++s)
    bindings[s] = SymbolBinding();
  for (size_t i = 0; i < numInputs; ++i) {
    if (kiln_status *status =
            checkTensor(function, "input", i, function.inputs[i], inputs[i],
                        bindings.data()))
      return status;
    if (kiln_status *status = checkMemorySide(
            function, "input", i, function.inputs[i], *inputs[i],
            "copy it with kiln_tensor_copy_to_host()"))
      return status;
    if (kiln_status *status = checkStringInput(function, i, inputs[i]->data,
                                               inputs[i]->elementCount))
      return status;
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    const ValueSignature &signature = function.outputs[i];
    if (!outputs[i])
      continue;
    if (signature.dtype == KILN_DTYPE_STRING && !outputs[i]->ownsData)
      return makeError(
          KILN_INVALID_ARGUMENT, describe(function, "output", i, signature),
          " is a string tensor that borrows its storage: string outputs "
          "own their strings, so pass NULL or a tensor from "
          "kiln_tensor_create()");
    if (!signature.isStatic)
      return makeError(
          KILN_INVALID_ARGUMENT, describe(function, "output", i, signature),
          " has shape ", formatDims(signature.dims, signature.rank),
          ", known only when the function runs: the function allocates it, so "
          "its slot must be NULL");
    if (kiln_status *status =
            checkTensor(function, "output", i, signature, outputs[i]))
      return status;
    if (kiln_status *status =
            checkMemorySide(function, "output", i, signature, *outputs[i],
                            "pass a host tensor, or NULL for a new one"))
      return status;
    if (kiln_status *status = checkOverlap(function, inputs, outputs, i))
      return status;
  }
  return nullptr;
}

using kiln::internal::writeDescriptor;

int64_t *writeDescriptor(int64_t *words, const kiln_tensor &tensor) {
  return writeDescriptor(words, tensor.data, tensor.rank, tensor.shape);
}

/// Builds the descriptors for a validated call and runs the entry point.
kiln_status *callEntry(const kiln_function &function,
                       const kiln_tensor *const *inputs,
                       kiln_tensor *const *outputs, CreatedOutputs &created) {
  // Owns the strings the compiled code creates until this call returns.
  ActiveStringRun strings;
  size_t numInputs = function.inputs.size();
  size_t numValues = numInputs + function.outputs.size();
  ScratchArray<int64_t, kInlineWords> words(function.descriptorWords);
  ScratchArray<void *, kInlineValues> descriptors(numValues);
  // Static string outputs are written to scratch arrays first: the strings
  // there belong to the run, and are copied into the tensors on success.
  std::vector<std::vector<const char *>> stringScratch;

  int64_t *next = words.data();
  for (size_t i = 0; i < numInputs; ++i) {
    descriptors[i] = next;
    next = writeDescriptor(next, *inputs[i]);
  }
  for (size_t i = 0; i < function.outputs.size(); ++i) {
    const ValueSignature &signature = function.outputs[i];
    descriptors[numInputs + i] = next;
    if (signature.isStatic && signature.dtype == KILN_DTYPE_STRING) {
      const kiln_tensor &output = outputs[i] ? *outputs[i] : *created[i];
      if (stringScratch.empty())
        stringScratch.resize(function.outputs.size());
      stringScratch[i].assign(static_cast<size_t>(output.elementCount),
                              nullptr);
      next = writeDescriptor(next, stringScratch[i].data(), output.rank,
                             output.shape);
      continue;
    }
    if (signature.isStatic) {
      next = writeDescriptor(next, outputs[i] ? *outputs[i] : *created[i]);
      continue;
    }
    // The function fills this descriptor with the buffer it allocates.
    size_t words = 3 + 2 * signature.rank;
    std::memset(next, 0, words * sizeof(int64_t));
    next += words;
  }
  if (kiln_status *status = invokeEntry(function, descriptors.data()))
    return status;

  // Take ownership of every buffer the function allocated, even when one of
  // them is rejected, so that none leaks.
  kiln_status *firstError = nullptr;
  for (size_t i = 0; i < function.outputs.size(); ++i) {
    const ValueSignature &signature = function.outputs[i];
    if (signature.isStatic)
      continue;
    kiln_status *status = adoptModuleBuffer(
        signature.dtype, signature.rank,
        static_cast<int64_t *>(descriptors[numInputs + i]),
        function.usesKilnHeap, &created[i]);
    // The tensor owns its strings from now on: copy them out of the run.
    if (!status && signature.dtype == KILN_DTYPE_STRING)
      status = copyStrings(static_cast<const char **>(created[i]->data),
                           created[i]->elementCount);
    if (status && !firstError)
      firstError = status;
    else if (status)
      kiln_status_free(status);
  }
  if (firstError)
    return firstError;
  if (kiln_status *status = strings.takeError(function.name))
    return status;
  for (size_t i = 0; i < stringScratch.size(); ++i) {
    if (!function.outputs[i].isStatic ||
        function.outputs[i].dtype != KILN_DTYPE_STRING)
      continue;
    std::vector<const char *> &scratch = stringScratch[i];
    if (kiln_status *status = copyStrings(scratch.data(), scratch.size()))
      return status;
    kiln_tensor &output = outputs[i] ? *outputs[i] : *created[i];
    releaseStrings(output);
    std::memcpy(output.data, scratch.data(),
                scratch.size() * sizeof(const char *));
  }
  return nullptr;
}

/// True when the byte ranges [a, a + aSize) and [b, b + bSize) intersect.
bool rangesOverlap(const void *a, size_t aSize, const void *b, size_t bSize) {
  if (aSize == 0 || bSize == 0)
    return false;
  auto aBegin = reinterpret_cast<uintptr_t>(a);
  auto bBegin = reinterpret_cast<uintptr_t>(b);
  return aBegin < bBegin + bSize && bBegin < aBegin + aSize;
}

/// Checks one buffer of kiln_function_run_buffers(): a static signature of a
/// representable size, and data unless it is empty.
kiln_status *checkBuffer(const kiln_function &function, const char *kind,
                         size_t index, const ValueSignature &signature,
                         const void *data) {
  if (!signature.isStatic)
    return makeError(
        KILN_INVALID_ARGUMENT, describe(function, kind, index, signature),
        " has dynamic shape ", formatDims(signature.dims, signature.rank),
        ": plain buffers need static shapes; use "
        "kiln_function_run() with tensors");
  if (signature.byteSize == SIZE_MAX)
    return makeError(KILN_OUT_OF_RANGE,
                     describe(function, kind, index, signature), " of shape ",
                     formatDims(signature.dims, signature.rank),
                     " is too large to exist");
  if (!data && signature.byteSize != 0)
    return makeError(KILN_INVALID_ARGUMENT,
                     describe(function, kind, index, signature),
                     " is a NULL buffer");
  return nullptr;
}

kiln_status *validateBufferCall(const kiln_function &function,
                                const void *const *inputs, size_t numInputs,
                                void *const *outputs, size_t numOutputs) {
  if (kiln_status *status = checkCount(
          function, "input", function.inputs.size(), numInputs, inputs))
    return status;
  if (kiln_status *status = checkCount(
          function, "output", function.outputs.size(), numOutputs, outputs))
    return status;
  for (size_t i = 0; i < numInputs; ++i) {
    const ValueSignature &input = function.inputs[i];
    if (kiln_status *status =
            checkBuffer(function, "input", i, input, inputs[i]))
      return status;
    if (kiln_status *status = checkStringInput(
            function, i, inputs[i], input.byteSize / sizeof(const char *)))
      return status;
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    const ValueSignature &output = function.outputs[i];
    if (output.dtype == KILN_DTYPE_STRING)
      return makeError(KILN_INVALID_ARGUMENT,
                       describe(function, "output", i, output),
                       " is a string tensor: plain buffers cannot own "
                       "strings; use kiln_function_run() with tensors");
    if (kiln_status *status =
            checkBuffer(function, "output", i, output, outputs[i]))
      return status;
    auto overlapError = [&](const char *kind, size_t other,
                            const ValueSignature &otherSignature) {
      return makeError(KILN_INVALID_ARGUMENT,
                       describe(function, "output", i, output), " overlaps ",
                       kind, " ", other, " ('", otherSignature.name,
                       "'): output buffers must not overlap any input or "
                       "other output");
    };
    for (size_t j = 0; j < numInputs; ++j)
      if (rangesOverlap(outputs[i], output.byteSize, inputs[j],
                        function.inputs[j].byteSize))
        return overlapError("input", j, function.inputs[j]);
    for (size_t j = 0; j < i; ++j)
      if (rangesOverlap(outputs[i], output.byteSize, outputs[j],
                        function.outputs[j].byteSize))
        return overlapError("output", j, function.outputs[j]);
  }
  return nullptr;
}

/// A caller's tensor as a buffer of a CUDA run.
cuda::RunBuffer runBuffer(const kiln_tensor &tensor) {
  return {tensor.data, tensor.byteSize, tensor.rank, tensor.shape,
          tensor.onDevice};
}

/// Runs a validated call of a CUDA function: the runtime's outputs are
/// already in `created` except those with a run-time size, which the run
/// creates.
kiln_status *callCudaEntry(const kiln_function &function, kiln_session *session,
                           const kiln_tensor *const *inputs,
                           kiln_tensor *const *outputs,
                           CreatedOutputs &created) {
  size_t numInputs = function.inputs.size();
  size_t numOutputs = function.outputs.size();
  std::vector<cuda::RunBuffer> buffers(numInputs + numOutputs);
  std::vector<kiln_tensor *> dynamicOutputs(numOutputs, nullptr);
  for (size_t i = 0; i < numInputs; ++i)
    buffers[i] = runBuffer(*inputs[i]);
  for (size_t i = 0; i < numOutputs; ++i) {
    const ValueSignature &signature = function.outputs[i];
    const kiln_tensor *output = outputs[i] ? outputs[i] : created[i];
    buffers[numInputs + i] =
        signature.isStatic ? runBuffer(*output)
                           : cuda::RunBuffer{nullptr, 0, 0, nullptr, false};
  }
  kiln_status *status = cuda::runEntry(
      function, session ? &session->cuda : nullptr, buffers.data(),
      buffers.data() + numInputs, dynamicOutputs.data());
  // Created tensors belong to the call (and are freed on failure) either way.
  for (size_t i = 0; i < numOutputs; ++i)
    if (dynamicOutputs[i])
      created[i] = dynamicOutputs[i];
  return status;
}

/// kiln_function_run_buffers() of a validated call of a CUDA function: all
/// its values are static host buffers.
kiln_status *runCudaBuffers(const kiln_function &function,
                            const void *const *inputs, void *const *outputs) {
  size_t numInputs = function.inputs.size();
  std::vector<cuda::RunBuffer> buffers;
  buffers.reserve(numInputs + function.outputs.size());
  for (size_t i = 0; i < numInputs; ++i) {
    const ValueSignature &value = function.inputs[i];
    buffers.push_back({const_cast<void *>(inputs[i]), value.byteSize,
                       value.rank, value.dims, false});
  }
  for (size_t i = 0; i < function.outputs.size(); ++i) {
    const ValueSignature &value = function.outputs[i];
    buffers.push_back(
        {outputs[i], value.byteSize, value.rank, value.dims, false});
  }
  return cuda::runEntry(function, nullptr, buffers.data(),
                        buffers.data() + numInputs, nullptr);
}

} // namespace

/// Writes the memref descriptor of dense row-major data of `rank` dimensions
/// `shape` at `words` and returns the first word after it. The layout is
/// MLIR's: allocated pointer, aligned pointer, offset, sizes, then row-major
/// strides in elements.
int64_t *kiln::internal::writeDescriptor(int64_t *words, const void *data,
                                         size_t rank, const int64_t *shape) {
  std::memcpy(&words[0], &data, sizeof(data));
  std::memcpy(&words[1], &data, sizeof(data));
  words[2] = 0;
  int64_t *sizes = words + 3;
  int64_t *strides = sizes + rank;
  // Partial products of a valid shape's dimensions fit in int64_t (see
  // computeTensorSize), so this cannot overflow.
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    sizes[i] = shape[i];
    strides[i] = stride;
    stride *= shape[i] == 0 ? 1 : shape[i];
  }
  return strides + rank;
}

/// Calls the entry point of `function` with its descriptors built.
kiln_status *kiln::internal::invokeEntry(const kiln_function &function,
                                         void **descriptors) {
  int32_t result;
  try {
    result = function.entry(descriptors);
  } catch (...) {
    return makeError(KILN_INTERNAL, "function '", function.name,
                     "' failed: its entry point threw an exception");
  }
  if (result == 0)
    return nullptr;
  // A failed run-time check: the inputs' values do not fit the model (a shape
  // computed from them, an index, ...).
  if (result > 0 && static_cast<size_t>(result) <= function.numErrors) {
    // A library kernel that failed left its reason on this thread.
    std::string kernelError = takeKernelError();
    if (!kernelError.empty())
      return makeError(KILN_INTERNAL, "function '", function.name, "': ",
                       function.errors[result - 1], " (", kernelError, ")");
    return makeError(KILN_INVALID_ARGUMENT, "function '", function.name,
                     "': ", function.errors[result - 1]);
  }
  return makeError(KILN_INTERNAL, "function '", function.name,
                   "' failed: its entry point returned ", result);
}

kiln_status *kiln::internal::runFunction(const kiln_function *function,
                                         kiln_session *session,
                                         const kiln_tensor *const *inputs,
                                         size_t num_inputs,
                                         kiln_tensor **outputs,
                                         size_t num_outputs) try {
  if (!function)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_function_run: `function` is NULL");
  if (kiln_status *status =
          validateCall(*function, inputs, num_inputs, outputs, num_outputs))
    return status;

  CreatedOutputs created(num_outputs);
  for (size_t i = 0; i < num_outputs; ++i) {
    const ValueSignature &signature = function->outputs[i];
    if (outputs[i] || !signature.isStatic)
      continue;
    if (kiln_status *status = kiln_tensor_create(
            signature.dtype, signature.rank, signature.dims, &created[i]))
      return status;
  }
  kiln_status *status =
      function->target == KILN_TARGET_CUDA
          ? callCudaEntry(*function, session, inputs, outputs, created)
          : callEntry(*function, inputs, outputs, created);
  if (status)
    return status;
  created.commit(outputs);
  return nullptr;
} catch (...) {
  return outOfMemoryStatus();
}

kiln_status *kiln_function_run(const kiln_function *function,
                               const kiln_tensor *const *inputs,
                               size_t num_inputs, kiln_tensor **outputs,
                               size_t num_outputs) {
  return runFunction(function, nullptr, inputs, num_inputs, outputs,
                     num_outputs);
}

kiln_status *kiln_function_run_buffers(const kiln_function *function,
                                       const void *const *inputs,
                                       size_t num_inputs, void *const *outputs,
                                       size_t num_outputs) try {
  if (!function)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_function_run_buffers: `function` is NULL");
  if (kiln_status *status = validateBufferCall(*function, inputs, num_inputs,
                                               outputs, num_outputs))
    return status;
  if (function->target == KILN_TARGET_CUDA)
    return runCudaBuffers(*function, inputs, outputs);
  ScratchArray<int64_t, kInlineWords> words(function->descriptorWords);
  ScratchArray<void *, kInlineValues> descriptors(num_inputs + num_outputs);
  int64_t *next = words.data();
  for (size_t i = 0; i < num_inputs; ++i) {
    const ValueSignature &signature = function->inputs[i];
    descriptors[i] = next;
    next = writeDescriptor(next, inputs[i], signature.rank, signature.dims);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    const ValueSignature &signature = function->outputs[i];
    descriptors[num_inputs + i] = next;
    next = writeDescriptor(next, outputs[i], signature.rank, signature.dims);
  }
  ActiveStringRun strings;
  if (kiln_status *status = invokeEntry(*function, descriptors.data()))
    return status;
  return strings.takeError(function->name);
} catch (...) {
  return outOfMemoryStatus();
}
