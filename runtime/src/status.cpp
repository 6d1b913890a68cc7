//===- status.cpp - Status objects and error-message helpers --------------===//
//
// Implements the status half of kiln/runtime.h and the helpers the other
// sources use to build error messages.
//
//===----------------------------------------------------------------------===//

#include "internal.h"

#include <new>

using namespace kiln::internal;

kiln_status *kiln::internal::outOfMemoryStatus() noexcept {
  // "out of memory" fits in std::string's inline buffer, so constructing this
  // object cannot itself fail for lack of memory.
  static kiln_status status{KILN_OUT_OF_MEMORY, "out of memory"};
  return &status;
}

kiln_status *kiln::internal::makeStatus(kiln_status_code code,
                                        std::string_view message) {
  try {
    return new kiln_status{code, std::string(message)};
  } catch (...) {
    return outOfMemoryStatus();
  }
}

std::string kiln::internal::formatDims(const int64_t *dims, size_t rank) {
  std::string text = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i != 0)
      text += ", ";
    text += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  text += "]";
  return text;
}

kiln_status *kiln_status_create(kiln_status_code code, const char *message) {
  if (code == KILN_OK)
    code = KILN_INTERNAL;
  return makeStatus(code, message ? message : "");
}

kiln_status_code kiln_status_get_code(const kiln_status *status) {
  return status ? status->code : KILN_OK;
}

const char *kiln_status_message(const kiln_status *status) {
  return status ? status->message.c_str() : "ok";
}

void kiln_status_free(kiln_status *status) {
  if (status != outOfMemoryStatus())
    delete status;
}

const char *kiln_status_code_name(kiln_status_code code) {
  switch (code) {
  case KILN_OK:
    return "OK";
  case KILN_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case KILN_NOT_FOUND:
    return "NOT_FOUND";
  case KILN_IO_ERROR:
    return "IO_ERROR";
  case KILN_INVALID_MODULE:
    return "INVALID_MODULE";
  case KILN_OUT_OF_MEMORY:
    return "OUT_OF_MEMORY";
  case KILN_OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case KILN_INTERNAL:
    return "INTERNAL";
  case KILN_UNAVAILABLE:
    return "UNAVAILABLE";
  }
  return "UNKNOWN";
}
