//===- ToolSupport.cpp - Pieces shared by kiln-compile and kiln-run -------===//

#include "ToolSupport.h"

#include "Npy.h"
#include "TensorProtoInput.h"

#include "kiln/Codegen/CUDA/Pipeline.h"
#include "kiln/Driver/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <random>

namespace kiln::tools {

StageReporter::StageReporter(std::string toolName, bool showProgress)
    : toolName(std::move(toolName)),
      showProgress(showProgress &&
                   llvm::sys::Process::StandardErrIsDisplayed()) {}

void StageReporter::start(llvm::StringRef stage) {
  currentStage = stage.str();
  if (showProgress)
    llvm::errs() << toolName << ": " << stage << "...\n";
}

void StageReporter::end(llvm::StringRef stage, double seconds) {
  stages.emplace_back(stage.str(), seconds);
}

void StageReporter::attach(driver::CompileOptions &options) {
  options.onStageStart = [this](llvm::StringRef stage) { start(stage); };
  options.onStageEnd = [this](llvm::StringRef stage, double seconds) {
    end(stage, seconds);
  };
}

double StageReporter::totalSeconds() const {
  double total = 0;
  for (const auto &stage : stages)
    total += stage.second;
  return total;
}

void StageReporter::printTimings(llvm::raw_ostream &os) const {
  os << "compile stages:\n";
  for (const auto &[name, seconds] : stages)
    os << llvm::format("  %-24s %9.1f ms\n", name.c_str(), seconds * 1e3);
  os << llvm::format("  %-24s %9.1f ms\n", "total", totalSeconds() * 1e3);
}

void setVersionPrinter(llvm::StringRef toolName) {
  static std::string name;
  name = toolName.str();
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << name << " (Kiln) " << KILN_VERSION_STRING << ", built with LLVM "
       << LLVM_VERSION_STRING << "\n";
  });
}

int reportError(llvm::StringRef toolName, llvm::Error error) {
  llvm::errs() << toolName << ": error: " << llvm::toString(std::move(error))
               << "\n";
  return 1;
}

std::string formatType(kiln_dtype dtype, const std::vector<int64_t> &dims) {
  std::string text = kiln_dtype_name(dtype);
  text += "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      text += "x";
    text += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return text + "]";
}

/// Widens a half-precision bit pattern to float.
static float halfToFloat(uint16_t bits) {
  uint32_t sign = (bits & 0x8000u) << 16, exponent = (bits >> 10) & 0x1f,
           mantissa = bits & 0x3ff;
  uint32_t result;
  if (exponent == 0x1f) {
    result = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    result = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    result = sign;
  } else { // subnormal: normalize
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    result = sign | ((113 - shift) << 23) | ((mantissa & 0x3ff) << 13);
  }
  float value;
  std::memcpy(&value, &result, sizeof(value));
  return value;
}

/// Element `index` of `data` (of `dtype`) as a double.
static double elementAsDouble(kiln_dtype dtype, const void *data,
                              int64_t index) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return static_cast<const float *>(data)[index];
  case KILN_DTYPE_F64:
    return static_cast<const double *>(data)[index];
  case KILN_DTYPE_F16:
    return halfToFloat(static_cast<const uint16_t *>(data)[index]);
  case KILN_DTYPE_BF16: {
    uint32_t bits = uint32_t(static_cast<const uint16_t *>(data)[index]) << 16;
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case KILN_DTYPE_I8:
    return static_cast<const int8_t *>(data)[index];
  case KILN_DTYPE_I16:
    return static_cast<const int16_t *>(data)[index];
  case KILN_DTYPE_I32:
    return static_cast<const int32_t *>(data)[index];
  case KILN_DTYPE_I64:
    return static_cast<double>(static_cast<const int64_t *>(data)[index]);
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL:
    return static_cast<const uint8_t *>(data)[index];
  case KILN_DTYPE_U16:
    return static_cast<const uint16_t *>(data)[index];
  case KILN_DTYPE_U32:
    return static_cast<const uint32_t *>(data)[index];
  case KILN_DTYPE_U64:
    return static_cast<double>(static_cast<const uint64_t *>(data)[index]);
  default:
    return 0;
  }
}

/// The summary of a string tensor: its first `limit` strings, quoted and
/// escaped as C strings, and the checksum (no sum).
static std::string formatStringSummary(const rt::Tensor &tensor, size_t limit) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << formatType(tensor.dtype(), tensor.shape()) << " = [";
  int64_t count = tensor.elementCount();
  for (int64_t i = 0; i < count && static_cast<size_t>(i) < limit; ++i) {
    os << (i ? ", " : "") << '"';
    llvm::printEscapedString(tensor.string(i), os);
    os << '"';
  }
  if (static_cast<size_t>(count) > limit)
    os << ", ... (" << count << " values)";
  os << "]  checksum=" << formatChecksum(tensor.checksum());
  return text;
}

/// Whether `dtype` holds integers (signed, unsigned or bool).
static bool isIntegerDtype(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_I8:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_I64:
  case KILN_DTYPE_U8:
  case KILN_DTYPE_U16:
  case KILN_DTYPE_U32:
  case KILN_DTYPE_U64:
  case KILN_DTYPE_BOOL:
    return true;
  default:
    return false;
  }
}

/// Element `index` of an integer tensor of `dtype`, exactly.
static __int128 integerElement(kiln_dtype dtype, const void *data,
                               int64_t index) {
  switch (dtype) {
  case KILN_DTYPE_I8:
    return static_cast<const int8_t *>(data)[index];
  case KILN_DTYPE_I16:
    return static_cast<const int16_t *>(data)[index];
  case KILN_DTYPE_I32:
    return static_cast<const int32_t *>(data)[index];
  case KILN_DTYPE_I64:
    return static_cast<const int64_t *>(data)[index];
  case KILN_DTYPE_U16:
    return static_cast<const uint16_t *>(data)[index];
  case KILN_DTYPE_U32:
    return static_cast<const uint32_t *>(data)[index];
  case KILN_DTYPE_U64:
    return static_cast<const uint64_t *>(data)[index];
  default: // u8 and bool
    return static_cast<const uint8_t *>(data)[index];
  }
}

/// The decimal digits of `value`.
static std::string formatInt128(__int128 value) {
  bool negative = value < 0;
  unsigned __int128 magnitude =
      negative ? -static_cast<unsigned __int128>(value) : value;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  return negative ? "-" + digits : digits;
}

std::string formatTensorSummary(const rt::Tensor &tensor, size_t limit) {
  if (tensor.dtype() == KILN_DTYPE_STRING)
    return formatStringSummary(tensor, limit);
  std::string text;
  llvm::raw_string_ostream os(text);
  kiln_dtype dtype = tensor.dtype();
  os << formatType(dtype, tensor.shape()) << " = [";
  const void *data = kiln_tensor_const_data(tensor.get());
  int64_t count = tensor.elementCount();
  // Integers are printed, and summed, exactly (int64 values above 2^53 would
  // not survive a double); at most 2^62 elements of magnitude below 2^64 keep
  // the sum within 128 bits.
  bool integer = isIntegerDtype(dtype);
  double sum = 0;
  __int128 integerSum = 0;
  for (int64_t i = 0; i < count; ++i) {
    bool shown = static_cast<size_t>(i) < limit;
    if (shown && i)
      os << ", ";
    if (integer) {
      __int128 value = integerElement(dtype, data, i);
      integerSum += value;
      if (shown)
        os << formatInt128(value);
    } else {
      double value = elementAsDouble(dtype, data, i);
      sum += value;
      if (shown)
        os << llvm::format("%.6g", value);
    }
  }
  if (static_cast<size_t>(count) > limit)
    os << ", ... (" << count << " values)";
  os << "]  sum=";
  if (integer)
    os << formatInt128(integerSum);
  else
    os << llvm::format("%.9g", sum);
  os << "  checksum=" << formatChecksum(tensor.checksum());
  return text;
}

llvm::cl::opt<int32_t> &
registerThreadsOption(llvm::cl::OptionCategory &category,
                      llvm::StringRef description) {
  auto &registered = llvm::cl::getRegisteredOptions();
  auto existing = registered.find("threads");
  if (existing != registered.end())
    existing->second->removeArgument();
  static llvm::cl::opt<int32_t> threads(
      "threads", llvm::cl::desc(description), llvm::cl::value_desc("T"),
      llvm::cl::init(0), llvm::cl::cat(category));
  return threads;
}

llvm::Error checkCpuKernelsOption(llvm::StringRef value) {
  if (value == "auto" || value == "onednn" || value == "codegen")
    return llvm::Error::success();
  return llvm::createStringError(
      "--cpu-kernels must be auto, onednn or codegen, not '" + value + "'");
}

TargetOptions registerTargetOptions(llvm::cl::OptionCategory &category,
                                    llvm::StringRef targetName) {
  static llvm::cl::opt<std::string> target(
      targetName,
      llvm::cl::desc("Where the compiled code runs: cpu (default) or cuda (an "
                     "NVIDIA GPU: kernels compiled to PTX, tensors in device "
                     "memory; the runtime needs a CUDA driver and device)"),
      llvm::cl::value_desc("cpu|cuda"), llvm::cl::init("cpu"),
      llvm::cl::cat(category));
  static llvm::cl::opt<std::string> cudaArch(
      "cuda-arch",
      llvm::cl::desc("With --target=cuda: the GPU architecture to compile "
                     "for, sm_70 or later (default sm_90; sm_80 for A100)"),
      llvm::cl::value_desc("sm_XY"), llvm::cl::init("sm_90"),
      llvm::cl::cat(category));
  static llvm::cl::opt<std::string> cudaKernels(
      "cuda-kernels",
      llvm::cl::desc("With --target=cuda: who runs convolutions and matrix "
                     "products: auto (default: cuDNN and cuBLAS wherever they "
                     "apply) or codegen (Kiln's generated kernels only)"),
      llvm::cl::value_desc("auto|codegen"), llvm::cl::init("auto"),
      llvm::cl::cat(category));
  return TargetOptions{target, cudaArch, cudaKernels};
}

llvm::Error checkCudaDevice(llvm::StringRef option) {
  int32_t count = 0;
  if (kiln_status *status = kiln_cuda_device_count(&count)) {
    std::string message = kiln_status_message(status);
    kiln_status_free(status);
    if (llvm::StringRef(message).contains("no CUDA device"))
      return llvm::createStringError("--" + option + "=cuda: " + message);
    return llvm::createStringError("--" + option + "=cuda: no CUDA device: " +
                                   message);
  }
  return llvm::Error::success();
}

llvm::Error applyTargetOptions(const TargetOptions &target,
                               llvm::StringRef cpuKernels, bool cpuKernelsGiven,
                               driver::CompileOptions &options) {
  if (llvm::Error error = checkCpuKernelsOption(cpuKernels))
    return error;
  options.cpuKernels = cpuKernels.str();
  std::string name = target.target.ArgStr.str();
  if (target.target == "cpu") {
    if (target.cudaArch.getNumOccurrences() > 0)
      return llvm::createStringError("--cuda-arch is for --" + name +
                                     "=cuda; this compiles for the CPU");
    if (target.cudaKernels.getNumOccurrences() > 0)
      return llvm::createStringError("--cuda-kernels is for --" + name +
                                     "=cuda; this compiles for the CPU");
    options.target = driver::Target::Cpu;
    return llvm::Error::success();
  }
  if (target.target != "cuda")
    return llvm::createStringError("--" + name + " must be cpu or cuda, not '" +
                                   target.target + "'");
  if (cpuKernelsGiven)
    return llvm::createStringError("--cpu-kernels is for --" + name +
                                   "=cpu; CUDA modules call cuDNN and cuBLAS "
                                   "or generated kernels (--cuda-kernels)");
  if (std::optional<std::string> problem = checkCudaArch(target.cudaArch))
    return llvm::createStringError("--cuda-arch: " + *problem);
  if (target.cudaKernels != "auto" && target.cudaKernels != "codegen")
    return llvm::createStringError("--cuda-kernels must be auto or codegen, "
                                   "not '" +
                                   target.cudaKernels + "'");
  options.target = driver::Target::Cuda;
  options.cudaArch = target.cudaArch;
  options.cudaKernels = target.cudaKernels;
  return llvm::Error::success();
}

std::string formatChecksum(uint64_t checksum) {
  return llvm::utohexstr(checksum, /*LowerCase=*/true, /*Width=*/16);
}

/// The bfloat16 nearest to `value` (ties to even; NaN stays NaN).
static uint16_t floatToBfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

/// The IEEE half nearest to `value` (ties to even), for values of moderate
/// size such as random inputs; overflow gives infinity.
static uint16_t floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u)
    return sign | 0x7e00u; // NaN
  if (magnitude >= 0x47800000u)
    return sign | 0x7c00u;                         // overflow to infinity
  if (magnitude < 0x38800000u) {                   // subnormal half or zero
    float scaled = std::fabs(value) * 16777216.0f; // 2^24
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1);
  return sign | static_cast<uint16_t>((rounded - 0x38000000u) >> 13);
}

/// Parses `text` as an integer of `dtype` and writes it into element `index`;
/// an error says why it is not one (not an integer, or out of range).
static llvm::Error storeInteger(kiln_dtype dtype, void *data, int64_t index,
                                llvm::StringRef text) {
  size_t bytes = kiln_dtype_size(dtype);
  bool isSigned = dtype == KILN_DTYPE_I8 || dtype == KILN_DTYPE_I16 ||
                  dtype == KILN_DTYPE_I32 || dtype == KILN_DTYPE_I64;
  if (isSigned) {
    int64_t value;
    if (text.getAsInteger(10, value))
      return llvm::createStringError("is not an integer in int64's range");
    int64_t limit =
        bytes == 8 ? INT64_MAX : (int64_t(1) << (8 * bytes - 1)) - 1;
    if (value > limit || value < -limit - 1)
      return llvm::createStringError("does not fit in " +
                                     std::to_string(8 * bytes) + " bits");
    std::memcpy(static_cast<char *>(data) + index * bytes, &value, bytes);
    return llvm::Error::success();
  }
  uint64_t value;
  if (text.getAsInteger(10, value))
    return llvm::createStringError(
        "is not a non-negative integer in uint64's range");
  uint64_t limit = dtype == KILN_DTYPE_BOOL ? 1
                   : bytes == 8             ? UINT64_MAX
                                            : (uint64_t(1) << (8 * bytes)) - 1;
  if (value > limit)
    return llvm::createStringError(
        dtype == KILN_DTYPE_BOOL
            ? std::string("is not 0 or 1")
            : "does not fit in " + std::to_string(8 * bytes) + " bits");
  // Little-endian: the low bytes of the value are the element.
  std::memcpy(static_cast<char *>(data) + index * bytes, &value, bytes);
  return llvm::Error::success();
}

/// Writes `value` into element `index` of a tensor of `dtype`.
static void storeElement(kiln_dtype dtype, void *data, int64_t index,
                         double value) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    static_cast<float *>(data)[index] = static_cast<float>(value);
    break;
  case KILN_DTYPE_F64:
    static_cast<double *>(data)[index] = value;
    break;
  case KILN_DTYPE_I8:
    static_cast<int8_t *>(data)[index] = static_cast<int8_t>(value);
    break;
  case KILN_DTYPE_I16:
    static_cast<int16_t *>(data)[index] = static_cast<int16_t>(value);
    break;
  case KILN_DTYPE_I32:
    static_cast<int32_t *>(data)[index] = static_cast<int32_t>(value);
    break;
  case KILN_DTYPE_I64:
    static_cast<int64_t *>(data)[index] = static_cast<int64_t>(value);
    break;
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL:
    static_cast<uint8_t *>(data)[index] = static_cast<uint8_t>(value);
    break;
  case KILN_DTYPE_U16:
    static_cast<uint16_t *>(data)[index] = static_cast<uint16_t>(value);
    break;
  case KILN_DTYPE_U32:
    static_cast<uint32_t *>(data)[index] = static_cast<uint32_t>(value);
    break;
  case KILN_DTYPE_U64:
    static_cast<uint64_t *>(data)[index] = static_cast<uint64_t>(value);
    break;
  case KILN_DTYPE_F16:
    static_cast<uint16_t *>(data)[index] =
        floatToHalf(static_cast<float>(value));
    break;
  case KILN_DTYPE_BF16:
    static_cast<uint16_t *>(data)[index] =
        floatToBfloat16(static_cast<float>(value));
    break;
  default:
    break;
  }
}

static bool canStore(kiln_dtype dtype) { return kiln_dtype_size(dtype) != 0; }

/// A tensor of the signature's type; dynamic dims are not allowed here.
static llvm::Expected<rt::Tensor>
createForSignature(const rt::ValueInfo &info) {
  for (int64_t dim : info.dims)
    if (dim < 0)
      return llvm::createStringError(
          "input '" + info.name + "' has type " +
          formatType(info.dtype, info.dims) +
          " with a dimension known only at run time: give it as a .npy or "
          ".pb file (which carries its shape), or fix the dimension with "
          "--shape " +
          info.name + "=DIMS (ONNX models)");
  if (!canStore(info.dtype))
    return llvm::createStringError(
        std::string("input '") + info.name + "' has dtype " +
        kiln_dtype_name(info.dtype) + ", which kiln-run cannot fill yet");
  try {
    return rt::Tensor::create(info.dtype, info.dims);
  } catch (const rt::Error &error) {
    return llvm::createStringError(error.what());
  }
}

llvm::Expected<std::pair<std::string, std::vector<int64_t>>>
parseShapeOption(llvm::StringRef text) {
  auto usage = [&] {
    return llvm::createStringError(
        "--shape expects NAME=DIMS such as input=1x3x224x224, got '" + text +
        "'");
  };
  auto [name, dimsText] = text.split('=');
  if (name.empty() || !text.contains('=') || dimsText.empty())
    return usage();
  llvm::SmallVector<llvm::StringRef> items;
  dimsText.split(items, dimsText.contains(',') ? ',' : 'x', -1,
                 /*KeepEmpty=*/true);
  std::vector<int64_t> dims;
  for (llvm::StringRef item : items) {
    int64_t dim;
    if (item.trim().getAsInteger(10, dim) || dim < 0)
      return llvm::createStringError(
          "--shape " + name + ": '" + item +
          "' is not a dimension (a non-negative integer)");
    dims.push_back(dim);
  }
  if (dims.size() > KILN_ABI_MAX_RANK)
    return llvm::createStringError(
        "--shape " + name + " has " + std::to_string(dims.size()) +
        " dimensions; at most " + std::to_string(KILN_ABI_MAX_RANK));
  return std::make_pair(name.str(), std::move(dims));
}

llvm::Expected<std::pair<std::string, std::vector<std::vector<int64_t>>>>
parseSequenceOption(llvm::StringRef text) {
  auto [name, elementsText] = text.split('=');
  if (name.empty() || !text.contains('='))
    return llvm::createStringError(
        "--sequence expects NAME=DIMS:DIMS:... such as s=2x3:4x3, got '" +
        text + "'");
  std::vector<std::vector<int64_t>> shapes;
  if (elementsText.empty())
    return std::make_pair(name.str(), std::move(shapes)); // an empty sequence
  llvm::SmallVector<llvm::StringRef> elements;
  elementsText.split(elements, ':', -1, /*KeepEmpty=*/true);
  for (llvm::StringRef element : elements) {
    if (element.trim() == "scalar") {
      shapes.emplace_back();
      continue;
    }
    // Each element is parsed as a --shape value of its own.
    std::string where = "--sequence " + name.str() + ": element " +
                        std::to_string(shapes.size());
    if (element.trim().empty())
      return llvm::createStringError(where + " is empty (write 'scalar' for "
                                             "a rank-0 element)");
    auto parsed = parseShapeOption((name + "=" + element).str());
    if (!parsed)
      return llvm::createStringError(where + ": " +
                                     llvm::toString(parsed.takeError()));
    shapes.push_back(std::move(parsed->second));
  }
  return std::make_pair(name.str(), std::move(shapes));
}

llvm::Expected<rt::Tensor> parseInlineTensor(const rt::ValueInfo &info,
                                             llvm::StringRef values) {
  auto tensor = createForSignature(info);
  if (!tensor)
    return tensor.takeError();
  llvm::SmallVector<llvm::StringRef> items;
  values.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
  int64_t count = tensor->elementCount();
  if (static_cast<int64_t>(items.size()) != count)
    return llvm::createStringError(
        "input '" + info.name + "' of type " +
        formatType(info.dtype, info.dims) + " needs " + std::to_string(count) +
        " values, got " + std::to_string(items.size()));
  if (info.dtype == KILN_DTYPE_STRING) {
    // Each item is one string, taken as written.
    for (auto [index, item] : llvm::enumerate(items))
      tensor->setString(static_cast<int64_t>(index), item.str());
    return tensor;
  }
  void *data = kiln_tensor_data(tensor->get());
  for (auto [index, item] : llvm::enumerate(items)) {
    auto fail = [&](const char *why) {
      return llvm::createStringError("input '" + info.name + "' value " +
                                     std::to_string(index) + " ('" +
                                     item.str() + "') " + why);
    };
    llvm::StringRef text = item.trim();
    if (isIntegerDtype(info.dtype)) {
      // Read as an integer, not through a double: int64 values above 2^53
      // would be rounded, and values out of range must not wrap silently.
      if (llvm::Error error = storeInteger(info.dtype, data, index, text))
        return fail(llvm::toString(std::move(error)).c_str());
      continue;
    }
    double value;
    if (text.getAsDouble(value))
      return fail("is not a number");
    storeElement(info.dtype, data, index, value);
  }
  return tensor;
}

/// Checks that a tensor read from `source` fits input `info`.
static llvm::Error checkInputFits(const rt::ValueInfo &info,
                                  const rt::Tensor &tensor,
                                  llvm::StringRef source) {
  std::vector<int64_t> shape = tensor.shape();
  bool fits = tensor.dtype() == info.dtype && shape.size() == info.dims.size();
  for (size_t i = 0; fits && i < shape.size(); ++i)
    fits = info.dims[i] < 0 || info.dims[i] == shape[i];
  if (fits)
    return llvm::Error::success();
  return llvm::createStringError(
      "input '" + info.name + "' is " + formatType(info.dtype, info.dims) +
      ", but '" + source + "' holds " + formatType(tensor.dtype(), shape));
}

llvm::Expected<rt::Tensor> loadInput(const rt::ValueInfo &info,
                                     llvm::StringRef value) {
  llvm::Expected<rt::Tensor> tensor = rt::Tensor();
  if (value.ends_with(".npy"))
    tensor = npy::readFile(value);
  else if (value.ends_with(".pb"))
    tensor = readTensorProtoFile(value);
  else if (llvm::sys::fs::exists(value))
    return llvm::createStringError(
        "input '" + info.name + "': '" + value +
        "' is a file of an unknown kind; inputs are read from .npy or ONNX "
        "TensorProto .pb files");
  else
    return parseInlineTensor(info, value);
  if (!tensor)
    return tensor.takeError();
  if (llvm::Error error = checkInputFits(info, *tensor, value))
    return std::move(error);
  return tensor;
}

llvm::Expected<rt::Tensor> makeRandomTensor(const rt::ValueInfo &info,
                                            uint64_t seed) {
  auto tensor = createForSignature(info);
  if (!tensor)
    return tensor.takeError();
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  void *data = kiln_tensor_data(tensor->get());
  bool isFloat = info.dtype == KILN_DTYPE_F32 || info.dtype == KILN_DTYPE_F64 ||
                 info.dtype == KILN_DTYPE_F16 || info.dtype == KILN_DTYPE_BF16;
  if (info.dtype == KILN_DTYPE_STRING) {
    // Numbers as text, so that string inputs that are parsed still parse.
    for (int64_t i = 0, e = tensor->elementCount(); i < e; ++i)
      tensor->setString(
          i, llvm::formatv("{0}", llvm::format("%.6g", real(engine))).str());
    return tensor;
  }
  for (int64_t i = 0, e = tensor->elementCount(); i < e; ++i) {
    double value = isFloat                         ? real(engine)
                   : info.dtype == KILN_DTYPE_BOOL ? small(engine) % 2
                                                   : small(engine);
    storeElement(info.dtype, data, i, value);
  }
  return tensor;
}

} // namespace kiln::tools
