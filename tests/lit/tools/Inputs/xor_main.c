/* Runs the XOR model through its generated header: LINKED selects the
   object/archive form (no path), otherwise argv[1] is the shared library.
   Prints the four outputs and the FNV-1a checksum of their bytes. */
#include "xor.h"

#include <stdio.h>

int main(int argc, char **argv) {
  xor_model model;
  float x[XOR_PREDICT_INPUT_X_ELEMENTS] = {0, 0, 0, 1, 1, 0, 1, 1};
  float p[XOR_PREDICT_OUTPUT_P_ELEMENTS] = {0};
  kiln_status *status;
  int i;
#ifdef LINKED
  (void)argc;
  (void)argv;
  status = xor_model_load(&model);
#else
  if (argc != 2)
    return 2;
  status = xor_model_load(&model, argv[1]);
#endif
  if (status == NULL)
    status = xor_predict(&model, x, p);
  if (status != NULL) {
    printf("error: %s\n", kiln_status_message(status));
    kiln_status_free(status);
    return 1;
  }
  for (i = 0; i < XOR_PREDICT_OUTPUT_P_ELEMENTS; ++i)
    printf("p[%d] = %.6f\n", i, p[i]);
  printf("checksum %016llx\n", (unsigned long long)kiln_checksum(p, sizeof p));
  xor_model_free(&model);
  return 0;
}
