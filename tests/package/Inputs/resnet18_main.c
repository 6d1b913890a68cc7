/* Runs ResNet-18 through the header kiln-compile generated for it:
 *   resnet18_main MODEL.so INPUT.raw OUTPUT.raw
 * INPUT.raw holds the input's float32 bytes; the output's bytes go to
 * OUTPUT.raw, and its FNV-1a checksum to stdout. */
#include "resnet18.h"

#include <stdio.h>
#include <stdlib.h>

static float input[RESNET18_FORWARD_INPUT_INPUT_ELEMENTS];
static float output[RESNET18_FORWARD_OUTPUT_OUTPUT_ELEMENTS];

int main(int argc, char **argv) {
  resnet18_model model;
  kiln_status *status;
  FILE *file;
  if (argc != 4)
    return 2;
  file = fopen(argv[2], "rb");
  if (!file || fread(input, 1, sizeof input, file) != sizeof input) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  fclose(file);
  status = resnet18_model_load(&model, argv[1]);
  if (status == NULL)
    status = resnet18_forward(&model, input, output);
  if (status != NULL) {
    fprintf(stderr, "error: %s\n", kiln_status_message(status));
    kiln_status_free(status);
    return 1;
  }
  file = fopen(argv[3], "wb");
  if (!file || fwrite(output, 1, sizeof output, file) != sizeof output)
    return 1;
  fclose(file);
  printf("checksum %016llx\n",
         (unsigned long long)kiln_checksum(output, sizeof output));
  resnet18_model_free(&model);
  return 0;
}
