/* run_digits.c - classifies handwritten digits with a model compiled by Kiln.
 *
 * `make run` trains digits_cnn_untrained.onnx (a small CNN exported by
 * make_digits_cnn.py) with kiln-train on scikit-learn's 8x8 digits, compiles
 * the trained model into digits_cnn.so and digits_cnn.h, builds this program
 * against that header and runs it:
 *
 *   kiln-compile digits_cnn_trained.onnx --shape image=1x1x8x8 -o digits_cnn.so
 *   cc run_digits.c -I<kiln>/runtime/include -I. -L<kiln>/build/lib \
 *      -lkiln_runtime -o run_digits
 *   ./run_digits digits_cnn.so test_digits.bin
 *
 * Everything model-specific comes from the generated header: the load
 * function, the typed entry point digits_cnn_forward() and the shape of its
 * buffers. The batch size is whatever --shape fixed (image=Bx1x8x8); the last
 * batch is padded with blank images whose predictions are ignored.
 *
 * The program prints the first three test images with their predicted and
 * true labels, the accuracy on all of them, and the median latency of one
 * call to the model, per image.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime() under -std=c11 */

#include "digits_cnn.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The shape make_digits_cnn.py trained: Bx1x8x8 pixels in, Bx10 logits out.
   Anything else means the header belongs to another model. */
#define BATCH DIGITS_CNN_FORWARD_INPUT_IMAGE_DIM0
#define PIXELS 64
#define CLASSES 10
_Static_assert(DIGITS_CNN_FORWARD_INPUT_IMAGE_RANK == 4 &&
                   DIGITS_CNN_FORWARD_INPUT_IMAGE_DIM1 == 1 &&
                   DIGITS_CNN_FORWARD_INPUT_IMAGE_DIM2 == 8 &&
                   DIGITS_CNN_FORWARD_INPUT_IMAGE_DIM3 == 8,
               "compile the model with --shape image=Bx1x8x8");
_Static_assert(DIGITS_CNN_FORWARD_OUTPUT_LOGITS_ELEMENTS == BATCH * CLASSES,
               "the model must give 10 logits per image");

/* test_digits.bin: a little-endian uint32 count N, then N records of 64 pixel
   bytes (0..16, row by row) and one label byte (0..9). */
#define RECORD_BYTES (PIXELS + 1)
#define MAX_PIXEL 16

/* Timed calls for the latency: enough for a stable median at any batch. */
#define TIMED_RUNS 1000
/* Images drawn as ASCII art before the accuracy. */
#define SHOWN_IMAGES 3

typedef struct test_set {
  uint32_t count;
  size_t batches;  /* ceil(count / BATCH) */
  float *images;   /* batches * BATCH * 64 normalized pixels, zero padded */
  uint8_t *pixels; /* count * 64 raw pixels, for drawing */
  uint8_t *labels; /* count labels */
} test_set;

static void free_test_set(test_set *set) {
  free(set->images);
  free(set->pixels);
  free(set->labels);
}

/* Reads and checks the whole file. On error prints why and returns 0. */
static int read_test_set(const char *path, test_set *set) {
  unsigned char header[4], record[RECORD_BYTES];
  long file_bytes;
  uint64_t expected_bytes;
  uint32_t i;
  size_t j;
  FILE *file = fopen(path, "rb");

  memset(set, 0, sizeof *set);
  if (file == NULL) {
    fprintf(stderr, "run_digits: error: cannot open '%s': %s\n", path,
            strerror(errno));
    return 0;
  }
  if (fread(header, 1, 4, file) != 4) {
    if (ferror(file)) /* e.g. a folder */
      fprintf(stderr, "run_digits: error: cannot read '%s': %s\n", path,
              strerror(errno));
    else
      fprintf(stderr,
              "run_digits: error: '%s' is too short for the 4-byte image "
              "count\n",
              path);
    fclose(file);
    return 0;
  }
  set->count = (uint32_t)header[0] | (uint32_t)header[1] << 8 |
               (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
  if (set->count == 0) {
    fprintf(stderr, "run_digits: error: '%s' holds no images\n", path);
    fclose(file);
    return 0;
  }
  /* Check the size before allocating anything: a damaged count must not make
     us allocate gigabytes or read past the end. */
  if (fseek(file, 0, SEEK_END) != 0 || (file_bytes = ftell(file)) < 0 ||
      fseek(file, 4, SEEK_SET) != 0) {
    fprintf(stderr, "run_digits: error: cannot find the size of '%s'\n", path);
    fclose(file);
    return 0;
  }
  expected_bytes = 4 + (uint64_t)set->count * RECORD_BYTES; /* < 2^39 */
  if ((uint64_t)file_bytes != expected_bytes) {
    fprintf(stderr,
            "run_digits: error: '%s' is %ld bytes, but a file of %lu images "
            "has %llu (4 + 65 per image); is it truncated or not a "
            "test_digits.bin?\n",
            path, file_bytes, (unsigned long)set->count,
            (unsigned long long)expected_bytes);
    fclose(file);
    return 0;
  }

  set->batches = (set->count + (size_t)BATCH - 1) / BATCH;
  set->images = calloc(set->batches * BATCH * PIXELS, sizeof(float));
  set->pixels = malloc((size_t)set->count * PIXELS);
  set->labels = malloc(set->count);
  if (set->images == NULL || set->pixels == NULL || set->labels == NULL) {
    fprintf(stderr, "run_digits: error: out of memory for %lu images\n",
            (unsigned long)set->count);
    fclose(file);
    free_test_set(set);
    return 0;
  }
  for (i = 0; i < set->count; ++i) {
    if (fread(record, 1, RECORD_BYTES, file) != RECORD_BYTES) {
      fprintf(stderr, "run_digits: error: cannot read image %lu of '%s'\n",
              (unsigned long)i, path);
      fclose(file);
      free_test_set(set);
      return 0;
    }
    for (j = 0; j < PIXELS; ++j) {
      if (record[j] > MAX_PIXEL) {
        fprintf(stderr,
                "run_digits: error: image %lu of '%s' has pixel value %d; "
                "pixels are 0..16\n",
                (unsigned long)i, path, record[j]);
        fclose(file);
        free_test_set(set);
        return 0;
      }
      /* The training script's normalization: pixel / 16 in float32. */
      set->images[(size_t)i * PIXELS + j] = (float)record[j] / 16.0f;
      set->pixels[(size_t)i * PIXELS + j] = record[j];
    }
    if (record[PIXELS] >= CLASSES) {
      fprintf(stderr,
              "run_digits: error: image %lu of '%s' has label %d; labels "
              "are 0..9\n",
              (unsigned long)i, path, record[PIXELS]);
      fclose(file);
      free_test_set(set);
      return 0;
    }
    set->labels[i] = record[PIXELS];
  }
  fclose(file);
  return 1;
}

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

static int compare_doubles(const void *left, const void *right) {
  double a = *(const double *)left, b = *(const double *)right;
  return (a > b) - (a < b);
}

static int argmax(const float *logits) {
  int best = 0, k;
  for (k = 1; k < CLASSES; ++k)
    if (logits[k] > logits[best])
      best = k;
  return best;
}

/* Prints `line` without its trailing spaces. */
static void print_trimmed(char *line, size_t length) {
  while (length > 0 && line[length - 1] == ' ')
    --length;
  printf("%.*s\n", (int)length, line);
}

/* Draws the first images side by side, each under its labels, two characters
   per pixel so that they come out roughly square, denser characters for
   stronger ink. */
static void draw_images(const test_set *set, const int *predicted) {
  enum { PANEL = 24 }; /* columns per image */
  static const char ramp[] = " .:-=+*#%@";
  char line[SHOWN_IMAGES * PANEL + 1];
  size_t shown = set->count < SHOWN_IMAGES ? set->count : SHOWN_IMAGES;
  size_t i, row, column;

  memset(line, ' ', sizeof line);
  for (i = 0; i < shown; ++i) {
    char label[PANEL];
    int length = snprintf(label, sizeof label, "  predicted %d, true %d",
                          predicted[i], set->labels[i]);
    memcpy(line + i * PANEL, label, (size_t)length);
  }
  print_trimmed(line, sizeof line);
  for (row = 0; row < 8; ++row) {
    memset(line, ' ', sizeof line);
    for (i = 0; i < shown; ++i)
      for (column = 0; column < 8; ++column) {
        size_t value = set->pixels[i * PIXELS + row * 8 + column];
        char ink = ramp[value * (sizeof ramp - 2) / MAX_PIXEL];
        line[i * PANEL + 4 + 2 * column] = ink;
        line[i * PANEL + 4 + 2 * column + 1] = ink;
      }
    print_trimmed(line, sizeof line);
  }
}

/* Runs batch `index` of the test set, writing its logits. */
static kiln_status *run_batch(const digits_cnn_model *model,
                              const test_set *set, size_t index,
                              float *logits) {
  return digits_cnn_forward(model, set->images + index * BATCH * PIXELS,
                            logits);
}

int main(int argc, char **argv) {
  digits_cnn_model model;
  test_set set;
  kiln_status *status;
  float logits[BATCH * CLASSES];
  int *predicted;
  double *times, start;
  uint32_t correct = 0, i;
  size_t batch, run;

  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.so TEST_DIGITS.bin\n", argv[0]);
    return 1;
  }
  if (!read_test_set(argv[2], &set))
    return 1;
  predicted = malloc((size_t)set.count * sizeof *predicted);
  times = malloc(TIMED_RUNS * sizeof *times);
  if (predicted == NULL || times == NULL) {
    fprintf(stderr, "run_digits: error: out of memory\n");
    free(predicted);
    free(times);
    free_test_set(&set);
    return 1;
  }

  /* The load checks that the library's signature is the header's. */
  status = digits_cnn_model_load(&model, argv[1]);
  /* Classify every image; this pass also warms up caches for the timing. */
  for (batch = 0; status == NULL && batch < set.batches; ++batch) {
    status = run_batch(&model, &set, batch, logits);
    for (i = 0; status == NULL && i < BATCH; ++i) {
      size_t image = batch * BATCH + i;
      if (image < set.count) /* skip the padding of the last batch */
        predicted[image] = argmax(logits + i * CLASSES);
    }
  }
  /* Time single calls, cycling through the batches; the median is robust
     against the occasional interruption by other processes. */
  for (run = 0; status == NULL && run < TIMED_RUNS; ++run) {
    start = seconds_now();
    status = run_batch(&model, &set, run % set.batches, logits);
    times[run] = seconds_now() - start;
  }
  if (status != NULL) {
    fprintf(stderr, "run_digits: error: %s\n", kiln_status_message(status));
    kiln_status_free(status);
    digits_cnn_model_free(&model);
    free(predicted);
    free(times);
    free_test_set(&set);
    return 1;
  }

  for (i = 0; i < set.count; ++i)
    correct += predicted[i] == set.labels[i];
  qsort(times, TIMED_RUNS, sizeof *times, compare_doubles);

  printf("%s: %lu test images, batches of %d\n", argv[2],
         (unsigned long)set.count, BATCH);
  draw_images(&set, predicted);
  printf("accuracy: %.1f%% (%lu of %lu correct)\n", 100.0 * correct / set.count,
         (unsigned long)correct, (unsigned long)set.count);
  /* Nearest-rank median, as kiln-run --benchmark reports it. */
  printf("latency: %.2f us per image (median of %d runs of a batch of %d)\n",
         1e6 * times[(TIMED_RUNS + 1) / 2 - 1] / BATCH, TIMED_RUNS, BATCH);

  digits_cnn_model_free(&model);
  free(predicted);
  free(times);
  free_test_set(&set);
  return 0;
}
