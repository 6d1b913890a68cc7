/*===- kiln_runner.c - Times a Kiln-compiled model through the runtime C API ===*
 *
 * Loads a shared library written by `kiln-compile`, runs its first function in
 * a session with the given thread count, and prints one JSON object: load time,
 * p50/p90 latency of the timed runs and the process's peak resident memory.
 * Each framework is timed in its own process so that peak RSS is its own; this
 * program links only the small Kiln runtime, not the compiler.
 *
 *   kiln_runner --library LIB.so [--threads T] [--warmup W] [--runs N]
 *               [--min-runs M] [--min-seconds F] [--max-seconds S]
 *               [--output-dir DIR] INPUT.bin...
 *   kiln_runner --baseline      (peak RSS of the runner with no model loaded)
 *
 * Inputs are raw little-endian files of exactly the signature's size, in the
 * function's input order; outputs are written as DIR/output_K.bin for the
 * caller to compare against PyTorch. Timed runs stop after N runs, or earlier
 * once S seconds have passed and at least M runs were timed (slow models); fast
 * models go on past N runs until F seconds have passed (at most
 * MAX_TIMED_RUNS), so that their percentiles span more than a moment of the
 * machine's load.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#include "kiln/runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { MAX_VALUES = 16, MAX_TIMED_RUNS = 10000 };

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long peak_rss_kib(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss; /* KiB on Linux */
}

static void fail(const char *what, kiln_status *status) {
  fprintf(stderr, "kiln_runner: %s: %s\n", what, kiln_status_message(status));
  kiln_status_free(status);
  exit(1);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted `values` (as kiln-run reports them). */
static double percentile(const double *sorted, int count, double p) {
  int rank = (int)ceil(p * count);
  return sorted[rank < 1 ? 0 : rank - 1];
}

static void *read_file(const char *path, size_t expected) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "kiln_runner: cannot open %s\n", path);
    exit(1);
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  if (size < 0 || (size_t)size != expected) {
    fprintf(stderr, "kiln_runner: %s has %ld bytes, the input needs %zu\n", path, size,
            expected);
    exit(1);
  }
  void *data = aligned_alloc(64, expected + 64 - expected % 64);
  if (!data || fread(data, 1, expected, file) != expected) {
    fprintf(stderr, "kiln_runner: cannot read %s\n", path);
    exit(1);
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
  const char *library = NULL, *output_dir = NULL;
  const char *input_paths[MAX_VALUES];
  int num_input_paths = 0, threads = 1, warmup = 3, runs = 20, min_runs = 5;
  double min_seconds = 0, max_seconds = 1e9;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(arg, "--baseline")) {
      printf("{\"peak_rss_kib\": %ld}\n", peak_rss_kib());
      return 0;
    } else if (!strcmp(arg, "--library") && value) {
      library = value, ++i;
    } else if (!strcmp(arg, "--threads") && value) {
      threads = atoi(value), ++i;
    } else if (!strcmp(arg, "--warmup") && value) {
      warmup = atoi(value), ++i;
    } else if (!strcmp(arg, "--runs") && value) {
      runs = atoi(value), ++i;
    } else if (!strcmp(arg, "--min-runs") && value) {
      min_runs = atoi(value), ++i;
    } else if (!strcmp(arg, "--min-seconds") && value) {
      min_seconds = atof(value), ++i;
    } else if (!strcmp(arg, "--max-seconds") && value) {
      max_seconds = atof(value), ++i;
    } else if (!strcmp(arg, "--output-dir") && value) {
      output_dir = value, ++i;
    } else if (arg[0] != '-' && num_input_paths < MAX_VALUES) {
      input_paths[num_input_paths++] = arg;
    } else {
      fprintf(stderr, "kiln_runner: bad argument '%s'\n", arg);
      return 2;
    }
  }
  if (!library || runs < 1) {
    fprintf(stderr, "usage: kiln_runner --library LIB.so [options] INPUT.bin...\n");
    return 2;
  }

  double load_start = now_ms();
  kiln_module *module;
  kiln_status *status = kiln_module_load(library, &module);
  if (status)
    fail("load", status);
  double load_ms = now_ms() - load_start;
  const kiln_function *function = kiln_module_function_at(module, 0);
  size_t num_inputs = kiln_function_input_count(function);
  size_t num_outputs = kiln_function_output_count(function);
  if (num_inputs != (size_t)num_input_paths || num_outputs > MAX_VALUES) {
    fprintf(stderr, "kiln_runner: %s takes %zu inputs, %d given\n", kiln_function_name(function),
            num_inputs, num_input_paths);
    return 1;
  }

  /* Inputs wrap the files' bytes; outputs are allocated once and written in
     place by every run, so the loop times only the call. */
  kiln_tensor *inputs[MAX_VALUES], *outputs[MAX_VALUES];
  void *input_data[MAX_VALUES];
  for (size_t i = 0; i < num_inputs; ++i) {
    kiln_value_info info;
    if ((status = kiln_function_input_info(function, i, &info)))
      fail("input info", status);
    size_t bytes = kiln_dtype_size(info.dtype);
    for (size_t d = 0; d < info.rank; ++d)
      bytes *= (size_t)info.dims[d];
    input_data[i] = read_file(input_paths[i], bytes);
    if ((status = kiln_tensor_wrap(info.dtype, info.rank, info.dims, input_data[i], bytes,
                                   &inputs[i])))
      fail("wrap input", status);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    kiln_value_info info;
    if ((status = kiln_function_output_info(function, i, &info)))
      fail("output info", status);
    if ((status = kiln_tensor_create(info.dtype, info.rank, info.dims, &outputs[i])))
      fail("create output", status);
  }

  kiln_session_options options;
  kiln_session_options_init(&options);
  /* Recorded only: the runtime has no thread pool yet, so every run executes
     on this thread whatever the count. */
  options.num_threads = threads;
  kiln_session *session;
  if ((status = kiln_session_create(function, &options, &session)))
    fail("session", status);

  const kiln_tensor *const *run_inputs = (const kiln_tensor *const *)inputs;
  for (int i = 0; i < warmup; ++i)
    if ((status = kiln_session_run(session, run_inputs, num_inputs, outputs, num_outputs)))
      fail("run", status);
  int capacity = min_seconds > 0 && runs < MAX_TIMED_RUNS ? MAX_TIMED_RUNS : runs;
  double *times = malloc(sizeof(double) * (size_t)capacity);
  int timed = 0;
  double loop_start = now_ms();
  while (timed < capacity) {
    double start = now_ms();
    if ((status = kiln_session_run(session, run_inputs, num_inputs, outputs, num_outputs)))
      fail("run", status);
    double end = now_ms();
    times[timed++] = end - start;
    double seconds = (end - loop_start) / 1e3;
    if ((timed >= min_runs && seconds > max_seconds) || (timed >= runs && seconds >= min_seconds))
      break;
  }
  qsort(times, (size_t)timed, sizeof(double), compare_doubles);

  if (output_dir) {
    for (size_t i = 0; i < num_outputs; ++i) {
      char path[4096];
      snprintf(path, sizeof path, "%s/output_%zu.bin", output_dir, i);
      FILE *file = fopen(path, "wb");
      if (!file || fwrite(kiln_tensor_const_data(outputs[i]), 1, kiln_tensor_byte_size(outputs[i]),
                          file) != kiln_tensor_byte_size(outputs[i])) {
        fprintf(stderr, "kiln_runner: cannot write %s\n", path);
        return 1;
      }
      fclose(file);
    }
  }
  printf("{\"load_ms\": %.3f, \"threads\": %d, \"session_threads\": %d, \"warmup\": %d, "
         "\"runs\": %d, \"p50_ms\": %.4f, \"p90_ms\": %.4f, \"min_ms\": %.4f, "
         "\"peak_rss_kib\": %ld, \"producer\": \"%s\"}\n",
         load_ms, threads, kiln_session_num_threads(session), warmup, timed,
         percentile(times, timed, 0.5), percentile(times, timed, 0.9), times[0], peak_rss_kib(),
         kiln_module_producer(module));

  kiln_session_free(session);
  for (size_t i = 0; i < num_outputs; ++i)
    kiln_tensor_free(outputs[i]);
  for (size_t i = 0; i < num_inputs; ++i) {
    kiln_tensor_free(inputs[i]);
    free(input_data[i]);
  }
  kiln_module_free(module);
  free(times);
  return 0;
}
