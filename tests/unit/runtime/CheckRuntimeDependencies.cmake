# Fails when the library LIBRARY has a NEEDED entry that mentions MLIR or
# LLVM, or names a CUDA library (the CUDA backend loads the driver with dlopen,
# so that the runtime loads on machines without one). Run with: cmake -DREADELF=<readelf> -DLIBRARY=<lib.so> -P <this file>
foreach(variable READELF LIBRARY)
  if(NOT ${variable})
    message(FATAL_ERROR "set -D${variable}=...")
  endif()
endforeach()

execute_process(
  COMMAND ${READELF} -d ${LIBRARY}
  OUTPUT_VARIABLE dynamic_section
  ERROR_VARIABLE errors
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "readelf -d ${LIBRARY} failed (${result}): ${errors}")
endif()

string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" needed_lines "${dynamic_section}")
if(NOT needed_lines)
  message(FATAL_ERROR "no NEEDED entries found in ${LIBRARY}; "
                      "is it a shared library?\n${dynamic_section}")
endif()

set(offending "")
set(cuda_libraries "")
message(STATUS "NEEDED entries of ${LIBRARY}:")
foreach(line IN LISTS needed_lines)
  string(REGEX REPLACE ".*\\[(.*)\\].*" "\\1" library_name "${line}")
  message(STATUS "  ${library_name}")
  string(TOLOWER "${library_name}" lowercase_name)
  if(lowercase_name MATCHES "mlir|llvm")
    list(APPEND offending "${library_name}")
  endif()
  if(lowercase_name MATCHES "^lib(cuda|cudart|cudnn|cublas|cublaslt|nvrtc)[.-]")
    list(APPEND cuda_libraries "${library_name}")
  endif()
endforeach()

if(offending)
  message(FATAL_ERROR "libkiln_runtime must not depend on MLIR or LLVM, "
                      "but it needs: ${offending}")
endif()
if(cuda_libraries)
  message(FATAL_ERROR "libkiln_runtime must not link CUDA libraries (it "
                      "loads the driver with dlopen), but it needs: "
                      "${cuda_libraries}")
endif()
