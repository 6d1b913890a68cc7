/*===- no_symbol_module.c - A shared library that is not a Kiln module -----===*
 *
 * A valid shared library that exports a function but no kiln_module_abi_v1
 * table, as any unrelated library would.
 *
 *===----------------------------------------------------------------------===*/

__attribute__((visibility("default"))) int kiln_test_unrelated_function(void) {
  return 42;
}
