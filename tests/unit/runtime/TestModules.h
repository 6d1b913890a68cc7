//===- TestModules.h - Hand-written module tables for runtime tests -------===//
//
// Until the compiler produces modules, the tests build their own: small C++
// entry points that read MLIR memref descriptors, and kiln_abi_module tables
// that describe them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_UNIT_RUNTIME_TESTMODULES_H
#define KILN_TESTS_UNIT_RUNTIME_TESTMODULES_H

#include "TestSupport.h"

namespace kiln::test {

/// The producer string of inMemoryModule().
inline constexpr const char *kInMemoryProducer = "kiln-test in-memory module";
/// The number of inputs of "wide_sum", more than the runtime's stack buffers
/// hold, so that calls to it take the heap path.
inline constexpr int kWideSumInputs = 100;
/// The length of the input and output of "polynomial".
inline constexpr int64_t kPolynomialLength = 256;
/// What the "fail" entry point returns.
inline constexpr int32_t kFailResult = 7;

/// A valid module table with these functions:
///   add(a: f32[2,3], b: f32[2,3]) -> sum: f32[2,3]
///       also checks that every descriptor is contiguous row-major
///   fail(x: f32[2]) -> y: f32[2]                returns kFailResult
///   throws(x: f32[2]) -> y: f32[2]              throws a C++ exception
///   row_sums(x: f32[?,3]) -> sums: f32[?]
///   scalar_double(x: f64[]) -> y: f64[]
///   wide_sum(x0..x99: f32[4]) -> sum: f32[4]
///   high_rank(x: i8[1 x 15, 2]) -> y: i8[1 x 15, 2]   y = x + 1
///   split(x: f32[4]) -> low: f32[2], high: f32[2]
///   polynomial(x: f32[256]) -> y: f32[256]      a few float operations
const kiln_abi_module &inMemoryModule();

/// Wraps inMemoryModule() without an owner, failing the test on error.
ModulePtr loadInMemoryModule();

/// Finds `name` in `module`, failing the test when it is missing.
const kiln_function *findFunction(const kiln_module *module, const char *name);

/// The reference result of "polynomial" for one element.
float polynomialReference(float x);

/// A valid two-function table ("add" twice, under the names "add" and
/// "add_again") whose every field a test may corrupt before wrapping it.
struct EditableTable {
  EditableTable();
  EditableTable(const EditableTable &) = delete;
  EditableTable &operator=(const EditableTable &) = delete;

  int64_t dims[2] = {2, 3};
  kiln_abi_value inputs[2];
  kiln_abi_value outputs[1];
  kiln_abi_function functions[2];
  kiln_abi_module module;
};

} // namespace kiln::test

#endif // KILN_TESTS_UNIT_RUNTIME_TESTMODULES_H
