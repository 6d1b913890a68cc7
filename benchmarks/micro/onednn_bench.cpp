//===- onednn_bench.cpp - Times SGEMM and convolution in oneDNN -----------===//
//
// The library column of the kernel microbenchmarks: what oneDNN (Debian's
// libdnnl 2.6, v2 API) achieves on the same shapes that Kiln compiles.
//
//   onednn_bench matmul M N K [--runs R] [--warmup W]
//   onednn_bench conv IC OC KH KW STRIDE PAD H W [--runs R] [--warmup W]
//
// matmul: C[M,N] = A[M,K] * B[K,N], all row-major (an SGEMM call, as Kiln's
// MatMul of two inputs sees it). conv: batch 1, no bias, source, weights and
// destination in the layouts oneDNN prefers (format_tag::any), reordered once
// before the timed runs, so reorders are not timed. Threads follow OpenMP
// (OMP_NUM_THREADS). Prints one JSON object: p50 and minimum in ms, the
// implementation oneDNN chose, its version.
//
//===----------------------------------------------------------------------===//
#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Timing {
  double p50Ms;
  double minMs;
};

/// Runs `primitive` `warmup` times, then `runs` timed times; nearest-rank p50.
Timing timePrimitive(const primitive &p, stream &s, const std::unordered_map<int, memory> &args,
                     int warmup, int runs) {
  for (int i = 0; i < warmup; ++i)
    p.execute(s, args);
  s.wait();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    p.execute(s, args);
    s.wait();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return {times[(times.size() + 1) / 2 - 1], times.front()};
}

void fillRandom(memory &m) {
  std::mt19937 generator(1234);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto *data = static_cast<float *>(m.get_data_handle());
  size_t count = m.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < count; ++i)
    data[i] = uniform(generator);
}

/// Returns `user` in layout `desired`, reordering once (outside any timing).
memory toLayout(memory &user, const memory::desc &desired, engine &e, stream &s) {
  if (user.get_desc() == desired)
    return user;
  memory converted(desired, e);
  reorder(user, converted).execute(s, user, converted);
  s.wait();
  return converted;
}

void printResult(const char *kind, const std::string &shape, double flops, const Timing &t,
                 const char *implementation) {
  const dnnl_version_t *version = dnnl_version();
  std::printf("{\"kind\": \"%s\", \"shape\": \"%s\", \"p50_ms\": %.4f, \"min_ms\": %.4f, "
              "\"gflops\": %.2f, \"impl\": \"%s\", \"version\": \"%d.%d.%d\"}\n",
              kind, shape.c_str(), t.p50Ms, t.minMs, flops / (t.p50Ms * 1e6), implementation,
              version->major, version->minor, version->patch);
}

} // namespace

int main(int argc, char **argv) {
  int runs = 20, warmup = 3;
  std::vector<long> dims;
  if (argc < 2) {
    std::fprintf(stderr, "usage: onednn_bench matmul M N K | conv IC OC KH KW STRIDE PAD H W "
                         "[--runs R] [--warmup W]\n");
    return 2;
  }
  std::string kind = argv[1];
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc)
      runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--warmup") && i + 1 < argc)
      warmup = std::atoi(argv[++i]);
    else
      dims.push_back(std::atol(argv[i]));
  }
  if (runs < 1 || (kind == "matmul" && dims.size() != 3) || (kind == "conv" && dims.size() != 8) ||
      (kind != "matmul" && kind != "conv")) {
    std::fprintf(stderr, "onednn_bench: bad arguments\n");
    return 2;
  }

  engine cpu(engine::kind::cpu, 0);
  stream s(cpu);
  if (kind == "matmul") {
    memory::dim m = dims[0], n = dims[1], k = dims[2];
    memory a({{m, k}, dt::f32, tag::ab}, cpu), b({{k, n}, dt::f32, tag::ab}, cpu),
        c({{m, n}, dt::f32, tag::ab}, cpu);
    fillRandom(a);
    fillRandom(b);
    matmul::primitive_desc pd(matmul::desc(a.get_desc(), b.get_desc(), c.get_desc()), cpu);
    matmul prim(pd);
    Timing t = timePrimitive(prim, s, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}},
                             warmup, runs);
    printResult("matmul", std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k),
                2.0 * m * n * k, t, pd.impl_info_str());
    return 0;
  }

  memory::dim ic = dims[0], oc = dims[1], kh = dims[2], kw = dims[3], stride = dims[4],
              pad = dims[5], h = dims[6], w = dims[7];
  memory::dim oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
  memory::dims srcDims{1, ic, h, w}, weightDims{oc, ic, kh, kw}, dstDims{1, oc, oh, ow};
  memory userSrc({srcDims, dt::f32, tag::nchw}, cpu), userWeights({weightDims, dt::f32, tag::oihw}, cpu);
  fillRandom(userSrc);
  fillRandom(userWeights);
  convolution_forward::desc desc(
      prop_kind::forward_inference, algorithm::convolution_direct,
      memory::desc(srcDims, dt::f32, tag::any), memory::desc(weightDims, dt::f32, tag::any),
      memory::desc(dstDims, dt::f32, tag::any), {stride, stride}, {pad, pad}, {pad, pad});
  convolution_forward::primitive_desc pd(desc, cpu);
  memory src = toLayout(userSrc, pd.src_desc(), cpu, s);
  memory weights = toLayout(userWeights, pd.weights_desc(), cpu, s);
  memory dst(pd.dst_desc(), cpu);
  convolution_forward prim(pd);
  Timing t = timePrimitive(prim, s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}},
                           warmup, runs);
  double flops = 2.0 * oc * oh * ow * ic * kh * kw;
  std::string shape = std::to_string(ic) + "->" + std::to_string(oc) + " k" + std::to_string(kh) +
                      "x" + std::to_string(kw) + " s" + std::to_string(stride) + " " +
                      std::to_string(h) + "x" + std::to_string(w);
  printResult("conv", shape, flops, t, pd.impl_info_str());
  return 0;
}
