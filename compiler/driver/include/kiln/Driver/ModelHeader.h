//===- ModelHeader.h - The C header generated for a compiled model --------===//
//
// `kiln-compile --header` writes a C header for a compiled model so that a C
// program can call it without the runtime's generic API. For a model named
// NAME with a function FN, the header declares (all `static inline` over
// kiln/runtime.h, so the program links only libkiln_runtime and the model):
//
//   typedef struct NAME_model { kiln_module *module;
//                               const kiln_function *FN; ... } NAME_model;
//   kiln_status *NAME_model_load(NAME_model *model[, const char *path]);
//   void NAME_model_free(NAME_model *model);
//   kiln_status *NAME_FN(const NAME_model *model, const float *x, float *y);
//
// and constants for every input and output: NAME_FN_INPUT_X_NAME, _DTYPE,
// _RANK, _SHAPE, _DIM<i>, _ELEMENTS, _BYTES (upper case). Loading checks that
// the module's signatures are the ones the header was generated for.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_MODELHEADER_H
#define KILN_DRIVER_MODELHEADER_H

#include "kiln/module_abi.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::driver {

/// One input or output of a compiled function.
struct ValueSignature {
  std::string name;
  kiln_dtype dtype = KILN_DTYPE_INVALID;
  /// -1 marks a dimension known only at run time.
  std::vector<int64_t> dims;
};

/// The signature of one compiled function.
struct FunctionSignature {
  std::string name;
  std::vector<ValueSignature> inputs;
  std::vector<ValueSignature> outputs;
};

/// Reads the `kiln.entry_points` record that kiln-prepare-entry-points left
/// on `module`.
llvm::Expected<std::vector<FunctionSignature>>
readEntryPoints(mlir::ModuleOp module);

/// How the program gets the compiled module.
enum class HeaderLinkage {
  /// A shared library loaded at run time: NAME_model_load takes its path.
  SharedLibrary,
  /// An object or archive linked into the program: NAME_model_load takes no
  /// path and uses the prefixed tables.
  Linked,
};

struct ModelHeaderOptions {
  /// A C identifier; see isCIdentifier().
  std::string moduleName;
  HeaderLinkage linkage = HeaderLinkage::SharedLibrary;
  /// For the header's comment: the model file and the compiled file.
  std::string sourceName;
  std::string outputName;
  /// For the header's comment, e.g. "kiln 0.1.0".
  std::string producer;
  std::vector<FunctionSignature> functions;
};

/// The text of the header, or an error when two generated identifiers would
/// collide.
llvm::Expected<std::string>
generateModelHeader(const ModelHeaderOptions &options);

/// The model name compileToFile() uses when none is given: the output file's
/// stem as a C identifier, without the "lib" of "libNAME.a".
std::string defaultModuleName(llvm::StringRef outputPath, bool isArchive);

/// True when `text` is a C identifier that does not start with an underscore
/// (those are reserved) and is not a C keyword.
bool isCIdentifier(llvm::StringRef text);

/// `text` with every character that cannot appear in a C identifier replaced
/// by '_', prefixed with "m_" when it would start with a digit or '_' or be
/// empty or a keyword.
std::string makeCIdentifier(llvm::StringRef text);

} // namespace kiln::driver

#endif // KILN_DRIVER_MODELHEADER_H
