//===- LowerKernelCalls.cpp - The kiln-lower-kernel-calls pass ------------===//
//
// kiln_rt ops on buffers become calls of the runtime's kernel entry points
// (runtime/include/kiln/kernel_abi.h). Everything a kernel needs to know when
// the module is loaded — shapes, attributes, which operands are present — goes
// into a constant parameter vector, so that the runtime can create the oneDNN
// primitive then, before the first call; the state word next to it is where
// the runtime keeps that primitive.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"
#include "kiln/Codegen/RunTimeChecks.h"
#include "kiln/kernel_abi.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/bit.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERKERNELCALLSPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

// Entry points, after the prefix of the target's kernels (kernel_abi.h:
// kiln_kernel_ for oneDNN, kiln_cuda_ for cuDNN and cuBLAS).
constexpr StringLiteral kConvFunction = "conv2d";
constexpr StringLiteral kConvTransposeFunction = "conv_transpose2d";
constexpr StringLiteral kBackwardFilterFunction = "conv2d_backward_filter";
constexpr StringLiteral kMatMulFunction = "matmul";

int64_t floatBits(APFloat value) {
  return llvm::bit_cast<uint32_t>(value.convertToFloat());
}

int64_t activationCode(StringRef name) {
  return llvm::StringSwitch<int64_t>(name)
      .Case("relu", KILN_ACTIVATION_RELU)
      .Case("leaky_relu", KILN_ACTIVATION_LEAKY_RELU)
      .Case("clip", KILN_ACTIVATION_CLIP)
      .Case("sigmoid", KILN_ACTIVATION_SIGMOID)
      .Case("tanh", KILN_ACTIVATION_TANH)
      .Default(KILN_ACTIVATION_NONE);
}

/// Whether `buffer` is a constant of the module (a memref.get_global of a
/// constant global), which the runtime may reorder once and keep.
bool isConstantBuffer(Value buffer, SymbolTable &symbols) {
  auto get = buffer.getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return false;
  auto global = symbols.lookup<memref::GlobalOp>(get.getName());
  return global && global.getConstant();
}

/// Builds what one call site needs: pointers to buffers, its globals and the
/// call itself.
class CallSiteBuilder {
public:
  CallSiteBuilder(ModuleOp module, SymbolTable &symbols,
                  StringRef functionPrefix)
      : module(module), symbols(symbols), functionPrefix(functionPrefix) {}

  /// Lowers one kiln_rt op (on buffers) and erases it.
  void lower(Operation *op);

  ArrayRef<Attribute> getCallSites() const { return callSites; }

private:
  Value pointerTo(OpBuilder &builder, Location loc, Value buffer,
                  SmallVectorImpl<std::pair<Value, Value>> &copiesBack,
                  bool isOutput, bool readsOutput = false);
  Value nullPointer(OpBuilder &builder, Location loc);
  FlatSymbolRefAttr createGlobal(StringRef prefix, ArrayRef<int64_t> values,
                                 bool isConstant, Location loc);
  func::FuncOp getOrDeclare(StringRef name, unsigned numBuffers, Location loc);

  /// The library behind the entry points, for error messages.
  StringRef kernelLibrary() const {
    return functionPrefix == "kiln_cuda_" ? "cuDNN/cuBLAS" : "oneDNN";
  }

  ModuleOp module;
  SymbolTable &symbols;
  StringRef functionPrefix;
  SmallVector<Attribute> callSites;
};

Value CallSiteBuilder::nullPointer(OpBuilder &builder, Location loc) {
  return LLVM::ZeroOp::create(builder, loc,
                              LLVM::LLVMPointerType::get(builder.getContext()));
}

/// The address of the first element of `buffer`. Kernels take dense row-major
/// data: a contiguous view at an offset (the rows a step of an unrolled
/// recurrent layer reads from its input projection) is passed as it is; a
/// buffer with another layout is copied into a fresh one (and, for the
/// output, copied back after the call; copied in only if the kernel reads
/// it, `readsOutput`).
Value CallSiteBuilder::pointerTo(
    OpBuilder &builder, Location loc, Value buffer,
    SmallVectorImpl<std::pair<Value, Value>> &copiesBack, bool isOutput,
    bool readsOutput) {
  auto type = cast<MemRefType>(buffer.getType());
  Value dense = buffer;
  Value address;
  if (!type.getLayout().isIdentity() &&
      memref::isStaticShapeAndContiguousRowMajor(type)) {
    auto metadata =
        memref::ExtractStridedMetadataOp::create(builder, loc, buffer);
    Value base =
        memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
    Value elementBytes = arith::ConstantIndexOp::create(
        builder, loc, type.getElementTypeBitWidth() / 8);
    Value offsetBytes =
        arith::MulIOp::create(builder, loc, metadata.getOffset(), elementBytes);
    address = arith::AddIOp::create(builder, loc, base, offsetBytes);
  } else if (!type.getLayout().isIdentity()) {
    SmallVector<Value> dynamicSizes;
    for (int64_t dim = 0; dim < type.getRank(); ++dim)
      if (type.isDynamicDim(dim))
        dynamicSizes.push_back(
            memref::DimOp::create(builder, loc, buffer, dim));
    auto denseType = MemRefType::get(type.getShape(), type.getElementType());
    dense = memref::AllocOp::create(builder, loc, denseType, dynamicSizes,
                                    builder.getI64IntegerAttr(64));
    if (isOutput)
      copiesBack.emplace_back(dense, buffer);
    if (!isOutput || readsOutput)
      memref::CopyOp::create(builder, loc, buffer, dense);
  }
  if (!address)
    address =
        memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, dense);
  Value asInteger =
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(), address);
  return LLVM::IntToPtrOp::create(
      builder, loc, LLVM::LLVMPointerType::get(builder.getContext()),
      asInteger);
}

FlatSymbolRefAttr CallSiteBuilder::createGlobal(StringRef prefix,
                                                ArrayRef<int64_t> values,
                                                bool isConstant, Location loc) {
  OpBuilder builder(module.getBodyRegion());
  builder.setInsertionPointToStart(module.getBody());
  auto type = MemRefType::get({static_cast<int64_t>(values.size())},
                              builder.getI64Type());
  auto initial = DenseElementsAttr::get(
      RankedTensorType::get(type.getShape(), builder.getI64Type()), values);
  auto global = memref::GlobalOp::create(
      builder, loc, prefix, builder.getStringAttr("private"), type, initial,
      isConstant, builder.getI64IntegerAttr(8));
  // The runtime reads the parameters and keeps its prepared kernel in the
  // state word on the host, whatever the target.
  global->setAttr(kHostOnlyAttrName, builder.getUnitAttr());
  // Renames on collision, so every call site gets its own pair.
  symbols.insert(global);
  return FlatSymbolRefAttr::get(global.getSymNameAttr());
}

/// Declares (once) the entry point `name`: (params, state, leading dim,
/// `numBuffers` buffers) -> status.
func::FuncOp CallSiteBuilder::getOrDeclare(StringRef name, unsigned numBuffers,
                                           Location loc) {
  if (auto existing = symbols.lookup<func::FuncOp>(name))
    return existing;
  OpBuilder builder(module.getBodyRegion());
  builder.setInsertionPointToStart(module.getBody());
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i64 = builder.getI64Type();
  SmallVector<Type> inputs = {ptr, ptr, i64};
  inputs.append(numBuffers, ptr);
  auto type = builder.getFunctionType(inputs, {builder.getI32Type()});
  auto func = func::FuncOp::create(builder, loc, name, type);
  func.setPrivate();
  symbols.insert(func);
  return func;
}

/// A 4-D activation buffer's shape in NCHW order, whatever its layout.
SmallVector<int64_t> shapeInNchw(Value buffer, bool nhwc) {
  ArrayRef<int64_t> shape = cast<MemRefType>(buffer.getType()).getShape();
  if (!nhwc)
    return SmallVector<int64_t>(shape);
  return {shape[0], shape[3], shape[1], shape[2]};
}

/// The parameter vector of a convolution (KILN_CONV2D_* order) from the
/// shapes of its input and output (NCHW order), its output channels and
/// kernel size, and its window attributes; no epilogue.
SmallVector<int64_t>
convParams(ArrayRef<int64_t> input, ArrayRef<int64_t> output, int64_t filters,
           int64_t kernelH, int64_t kernelW, ArrayRef<int64_t> strides,
           ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
           int64_t groups, int64_t flags) {
  SmallVector<int64_t> params(KILN_CONV2D_NUM_PARAMS, 0);
  params[KILN_CONV2D_BATCH] = ShapedType::isDynamic(input[0]) ? -1 : input[0];
  params[KILN_CONV2D_CHANNELS] = input[1];
  params[KILN_CONV2D_HEIGHT] = input[2];
  params[KILN_CONV2D_WIDTH] = input[3];
  params[KILN_CONV2D_FILTERS] = filters;
  params[KILN_CONV2D_KERNEL_H] = kernelH;
  params[KILN_CONV2D_KERNEL_W] = kernelW;
  params[KILN_CONV2D_OUT_H] = output[2];
  params[KILN_CONV2D_OUT_W] = output[3];
  params[KILN_CONV2D_STRIDE_H] = strides[0];
  params[KILN_CONV2D_STRIDE_W] = strides[1];
  params[KILN_CONV2D_PAD_TOP] = padding[0];
  params[KILN_CONV2D_PAD_LEFT] = padding[1];
  params[KILN_CONV2D_PAD_BOTTOM] = padding[2];
  params[KILN_CONV2D_PAD_RIGHT] = padding[3];
  params[KILN_CONV2D_DILATION_H] = dilations[0];
  params[KILN_CONV2D_DILATION_W] = dilations[1];
  params[KILN_CONV2D_GROUPS] = groups;
  params[KILN_CONV2D_FLAGS] = flags;
  params[KILN_CONV2D_ACTIVATION] = KILN_ACTIVATION_NONE;
  return params;
}

/// The parameter vector of a convolution or transposed convolution.
SmallVector<int64_t> convParams(rt::Conv2DOp conv, int64_t flags) {
  bool nhwc = conv.getLayout() == "nhwc";
  if (nhwc)
    flags |= KILN_KERNEL_NHWC;
  ArrayRef<int64_t> filter =
      cast<MemRefType>(conv.getFilter().getType()).getShape();
  // The output's channels: a transposed filter is [C, F / groups, KH, KW].
  int64_t filters =
      conv.getTransposed() ? filter[1] * conv.getGroups() : filter[0];
  SmallVector<int64_t> params = convParams(
      shapeInNchw(conv.getInput(), nhwc), shapeInNchw(conv.getInit(), nhwc),
      filters, filter[2], filter[3], conv.getStrides(), conv.getPadding(),
      conv.getDilations(), conv.getGroups(), flags);
  params[KILN_CONV2D_ACTIVATION] = activationCode(conv.getActivation());
  params[KILN_CONV2D_ALPHA_BITS] = floatBits(conv.getAlphaAttr().getValue());
  params[KILN_CONV2D_BETA_BITS] = floatBits(conv.getBetaAttr().getValue());
  return params;
}

/// The parameter vector of a convolution's filter gradient: the forward
/// convolution's, whose output is the output gradient and whose filter has
/// the filter gradient's shape.
SmallVector<int64_t> backwardFilterParams(rt::Conv2DBackwardFilterOp op) {
  bool nhwc = op.getLayout() == "nhwc";
  ArrayRef<int64_t> filter =
      cast<MemRefType>(op.getInit().getType()).getShape();
  return convParams(shapeInNchw(op.getInput(), nhwc),
                    shapeInNchw(op.getOutputGradient(), nhwc), filter[0],
                    filter[2], filter[3], op.getStrides(), op.getPadding(),
                    op.getDilations(), op.getGroups(),
                    nhwc ? KILN_KERNEL_NHWC : 0);
}

/// The parameter vector of a matrix product (KILN_MATMUL_* order).
SmallVector<int64_t> matmulParams(rt::MatMulOp matmul, int64_t flags) {
  ArrayRef<int64_t> lhs =
      cast<MemRefType>(matmul.getLhs().getType()).getShape();
  ArrayRef<int64_t> rhs =
      cast<MemRefType>(matmul.getRhs().getType()).getShape();
  SmallVector<int64_t> params(KILN_MATMUL_NUM_PARAMS, 0);
  if (lhs.size() == 3) {
    params[KILN_MATMUL_BATCH] = lhs[0];
    lhs = lhs.drop_front();
    rhs = rhs.drop_front();
  }
  params[KILN_MATMUL_ROWS] = ShapedType::isDynamic(lhs[0]) ? -1 : lhs[0];
  params[KILN_MATMUL_INNER] = lhs[1];
  params[KILN_MATMUL_COLUMNS] = rhs[1];
  params[KILN_MATMUL_FLAGS] = flags;
  params[KILN_MATMUL_ACTIVATION] = activationCode(matmul.getActivation());
  params[KILN_MATMUL_ALPHA_BITS] = floatBits(matmul.getAlphaAttr().getValue());
  params[KILN_MATMUL_BETA_BITS] = floatBits(matmul.getBetaAttr().getValue());
  return params;
}

/// What a call passes for one kiln_rt op: its kernel kind, entry point,
/// parameter vector and buffers (the output last; null for an absent
/// operand).
struct CallSite {
  int32_t kind;
  StringRef function;
  SmallVector<int64_t> params;
  SmallVector<Value> inputs;
  Value output;
};

CallSite describeCallSite(Operation *op, SymbolTable &symbols) {
  if (auto filterGradient = dyn_cast<rt::Conv2DBackwardFilterOp>(op))
    return {KILN_KERNEL_CONV2D_BACKWARD_FILTER,
            kBackwardFilterFunction,
            backwardFilterParams(filterGradient),
            {filterGradient.getInput(), filterGradient.getOutputGradient()},
            filterGradient.getInit()};
  auto conv = dyn_cast<rt::Conv2DOp>(op);
  auto matmul = dyn_cast<rt::MatMulOp>(op);
  Value input = conv ? conv.getInput() : matmul.getLhs();
  Value weights = conv ? conv.getFilter() : matmul.getRhs();
  Value bias = conv ? conv.getBias() : matmul.getBias();
  Value residual = conv ? conv.getResidual() : matmul.getResidual();
  Value output = conv ? conv.getInit() : matmul.getInit();

  int64_t flags = 0;
  if (bias)
    flags |= KILN_KERNEL_HAS_BIAS;
  if (residual)
    flags |= KILN_KERNEL_HAS_RESIDUAL;
  if (isConstantBuffer(weights, symbols))
    flags |= KILN_KERNEL_CONSTANT_WEIGHTS;
  if (rt::accumulatesIntoInit(op))
    flags |= KILN_KERNEL_ACCUMULATE;
  if (!conv)
    return {KILN_KERNEL_MATMUL,
            kMatMulFunction,
            matmulParams(matmul, flags),
            {input, weights, bias, residual},
            output};
  if (conv.getTransposed())
    return {KILN_KERNEL_CONV_TRANSPOSE2D,
            kConvTransposeFunction,
            convParams(conv, flags),
            {input, weights, bias, residual},
            output};
  return {KILN_KERNEL_CONV2D,
          kConvFunction,
          convParams(conv, flags),
          {input, weights, bias, residual},
          output};
}

void CallSiteBuilder::lower(Operation *op) {
  Location loc = op->getLoc();
  CallSite site = describeCallSite(op, symbols);
  SmallVector<int64_t> &params = site.params;
  FlatSymbolRefAttr paramsSymbol =
      createGlobal("__kiln_kernel_params", params, /*isConstant=*/true, loc);
  FlatSymbolRefAttr stateSymbol =
      createGlobal("__kiln_kernel_state", {0}, /*isConstant=*/false, loc);
  int64_t kind = site.kind;
  Builder attrs(module.getContext());
  callSites.push_back(DictionaryAttr::get(
      module.getContext(),
      {attrs.getNamedAttr("kind", attrs.getI32IntegerAttr(kind)),
       attrs.getNamedAttr("params", paramsSymbol),
       attrs.getNamedAttr("num_params", attrs.getI32IntegerAttr(params.size())),
       attrs.getNamedAttr("state", stateSymbol)}));

  OpBuilder builder(op);
  auto globalPointer = [&](FlatSymbolRefAttr symbol, int64_t size) {
    Value buffer = memref::GetGlobalOp::create(
        builder, loc, MemRefType::get({size}, builder.getI64Type()),
        symbol.getValue());
    SmallVector<std::pair<Value, Value>> none;
    return pointerTo(builder, loc, buffer, none, /*isOutput=*/false);
  };
  SmallVector<std::pair<Value, Value>> copiesBack;
  SmallVector<Value> arguments = {globalPointer(paramsSymbol, params.size()),
                                  globalPointer(stateSymbol, 1)};
  Value leading = memref::DimOp::create(builder, loc, site.inputs.front(), 0);
  arguments.push_back(
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(), leading));
  for (Value operand : site.inputs)
    arguments.push_back(operand ? pointerTo(builder, loc, operand, copiesBack,
                                            /*isOutput=*/false)
                                : nullPointer(builder, loc));
  arguments.push_back(pointerTo(builder, loc, site.output, copiesBack,
                                /*isOutput=*/true,
                                rt::accumulatesIntoInit(op)));

  func::FuncOp callee = getOrDeclare((functionPrefix + site.function).str(),
                                     site.inputs.size() + 1, loc);
  Value status =
      func::CallOp::create(builder, loc, callee, arguments).getResult(0);
  Value zero = arith::ConstantIntOp::create(builder, loc, 0, 32);
  Value succeeded = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::eq, status, zero);
  emitRunTimeCheck(builder, loc, succeeded,
                   describeForCheck(op) + ": the " + kernelLibrary() +
                       " kernel failed");
  for (auto [dense, target] : copiesBack)
    memref::CopyOp::create(builder, loc, dense, target);
  op->erase();
}

struct LowerKernelCallsPass
    : impl::KilnLowerKernelCallsPassBase<LowerKernelCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> kernels;
    bool onTensors = false;
    module.walk([&](Operation *op) {
      if (!isa<rt::Conv2DOp, rt::Conv2DBackwardFilterOp, rt::MatMulOp>(op))
        return;
      if (op->getNumResults() != 0)
        onTensors = true;
      kernels.push_back(op);
    });
    if (onTensors) {
      module.emitError("kiln-lower-kernel-calls: kiln_rt ops must be "
                       "bufferized first");
      return signalPassFailure();
    }
    if (kernels.empty())
      return;
    SymbolTable symbols(module);
    CallSiteBuilder builder(module, symbols, functionPrefix);
    for (Operation *op : kernels)
      builder.lower(op);
    SmallVector<Attribute> all;
    if (auto existing = module->getAttrOfType<ArrayAttr>(kKernelsAttrName))
      all.append(existing.begin(), existing.end());
    all.append(builder.getCallSites().begin(), builder.getCallSites().end());
    module->setAttr(kKernelsAttrName, ArrayAttr::get(&getContext(), all));
  }
};

} // namespace
} // namespace kiln
