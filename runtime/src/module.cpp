//===- module.cpp - Loading modules and describing their functions --------===//
//
// Implements the module half of kiln/runtime.h: opening a shared library (or
// adopting an in-memory table), validating its ABI table, and the read-only
// accessors for functions and their signatures. Running is in run.cpp.
//
//===----------------------------------------------------------------------===//

#include "cuda/Cuda.h"
#include "internal.h"
#include "onednn/kernels.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln::internal;

namespace {

/// The most names a "function not found" message lists before eliding.
constexpr size_t kMaxListedNames = 32;

ValueSignature makeSignature(const kiln_abi_value &value) {
  ValueSignature signature{value.name,
                           static_cast<kiln_dtype>(value.dtype),
                           static_cast<size_t>(value.rank),
                           value.dims,
                           true,
                           SIZE_MAX};
  for (size_t i = 0; i < signature.rank; ++i)
    if (signature.dims[i] < 0)
      signature.isStatic = false;
  int64_t elementCount;
  size_t byteSize;
  if (signature.isStatic) {
    if (kiln_status *status =
            computeTensorSize(signature.dtype, signature.rank, signature.dims,
                              elementCount, byteSize))
      kiln_status_free(status); // Too large to exist: runs will fail.
    else
      signature.byteSize = byteSize;
  }
  return signature;
}

/// Words of a rank-R memref descriptor: allocated, aligned, offset, then R
/// sizes and R strides.
size_t descriptorWords(const ValueSignature &value) {
  return 3 + 2 * value.rank;
}

kiln_function makeFunction(const kiln_abi_function &abi) {
  kiln_function function{abi.name, abi.entry, {}, {}, 0, 0};
  function.inputs.reserve(static_cast<size_t>(abi.num_inputs));
  for (int32_t i = 0; i < abi.num_inputs; ++i)
    function.inputs.push_back(makeSignature(abi.inputs[i]));
  function.outputs.reserve(static_cast<size_t>(abi.num_outputs));
  for (int32_t i = 0; i < abi.num_outputs; ++i)
    function.outputs.push_back(makeSignature(abi.outputs[i]));
  for (const ValueSignature &value : function.inputs) {
    function.descriptorWords += descriptorWords(value);
    for (size_t d = 0; d < value.rank; ++d)
      if (value.dims[d] < 0)
        function.numSymbols =
            std::max(function.numSymbols, symbolOf(value.dims[d]) + 1);
  }
  function.errors = abi.errors;
  function.numErrors = static_cast<size_t>(abi.num_errors);
  for (const ValueSignature &value : function.outputs)
    function.descriptorWords += descriptorWords(value);
  return function;
}

/// Checks that `path` names a readable file, so that a missing file is
/// reported as such rather than through dlopen's less specific message.
kiln_status *checkReadableFile(const char *path) {
  struct stat info;
  if (::stat(path, &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return makeError(KILN_NOT_FOUND, "module file '", path,
                       "' does not exist");
    return makeError(KILN_IO_ERROR, "cannot read module file '", path,
                     "': ", std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode))
    return makeError(KILN_IO_ERROR, "module path '", path,
                     "' is a directory, not a file");
  if (::access(path, R_OK) != 0)
    return makeError(KILN_IO_ERROR, "cannot read module file '", path,
                     "': ", std::strerror(errno));
  return nullptr;
}

/// Checks that a CUDA module can be loaded: its values are numeric tensors
/// (strings never live in device memory) and a device is usable here.
kiln_status *checkCudaModule(const kiln_abi_module &abi,
                             const kiln_abi_module_info &info,
                             std::string_view origin) {
  for (int32_t f = 0; f < abi.num_functions; ++f) {
    const kiln_abi_function &function = abi.functions[f];
    for (int32_t i = 0; i < function.num_inputs + function.num_outputs; ++i) {
      const kiln_abi_value &value =
          i < function.num_inputs ? function.inputs[i]
                                  : function.outputs[i - function.num_inputs];
      if (value.dtype == KILN_DTYPE_STRING)
        return makeError(KILN_INVALID_MODULE, origin, "function '",
                         function.name, "' of a CUDA module has a string ",
                         i < function.num_inputs ? "input" : "output", " '",
                         value.name, "', which CUDA modules cannot have");
    }
  }
  return cuda::checkModuleTarget(info.target_arch, origin);
}

/// Whether `info` (may be NULL) says the module was compiled for CUDA.
bool isCudaModule(const kiln_abi_module_info *info) {
  return info && info->version >= 3 && info->target == KILN_TARGET_CUDA;
}

/// Records where the module runs; a CUDA module also becomes a user of the
/// device copies of its constants, freed with the last such user.
void adoptTarget(kiln_module &module, const kiln_abi_module &abi,
                 const kiln_abi_module_info &info) {
  if (info.version < 3 || info.target != KILN_TARGET_CUDA)
    return;
  module.target = KILN_TARGET_CUDA;
  module.targetArch = info.target_arch;
  for (kiln_function &function : module.functions)
    function.target = KILN_TARGET_CUDA;
  module.constantsKey = cuda::constantsKey(&abi);
  cuda::retainConstants(module.constantsKey);
  module.holdsConstants = true;
}

/// Wraps validated tables into a module that owns `libraryHandle` or
/// (`owner`, `release`). On failure, the caller still owns both.
kiln_status *adoptTables(const kiln_abi_module *abi,
                         const kiln_abi_module_info *info,
                         std::string_view origin, void *libraryHandle,
                         void *owner, void (*release)(void *),
                         kiln_module **out) {
  try {
    if (kiln_status *status = validateModuleTable(abi, origin))
      return status;
    if (kiln_status *status = validateModuleInfo(info, origin))
      return status;
    if (isCudaModule(info))
      if (kiln_status *status = checkCudaModule(*abi, *info, origin))
        return status;
    kiln_module *module = buildModule(*abi);
    module->libraryHandle = libraryHandle;
    module->owner = owner;
    module->release = release;
    if (info) {
      module->arenaSize = static_cast<size_t>(info->arena_size);
      if (info->version >= 4)
        module->plannedArenaSize =
            static_cast<size_t>(info->planned_arena_size);
      module->externalWeights = info->weights != nullptr;
      for (kiln_function &function : module->functions) {
        function.arenaSize = module->arenaSize;
        function.usesKilnHeap = info->version >= 2;
      }
      if (info->version >= 2 && info->num_kernels > 0) {
        // A CUDA module's kernels (kiln_cuda_*) prepare themselves on first
        // use, inside a run: oneDNN must not touch their state words.
        if (isCudaModule(info))
          cuda::retainKernels(info->kernels, info->num_kernels);
        else if (kiln_status *status =
                     prepareKernels(info->kernels, info->num_kernels, origin)) {
          delete module;
          return status;
        }
        module->kernels = info->kernels;
        module->numKernels = info->num_kernels;
      }
      adoptTarget(*module, *abi, *info);
    }
    *out = module;
    return nullptr;
  } catch (...) {
    return outOfMemoryStatus();
  }
}

/// The folder part of a module path ("." for a bare file name).
std::string directoryOf(const char *path) {
  const char *slash = std::strrchr(path, '/');
  if (!slash)
    return ".";
  if (slash == path)
    return "/";
  return std::string(path, slash);
}

/// Looks up the optional info table of a library; NULL when it has none.
const kiln_abi_module_info *findModuleInfo(void *handle) {
  ::dlerror();
  return static_cast<const kiln_abi_module_info *>(
      ::dlsym(handle, KILN_MODULE_INFO_SYMBOL));
}

} // namespace

kiln_module *kiln::internal::buildModule(const kiln_abi_module &abi) {
  auto module = std::make_unique<kiln_module>();
  module->producer = abi.producer ? abi.producer : "unknown";
  size_t count = static_cast<size_t>(abi.num_functions);
  module->functions.reserve(count);
  module->functionIndex.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    module->functions.push_back(makeFunction(abi.functions[i]));
    module->functionIndex.emplace(abi.functions[i].name, i);
  }
  return module.release();
}

kiln_status *kiln_module_load(const char *path, kiln_module **out) try {
  if (!path || !out)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_module_load: `path` and `out` must not be NULL");
  if (kiln_status *status = checkReadableFile(path))
    return status;

  // dlopen searches the library path for names without a slash; a module
  // path means a file, so make such names explicitly relative.
  std::string fileName =
      std::strchr(path, '/') ? path : std::string("./") + path;
  std::string origin = std::string("module '") + path + "': ";
  void *handle = ::dlopen(fileName.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *reason = ::dlerror();
    return makeError(KILN_INVALID_MODULE, "cannot load module '", path,
                     "': ", reason ? reason : "unknown dlopen error");
  }
  ::dlerror(); // Clear any stale error before the lookup.
  const auto *abi =
      static_cast<const kiln_abi_module *>(::dlsym(handle, KILN_ABI_SYMBOL));
  if (!abi) {
    ::dlclose(handle);
    return makeError(KILN_INVALID_MODULE, "'", path,
                     "' is not a Kiln module: it does not export ",
                     KILN_ABI_SYMBOL);
  }
  const kiln_abi_module_info *info = findModuleInfo(handle);
  kiln_module *module = nullptr;
  if (kiln_status *status =
          adoptTables(abi, info, origin, handle, nullptr, nullptr, &module)) {
    ::dlclose(handle);
    return status;
  }
  // From here on the module owns the handle.
  if (info && info->weights)
    if (kiln_status *status =
            loadWeights(*info->weights, directoryOf(path), origin)) {
      kiln_module_free(module);
      return status;
    }
  *out = module;
  return nullptr;
} catch (...) {
  return outOfMemoryStatus();
}

kiln_status *kiln_module_from_tables(const kiln_abi_module *abi,
                                     const kiln_abi_module_info *info,
                                     void *owner, void (*release)(void *owner),
                                     kiln_module **out) {
  kiln_status *status = nullptr;
  if (!abi || !out)
    status = makeStatus(KILN_INVALID_ARGUMENT,
                        "kiln_module_from_tables: `abi` and `out` must not be "
                        "NULL");
  else if (info && info->weights && info->magic == KILN_MODULE_INFO_MAGIC)
    status = makeError(KILN_INVALID_MODULE,
                       "module table: its weights are in a separate file ('",
                       info->weights->file_name ? info->weights->file_name
                                                : "(null)",
                       "'), which only kiln_module_load() reads; compile with "
                       "--weights=embed to link or JIT-load the module");
  else
    status =
        adoptTables(abi, info, "module table: ", nullptr, owner, release, out);
  // On success the module releases the owner when it is freed.
  if (status && release)
    release(owner);
  return status;
}

kiln_status *kiln_module_from_abi(const kiln_abi_module *abi, void *owner,
                                  void (*release)(void *owner),
                                  kiln_module **out) {
  if (!abi || !out) {
    if (release)
      release(owner);
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_module_from_abi: `abi` and `out` must not be "
                      "NULL");
  }
  return kiln_module_from_tables(abi, nullptr, owner, release, out);
}

void kiln_module_free(kiln_module *module) {
  if (!module)
    return;
  void *handle = module->libraryHandle;
  void *owner = module->owner;
  void (*release)(void *) = module->release;
  if (module->target == KILN_TARGET_CUDA)
    cuda::releaseKernels(module->kernels, module->numKernels);
  else
    releaseKernels(module->kernels, module->numKernels);
  // While the library is still mapped: this resets the constants' slots.
  if (module->holdsConstants)
    cuda::releaseConstants(module->constantsKey);
  // The module points into the table: drop it before the table goes away.
  delete module;
  if (release)
    release(owner);
  if (handle)
    ::dlclose(handle);
}

size_t kiln_module_arena_size(const kiln_module *module) {
  return module ? module->arenaSize : 0;
}

size_t kiln_module_planned_arena_size(const kiln_module *module) {
  return module ? module->plannedArenaSize : 0;
}

int kiln_module_has_external_weights(const kiln_module *module) {
  return module && module->externalWeights ? 1 : 0;
}

uint32_t kiln_module_target(const kiln_module *module) {
  return module ? module->target : KILN_TARGET_CPU;
}

const char *kiln_module_target_arch(const kiln_module *module) {
  return module ? module->targetArch : nullptr;
}

const char *kiln_module_producer(const kiln_module *module) {
  return module ? module->producer : "";
}

size_t kiln_module_function_count(const kiln_module *module) {
  return module ? module->functions.size() : 0;
}

const kiln_function *kiln_module_function_at(const kiln_module *module,
                                             size_t index) {
  if (!module || index >= module->functions.size())
    return nullptr;
  return &module->functions[index];
}

kiln_status *kiln_module_find_function(const kiln_module *module,
                                       const char *name,
                                       const kiln_function **out) try {
  if (!module || !name || !out)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_module_find_function: `module`, `name` and `out` "
                      "must not be NULL");
  auto it = module->functionIndex.find(name);
  if (it != module->functionIndex.end()) {
    *out = &module->functions[it->second];
    return nullptr;
  }

  std::string available;
  size_t listed = std::min(module->functions.size(), kMaxListedNames);
  for (size_t i = 0; i < listed; ++i)
    available +=
        (i ? ", '" : "'") + std::string(module->functions[i].name) + "'";
  if (module->functions.empty())
    available = "none";
  else if (listed < module->functions.size())
    available +=
        " and " + std::to_string(module->functions.size() - listed) + " more";
  return makeError(KILN_NOT_FOUND, "module has no function '", name,
                   "'; available functions: ", available);
} catch (...) {
  return outOfMemoryStatus();
}

const char *kiln_function_name(const kiln_function *function) {
  return function ? function->name : "";
}

size_t kiln_function_input_count(const kiln_function *function) {
  return function ? function->inputs.size() : 0;
}

size_t kiln_function_output_count(const kiln_function *function) {
  return function ? function->outputs.size() : 0;
}

namespace {

kiln_status *describeValue(const kiln_function *function,
                           const std::vector<ValueSignature> &values,
                           const char *kind, size_t index,
                           kiln_value_info *out) {
  if (!out)
    return makeError(KILN_INVALID_ARGUMENT, "kiln_function_", kind,
                     "_info: `out` is NULL");
  if (index >= values.size())
    return makeError(KILN_OUT_OF_RANGE, "function '", function->name, "' has ",
                     values.size(), " ", kind, "s; index ", index,
                     " is out of range");
  const ValueSignature &value = values[index];
  *out = kiln_value_info{value.name, value.dtype, value.rank, value.dims};
  return nullptr;
}

} // namespace

kiln_status *kiln_function_input_info(const kiln_function *function,
                                      size_t index, kiln_value_info *out) {
  if (!function)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_function_input_info: `function` is NULL");
  return describeValue(function, function->inputs, "input", index, out);
}

kiln_status *kiln_function_output_info(const kiln_function *function,
                                       size_t index, kiln_value_info *out) {
  if (!function)
    return makeStatus(KILN_INVALID_ARGUMENT,
                      "kiln_function_output_info: `function` is NULL");
  return describeValue(function, function->outputs, "output", index, out);
}
