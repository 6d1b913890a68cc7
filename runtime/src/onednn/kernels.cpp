//===- kernels.cpp - Library kernels on oneDNN ----------------------------===//
//
// The kernels compiled modules call (kiln/kernel_abi.h): convolution,
// transposed convolution and matrix product with fused epilogues, and the
// filter gradient of a convolution, on oneDNN primitives.
//
// A call site's state (KernelState, kept in the module's state word) holds one
// prepared primitive per batch size: the primitive itself, created once; its
// constant weights, reordered once to the layout the primitive prefers; and the
// reorders of activations between Kiln's plain row-major tensors and the
// primitive's layouts. Preparing is locked; running is not (oneDNN primitives
// may execute concurrently), and scratch buffers are per thread.
//
// Reordered constant weights are shared by all call sites that read the same
// constant into the same layout (PackedWeights): an unrolled recurrent layer
// multiplies by one weight matrix at each of its steps.
//
//===----------------------------------------------------------------------===//

#include "onednn/kernels.h"

#include "internal.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using dnnl::memory;
using tag = dnnl::memory::format_tag;

namespace kiln::internal {
namespace {

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &threadStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

thread_local std::string lastKernelError;

/// Per-thread scratch memory for reordered activations and scratchpads:
/// 64-byte aligned (as oneDNN's kernels want), grows, never shrinks.
class Scratch {
public:
  void *get(size_t slot, size_t bytes) {
    if (buffers.size() <= slot)
      buffers.resize(slot + 1);
    Buffer &buffer = buffers[slot];
    if (buffer.size < bytes) {
      size_t size = (bytes + 63) / 64 * 64;
      buffer.data.reset(std::aligned_alloc(64, size));
      if (!buffer.data)
        throw std::bad_alloc();
      buffer.size = size;
    }
    return buffer.data.get();
  }

private:
  struct Buffer {
    std::unique_ptr<void, decltype(&std::free)> data{nullptr, &std::free};
    size_t size = 0;
  };
  std::vector<Buffer> buffers;
};

Scratch &threadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

float floatFromBits(int64_t bits) {
  uint32_t word = static_cast<uint32_t>(bits);
  float value;
  std::memcpy(&value, &word, sizeof value);
  return value;
}

/// Appends the epilogue after the primitive's own bias: the residual as a
/// binary addition, then the activation.
dnnl::post_ops makeEpilogue(int64_t flags, int64_t activation, float alpha,
                            float beta, const memory::desc &residual) {
  dnnl::post_ops ops;
  if ((flags & KILN_KERNEL_HAS_RESIDUAL) && (flags & KILN_KERNEL_ACCUMULATE))
    throw std::runtime_error("a kernel takes a residual or accumulates into "
                             "its output, not both");
  if (flags & KILN_KERNEL_HAS_RESIDUAL)
    ops.append_binary(dnnl::algorithm::binary_add, residual);
  if (flags & KILN_KERNEL_ACCUMULATE)
    ops.append_sum(1.0f);
  switch (activation) {
  case KILN_ACTIVATION_NONE:
    break;
  case KILN_ACTIVATION_RELU:
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    break;
  case KILN_ACTIVATION_LEAKY_RELU:
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, alpha, 0.0f);
    break;
  case KILN_ACTIVATION_CLIP:
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip_v2, alpha, beta);
    break;
  case KILN_ACTIVATION_SIGMOID:
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
    break;
  case KILN_ACTIVATION_TANH:
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
    break;
  default:
    throw std::runtime_error("unknown activation " +
                             std::to_string(activation));
  }
  return ops;
}

/// Constant weights reordered to a primitive's layout, shared between call
/// sites: the key is the constant's address and both layouts, so equal keys
/// mean equal bytes. An unrolled LSTM of 2 x 64 steps used to keep 128 copies
/// of its two 4 MiB recurrent matrices (512 MiB, read from memory at every
/// step instead of the cache). An entry lives as long as some call site
/// holds it, i.e. until the last module that uses it is freed.
class PackedWeights {
public:
  /// `data` (a module constant in `user` layout) in `packed` layout,
  /// reordered by `reorder` unless some call site already did.
  static std::shared_ptr<memory> get(const memory::desc &user,
                                     const memory::desc &packed,
                                     const dnnl::reorder &reorder,
                                     const void *data, dnnl::stream &stream) {
    static PackedWeights cache;
    return cache.find(user, packed, reorder, data, stream);
  }

private:
  struct Entry {
    memory::desc user, packed;
    std::weak_ptr<memory> weights;
  };

  std::shared_ptr<memory> find(const memory::desc &user,
                               const memory::desc &packed,
                               const dnnl::reorder &reorder, const void *data,
                               dnnl::stream &stream) {
    // Locked throughout, so that call sites running for the first time at
    // once reorder a constant once.
    std::lock_guard<std::mutex> lock(mutex);
    auto [first, last] = entries.equal_range(data);
    for (auto it = first; it != last; ++it)
      if (it->second.user == user && it->second.packed == packed)
        if (std::shared_ptr<memory> weights = it->second.weights.lock())
          return weights;
    dropExpired();
    memory plain(user, cpuEngine(), const_cast<void *>(data));
    auto weights = std::make_shared<memory>(packed, cpuEngine());
    reorder.execute(stream, plain, *weights);
    stream.wait();
    entries.emplace(data, Entry{user, packed, weights});
    return weights;
  }

  /// Forgets the entries of freed modules (whose addresses may be reused).
  void dropExpired() {
    for (auto it = entries.begin(); it != entries.end();)
      it = it->second.weights.expired() ? entries.erase(it) : std::next(it);
  }

  std::mutex mutex;
  std::multimap<const void *, Entry> entries;
};

/// One primitive for one batch size, with the layouts around it.
struct Prepared {
  dnnl::primitive primitive;
  // Kiln's plain layouts and the primitive's.
  memory::desc userSrc, userWeights, userDst, userBias, userResidual;
  memory::desc src, weights, dst;
  // The conversions between the two, created with the primitive (empty when
  // the layouts agree). A filter gradient's primitive reads its output
  // gradient (`dst`) and writes its weights: those two go the other way.
  dnnl::reorder srcReorder, weightsReorder, dstReorder;
  // With KILN_KERNEL_ACCUMULATE the primitive adds into its destination,
  // which must first hold the output's values in the primitive's layout.
  dnnl::reorder accumulateReorder;
  // The primitive's scratchpad, which the runtime provides per thread:
  // oneDNN's own is shared by all primitives and not safe to use from
  // several threads at once.
  memory::desc scratchpad;
  // Constant weights in the primitive's layout, filled on the first run
  // (shared with other call sites through PackedWeights).
  std::once_flag weightsOnce;
  memory constantWeights;
  std::shared_ptr<memory> packedWeights;

  /// The memory objects and argument list of this call site's runs on one
  /// thread, when neither source nor destination is reordered and the
  /// weights are constant: created on the thread's first run, later runs
  /// only point them at their buffers. Creating them on every run (each
  /// copies its descriptor) and the argument map took about 2% of
  /// SqueezeNet's time.
  struct ThreadArguments {
    memory src, dst, scratchpad, bias, residual;
    std::vector<dnnl_exec_arg_t> args;
  };
  /// This thread's ThreadArguments (created by `create` on first use).
  template <typename CreateFn>
  ThreadArguments &argumentsForThisThread(CreateFn create) {
    std::thread::id self = std::this_thread::get_id();
    std::lock_guard<std::mutex> lock(threadArgumentsMutex);
    for (auto &[thread, arguments] : threadArguments)
      if (thread == self)
        return *arguments;
    threadArguments.emplace_back(self, create());
    return *threadArguments.back().second;
  }
  std::mutex threadArgumentsMutex;
  std::vector<std::pair<std::thread::id, std::unique_ptr<ThreadArguments>>>
      threadArguments;

  /// Takes the layouts `primitiveDesc` chose, creates its primitive and the
  /// reorders around it.
  template <typename Primitive>
  void adopt(const typename Primitive::primitive_desc &primitiveDesc) {
    src = primitiveDesc.src_desc();
    weights = primitiveDesc.weights_desc();
    dst = primitiveDesc.dst_desc();
    scratchpad = primitiveDesc.scratchpad_desc();
    primitive = Primitive(primitiveDesc);
    srcReorder = makeReorder(userSrc, src);
    weightsReorder = makeReorder(userWeights, weights);
    dstReorder = makeReorder(dst, userDst);
  }

  /// Creates the conversion of the output's values to the primitive's
  /// destination layout, for a kernel that accumulates into them.
  void prepareAccumulation() { accumulateReorder = makeReorder(userDst, dst); }

  /// The same for a convolution's backward-weights primitive, which reads
  /// `src` and `dst` (the output gradient) and writes `weights`.
  void adoptBackwardWeights(
      const dnnl::convolution_backward_weights::primitive_desc &primitiveDesc) {
    src = primitiveDesc.src_desc();
    weights = primitiveDesc.diff_weights_desc();
    dst = primitiveDesc.diff_dst_desc();
    scratchpad = primitiveDesc.scratchpad_desc();
    primitive = dnnl::convolution_backward_weights(primitiveDesc);
    srcReorder = makeReorder(userSrc, src);
    weightsReorder = makeReorder(weights, userWeights);
    dstReorder = makeReorder(userDst, dst);
  }

private:
  /// A conversion from one layout to another (empty when they agree).
  static dnnl::reorder makeReorder(const memory::desc &from,
                                   const memory::desc &to) {
    return from == to ? dnnl::reorder()
                      : dnnl::reorder(dnnl::reorder::primitive_desc(
                            cpuEngine(), from, cpuEngine(), to));
  }
};

/// Whether a kernel kind is a (plain or transposed) convolution or a
/// convolution's filter gradient, whose parameters are KILN_CONV2D_*.
bool isConvolution(int32_t kind) {
  return kind == KILN_KERNEL_CONV2D || kind == KILN_KERNEL_CONV_TRANSPOSE2D ||
         kind == KILN_KERNEL_CONV2D_BACKWARD_FILTER;
}

/// The state of one call site.
class KernelState {
public:
  KernelState(int32_t kind, const int64_t *params, int32_t numParams)
      : kind(kind), params(params, params + numParams) {}

  int32_t kind;
  std::vector<int64_t> params;
  int references = 0;

  /// The primitive for `batch` rows or images on the OpenMP thread count of
  /// the calling thread, prepared on first use. oneDNN fixes a primitive's
  /// thread count when creating it, so each count gets its own.
  Prepared &preparedFor(int64_t batch) {
    int threads = omp_get_max_threads();
    std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<Prepared> &slot = prepared[{batch, threads}];
    if (!slot)
      slot = kind == KILN_KERNEL_CONV2D_BACKWARD_FILTER
                 ? prepareBackwardFilter(batch)
             : isConvolution(kind) ? prepareConv2D(batch)
                                   : prepareMatMul(batch);
    return *slot;
  }

  /// The batch fixed when compiling, or -1.
  int64_t staticBatch() const {
    return params[isConvolution(kind) ? int{KILN_CONV2D_BATCH}
                                      : int{KILN_MATMUL_ROWS}];
  }

private:
  std::unique_ptr<Prepared> prepareConv2D(int64_t batch) const;
  std::unique_ptr<Prepared> prepareBackwardFilter(int64_t batch) const;
  std::unique_ptr<Prepared> prepareMatMul(int64_t rows) const;

  std::mutex mutex;
  std::map<std::pair<int64_t, int>, std::unique_ptr<Prepared>> prepared;
};

/// oneDNN's Winograd convolutions by output tile: F(2x2, 3x3), F(4x4, 3x3).
enum class WinogradTiles { None, Small, Large };

/// A 2-D convolution's shapes in oneDNN's terms, read from a KILN_CONV2D_*
/// parameter vector for batch `n`; shared by the forward, transposed and
/// backward-filter kernels.
struct ConvGeometry {
  ConvGeometry(const int64_t *params, int64_t n, bool transposed) {
    auto p = [&](int index) { return params[index]; };
    groups = p(KILN_CONV2D_GROUPS);
    int64_t c = p(KILN_CONV2D_CHANNELS), f = p(KILN_CONV2D_FILTERS);
    kernel = {p(KILN_CONV2D_KERNEL_H), p(KILN_CONV2D_KERNEL_W)};
    src = {n, c, p(KILN_CONV2D_HEIGHT), p(KILN_CONV2D_WIDTH)};
    dst = {n, f, p(KILN_CONV2D_OUT_H), p(KILN_CONV2D_OUT_W)};
    // oneDNN names weight dims (output channels, input channels, ...) for
    // every primitive. A convolution's filter holds them in that order; a
    // transposed one, [C, F / groups, KH, KW], holds the input channels
    // first.
    weights = groups == 1 ? memory::dims{f, c, kernel[0], kernel[1]}
                          : memory::dims{groups, f / groups, c / groups,
                                         kernel[0], kernel[1]};
    weightTag = transposed ? (groups == 1 ? tag::iohw : tag::giohw)
                           : (groups == 1 ? tag::oihw : tag::goihw);
    nhwc = p(KILN_CONV2D_FLAGS) & KILN_KERNEL_NHWC;
    strides = {p(KILN_CONV2D_STRIDE_H), p(KILN_CONV2D_STRIDE_W)};
    // oneDNN counts dilation from 0 (no dilation), Kiln from 1.
    dilations = {p(KILN_CONV2D_DILATION_H) - 1, p(KILN_CONV2D_DILATION_W) - 1};
    padBegin = {p(KILN_CONV2D_PAD_TOP), p(KILN_CONV2D_PAD_LEFT)};
    padEnd = {p(KILN_CONV2D_PAD_BOTTOM), p(KILN_CONV2D_PAD_RIGHT)};
  }

  /// The caller's source, destination and weights layouts.
  void describeUserMemory(Prepared &prepared) const {
    tag activationTag = nhwc ? tag::nhwc : tag::nchw;
    prepared.userSrc = memory::desc(src, memory::data_type::f32, activationTag);
    prepared.userDst = memory::desc(dst, memory::data_type::f32, activationTag);
    prepared.userWeights =
        memory::desc(weights, memory::data_type::f32, weightTag);
  }

  /// Activations in NHWC are given to the primitive as they are (oneDNN's
  /// direct convolutions on x86 work in NHWC); NCHW ones go to the layout it
  /// prefers.
  memory::desc activationDesc(const memory::desc &user,
                              const memory::dims &dims) const {
    return nhwc ? user : memory::desc(dims, memory::data_type::f32, tag::any);
  }

  /// Which of oneDNN's Winograd convolutions may beat its direct one, if
  /// any. Only 3x3 convolutions of stride 1, no dilation and one group (see
  /// adoptWinograd), of at least kMinWinogradMacs multiply-adds.
  ///
  /// 4x4 output tiles (F(4x4, 3x3): 36 multiplications per 16 outputs,
  /// against 16 per 4 for 2x2 tiles) have dearer transforms, which pay from
  /// about 24x24 outputs. Below, 2x2 tiles pay with 128 input channels or
  /// more; with fewer, the direct convolution is about as fast alone, and
  /// faster in a model on two threads, since it reads its input and weights
  /// without reorders and the weights are 1.8 times smaller (2.02 instead of
  /// 2.09 ms for SqueezeNet, whose 13x13 layers have 48 and 64 channels).
  /// Measured alone (no reorders), one / two threads, direct, 2x2, 4x4
  /// tiles, in ms: 16 -> 64 channels at 55x55 - / 0.104, 0.150 / 0.080, 0.114
  /// / 0.071; 32 -> 128 at 27x27 0.193 / 0.113, 0.113 / 0.062, 0.096 /
  /// 0.058; 48 -> 192 at 13x13 0.095 / 0.052, 0.071 / 0.053, 0.061 / 0.057;
  /// 64 -> 256 at 13x13 0.168 / 0.088, 0.167 / 0.099, 0.107 / 0.092; 64 at
  /// 56x56 0.85 / 0.45, 0.46 / 0.23, 0.36 / 0.22; 256 at 14x14 0.79 / 0.40,
  /// 0.41 / 0.25, 0.41 / 0.27 (4x4 tiles' weights would take 47 MiB more in
  /// ResNet-50); 512 at 7x7 0.75 / 0.38, 0.69 / 0.31, 1.61 / 0.76.
  WinogradTiles winogradTiles() const {
    int64_t positions = dst[0] * dst[2] * dst[3];
    int64_t macs = positions * dst[1] * src[1] * 9;
    if (groups != 1 || kernel != memory::dims{3, 3} ||
        strides != memory::dims{1, 1} || dilations != memory::dims{0, 0} ||
        macs < kMinWinogradMacs)
      return WinogradTiles::None;
    if (positions >= kMinLargeTilePositions)
      return WinogradTiles::Large;
    return src[1] >= kMinSmallTileChannels ? WinogradTiles::Small
                                           : WinogradTiles::None;
  }
  static constexpr int64_t kMinLargeTilePositions = 24 * 24;
  static constexpr int64_t kMinSmallTileChannels = 128;

  /// Below about this many multiply-adds the reorders around a Winograd
  /// convolution cost more than it saves. At batch 1 on one thread, reorders
  /// included: the digits example's 1 -> 8 channels at 8x8 (5K) take 3 us
  /// instead of 2, and 8 -> 16 at 4x4 2 us instead of 1; 16 -> 64 at 27x27
  /// (6.7M) gains a little (0.057 -> 0.052 ms), 48 -> 192 at 13x13 (14M)
  /// more (0.109 -> 0.087 ms).
  static constexpr int64_t kMinWinogradMacs = 2'000'000;

  int64_t groups;
  memory::dims kernel, src, dst, weights, strides, dilations, padBegin, padEnd;
  tag weightTag;
  bool nhwc;
};

/// Moves `primitiveDesc` to the first of its implementations whose name
/// contains `name`; false (and `primitiveDesc` past its last implementation,
/// to be created again) when none does.
bool findImplementation(dnnl::primitive_desc &primitiveDesc, const char *name) {
  do {
    if (std::strstr(primitiveDesc.impl_info_str(), name))
      return true;
  } while (primitiveDesc.next_impl());
  return false;
}

/// Prepares `prepared` as oneDNN's Winograd convolution with `tiles` (its
/// first choice when it has none of those), in the activation
/// layout it picks (the runtime reorders to and from the caller's); false
/// when oneDNN has none for these shapes and epilogue (a residual addition,
/// say), and the caller falls back to the direct convolution.
///
/// For 3x3 convolutions of stride 1 with constant weights, at batch 1 on one
/// thread and with the reorders of source and destination counted: ResNet's
/// 64 channels at 56x56 0.88 -> 0.49 ms, 128 at 28x28 0.82 -> 0.36, 256 at
/// 14x14 0.79 -> 0.42, 512 at 7x7 0.80 -> 0.64; SqueezeNet's 16 -> 64 at 55x55
/// 0.21 -> 0.17 (the same on two threads). Its transforms round differently
/// from a direct convolution: results agree to about 1e-6 relative.
bool adoptWinograd(Prepared &prepared, const ConvGeometry &geometry,
                   WinogradTiles tiles, const memory::desc &weightsAny,
                   const memory::desc &biasDesc,
                   const dnnl::primitive_attr &attributes) {
  try {
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference,
        dnnl::algorithm::convolution_winograd,
        memory::desc(geometry.src, memory::data_type::f32, tag::any),
        weightsAny, biasDesc,
        memory::desc(geometry.dst, memory::data_type::f32, tag::any),
        geometry.strides, geometry.dilations, geometry.padBegin,
        geometry.padEnd);
    auto create = [&] {
      return dnnl::convolution_forward::primitive_desc(
          desc, attributes, cpuEngine(), /*allow_empty=*/false);
    };
    dnnl::convolution_forward::primitive_desc primitiveDesc = create();
    if (tiles == WinogradTiles::Large &&
        !findImplementation(primitiveDesc, "wino_4x3"))
      primitiveDesc = create();
    prepared.adopt<dnnl::convolution_forward>(primitiveDesc);
    return true;
  } catch (const dnnl::error &) {
    return false;
  }
}

std::unique_ptr<Prepared> KernelState::prepareConv2D(int64_t n) const {
  auto p = [&](int index) { return params[index]; };
  bool transposed = kind == KILN_KERNEL_CONV_TRANSPOSE2D;
  ConvGeometry geometry(params.data(), n, transposed);
  int64_t flags = p(KILN_CONV2D_FLAGS);
  auto prepared = std::make_unique<Prepared>();
  geometry.describeUserMemory(*prepared);
  prepared->userBias =
      memory::desc({geometry.dst[1]}, memory::data_type::f32, tag::x);
  prepared->userResidual = prepared->userDst;

  // Weights always go to whatever layout the primitive likes best: constant
  // ones once, others (a training step's) on every call. oneDNN reads plain
  // oihw or iohw filters with NHWC activations only in its reference loops
  // (a 64-channel 3x3 convolution at 28x28: 89 ms against 0.2 ms with the
  // reorder).
  memory::desc weightsAny =
      memory::desc(geometry.weights, memory::data_type::f32, tag::any);
  memory::desc srcAny =
      geometry.activationDesc(prepared->userSrc, geometry.src);
  memory::desc dstAny =
      geometry.activationDesc(prepared->userDst, geometry.dst);
  memory::desc biasDesc =
      flags & KILN_KERNEL_HAS_BIAS ? prepared->userBias : memory::desc();
  memory::dims padEnd = geometry.padEnd;
  if (transposed) {
    // oneDNN checks a deconvolution's shapes as those of the convolution it
    // inverts, which has no output padding: the end padding that makes the
    // output exactly as large as asked is the ONNX end padding minus the
    // output padding (possibly negative, which oneDNN accepts above
    // -stride).
    for (int dim = 0; dim < 2; ++dim) {
      int64_t extent =
          (geometry.dilations[dim] + 1) * (geometry.kernel[dim] - 1) + 1;
      padEnd[dim] = (geometry.src[2 + dim] - 1) * geometry.strides[dim] +
                    extent - geometry.dst[2 + dim] - geometry.padBegin[dim];
    }
  }
  WinogradTiles tiles = geometry.winogradTiles();
  dnnl::primitive_attr attributes;
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attributes.set_post_ops(makeEpilogue(flags, p(KILN_CONV2D_ACTIVATION),
                                       floatFromBits(p(KILN_CONV2D_ALPHA_BITS)),
                                       floatFromBits(p(KILN_CONV2D_BETA_BITS)),
                                       prepared->userResidual));
  if (transposed) {
    dnnl::deconvolution_forward::desc desc(
        dnnl::prop_kind::forward_inference,
        dnnl::algorithm::deconvolution_direct, srcAny, weightsAny, biasDesc,
        dstAny, geometry.strides, geometry.dilations, geometry.padBegin,
        padEnd);
    prepared->adopt<dnnl::deconvolution_forward>(
        dnnl::deconvolution_forward::primitive_desc(desc, attributes,
                                                    cpuEngine()));
  } else if (!(tiles != WinogradTiles::None &&
               (flags & KILN_KERNEL_CONSTANT_WEIGHTS) &&
               adoptWinograd(*prepared, geometry, tiles, weightsAny, biasDesc,
                             attributes))) {
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference,
        dnnl::algorithm::convolution_direct, srcAny, weightsAny, biasDesc,
        dstAny, geometry.strides, geometry.dilations, geometry.padBegin,
        padEnd);
    prepared->adopt<dnnl::convolution_forward>(
        dnnl::convolution_forward::primitive_desc(desc, attributes,
                                                  cpuEngine()));
  }
  if (flags & KILN_KERNEL_ACCUMULATE)
    prepared->prepareAccumulation();
  return prepared;
}

std::unique_ptr<Prepared> KernelState::prepareBackwardFilter(int64_t n) const {
  // Kiln's filter layout, [F, C / groups, KH, KW], is oneDNN's plain oihw
  // (goihw with groups: the same bytes).
  ConvGeometry geometry(params.data(), n, /*transposed=*/false);
  auto prepared = std::make_unique<Prepared>();
  geometry.describeUserMemory(*prepared);

  // NHWC activations are read as they are (the forward kernels' layout);
  // the gradient comes in the layout the primitive prefers (blocked) and is
  // reordered into Kiln's plain filter once computed.
  memory::desc srcAny =
      geometry.activationDesc(prepared->userSrc, geometry.src);
  memory::desc dstAny =
      geometry.activationDesc(prepared->userDst, geometry.dst);
  memory::desc weightsAny(geometry.weights, memory::data_type::f32, tag::any);
  // oneDNN creates a backward primitive from the forward one it belongs to
  // (a hint of the layouts the forward pass used).
  dnnl::convolution_forward::desc forwardDesc(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
      srcAny, weightsAny, dstAny, geometry.strides, geometry.dilations,
      geometry.padBegin, geometry.padEnd);
  dnnl::convolution_forward::primitive_desc forward(forwardDesc, cpuEngine());
  dnnl::convolution_backward_weights::desc desc(
      dnnl::algorithm::convolution_direct, srcAny, weightsAny, dstAny,
      geometry.strides, geometry.dilations, geometry.padBegin,
      geometry.padEnd);
  dnnl::primitive_attr attributes;
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  prepared->adoptBackwardWeights(
      dnnl::convolution_backward_weights::primitive_desc(desc, attributes,
                                                         cpuEngine(), forward));
  return prepared;
}

std::unique_ptr<Prepared> KernelState::prepareMatMul(int64_t m) const {
  auto p = [&](int index) { return params[index]; };
  int64_t k = p(KILN_MATMUL_INNER), n = p(KILN_MATMUL_COLUMNS);
  int64_t batch = p(KILN_MATMUL_BATCH);
  // A batch of products is one oneDNN matmul on 3-D plain tensors.
  auto dims = [&](int64_t rows, int64_t columns) {
    return batch > 0 ? memory::dims{batch, rows, columns}
                     : memory::dims{rows, columns};
  };
  tag plain = batch > 0 ? tag::abc : tag::ab;
  auto prepared = std::make_unique<Prepared>();
  prepared->userSrc = memory::desc(dims(m, k), memory::data_type::f32, plain);
  prepared->userWeights =
      memory::desc(dims(k, n), memory::data_type::f32, plain);
  prepared->userDst = memory::desc(dims(m, n), memory::data_type::f32, plain);
  prepared->userBias =
      memory::desc(batch > 0 ? memory::dims{1, 1, n} : memory::dims{1, n},
                   memory::data_type::f32, plain);
  prepared->userResidual = prepared->userDst;
  int64_t flags = p(KILN_MATMUL_FLAGS);
  memory::desc weightsAny =
      flags & KILN_KERNEL_CONSTANT_WEIGHTS
          ? memory::desc(dims(k, n), memory::data_type::f32, tag::any)
          : prepared->userWeights;
  memory::desc biasDesc =
      flags & KILN_KERNEL_HAS_BIAS ? prepared->userBias : memory::desc();
  dnnl::matmul::desc desc(prepared->userSrc, weightsAny, biasDesc,
                          prepared->userDst);
  dnnl::primitive_attr attributes;
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attributes.set_post_ops(makeEpilogue(flags, p(KILN_MATMUL_ACTIVATION),
                                       floatFromBits(p(KILN_MATMUL_ALPHA_BITS)),
                                       floatFromBits(p(KILN_MATMUL_BETA_BITS)),
                                       prepared->userResidual));
  prepared->adopt<dnnl::matmul>(
      dnnl::matmul::primitive_desc(desc, attributes, cpuEngine()));
  if (flags & KILN_KERNEL_ACCUMULATE)
    prepared->prepareAccumulation();
  return prepared;
}

/// Per-thread scratch slots.
enum ScratchSlot { kSrcSlot, kWeightsSlot, kDstSlot, kScratchpadSlot };

/// `data` (in `user` layout) in the primitive's `wanted` layout: itself, or
/// converted by `reorder` into per-thread scratch `slot`.
memory inLayout(const memory::desc &user, const memory::desc &wanted,
                const dnnl::reorder &reorder, const void *data,
                ScratchSlot slot, dnnl::stream &stream) {
  memory plain(user, cpuEngine(), const_cast<void *>(data));
  if (!reorder)
    return plain;
  memory converted(wanted, cpuEngine(),
                   threadScratch().get(slot, wanted.get_size()));
  reorder.execute(stream, plain, converted);
  return converted;
}

/// Fills `prepared.constantWeights` on the first run of a call site with
/// constant weights, reordered to the primitive's layout if it has its own.
void prepareConstantWeights(Prepared &prepared, const float *weights,
                            dnnl::stream &stream) {
  std::call_once(prepared.weightsOnce, [&] {
    memory plain(prepared.userWeights, cpuEngine(),
                 const_cast<float *>(weights));
    if (!prepared.weightsReorder) {
      prepared.constantWeights = plain;
      return;
    }
    prepared.packedWeights =
        PackedWeights::get(prepared.userWeights, prepared.weights,
                           prepared.weightsReorder, weights, stream);
    prepared.constantWeights = *prepared.packedWeights;
  });
}

/// run() for a call site whose source and destination are in Kiln's layout
/// and whose weights are constant: the thread's memory objects, pointed at
/// this run's buffers.
int32_t runWithThreadArguments(Prepared &prepared, int64_t flags,
                               dnnl::stream &stream, const float *input,
                               const float *weights, const float *bias,
                               const float *residual, float *output) {
  prepareConstantWeights(prepared, weights, stream);
  Prepared::ThreadArguments &arguments = prepared.argumentsForThisThread([&] {
    auto created = std::make_unique<Prepared::ThreadArguments>();
    auto add = [&](int index, memory &object, const memory::desc &desc) {
      object = memory(desc, cpuEngine(), DNNL_MEMORY_NONE);
      created->args.push_back({index, object.get()});
    };
    add(DNNL_ARG_SRC, created->src, prepared.userSrc);
    add(DNNL_ARG_DST, created->dst, prepared.userDst);
    add(DNNL_ARG_SCRATCHPAD, created->scratchpad, prepared.scratchpad);
    if (flags & KILN_KERNEL_HAS_BIAS)
      add(DNNL_ARG_BIAS, created->bias, prepared.userBias);
    if (flags & KILN_KERNEL_HAS_RESIDUAL)
      add(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, created->residual,
          prepared.userResidual);
    created->args.push_back({DNNL_ARG_WEIGHTS, prepared.constantWeights.get()});
    return created;
  });
  arguments.src.set_data_handle(const_cast<float *>(input));
  arguments.dst.set_data_handle(output);
  arguments.scratchpad.set_data_handle(
      threadScratch().get(kScratchpadSlot, prepared.scratchpad.get_size()));
  if (flags & KILN_KERNEL_HAS_BIAS)
    arguments.bias.set_data_handle(const_cast<float *>(bias));
  if (flags & KILN_KERNEL_HAS_RESIDUAL)
    arguments.residual.set_data_handle(const_cast<float *>(residual));
  dnnl::error::wrap_c_api(
      dnnl_primitive_execute(prepared.primitive.get(), stream.get(),
                             static_cast<int>(arguments.args.size()),
                             arguments.args.data()),
      "could not execute a primitive");
  stream.wait();
  return 0;
}

int32_t run(KernelState &state, int64_t batch, const float *input,
            const float *weights, const float *bias, const float *residual,
            float *output) {
  int64_t flags =
      state.params[isConvolution(state.kind) ? int{KILN_CONV2D_FLAGS}
                                             : int{KILN_MATMUL_FLAGS}];
  if (state.staticBatch() >= 0)
    batch = state.staticBatch();
  if (batch < 0)
    throw std::runtime_error("negative batch " + std::to_string(batch));
  Prepared &prepared = state.preparedFor(batch);
  dnnl::stream &stream = threadStream();
  if (!prepared.srcReorder && !prepared.dstReorder &&
      !prepared.accumulateReorder && (flags & KILN_KERNEL_CONSTANT_WEIGHTS))
    return runWithThreadArguments(prepared, flags, stream, input, weights, bias,
                                  residual, output);

  memory src = inLayout(prepared.userSrc, prepared.src, prepared.srcReorder,
                        input, kSrcSlot, stream);
  memory weightMemory;
  if (flags & KILN_KERNEL_CONSTANT_WEIGHTS) {
    // The module's constant: the same bytes on every call.
    prepareConstantWeights(prepared, weights, stream);
    weightMemory = prepared.constantWeights;
  } else {
    weightMemory =
        inLayout(prepared.userWeights, prepared.weights,
                 prepared.weightsReorder, weights, kWeightsSlot, stream);
  }
  memory userDst(prepared.userDst, cpuEngine(), output);
  memory dst =
      !prepared.dstReorder
          ? userDst
          : memory(prepared.dst, cpuEngine(),
                   threadScratch().get(kDstSlot, prepared.dst.get_size()));
  if (prepared.accumulateReorder)
    prepared.accumulateReorder.execute(stream, userDst, dst);

  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, src},
      {DNNL_ARG_WEIGHTS, weightMemory},
      {DNNL_ARG_DST, dst},
      {DNNL_ARG_SCRATCHPAD,
       memory(prepared.scratchpad, cpuEngine(),
              threadScratch().get(kScratchpadSlot,
                                  prepared.scratchpad.get_size()))}};
  if (flags & KILN_KERNEL_HAS_BIAS)
    args[DNNL_ARG_BIAS] =
        memory(prepared.userBias, cpuEngine(), const_cast<float *>(bias));
  if (flags & KILN_KERNEL_HAS_RESIDUAL)
    args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = memory(
        prepared.userResidual, cpuEngine(), const_cast<float *>(residual));
  prepared.primitive.execute(stream, args);
  if (prepared.dstReorder)
    prepared.dstReorder.execute(stream, dst, userDst);
  stream.wait();
  return 0;
}

/// Computes a convolution's filter gradient
/// (KILN_KERNEL_CONV2D_BACKWARD_FILTER).
int32_t runBackwardFilter(KernelState &state, int64_t batch, const float *input,
                          const float *outputGradient, float *filterGradient) {
  if (state.staticBatch() >= 0)
    batch = state.staticBatch();
  if (batch < 0)
    throw std::runtime_error("negative batch " + std::to_string(batch));
  if (batch == 0) {
    // Nothing to sum over: a zero gradient.
    auto p = [&](int index) { return state.params[index]; };
    std::fill_n(filterGradient,
                p(KILN_CONV2D_FILTERS) *
                    (p(KILN_CONV2D_CHANNELS) / p(KILN_CONV2D_GROUPS)) *
                    p(KILN_CONV2D_KERNEL_H) * p(KILN_CONV2D_KERNEL_W),
                0.0f);
    return 0;
  }
  Prepared &prepared = state.preparedFor(batch);
  dnnl::stream &stream = threadStream();
  memory src = inLayout(prepared.userSrc, prepared.src, prepared.srcReorder,
                        input, kSrcSlot, stream);
  memory diffDst = inLayout(prepared.userDst, prepared.dst, prepared.dstReorder,
                            outputGradient, kDstSlot, stream);
  memory userDiffWeights(prepared.userWeights, cpuEngine(), filterGradient);
  memory diffWeights =
      !prepared.weightsReorder
          ? userDiffWeights
          : memory(
                prepared.weights, cpuEngine(),
                threadScratch().get(kWeightsSlot, prepared.weights.get_size()));
  prepared.primitive.execute(
      stream, {{DNNL_ARG_SRC, src},
               {DNNL_ARG_DIFF_DST, diffDst},
               {DNNL_ARG_DIFF_WEIGHTS, diffWeights},
               {DNNL_ARG_SCRATCHPAD,
                memory(prepared.scratchpad, cpuEngine(),
                       threadScratch().get(kScratchpadSlot,
                                           prepared.scratchpad.get_size()))}});
  if (prepared.weightsReorder)
    prepared.weightsReorder.execute(stream, diffWeights, userDiffWeights);
  stream.wait();
  return 0;
}

/// Runs `body`, turning exceptions into error code 1 and a message for
/// takeKernelError().
template <typename Body> int32_t guarded(const char *what, Body body) {
  try {
    return body();
  } catch (const dnnl::error &error) {
    lastKernelError = std::string(what) + ": oneDNN: " + error.what();
  } catch (const std::exception &error) {
    lastKernelError = std::string(what) + ": " + error.what();
  } catch (...) {
    lastKernelError = std::string(what) + ": unknown failure";
  }
  return 1;
}

std::mutex &registryMutex() {
  static std::mutex mutex;
  return mutex;
}

KernelState *stateOf(void **slot) {
  return static_cast<KernelState *>(__atomic_load_n(slot, __ATOMIC_ACQUIRE));
}

} // namespace

std::string takeKernelError() {
  std::string message;
  message.swap(lastKernelError);
  return message;
}

kiln_status *validateKernels(const kiln_abi_kernel *kernels, int32_t count,
                             std::string_view origin) {
  if (count < 0 || (count > 0 && !kernels))
    return makeError(KILN_INVALID_MODULE, origin, "the kernel table has ",
                     count, " entries at ", static_cast<const void *>(kernels));
  for (int32_t i = 0; i < count; ++i) {
    const kiln_abi_kernel &kernel = kernels[i];
    int32_t expected = isConvolution(kernel.kind) ? KILN_CONV2D_NUM_PARAMS
                       : kernel.kind == KILN_KERNEL_MATMUL
                           ? KILN_MATMUL_NUM_PARAMS
                           : -1;
    if (expected < 0)
      return makeError(KILN_INVALID_MODULE, origin, "kernel ", i,
                       " has unknown kind ", kernel.kind);
    if (kernel.num_params != expected || !kernel.params || !kernel.state)
      return makeError(KILN_INVALID_MODULE, origin, "kernel ", i, " has ",
                       kernel.num_params, " parameters (expected ", expected,
                       ") or no parameter vector or state word");
  }
  return nullptr;
}

kiln_status *prepareKernels(const kiln_abi_kernel *kernels, int32_t count,
                            std::string_view origin) {
  for (int32_t i = 0; i < count; ++i) {
    const kiln_abi_kernel &kernel = kernels[i];
    KernelState *state;
    {
      std::lock_guard<std::mutex> lock(registryMutex());
      state = stateOf(kernel.state);
      if (!state) {
        state = new KernelState(kernel.kind, kernel.params, kernel.num_params);
        __atomic_store_n(kernel.state, state, __ATOMIC_RELEASE);
      }
      ++state->references;
    }
    // Shapes fixed when compiling are prepared now, not on the first run, for
    // the default session (one thread).
    if (state->staticBatch() >= 0) {
      KernelThreadsGuard threads(1);
      int32_t code = guarded("kernel", [&] {
        state->preparedFor(state->staticBatch());
        return 0;
      });
      if (code != 0) {
        releaseKernels(kernels, i + 1);
        return makeError(KILN_INVALID_MODULE, origin, "cannot prepare kernel ",
                         i, ": ", takeKernelError());
      }
    }
  }
  return nullptr;
}

void releaseKernels(const kiln_abi_kernel *kernels, int32_t count) {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (int32_t i = 0; i < count; ++i) {
    KernelState *state = stateOf(kernels[i].state);
    if (state && --state->references == 0) {
      __atomic_store_n(kernels[i].state, nullptr, __ATOMIC_RELEASE);
      delete state;
    }
  }
}

} // namespace kiln::internal

using namespace kiln::internal;

extern "C" int32_t kiln_kernel_conv2d(const int64_t *, void **state,
                                      int64_t batch, const float *input,
                                      const float *filter, const float *bias,
                                      const float *residual, float *output) {
  return guarded("convolution", [&]() -> int32_t {
    KernelState *kernel = stateOf(state);
    if (!kernel)
      throw std::runtime_error("the kernel was not prepared: load the module "
                               "with its info table");
    return run(*kernel, batch, input, filter, bias, residual, output);
  });
}

extern "C" int32_t
kiln_kernel_conv_transpose2d(const int64_t *, void **state, int64_t batch,
                             const float *input, const float *filter,
                             const float *bias, const float *residual,
                             float *output) {
  return guarded("transposed convolution", [&]() -> int32_t {
    KernelState *kernel = stateOf(state);
    if (!kernel)
      throw std::runtime_error("the kernel was not prepared: load the module "
                               "with its info table");
    return run(*kernel, batch, input, filter, bias, residual, output);
  });
}

extern "C" int32_t kiln_kernel_conv2d_backward_filter(
    const int64_t *, void **state, int64_t batch, const float *input,
    const float *output_gradient, float *filter_gradient) {
  return guarded("convolution filter gradient", [&]() -> int32_t {
    KernelState *kernel = stateOf(state);
    if (!kernel)
      throw std::runtime_error("the kernel was not prepared: load the module "
                               "with its info table");
    return runBackwardFilter(*kernel, batch, input, output_gradient,
                             filter_gradient);
  });
}

extern "C" int32_t kiln_kernel_matmul(const int64_t *, void **state,
                                      int64_t rows, const float *lhs,
                                      const float *rhs, const float *bias,
                                      const float *residual, float *output) {
  return guarded("matrix product", [&]() -> int32_t {
    KernelState *kernel = stateOf(state);
    if (!kernel)
      throw std::runtime_error("the kernel was not prepared: load the module "
                               "with its info table");
    return run(*kernel, rows, lhs, rhs, bias, residual, output);
  });
}

namespace kiln::internal {

// oneDNN here runs on OpenMP; the thread count is a per-thread setting of the
// OpenMP runtime, so a session's count applies to the runs of the thread that
// runs it and is put back afterwards (other sessions on other threads keep
// theirs).
KernelThreadsGuard::KernelThreadsGuard(int32_t numThreads)
    : previous(omp_get_max_threads()) {
  omp_set_num_threads(numThreads);
}

KernelThreadsGuard::~KernelThreadsGuard() { omp_set_num_threads(previous); }

} // namespace kiln::internal
