/*===- fma_peak.c - Measures this CPU's peak single-precision FMA throughput ===*
 *
 * The yardstick of the kernel microbenchmarks: GFLOP/s of a loop that does
 * nothing but independent fused multiply-adds on the widest vectors the CPU
 * has (AVX-512 when it reports avx512f, else AVX2 + FMA). Enough independent
 * accumulators hide the FMA latency on every current core (16 chains x 4-5
 * cycles covers 2 pipes), so the loop is bound by FMA issue only.
 *
 *   fma_peak [THREADS]     runs the loop on THREADS threads at once (default 1)
 *
 * Prints one JSON object: the instruction set, threads, total and per-thread
 * GFLOP/s (each thread's best repetition), and the median repetition's GFLOP/s,
 * which shows how much other load on the machine takes away.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Short repetitions, many of them: on a shared machine a repetition of about a
   millisecond often runs undisturbed within one scheduler time slice, and the
   best of them is the core's own peak rather than its share under load. */
enum { CHAINS = 16, ITERATIONS = 100 * 1000, REPETITIONS = 2000 };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each returns a value that depends on every accumulator, so no FMA is dead. */
__attribute__((target("avx512f"))) static float fma_loop_avx512(long iterations) {
  __m512 acc[CHAINS];
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = _mm512_set1_ps((float)c);
  for (long i = 0; i < iterations; ++i)
    /* Unrolled so that the accumulators live in registers, not memory. */
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < CHAINS; ++c)
    sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) static float fma_loop_avx2(long iterations) {
  __m256 acc[CHAINS];
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = _mm256_set1_ps((float)c);
  for (long i = 0; i < iterations; ++i)
    /* Unrolled so that the accumulators live in registers, not memory. */
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  __m256 sum = acc[0];
  for (int c = 1; c < CHAINS; ++c)
    sum = _mm256_add_ps(sum, acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

static int use_avx512;
static pthread_barrier_t barrier;

typedef struct {
  double seconds;        /* best repetition */
  double median_seconds; /* median repetition */
  float sink;
} thread_result;

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void *worker(void *arg) {
  thread_result *result = arg;
  static __thread double times[REPETITIONS];
  for (int r = 0; r < REPETITIONS; ++r) {
    /* All threads start together so that their loops overlap in time. */
    pthread_barrier_wait(&barrier);
    double start = now_s();
    result->sink += use_avx512 ? fma_loop_avx512(ITERATIONS) : fma_loop_avx2(ITERATIONS);
    times[r] = now_s() - start;
  }
  qsort(times, REPETITIONS, sizeof(double), compare_doubles);
  result->seconds = times[0];
  result->median_seconds = times[REPETITIONS / 2];
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: fma_peak [THREADS]\n");
    return 2;
  }
  __builtin_cpu_init();
  use_avx512 = __builtin_cpu_supports("avx512f");
  if (!use_avx512 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    fprintf(stderr, "fma_peak: the CPU has neither AVX-512 nor AVX2 with FMA\n");
    return 1;
  }
  pthread_barrier_init(&barrier, NULL, (unsigned)threads);
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  thread_result *results = calloc((size_t)threads, sizeof *results);
  for (int t = 0; t < threads; ++t)
    pthread_create(&ids[t], NULL, worker, &results[t]);
  double total = 0, median_total = 0, sink = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(ids[t], NULL);
    /* FLOPs per thread: iterations x chains x lanes x 2 (multiply and add). */
    double flops = (double)ITERATIONS * CHAINS * (use_avx512 ? 16 : 8) * 2;
    total += flops / results[t].seconds / 1e9;
    median_total += flops / results[t].median_seconds / 1e9;
    sink += results[t].sink;
  }
  printf("{\"isa\": \"%s\", \"threads\": %d, \"gflops\": %.1f, \"gflops_per_thread\": %.1f, "
         "\"median_gflops\": %.1f, \"sink\": %g}\n",
         use_avx512 ? "avx512" : "avx2", threads, total, total / threads, median_total, sink);
  return 0;
}
