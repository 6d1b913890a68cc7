# Test registration helpers: GoogleTest binaries and lit files each become ctest tests.
find_package(GTest REQUIRED)
include(GoogleTest)

# kiln_add_unit_test(name SRCS... DEPS...)
# A GoogleTest binary; every TEST in it becomes its own ctest test named <name>.<Suite>.<Test>.
function(kiln_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} TEST_PREFIX "${name}." DISCOVERY_MODE PRE_TEST)
  # gtest_discover_tests splits list-valued PROPERTIES, so labels are set on the
  # directory: every test registered from it gets them.
  set_property(DIRECTORY APPEND PROPERTY LABELS unit ${ARG_LABELS})
endfunction()
