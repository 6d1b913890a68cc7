//===- DiagnosticCollector.h - MLIR diagnostics as llvm::Error text -------===//
//
// While alive, captures every diagnostic emitted in a context as
// "file:line:col: error: message" lines (notes indented below), so that
// failures reach the driver's callers as values instead of being printed.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_DIAGNOSTICCOLLECTOR_H
#define KILN_DRIVER_DIAGNOSTICCOLLECTOR_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/Error.h"

#include <string>

namespace kiln::driver {

class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *context)
      : handler(context, [this](mlir::Diagnostic &diagnostic) {
          record(diagnostic);
          return mlir::success();
        }) {}

  /// An error whose message is `summary` followed by every collected
  /// diagnostic.
  llvm::Error takeError(const llvm::Twine &summary) {
    std::string message = summary.str();
    if (!text.empty())
      message += ":\n" + text;
    text.clear();
    return llvm::createStringError(message);
  }

private:
  static const char *severityName(mlir::DiagnosticSeverity severity) {
    switch (severity) {
    case mlir::DiagnosticSeverity::Error:
      return "error";
    case mlir::DiagnosticSeverity::Warning:
      return "warning";
    case mlir::DiagnosticSeverity::Note:
      return "note";
    case mlir::DiagnosticSeverity::Remark:
      return "remark";
    }
    return "error";
  }

  /// "file:line:col" when the location has one, else MLIR's own spelling.
  static std::string formatLocation(mlir::Location loc) {
    if (auto fileLoc = loc->findInstanceOf<mlir::FileLineColLoc>())
      return (fileLoc.getFilename().getValue() + ":" +
              llvm::Twine(fileLoc.getLine()) + ":" +
              llvm::Twine(fileLoc.getColumn()))
          .str();
    std::string text;
    llvm::raw_string_ostream os(text);
    loc.print(os);
    return text;
  }

  void record(mlir::Diagnostic &diagnostic, llvm::StringRef indent = "") {
    text += (indent + formatLocation(diagnostic.getLocation()) + ": " +
             severityName(diagnostic.getSeverity()) + ": " + diagnostic.str() +
             "\n")
                .str();
    for (mlir::Diagnostic &note : diagnostic.getNotes())
      record(note, "  ");
  }

  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_DIAGNOSTICCOLLECTOR_H
