/* main.c - runs a model compiled into this program by kiln_add_model().
 *
 * The model (model/xor.mlir) computes XOR of two inputs with a tiny
 * perceptron. Everything model-specific comes from the generated header
 * xor.h: the load function, the typed entry point xor_predict() and the
 * sizes of its buffers. The program prints each input row with its
 * prediction, then the FNV-1a checksum of the output bytes (the number
 * `kiln-run --json` prints for the same input).
 */
#include "xor.h"

#include <stdio.h>

int main(void) {
  float x[XOR_PREDICT_INPUT_X_ELEMENTS] = {0, 0, 0, 1, 1, 0, 1, 1};
  float p[XOR_PREDICT_OUTPUT_P_ELEMENTS];
  xor_model model;
  int row;

  kiln_status *status = xor_model_load(&model);
  if (status == NULL)
    status = xor_predict(&model, x, p);
  if (status != NULL) {
    fprintf(stderr, "embed: %s\n", kiln_status_message(status));
    kiln_status_free(status);
    xor_model_free(&model);
    return 1;
  }
  for (row = 0; row < XOR_PREDICT_INPUT_X_DIM0; ++row)
    printf("xor(%g, %g) = %.4f -> %d\n", x[2 * row], x[2 * row + 1], p[row],
           p[row] > 0.5f);
  printf("checksum %016llx\n", (unsigned long long)kiln_checksum(p, sizeof p));
  xor_model_free(&model);
  return 0;
}
