/*===- c_header_check.c - Compiles the public runtime header as C11 --------===*
 *
 * kiln/runtime.h is a C API: this file keeps it valid C (no C++-only syntax
 * slipping in) by including it in a strict C11 translation unit, and gives
 * the tests a C caller of the API.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/runtime.h"

#include <string.h>

/* Creates a tensor from C and returns its byte size, or 0 on failure. */
size_t kiln_c_header_check_tensor_bytes(void) {
  int64_t shape[2] = {2, 5};
  kiln_tensor *tensor = NULL;
  kiln_status *status = kiln_tensor_create(KILN_DTYPE_I16, 2, shape, &tensor);
  if (status != NULL) {
    kiln_status_free(status);
    return 0;
  }
  size_t bytes = kiln_tensor_byte_size(tensor);
  kiln_tensor_free(tensor);
  return bytes;
}

/* Returns 1 when the NULL status reads as success from C. */
int kiln_c_header_check_status(void) {
  return kiln_status_get_code(NULL) == KILN_OK &&
         strcmp(kiln_status_message(NULL), "ok") == 0;
}

/* Creates a session with 3 threads from C; returns its thread count, or -1. */
int kiln_c_header_check_session_threads(const kiln_function *function) {
  kiln_session_options options;
  kiln_session *session = NULL;
  int threads;
  kiln_session_options_init(&options);
  options.num_threads = 3;
  kiln_status *status = kiln_session_create(function, &options, &session);
  if (status != NULL) {
    kiln_status_free(status);
    return -1;
  }
  threads = kiln_session_num_threads(session);
  kiln_session_free(session);
  return threads;
}
