//===- ConverterRegistry.cpp - Which function converts which ONNX op ------===//

#include "ConverterRegistry.h"

namespace kiln::onnx_import {

static std::string key(llvm::StringRef domain, llvm::StringRef opType) {
  return ((domain == "ai.onnx" ? llvm::StringRef() : domain) + ":" + opType)
      .str();
}

const ConverterRegistry &ConverterRegistry::get() {
  static const ConverterRegistry registry = [] {
    ConverterRegistry built;
    registerElementwiseConverters(built);
    registerActivationConverters(built);
    registerNeuralNetworkConverters(built);
    registerShapeConverters(built);
    registerIndexingConverters(built);
    registerReductionConverters(built);
    registerEinsumConverter(built);
    registerQuantizationConverters(built);
    registerNormalizationConverters(built);
    registerGeneratorConverters(built);
    registerRecurrentConverters(built);
    registerSpatialConverters(built);
    registerSequenceConverters(built);
    registerDataDependentConverters(built);
    registerOptimizerConverters(built);
    return built;
  }();
  return registry;
}

void ConverterRegistry::add(llvm::StringRef domain, llvm::StringRef opType,
                            ConverterFn converter) {
  converters[key(domain, opType)] = converter;
}

ConverterFn ConverterRegistry::lookup(llvm::StringRef domain,
                                      llvm::StringRef opType) const {
  auto found = converters.find(key(domain, opType));
  return found == converters.end() ? nullptr : found->second;
}

void ConverterRegistry::addTakingNonTensors(llvm::StringRef domain,
                                            llvm::StringRef opType,
                                            ConverterFn converter) {
  add(domain, opType, converter);
  nonTensorConverters.insert(key(domain, opType));
}

bool ConverterRegistry::takesNonTensors(llvm::StringRef domain,
                                        llvm::StringRef opType) const {
  return nonTensorConverters.contains(key(domain, opType));
}

} // namespace kiln::onnx_import
