//===- driver.cpp - scripts/gpu-check.sh's runner on the GPU machine ------===//
//
// The GPU machine has no LLVM, MLIR or ONNX: this program, built here against
// libkiln_runtime only, loads a compiled module there and runs one function.
//
//   driver run MODULE.so FUNCTION OUT_DIR IN_0.npy [IN_1.npy ...]
//       runs once, writes OUT_DIR/output_<i>.npy
//   driver time MODULE.so FUNCTION RUNS IN_0.npy [...]
//       prints "median_ms <t>" over RUNS runs after 3 warm-up runs
//   driver train MODULE.so RUNS
//       times train_step (batch from its signature) on the initial weights
//       from initial_weights(), zero targets, learning rate 0.01
//
// Timed runs of a CUDA module keep inputs and outputs in device memory, as
// PyTorch's tensors are when it is timed: the time is the model's, not the
// copies'.
//
// .npy files hold little-endian C-order float32 or int64 arrays.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace rt = kiln::rt;

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::cerr << "driver: " << message << "\n";
  std::exit(1);
}

rt::Tensor readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    fail(path + ": not a .npy file");
  uint32_t headerSize = 0;
  if (magic[6] == 1) {
    uint16_t size;
    in.read(reinterpret_cast<char *>(&size), 2);
    headerSize = size;
  } else {
    in.read(reinterpret_cast<char *>(&headerSize), 4);
  }
  std::string header(headerSize, '\0');
  in.read(header.data(), headerSize);
  kiln_dtype dtype = header.find("'<f4'") != std::string::npos ? KILN_DTYPE_F32
                     : header.find("'<i8'") != std::string::npos
                         ? KILN_DTYPE_I64
                         : KILN_DTYPE_INVALID;
  if (dtype == KILN_DTYPE_INVALID ||
      header.find("'fortran_order': False") == std::string::npos)
    fail(path + ": only C-order float32 and int64 arrays are read");
  size_t open = header.find("'shape': (");
  size_t close = header.find(')', open);
  std::vector<int64_t> shape;
  std::stringstream dims(header.substr(open + 10, close - open - 10));
  for (std::string dim; std::getline(dims, dim, ',');)
    if (dim.find_first_not_of(' ') != std::string::npos)
      shape.push_back(std::stoll(dim));
  rt::Tensor tensor = rt::Tensor::create(dtype, shape);
  if (!in.read(static_cast<char *>(kiln_tensor_data(tensor.get())),
               static_cast<std::streamsize>(tensor.byteSize())))
    fail(path + ": truncated");
  return tensor;
}

void writeNpy(const std::string &path, const rt::Tensor &tensor) {
  const char *descr = tensor.dtype() == KILN_DTYPE_F32   ? "<f4"
                      : tensor.dtype() == KILN_DTYPE_I64 ? "<i8"
                                                         : nullptr;
  if (!descr)
    fail(path + ": only float32 and int64 outputs are written");
  std::string shape;
  for (int64_t dim : tensor.shape())
    shape += std::to_string(dim) + ",";
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': (" + shape +
                       "), }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t size = static_cast<uint16_t>(header.size());
  out.write(reinterpret_cast<const char *>(&size), 2);
  out << header;
  out.write(static_cast<const char *>(kiln_tensor_const_data(tensor.get())),
            static_cast<std::streamsize>(tensor.byteSize()));
}

double medianMs(std::vector<double> times) {
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

template <typename Body> double timeMs(Body body) {
  auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

/// For a CUDA function: device copies of `inputs`, and device tensors for its
/// outputs of fixed shape (empty slots, filled by the run, otherwise).
void placeOnDevice(const rt::Function &function,
                   std::vector<rt::Tensor> &inputs,
                   std::vector<rt::Tensor> &outputs) {
  outputs.resize(function.outputs().size());
  if (kiln_module_target(function.module().get()) != KILN_TARGET_CUDA)
    return;
  for (rt::Tensor &input : inputs)
    input = input.toDevice();
  std::vector<rt::ValueInfo> info = function.outputs();
  for (size_t i = 0; i < info.size(); ++i)
    if (std::none_of(info[i].dims.begin(), info[i].dims.end(),
                     [](int64_t dim) { return dim < 0; }))
      outputs[i] = rt::Tensor::createOnDevice(info[i].dtype, info[i].dims);
}

std::vector<const rt::Tensor *> pointers(const std::vector<rt::Tensor> &all) {
  std::vector<const rt::Tensor *> result;
  for (const rt::Tensor &tensor : all)
    result.push_back(&tensor);
  return result;
}

int trainStep(const std::string &modulePath, int runs) {
  rt::Module module = rt::Module::load(modulePath);
  rt::Function initial = module.function("initial_weights");
  rt::Function step = module.function("train_step");
  std::vector<rt::Tensor> weights = initial.run({});
  std::map<std::string, size_t> weightIndex;
  std::vector<rt::ValueInfo> weightInfo = initial.outputs();
  for (size_t i = 0; i < weightInfo.size(); ++i)
    weightIndex[weightInfo[i].name] = i;
  // Inputs that are not weights: data (small values), targets (class 0),
  // the learning rate and the step number; optimizer state starts at 0.
  std::vector<rt::Tensor> owned;
  owned.reserve(step.inputs().size()); // inputs keeps pointers into it
  std::vector<const rt::Tensor *> inputs;
  for (const rt::ValueInfo &info : step.inputs()) {
    auto found = weightIndex.find(info.name);
    if (found != weightIndex.end()) {
      inputs.push_back(&weights[found->second]);
      continue;
    }
    rt::Tensor tensor = rt::Tensor::create(info.dtype, info.dims);
    std::memset(kiln_tensor_data(tensor.get()), 0, tensor.byteSize());
    if (info.dtype == KILN_DTYPE_F32) {
      float *values = tensor.data<float>();
      bool rate = info.name.find("learning_rate") != std::string::npos ||
                  info.name == "lr";
      for (int64_t i = 0; i < tensor.elementCount(); ++i)
        values[i] = rate ? 0.01f : 0.001f * static_cast<float>(i % 97);
    }
    owned.push_back(std::move(tensor));
    inputs.push_back(&owned.back());
  }
  std::vector<rt::Tensor> onDevice;
  for (const rt::Tensor *input : inputs)
    onDevice.push_back(rt::Tensor::create(input->dtype(), input->shape()));
  for (size_t i = 0; i < inputs.size(); ++i)
    onDevice[i].copyFrom(*inputs[i]);
  std::vector<rt::Tensor> outputs;
  placeOnDevice(step, onDevice, outputs);
  std::vector<const rt::Tensor *> stepInputs = pointers(onDevice);
  std::vector<double> times;
  for (int i = 0; i < runs + 3; ++i) {
    double ms = timeMs([&] { step.run(stepInputs, outputs); });
    if (i >= 3)
      times.push_back(ms);
  }
  std::printf("median_ms %.3f\n", medianMs(times));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "train" && argc == 4)
      return trainStep(argv[2], std::stoi(argv[3]));
    if ((mode != "run" && mode != "time") || argc < 5)
      fail("usage: driver run MODULE FUNCTION OUT_DIR INPUTS... | "
           "driver time MODULE FUNCTION RUNS INPUTS... | "
           "driver train MODULE RUNS");
    rt::Module module = rt::Module::load(argv[2]);
    rt::Function function = module.function(argv[3]);
    std::vector<rt::Tensor> inputs;
    for (int i = 5; i < argc; ++i)
      inputs.push_back(readNpy(argv[i]));
    if (mode == "run") {
      std::vector<rt::Tensor> outputs = function.run(pointers(inputs));
      for (size_t i = 0; i < outputs.size(); ++i)
        writeNpy(std::string(argv[4]) + "/output_" + std::to_string(i) +
                     ".npy",
                 outputs[i]);
      return 0;
    }
    int runs = std::stoi(argv[4]);
    std::vector<rt::Tensor> outputs;
    placeOnDevice(function, inputs, outputs);
    std::vector<const rt::Tensor *> timedInputs = pointers(inputs);
    std::vector<double> times;
    for (int i = 0; i < runs + 3; ++i) {
      double ms = timeMs([&] { function.run(timedInputs, outputs); });
      if (i >= 3)
        times.push_back(ms);
    }
    std::printf("median_ms %.3f\n", medianMs(times));
    return 0;
  } catch (const std::exception &error) {
    fail(error.what());
  }
}
