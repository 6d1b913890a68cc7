/*===- bad_magic_module.c - A module whose ABI table has the wrong magic ---===*
 *
 * Exports kiln_module_abi_v1, but with a magic number that is not "KILN":
 * the runtime must refuse it before reading anything else.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/module_abi.h"

__attribute__((visibility("default")))
const kiln_abi_module kiln_module_abi_v1 = {0xdeadbeefu, KILN_ABI_VERSION, 0, 0,
                                            "bad magic"};
