//===- TrainingReport.h - kiln-train's per-epoch figures ------------------===//

#ifndef KILN_TOOLS_KILN_TRAIN_TRAININGREPORT_H
#define KILN_TOOLS_KILN_TRAIN_TRAININGREPORT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln {

/// What one epoch measured; accuracies and validation figures are negative
/// when they do not apply.
struct EpochFigures {
  unsigned epoch = 0;
  double trainLoss = 0, trainAccuracy = -1;
  double validationLoss = -1, validationAccuracy = -1;
  double seconds = 0, samplesPerSecond = 0;
};

/// "epoch 3/10: loss 0.1234, accuracy 96.1%, validation loss ..., ...".
std::string formatEpoch(const EpochFigures &figures, unsigned epochs);

/// The figures of every epoch, written as CSV and drawn as an SVG.
class TrainingReport {
public:
  void add(const EpochFigures &figures) { rows.push_back(figures); }
  /// One row per epoch, with a header; the file appears whole or not at all.
  llvm::Error writeCsv(llvm::StringRef path) const;
  /// The training (and validation) loss per epoch as line plots.
  llvm::Error writeSvg(llvm::StringRef path, llvm::StringRef lossName) const;

private:
  std::vector<EpochFigures> rows;
};

} // namespace kiln

#endif // KILN_TOOLS_KILN_TRAIN_TRAININGREPORT_H
