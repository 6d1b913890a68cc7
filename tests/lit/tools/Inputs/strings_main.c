/* A C program that runs a compiled string model (kiln-compile-strings.test)
 * through the runtime API: string inputs wrapped from the program's own
 * array, a string output the runtime creates and owns, freed with
 * kiln_tensor_free(). Usage: strings_main LIBRARY [THIRD_STRING]. Prints the
 * outputs; exits 1 on any error. */
#include "strings_model.h"

#include <stdio.h>

static int fail(kiln_status *status) {
  fprintf(stderr, "error: %s\n", kiln_status_message(status));
  kiln_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  strings_model_model model;
  kiln_tensor *x = NULL, *t = NULL;
  kiln_tensor *outputs[2] = {NULL, NULL};
  float numbers[4] = {0.5f, -3.0f, 1e-8f, 65504.0f};
  const char *texts[3] = {"1.25", "-inf", argc > 2 ? argv[2] : "7"};
  int64_t four = 4, three = 3, i;
  kiln_status *status;
  if (argc < 2) {
    fprintf(stderr, "usage: %s LIBRARY [THIRD_STRING]\n", argv[0]);
    return 1;
  }
  status = strings_model_model_load(&model, argv[1]);
  if (status)
    return fail(status);
  status =
      kiln_tensor_wrap(KILN_DTYPE_F32, 1, &four, numbers, sizeof numbers, &x);
  if (!status)
    status = kiln_tensor_wrap(KILN_DTYPE_STRING, 1, &three, (void *)texts,
                              sizeof texts, &t);
  if (!status) {
    const kiln_tensor *inputs[2] = {x, t};
    status = kiln_function_run(model.forward, inputs, 2, outputs, 2);
  }
  if (!status) {
    const float *y = (const float *)kiln_tensor_const_data(outputs[1]);
    for (i = 0; i < 4; ++i)
      printf("s[%d] = %s\n", (int)i, kiln_tensor_string(outputs[0], i));
    for (i = 0; i < 3; ++i)
      printf("y[%d] = %g\n", (int)i, y[i]);
  }
  kiln_tensor_free(outputs[0]);
  kiln_tensor_free(outputs[1]);
  kiln_tensor_free(t);
  kiln_tensor_free(x);
  strings_model_model_free(&model);
  return status ? fail(status) : 0;
}
