//===- PlanMemory.cpp - The kiln-plan-memory pass -------------------------===//
//
// A model's intermediate buffers have lifetimes known when compiling: each is
// allocated, used by a few ops and dead after its last reader. Allocating
// each one from the heap spreads a run over as much memory as the sum of the
// buffers of each size; placing them in one arena by their lifetimes, a dead
// buffer's bytes serve the next one, so the run touches only its peak of live
// bytes, and the bytes a kernel writes were usually read moments ago (still
// in cache). The arena is one allocation per call, of the same size on every
// call, which the runtime's heap serves from its cache of freed blocks.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/CPU/Weights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <algorithm>

namespace kiln {
#define GEN_PASS_DEF_KILNPLANMEMORYPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Offsets in the arena are multiples of this: the alignment every buffer
/// of the module asks for, and a cache line.
constexpr int64_t kArenaAlignment = 64;

/// A buffer allocated in a function's entry block, live from `begin` to `end`
/// (positions of ops in that block, inclusive), and the ops of that block
/// with generated code that reads or writes it.
struct Buffer {
  memref::AllocOp alloc;
  int64_t begin;
  int64_t end;
  int64_t bytes;
  SmallPtrSet<Operation *, 4> generatedUsers;
  int64_t offset = 0;

  bool overlapsInTime(const Buffer &other) const {
    return begin <= other.end && other.begin <= end;
  }
};

/// The bytes of a buffer of `type` when it can live in the arena: a static
/// shape, the identity layout, the default memory space and an element type
/// of whole bytes (memref.view's requirements); else nothing.
std::optional<int64_t> getPlannableBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0 || type.getNumElements() == 0)
    return std::nullopt;
  return type.getNumElements() * (bits / 8);
}

/// Whether values of `type` can carry a buffer or its address on (views,
/// extracted pointers and what they are cast to).
bool mayCarryAddress(Type type) { return !isa<FloatType, VectorType>(type); }

/// Whether `op` calls a library kernel: a call that takes addresses, no
/// buffers (a call of another function of the module may return the buffer
/// it is given, and its loops read and write it).
bool isKernelCall(Operation *op) {
  return isa<func::CallOp>(op) &&
         llvm::none_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>);
}

/// Whether `op` only passes a buffer's address on to a library kernel call
/// (or checks it, or reads a size): views, the extracted address and its
/// casts, the call. Anything else is generated code reading or writing the
/// buffer.
bool onlyPassesAddress(Operation *op) {
  return isa<ViewLikeOpInterface, memref::ExtractAlignedPointerAsIndexOp,
             memref::DimOp, arith::IndexCastOp, arith::IndexCastUIOp,
             arith::CmpIOp, LLVM::IntToPtrOp>(op) ||
         isKernelCall(op);
}

/// `alloc`'s buffer with its lifetime: from the allocation to the last op of
/// `block` that uses it or what is derived from it (views, extracted
/// addresses), and the ops of `block` whose generated code touches it.
/// Nothing when the buffer may outlive the block's ops (it is returned or
/// yielded out of a region).
std::optional<Buffer>
analyzeBuffer(memref::AllocOp alloc, int64_t bytes, Block &block,
              const DenseMap<Operation *, int64_t> &positions) {
  Buffer buffer{
      alloc, positions.lookup(alloc), positions.lookup(alloc), bytes, {}};
  SmallVector<Value> worklist = {alloc.getResult()};
  DenseSet<Value> seen = {alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      // Terminators pass values on to a region's results or a caller.
      if (user->hasTrait<OpTrait::IsTerminator>())
        return std::nullopt;
      Operation *ancestor = block.findAncestorOpInBlock(*user);
      if (!ancestor)
        return std::nullopt;
      buffer.end = std::max(buffer.end, positions.lookup(ancestor));
      // Generated code's results may still be the buffer (a loop that
      // carries it), so they are followed too.
      if (!onlyPassesAddress(user))
        buffer.generatedUsers.insert(ancestor);
      // A kernel's results (its status), a comparison's and a size do not
      // carry the address on.
      if (isKernelCall(user) || isa<arith::CmpIOp, memref::DimOp>(user))
        continue;
      for (Value result : user->getResults())
        if (mayCarryAddress(result.getType()) && seen.insert(result).second)
          worklist.push_back(result);
    }
  }
  return buffer;
}

/// Keeps the buffers that go to the arena, largest first: each op of
/// generated code may touch at most one of them. LLVM vectorizes a loop over
/// two buffers of different allocations with a run-time check that they do
/// not overlap, but gives up on two views of one arena whose distance it
/// cannot compute ("unknown data dependence": a BERT encoder's GELU and
/// softmax loops went scalar, 4.2 to 5.4 ms). The others keep their own
/// allocation.
void selectArenaBuffers(SmallVectorImpl<Buffer> &buffers) {
  llvm::stable_sort(buffers, [](const Buffer &a, const Buffer &b) {
    return a.bytes > b.bytes;
  });
  DenseSet<Operation *> touched;
  SmallVector<Buffer> kept;
  for (Buffer &buffer : buffers) {
    if (llvm::any_of(buffer.generatedUsers,
                     [&](Operation *op) { return touched.contains(op); }))
      continue;
    touched.insert(buffer.generatedUsers.begin(), buffer.generatedUsers.end());
    kept.push_back(std::move(buffer));
  }
  buffers = std::move(kept);
}

/// Places each of `buffers` (largest first, as selectArenaBuffers leaves
/// them) at the lowest offset where it overlaps no buffer placed before it
/// that is alive at the same time; returns the arena's size.
int64_t placeBuffers(MutableArrayRef<Buffer> buffers) {
  int64_t arenaBytes = 0;
  SmallVector<Buffer *> placed;
  for (Buffer &buffer : buffers) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (other->overlapsInTime(buffer))
        live.push_back(other);
    llvm::sort(live, [](const Buffer *a, const Buffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (Buffer *other : live) {
      if (offset + buffer.bytes <= other->offset)
        break;
      offset = std::max<int64_t>(
          offset, llvm::alignTo(other->offset + other->bytes, kArenaAlignment));
    }
    buffer.offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffer.bytes);
    placed.push_back(&buffer);
  }
  return arenaBytes;
}

struct PlanMemoryPass : impl::KilnPlanMemoryPassBase<PlanMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t largest = 0;
    module.walk([&](func::FuncOp function) {
      if (!function.isExternal())
        largest = std::max(largest, planFunction(function));
    });
    if (largest > 0)
      module->setAttr(
          kPlannedArenaSizeAttrName,
          IntegerAttr::get(IntegerType::get(&getContext(), 64), largest));
  }

  /// Plans `function`'s buffers; returns its arena's size (0: none).
  static int64_t planFunction(func::FuncOp function) {
    Block &block = function.getBody().front();
    DenseMap<Operation *, int64_t> positions;
    for (auto [index, op] : llvm::enumerate(block))
      positions[&op] = index;
    SmallVector<Buffer> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = getPlannableBytes(alloc.getType());
      if (!bytes || alloc.getAlignment().value_or(0) > kArenaAlignment)
        continue;
      if (std::optional<Buffer> buffer =
              analyzeBuffer(alloc, *bytes, block, positions))
        buffers.push_back(std::move(*buffer));
    }
    selectArenaBuffers(buffers);
    if (buffers.size() < 2)
      return 0;
    int64_t bufferBytes = 0;
    for (const Buffer &buffer : buffers)
      bufferBytes += buffer.bytes;
    int64_t arenaBytes = placeBuffers(buffers);

    MLIRContext *context = function.getContext();
    OpBuilder builder = OpBuilder::atBlockBegin(&block);
    auto arenaType =
        MemRefType::get({arenaBytes}, IntegerType::get(context, 8));
    Value arena =
        memref::AllocOp::create(builder, function.getLoc(), arenaType,
                                builder.getI64IntegerAttr(kArenaAlignment));
    for (Buffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset =
          arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                          arena, offset, ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    // What the plan saves, for --report and the module info.
    function->setAttr(kArenaBytesAttrName,
                      builder.getI64IntegerAttr(arenaBytes));
    function->setAttr(kArenaBufferBytesAttrName,
                      builder.getI64IntegerAttr(bufferBytes));
    return arenaBytes;
  }
};

} // namespace
} // namespace kiln
