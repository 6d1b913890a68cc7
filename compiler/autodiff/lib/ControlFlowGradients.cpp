//===- ControlFlowGradients.cpp - The reverse sweep through scf ops -------===//
//
// ONNX If and Loop arrive as scf ops on tensors (frontends/onnx/lib/
// ControlFlow.cpp) whose regions read the function's values directly:
//
//   * scf.if: the backward op is an scf.if on the same condition. Each branch
//     recomputes its forward branch (so that the intermediates exist there),
//     runs the reverse sweep from the values it yields, and yields the
//     gradients of the active values the if captures (zeros where the branch
//     does not read one); the outer sweep adds them up.
//   * scf.for with a trip count known at compile time: unrolled before the
//     sweep, so that every iteration's intermediates exist. The slices that
//     collect scan outputs (and read Scan's inputs) get their rules here.
//   * scf.while and scf.for of a run-time trip count would need a tape of the
//     iterations' values: errors.
//
//===----------------------------------------------------------------------===//

#include "Backward.h"
#include "GradientUtils.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace kiln::autodiff {
namespace {

/// The most ops that unrolling may add in one reverse sweep: the unrolled
/// code is compiled op by op, so a longer loop would take too long to build.
constexpr int64_t kMaxUnrolledOps = 100000;

constexpr llvm::StringLiteral kDynamicLoop =
    "Kiln differentiates ONNX Loop only with a trip count known at compile "
    "time ";

/// Unrolls the loops of a list of ops as it goes through it, tracking which
/// values are computed from the values differentiated against.
class LoopUnroller {
public:
  LoopUnroller(ArrayRef<Value> wrt, DenseMap<Value, Value> &replaced)
      : active(wrt.begin(), wrt.end()), replaced(replaced) {}

  /// Appends `op` to `ops`, or the ops of its iterations when it is a loop to
  /// unroll. `cloned`: whether the unroller made `op` (no caller holds its
  /// results, so it goes once unrolled).
  LogicalResult add(Operation *op, bool cloned,
                    SmallVectorImpl<Operation *> &ops);

  /// Resolves `replaced` through the loops unrolled from unrolled loops, and
  /// erases those.
  void finish();

private:
  /// Clones the iterations of `loop` before it and leaves it with none.
  FailureOr<SmallVector<Operation *>> unroll(scf::ForOp loop);

  DenseSet<Value> active;
  DenseMap<Value, Value> &replaced;
  SmallVector<scf::ForOp> clonedLoops;
  int64_t budget = kMaxUnrolledOps;
};

LogicalResult LoopUnroller::add(Operation *op, bool cloned,
                                SmallVectorImpl<Operation *> &ops) {
  bool reads = readsActive(op, active);
  auto loop = dyn_cast<scf::ForOp>(op);
  if (!reads || !loop || !loop.getStaticTripCount()) {
    if (reads)
      active.insert(op->result_begin(), op->result_end());
    ops.push_back(op);
    return success();
  }
  FailureOr<SmallVector<Operation *>> unrolled = unroll(loop);
  if (failed(unrolled))
    return failure();
  if (cloned)
    clonedLoops.push_back(loop);
  // The iterations' ops may hold loops of their own.
  for (Operation *iterationOp : *unrolled)
    if (failed(add(iterationOp, /*cloned=*/true, ops)))
      return failure();
  return success();
}

FailureOr<SmallVector<Operation *>> LoopUnroller::unroll(scf::ForOp loop) {
  uint64_t trips = loop.getStaticTripCount()->getLimitedValue();
  int64_t bodyOps = 0;
  loop.getBody()->walk([&](Operation *) { ++bodyOps; });
  if (trips > static_cast<uint64_t>(budget / std::max<int64_t>(1, bodyOps)))
    return loop.emitError()
           << "Kiln unrolls loops to differentiate them, and this loop's "
           << trips << " iterations of " << bodyOps
           << " ops would take it past its limit of " << kMaxUnrolledOps
           << " unrolled ops";
  budget -= static_cast<int64_t>(trips) * bodyOps;

  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  // getStaticTripCount() found constant bounds.
  int64_t lower = *getConstantIntValue(loop.getLowerBound());
  int64_t step = *getConstantIntValue(loop.getStep());
  Type inductionType = loop.getInductionVar().getType();
  Block *body = loop.getBody();
  SmallVector<Value> carried(loop.getInitArgs());
  SmallVector<Operation *> ops;
  for (uint64_t trip = 0; trip < trips; ++trip) {
    IRMapping mapping;
    auto induction = arith::ConstantOp::create(
        builder, loc,
        builder.getIntegerAttr(inductionType,
                               lower + static_cast<int64_t>(trip) * step));
    ops.push_back(induction);
    mapping.map(loop.getInductionVar(), induction.getResult());
    mapping.map(loop.getRegionIterArgs(), carried);
    for (Operation &op : body->without_terminator())
      ops.push_back(builder.clone(op, mapping));
    carried.clear();
    for (Value yielded : body->getTerminator()->getOperands())
      carried.push_back(mapping.lookupOrDefault(yielded));
  }
  for (auto [result, value] : llvm::zip(loop.getResults(), carried)) {
    result.replaceAllUsesWith(value);
    replaced[result] = value;
  }
  // Callers may still hold the loop's results (TrainStep returns the
  // prediction it computed), so the loop stays, returning the unrolled
  // values without running.
  loop.getInitArgsMutable().assign(carried);
  loop.setUpperBound(loop.getLowerBound());
  return ops;
}

void LoopUnroller::finish() {
  for (auto &[result, value] : replaced)
    while (replaced.count(value))
      value = replaced.lookup(value);
  // Erased last: `replaced` led through their results until now.
  for (scf::ForOp loop : llvm::reverse(clonedLoops)) {
    for (Value result : loop.getResults())
      replaced.erase(result);
    loop.erase();
  }
}

/// The reverse sweep through an scf.if: an scf.if on the same condition
/// whose branches yield the gradients of the captured active values.
LogicalResult propagateIf(scf::IfOp ifOp, OpBuilder &builder,
                          ArrayRef<Value> resultGradients,
                          const DenseSet<Value> &active,
                          Accumulate accumulate) {
  SetVector<Value> used;
  getUsedValuesDefinedAbove(ifOp->getRegions(), used);
  SmallVector<Value> captured;
  for (Value value : used)
    if (active.contains(value) && isFloatTensor(value.getType()))
      captured.push_back(value);
  if (captured.empty())
    return success();
  Location loc = ifOp.getLoc();
  auto backward =
      scf::IfOp::create(builder, loc, ValueRange(captured).getTypes(),
                        ifOp.getCondition(), /*addThenBlock=*/false,
                        /*addElseBlock=*/false);
  for (auto [forward, reverse] :
       {std::pair(&ifOp.getThenRegion(), &backward.getThenRegion()),
        std::pair(&ifOp.getElseRegion(), &backward.getElseRegion())}) {
    OpBuilder::InsertionGuard guard(builder);
    builder.createBlock(reverse);
    // The branch's own copy of the forward ops: the backward ops need the
    // intermediates, which the forward if does not return.
    IRMapping mapping;
    SmallVector<Operation *> ops;
    SmallVector<std::pair<Value, Value>> seeds;
    if (!forward->empty()) {
      Block &block = forward->front();
      for (Operation &op : block.without_terminator())
        ops.push_back(builder.clone(op, mapping));
      for (auto [yielded, gradient] :
           llvm::zip(block.getTerminator()->getOperands(), resultGradients))
        if (gradient)
          seeds.emplace_back(mapping.lookupOrDefault(yielded), gradient);
    }
    FailureOr<SmallVector<Value>> gradients =
        emitBackward(builder, ops, seeds, captured);
    if (failed(gradients))
      return failure();
    scf::YieldOp::create(builder, loc, *gradients);
    // Nothing outside the branch holds the loops it unrolled.
    foldEmptiedLoops(*reverse);
  }
  for (auto [value, gradient] : llvm::zip(captured, backward.getResults()))
    accumulate(value, gradient);
  return success();
}

/// tensor.insert_slice collects a scan output's rows, tensor.extract_slice
/// reads a row of a Scan input: each one's adjoint is the other.
LogicalResult propagateSlice(Operation *op, OpBuilder &builder, Value gradient,
                             const DenseSet<Value> &active,
                             Accumulate accumulate) {
  Location loc = op->getLoc();
  auto wanted = [&](Value value) {
    return active.contains(value) && isFloatTensor(value.getType());
  };
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    Value source = insert.getSource(), dest = insert.getDest();
    if (wanted(source))
      accumulate(source, tensor::ExtractSliceOp::create(
                             builder, loc, typeOf(source), gradient,
                             insert.getMixedOffsets(), insert.getMixedSizes(),
                             insert.getMixedStrides()));
    // The rows the slice overwrote do not reach the result.
    if (wanted(dest))
      accumulate(dest, tensor::InsertSliceOp::create(
                           builder, loc, zerosLike(builder, loc, source),
                           gradient, insert.getMixedOffsets(),
                           insert.getMixedSizes(), insert.getMixedStrides()));
    return success();
  }
  auto extract = cast<tensor::ExtractSliceOp>(op);
  Value source = extract.getSource();
  if (wanted(source))
    accumulate(source,
               tensor::InsertSliceOp::create(
                   builder, loc, gradient, zerosLike(builder, loc, source),
                   extract.getMixedOffsets(), extract.getMixedSizes(),
                   extract.getMixedStrides()));
  return success();
}

} // namespace

bool readsActive(Operation *op, const DenseSet<Value> &active) {
  auto isActive = [&](Value value) { return active.contains(value); };
  if (llvm::any_of(op->getOperands(), isActive))
    return true;
  bool reads = false;
  if (op->getNumRegions() > 0)
    visitUsedValuesDefinedAbove(op->getRegions(), [&](OpOperand *use) {
      reads |= isActive(use->get());
    });
  return reads;
}

LogicalResult unrollActiveLoops(SmallVectorImpl<Operation *> &ops,
                                ArrayRef<Value> wrt,
                                DenseMap<Value, Value> &replaced) {
  LoopUnroller unroller(wrt, replaced);
  SmallVector<Operation *> result;
  for (Operation *op : ops)
    if (failed(unroller.add(op, /*cloned=*/false, result)))
      return failure();
  unroller.finish();
  ops.assign(result.begin(), result.end());
  return success();
}

void foldEmptiedLoops(Region &region) {
  SmallVector<scf::ForOp> empty;
  region.walk([&](scf::ForOp loop) {
    std::optional<APInt> trips = loop.getStaticTripCount();
    if (trips && trips->isZero())
      empty.push_back(loop);
  });
  // The walk visits inner loops first, which go first.
  for (scf::ForOp loop : empty) {
    loop->replaceAllUsesWith(loop.getInitArgs());
    loop.erase();
  }
}

bool isControlFlowOp(Operation *op) {
  if (isa<tensor::InsertSliceOp, tensor::ExtractSliceOp>(op))
    return true;
  return op->getNumRegions() > 0 && !isa<GradientOpInterface>(op);
}

LogicalResult propagateControlFlow(Operation *op, OpBuilder &builder,
                                   ArrayRef<Value> resultGradients,
                                   const DenseSet<Value> &active,
                                   Accumulate accumulate) {
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    return propagateIf(ifOp, builder, resultGradients, active, accumulate);
  if (isa<tensor::InsertSliceOp, tensor::ExtractSliceOp>(op))
    return propagateSlice(op, builder, resultGradients.front(), active,
                          accumulate);
  if (auto loop = dyn_cast<scf::ForOp>(op)) {
    if (loop.getStaticTripCount())
      return op->emitError() << "internal error: this loop was not unrolled";
    return op->emitError() << kDynamicLoop
                           << "(this loop's trip count is computed at run "
                              "time)";
  }
  if (isa<scf::WhileOp>(op))
    return op->emitError() << kDynamicLoop
                           << "(this loop's body computes whether it goes on, "
                              "so its trip count is known only at run time)";
  return op->emitError() << "Kiln cannot differentiate through '"
                         << op->getName()
                         << "': of the ops with regions it differentiates "
                            "scf.if and scf.for (of a trip count known at "
                            "compile time)";
}

} // namespace kiln::autodiff
