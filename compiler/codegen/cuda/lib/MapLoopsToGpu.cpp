//===- MapLoopsToGpu.cpp - The kiln-map-loops-to-gpu pass -----------------===//
//
// Turns the loops that linalg ops became into GPU launches. Each outermost
// scf.parallel is linearized: thread t of block b runs iteration
// b * threads-per-block + t, delinearized back into the loop's induction
// variables. That handles any rank and any sizes with one launch shape; a
// tuned mapping (tiles, shared memory) is the job of library kernels.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CUDA/Passes.h"
#include "kiln/Codegen/LoopLinearization.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMAPLOOPSTOGPUPASS
#include "kiln/Codegen/CUDA/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// CUDA's limit on a grid's x dimension.
constexpr int64_t kMaxGridX = (int64_t{1} << 31) - 1;

/// Whether `op` reads or writes buffer contents (rather than only handling
/// buffers as host code does: allocating, viewing, copying, launching).
bool accessesMemory(Operation *op) {
  return isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp,
             memref::GenericAtomicRMWOp>(op);
}

/// Whether `op` or an op nested in it accesses memory.
bool touchesMemory(Operation *op) {
  return op
      ->walk([](Operation *nested) {
        return accessesMemory(nested) ? WalkResult::interrupt()
                                      : WalkResult::advance();
      })
      .wasInterrupted();
}

bool containsParallelLoop(Operation *op) {
  return op
      ->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

class LoopMapper {
public:
  LoopMapper(int64_t threadsPerBlock) : threadsPerBlock(threadsPerBlock) {}

  /// Maps the ops of `block` (host code), recursing into host control flow
  /// that launches kernels.
  LogicalResult mapBlock(Block &block) {
    for (auto it = block.begin(); it != block.end();) {
      Operation &op = *it;
      if (isa<gpu::LaunchOp>(op)) {
        ++it;
      } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        ++it;
        if (failed(launchParallelLoop(loop)))
          return failure();
      } else if (op.getNumRegions() > 0 && containsParallelLoop(&op)) {
        ++it;
        for (Region &region : op.getRegions())
          for (Block &nested : region)
            if (failed(mapBlock(nested)))
              return failure();
      } else if (touchesMemory(&op)) {
        FailureOr<SmallVector<Operation *>> group = collectGroup(block, it);
        if (failed(group))
          return failure();
        it = std::next(group->back()->getIterator());
        if (failed(launchSingleThread(*group)))
          return failure();
      } else {
        ++it;
      }
    }
    return success();
  }

private:
  /// One launch of ceil(count / threads) blocks, each thread running
  /// `body(linearIndex)` when linearIndex < count.
  LogicalResult
  launch(OpBuilder &builder, Location loc, Value count,
         function_ref<void(OpBuilder &, Location, Value)> body) {
    int64_t threads = threadsPerBlock;
    std::optional<int64_t> staticCount = getConstantIntValue(count);
    if (staticCount && *staticCount < threads)
      threads = std::max<int64_t>(*staticCount, 1);
    if (staticCount && llvm::divideCeil(*staticCount, threads) > kMaxGridX)
      return emitError(loc) << "a loop of " << *staticCount
                            << " iterations needs more than " << kMaxGridX
                            << " blocks of " << threads << " threads";
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    Value blockSize = arith::ConstantIndexOp::create(builder, loc, threads);
    Value blocks =
        builder.createOrFold<arith::CeilDivUIOp>(loc, count, blockSize);
    auto launch = gpu::LaunchOp::create(builder, loc, blocks, one, one,
                                        blockSize, one, one);
    OpBuilder inside = OpBuilder::atBlockBegin(&launch.getBody().front());
    Value linear = arith::AddIOp::create(
        inside, loc,
        arith::MulIOp::create(inside, loc, launch.getBlockIds().x, blockSize),
        launch.getThreadIds().x);
    if (staticCount && *staticCount % threads == 0) {
      body(inside, loc, linear);
    } else {
      Value inRange = arith::CmpIOp::create(
          inside, loc, arith::CmpIPredicate::ult, linear, count);
      auto guard = scf::IfOp::create(inside, loc, inRange,
                                     /*withElseRegion=*/false);
      OpBuilder thenBuilder = guard.getThenBodyBuilder();
      body(thenBuilder, loc, linear);
    }
    gpu::TerminatorOp::create(inside, loc);
    return success();
  }

  LogicalResult launchParallelLoop(scf::ParallelOp loop) {
    if (loop.getNumResults() != 0)
      return loop.emitError("a parallel loop with reductions cannot be "
                            "mapped to GPU threads yet");
    OpBuilder builder(loop);
    Location loc = loop.getLoc();
    SmallVector<Value> counts =
        getTripCounts(builder, loc, loop, loop.getNumLoops());
    Value total = getProduct(builder, loc, counts);
    if (std::optional<int64_t> staticTotal = getConstantIntValue(total);
        staticTotal && *staticTotal == 0) {
      loop.erase();
      return success();
    }
    LogicalResult result =
        launch(builder, loc, total,
               [&](OpBuilder &b, Location loc, Value linear) {
                 IRMapping mapping;
                 mapDelinearized(b, loc, linear, counts, loop, mapping);
                 for (Operation &op : loop.getBody()->without_terminator())
                   b.clone(op, mapping);
               });
    if (failed(result))
      return failure();
    loop.erase();
    return success();
  }

  /// The ops from `first` on that must run together on the device: a
  /// memory access and the ops up to the last user of any value computed
  /// from it (the loads, arithmetic and store of a rank-0 op).
  FailureOr<SmallVector<Operation *>> collectGroup(Block &block,
                                                   Block::iterator first) {
    SmallVector<Operation *> group{&*first};
    llvm::SmallPtrSet<Operation *, 8> members{&*first};
    auto escapes = [&] {
      for (Operation *member : group)
        for (Operation *user : member->getUsers()) {
          Operation *ancestor = block.findAncestorOpInBlock(*user);
          if (ancestor && !members.contains(ancestor))
            return true;
        }
      return false;
    };
    for (auto next = std::next(first); escapes(); ++next) {
      if (next == block.end() || next->hasTrait<OpTrait::IsTerminator>() ||
          isa<scf::ParallelOp, gpu::LaunchOp, func::CallOp>(*next) ||
          containsParallelLoop(&*next))
        return first->emitError()
               << "'" << first->getName()
               << "' reads tensor data on the host, which the cuda target "
                  "does not support yet (data-dependent shapes or control "
                  "flow)";
      group.push_back(&*next);
      members.insert(&*next);
    }
    return group;
  }

  /// Memory accesses outside any parallel loop run as one GPU thread, so
  /// that host code never dereferences device memory.
  LogicalResult launchSingleThread(ArrayRef<Operation *> group) {
    OpBuilder builder(group.front());
    Location loc = group.front()->getLoc();
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    auto body = [&](OpBuilder &b, Location, Value) {
      IRMapping mapping;
      for (Operation *op : group)
        b.clone(*op, mapping);
    };
    if (failed(launch(builder, loc, one, body)))
      return failure();
    for (Operation *op : llvm::reverse(group))
      op->erase();
    return success();
  }

  int64_t threadsPerBlock;
};

struct MapLoopsToGpuPass
    : impl::KilnMapLoopsToGpuPassBase<MapLoopsToGpuPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock < 1 || threadsPerBlock > 1024) {
      getOperation().emitError()
          << "threads-per-block must be in [1, 1024], got "
          << static_cast<int64_t>(threadsPerBlock);
      return signalPassFailure();
    }
    LoopMapper mapper(threadsPerBlock);
    for (auto func : getOperation().getOps<func::FuncOp>())
      for (Block &block : func.getBody())
        if (failed(mapper.mapBlock(block)))
          return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
