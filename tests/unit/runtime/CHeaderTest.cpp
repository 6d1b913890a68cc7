//===- CHeaderTest.cpp - Calls the API through a C translation unit -------===//
//
// c_header_check.c is compiled as strict C11; building this test at all is
// the main check. The calls confirm the C view of the API links and works.
//
//===----------------------------------------------------------------------===//

#include "TestModules.h"

#include <cstddef>

extern "C" size_t kiln_c_header_check_tensor_bytes(void);
extern "C" int kiln_c_header_check_status(void);
extern "C" int
kiln_c_header_check_session_threads(const kiln_function *function);

namespace {

TEST(CHeaderTest, CallersInCWork) {
  EXPECT_EQ(kiln_c_header_check_tensor_bytes(), 20u);
  EXPECT_EQ(kiln_c_header_check_status(), 1);
  kiln::test::ModulePtr module = kiln::test::loadInMemoryModule();
  EXPECT_EQ(kiln_c_header_check_session_threads(
                kiln::test::findFunction(module.get(), "add")),
            3);
}

} // namespace
