//===- ConverterRegistry.h - Which function converts which ONNX op --------===//
//
// One converter per ONNX op (at opset 17, which every model is converted to).
// Each op family registers its converters from its own file in lib/ops/.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_CONVERTERREGISTRY_H
#define KILN_FRONTENDS_ONNX_CONVERTERREGISTRY_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

namespace kiln::onnx_import {

class NodeContext;

/// Converts one node: builds kiln ops and sets the node's outputs.
using ConverterFn = llvm::Error (*)(NodeContext &context);

class ConverterRegistry {
public:
  /// The registry with every family's converters.
  static const ConverterRegistry &get();

  /// `domain` is "" for the default ONNX domain.
  void add(llvm::StringRef domain, llvm::StringRef opType,
           ConverterFn converter);
  ConverterFn lookup(llvm::StringRef domain, llvm::StringRef opType) const;
  /// Adds a converter that also takes sequences and empty optionals (through
  /// NodeContext::valueInput); other converters only ever see tensors.
  void addTakingNonTensors(llvm::StringRef domain, llvm::StringRef opType,
                           ConverterFn converter);
  /// Whether the converter for `domain`:`opType` was added with
  /// addTakingNonTensors.
  bool takesNonTensors(llvm::StringRef domain, llvm::StringRef opType) const;

private:
  llvm::StringMap<ConverterFn> converters; // keyed by "domain:opType"
  llvm::StringSet<> nonTensorConverters;   // the same keys
};

// One per file in lib/ops/.
void registerElementwiseConverters(ConverterRegistry &registry);
void registerActivationConverters(ConverterRegistry &registry);
void registerNeuralNetworkConverters(ConverterRegistry &registry);
void registerShapeConverters(ConverterRegistry &registry);
void registerIndexingConverters(ConverterRegistry &registry);
void registerReductionConverters(ConverterRegistry &registry);
void registerEinsumConverter(ConverterRegistry &registry);
void registerQuantizationConverters(ConverterRegistry &registry);
void registerNormalizationConverters(ConverterRegistry &registry);
void registerGeneratorConverters(ConverterRegistry &registry);
void registerRecurrentConverters(ConverterRegistry &registry);
void registerSpatialConverters(ConverterRegistry &registry);
void registerSequenceConverters(ConverterRegistry &registry);
void registerDataDependentConverters(ConverterRegistry &registry);
void registerOptimizerConverters(ConverterRegistry &registry);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_CONVERTERREGISTRY_H
