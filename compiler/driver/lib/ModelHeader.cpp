//===- ModelHeader.cpp - The C header generated for a compiled model ------===//
//
// Writes the header described in ModelHeader.h. Every identifier comes from
// names in the model, so each is sanitized into a C identifier and checked
// for collisions; every string goes through C escaping.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/ModelHeader.h"

#include "kiln/Codegen/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln::driver {

namespace {

constexpr const char *kKeywords[] = {
    "auto",     "break",    "case",     "char",      "const",    "continue",
    "default",  "do",       "double",   "else",      "enum",     "extern",
    "float",    "for",      "goto",     "if",        "inline",   "int",
    "long",     "register", "restrict", "return",    "short",    "signed",
    "sizeof",   "static",   "struct",   "switch",    "typedef",  "union",
    "unsigned", "void",     "volatile", "while",     "bool",     "true",
    "false",    "class",    "delete",   "new",       "this",     "template",
    "operator", "private",  "public",   "protected", "virtual",  "friend",
    "throw",    "try",      "catch",    "namespace", "using",    "mutable",
    "explicit", "export",   "typename", "nullptr",   "decltype", "alignas",
    "alignof",  "noexcept", "asm"};

bool isKeyword(llvm::StringRef text) {
  return llvm::is_contained(kKeywords, text);
}

/// The C type of one element, as the buffers of the typed functions use it.
const char *cElementType(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return "float";
  case KILN_DTYPE_F64:
    return "double";
  case KILN_DTYPE_I8:
    return "int8_t";
  case KILN_DTYPE_I16:
    return "int16_t";
  case KILN_DTYPE_I32:
    return "int32_t";
  case KILN_DTYPE_I64:
    return "int64_t";
  case KILN_DTYPE_F16:  // raw IEEE half bits
  case KILN_DTYPE_BF16: // raw bfloat16 bits
  case KILN_DTYPE_U16:
    return "uint16_t";
  case KILN_DTYPE_U32:
    return "uint32_t";
  case KILN_DTYPE_U64:
    return "uint64_t";
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL:
    return "uint8_t";
  case KILN_DTYPE_STRING: // functions with strings get no typed function
  case KILN_DTYPE_INVALID:
    break;
  }
  return "unsigned char";
}

const char *dtypeName(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return "F32";
  case KILN_DTYPE_F64:
    return "F64";
  case KILN_DTYPE_F16:
    return "F16";
  case KILN_DTYPE_BF16:
    return "BF16";
  case KILN_DTYPE_I8:
    return "I8";
  case KILN_DTYPE_I16:
    return "I16";
  case KILN_DTYPE_I32:
    return "I32";
  case KILN_DTYPE_I64:
    return "I64";
  case KILN_DTYPE_U8:
    return "U8";
  case KILN_DTYPE_BOOL:
    return "BOOL";
  case KILN_DTYPE_U16:
    return "U16";
  case KILN_DTYPE_U32:
    return "U32";
  case KILN_DTYPE_U64:
    return "U64";
  case KILN_DTYPE_STRING:
    return "STRING";
  case KILN_DTYPE_INVALID:
    break;
  }
  return "INVALID";
}

size_t elementBytes(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_STRING: // a `const char *` per element
  case KILN_DTYPE_F64:
  case KILN_DTYPE_I64:
  case KILN_DTYPE_U64:
    return 8;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_U32:
    return 4;
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_U16:
    return 2;
  default:
    return 1;
  }
}

/// A C string literal for `text`: printable ASCII as is, the rest as octal.
std::string cString(llvm::StringRef text) {
  std::string result = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      result += '\\';
      result += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f && c != '?') {
      result += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\%03o", c);
      result += escaped;
    }
  }
  return result + "\"";
}

/// "f32[4x2]", for comments and messages (without "*/" in any name).
std::string describeType(const ValueSignature &value) {
  std::string text = llvm::StringRef(dtypeName(value.dtype)).lower() + "[";
  for (auto [i, dim] : llvm::enumerate(value.dims))
    text += (i ? "x" : "") + (dim < 0 ? std::string("?") : std::to_string(dim));
  return text + "]";
}

/// A name safe to put inside a C comment.
std::string commentSafe(llvm::StringRef text) {
  std::string result = text.str();
  for (size_t at; (at = result.find("*/")) != std::string::npos;)
    result.replace(at, 2, "* /");
  for (char &c : result)
    if (c == '\n' || c == '\r')
      c = ' ';
  return result;
}

/// The element count and byte size of a static value; nothing when a
/// dimension is dynamic or the size does not fit in 63 bits.
std::optional<std::pair<int64_t, int64_t>>
staticSize(const ValueSignature &value) {
  int64_t count = 1;
  for (int64_t dim : value.dims)
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count))
      return std::nullopt;
  int64_t bytes;
  if (__builtin_mul_overflow(
          count, static_cast<int64_t>(elementBytes(value.dtype)), &bytes))
    return std::nullopt;
  return std::make_pair(count, bytes);
}

/// Hands out identifiers, making each unique by adding a suffix.
class NameTable {
public:
  explicit NameTable(std::initializer_list<const char *> reserved = {}) {
    for (const char *name : reserved)
      used.insert(name);
  }
  std::string take(llvm::StringRef wanted) {
    std::string name = wanted.str();
    for (int i = 1; used.contains(name) || isKeyword(name); ++i)
      name = (wanted + "_" + llvm::Twine(i)).str();
    used.insert(name);
    return name;
  }

private:
  llvm::StringSet<> used;
};

/// One value as the header names it.
struct HeaderValue {
  const ValueSignature *signature;
  std::string macro;     ///< e.g. "XOR_PREDICT_INPUT_X"
  std::string parameter; ///< e.g. "x"
};

/// One function as the header names it.
struct HeaderFunction {
  const FunctionSignature *signature;
  std::string member;   ///< field of NAME_model, e.g. "predict"
  std::string function; ///< e.g. "xor_predict"
  std::string macro;    ///< e.g. "XOR_PREDICT"
  std::vector<HeaderValue> inputs, outputs;
  /// Every value has a static size and no value holds strings: the header
  /// gets a typed function over plain buffers.
  bool isStatic = true;
  /// Some value is a string tensor, which plain buffers cannot return.
  bool hasStrings = false;
};

class HeaderWriter {
public:
  HeaderWriter(const ModelHeaderOptions &options, llvm::raw_ostream &os)
      : options(options), os(os), name(options.moduleName),
        upper(llvm::StringRef(options.moduleName).upper()) {}

  void write();

private:
  void planNames();
  void writePreamble();
  void writeConstants(const HeaderFunction &function);
  void writeValueConstants(const HeaderValue &value, const char *kind);
  void writeModelType();
  void writeSignatureCheck();
  void writeLoadAndFree();
  void writeRun(const HeaderFunction &function);
  std::string describeSignature(const FunctionSignature &function);

  const ModelHeaderOptions &options;
  llvm::raw_ostream &os;
  std::string name, upper;
  std::vector<HeaderFunction> functions;
};

void HeaderWriter::planNames() {
  // Members of NAME_model, and the functions declared at file scope.
  NameTable members({"module"});
  NameTable globals(
      {"model", "model_load", "model_free", "model_bind_", "value_matches_"});
  NameTable macros({"NUM_FUNCTIONS", "PRODUCER"});
  for (const FunctionSignature &signature : options.functions) {
    HeaderFunction function;
    function.signature = &signature;
    std::string base = makeCIdentifier(signature.name);
    function.member = members.take(base);
    function.function = name + "_" + globals.take(base);
    function.macro = upper + "_" + macros.take(llvm::StringRef(base).upper());
    NameTable parameters({"model", "inputs_", "outputs_"});
    NameTable valueMacros;
    for (const ValueSignature &value : signature.inputs)
      function.inputs.push_back(
          {&value,
           function.macro + "_INPUT_" +
               valueMacros.take(
                   llvm::StringRef(makeCIdentifier(value.name)).upper()),
           parameters.take(makeCIdentifier(value.name))});
    NameTable outputMacros;
    for (const ValueSignature &value : signature.outputs)
      function.outputs.push_back(
          {&value,
           function.macro + "_OUTPUT_" +
               outputMacros.take(
                   llvm::StringRef(makeCIdentifier(value.name)).upper()),
           parameters.take(makeCIdentifier(value.name))});
    for (const ValueSignature &value : signature.inputs)
      function.isStatic &= staticSize(value).has_value();
    for (const ValueSignature &value : signature.outputs)
      function.isStatic &= staticSize(value).has_value();
    for (const ValueSignature &value : signature.inputs)
      function.hasStrings |= value.dtype == KILN_DTYPE_STRING;
    for (const ValueSignature &value : signature.outputs)
      function.hasStrings |= value.dtype == KILN_DTYPE_STRING;
    function.isStatic &= !function.hasStrings;
    functions.push_back(std::move(function));
  }
}

std::string HeaderWriter::describeSignature(const FunctionSignature &function) {
  std::string text = commentSafe(function.name) + "(";
  for (auto [i, value] : llvm::enumerate(function.inputs))
    text +=
        (i ? ", " : "") + commentSafe(value.name) + ": " + describeType(value);
  text += ") -> (";
  for (auto [i, value] : llvm::enumerate(function.outputs))
    text +=
        (i ? ", " : "") + commentSafe(value.name) + ": " + describeType(value);
  return text + ")";
}

void HeaderWriter::writePreamble() {
  bool linked = options.linkage == HeaderLinkage::Linked;
  os << "/* " << name << ".h - the Kiln model \"" << name
     << "\" (generated; do not edit).\n"
     << " *\n"
     << " * Generated by " << commentSafe(options.producer) << " from "
     << commentSafe(options.sourceName) << " for "
     << commentSafe(options.outputName) << ".\n"
     << " *\n"
     << " *   " << name << "_model model;\n"
     << " *   kiln_status *status = " << name << "_model_load(&model"
     << (linked ? "" : ", \"path/to/" + commentSafe(options.outputName) + "\"")
     << ");\n";
  if (!functions.empty() && functions.front().isStatic) {
    const HeaderFunction &first = functions.front();
    os << " *   if (status == NULL) status = " << first.function << "(&model";
    for (const HeaderValue &value : first.inputs)
      os << ", " << value.parameter;
    for (const HeaderValue &value : first.outputs)
      os << ", " << value.parameter;
    os << ");\n";
  }
  os << " *   if (status != NULL) { puts(kiln_status_message(status)); "
        "kiln_status_free(status); }\n"
     << " *   " << name << "_model_free(&model);\n"
     << " *\n"
     << " * Every function takes caller-owned, dense row-major buffers of the\n"
     << " * sizes below, returns NULL on success or a status to free with\n"
     << " * kiln_status_free(), and may run on one loaded model from many\n"
     << " * threads at once (each with its own output buffers). Link with\n"
     << " * libkiln_runtime"
     << (linked ? " and the model's object or archive (and libm)" : "")
     << ".\n */\n"
     << "#ifndef KILN_MODEL_" << upper << "_H\n"
     << "#define KILN_MODEL_" << upper << "_H\n\n"
     << "#include \"kiln/runtime.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#define " << upper << "_NUM_FUNCTIONS " << functions.size() << "\n"
     << "#define " << upper << "_PRODUCER " << cString(options.producer)
     << "\n\n";
  if (linked)
    os << "/* The module's tables, defined in the model's object code. */\n"
       << "extern const kiln_abi_module " << name << "_kiln_module_abi_v1;\n"
       << "extern const kiln_abi_module_info " << name
       << "_kiln_module_info_v1;\n\n";
}

void HeaderWriter::writeValueConstants(const HeaderValue &value,
                                       const char *kind) {
  const ValueSignature &signature = *value.signature;
  os << "/* " << kind << " " << commentSafe(signature.name) << ": "
     << describeType(signature) << " */\n"
     << "#define " << value.macro << "_NAME " << cString(signature.name) << "\n"
     << "#define " << value.macro << "_DTYPE KILN_DTYPE_"
     << dtypeName(signature.dtype) << "\n"
     << "#define " << value.macro << "_RANK " << signature.dims.size() << "\n";
  if (!signature.dims.empty()) {
    os << "#define " << value.macro << "_SHAPE {";
    for (auto [i, dim] : llvm::enumerate(signature.dims))
      os << (i ? ", " : "") << dim;
    os << "}\n";
  }
  for (auto [i, dim] : llvm::enumerate(signature.dims))
    os << "#define " << value.macro << "_DIM" << i << " " << dim << "\n";
  if (auto size = staticSize(signature))
    os << "#define " << value.macro << "_ELEMENTS " << size->first << "\n"
       << "#define " << value.macro << "_BYTES " << size->second << "\n";
}

void HeaderWriter::writeConstants(const HeaderFunction &function) {
  const FunctionSignature &signature = *function.signature;
  os << "/*===--- " << describeSignature(signature) << " ---===*/\n"
     << "#define " << function.macro << "_NAME " << cString(signature.name)
     << "\n"
     << "#define " << function.macro << "_NUM_INPUTS "
     << signature.inputs.size() << "\n"
     << "#define " << function.macro << "_NUM_OUTPUTS "
     << signature.outputs.size() << "\n";
  for (const HeaderValue &value : function.inputs)
    writeValueConstants(value, "input");
  for (const HeaderValue &value : function.outputs)
    writeValueConstants(value, "output");
  os << "\n";
}

void HeaderWriter::writeModelType() {
  os << "/** The loaded model: its module (owned) and one handle per function "
        "(borrowed\n    from the module). */\n"
     << "typedef struct " << name << "_model {\n"
     << "  kiln_module *module;\n";
  for (const HeaderFunction &function : functions)
    os << "  const kiln_function *" << function.member << ";\n";
  os << "} " << name << "_model;\n\n";
}

void HeaderWriter::writeSignatureCheck() {
  os << "/* 1 when value `index` of `function` has this dtype and shape. */\n"
     << "static inline int " << name
     << "_value_matches_(const kiln_function *function, int is_output,\n"
     << "    size_t index, kiln_dtype dtype, size_t rank, const int64_t *dims) "
        "{\n"
     << "  kiln_value_info info;\n"
     << "  size_t i;\n"
     << "  kiln_status *status = is_output\n"
     << "      ? kiln_function_output_info(function, index, &info)\n"
     << "      : kiln_function_input_info(function, index, &info);\n"
     << "  if (status != NULL) {\n"
     << "    kiln_status_free(status);\n"
     << "    return 0;\n"
     << "  }\n"
     << "  if (info.dtype != dtype || info.rank != rank)\n"
     << "    return 0;\n"
     << "  for (i = 0; i < rank; ++i)\n"
     << "    if (info.dims[i] != dims[i])\n"
     << "      return 0;\n"
     << "  return 1;\n"
     << "}\n\n";

  os << "/* Finds every function and checks it has the signature this header "
        "was\n   generated for. */\n"
     << "static inline kiln_status *" << name << "_model_bind_(" << name
     << "_model *model) {\n"
     << "  kiln_status *status;\n";
  for (const HeaderFunction &function : functions) {
    const FunctionSignature &signature = *function.signature;
    os << "  status = kiln_module_find_function(model->module, "
       << cString(signature.name) << ",\n"
       << "                                     &model->" << function.member
       << ");\n"
       << "  if (status != NULL)\n"
       << "    return status;\n"
       << "  {\n";
    auto dimsArray = [&](const HeaderValue &value, const char *kind,
                         size_t index) {
      std::string array = std::string(kind) + std::to_string(index) + "_dims";
      if (value.signature->dims.empty())
        return std::string("NULL");
      os << "    static const int64_t " << array << "[] = {";
      for (auto [i, dim] : llvm::enumerate(value.signature->dims))
        os << (i ? ", " : "") << dim;
      os << "};\n";
      return array;
    };
    std::vector<std::string> checks;
    checks.push_back("kiln_function_input_count(model->" + function.member +
                     ") == " + std::to_string(signature.inputs.size()));
    checks.push_back("kiln_function_output_count(model->" + function.member +
                     ") == " + std::to_string(signature.outputs.size()));
    for (auto [kind, values, isOutput] :
         {std::make_tuple("input", &function.inputs, 0),
          std::make_tuple("output", &function.outputs, 1)})
      for (auto [i, value] : llvm::enumerate(*values)) {
        std::string dims = dimsArray(value, kind, i);
        checks.push_back(name + "_value_matches_(model->" + function.member +
                         ", " + std::to_string(isOutput) + ", " +
                         std::to_string(i) + ", " + value.macro + "_DTYPE, " +
                         std::to_string(value.signature->dims.size()) + ", " +
                         dims + ")");
      }
    os << "    if (!(";
    for (auto [i, check] : llvm::enumerate(checks))
      os << (i ? " &&\n          " : "") << check;
    std::string message = name + ": function '" + signature.name +
                          "' of the loaded module is not " +
                          describeSignature(signature) +
                          ", the signature this header was generated for";
    os << "))\n"
       << "      return kiln_status_create(KILN_INVALID_MODULE,\n"
       << "                                " << cString(message) << ");\n"
       << "  }\n";
  }
  os << "  return NULL;\n}\n\n";
}

void HeaderWriter::writeLoadAndFree() {
  bool linked = options.linkage == HeaderLinkage::Linked;
  if (linked)
    os << "/** Loads the model linked into this program. On failure "
          "`model->module` is\n    NULL and the caller frees the returned "
          "status. */\n"
       << "static inline kiln_status *" << name << "_model_load(" << name
       << "_model *model) {\n"
       << "  kiln_status *status;\n"
       << "  model->module = NULL;\n"
       << "  status = kiln_module_from_tables(&" << name
       << "_kiln_module_abi_v1,\n"
       << "                                   &" << name
       << "_kiln_module_info_v1, NULL, NULL,\n"
       << "                                   &model->module);\n";
  else
    os << "/** Loads the model from the shared library at `path` (its weights "
          "file, if\n    any, next to it). On failure `model->module` is NULL "
          "and the caller frees\n    the returned status. */\n"
       << "static inline kiln_status *" << name << "_model_load(" << name
       << "_model *model, const char *path) {\n"
       << "  kiln_status *status;\n"
       << "  model->module = NULL;\n"
       << "  status = kiln_module_load(path, &model->module);\n";
  os << "  if (status == NULL)\n"
     << "    status = " << name << "_model_bind_(model);\n"
     << "  if (status != NULL) {\n"
     << "    kiln_module_free(model->module);\n"
     << "    model->module = NULL;\n"
     << "  }\n"
     << "  return status;\n"
     << "}\n\n"
     << "/** Releases a model that " << name
     << "_model_load() loaded; no call may be running. */\n"
     << "static inline void " << name << "_model_free(" << name
     << "_model *model) {\n"
     << "  kiln_module_free(model->module);\n"
     << "  model->module = NULL;\n"
     << "}\n\n";
}

void HeaderWriter::writeRun(const HeaderFunction &function) {
  const FunctionSignature &signature = *function.signature;
  if (function.hasStrings) {
    os << "/* " << describeSignature(signature)
       << " has string values: run it with\n   kiln_function_run(model."
       << function.member
       << ", ...) on tensors (string outputs are tensors that own\n"
          "   their strings). */\n\n";
    return;
  }
  if (!function.isStatic) {
    os << "/* " << describeSignature(signature)
       << " has dynamic dimensions: run it with\n   kiln_function_run(model."
       << function.member
       << ", ...) on tensors.\n"
          "   A negative DIM, -(s+1), is a size known at run time; dims with\n"
          "   the same value must agree. Outputs with such dims are allocated\n"
          "   by the call (pass NULL). */\n\n";
    return;
  }
  os << "/** Runs " << commentSafe(signature.name) << ".\n";
  for (const HeaderValue &value : function.inputs)
    os << "    `" << value.parameter << "`: " << describeType(*value.signature)
       << ", " << staticSize(*value.signature)->first << " elements, read\n";
  for (const HeaderValue &value : function.outputs)
    os << "    `" << value.parameter << "`: " << describeType(*value.signature)
       << ", " << staticSize(*value.signature)->first << " elements, written\n";
  os << " */\n"
     << "static inline kiln_status *" << function.function << "(const " << name
     << "_model *model";
  for (const HeaderValue &value : function.inputs)
    os << ",\n    const " << cElementType(value.signature->dtype) << " *"
       << value.parameter;
  for (const HeaderValue &value : function.outputs)
    os << ",\n    " << cElementType(value.signature->dtype) << " *"
       << value.parameter;
  os << ") {\n";
  auto writeArray = [&](const char *type, const char *array,
                        const std::vector<HeaderValue> &values) {
    if (values.empty())
      os << "  " << type << " const *" << array << " = NULL;\n";
    else
      os << "  " << type << array << "[" << values.size() << "];\n";
  };
  writeArray("const void *", "inputs_", function.inputs);
  writeArray("void *", "outputs_", function.outputs);
  for (auto [i, value] : llvm::enumerate(function.inputs))
    os << "  inputs_[" << i << "] = " << value.parameter << ";\n";
  for (auto [i, value] : llvm::enumerate(function.outputs))
    os << "  outputs_[" << i << "] = " << value.parameter << ";\n";
  os << "  return kiln_function_run_buffers(model->" << function.member
     << ", inputs_, " << function.inputs.size() << ", outputs_, "
     << function.outputs.size() << ");\n"
     << "}\n\n";
}

void HeaderWriter::write() {
  planNames();
  writePreamble();
  for (const HeaderFunction &function : functions)
    writeConstants(function);
  writeModelType();
  writeSignatureCheck();
  writeLoadAndFree();
  for (const HeaderFunction &function : functions)
    writeRun(function);
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n"
     << "#endif /* KILN_MODEL_" << upper << "_H */\n";
}

std::vector<int64_t> readDims(Attribute attr) {
  if (auto dims = dyn_cast_or_null<DenseI64ArrayAttr>(attr))
    return std::vector<int64_t>(dims.asArrayRef().begin(),
                                dims.asArrayRef().end());
  return {};
}

llvm::Expected<std::vector<ValueSignature>> readValues(Attribute attr,
                                                       StringRef function) {
  auto array = dyn_cast_or_null<ArrayAttr>(attr);
  if (!array)
    return llvm::createStringError("malformed entry point record of '" +
                                   function + "'");
  std::vector<ValueSignature> values;
  for (Attribute element : array) {
    auto value = dyn_cast<DictionaryAttr>(element);
    auto name = value ? value.getAs<StringAttr>("name") : StringAttr();
    auto dtype = value ? value.getAs<IntegerAttr>("dtype") : IntegerAttr();
    if (!name || !dtype)
      return llvm::createStringError("malformed entry point record of '" +
                                     function + "'");
    values.push_back({name.str(), static_cast<kiln_dtype>(dtype.getInt()),
                      readDims(value.get("shape"))});
  }
  return values;
}

} // namespace

std::string defaultModuleName(llvm::StringRef outputPath, bool isArchive) {
  llvm::StringRef stem = llvm::sys::path::stem(outputPath);
  // "libxor.a" names the model "xor", as a linker's -lxor would.
  if (isArchive && stem.starts_with("lib") && stem.size() > 3)
    stem = stem.drop_front(3);
  return makeCIdentifier(stem);
}

bool isCIdentifier(llvm::StringRef text) {
  if (text.empty() || !(llvm::isAlpha(text.front())))
    return false;
  return llvm::all_of(text,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; }) &&
         !isKeyword(text);
}

std::string makeCIdentifier(llvm::StringRef text) {
  std::string result;
  for (char c : text)
    result += llvm::isAlnum(c) ? c : '_';
  if (result.empty() || !llvm::isAlpha(result.front()) || isKeyword(result))
    result = "m_" + result;
  return result;
}

llvm::Expected<std::vector<FunctionSignature>>
readEntryPoints(mlir::ModuleOp module) {
  auto entryPoints = module->getAttrOfType<ArrayAttr>(kEntryPointsAttrName);
  if (!entryPoints)
    return llvm::createStringError(
        "the module has no entry point record (kiln.entry_points)");
  std::vector<FunctionSignature> functions;
  for (Attribute attr : entryPoints) {
    auto entry = dyn_cast<DictionaryAttr>(attr);
    auto name = entry ? entry.getAs<StringAttr>("name") : StringAttr();
    if (!name)
      return llvm::createStringError("malformed entry point record");
    auto inputs = readValues(entry.get("inputs"), name.getValue());
    if (!inputs)
      return inputs.takeError();
    auto outputs = readValues(entry.get("outputs"), name.getValue());
    if (!outputs)
      return outputs.takeError();
    functions.push_back({name.str(), std::move(*inputs), std::move(*outputs)});
  }
  return functions;
}

llvm::Expected<std::string>
generateModelHeader(const ModelHeaderOptions &options) {
  if (!isCIdentifier(options.moduleName))
    return llvm::createStringError(
        "the model name '" + options.moduleName +
        "' is not a C identifier (letters, digits and '_', starting with a "
        "letter); choose one with --name");
  std::string text;
  llvm::raw_string_ostream os(text);
  HeaderWriter(options, os).write();
  return text;
}

} // namespace kiln::driver
