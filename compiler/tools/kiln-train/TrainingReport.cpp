//===- TrainingReport.cpp - kiln-train's per-epoch figures ----------------===//

#include "TrainingReport.h"

#include "kiln/Driver/OutputFiles.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace llvm;

namespace kiln {

std::string formatEpoch(const EpochFigures &figures, unsigned epochs) {
  std::string text;
  raw_string_ostream os(text);
  os << "epoch " << figures.epoch << "/" << epochs << ": loss "
     << format("%.4f", figures.trainLoss);
  if (figures.trainAccuracy >= 0)
    os << ", accuracy " << format("%.1f%%", 100 * figures.trainAccuracy);
  if (figures.validationLoss >= 0)
    os << ", validation loss " << format("%.4f", figures.validationLoss);
  if (figures.validationAccuracy >= 0)
    os << ", validation accuracy "
       << format("%.1f%%", 100 * figures.validationAccuracy);
  os << " (" << format("%.2f s", figures.seconds) << ", "
     << format("%.0f", figures.samplesPerSecond) << " samples/s)";
  return text;
}

Error TrainingReport::writeCsv(StringRef path) const {
  driver::OutputFiles files;
  if (Error error = files.write(path, [&](raw_ostream &os) {
        os << "epoch,train_loss,train_accuracy,validation_loss,"
              "validation_accuracy,seconds,samples_per_second\n";
        auto optional = [&](double value) {
          if (value >= 0)
            os << format("%.6g", value);
        };
        for (const EpochFigures &row : rows) {
          os << row.epoch << "," << format("%.6g", row.trainLoss) << ",";
          optional(row.trainAccuracy);
          os << ",";
          optional(row.validationLoss);
          os << ",";
          optional(row.validationAccuracy);
          os << "," << format("%.4f", row.seconds) << ","
             << format("%.1f", row.samplesPerSecond) << "\n";
        }
      }))
    return error;
  return files.commit();
}

Error TrainingReport::writeSvg(StringRef path, StringRef lossName) const {
  constexpr double kWidth = 640, kHeight = 400, kMargin = 60;
  double highest = 0;
  for (const EpochFigures &row : rows)
    highest = std::max({highest, row.trainLoss, row.validationLoss});
  if (highest <= 0)
    highest = 1;
  size_t count = std::max<size_t>(rows.size(), 2);
  auto x = [&](size_t i) {
    return kMargin + (kWidth - 2 * kMargin) * i / double(count - 1);
  };
  auto y = [&](double loss) {
    return kHeight - kMargin - (kHeight - 2 * kMargin) * loss / highest;
  };
  driver::OutputFiles files;
  if (Error error = files.write(path, [&](raw_ostream &os) {
        os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth
           << "\" height=\"" << kHeight << "\" font-family=\"sans-serif\" "
           << "font-size=\"12\">\n"
           << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
           << "<text x=\"" << kWidth / 2 << "\" y=\"24\" "
           << "text-anchor=\"middle\">" << lossName << " loss per epoch"
           << "</text>\n";
        // Axes with the extremes labelled.
        os << format("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
                     "stroke=\"black\"/>\n",
                     kMargin, kHeight - kMargin, kWidth - kMargin,
                     kHeight - kMargin)
           << format("<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
                     "stroke=\"black\"/>\n",
                     kMargin, kMargin, kMargin, kHeight - kMargin)
           << format("<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.3g"
                     "</text>\n",
                     kMargin - 6, kMargin + 4, highest)
           << format("<text x=\"%g\" y=\"%g\" text-anchor=\"end\">0</text>\n",
                     kMargin - 6, kHeight - kMargin + 4)
           << format("<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">epoch "
                     "%zu</text>\n",
                     kWidth - kMargin, kHeight - kMargin + 20, rows.size());
        auto polyline = [&](auto value, StringRef colour, StringRef label,
                            double labelY) {
          os << "<polyline fill=\"none\" stroke=\"" << colour
             << "\" stroke-width=\"2\" points=\"";
          for (size_t i = 0; i < rows.size(); ++i)
            os << format("%.1f,%.1f ", x(i), y(value(rows[i])));
          os << "\"/>\n"
             << format("<text x=\"%g\" y=\"%g\" fill=\"", kWidth - kMargin,
                       labelY)
             << colour << "\" text-anchor=\"end\">" << label << "</text>\n";
        };
        polyline([](const EpochFigures &row) { return row.trainLoss; },
                 "#1f77b4", "training", kMargin);
        if (!rows.empty() && rows.front().validationLoss >= 0)
          polyline([](const EpochFigures &row) { return row.validationLoss; },
                   "#d62728", "validation", kMargin + 16);
        os << "</svg>\n";
      }))
    return error;
  return files.commit();
}

} // namespace kiln
