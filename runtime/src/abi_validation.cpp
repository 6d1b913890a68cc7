//===- abi_validation.cpp - Checks a module's ABI table before use --------===//
//
// A module table comes from a file the runtime did not write, so every count,
// pointer and enum in it is checked before any of it is used. The messages
// say where in the table the problem is, so that a compiler bug that emits a
// bad table is easy to find.
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include <cinttypes>
#include <cstdio>

using namespace kiln::internal;

namespace {

/// Formats a 32-bit word as "0x4e4c494b".
std::string hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08" PRIx32, value);
  return text;
}

/// Names function `index` for messages: "function 2 ('add')".
std::string describeFunction(size_t index, const char *name) {
  std::string text = "function " + std::to_string(index);
  if (name)
    text += std::string(" ('") + name + "')";
  return text;
}

/// Checks one input or output signature. `where` names it, e.g.
/// "function 0 ('add') input 1".
kiln_status *validateValue(const kiln_abi_value &value,
                           const std::string &where, std::string_view origin) {
  if (!value.name)
    return makeError(KILN_INVALID_MODULE, origin, where, " has a NULL name");
  if (!isValidDtype(value.dtype))
    return makeError(KILN_INVALID_MODULE, origin, where, " ('", value.name,
                     "') has invalid dtype ", value.dtype);
  if (value.rank < 0 || value.rank > KILN_ABI_MAX_RANK)
    return makeError(KILN_INVALID_MODULE, origin, where, " ('", value.name,
                     "') has rank ", value.rank, ", outside [0, ",
                     KILN_ABI_MAX_RANK, "]");
  if (value.rank > 0 && !value.dims)
    return makeError(KILN_INVALID_MODULE, origin, where, " ('", value.name,
                     "') has rank ", value.rank, " but NULL dims");
  for (int32_t i = 0; i < value.rank; ++i)
    if (value.dims[i] < -KILN_ABI_MAX_SYMBOLS)
      return makeError(KILN_INVALID_MODULE, origin, where, " ('", value.name,
                       "') dimension ", i, " is ", value.dims[i],
                       "; dimensions must be >= 0, or a symbol -1 ... -",
                       KILN_ABI_MAX_SYMBOLS);
  return nullptr;
}

/// Checks the signature list `values` of `count` entries of one function.
kiln_status *validateValues(const kiln_abi_value *values, int32_t count,
                            const char *kind, const std::string &function,
                            std::string_view origin) {
  if (count < 0 || count > kMaxValuesPerFunction)
    return makeError(KILN_INVALID_MODULE, origin, function, " has ", count, " ",
                     kind, "s, outside [0, ", kMaxValuesPerFunction, "]");
  if (count > 0 && !values)
    return makeError(KILN_INVALID_MODULE, origin, function, " has ", count, " ",
                     kind, "s but a NULL ", kind, " table");
  for (int32_t i = 0; i < count; ++i) {
    std::string where = function + " " + kind + " " + std::to_string(i);
    if (kiln_status *status = validateValue(values[i], where, origin))
      return status;
  }
  return nullptr;
}

kiln_status *validateFunction(const kiln_abi_function &function, size_t index,
                              std::string_view origin) {
  std::string where = describeFunction(index, function.name);
  if (!function.name)
    return makeError(KILN_INVALID_MODULE, origin, where, " has a NULL name");
  if (!function.entry)
    return makeError(KILN_INVALID_MODULE, origin, where,
                     " has a NULL entry point");
  if (kiln_status *status = validateValues(function.inputs, function.num_inputs,
                                           "input", where, origin))
    return status;
  if (function.num_errors < 0 || function.num_errors > kMaxValuesPerFunction)
    return makeError(KILN_INVALID_MODULE, origin, where, " has ",
                     function.num_errors, " error messages, outside [0, ",
                     kMaxValuesPerFunction, "]");
  if (function.num_errors > 0 && !function.errors)
    return makeError(KILN_INVALID_MODULE, origin, where, " has ",
                     function.num_errors, " error messages but a NULL table");
  for (int32_t i = 0; i < function.num_errors; ++i)
    if (!function.errors[i])
      return makeError(KILN_INVALID_MODULE, origin, where, " error message ", i,
                       " is NULL");
  return validateValues(function.outputs, function.num_outputs, "output", where,
                        origin);
}

} // namespace

kiln_status *kiln::internal::validateModuleTable(const kiln_abi_module *abi,
                                                 std::string_view origin) {
  if (!abi)
    return makeError(KILN_INVALID_MODULE, origin, "the module table is NULL");
  if (abi->magic != KILN_ABI_MAGIC)
    return makeError(KILN_INVALID_MODULE, origin, "bad magic number ",
                     hex(abi->magic), " (expected ", hex(KILN_ABI_MAGIC),
                     "): this is not a Kiln module table");
  if (abi->abi_version != KILN_ABI_VERSION)
    return makeError(KILN_INVALID_MODULE, origin, "module ABI version ",
                     abi->abi_version,
                     " is not supported: this runtime supports version ",
                     KILN_ABI_VERSION, "; recompile the module");
  if (abi->num_functions < 0 || abi->num_functions > kMaxFunctions)
    return makeError(KILN_INVALID_MODULE, origin, "the module declares ",
                     abi->num_functions, " functions, outside [0, ",
                     kMaxFunctions, "]");
  if (abi->num_functions > 0 && !abi->functions)
    return makeError(KILN_INVALID_MODULE, origin, "the module declares ",
                     abi->num_functions,
                     " functions but its function table is NULL");

  std::unordered_map<std::string_view, size_t> firstIndexByName;
  firstIndexByName.reserve(static_cast<size_t>(abi->num_functions));
  for (size_t i = 0; i < static_cast<size_t>(abi->num_functions); ++i) {
    const kiln_abi_function &function = abi->functions[i];
    if (kiln_status *status = validateFunction(function, i, origin))
      return status;
    auto [it, inserted] = firstIndexByName.emplace(function.name, i);
    if (!inserted)
      return makeError(KILN_INVALID_MODULE, origin, "duplicate function name '",
                       function.name, "' (functions ", it->second, " and ", i,
                       ")");
  }
  return nullptr;
}
